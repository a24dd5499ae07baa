"""Two people editing the same object: the second is told (409), nothing is overwritten silently.

Objects people edit carry a ``version`` (SQLAlchemy's ``version_id_col``):
the plan and its objectives, activities and indicators, the PIN project,
programme, budget line and activity, the council and its members. The API
takes the version read (body ``version`` or ``If-Match``), pages carry it in
a hidden field. Expenditures and indicator values are never edited in place
(a correction adds a row), so the races that matter for them are
concurrent additions: the budget rule must hold and exactly one value stays
in force.

Sequential cases (A saves, then B saves what they read before) and real
races (threads released together against PostgreSQL) are both here.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from faults_testing import in_tenant, seed_plan

from core.auth.models import Role
from core.db import db
from core.testing import csrf_token, login
from plugins.pin_project import services as pin
from plugins.prevention_plan.models import IndicatorValue, Plan
from tenants.models import Council, CouncilMember

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

CONFLICT = "modificat între timp de altcineva"


def _conflict(response: Any) -> None:
    assert response.status_code == 409, (response.status_code, response.get_json())
    body = response.get_json()
    assert body["code"] == 409 and body["status"] == "Conflict" and "modificat" in body["message"]


@pytest.fixture
def town(pg_app, make_tenant, make_user, api_headers) -> dict[str, Any]:
    """A locality with its seed plan, two social workers (A and B) with API tokens and browsers."""
    tenant = make_tenant()
    a, b = make_user(tenant, Role.SOCIAL_WORKER), make_user(tenant, Role.TENANT_ADMIN)
    return {
        "tenant": tenant,
        "plan": seed_plan(pg_app, tenant.id),
        "a": api_headers(a, tenant),
        "b": api_headers(b, tenant),
        "browser_b": login(pg_app.test_client(), b),
        "api": f"/api/v1/t/{tenant.slug}",
    }


def _project(app, county_id: int, planned: str = "100000.00") -> tuple[int, int]:
    with in_tenant(app, county_id):
        programme = pin.create_programme(code="PIN 2/2008", name="Program", funder_name="ANPDC", funder_acronym="ANPDC")
        project = pin.create_project(
            programme, title="Proiect", budget_total=Decimal("182850.00"),
            start_date=dt.date(2008, 11, 1), end_date=dt.date(2009, 12, 31),
        )
        line = pin.add_budget_line(project, category="Formare", planned=Decimal(planned))
        db.session.commit()
        return project.id, line.id


@pytest.fixture
def county(pg_app, make_tenant, make_user, api_headers) -> dict[str, Any]:
    """A county running a PIN project with one budget line; two editors."""
    tenant = make_tenant("county")
    a, b = make_user(tenant, Role.COUNTY_COORDINATOR), make_user(tenant, Role.SOCIAL_WORKER)
    project_id, line_id = _project(pg_app, tenant.id)
    return {
        "tenant": tenant,
        "project": project_id,
        "line": line_id,
        "a": api_headers(a, tenant),
        "b": api_headers(b, tenant),
        "browser_b": login(pg_app.test_client(), b),
        "api": f"/api/v1/t/{tenant.slug}/projects/{project_id}",
    }


# -- one after the other ------------------------------------------------------------------------------


def test_the_plan_sections_second_editor_gets_409_in_the_api_and_on_the_page(pg_app, town):
    client, url = pg_app.test_client(), f"{town['api']}/plans/{town['plan']['id']}"
    read = client.get(url, headers=town["b"]).get_json()
    version, introduction = read["version"], read["introduction"]

    saved = client.patch(url, json={"title": "Planul lui A", "version": version}, headers=town["a"])
    assert saved.status_code == 200 and saved.get_json()["version"] == version + 1

    _conflict(client.patch(url, json={"introduction": "Textul lui B"}, headers={**town["b"], "If-Match": str(version)}))
    _conflict(client.patch(url, json={"introduction": "Textul lui B", "version": version}, headers=town["b"]))
    missing = client.patch(url, json={"introduction": "Textul lui B"}, headers=town["b"])
    assert missing.status_code == 422 and "version" in missing.get_json()["errors"]["json"]

    browser = town["browser_b"]
    page = browser.post(
        f"/t/{town['tenant'].slug}/plan/{town['plan']['id']}/sections",
        data={"csrf_token": csrf_token(browser), "version": str(version), "title": "Titlul lui B",
              "language": "ro", "principles-0-title": "", "principles-0-text": ""},
    )
    assert page.status_code in {409, 422} and CONFLICT in page.get_data(as_text=True)

    now = client.get(url, headers=town["a"]).get_json()
    assert (now["title"], now["introduction"], now["version"]) == ("Planul lui A", introduction, version + 1)


def test_a_plan_indicator_second_editor_gets_409(pg_app, town):
    client = pg_app.test_client()
    indicator_id = town["plan"]["indicators"][0]
    url = f"{town['api']}/plans/{town['plan']['id']}/indicators/{indicator_id}"
    with in_tenant(pg_app, town["tenant"].id):
        plan = db.session.get(Plan, town["plan"]["id"])
        indicator = next(i for o in plan.objectives for a in o.activities for i in a.indicators if i.id == indicator_id)
        version, label = indicator.version, indicator.label
    saved = client.patch(url, json={"label": "Număr copii (A)", "version": version}, headers=town["a"])
    assert saved.status_code == 200 and saved.get_json()["version"] == version + 1
    _conflict(client.patch(url, json={"label": "Număr copii (B)", "version": version}, headers=town["b"]))
    with in_tenant(pg_app, town["tenant"].id):
        plan = db.session.get(Plan, town["plan"]["id"])
        labels = {i.id: i.label for o in plan.objectives for a in o.activities for i in a.indicators}
    assert labels[indicator_id] == "Număr copii (A)" != label


def test_a_pin_project_and_its_budget_line_second_editor_gets_409(pg_app, county):
    client, api = pg_app.test_client(), county["api"]
    project = client.get(api, headers=county["b"]).get_json()
    line = client.get(f"{api}/budget-lines/{county['line']}", headers=county["b"]).get_json()

    assert client.patch(api, json={"title": "Titlul lui A", "version": project["version"]},
                        headers=county["a"]).status_code == 200
    _conflict(client.patch(api, json={"title": "Titlul lui B", "version": project["version"]}, headers=county["b"]))
    _conflict(client.patch(api, json={"purpose": "Scopul lui B"},
                           headers={**county["b"], "If-Match": str(project["version"])}))
    assert client.get(api, headers=county["a"]).get_json()["title"] == "Titlul lui A"

    revised = client.post(f"{api}/budget-lines/{county['line']}/revise",
                          json={"planned": "90000.00", "reason": "A", "version": line["version"]}, headers=county["a"])
    assert revised.status_code == 200, revised.get_json()
    _conflict(client.post(f"{api}/budget-lines/{county['line']}/revise",
                          json={"planned": "120000.00", "reason": "B", "version": line["version"]},
                          headers=county["b"]))
    _conflict(client.patch(f"{api}/budget-lines/{county['line']}",
                           json={"category": "Categoria lui B", "version": line["version"]}, headers=county["b"]))

    browser = county["browser_b"]  # B's budget page was open with the old version in the revise form
    page = browser.post(
        f"/t/{county['tenant'].slug}/projects/{county['project']}/budget-lines/{county['line']}/revise",
        data={"csrf_token": csrf_token(browser), f"l{county['line']}-planned": "120000,00",
              f"l{county['line']}-reason": "B", f"l{county['line']}-version": str(line["version"])},
    )
    assert page.status_code == 409 and CONFLICT in page.get_data(as_text=True)
    now = client.get(f"{api}/budget-lines/{county['line']}", headers=county["a"]).get_json()
    assert (Decimal(now["planned"]), now["category"]) == (Decimal("90000.00"), "Formare")


def test_the_council_and_a_member_second_editor_gets_409(pg_app, town):
    client, api = pg_app.test_client(), f"{town['api']}/council"
    created = client.put(api, json={"name": "Consiliul Comunitar Consultativ"}, headers=town["a"])
    assert created.status_code == 200 and created.get_json()["version"] == 1
    member = client.post(f"{api}/members", json={"name": "Ana Pop", "role": "presedinte"}, headers=town["a"])
    assert member.status_code == 201
    member_id, member_version = member.get_json()["id"], member.get_json()["version"]

    assert client.put(api, json={"name": "Consiliul Comunitar Consultativ", "notes": "A", "version": 1},
                      headers=town["a"]).get_json()["version"] == 2
    _conflict(client.put(api, json={"name": "Consiliul lui B", "version": 1}, headers=town["b"]))
    _conflict(client.put(api, json={"name": "Consiliul lui B"}, headers={**town["b"], "If-Match": '"1"'}))

    assert client.put(f"{api}/members/{member_id}", json={"name": "Ana Pop", "role": "presedinte",
                      "function": "primar", "version": member_version}, headers=town["a"]).status_code == 200
    _conflict(client.put(f"{api}/members/{member_id}", json={"name": "Ana Pop-B", "version": member_version},
                         headers=town["b"]))

    browser, slug = town["browser_b"], town["tenant"].slug
    page = browser.post(f"/t/{slug}/council/edit", data={"csrf_token": csrf_token(browser), "version": "1",
                                                           "name": "Consiliul lui B"})
    assert page.status_code == 409 and CONFLICT in page.get_data(as_text=True)
    page = browser.post(f"/t/{slug}/council/members/{member_id}/edit",
                        data={"csrf_token": csrf_token(browser), "version": str(member_version),
                              "name": "Ana Pop-B", "role": "membru"})
    assert page.status_code == 409 and CONFLICT in page.get_data(as_text=True)
    form = browser.get(f"/t/{slug}/council/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="2"' in form or 'type="hidden" name="version" value="2"' in form

    with in_tenant(pg_app, town["tenant"].id):
        council = db.session.scalars(sa.select(Council)).one()
        person = db.session.get(CouncilMember, member_id)
        assert (council.name, council.notes, council.version) == ("Consiliul Comunitar Consultativ", "A", 2)
        assert (person.name, person.function, person.role.value) == ("Ana Pop", "primar", "presedinte")


# -- at the same time (PostgreSQL) ---------------------------------------------------------------------


def _race(app, requests: list[tuple[str, str, dict[str, Any], dict[str, str]]]) -> list[tuple[int, Any]]:
    """Send the requests from as many threads, released together; their (status, body) in order."""
    barrier = threading.Barrier(len(requests))
    answers: list[tuple[int, Any]] = [(0, None)] * len(requests)

    def send(i: int, method: str, url: str, body: dict[str, Any], headers: dict[str, str]) -> None:
        client = app.test_client()
        barrier.wait(timeout=30)
        response = client.open(url, method=method, json=body, headers=headers)
        answers[i] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=send, args=(i, *r), daemon=True) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return answers


def test_six_people_saving_the_plan_at_once_one_wins_the_others_get_409(pg_app, town):
    url = f"{town['api']}/plans/{town['plan']['id']}"
    version = town["plan"]["version"]
    requests = [
        ("PATCH", url, {"title": f"Titlul {i}", "principles": [{"title": f"Principiul {i}", "text": "t"}],
                        "version": version}, town["a" if i % 2 else "b"])
        for i in range(6)
    ]
    answers = _race(pg_app, requests)
    statuses = Counter(status for status, _ in answers)
    assert statuses == {200: 1, 409: 5}, answers
    winner = next(body for status, body in answers if status == 200)
    now = pg_app.test_client().get(url, headers=town["a"]).get_json()
    assert now["title"] == winner["title"] and now["version"] == winner["version"] > version
    assert [p["title"] for p in now["principles"]] == [winner["title"].replace("Titlul", "Principiul")]


def test_expenditures_recorded_at_once_never_overspend_their_line(pg_app, make_tenant, make_user, api_headers):
    county = make_tenant("county")
    project_id, line_id = _project(pg_app, county.id, planned="100.00")
    headers = [api_headers(make_user(county, Role.SOCIAL_WORKER), county) for _ in range(2)]
    url = f"/api/v1/t/{county.slug}/projects/{project_id}/expenditures"
    requests = [
        ("POST", url, {"budget_line_id": line_id, "date": "2009-05-04", "amount": "30.00",
                       "document_number": f"F-{i}"}, headers[i % 2])
        for i in range(8)
    ]
    answers = _race(pg_app, requests)
    statuses = Counter(status for status, _ in answers)
    assert statuses == {201: 3, 422: 5}, answers
    for status, body in answers:
        if status == 422:
            assert "amount" in body["errors"]["json"]
    with in_tenant(pg_app, county.id):
        spent = pin.spent_by_line(pin.get_project(project_id))[line_id]
    assert spent == Decimal("90.00")


def test_values_recorded_at_once_for_one_indicator_leave_one_in_force(pg_app, town):
    indicator_id = town["plan"]["indicators"][0]
    url = f"{town['api']}/plans/{town['plan']['id']}/values"
    requests = [
        ("POST", url, {"year": 2026, "quarter": 2, "values": [{"indicator_id": indicator_id, "value": str(10 + i)}]},
         town["a" if i % 2 else "b"])
        for i in range(6)
    ]
    answers = _race(pg_app, requests)
    statuses = Counter(status for status, _ in answers)
    assert set(statuses) <= {201, 409} and statuses[201] >= 1, answers
    for status, body in answers:
        if status == 409:
            assert body["code"] == 409 and body["message"]
    acknowledged = {Decimal(body[0]["value"]) for status, body in answers if status == 201}
    with in_tenant(pg_app, town["tenant"].id):
        rows = db.session.scalars(
            sa.select(IndicatorValue).where(IndicatorValue.indicator_id == indicator_id, IndicatorValue.quarter == 2)
        ).all()
    assert {r.value for r in rows} == acknowledged, "every acknowledged value is kept, and only those"
    assert len([r for r in rows if not r.superseded]) == 1, "exactly one value in force"
