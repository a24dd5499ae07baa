"""Numbers read the reader's way and the approval chain's documents checked, in a real browser (issue 14).

* a Romanian social worker types ``1.000`` and an English one ``1,000``: both
  store one thousand, each sees it back in their notation; a count with a
  decimal is refused next to its field;
* a Romanian project manager's ``1,234.56`` is refused next to the amount;
* a plan's chain refuses a submission dated tomorrow, an aviz with a number of
  spaces, dated before the submission and without members (all in one
  answer), and an HCL whose referat follows it.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from browserkit import Steps, login, logout
from flask import Flask
from playwright.sync_api import Page, expect

TS = "/t/targu-secuiesc-cv"
SOCIAL_WORKER = "asistent.tgsecuiesc@vatra.test"
SECRETARY = "secretar.ccc@vatra.test"
TENANT_ADMIN = "admin.tgsecuiesc@vatra.test"
PROJECT_MANAGER = "proiect.olt@vatra.test"
TRAINED = "Număr persoane formate"
COUNSELLED = "Număr persoane consiliate"
SESSIONS = "Număr ședințe de consiliere"


def _stored(app: Flask, label: str) -> list[str]:
    """The live values of the 2026 plan's indicator called ``label``, as stored (first quarter)."""
    with app.app_context():
        from core.db import db

        rows = db.session.execute(
            sa.text(
                "SELECT v.value FROM plan_indicator_value v JOIN plan_indicator i ON i.id = v.indicator_id "
                "JOIN plan_plan p ON p.id = v.plan_id "
                "WHERE i.label = :label AND p.year = 2026 AND v.quarter = 1 AND v.superseded = :no"
            ),
            {"label": label, "no": False},
        ).scalars().all()
        db.session.remove()
    return [str(r) for r in rows]


def _values_page(page: Page) -> None:
    page.get_by_role("navigation", name=re.compile("Navigare principală|Main navigation")).get_by_role(
        "link", name=re.compile("Plan de prevenire|Prevention plan", re.I)
    ).click()
    page.get_by_role("link", name=re.compile("PLANUL DE DEZVOLTARE.*2026")).click()
    page.get_by_role("navigation", name=re.compile("Pagini ale planului|Pages of the plan")).get_by_role(
        "link", name=re.compile("Valori pe trimestru|Values per quarter")
    ).click()
    expect(page.locator("caption")).to_be_visible()


def _value_input(page: Page, label: str):  # type: ignore[no-untyped-def]
    return page.locator("tr", has_text=label).locator("input[name$=-value]")


def _save_values(page: Page) -> None:
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")


def test_a_thousand_typed_the_romanian_and_the_english_way(page: Page, steps: Steps, live_app: Flask) -> None:
    login(page, SOCIAL_WORKER)
    _values_page(page)
    expect(page.locator("#number-hint")).to_contain_text("1.234")
    _value_input(page, TRAINED).fill("1.000")  # one thousand, the Romanian way (was saved as 1)
    _value_input(page, SESSIONS).fill("2,5")  # sessions are counted whole
    _save_values(page)
    error = page.locator("tr", has_text=SESSIONS).locator(".error-message")
    expect(error).to_contain_text("„2,5” are zecimale")
    expect(_value_input(page, SESSIONS)).to_have_attribute("aria-invalid", "true")
    expect(_value_input(page, TRAINED)).to_have_value("1.000")  # what was typed stays
    assert _stored(live_app, TRAINED) == []  # nothing half-written
    steps.shot("a count with a decimal refused")
    _value_input(page, SESSIONS).fill("")
    _save_values(page)
    expect(page.locator(".flash-success")).to_be_visible()
    expect(_value_input(page, TRAINED)).to_have_value("1.000")
    assert [float(v) for v in _stored(live_app, TRAINED)] == [1000]
    steps.shot("ro 1.000 stored as a thousand")
    logout(page)

    login(page, SOCIAL_WORKER, lang="en")
    _values_page(page)
    expect(page.locator("#number-hint")).to_contain_text("1,234")
    expect(_value_input(page, TRAINED)).to_have_value("1,000")  # shown back the reader's way
    _value_input(page, COUNSELLED).fill("1.000")  # an English 1.000 is not a thousand, nor silently 1
    _save_values(page)
    expect(page.locator("tr", has_text=COUNSELLED).locator(".error-message")).to_contain_text("has decimals")
    assert _stored(live_app, COUNSELLED) == []
    steps.shot("en 1.000 refused for a count")
    _value_input(page, COUNSELLED).fill("1,000")
    _save_values(page)
    expect(page.locator(".flash-success")).to_be_visible()
    expect(_value_input(page, COUNSELLED)).to_have_value("1,000")
    assert [float(v) for v in _stored(live_app, COUNSELLED)] == [1000]
    steps.shot("en 1,000 stored as a thousand")


def test_a_romanian_1234_point_56_is_refused_on_the_amount(page: Page, steps: Steps) -> None:
    login(page, PROJECT_MANAGER)
    page.get_by_role("navigation", name="Navigare principală").get_by_role("link", name="Proiecte finanțate").click()
    page.get_by_role("link", name=re.compile("Dezvoltarea serviciilor comunitare")).click()
    page.get_by_role("link", name="Buget și cheltuieli").click()
    page.get_by_text("Adaugă o linie bugetară").click()
    page.get_by_label("Categoria").fill("Tipărire pliante")
    page.get_by_label("Suma planificată (lei)").fill("1,234.56")
    page.get_by_role("button", name="Adaugă linia").click()
    reason = page.locator("#planned-error").inner_text()
    assert "„1,234.56” nu este scris corect" in reason and "1.234,56" in reason
    expect(page.get_by_label("Suma planificată (lei)")).to_have_value("1,234.56")
    expect(page.locator("main")).not_to_contain_text("Tipărire pliante</td>")
    steps.shot("ro 1,234.56 refused")


def test_blank_future_and_out_of_order_documents_are_refused(page: Page, steps: Steps) -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()  # tomorrow in Romania, whatever the host's zone
    login(page, SOCIAL_WORKER)
    page.get_by_role("navigation", name="Navigare principală").get_by_role("link", name="Plan de prevenire").click()
    page.get_by_role("link", name=re.compile("PLANUL DE DEZVOLTARE.*2026")).click()
    page.get_by_label("Anul planului nou").fill("2028")
    page.get_by_role("button", name="Copiază într-un plan nou (fără valori)").click()
    expect(page.locator("h1")).to_contain_text("2028")
    plan_url = page.url

    page.get_by_role("link", name="Transmite consiliului consultativ").click()
    page.get_by_label("Data transmiterii către consiliu").fill(tomorrow)
    page.get_by_role("button", name="Transmite consiliului consultativ").click()
    assert "în viitor" in page.locator("#submitted_on-error").inner_text()
    steps.shot("submission dated in the future refused")
    page.get_by_label("Data transmiterii către consiliu").fill("2026-11-02")
    page.get_by_role("button", name="Transmite consiliului consultativ").click()
    expect(page.locator(".flash-success")).to_contain_text("transmis")
    logout(page)

    login(page, SECRETARY)
    page.goto(plan_url)
    page.get_by_role("link", name="Înregistrează avizul consiliului").click()
    page.get_by_label("Numărul avizului").fill("   ")
    page.get_by_label("Data avizului").fill("2026-10-30")  # before the plan reached the council
    for box in page.locator("input[name=members_present]").all():
        box.uncheck()
    page.get_by_role("button", name="Înregistrează avizul consiliului").click()
    # every problem in one answer, each next to its field
    assert "doar din spații" in page.locator("#aviz_number-error").inner_text()
    assert "anterior transmiterii" in page.locator("#aviz_date-error").inner_text()
    expect(page.locator("main")).to_contain_text("Câmp obligatoriu pentru acest pas.")
    steps.shot("aviz refused: blank number, out of order, no members")
    page.get_by_label("Numărul avizului").fill("12")
    page.get_by_label("Data avizului").fill(tomorrow)
    page.locator("input[name=members_present]").first.check()
    page.get_by_role("button", name="Înregistrează avizul consiliului").click()
    future = page.locator("#aviz_date-error").inner_text()  # the form's document-date range may say it first
    assert "în viitor" in future or "trebuie să fie între" in future
    page.get_by_label("Data avizului").fill("2026-11-05")
    for box in page.locator("input[name=members_present]").all():
        box.check()
    page.get_by_role("button", name="Înregistrează avizul consiliului").click()
    expect(page.locator(".flash-success")).to_be_visible()
    logout(page)

    login(page, TENANT_ADMIN)
    page.goto(plan_url)
    page.get_by_role("link", name="Înregistrează aprobarea prin HCL").click()
    page.get_by_label("Numărul HCL").fill(" ")
    page.get_by_label("Data HCL").fill("2026-11-20")
    page.get_by_label("Numărul referatului de aprobare al primarului").fill("1201")
    page.get_by_label("Data referatului").fill("2026-11-25")  # after the HCL
    page.get_by_label("Numărul raportului de specialitate").fill("1202")
    page.get_by_label("Data raportului de specialitate").fill("2026-11-01")  # before the aviz
    page.get_by_role("button", name="Înregistrează aprobarea prin HCL").click()
    assert "doar din spații" in page.locator("#hcl_number-error").inner_text()
    assert "anterior HCL" in page.locator("#referat_date-error").inner_text()
    assert "anterior avizului" in page.locator("#raport_date-error").inner_text()
    steps.shot("HCL refused: blank number, documents out of order")
    page.get_by_label("Numărul HCL").fill("88")
    page.get_by_label("Data referatului").fill("2026-11-12")
    page.get_by_label("Data raportului de specialitate").fill("2026-11-12")
    page.get_by_role("button", name="Înregistrează aprobarea prin HCL").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".facts").first).to_contain_text("nr. 88")
    steps.shot("HCL recorded in order")
