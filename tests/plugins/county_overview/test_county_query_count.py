"""The county page's cost does not grow with the number of localities (no query per locality)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from county_fakes import CountySource, add_council, make_county

from core import aggregation
from core.auth.models import Role
from core.contrib import Period
from core.db import db

SOURCE = CountySource()
pytestmark = [pytest.mark.config(VATRA_PLUGINS=["county_overview"]), pytest.mark.plugins(SOURCE)]


@pytest.fixture(autouse=True)
def _fresh_source():
    SOURCE.reset()
    yield
    SOURCE.reset()


@contextlib.contextmanager
def counting(app) -> Iterator[list[str]]:
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def _count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", _count)


def _populated_county(app, make_tenant, n: int):
    county, locs = make_county(make_tenant, n, inactive=1)
    for i, loc in enumerate(locs):
        SOURCE.values[loc.id] = {"children_identified": Decimal(i % 7), "persons_trained": Decimal(i)}
        SOURCE.status[loc.id] = {"plan_status": "endorsed" if i % 2 else "draft",
                                 "plan_endorsed_on": dt.date(2026, 2, 1) if i % 2 else None,
                                 "pin_projects": [{"title": "Proiect", "roles": [], "creates_council": True}]}
        if i % 3 == 0:
            add_council(app, loc, members=2, trained=1, meetings=(dt.date(2026, 1, 10),))
    return county


def _statements_for(app, client, path: str) -> int:
    with counting(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("page", ["/county/?year=2026", "/county/councils?year=2026",
                                  "/county/?year=2026&sort=-ind:persons_trained&q=comuna"])
def test_statement_count_is_the_same_for_5_and_50_localities(app, make_tenant, make_user, login, page):
    small = _populated_county(app, make_tenant, 5)
    large = _populated_county(app, make_tenant, 50)
    small_client = login(app.test_client(), make_user(small, Role.COUNTY_COORDINATOR))
    large_client = login(app.test_client(), make_user(large, Role.COUNTY_COORDINATOR))
    _statements_for(app, small_client, f"/t/{small.slug}{page}")  # warm-up: first request of the app

    few = _statements_for(app, small_client, f"/t/{small.slug}{page}")
    many = _statements_for(app, large_client, f"/t/{large.slug}{page}")

    assert few == many
    assert few < 40


def test_statement_count_is_constant_from_a_snapshot_too(app, make_tenant, make_user, login):
    small = _populated_county(app, make_tenant, 5)
    large = _populated_county(app, make_tenant, 50)
    with app.app_context():
        for county in (small, large):
            aggregation.refresh_county(db.session.merge(county), Period(2026))
        db.session.commit()
    small_client = login(app.test_client(), make_user(small, Role.COUNTY_COORDINATOR))
    large_client = login(app.test_client(), make_user(large, Role.COUNTY_COORDINATOR))
    _statements_for(app, small_client, f"/t/{small.slug}/county/?year=2026")
    SOURCE.value_calls.clear()

    few = _statements_for(app, small_client, f"/t/{small.slug}/county/?year=2026")
    many = _statements_for(app, large_client, f"/t/{large.slug}/county/?year=2026")

    assert few == many
    assert SOURCE.value_calls == []  # the figures came from the snapshot, not from the plugins
