"""The journeys people make, in a real browser, with a screenshot of every step.

* a social worker of Târgu Secuiesc starts 2027's plan from 2026's, edits an
  objective, adds an activity and an indicator, records a quarter's values and
  sends the plan to the consultative council; the council's secretary records
  the aviz; the DAS administrator records the HCL and downloads the Word export;
* the Olt county coordinator sorts the county page, drills into a locality and
  downloads the Excel export;
* the Olt project manager adds a budget line, records an expenditure and is
  refused one beyond its line, with the reason next to the field.

Forms that fail validation are checked to keep what was typed and to show the
reason next to the field.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import openpyxl
from browserkit import Steps, login, logout
from playwright.sync_api import Page, expect

TS = "/t/targu-secuiesc-cv"
OLT = "/t/olt"
SOCIAL_WORKER = "asistent.tgsecuiesc@vatra.test"
SECRETARY = "secretar.ccc@vatra.test"
TENANT_ADMIN = "admin.tgsecuiesc@vatra.test"
COORDINATOR = "coordonator.olt@vatra.test"
PROJECT_MANAGER = "proiect.olt@vatra.test"

NEW_OBJECTIVE_TITLE = "Identificarea timpurie a copiilor aflați în risc de separare, în toate cartierele"
NEW_ACTIVITY = "Grup de sprijin lunar pentru părinții adolescenților"
NEW_INDICATOR = "Număr de părinți participanți la grupul de sprijin"


def field_error(page: Page, field_id: str) -> str:
    """The reason shown next to a field (the element its aria-describedby points to)."""
    return page.locator(f"#{field_id}-error").inner_text()


def download(page: Page, link_name: str | re.Pattern[str], target: Path) -> bytes:
    """Click a download link and return the file's bytes (kept under ``target``)."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    info.value.save_as(target)
    return target.read_bytes()


def test_plan_of_next_year_from_draft_to_hcl(page: Page, steps: Steps) -> None:
    # -- the social worker -------------------------------------------------------------------
    login(page, SOCIAL_WORKER)
    expect(page.locator("h1")).to_contain_text("Târgu Secuiesc")
    steps.shot("dashboard of the social worker")

    page.get_by_role("navigation", name="Navigare principală").get_by_role("link", name="Plan de prevenire").click()
    page.get_by_role("link", name=re.compile("PLANUL DE DEZVOLTARE")).click()
    expect(page.locator("h1")).to_contain_text("2026")
    steps.shot("plan 2026")

    page.get_by_label("Anul planului nou").fill("2027")
    page.get_by_role("button", name="Copiază într-un plan nou (fără valori)").click()
    expect(page.locator(".flash-success")).to_contain_text("2027")
    expect(page.locator("h1")).to_contain_text("2027")
    plan_url = page.url
    steps.shot("plan 2027 copied")

    # edit the first strategic objective; an empty title is refused, what was typed stays
    first = page.locator("article.plan-objective").first
    first.get_by_role("link", name="modifică").first.click()
    page.get_by_label("Numărul").fill("1")
    page.get_by_label("Obiectivul strategic").fill("")
    page.get_by_role("button", name="Salvează").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert "obligatoriu" in field_error(page, "title")
    expect(page.get_by_label("Obiectivul strategic")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Numărul")).to_have_value("1")
    steps.shot("objective refused without a title")
    page.get_by_label("Obiectivul strategic").fill(NEW_OBJECTIVE_TITLE)
    page.get_by_role("button", name="Salvează").click()
    expect(page.locator(".flash-success")).to_contain_text("Obiectivul a fost salvat")
    expect(page.locator("article.plan-objective").first.locator("h3")).to_contain_text(NEW_OBJECTIVE_TITLE)
    steps.shot("objective saved")

    # add an activity: a negative budget is refused, the text and the months typed stay
    page.locator("article.plan-objective").first.get_by_role("link", name="Adaugă o activitate").click()
    page.get_by_label("Activitatea", exact=True).fill(NEW_ACTIVITY)
    page.get_by_label("Responsabili (unul pe rând)").fill("DAS Târgu Secuiesc\nFurnizori ONG")
    page.get_by_label("martie").check()
    page.get_by_label("septembrie").check()
    page.get_by_label("Buget estimat (lei)").fill("-100")
    page.get_by_role("button", name="Salvează").click()
    assert "negativă" in field_error(page, "budget_estimate")
    expect(page.get_by_label("Activitatea", exact=True)).to_have_value(NEW_ACTIVITY)
    expect(page.get_by_label("septembrie")).to_be_checked()
    steps.shot("activity refused with a negative budget")
    page.get_by_label("Buget estimat (lei)").fill("1500")
    page.get_by_role("button", name="Salvează").click()
    expect(page.locator(".flash-success")).to_be_visible()
    activity = page.locator("li[id^=activity-]", has_text=NEW_ACTIVITY)
    expect(activity).to_contain_text("martie")
    steps.shot("activity added")

    # add an indicator to the new activity
    activity.get_by_role("link", name="Adaugă un indicator").click()
    page.get_by_label("Indicatorul de realizare").fill(NEW_INDICATOR)
    page.get_by_label("Ținta").fill("25")
    page.get_by_role("button", name="Salvează").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("li[id^=activity-]", has_text=NEW_ACTIVITY)).to_contain_text(NEW_INDICATOR)
    steps.shot("indicator added")

    # record the first quarter: a value that is no number is refused next to its field
    page.get_by_role("navigation", name="Pagini ale planului").get_by_role("link", name="Valori pe trimestru").click()
    expect(page.locator("caption")).to_contain_text("Trimestrul 1")
    row = page.locator("tr", has_text=NEW_INDICATOR)
    row.locator("input[name$=-value]").fill("doi")
    page.locator("tbody tr").first.locator("input[name$=-value]").fill("12")
    page.get_by_role("button", name="Înregistrează valorile").click()
    expect(row.locator(".error-message")).to_be_visible()
    expect(row.locator("input[name$=-value]")).to_have_value("doi")
    expect(page.locator("tbody tr").first.locator("input[name$=-value]")).to_have_value("12")
    steps.shot("values refused")
    row.locator("input[name$=-value]").fill("9")
    row.locator("input[name$=-note]").fill("două întâlniri în martie")
    page.get_by_role("button", name="Înregistrează valorile").click()
    expect(page.locator(".flash-success")).to_contain_text("Valorile au fost înregistrate")
    expect(page.locator("tr", has_text=NEW_INDICATOR).locator("input[name$=-value]")).to_have_value("9")
    steps.shot("values of the first quarter recorded")

    page.goto(plan_url)
    page.get_by_role("link", name="Transmite consiliului consultativ").click()
    page.get_by_role("button", name="Transmite consiliului consultativ").click()
    expect(page.locator(".flash-success")).to_contain_text("transmis")
    steps.shot("sent to the council")
    logout(page)

    # -- the council's secretary records the aviz ----------------------------------------------
    login(page, SECRETARY)
    page.goto(plan_url)
    page.get_by_role("link", name="Înregistrează avizul consiliului").click()
    page.get_by_label("Numărul avizului").fill("3")
    page.get_by_label("Data avizului").fill("2026-11-20")  # documents are never dated in the future
    steps.shot("aviz form")
    page.get_by_role("button", name="Înregistrează avizul consiliului").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".facts").first).to_contain_text("nr. 3")
    steps.shot("aviz recorded")
    logout(page)

    # -- the DAS administrator records the HCL and exports the plan ---------------------------
    login(page, TENANT_ADMIN)
    page.goto(plan_url)
    page.get_by_role("link", name="Înregistrează aprobarea prin HCL").click()
    page.get_by_label("Numărul HCL").fill("45")
    page.get_by_role("button", name="Înregistrează aprobarea prin HCL").click()
    assert "obligatoriu" in page.locator(".error-summary").inner_text().lower()
    expect(page.get_by_label("Numărul HCL")).to_have_value("45")
    steps.shot("HCL refused without dates")
    page.get_by_label("Data HCL").fill("2026-11-26")
    page.get_by_label("Numărul referatului de aprobare al primarului").fill("1201")
    page.get_by_label("Data referatului").fill("2026-11-23")
    page.get_by_label("Numărul raportului de specialitate").fill("1202")
    page.get_by_label("Data raportului de specialitate").fill("2026-11-24")
    page.get_by_role("button", name="Înregistrează aprobarea prin HCL").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".facts").first).to_contain_text("nr. 45")
    steps.shot("HCL recorded")

    page.get_by_role("button", name="Exportă planul (Word)").click()
    expect(page.get_by_role("link", name=re.compile(r"Descarcă .*\.docx"))).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("value", "100")
    steps.shot("Word export ready")
    data = download(page, re.compile(r"Descarcă .*\.docx"), steps.folder / "plan-2027.docx")
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "2027" in text
    assert NEW_OBJECTIVE_TITLE in text
    assert NEW_ACTIVITY in text
    assert NEW_INDICATOR in text


def locality_names(page: Page) -> list[str]:
    """The localities of the county table, in the order shown."""
    return page.locator("table.county-table tbody th[scope=row] a").all_inner_texts()


def test_county_coordinator_sorts_drills_down_and_exports(page: Page, steps: Steps) -> None:
    login(page, COORDINATOR)
    page.get_by_role("navigation", name="Navigare principală").get_by_role("link", name="Situația județului").click()
    expect(page.locator("h1")).to_contain_text("Olt")
    expect(page.locator("figure.chart-figure svg").first).to_be_visible()
    assert len(locality_names(page)) == 50  # a page at a time; all 112 on demand
    page.get_by_label("Rânduri pe pagină").select_option("all")
    page.get_by_role("button", name="Filtrează").click()
    names = locality_names(page)
    assert len(names) == 112
    steps.shot("county page")

    header = page.locator("table.county-table thead th", has_text="Localitatea")
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert locality_names(page) == list(reversed(names))
    steps.shot("sorted by locality, descending")
    page.locator("table.county-table thead th", has_text="Instruiți").get_by_role("link").click()
    expect(page.locator("table.county-table thead th", has_text="Instruiți")).to_have_attribute(
        "aria-sort", "ascending"
    )
    steps.shot("sorted by trained members")

    first = locality_names(page)[0]
    page.locator("table.county-table tbody th[scope=row] a").first.click()
    expect(page.locator("h1")).to_contain_text(first)
    steps.shot("drilled into a locality")
    page.go_back()

    page.get_by_role("button", name="Export Excel").click()
    expect(page.locator(".flash-success")).to_contain_text("Exportul a fost pornit")
    result = page.locator("table.data tbody tr").first.locator("a[download]")
    expect(result).to_have_text(re.compile(r"\.xlsx$"))
    steps.shot("Excel export ready")
    with page.expect_download() as info:
        result.click()
    target = steps.folder / "judetul-olt.xlsx"
    info.value.save_as(target)
    workbook = openpyxl.load_workbook(target, read_only=True)
    cells = {str(c) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    assert first in cells
    assert any("Olt" in c for c in cells)


def test_project_manager_budget_line_and_refused_expenditure(page: Page, steps: Steps) -> None:
    login(page, PROJECT_MANAGER)
    page.get_by_role("navigation", name="Navigare principală").get_by_role("link", name="Proiecte finanțate").click()
    page.get_by_role("link", name=re.compile("Dezvoltarea serviciilor comunitare")).click()
    expect(page.locator("h1")).to_contain_text("Dezvoltarea serviciilor comunitare")
    expect(page.locator("svg.indicator-chart")).to_be_visible()
    steps.shot("project page")

    page.get_by_role("link", name="Buget și cheltuieli").click()
    page.get_by_text("Adaugă o linie bugetară").click()
    page.get_by_label("Categoria").fill("Cheltuieli de personal")
    page.get_by_label("Suma planificată (lei)").fill("abc")
    page.get_by_role("button", name="Adaugă linia").click()
    assert "nu este un număr" in field_error(page, "planned")
    expect(page.get_by_label("Categoria")).to_have_value("Cheltuieli de personal")
    steps.shot("budget line refused")
    page.get_by_label("Suma planificată (lei)").fill("10.000,00")
    page.get_by_role("button", name="Adaugă linia").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("table.data").first).to_contain_text("Cheltuieli de personal")
    expect(page.locator("table.data").first).to_contain_text("10.000,00")
    steps.shot("budget line added")

    page.get_by_role("link", name="Înregistrează o cheltuială").click()
    page.get_by_label("Linia bugetară").select_option(label="Cheltuieli de personal")
    page.get_by_label("Data").fill("2009-03-16")
    page.get_by_label("Suma (lei)").fill("2.500,00")
    page.get_by_label("Furnizor").fill("Salarii martie 2009")
    page.get_by_label("Număr document").fill("ST-17")
    page.get_by_role("button", name="Înregistrează cheltuiala").click()
    expect(page.locator(".flash-success")).to_contain_text("Cheltuiala a fost înregistrată")
    expect(page.locator("main")).to_contain_text("2.500,00")
    steps.shot("expenditure recorded")

    page.get_by_role("link", name="Înregistrează o cheltuială").click()
    page.get_by_label("Linia bugetară").select_option(label="Cheltuieli de personal")
    page.get_by_label("Data").fill("2009-04-15")
    page.get_by_label("Suma (lei)").fill("8.000,00")
    page.get_by_label("Furnizor").fill("Salarii aprilie 2009")
    page.get_by_role("button", name="Înregistrează cheltuiala").click()
    reason = field_error(page, "amount")
    assert "Depășește suma rămasă" in reason and "Cheltuieli de personal" in reason and "7.500,00" in reason
    expect(page.get_by_label("Suma (lei)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Suma (lei)")).to_have_value("8.000,00")
    expect(page.get_by_label("Furnizor")).to_have_value("Salarii aprilie 2009")
    expect(page.get_by_label("Data")).to_have_value("2009-04-15")
    steps.shot("expenditure beyond its line refused")

    page.goto(page.url.replace("/expenditures/new", "/budget"))
    expect(page.locator("main")).not_to_contain_text("Salarii aprilie 2009")
