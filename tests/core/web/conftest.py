"""Shared set-up of the web shell's tests: a county, one of its localities, people in them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from core.auth.models import Role
from core.testing import csrf_token, login

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@dataclass
class Place:
    """A county, a locality in it, and an administrator of the locality."""

    county: Any
    locality: Any
    admin: Any


@pytest.fixture
def place(make_tenant, make_user) -> Place:
    county = make_tenant("county", name="JUDEȚUL COVASNA", slug="covasna")
    locality = make_tenant(parent=county, name="MUNICIPIUL TÂRGU SECUIESC", slug="targu-secuiesc")
    admin = make_user(locality, Role.TENANT_ADMIN, name="Ana Admin")
    return Place(county, locality, admin)


@pytest.fixture
def admin_client(app, place) -> FlaskClient:
    """A client logged in as the locality's administrator."""
    return login(app.test_client(), place.admin)


@pytest.fixture(name="post_form")
def post_form_fixture() -> Any:
    """The :func:`post_form` helper."""
    return post_form


@pytest.fixture(name="page_csrf")
def page_csrf_fixture() -> Any:
    """The :func:`page_csrf` helper."""
    return page_csrf


def page_csrf(client: FlaskClient, url: str) -> str:
    """The CSRF token printed in the form of the page at ``url`` (as a browser would send it)."""
    html = client.get(url).get_data(as_text=True)
    found = CSRF_INPUT.search(html)
    assert found, f"no CSRF token on {url}"
    return found.group(1) or found.group(2)


def post_form(client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST a form with a valid CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client)}, **kwargs)
