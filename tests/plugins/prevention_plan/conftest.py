"""Shared set-up of the prevention-plan tests: Târgu Secuiesc with its seed plan, its people, another tenant."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from core import tenancy
from core.auth.models import Role
from core.contrib import DemoContext
from core.db import db
from core.testing import api_headers, csrf_token, in_tenant, login
from core.text import normalise_whitespace
from plugins.prevention_plan import demo, exports, services
from plugins.prevention_plan.models import Plan

SIRUTA = 63740
SEED_DIR = Path(__file__).resolve().parents[3] / "plugins" / "prevention_plan" / "demo"
PLAN_SEED = SEED_DIR / "seed_plan_targu_secuiesc_2026.txt"
PAGE_HEADER = "PRIMĂRIA MUN. TÂRGU SECUIESC \u2013 DIRECTIA DE ASISTENȚĂ SOCIALĂ"


def seed_text() -> str:
    """The seed document, byte for byte as shared."""
    return PLAN_SEED.read_text(encoding="utf-8")


def norm(text: str) -> str:
    """Seed text compared as the acceptance asks: markdown emphasis removed, whitespace normalised."""
    return normalise_whitespace(text.replace("**", "").replace("*", ""))


def seed_table_rows() -> list[list[str]]:
    """The seed's table: one list of four normalised cells per activity row (page headers left out)."""
    lines = seed_text().split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Obiective strategice\t"))
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("---"):
            break
        if line.strip() and line.strip() != PAGE_HEADER:
            rows.append([norm(cell) for cell in line.split("\t")])
    return rows


def demo_context(tenants: list[Any], users: dict[str, Any] | None = None) -> DemoContext:
    """What the core's demo loader passes to ``vatra_load_demo``."""
    return DemoContext(tenants={t.slug: t for t in tenants}, users=users or {}, enter=tenancy.tenant_context)


@dataclass
class Town:
    """Târgu Secuiesc with the seed plan loaded, its people by role and a stranger tenant."""

    app: Flask
    tenant: Any
    county: Any
    other: Any
    plan_id: int
    make_user: Callable[..., Any]
    users: dict[Role, Any] = field(default_factory=dict)

    def user(self, role: Role = Role.SOCIAL_WORKER) -> Any:
        """A user with ``role`` in the town (a county coordinator belongs to the county), made once."""
        if role not in self.users:
            where = self.county if role == Role.COUNTY_COORDINATOR else self.tenant
            self.users[role] = self.make_user(where, role)
        return self.users[role]

    @property
    def slug(self) -> str:
        return self.tenant.slug

    def scope(self) -> contextlib.AbstractContextManager[None]:
        return in_tenant(self.app, self.tenant.id)

    def client(self, role: Role = Role.SOCIAL_WORKER) -> FlaskClient:
        return login(self.app.test_client(), self.user(role))

    def api(self, role: Role = Role.SOCIAL_WORKER) -> dict[str, str]:
        user = self.user(role)
        with self.app.app_context():
            return api_headers(user, self.tenant)

    def url(self, path: str = "") -> str:
        return f"/api/v1/t/{self.slug}/plans{path}"

    def page(self, path: str = "") -> str:
        return f"/t/{self.slug}/plan{path}"

    def plan(self, plan_id: int | None = None) -> Plan:
        """The plan (default: the seed's), loaded with its tree — call inside :meth:`scope`."""
        return services.get_plan(plan_id or self.plan_id, tree=True)


def load_seed_town(app: Flask, make_tenant: Callable[..., Any], make_user: Callable[..., Any]) -> Town:
    county = make_tenant("county", name="JUDEȚUL COVASNA", siruta=145)
    tenant = make_tenant(parent=county, name="MUNICIPIUL TÂRGU SECUIESC", siruta=SIRUTA)
    other = make_tenant(parent=county, name="COMUNA TEST ALTA")
    with app.app_context(), tenancy.system_context():
        plan = demo.load(demo_context([county, tenant, other]))
        assert plan is not None
        plan_id = plan.id
        db.session.commit()
    return Town(app, tenant, county, other, plan_id, make_user)


@pytest.fixture
def town(app: Flask, make_tenant: Any, make_user: Any) -> Town:
    """Târgu Secuiesc (SQLite) with the seed plan endorsed by its council."""
    return load_seed_town(app, make_tenant, make_user)


@pytest.fixture
def pg_town(pg_app: Flask, make_tenant: Any, make_user: Any) -> Town:
    """The same on PostgreSQL with Row-Level Security."""
    return load_seed_town(pg_app, make_tenant, make_user)


def post_form(client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST a form with a valid CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client)}, **kwargs)


def values_export(town: Town) -> bytes:
    """The seed plan's values workbook, as the platform exports it."""
    with town.scope():
        return exports.values_xlsx(town.plan())


def edited_export(data: bytes, changes: dict[tuple[int, str], object]) -> bytes:
    """``data`` with cells changed: ``{(row, column header): value}`` on the values sheet."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[exports.SHEET]
    header = [c.value for c in ws[1]]
    for (row, column), value in changes.items():
        ws.cell(row=row, column=header.index(column) + 1).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
