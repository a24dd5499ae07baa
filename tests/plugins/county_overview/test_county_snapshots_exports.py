"""Snapshots shown on the pages, the API, the Excel exports (jobs) and the suppressed open data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import replace
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa
from county_fakes import CountySource, add_council, make_county

from core import aggregation
from core.aggregation_models import AggSnapshot
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


@pytest.fixture(autouse=True)
def _fresh_source():
    SOURCE.reset()
    yield
    SOURCE.reset()


def _job(app, job_id: int) -> Job:
    with app.app_context(), system_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def county_of(app, locality):
    """The county of ``locality``, detached."""
    with app.app_context(), system_context():
        county = db.session.get(type(locality), locality.parent_id)
        db.session.expunge(county)
        return county


def _publish(app, year: int = 2026) -> None:
    """The national refresh of the day: the snapshot whose figures leave the counties."""
    with app.app_context():
        platform = get_by_slug(PLATFORM_SLUG)
        with tenant_context(platform.id):
            aggregation.refresh_country(Period(year))
            db.session.commit()


def _next_day(app) -> None:
    """Every snapshot a day older: the next refresh is the first of its day (published)."""
    with app.app_context(), system_context():
        for snapshot in db.session.execute(sa.select(AggSnapshot)).scalars():
            snapshot.computed_at -= dt.timedelta(days=1)
        db.session.commit()


def _platform_admin(app, make_user, login):
    with app.app_context():
        platform = get_by_slug(PLATFORM_SLUG)
        db.session.expunge(platform)
    return platform, login(app.test_client(), make_user(platform, Role.PLATFORM_ADMIN))


def test_refresh_job_then_the_page_shows_when_the_figures_were_computed(app, make_tenant, make_user, login,
                                                                         csrf_token):
    county, (a, _b) = make_county(make_tenant, 2)
    SOURCE.values = {a.id: {"persons_trained": Decimal(11)}}
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    assert "Cifre calculate acum" in client.get(f"/t/{county.slug}/county/?year=2026").get_data(as_text=True)

    response = client.post(f"/t/{county.slug}/county/refresh", data={"csrf_token": csrf_token(client), "year": "2026"})

    assert response.status_code == 302
    SOURCE.values = {a.id: {"persons_trained": Decimal(99)}}  # changed after the snapshot: the page keeps the snapshot
    html = client.get(f"/t/{county.slug}/county/?year=2026").get_data(as_text=True)
    assert "Cifre calculate la" in html and "Cifre calculate acum" not in html
    assert ">11<" in html and ">99<" not in html
    api = client.get(f"/api/v1/t/{county.slug}/county/?year=2026").get_json()
    assert api["live"] is False and api["computed_at"].endswith("+00:00")


def test_a_county_snapshot_carries_the_whole_page_of_its_moment(app, make_tenant, make_user, login):
    county, (a, b) = make_county(make_tenant, 2)
    SOURCE.values = {a.id: {"persons_trained": Decimal(11)}}
    SOURCE.status = {a.id: {"plan_status": "endorsed", "plan_endorsed_on": dt.date(2026, 3, 1)}}
    add_council(app, b, members=4, trained=1, meetings=(dt.date(2026, 2, 2),))
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    live = client.get(f"/api/v1/t/{county.slug}/county/?year=2026").get_json()
    with app.app_context(), tenant_context(county.id):
        aggregation.refresh_county(get_by_slug(county.slug), Period(2026))
        db.session.commit()
    SOURCE.status = {b.id: {"plan_status": "endorsed"}}  # b got its aviz after the refresh
    SOURCE.value_calls.clear()
    SOURCE.status_calls.clear()

    stored = client.get(f"/api/v1/t/{county.slug}/county/?year=2026").get_json()

    assert SOURCE.value_calls == [] and SOURCE.status_calls == []  # one row read, nothing recomputed
    assert stored["live"] is False
    assert stored["rows"] == live["rows"] and stored["totals"] == live["totals"]  # the moment of the refresh
    html = client.get(f"/t/{county.slug}/county/?year=2026&sort=-ind:persons_trained").get_data(as_text=True)
    assert ">11<" in html and "Cifre calculate la" in html
    # the drill-down reads the locality now; the next refresh brings the county page up to date
    assert "avizat" in client.get(f"/t/{county.slug}/county/locality/{b.slug}?year=2026").get_data(as_text=True)
    with app.app_context(), tenant_context(county.id):
        aggregation.refresh_county(get_by_slug(county.slug), Period(2026))
        db.session.commit()
    rows = client.get(f"/api/v1/t/{county.slug}/county/?year=2026").get_json()["rows"]
    assert {r["slug"]: r["plan_status"] for r in rows} == {a.slug: "none", b.slug: "endorsed"}


def test_api_mirrors_the_county_page_and_names_a_bad_argument(app, make_tenant, make_user, api_headers):
    county, (a, b, c) = make_county(make_tenant, 3)
    SOURCE.values = {a.id: {"children_identified": Decimal(2), "persons_trained": Decimal(4)},
                     b.id: {"persons_trained": Decimal(6)}}
    SOURCE.status = {a.id: {"plan_status": "endorsed", "plan_endorsed_on": dt.date(2026, 3, 1)}}
    add_council(app, b, members=5, trained=5)
    user = make_user(county, Role.COUNTY_COORDINATOR)
    headers = api_headers(user, county)
    client = app.test_client()

    url = f"/api/v1/t/{county.slug}/county/?year=2026&sort=-ind:persons_trained"
    body = client.get(url, headers=headers).get_json()
    assert [r["slug"] for r in body["rows"]] == [b.slug, a.slug, c.slug]
    assert body["totals"]["indicators"]["persons_trained"] == "10"
    assert body["totals"]["members_trained"] == 5 and body["totals"]["endorsed"] == 1
    assert body["rows"][1]["indicators"]["children_identified"] == "2"  # internal: real numbers

    bad = client.get(f"/api/v1/t/{county.slug}/county/?sort=nimic", headers=headers)
    assert bad.status_code == 422 and "sort" in bad.get_json()["errors"]["query"]
    bad = client.get(f"/api/v1/t/{county.slug}/county/?status=gata", headers=headers)
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]["query"]

    compliance = client.get(f"/api/v1/t/{county.slug}/county/compliance?year=2026&by=2026-03-01",
                            headers=headers).get_json()
    assert {r["slug"] for r in compliance["localities"]} == {b.slug, c.slug}
    assert compliance["live"] is True and compliance["computed_at"] is None  # no snapshot yet: read now
    councils = client.get(f"/api/v1/t/{county.slug}/county/councils?year=2026", headers=headers).get_json()
    assert [r["slug"] for r in councils["rows"]] == [b.slug]
    assert {p["key"]: p["value"] for p in councils["progress"]} == {"councils": 1, "councils_trained": 0,
                                                                   "members_trained": 5}
    detail = client.get(f"/api/v1/t/{county.slug}/county/localities/{a.slug}?year=2026", headers=headers).get_json()
    assert detail["statuses"]["plan_endorsed_on"] == "2026-03-01" and detail["live"] is True

    bad = client.post(f"/api/v1/t/{county.slug}/county/exports", json={"page": "pagina"}, headers=headers)
    assert bad.status_code == 422 and "page" in bad.get_json()["errors"]["json"]


def test_excel_exports_are_jobs_with_real_numbers_for_the_county(app, make_tenant, make_user, api_headers):
    county, (a, b) = make_county(make_tenant, 2)
    SOURCE.values = {a.id: {"children_identified": Decimal(2), "persons_trained": Decimal(4)}}
    add_council(app, a, members=3, trained=2)
    user = make_user(county, Role.COUNTY_COORDINATOR)
    client = app.test_client()

    response = client.post(f"/api/v1/t/{county.slug}/county/exports",
                           json={"page": "county", "year": 2026, "by": "2026-06-30"},
                           headers=api_headers(user, county))

    assert response.status_code == 202
    job = _job(app, response.get_json()["id"])
    assert job.status == JobStatus.SUCCEEDED, job.error
    with app.app_context():
        book = openpyxl.load_workbook(resolve(job.result_path))
    sheet = book["Localități"]
    header = [c.value for c in sheet[4]]
    rows = {r[0]: dict(zip(header, r, strict=False)) for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows[a.display_name]["Copii identificați"] == 2  # internal: the real small count
    assert rows[a.display_name]["Membri instruiți"] == 2
    assert rows["TOTAL"]["Persoane formate"] == 4
    assert {r[0] for r in book["Conformitate"].iter_rows(min_row=5, values_only=True)} == {a.display_name,
                                                                                         b.display_name}

    councils = client.post(f"/api/v1/t/{county.slug}/county/exports", json={"page": "councils", "year": 2026},
                           headers=api_headers(user, county))
    job = _job(app, councils.get_json()["id"])
    assert job.status == JobStatus.SUCCEEDED, job.error
    with app.app_context():
        book = openpyxl.load_workbook(resolve(job.result_path))
    assert [r[0] for r in book["Consilii"].iter_rows(min_row=5, values_only=True)] == [a.display_name]


def test_open_data_csv_hides_small_counts_and_what_would_reveal_them(app, make_tenant, make_user, login):
    county, locs = make_county(make_tenant, 4)
    figures = [3, 0, 12, 7]  # 3 is small; with the total 22 known, 7 (the smallest ≥ 5) is hidden too
    SOURCE.values = {t.id: {"children_identified": Decimal(v), "persons_trained": Decimal(1)} for t, v in
                     zip(locs, figures, strict=True)}
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    _publish(app)

    response = client.get(f"/t/{county.slug}/county/open-data.csv?year=2026")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_name = {r["localitate"]: r for r in rows}
    column = {t.display_name: by_name[t.display_name]["children_identified"] for t in locs}
    assert column == {locs[0].display_name: "<5", locs[1].display_name: "0", locs[2].display_name: "12",
                      locs[3].display_name: "x"}
    assert by_name["TOTAL"]["children_identified"] == "22"
    assert by_name["TOTAL"]["persons_trained"] == "4"  # not about children: never suppressed
    assert all(by_name[t.display_name]["persons_trained"] == "1" for t in locs)
    # the page itself (internal) shows the real numbers
    assert ">3<" in client.get(f"/t/{county.slug}/county/?year=2026").get_data(as_text=True)


@pytest.fixture
def two_counties(make_tenant):
    """Olt (a locality with 1 child, another with 5, the first one's plan endorsed) and Covasna (40)."""
    _olt, (o1, o2) = make_county(make_tenant, 2, name="JUDEȚUL OLT")
    _covasna, (c1,) = make_county(make_tenant, 1, name="JUDEȚUL COVASNA")
    SOURCE.values = {o1.id: {"children_identified": Decimal(1)}, o2.id: {"children_identified": Decimal(5)},
                     c1.id: {"children_identified": Decimal(40)}}
    SOURCE.status = {o1.id: {"plan_status": "endorsed", "plan_endorsed_on": dt.date(2026, 1, 1)}}
    return o1, o2, c1


@pytest.mark.usefixtures("two_counties")
def test_national_page_puts_counties_side_by_side_suppressed(app, make_user, login):
    _platform, client = _platform_admin(app, make_user, login)
    _publish(app)

    html = client.get(f"/t/{PLATFORM_SLUG}/county/national?year=2026").get_data(as_text=True)
    assert "Județul Olt" in html and "Județul Covasna" in html
    figures = re.findall(r'<td class="number">(.*?)</td>', html.split("<tbody>", 1)[1], re.S)
    assert figures and all(re.sub(r"<[^>]+>", "", f).strip() not in {"1", "2", "3", "4"} for f in figures)

    data = client.get(f"/t/{PLATFORM_SLUG}/county/national.csv?year=2026").get_data(as_text=True)
    rows = {r["judet"]: r for r in csv.DictReader(io.StringIO(data))}
    # Olt's own open data must hide its total (1 + 5 = 6: hiding the 5 would still pin the 1), so the national
    # table does too, and then the country's total, which would give Olt's back (46 - 40)
    assert rows["Județul Olt"]["children_identified"] == "x"
    assert rows["Județul Covasna"]["children_identified"] == "40"
    assert rows["TOTAL"]["children_identified"] == "x"
    assert rows["Județul Olt"]["planuri_avizate"] == "1"
    api = client.get(f"/api/v1/t/{PLATFORM_SLUG}/county/national?year=2026").get_json()
    assert {line["name"]: line["figures"]["children_identified"] for line in api["lines"]} == {
        "Județul Olt": "x", "Județul Covasna": "40"}
    assert api["totals"]["children_identified"] == "x"


def test_national_page_from_a_snapshot_reads_the_refresh_s_summary(app, two_counties, make_user, login):
    o1, _o2, c1 = two_counties
    platform, client = _platform_admin(app, make_user, login)
    live = client.get(f"/api/v1/t/{PLATFORM_SLUG}/county/national?year=2026").get_json()
    assert live["live"] is True  # no snapshot yet: the figures do not leave the counties
    assert {line["name"]: line["figures"]["children_identified"] for line in live["lines"]} == {
        "Județul Olt": "*", "Județul Covasna": "*"}
    assert "nicio cifră nu se publică" in client.get(f"/t/{PLATFORM_SLUG}/county/national?year=2026").get_data(
        as_text=True)

    with app.app_context(), tenant_context(platform.id):
        aggregation.refresh_country(Period(2026))
        db.session.commit()
    SOURCE.status = {o1.id: {"plan_status": "endorsed"}, c1.id: {"plan_status": "endorsed"}}  # after the refresh
    SOURCE.value_calls.clear()
    SOURCE.status_calls.clear()
    stored = client.get(f"/api/v1/t/{PLATFORM_SLUG}/county/national?year=2026").get_json()

    assert SOURCE.value_calls == [] and SOURCE.status_calls == []  # one row read, nothing recomputed
    assert stored["live"] is False
    assert [(line["name"], line["figures"]["children_identified"], line["endorsed"]) for line in stored["lines"]] == [
        ("Județul Covasna", "40", 0), ("Județul Olt", "x", 1)]
    assert stored["totals"]["children_identified"] == "x"
    html = client.get(f"/t/{PLATFORM_SLUG}/county/national?year=2026").get_data(as_text=True)
    assert "Județul Covasna" in html and "Cifre calculate la" in html

    _next_day(app)  # the next day's refresh counts Covasna's new aviz
    with app.app_context(), tenant_context(platform.id):
        aggregation.refresh_country(Period(2026))
        db.session.commit()
    again = client.get(f"/api/v1/t/{PLATFORM_SLUG}/county/national?year=2026").get_json()
    assert {line["name"]: line["endorsed"] for line in again["lines"]} == {"Județul Olt": 1, "Județul Covasna": 1}


def test_a_stored_page_is_computed_again_when_what_it_depends_on_changed(app, two_counties, make_user, login):
    o1, o2, _c1 = two_counties
    platform, client = _platform_admin(app, make_user, login)
    county = county_of(app, o1)
    coordinator = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    with app.app_context(), tenant_context(platform.id):
        aggregation.refresh_country(Period(2026))
        db.session.commit()
    national = f"/api/v1/t/{PLATFORM_SLUG}/county/national?year=2026"
    assert client.get(national).get_json()["totals"]["children_identified"] == "x"

    SOURCE.status_calls.clear()
    with app.app_context(), system_context():  # Olt's second locality leaves the platform after the refresh
        db.session.get(type(county), o2.id).active = False
        db.session.commit()
    rows = coordinator.get(f"/api/v1/t/{county.slug}/county/?year=2026").get_json()["rows"]
    assert {r["slug"]: r["active"] for r in rows}[o2.slug] is False and SOURCE.status_calls  # recomputed

    plugins = app.extensions["vatra_plugins"]  # a plugin update stops hiding small counts of the code
    plugins.indicators["children_identified"] = replace(plugins.indicators["children_identified"], sensitive=False)
    assert client.get(national).get_json()["totals"]["children_identified"] == "46"
