"""Helpers of the browser tests: screenshots of steps, signing in, the axe-core check."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
DEMO_PASSWORD = "parola-demo-browser-2026"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


class Steps:
    """Numbered screenshots of one journey: ``artifacts/<journey>/<nn>-<step>.png``."""

    def __init__(self, folder: Path, page: Page) -> None:
        self.folder = folder
        self.page = page
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True)

    def shot(self, name: str, page: Page | None = None) -> Path:
        """Save a full-page screenshot of the current state."""
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = self.folder / f"{self.count:02d}-{slug}.png"
        (page or self.page).screenshot(path=str(path), full_page=True)
        return path


def login(page: Page, email: str, password: str = DEMO_PASSWORD, lang: str | None = None) -> None:
    """Sign in through the login form like a person does."""
    page.goto("/login" + (f"?lang={lang}" if lang else ""))
    page.get_by_label(re.compile("e-mail|email", re.I)).fill(email)
    page.locator("input[type=password]").fill(password)
    page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    page.wait_for_load_state("domcontentloaded")
    if "/login" in page.url:
        raise AssertionError(f"{email} could not sign in: {page.locator('main').inner_text()}")


def logout(page: Page) -> None:
    """Sign out with the header's button."""
    page.locator("form.logout button").click()
    page.wait_for_url(re.compile(r"/login"))


def run_axe(page: Page, source: str) -> list[dict[str, Any]]:
    """The serious and critical axe-core violations of the current page."""
    # Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') stays as it is.
    page.evaluate(source + "\n;void 0")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), summary: n.failureSummary}))
            }));
        }"""
    )
    return [v for v in result if v["impact"] in {"serious", "critical"}]
