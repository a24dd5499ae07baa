"""Only the project's owner county, or the locality itself, puts figures in a locality's name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.auth.models import Role
from core.db import db
from core.testing import api_headers, csrf_token, login
from plugins.pin_project import models, services

from .conftest import END, START, in_tenant


@pytest.fixture
def town_project(olt, make_user):  # type: ignore[no-untyped-def]
    """A project run by locality A of Olt, with an indicator that adds up in the county's figures."""
    a, b = olt.localities[0], olt.localities[1]
    with in_tenant(olt.app, a.id):
        programme = services.create_programme(code="PIN 9/2009", name="Program", funder_name="F")
        project = services.create_project(programme, title="Proiectul orașului A", budget_total=Decimal(1000),
                                          start_date=START, end_date=END)
        indicator = services.add_indicator(services.add_result(project, "r"), label="persoane formate",
                                           code="persons_trained", unit="persoane", target=100)
        db.session.commit()
        ids = project.id, indicator.id
    worker = make_user(a, Role.SOCIAL_WORKER)
    return a, b, worker, ids


def _link_directly(app, a, b, project_id):  # type: ignore[no-untyped-def]
    """B linked the way older code allowed (the rule is also enforced where figures are read)."""
    with in_tenant(app, a.id):
        db.session.add(models.ProjectLocality(project_id=project_id, locality_tenant_id=b.id, position=9))
        db.session.commit()


def test_a_locality_cannot_link_another_locality_through_the_api(app, olt, town_project):
    a, b, worker, (project_id, _indicator_id) = town_project
    client = app.test_client()
    url = f"/api/v1/t/{a.slug}/projects/{project_id}/localities"
    with app.app_context():
        headers = api_headers(worker, a)

    refused = client.post(url, json={"locality_tenant_id": b.id}, headers=headers)

    assert refused.status_code == 422
    assert "locality_tenant_id" in refused.get_json()["errors"]["json"]
    assert client.get(url, headers=headers).get_json() == []
    assert client.post(url, json={"locality_tenant_id": a.id}, headers=headers).status_code == 201  # itself: yes


def test_a_locality_cannot_attribute_progress_to_another_through_the_api_or_the_page(app, olt, town_project):
    a, b, worker, (project_id, indicator_id) = town_project
    _link_directly(app, a, b, project_id)
    client = app.test_client()
    with app.app_context():
        headers = api_headers(worker, a)

    refused = client.post(f"/api/v1/t/{a.slug}/projects/{project_id}/indicators/{indicator_id}/progress",
                          json={"date": "2009-03-01", "value": 30, "locality_tenant_id": b.id}, headers=headers)
    assert refused.status_code == 422
    assert "locality_tenant_id" in refused.get_json()["errors"]["json"]

    page = login(app.test_client(), worker)
    html = page.get(f"/t/{a.slug}/projects/{project_id}/indicators").get_data(as_text=True)
    assert f'value="{b.id}"' not in html  # not offered
    posted = page.post(
        f"/t/{a.slug}/projects/{project_id}/indicators/{indicator_id}/progress",
        data={"csrf_token": csrf_token(page), f"i{indicator_id}-date": "2009-03-01", f"i{indicator_id}-value": "30",
              f"i{indicator_id}-locality_tenant_id": str(b.id)},
    )
    assert posted.status_code == 422
    with in_tenant(app, a.id):
        assert db.session.execute(sa.select(sa.func.count(models.ProgressEntry.id))).scalar_one() == 0


def test_figures_a_locality_put_in_anothers_name_never_reach_the_county(app, olt, town_project):
    a, b, _worker, (project_id, indicator_id) = town_project
    _link_directly(app, a, b, project_id)
    with in_tenant(app, a.id):  # rows older code let through
        for who, value in ((b.id, 30), (a.id, 7)):
            db.session.add(models.ProgressEntry(indicator_id=indicator_id, entry_date=dt.date(2009, 3, 1),
                                                value=Decimal(value), locality_tenant_id=who,
                                                recorded_at=dt.datetime(2009, 3, 1, tzinfo=dt.UTC)))
        db.session.commit()
    coordinator = login(app.test_client(), olt.coordinator)

    rows = coordinator.get(f"/api/v1/t/{olt.slug}/county/?year=2009").get_json()["rows"]

    by_slug = {r["slug"]: r for r in rows}
    assert by_slug[a.slug]["indicators"].get("persons_trained") == "7"  # its own figure counts
    assert by_slug[b.slug]["indicators"].get("persons_trained") in (None, "", "0")
    assert by_slug[b.slug]["projects"] == []  # nor does B appear in A's project
    html = coordinator.get(f"/t/{olt.slug}/county/?year=2009").get_data(as_text=True)
    assert ">7<" in html and ">30<" not in html and ">37<" not in html
