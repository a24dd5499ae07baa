"""Shared set-up of the PIN-project tests: a county with localities, people, a project."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from core.auth.models import Role
from core.db import db
from core.testing import api_headers, csrf_token, in_tenant, login
from plugins.pin_project import services

_numbers = itertools.count(1)
START = dt.date(2008, 11, 1)
END = dt.date(2009, 12, 31)


@dataclass
class County:
    """A county that runs projects, its localities and its people."""

    app: Flask
    county: Any
    localities: list[Any]
    coordinator: Any
    worker: Any
    viewer: Any
    other_county: Any
    stranger_locality: Any
    users: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.county.slug

    def api(self, user: Any) -> dict[str, str]:
        """Bearer-token headers for ``user`` in the county."""
        with self.app.app_context():
            return api_headers(user, self.county)

    def client(self, user: Any) -> Any:
        """A logged-in browser client for ``user``."""
        return login(self.app.test_client(), user)

    def scope(self) -> contextlib.AbstractContextManager[None]:
        return in_tenant(self.app, self.county.id)


@pytest.fixture
def olt(test_app: Flask, make_tenant: Any, make_user: Any) -> County:
    """A county with four localities, a coordinator, a social worker, a viewer; another county.

    Built in whichever app the test uses (``app`` by default, ``pg_app`` or ``any_app`` when named).
    """
    county = make_tenant("county", name="JUDEȚUL OLT", slug="olt-test")
    localities = [make_tenant(parent=county, name=f"COMUNA TEST OLT {i}") for i in range(1, 5)]
    other = make_tenant("county", name="JUDEȚUL DOLJ", slug="dolj-test")
    stranger = make_tenant(parent=other, name="COMUNA TEST DOLJ")
    coordinator = make_user(county, Role.COUNTY_COORDINATOR, name="Cora Coordonatoare")
    worker = make_user(county, Role.SOCIAL_WORKER, name="Sorin Asistent")
    viewer = make_user(county, Role.VIEWER, name="Vera Cititoare")
    return County(test_app, county, localities, coordinator, worker, viewer, other, stranger)


def make_project(place: County, *, total: str = "182850.00", lines: dict[str, str] | None = None) -> int:
    """A project of the county (PIN 2/2008 period) with the given budget lines; returns its id."""
    with place.scope():
        programme = services.create_programme(
            code=f"PIN {next(_numbers)}/2008", name="Program de test", funder_name="Finanțator", funder_acronym="F"
        )
        project = services.create_project(
            programme,
            title="Proiect de test",
            purpose="scop",
            budget_total=Decimal(total),
            start_date=START,
            end_date=END,
        )
        for category, planned in (lines or {}).items():
            services.add_budget_line(project, category=category, planned=Decimal(planned))
        db.session.commit()
        return project.id


@pytest.fixture
def project_id(olt: County) -> int:
    """A project with two lines: 100.000,00 (formare) and 50.000,00 (personal); 32.850,00 unallocated."""
    return make_project(olt, lines={"Formare": "100000.00", "Personal": "50000.00"})


def line_ids(place: County, project_id: int) -> dict[str, int]:
    """Budget line ids by category."""
    with place.scope():
        project = services.get_project(project_id)
        return {line.category: line.id for line in project.budget_lines}


def post_form(client: Any, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """POST a form with a valid CSRF token."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client)}, **kwargs)
