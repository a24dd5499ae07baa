"""The Olt county page (112 localities) in a real browser: a dashboard first, a table that keeps its bearings.

Screenshots of the page in Romanian, Hungarian and on a phone go to
``artifacts/county-page/``; the printed one-page summary to ``artifacts/print/``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from browserkit import login, run_axe
from playwright.sync_api import Browser, Page, expect

from core.testing import service_missing
from tenants.collation import sorted_by_name
from tenants.names import search_keys

OLT = "/t/olt"
COORDINATOR = "coordonator.olt@vatra.test"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _open(browser: Browser, live_server: str, viewport: dict[str, int], lang: str = "ro") -> Page:
    context = browser.new_context(base_url=live_server, viewport=viewport, locale="ro-RO",
                                  timezone_id="Europe/Bucharest")
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, COORDINATOR, lang=lang)
    return page


def _shots(artifacts: Path) -> Path:
    folder = artifacts / "county-page"
    folder.mkdir(exist_ok=True)
    return folder


def _row_names(page: Page) -> list[str]:
    return page.locator("table.county-table tbody th[scope=row] a").all_inner_texts()


def _check_sticky(page: Page) -> None:
    """Scrolled down and sideways, the header row and the locality column stay in view."""
    area = page.locator(".table-scroll")
    area.scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.querySelector('.table-scroll').getBoundingClientRect().top"
                  " + window.scrollY - 10)")
    box = area.bounding_box()
    assert box is not None
    viewport = page.viewport_size
    # the whole scroll area (and so its horizontal scrollbar) fits on the screen
    assert box["height"] <= viewport["height"], box
    area.evaluate("e => { e.scrollTop = 600; e.scrollLeft = 500; }")
    page.wait_for_timeout(100)
    assert area.evaluate("e => e.scrollTop") > 0, "the table area does not scroll"
    header = page.locator("table.county-table thead th").first.bounding_box()
    box = area.bounding_box()
    assert header is not None and abs(header["y"] - box["y"]) <= 2, (header, box)
    assert 0 <= header["y"] < viewport["height"]
    # the column header of an indicator, scrolled sideways, is still at the top
    last_header = page.locator("table.county-table thead th").last.bounding_box()
    assert abs(last_header["y"] - box["y"]) <= 2
    # the first visible row's locality name sticks to the left edge of the area
    visible = page.evaluate(
        """() => {
            const area = document.querySelector('.table-scroll').getBoundingClientRect();
            const cells = [...document.querySelectorAll('table.county-table tbody th[scope=row]')];
            const cell = cells.find(c => c.getBoundingClientRect().top > area.top + 40);
            const r = cell.getBoundingClientRect();
            return {left: r.left, areaLeft: area.left};
        }"""
    )
    assert abs(visible["left"] - visible["areaLeft"]) <= 2, visible


def test_olt_page_is_a_dashboard_with_a_table_that_keeps_header_and_names_in_view(
    browser: Browser, live_server: str, artifacts: Path, axe_source: str
) -> None:
    page = _open(browser, live_server, DESKTOP)
    page.goto(f"{OLT}/county/")
    summary = page.locator("#summary-title").bounding_box()
    table = page.locator("table.county-table").bounding_box()
    assert summary is not None and table is not None and summary["y"] < table["y"]
    expect(page.locator("#localities-title")).to_contain_text("1–50 din 112")
    assert len(_row_names(page)) == 50
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 6000, height
    # a project is a short badge, its long name in the tooltip and the legend
    badge = page.locator("table.county-table abbr.badge-project").first
    expect(badge).to_have_text(re.compile(r"^\S{1,12}$"))
    assert "Dezvoltarea serviciilor comunitare" in (badge.get_attribute("title") or "")
    page.screenshot(path=str(_shots(artifacts) / "olt-ro-1280.png"), full_page=True)
    assert not run_axe(page, axe_source)
    _check_sticky(page)
    page.screenshot(path=str(_shots(artifacts) / "olt-ro-1280-table-scrolled.png"))
    # 100 a page, then the second page with the rest
    page.goto(f"{OLT}/county/?per=100&page=2")
    assert len(_row_names(page)) == 12
    page.context.close()


def test_filters_apply_to_every_section_of_the_page(browser: Browser, live_server: str, artifacts: Path) -> None:
    page = _open(browser, live_server, DESKTOP)
    page.goto(f"{OLT}/county/")
    page.get_by_label("Localitatea").fill("Bal")
    page.get_by_role("button", name="Filtrează").click()
    page.wait_for_load_state("domcontentloaded")
    names = _row_names(page)
    assert names and all("bal" in search_keys(n)[0] for n in names), names  # Bălteni too: diacritics ignored
    n = len(names)
    expect(page.locator(".filter-note")).to_contain_text(f"{n} din cele 112")
    expect(page.locator(".key-figures div").first.locator("dd")).to_contain_text(f"{n} / 112")
    expect(page.locator("tfoot .totals th")).to_contain_text(f"Total ({n} localități)")
    # the no-plan list holds only the filtered localities
    listed = [a.text_content() for a in page.locator("ul.compliance-list li a").all()]  # inside a closed <details>
    assert set(listed) <= set(names) and listed
    # the chart's indicator is chosen with the filter kept
    page.locator("#chart").select_option("members")
    page.locator("#ranked-title ~ .filter-row button").click()
    page.wait_for_load_state("domcontentloaded")
    assert "q=Bal" in page.url and _row_names(page) == names
    # the open data (it leaves the county) ignores the filter
    with page.expect_download() as download:
        page.get_by_role("link", name="Date deschise (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert len([line for line in text.splitlines() if line.strip()]) > 100
    page.context.close()


def test_county_page_in_hungarian_and_on_a_phone(browser: Browser, live_server: str, artifacts: Path) -> None:
    page = _open(browser, live_server, DESKTOP, lang="hu")
    page.goto(f"{OLT}/county/?lang=hu")
    assert page.evaluate("document.documentElement.lang") == "hu"
    page.screenshot(path=str(_shots(artifacts) / "olt-hu-1280.png"), full_page=True)
    page.context.close()

    phone = _open(browser, live_server, PHONE)
    phone.goto(f"{OLT}/county/")
    summary = phone.locator("#summary-title").bounding_box()
    table = phone.locator("table.county-table").bounding_box()
    assert summary["y"] < table["y"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1  # no sideways page
    phone.screenshot(path=str(_shots(artifacts) / "olt-ro-phone.png"), full_page=True)
    _check_sticky(phone)
    phone.screenshot(path=str(_shots(artifacts) / "olt-ro-phone-table-scrolled.png"))
    phone.context.close()


def test_national_list_is_in_romanian_order_and_the_coordinator_sees_it(
    browser: Browser, live_server: str, artifacts: Path, axe_source: str
) -> None:
    page = _open(browser, live_server, DESKTOP)
    page.goto(f"{OLT}/county/")
    page.get_by_role("link", name="Situația națională").click()
    page.wait_for_load_state("domcontentloaded")
    names = page.locator("table.national-table tbody th[scope=row]").all_inner_texts()
    names = [re.sub(r"\s+(județul dvs\.|inactiv)\s*", " ", n).strip() for n in names]
    assert len(names) == 42
    assert names == sorted_by_name(names, str)
    assert names.index("Județul Călărași") < names.index("Județul Covasna")
    assert names.index("Județul Dâmbovița") < names.index("Județul Dolj")
    assert names.index("Județul Sălaj") < names.index("Județul Suceava")
    assert names.index("Județul Vâlcea") < names.index("Județul Vrancea")
    own = page.locator("tr.own-county th a")
    expect(own).to_have_text("Județul Olt")
    assert page.locator("text=Recalculează cifrele acum").count() == 0  # reading only
    assert not run_axe(page, axe_source)
    page.screenshot(path=str(_shots(artifacts) / "national-for-olt.png"), full_page=True)
    own.click()
    page.wait_for_url(re.compile(r"/t/olt/county/"))
    page.context.close()


def test_the_printed_summary_is_one_a4_page_with_page_number_and_date(
    browser: Browser, live_server: str, artifacts: Path, axe_source: str
) -> None:
    page = _open(browser, live_server, DESKTOP)
    page.goto(f"{OLT}/county/targets")
    expect(page.get_by_label("Consilii comunitare consultative înființate", exact=True)).to_have_value("20")  # PIN seed
    assert not run_axe(page, axe_source)
    page.screenshot(path=str(_shots(artifacts) / "olt-targets.png"), full_page=True)
    page.goto(f"{OLT}/county/summary")
    assert not run_axe(page, axe_source)
    page.emulate_media(media="print")
    folder = artifacts / "print"
    folder.mkdir(exist_ok=True)
    target = folder / "olt-summary.pdf"
    page.pdf(path=str(target), prefer_css_page_size=True, print_background=False)
    page.context.close()
    if shutil.which("pdfinfo") is None or shutil.which("pdftoppm") is None:
        service_missing("poppler-utils (pdfinfo, pdftoppm)", "is not installed; it reads the printed PDF")
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert "(A4)" in info and re.search(r"Page size:\s+59\d\.\d+ x 841", info), info  # A4 portrait
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert re.search(r"\b1\s*/\s*1\b", text), text  # the page number, "page / pages" at the foot
    assert re.search(r"Tipărit la \d", text)  # the print date
    assert "Județul Olt" in text
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(target), str(folder / "olt-summary")],
                   check=True)
