"""Names that look like formulas stay text in the county and national Excel and CSV files."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from county_fakes import CountySource

from core import aggregation
from core.auth.models import Role
from core.contrib import Period
from core.db import db
from core.jobs import Job, JobStatus
from core.jobs.files import resolve
from core.tenancy import system_context, tenant_context
from tenants.catalog import PLATFORM_SLUG
from tenants.services import get_by_slug

SOURCE = CountySource()
pytestmark = [pytest.mark.config(VATRA_PLUGINS=["county_overview"]), pytest.mark.plugins(SOURCE)]


def _book(app, response) -> openpyxl.Workbook:
    assert response.status_code == 202, response.get_json()
    with app.app_context(), system_context():
        job = db.session.get(Job, response.get_json()["id"])
        assert job.status == JobStatus.SUCCEEDED, job.error
        return openpyxl.load_workbook(resolve(job.result_path))


def _cells(book: openpyxl.Workbook, text: str) -> list:
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == text]


def test_formula_like_names_stay_text_in_every_county_and_national_file(app, make_tenant, make_user, api_headers,
                                                                        login):
    SOURCE.reset()
    county = make_tenant("county", name="=HYPERLINK(1)")
    first = make_tenant("locality", parent=county, name="=1+1")
    second = make_tenant("locality", parent=county, name="@SUM(A1)")
    SOURCE.values = {first.id: {"persons_trained": Decimal(7)}, second.id: {"persons_trained": Decimal(9)}}
    SOURCE.status = {first.id: {"pin_projects": [{"project_id": 1, "title": "+cmd|' /C calc'!A0", "roles": []}]}}
    coordinator = make_user(county, Role.COUNTY_COORDINATOR)
    with app.app_context():
        platform = get_by_slug(PLATFORM_SLUG)
        db.session.expunge(platform)
    with app.app_context(), tenant_context(platform.id):
        aggregation.refresh_country(Period(2026))
        db.session.commit()
    operator = make_user(platform, Role.PLATFORM_ADMIN)
    client = app.test_client()

    workbook = _book(app, client.post(f"/api/v1/t/{county.slug}/county/exports", json={"page": "county", "year": 2026},
                                      headers=api_headers(coordinator, county)))
    for text in ("=1+1", "@sum(a1)", "+cmd|' /C calc'!A0"):
        found = _cells(workbook, text)
        assert found and all(c.data_type == "s" for c in found), text
    assert any(c.data_type == "n" and c.value == 16 for ws in workbook.worksheets for row in ws.iter_rows()
               for c in row)  # the total stays a number

    national = _book(app, client.post(f"/api/v1/t/{PLATFORM_SLUG}/county/national/exports",
                                      json={"page": "national", "year": 2026}, headers=api_headers(operator, platform)))
    found = _cells(national, "=hyperlink(1)")
    assert found and all(c.data_type == "s" for c in found)

    open_data = login(app.test_client(), coordinator).get(f"/t/{county.slug}/county/open-data.csv?year=2026")
    names = [r["localitate"] for r in csv.DictReader(io.StringIO(open_data.get_data(as_text=True)))]
    assert sorted(names) == ["'=1+1", "'@sum(a1)", "TOTAL"]
    national_csv = login(app.test_client(), operator).get(f"/t/{PLATFORM_SLUG}/county/national.csv?year=2026")
    assert "'=hyperlink(1)" in [r["judet"] for r in csv.DictReader(io.StringIO(national_csv.get_data(as_text=True)))]
    SOURCE.reset()
