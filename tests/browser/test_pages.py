"""The main pages in a real browser: accessibility (axe-core), languages, charts, print, keyboard, job progress."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from browserkit import Steps, login, logout, run_axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect

TS = "/t/targu-secuiesc-cv"
OLT = "/t/olt"

# (who, path): the main pages of the issue — login, dashboard, plan, values, county, councils, project, budget, audit
MAIN_PAGES = [
    (None, "/login"),
    ("asistent.tgsecuiesc@vatra.test", f"{TS}/"),
    ("asistent.tgsecuiesc@vatra.test", f"{TS}/plan/1"),
    ("asistent.tgsecuiesc@vatra.test", f"{TS}/plan/1/values"),
    ("asistent.tgsecuiesc@vatra.test", f"{TS}/council"),
    ("admin.tgsecuiesc@vatra.test", f"{TS}/audit"),
    ("coordonator.olt@vatra.test", f"{OLT}/county/"),
    ("coordonator.olt@vatra.test", f"{OLT}/county/councils"),
    ("proiect.olt@vatra.test", f"{OLT}/projects/1"),
    ("proiect.olt@vatra.test", f"{OLT}/projects/1/budget"),
    ("proiect.olt@vatra.test", f"{OLT}/projects/1/expenditures/new"),
    ("proiect.olt@vatra.test", f"{OLT}/projects/1/indicators"),
]
# a word of the main navigation (or of the login page) in each language: the page is not left in Romanian
MARKERS = {
    "ro": ("Panou", "Autentificare"),
    "hu": ("Irányítópult", "Bejelentkezés"),
    "en": ("Dashboard", "Sign in"),
}


def _with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


@pytest.mark.parametrize("lang", ["ro", "hu", "en"])
def test_main_pages_have_no_serious_accessibility_violations(
    browser: Browser, live_server: str, axe_source: str, artifacts: Path, lang: str
) -> None:
    pages: dict[str | None, Page] = {}
    contexts: list[BrowserContext] = []
    report: list[str] = []
    try:
        for who, path in MAIN_PAGES:
            if who not in pages:
                context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
                contexts.append(context)
                pages[who] = context.new_page()
                if who is not None:
                    login(pages[who], who, lang=lang)
            page = pages[who]
            response = page.goto(_with_lang(path, lang))
            assert response is not None and response.status == 200, path
            assert page.evaluate("document.documentElement.lang") == lang
            nav_word, login_word = MARKERS[lang]
            expect(page.locator("body")).to_contain_text(login_word if who is None else nav_word)
            for violation in run_axe(page, axe_source):
                nodes = "; ".join(n["target"] for n in violation["nodes"])
                report.append(f"{path} [{violation['impact']}] {violation['id']}: {violation['help']} — {nodes}")
        folder = artifacts / "accessibility"
        folder.mkdir(exist_ok=True)
        pages["proiect.olt@vatra.test"].screenshot(path=str(folder / f"budget-{lang}.png"), full_page=True)
    finally:
        for context in contexts:
            context.close()
    assert not report, "axe-core found serious or critical violations:\n" + "\n".join(report)


def test_money_and_dates_follow_the_language(page: Page) -> None:
    login(page, "proiect.olt@vatra.test")
    page.goto(f"{OLT}/projects/1?lang=ro")
    facts = page.locator("dl.facts").first
    expect(facts).to_contain_text("182.850,00 lei")
    expect(facts).to_contain_text("01.11.2008")
    page.goto(f"{OLT}/projects/1?lang=en")
    expect(facts).to_contain_text("182,850.00 lei")
    expect(facts).to_contain_text("1 Nov 2008")
    expect(page.get_by_role("heading", level=2).first).to_have_text("Spending and indicators")
    page.goto(f"{OLT}/projects/1?lang=hu")
    expect(facts).to_contain_text("182\u00a0850,00 lej")
    # the project's own content is data: it stays in the language it was written in
    expect(page.locator("h1")).to_contain_text("Dezvoltarea serviciilor comunitare")


def test_language_is_kept_on_the_account(browser: Browser, live_server: str, steps: Steps) -> None:
    for attempt in range(2):
        context = browser.new_context(base_url=live_server)
        page = context.new_page()
        steps.page = page
        login(page, "vizitator.tgsecuiesc@vatra.test")
        if attempt == 0:
            expect(page.locator("html")).to_have_attribute("lang", "ro")
            page.get_by_role("link", name=re.compile("Limba mea")).click()
            page.get_by_label("Limba paginilor").select_option("hu")
            page.get_by_role("button", name="Salvează limba").click()
            expect(page.locator(".flash-success")).to_have_text("A nyelv mentve.")
            steps.shot("language saved")
            logout(page)
        else:  # a new browser, a new sign-in: the account's language
            expect(page.locator("html")).to_have_attribute("lang", "hu")
            expect(page.get_by_role("navigation", name="Fő navigáció")).to_contain_text("Megelőzési terv")
            steps.shot("signed in again in Hungarian")
        context.close()


def test_charts_render_with_text_alternatives(page: Page, steps: Steps) -> None:
    login(page, "asistent.tgsecuiesc@vatra.test")
    page.goto(f"{TS}/plan/1")
    chart = page.locator("svg.plan-chart")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 400
    expect(chart).to_have_attribute("role", "img")
    assert "indicatori cu valori" in chart.locator("desc").text_content()
    assert page.locator("svg.plan-chart rect").count() >= 16  # a track and a bar per objective at least
    chart.scroll_into_view_if_needed()
    steps.shot("plan chart")
    logout(page)

    login(page, "proiect.olt@vatra.test")
    page.goto(f"{OLT}/projects/1")
    for selector in ("figure.chart svg[aria-labelledby='chart-title chart-desc']", "svg.indicator-chart"):
        svg = page.locator(selector)
        expect(svg).to_be_visible()
        assert svg.bounding_box()["height"] > 100
        assert svg.locator("title").first.text_content()
        assert svg.locator("desc").first.text_content()
    assert page.locator("svg.indicator-chart > rect").count() >= 2 * 9
    steps.shot("project charts")
    logout(page)

    login(page, "coordonator.olt@vatra.test")
    page.goto(f"{OLT}/county/")
    figures = page.locator("figure.chart-figure")
    expect(figures).to_have_count(3)  # plans by stage, councils and indicators vs targets (ranked: no data)
    for i in range(3):
        svg = figures.nth(i).locator("svg")
        expect(svg).to_be_visible()
        assert svg.evaluate("e => e.getAttribute('role')") == "img"
        assert svg.locator("title").first.text_content()
        expect(figures.nth(i).locator("figcaption")).not_to_be_empty()
    steps.shot("county charts")


def _pdf_text(path: Path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize(
    ("who", "path", "expected"),
    [
        ("asistent.tgsecuiesc@vatra.test", f"{TS}/plan/1", ["TÂRGU SECUIESC", "Obiective strategice", "Semnături"]),
        ("coordonator.olt@vatra.test", f"{OLT}/county/", ["Situația localităților din Județul Olt", "Total"]),
    ],
    ids=["plan", "county"],
)
def test_plan_and_county_pages_print_cleanly(
    page: Page, artifacts: Path, who: str, path: str, expected: list[str]
) -> None:
    login(page, who)
    page.goto(path)
    page.emulate_media(media="print")
    for hidden in ("nav.site-nav", "header .header-tools", "footer.site-footer", "main form"):
        assert all(not el.is_visible() for el in page.locator(hidden).all()), f"{hidden} is printed"
    expect(page.locator("main svg").first).to_be_visible()
    folder = artifacts / "print"
    folder.mkdir(exist_ok=True)
    target = folder / f"{path.strip('/').replace('/', '-')}.pdf"
    page.pdf(path=str(target), prefer_css_page_size=True, print_background=False)  # A4, the CSS @page sizes
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 1 and len(data) > 20_000
    text = _pdf_text(target)
    if text is not None:  # poppler-utils is there: read what was printed
        flat = " ".join(text.split())
        for words in expected:
            assert words in flat, f"{words!r} missing from the printed {path}"
        assert "Jurnal de audit" not in flat  # the navigation is not printed
        assert "Ieșire" not in flat


def test_keyboard_reaches_and_submits_the_login_form(page: Page, steps: Steps) -> None:
    page.goto("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    expect(page.locator(".skip-link")).to_be_in_viewport()
    focused = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        if focused[-1] == "email":
            break
    assert focused[-1] == "email", focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # a visible focus ring
    page.keyboard.type("asistent.tgsecuiesc@vatra.test")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    from browserkit import DEMO_PASSWORD

    page.keyboard.type(DEMO_PASSWORD)
    steps.shot("login by keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/t/targu-secuiesc-cv/"))
    expect(page.locator("h1")).to_contain_text("Târgu Secuiesc")


def test_a_running_job_shows_its_progress_then_its_result(page: Page, live_app: Flask, steps: Steps) -> None:
    from core.auth.models import User
    from core.db import db, utcnow
    from core.jobs import files as job_files
    from core.jobs.models import Job, JobStatus
    from core.tenancy import tenant_context
    from tenants.models import Tenant

    with live_app.app_context():
        tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == "targu-secuiesc-cv")).scalar_one()
        user = db.session.execute(sa.select(User).where(User.email == "admin.tgsecuiesc@vatra.test")).scalar_one()
        with tenant_context(tenant.id):
            job = Job(
                tenant_id=tenant.id,
                user_id=user.id,
                kind="prevention_plan.export_docx",
                queue="exports",
                status=JobStatus.RUNNING,
                params={"plan_id": 1},
                progress=40,
                message="Se scrie capitolul 3",
                attempts=1,
                max_attempts=3,
                started_at=utcnow(),
            )
            db.session.add(job)
            db.session.commit()
            job_id, tenant_id = job.id, tenant.id
        db.session.remove()

    login(page, "admin.tgsecuiesc@vatra.test")
    page.goto(f"{TS}/jobs/{job_id}")
    expect(page.locator("progress")).to_have_attribute("value", "40")
    expect(page.locator("[data-job-field=message]")).to_have_text("Se scrie capitolul 3")
    steps.shot("job running at 40 percent")

    def update(**values: object) -> None:
        with live_app.app_context(), tenant_context(tenant_id):
            db.session.execute(sa.update(Job).where(Job.id == job_id).values(**values))
            db.session.commit()
            db.session.remove()

    update(progress=75, message="Se scrie anexa")
    expect(page.locator("[data-job-field=percent]")).to_have_text("75%", timeout=10_000)
    expect(page.locator("[data-job-field=message]")).to_have_text("Se scrie anexa")
    steps.shot("job progress updated without reloading")

    with live_app.app_context():
        stored = job_files.write_atomic(job_files.job_dir(tenant_id, job_id), "plan.docx", b"PK\x03\x04 test")
        relative = stored.relative_to(job_files.files_root()).as_posix()
    update(
        status=JobStatus.SUCCEEDED,
        progress=100,
        message="Gata",
        result_path=relative,
        result_name="Planul 2026.docx",
        result_mimetype="application/octet-stream",
        result_size=12,
        finished_at=utcnow(),
    )
    link = page.get_by_role("link", name="Descarcă Planul 2026.docx")
    expect(link).to_be_visible(timeout=15_000)  # the page reloaded once by itself
    expect(page.locator("[data-job-field=status]")).to_contain_text(re.compile(r"\w"))
    steps.shot("job done with its result link")
