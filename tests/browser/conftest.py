"""Real-browser tests: one Vatra server and one Chromium for the whole session.

The server is the real app (werkzeug in a thread, 127.0.0.1, a free port) on a
fresh SQLite file with the demo data loaded with a known password and no
``REDIS_URL`` (jobs run in-process). The browser is Debian's Chromium
(``/usr/bin/chromium``, installed by ``.ci/run`` when missing) driven by
Playwright; Playwright's own browser download is never used.

Screenshots of every step go to ``artifacts/`` at the repository root (CI keeps
them; the folder is git-ignored).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from browserkit import ARTIFACTS, AXE, DEMO_PASSWORD, ROOT, Steps
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from core.testing import service_missing

CHROMIUM = os.environ.get("VATRA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def _missing(what: str) -> None:
    """Fail under CI, skip on a developer machine without a browser."""
    service_missing(what, "is missing (.ci/run installs it)")


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app the live server serves: a fresh SQLite file with the demo data (password :data:`DEMO_PASSWORD`)."""
    from core import demo
    from core.app import create_app
    from core.db import db
    from tenants.catalog import ensure_platform

    folder = tmp_path_factory.mktemp("browser-server")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-tests-" + os.urandom(16).hex(),
            "DATABASE_URL": f"sqlite:///{folder / 'vatra.sqlite3'}",
            "VATRA_FILES": str(folder / "files"),
            "REDIS_URL": None,
            "SERVER_NAME": None,
            "LOGIN_RATE_LIMIT": "1000 per minute",  # every journey and language signs in again
        }
    )
    with app.app_context():
        db.create_all()
        ensure_platform()
        db.session.commit()
        demo.load(app, password=DEMO_PASSWORD)
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The URL of the Vatra server (werkzeug in a thread on 127.0.0.1, a free port)."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the test output
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="vatra-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session."""
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium ({CHROMIUM})")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The screenshots' folder, emptied once per session."""
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture
def context(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) pointed at the live server."""
    ctx = browser.new_context(
        base_url=live_server,
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
        locale="ro-RO",
        timezone_id="Europe/Bucharest",
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A page in a fresh profile."""
    return context.new_page()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script from the npm package (``npm ci`` when node_modules lacks it)."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            _missing("npm (to install axe-core)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True, timeout=300)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def steps(request: pytest.FixtureRequest, artifacts: Path, page: Page) -> Steps:
    """The screenshot recorder of the current test."""
    name = re.sub(r"[^a-z0-9_]+", "-", request.node.name.lower())
    return Steps(artifacts / name, page)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of this folder ``browser`` (run them alone with ``-m browser``)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
