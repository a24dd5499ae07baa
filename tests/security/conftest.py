"""Fixtures of the security suite: the two-county world on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.security.world import World, build_world, sqlite_world


@pytest.fixture
def world(app: Flask, make_tenant: Any, make_user: Any, tmp_path_factory: pytest.TempPathFactory) -> World:
    """The world on SQLite (built once per test process, then copied for each test)."""
    return sqlite_world(app, make_tenant, make_user, lambda: tmp_path_factory.mktemp("world"))


@pytest.fixture
def any_world(any_app: Flask, make_tenant: Any, make_user: Any, request: pytest.FixtureRequest) -> World:
    """The world on SQLite and on PostgreSQL (with RLS, as the non-owner role)."""
    if any_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        factory = request.getfixturevalue("tmp_path_factory")
        return sqlite_world(any_app, make_tenant, make_user, lambda: factory.mktemp("world"))
    return build_world(any_app, make_tenant, make_user)


@pytest.fixture
def pg_world(pg_app: Flask, make_tenant: Any, make_user: Any) -> World:
    """The world on PostgreSQL (RLS, non-owner role, 32-bit integers, no NUL in strings)."""
    return build_world(pg_app, make_tenant, make_user)
