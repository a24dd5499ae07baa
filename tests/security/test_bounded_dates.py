"""Dates and years are bounded: documents 2000-01-01 … today; plan and report years 2020 … this year + 5.

Before, a plan for the year 2100 or an aviz dated 1900 (or next year) was
accepted, and far dates overflowed the date arithmetic into a 500.
"""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth.models import Role
from core.bounds import EARLIEST_DATE, FIRST_YEAR, document_range, today, year_range
from core.testing import api_headers, csrf_token, login
from tests.security.world import World, changed_tables, snapshot


def test_the_bounds_follow_the_calendar() -> None:
    assert year_range() == (FIRST_YEAR, today().year + 5) == (2020, today().year + 5)
    assert document_range() == (EARLIEST_DATE, today())


@pytest.mark.parametrize(
    ("year", "lang", "message"),
    [
        (2019, "ro", "Anul trebuie să fie între 2020 și {last}."),
        ("last+1", "hu", "Az évnek 2020 és {last} között kell lennie."),
        (2100, "en", "The year must be between 2020 and {last}."),
    ],
)
def test_a_plan_year_out_of_range_is_422_in_the_readers_language(world: World, year, lang, message) -> None:
    tenant = world.a2
    last = year_range()[1]
    year = last + 1 if year == "last+1" else year
    client = world.app.test_client()
    with world.app.app_context():
        headers = {**api_headers(world.user(tenant, Role.SOCIAL_WORKER), tenant), "Accept-Language": lang}
    before = snapshot(world.app, [tenant.id], audit=False)
    answer = client.post(f"/api/v1/t/{tenant.slug}/plans/?lang={lang}", json={"year": year}, headers=headers)
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["json"]["year"] == [message.format(last=last)]
    assert changed_tables(before, snapshot(world.app, [tenant.id], audit=False)) == []


def test_a_plan_year_out_of_range_is_a_form_error(world: World) -> None:
    tenant = world.a2
    client = login(world.app.test_client(), world.user(tenant, Role.SOCIAL_WORKER))
    answer = client.post(
        f"/t/{tenant.slug}/plan/",
        data={"year": "2019", "template": "builtin", "csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 422
    assert f"Anul trebuie să fie între 2020 și {year_range()[1]}." in answer.get_data(as_text=True)


@pytest.mark.parametrize("day", ["1999-12-31", "tomorrow"])
def test_a_document_date_outside_2000_to_today_is_422(world: World, day: str) -> None:
    county = world.county_a
    ids = world.objects[county.id]
    if day == "tomorrow":
        day = (today() + dt.timedelta(days=1)).isoformat()
    client = world.app.test_client()
    with world.app.app_context():
        headers = api_headers(world.user(county, Role.COUNTY_COORDINATOR), county)
    before = snapshot(world.app, [county.id], audit=False)
    answer = client.post(
        f"/api/v1/t/{county.slug}/projects/{ids['pin_project']}/expenditures",
        json={"budget_line_id": ids["pin_budget_line"], "date": day, "amount": "10.00"},
        headers=headers,
    )
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["errors"]["json"]["date"] == [
        f"Data trebuie să fie între 01.01.2000 și {today():%d.%m.%Y}."
    ]
    assert changed_tables(before, snapshot(world.app, [county.id], audit=False)) == []


def test_a_council_training_dated_next_year_is_a_form_error(world: World) -> None:
    tenant = world.a1
    client = login(world.app.test_client(), world.user(tenant, Role.TENANT_ADMIN))
    answer = client.post(
        f"/t/{tenant.slug}/council/edit",
        data={"name": "CCC", "trained_on": f"{today().year + 1}-01-10", "csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 422
    assert "Data trebuie să fie între 01.01.2000" in answer.get_data(as_text=True)
