"""The Romanian pages: project, budget with its chart, expenditure form, indicators, reports, widget."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest
import sqlalchemy as sa

from core.db import db
from plugins.pin_project import services
from plugins.pin_project.models import Expenditure

from .conftest import line_ids, post_form


def _page(olt, project_id: int, suffix: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/t/{olt.slug}/projects/{project_id}{suffix}"


def _no_inline_code(html: str) -> None:
    assert "<script" not in html
    assert " style=" not in html
    assert re.search(r"\son[a-z]+=", html) is None


def _fill(olt, project_id: int) -> None:  # type: ignore[no-untyped-def]
    with olt.scope():
        project = services.get_project(project_id)
        services.add_objective(project, "creșterea capacității DGASPC Olt")
        services.add_target_group(project, "factorii de decizie")
        services.add_locality(project, olt.localities[0].id, employs_staff=True, creates_council=True)
        activity = services.add_activity(
            project, title="Înființarea compartimentului", steps=["pasul unu", "pasul doi"]
        )
        services.update_activity(activity, {"status": "in_progress", "locality_tenant_ids": [olt.localities[0].id]})
        result = services.add_result(project, "cel puțin 200 de persoane vor beneficia de formare")
        services.add_indicator(
            result,
            code="persons_trained",
            label="persoane formate",
            unit="persoane",
            target=200,
            breakdown=[("personal", 60), ("membri", 140)],
        )
        line = project.budget_lines[0]
        services.record_expenditure(project, line_id=line.id, spent_on=dt.date(2009, 1, 15), amount=Decimal("1234.56"))
        db.session.commit()


def test_the_project_pages_show_the_project(olt, project_id):
    _fill(olt, project_id)
    client = olt.client(olt.worker)
    listing = client.get(f"/t/{olt.slug}/projects/")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert "Proiecte finanțate" in html and "Proiect de test" in html and "182.850,00" in html
    page = client.get(_page(olt, project_id))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in (
        "creșterea capacității DGASPC Olt",
        "factorii de decizie",
        olt.localities[0].display_name,
        "1. Înființarea compartimentului",
        "pasul unu",
        "pasul doi",
        "în desfășurare",
        "Raport de progres (Word)",
    ):
        assert text in html, text
    _no_inline_code(html)
    assert 'href="/t/olt-test/projects/"' in html  # the navigation entry of the plugin


def test_the_budget_page_shows_lines_totals_unallocated_and_a_chart(olt, project_id):
    _fill(olt, project_id)
    html = olt.client(olt.viewer).get(_page(olt, project_id, "/budget")).get_data(as_text=True)
    assert re.search(r'id="budget-total">182\.850,00', html)
    assert re.search(r'id="budget-unallocated">32\.850,00', html)
    assert re.search(r'id="budget-spent">1\.234,56', html)
    assert "98.765,44" in html  # remaining on "Formare"
    assert html.count("<svg") == 1 and html.count("<rect") == 14  # one bar per month of the period
    assert "01.2009: 1.234,56 lei" in html
    svg = ElementTree.fromstring(re.search(r"<svg.*?</svg>", html, flags=re.S).group(0))  # noqa: S314 - our own page
    bars = [r for r in svg.iter("{http://www.w3.org/2000/svg}rect") if float(r.get("height")) > 0]
    assert len(bars) == 1  # only January 2009 has spending
    assert "Înregistrează o cheltuială" not in html  # a viewer cannot spend
    _no_inline_code(html)


def test_a_refused_expenditure_shows_the_reason_next_to_the_field_and_keeps_the_input(olt, project_id):
    client = olt.client(olt.worker)
    url = _page(olt, project_id, "/expenditures/new")
    form = client.get(url).get_data(as_text=True)
    assert 'name="override"' not in form  # a social worker cannot override
    line = line_ids(olt, project_id)["Personal"]
    r = post_form(
        client,
        url,
        {
            "budget_line_id": line,
            "date": "2010-02-01",
            "amount": "50.000,01",
            "supplier": "SC Exemplu SRL",
            "document_number": "FV 77",
        },
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    date_error = re.search(r'id="date-error">([^<]+)<', html)
    amount_error = re.search(r'id="amount-error">([^<]+)<', html)
    assert date_error and date_error.group(1) == "În afara perioadei proiectului (01.11.2008 – 31.12.2009)"
    assert amount_error and amount_error.group(1) == "Depășește suma rămasă pe linia „Personal” (rămas 50.000,00 lei)"
    assert 'value="50.000,01"' in html and 'value="SC Exemplu SRL"' in html and 'value="2010-02-01"' in html
    with olt.scope():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Expenditure)).scalar() == 0


def test_an_expenditure_recorded_on_the_page_with_its_document(olt, project_id):
    client = olt.client(olt.worker)
    url = _page(olt, project_id, "/expenditures/new")
    line = line_ids(olt, project_id)["Formare"]
    r = post_form(
        client,
        url,
        {
            "budget_line_id": line,
            "date": "2009-05-05",
            "amount": "1.234,56",
            "attachment": (io.BytesIO(b"%PDF-1.4 factura"), "Factură nr. 12.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    with olt.scope():
        expenditure = db.session.execute(sa.select(Expenditure)).scalar_one()
        assert expenditure.amount == Decimal("1234.56")
        assert expenditure.recorded_by_id == olt.worker.id
        assert expenditure.attachment_path.startswith(f"{olt.county.id}/pin/expenditures/")
        assert expenditure.attachment_name == "Factura_nr._12.pdf"
        eid = expenditure.id
    download = client.get(_page(olt, project_id, f"/expenditures/{eid}/attachment"))
    assert download.status_code == 200 and download.data == b"%PDF-1.4 factura"


def test_a_coordinator_overrides_on_the_page_and_the_budget_marks_it(olt, project_id):
    client = olt.client(olt.coordinator)
    url = _page(olt, project_id, "/expenditures/new")
    assert 'name="override"' in client.get(url).get_data(as_text=True)
    line = line_ids(olt, project_id)["Personal"]
    data = {"budget_line_id": line, "date": "2010-01-05", "amount": "100,00", "override": "y"}
    r = post_form(client, url, data)
    assert r.status_code == 422
    assert re.search(r'id="override_justification-error">Justificarea este obligatorie', r.get_data(as_text=True))
    r = post_form(client, url, {**data, "override_justification": "Factură emisă după închidere, aprobată de ANPDC"})
    assert r.status_code == 302
    html = client.get(_page(olt, project_id, "/budget")).get_data(as_text=True)
    assert "înregistrată peste reguli" in html
    assert "Factură emisă după închidere, aprobată de ANPDC" in html


def test_the_indicators_page_shows_badges_and_progress_and_records_progress(olt, project_id):
    _fill(olt, project_id)
    client = olt.client(olt.worker)
    url = _page(olt, project_id, "/indicators")
    html = client.get(url + "?at=2009-04-30").get_data(as_text=True)
    assert 'data-status="behind"' in html and "în întârziere" in html
    assert '<meter min="0" max="100" value="0.0"' in html
    assert "personal" in html and "membri" in html
    _no_inline_code(html)
    with olt.scope():
        indicator = services.project_indicators(services.get_project(project_id))[0]
        iid, part = indicator.id, indicator.breakdown[0].id
    r = post_form(
        client,
        _page(olt, project_id, f"/indicators/{iid}/progress"),
        {
            f"i{iid}-date": "2009-03-01",
            f"i{iid}-value": "60",
            f"i{iid}-part_id": str(part),
            f"i{iid}-locality_tenant_id": str(olt.localities[0].id),
            f"i{iid}-evidence": "liste de prezență",
            f"i{iid}-attachment": (io.BytesIO(b"%PDF-1.4 prezenta"), "listă prezență.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    html = client.get(url + "?at=2009-04-30").get_data(as_text=True)
    assert 'data-status="at_risk"' in html and "în risc" in html
    assert "Valori înregistrate (1)" in html and "liste de prezență" in html
    link = re.search(r'href="([^"]+/progress/\d+/attachment)"', html)
    assert link and client.get(link.group(1)).data == b"%PDF-1.4 prezenta"
    r = post_form(
        client,
        _page(olt, project_id, f"/indicators/{iid}/progress"),
        {f"i{iid}-date": "2009-03-01", f"i{iid}-value": "-5"},
    )
    assert r.status_code == 422
    assert "Valoarea nu poate fi negativă." in r.get_data(as_text=True)
    viewer_html = olt.client(olt.viewer).get(url).get_data(as_text=True)
    assert "Înregistrează progres" not in viewer_html


def test_report_buttons_start_jobs(olt, project_id):
    client = olt.client(olt.coordinator)
    r = post_form(
        client,
        _page(olt, project_id, "/reports"),
        {"kind": "financial_xlsx", "start": "2008-11-01", "end": "2009-12-31"},
    )
    assert r.status_code == 302
    from core.jobs import Job

    with olt.scope():
        job = db.session.execute(sa.select(Job)).scalar_one()
        assert (job.kind, job.status.value, job.user_id) == (
            "pin_project.financial_xlsx",
            "succeeded",
            olt.coordinator.id,
        )
        assert job.params == {"project_id": project_id, "start": "2008-11-01", "end": "2009-12-31"}


def test_the_dashboard_widget_shows_budget_spent_and_indicators_at_risk(olt, project_id):
    _fill(olt, project_id)
    html = olt.client(olt.worker).get(f"/t/{olt.slug}/").get_data(as_text=True)
    assert "Proiecte finanțate" in html
    assert "Buget cheltuit" in html and "0,7%" in html and "1.234,56" in html
    assert "Indicatori în întârziere" in html


def test_another_tenants_project_is_404_on_the_pages(olt, project_id, make_user):
    from core.auth.models import Role
    from core.testing import login

    stranger = make_user(olt.other_county, Role.COUNTY_COORDINATOR)
    client = login(olt.app.test_client(), stranger)
    other = f"/t/{olt.other_county.slug}/projects/{project_id}"
    for suffix in ("", "/budget", "/indicators", "/expenditures/new"):
        assert client.get(other + suffix).status_code == 404, suffix
    assert client.get(f"/t/{olt.slug}/projects/{project_id}").status_code == 404  # no membership in Olt


def test_budget_lines_are_added_and_revised_on_the_budget_page(olt, project_id):
    client = olt.client(olt.worker)
    budget = _page(olt, project_id, "/budget")
    assert "Adaugă o linie bugetară" in client.get(budget).get_data(as_text=True)
    assert "Adaugă o linie bugetară" not in olt.client(olt.viewer).get(budget).get_data(as_text=True)
    r = post_form(client, _page(olt, project_id, "/budget-lines"), {"category": "Tipărire", "planned": "32.850,01"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert re.search(r'id="planned-error">Liniile bugetare ar totaliza 182\.850,01 lei', html)
    assert 'value="32.850,01"' in html
    # negative, finer than a ban, or another language's notation: refused on the field, on both forms
    for bad, says in (("-5,00", "nu poate fi negativă"), ("10,005", "Cel mult 2 zecimale"),
                      ("1,234.56", "nu este scris corect")):
        r = post_form(client, _page(olt, project_id, "/budget-lines"), {"category": "Tipărire", "planned": bad})
        assert r.status_code == 422 and re.search(r'id="planned-error">[^<]*' + says, r.get_data(as_text=True))
    r = post_form(client, _page(olt, project_id, "/budget-lines"), {"category": "Tipărire", "planned": "32.850,00"})
    assert r.status_code == 302
    personal = line_ids(olt, project_id)["Personal"]
    url = _page(olt, project_id, f"/budget-lines/{personal}/revise")
    r = post_form(client, url, {f"l{personal}-planned": "50.000,01", f"l{personal}-reason": "act adițional"})
    assert r.status_code == 422
    assert re.search(rf'id="l{personal}-planned-error">Liniile bugetare ar totaliza', r.get_data(as_text=True))
    r = post_form(client, url, {f"l{personal}-planned": "-1,00", f"l{personal}-reason": "act adițional"})
    assert r.status_code == 422 and "nu poate fi negativă" in r.get_data(as_text=True)
    r = post_form(client, url, {f"l{personal}-planned": "40.000,00", f"l{personal}-reason": "act adițional"})
    assert r.status_code == 302
    html = client.get(budget).get_data(as_text=True)
    assert "revizuit" in html and "40.000,00" in html and "50.000,00" in html
    with olt.scope():
        line = services.get_budget_line(services.get_project(project_id), personal)
        assert (line.planned_original, line.planned) == (Decimal("50000.00"), Decimal("40000.00"))
        assert line.revisions[0].reason == "act adițional"


def test_a_deliverable_is_marked_printed_on_the_indicators_page(olt, project_id):
    with olt.scope():
        project = services.get_project(project_id)
        manual = services.add_indicator(
            services.add_result(project, "un manual"), label="manual", unit="buc", target=1, deliverable=True
        )
        db.session.commit()
        iid = manual.id
    client = olt.client(olt.worker)
    url = _page(olt, project_id, "/indicators")
    assert "netipărit" in client.get(url).get_data(as_text=True)
    r = post_form(
        client, _page(olt, project_id, f"/indicators/{iid}/delivered"), {f"d{iid}-delivered_on": "2009-11-15"}
    )
    assert r.status_code == 302
    html = client.get(url + "?at=2009-12-31").get_data(as_text=True)
    assert "15.11.2009" in html and 'data-status="achieved"' in html


def test_amounts_are_read_the_readers_way_and_the_hint_follows_the_language(olt, project_id):
    """The budget form read 100.000 as a hundred thousand whatever the language; the hint was always Romanian."""
    client = olt.client(olt.worker)
    url = _page(olt, project_id, "/expenditures/new")
    line = line_ids(olt, project_id)["Formare"]
    english = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Example: 1,234.56" in english and "1.234,56" not in english
    base = {"budget_line_id": line, "date": "2009-05-05"}
    r = post_form(client, url, {**base, "amount": "1.234,56"})  # the Romanian way, read by an English reader
    assert r.status_code == 422
    assert re.search(r'id="amount-error">[^<]*“1.234,56”', r.get_data(as_text=True))
    assert post_form(client, url, {**base, "amount": "1,000"}).status_code == 302
    client.get(url + "?lang=ro")
    r = post_form(client, url, {**base, "amount": "1,234.56"})
    assert r.status_code == 422 and re.search(r'id="amount-error">[^<]*„1,234.56”', r.get_data(as_text=True))
    assert post_form(client, url, {**base, "amount": "10.000"}).status_code == 302  # ten thousand in Romanian
    with olt.scope():
        amounts = db.session.execute(sa.select(Expenditure.amount).order_by(Expenditure.id)).scalars().all()
    assert amounts == [Decimal(1000), Decimal(10000)]


def test_progress_of_a_catalog_count_refuses_decimals_and_implausible_values(olt, project_id):
    _fill(olt, project_id)
    client = olt.client(olt.worker)
    with olt.scope():
        iid = services.project_indicators(services.get_project(project_id))[0].id  # persons_trained: a count
    progress = _page(olt, project_id, f"/indicators/{iid}/progress")
    for typed, says in (("2,5", "are zecimale"), ("99999999999999", "maximul plauzibil")):
        r = post_form(client, progress, {f"i{iid}-date": "2009-03-01", f"i{iid}-value": typed})
        assert r.status_code == 422 and says in r.get_data(as_text=True)
    assert post_form(client, progress, {f"i{iid}-date": "2009-03-01", f"i{iid}-value": "1.000"}).status_code == 302
    with olt.scope():
        indicator = services.get_indicator(services.get_project(project_id), iid)
        with pytest.raises(services.RuleViolation):  # the API's JSON number obeys the catalog too
            services.record_progress(indicator, entry_date=dt.date(2009, 3, 2), value=Decimal("2.5"))
