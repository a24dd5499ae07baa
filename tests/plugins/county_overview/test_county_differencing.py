"""Everything that leaves a county, read together by a linear-programming attacker.

The publications: the national page, its API, its CSV and its Excel (a job), and
every county's open-data CSV — each for the year and for its four quarters.
The attacker knows how figures add up (a year is the sum of its quarters, a
county the sum of its localities, the country the sum of its counties) and
the suppression rule (``"<5"`` holds 1–4, a cell hidden as ``"x"`` holds at
least 5 and at most the smallest figure ≥ 5 still shown in its column). For
every figure that is really 1–4 it minimises and maximises the figure over
all that: the test fails when the interval is narrower than [1, 4].
"""

from __future__ import annotations

import csv
import datetime as dt
import html as html_lib
import io
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from county_fakes import make_county
from scipy.optimize import linprog

from core import aggregation
from core.aggregation_models import AggSnapshot
from core.api import IndicatorDef, IndicatorValue, Period, PluginInfo, hookimpl
from core.auth.models import Role
from core.db import db
from core.jobs import Job, JobStatus
from core.jobs.files import resolve
from core.tenancy import system_context, tenant_context
from tenants.catalog import PLATFORM_SLUG
from tenants.services import get_by_slug

YEAR = 2026
CODE = "children_identified"
PERIODS: tuple[int | None, ...] = (None, 1, 2, 3, 4)


class QuarterSource:
    """Sensitive counts per locality and quarter; a year's figure is the sum of its quarters."""

    def __init__(self) -> None:
        self.quarters: dict[int, tuple[int, int, int, int]] = {}
        self.trained: dict[int, int] = {}

    @hookimpl
    def vatra_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="quarter_source", label="Sursă pe trimestre", version="1.0")

    @hookimpl
    def vatra_indicator_catalog(self) -> list[IndicatorDef]:
        return [IndicatorDef(CODE, "Copii identificați", unit="copii", sensitive=True),
                IndicatorDef("persons_trained", "Persoane formate", unit="persoane")]

    @hookimpl
    def vatra_indicator_values(self, tenant_ids: list[int], period: Period) -> list[IndicatorValue]:
        out = []
        for tid in tenant_ids:
            if tid in self.quarters:
                figure = sum(self.quarters[tid][q.quarter - 1] for q in period.quarters())
                out.append(IndicatorValue(tid, CODE, Decimal(figure)))
            if tid in self.trained:
                out.append(IndicatorValue(tid, "persons_trained", Decimal(self.trained[tid])))
        return out


SOURCE = QuarterSource()
pytestmark = [pytest.mark.config(VATRA_PLUGINS=["county_overview"]), pytest.mark.plugins(SOURCE)]

# Three counties; small counts in single quarters, in whole years, in county totals.
WORLD = {
    "JUDEȚUL ALBA": [(2, 10, 10, 10), (10, 0, 6, 7), (0, 3, 0, 0), (12, 12, 1, 20)],
    "JUDEȚUL BIHOR": [(1, 0, 0, 0), (30, 30, 30, 30), (5, 6, 7, 8)],
    "JUDEȚUL CLUJ": [(0, 1, 0, 1), (0, 0, 0, 0)],
}


@pytest.fixture
def world(app, make_tenant, make_user, login, api_headers):
    SOURCE.__init__()
    counties = []
    for name, figures in WORLD.items():
        county, localities = make_county(make_tenant, len(figures), name=name)
        for locality, quarters in zip(localities, figures, strict=True):
            SOURCE.quarters[locality.id] = quarters
        counties.append((county, localities, login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))))
    with app.app_context():
        platform = get_by_slug(PLATFORM_SLUG)
        db.session.expunge(platform)
    operator = make_user(platform, Role.PLATFORM_ADMIN)
    admin = login(app.test_client(), operator)
    admin.environ_base["HTTP_AUTHORIZATION"] = api_headers(operator, platform)["Authorization"]
    yield platform, counties, admin
    SOURCE.__init__()


def _refresh(app, platform, periods=PERIODS) -> None:
    with app.app_context(), tenant_context(platform.id):
        for quarter in periods:
            aggregation.refresh_country(Period(YEAR, quarter))
        db.session.commit()


def _query(quarter: int | None) -> str:
    return f"year={YEAR}" + (f"&quarter={quarter}" if quarter else "")


def _xlsx_rows(app, admin, quarter: int | None) -> list[tuple[Any, ...]]:
    body = {"page": "national", "format": "xlsx", "year": YEAR, **({"quarter": quarter} if quarter else {})}
    started = admin.post(f"/api/v1/t/{PLATFORM_SLUG}/county/national/exports", json=body)
    assert started.status_code == 202, started.get_json()
    with app.app_context(), system_context():
        job = db.session.get(Job, started.get_json()["id"])
        assert job.status == JobStatus.SUCCEEDED, job.error
        sheet = openpyxl.load_workbook(resolve(job.result_path))["Județe"]
    return list(sheet.iter_rows(min_row=4, values_only=True))


class Attacker:
    """Linear constraints over every figure; bounds one figure at a time."""

    def __init__(self) -> None:
        self.index: dict[Any, int] = {}
        self.equalities: list[tuple[dict[int, float], float]] = []
        self.lower: dict[int, float] = defaultdict(float)
        self.upper: dict[int, float | None] = defaultdict(lambda: None)

    def var(self, key: Any) -> int:
        return self.index.setdefault(key, len(self.index))

    def equal(self, terms: dict[Any, float], value: float) -> None:
        self.equalities.append(({self.var(k): c for k, c in terms.items()}, value))

    def between(self, key: Any, low: float, high: float | None) -> None:
        i = self.var(key)
        self.lower[i] = max(self.lower[i], low)
        if high is not None:
            self.upper[i] = high if self.upper[i] is None else min(self.upper[i], high)

    def published(self, key: Any, text: Any, *, cell: bool) -> None:
        """What one published figure tells: a value, or the range its mark means."""
        text = "" if text is None else str(text).strip()
        if text in ("", "*"):
            return  # no value published
        if text == "<5":
            self.between(key, 1, 4)
        elif text == "x":
            self.between(key, 5 if cell else 0, None)
        else:
            assert re.fullmatch(r"\d+", text), repr(text)
            value = float(text)
            self.between(key, value, value)

    def bounds(self, key: Any) -> tuple[float, float]:
        n = len(self.index)
        a_eq = [[terms.get(i, 0.0) for i in range(n)] for terms, _ in self.equalities]
        b_eq = [value for _, value in self.equalities]
        box = [(self.lower[i], self.upper[i]) for i in range(n)]
        target = self.index[key]
        out = []
        for sign in (1, -1):
            c = [0.0] * n
            c[target] = sign
            result = linprog(c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=box, method="highs")
            assert result.status in (0, 3), result.message  # 3: unbounded above, fine for the maximum
            out.append(sign * result.fun if result.status == 0 else float("inf"))
        return out[0], out[1]


def _ceilings(attacker: Attacker, column: dict[Any, str]) -> None:
    """The rule: a cell hidden as "x" is at most the smallest figure ≥ 5 still shown in its column."""
    shown = [float(t) for t in column.values() if t not in ("", "*", "<5", "x") and float(t) >= 5]
    if shown:
        for key, text in column.items():
            if text == "x":
                attacker.between(key, 5, min(shown))


def _page_figures(response: Any) -> list[tuple[str, str]]:
    """``(county name or "TOTAL", the children column's text)`` of every row of the national page."""
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    headers = re.findall(r'<th scope="col">(.*?)</th>', html)
    column = headers.index("Copii identificați") - 5  # after the name and four count columns
    out = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html.split("<tbody>", 1)[1], re.S):
        name = re.sub(r"<[^>]+>", "", re.search(r'<th scope="row">(.*?)</th>', row, re.S).group(1))
        name = "TOTAL" if "Total țară" in name else name.replace("inactiv", "").strip()
        figures = re.findall(r'<td class="number">(.*?)</td>', row, re.S)
        out.append((name, html_lib.unescape(re.sub(r"<[^>]+>", "", figures[column])).strip().replace("—", "")))
    assert len(out) == len(WORLD) + 1
    return out


def _read_everything(app, platform, counties, admin) -> Attacker:
    attacker = Attacker()
    slug_of = {}
    for county, localities, coordinator in counties:
        slug_of[county.display_name] = county.slug
        names = {t.display_name: t.id for t in localities}
        for quarter in PERIODS:
            period = quarter or "Y"
            data = coordinator.get(f"/t/{county.slug}/county/open-data.csv?{_query(quarter)}")
            assert data.status_code == 200
            rows = list(csv.DictReader(io.StringIO(data.get_data(as_text=True))))
            column = {}
            for row in rows:
                key = ("county", county.slug, period) if row["localitate"] == "TOTAL" else (
                    "locality", names[row["localitate"]], period)
                attacker.published(key, row[CODE], cell=key[0] == "locality")
                if key[0] == "locality":
                    column[key] = row[CODE]
            _ceilings(attacker, column)
            attacker.equal({("county", county.slug, period): 1,
                            **{("locality", t.id, period): -1 for t in localities}}, 0)
        for t in localities:
            attacker.equal({("locality", t.id, "Y"): 1, **{("locality", t.id, q): -1 for q in (1, 2, 3, 4)}}, 0)
    for quarter in PERIODS:
        period = quarter or "Y"
        api = admin.get(f"/api/v1/t/{PLATFORM_SLUG}/county/national?{_query(quarter)}").get_json()
        for line in api["lines"]:
            attacker.published(("county", line["slug"], period), line["figures"][CODE], cell=False)
        attacker.published(("country", period), api["totals"][CODE], cell=False)
        for name, text in _page_figures(admin.get(f"/t/{PLATFORM_SLUG}/county/national?{_query(quarter)}")):
            key = ("country", period) if name == "TOTAL" else ("county", slug_of[name], period)
            attacker.published(key, text, cell=False)
        data = admin.get(f"/t/{PLATFORM_SLUG}/county/national.csv?{_query(quarter)}").get_data(as_text=True)
        for row in csv.DictReader(io.StringIO(data)):
            key = ("country", period) if row["judet"] == "TOTAL" else ("county", slug_of[row["judet"]], period)
            attacker.published(key, row[CODE], cell=False)
        rows = _xlsx_rows(app, admin, quarter)
        column = rows[0].index("Copii identificați")
        for row in rows[1:]:
            key = ("country", period) if row[0] == "TOTAL" else ("county", slug_of[row[0]], period)
            attacker.published(key, row[column], cell=False)
        attacker.equal({("country", period): 1,
                        **{("county", county.slug, period): -1 for county, _l, _c in counties}}, 0)
    return attacker


def _truth(counties) -> dict[Any, int]:
    truth = {}
    for county, localities, _c in counties:
        for quarter in PERIODS:
            period = quarter or "Y"
            figures = [sum(SOURCE.quarters[t.id]) if quarter is None else SOURCE.quarters[t.id][quarter - 1]
                       for t in localities]
            truth[("county", county.slug, period)] = sum(figures)
            for t, figure in zip(localities, figures, strict=True):
                truth[("locality", t.id, period)] = figure
    return truth


def test_no_small_count_can_be_narrowed_from_everything_published_together(app, world):
    platform, counties, admin = world
    _refresh(app, platform)

    attacker = _read_everything(app, platform, counties, admin)

    truth = _truth(counties)
    small = [key for key, value in truth.items() if 1 <= value <= 4]
    assert len(small) >= 10  # the world has small counts in quarters, years and county totals
    narrowed = {}
    for key in small:
        low, high = attacker.bounds(key)
        assert low - 1e-6 <= truth[key] <= high + 1e-6  # the attacker's model is right
        if low > 1 + 1e-6 or high < 4 - 1e-6:
            narrowed[key] = (round(low, 3), round(high, 3), truth[key])
    assert narrowed == {}


def _trained(admin, coordinator, county) -> tuple[str, str, Any]:
    national = admin.get(f"/api/v1/t/{PLATFORM_SLUG}/county/national?year={YEAR}").get_json()
    line = next(line for line in national["lines"] if line["slug"] == county.slug)
    data = coordinator.get(f"/t/{county.slug}/county/open-data.csv?year={YEAR}").get_data(as_text=True)
    total = next(r for r in csv.DictReader(io.StringIO(data)) if r["localitate"] == "TOTAL")
    inside = coordinator.get(f"/api/v1/t/{county.slug}/county/?year={YEAR}").get_json()
    return line["figures"]["persons_trained"], total["persons_trained"], inside["totals"]["indicators"]


def test_figures_leave_a_county_from_one_snapshot_a_day(app, world):
    platform, counties, admin = world
    county, (first, *_rest), coordinator = counties[0]

    SOURCE.trained[first.id] = 10
    national, open_data, _inside = _trained(admin, coordinator, county)
    assert (national, open_data) == ("*", "*")  # no snapshot yet: live figures never leave the county

    _refresh(app, platform, periods=(None,))
    assert _trained(admin, coordinator, county)[:2] == ("10", "10")

    SOURCE.trained[first.id] = 13  # a refresh later the same day: seen inside the county only
    _refresh(app, platform, periods=(None,))
    national, open_data, inside = _trained(admin, coordinator, county)
    assert (national, open_data) == ("10", "10")
    assert inside["persons_trained"] == "13"  # the DGASPC sees its localities' exact, newest figures

    with app.app_context(), system_context():  # the day passes
        for snapshot in db.session.execute(sa.select(AggSnapshot)).scalars():
            snapshot.computed_at -= dt.timedelta(days=1)
        db.session.commit()
    SOURCE.trained[first.id] = 15
    _refresh(app, platform, periods=(None,))
    assert _trained(admin, coordinator, county)[:2] == ("15", "15")


def test_a_quarter_publishes_figures_about_children_only_inside_the_county(app, world):
    platform, counties, admin = world
    county, (first, *_rest), coordinator = counties[0]
    SOURCE.trained[first.id] = 10
    _refresh(app, platform, periods=(1,))

    national = admin.get(f"/api/v1/t/{PLATFORM_SLUG}/county/national?{_query(1)}").get_json()
    line = next(line for line in national["lines"] if line["slug"] == county.slug)
    assert line["figures"] == {CODE: "*", "persons_trained": "10"}
    assert national["totals"][CODE] == "*"
    rows = list(csv.DictReader(io.StringIO(
        coordinator.get(f"/t/{county.slug}/county/open-data.csv?{_query(1)}").get_data(as_text=True))))
    assert {r[CODE] for r in rows} == {"*"} and rows[-1]["persons_trained"] == "10"
    inside = coordinator.get(f"/api/v1/t/{county.slug}/county/?{_query(1)}").get_json()
    assert inside["totals"]["indicators"][CODE] == "24"  # the DGASPC's own page: exact (2 + 10 + 0 + 12 in Q1)
