"""A job's result file needs the permission its content needs; a disabled plugin's jobs disappear."""

from __future__ import annotations

from decimal import Decimal

import pytest
from county_fakes import CountySource, make_county

from core.auth.models import Role
from core.db import db
from core.plugins import host
from core.tenancy import system_context

SOURCE = CountySource()
pytestmark = [pytest.mark.config(VATRA_PLUGINS=["county_overview"]), pytest.mark.plugins(SOURCE)]


@pytest.fixture
def county_export(app, make_tenant, make_user, api_headers):
    """A county whose coordinator made the county workbook (figures only county.view may see)."""
    SOURCE.reset()
    county, (a, _b) = make_county(make_tenant, 2)
    SOURCE.values = {a.id: {"children_identified": Decimal(2)}}
    coordinator = make_user(county, Role.COUNTY_COORDINATOR)
    response = app.test_client().post(f"/api/v1/t/{county.slug}/county/exports", json={"page": "county", "year": 2026},
                                      headers=api_headers(coordinator, county))
    assert response.status_code == 202
    yield county, coordinator, response.get_json()["id"]
    SOURCE.reset()


def test_a_social_worker_of_the_county_cannot_read_the_county_workbook(app, county_export, make_user, login,
                                                                     api_headers):
    county, coordinator, job_id = county_export
    worker = make_user(county, Role.SOCIAL_WORKER)  # holds jobs.view, not county.view
    page_client = login(app.test_client(), worker)
    api = app.test_client()
    headers = api_headers(worker, county)

    assert page_client.get(f"/t/{county.slug}/county/").status_code == 403  # the page is closed to her…
    assert page_client.get(f"/t/{county.slug}/jobs/{job_id}/file").status_code == 403  # …and so is its file
    assert api.get(f"/api/v1/t/{county.slug}/jobs/{job_id}/file", headers=headers).status_code == 403
    # the job is listed (it ran) but offers no file
    assert api.get(f"/api/v1/t/{county.slug}/jobs/{job_id}", headers=headers).get_json()["file"] is None
    assert [j["file"] for j in api.get(f"/api/v1/t/{county.slug}/jobs", headers=headers).get_json()] == [None]
    listing = page_client.get(f"/t/{county.slug}/jobs").get_data(as_text=True)
    detail = page_client.get(f"/t/{county.slug}/jobs/{job_id}").get_data(as_text=True)
    assert f"/jobs/{job_id}/file" not in listing and f"/jobs/{job_id}/file" not in detail

    # another coordinator of the county (county.view) reads it, on the page and through the API
    other = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    assert f"/jobs/{job_id}/file" in other.get(f"/t/{county.slug}/jobs").get_data(as_text=True)
    assert other.get(f"/t/{county.slug}/jobs/{job_id}/file").status_code == 200
    body = api.get(f"/api/v1/t/{county.slug}/jobs/{job_id}", headers=api_headers(coordinator, county)).get_json()
    assert api.get(body["file"]["url"], headers=api_headers(coordinator, county)).status_code == 200


def test_a_disabled_plugins_jobs_disappear_from_the_tenant(app, county_export, api_headers, login):
    county, coordinator, job_id = county_export
    with app.app_context(), system_context():
        host().set_enabled("county_overview", county, False)
        db.session.commit()
    client = login(app.test_client(), coordinator)
    api = app.test_client()
    headers = api_headers(coordinator, county)

    for path in (f"/t/{county.slug}/jobs/{job_id}", f"/t/{county.slug}/jobs/{job_id}/file"):
        assert client.get(path).status_code == 404, path
    for path in (f"/api/v1/t/{county.slug}/jobs/{job_id}", f"/api/v1/t/{county.slug}/jobs/{job_id}/file"):
        assert api.get(path, headers=headers).status_code == 404, path
    assert api.get(f"/api/v1/t/{county.slug}/jobs", headers=headers).get_json() == []
    assert f"/jobs/{job_id}" not in client.get(f"/t/{county.slug}/jobs").get_data(as_text=True)

    with app.app_context(), system_context():  # enabled again: the job and its file are back
        host().set_enabled("county_overview", county, True)
        db.session.commit()
    assert client.get(f"/t/{county.slug}/jobs/{job_id}/file").status_code == 200

