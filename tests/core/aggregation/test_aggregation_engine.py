"""The aggregation engine: live values through the plugins, adding up per catalog rule, snapshots, job and CLI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from core import aggregation
from core.aggregation_models import AggSnapshot, AggValue
from core.api import IndicatorDef, IndicatorValue, Period, PluginInfo, hookimpl
from core.db import db
from core.tenancy import TenantViolation, current_scope, system_context, tenant_context
from tenants.models import Council, Tenant

DEFS = {
    "children": IndicatorDef("children", "Copii", sensitive=True),
    "councils": IndicatorDef("councils", "Consilii", aggregation="count"),
    "coverage": IndicatorDef("coverage", "Acoperire", aggregation="avg"),
    "largest": IndicatorDef("largest", "Cel mai mare grup", aggregation="max"),
}


class Source:
    """A fake plugin: values from a dict, plus the number of councils per tenant read from the database."""

    name = "agg_source"

    def __init__(self, name: str = "agg_source") -> None:
        self.name = name
        self.values: dict[int, list[tuple[str, Decimal, int]]] = {}
        self.calls: list[tuple[list[int], Any, Any]] = []
        self.write_attempt = False

    @hookimpl
    def vatra_plugin_info(self) -> PluginInfo:
        return PluginInfo(name=self.name, label="Sursă", version="1")

    @hookimpl
    def vatra_indicator_catalog(self) -> list[IndicatorDef]:
        return list(DEFS.values())

    @hookimpl
    def vatra_indicator_values(self, tenant_ids: list[int], period: Period) -> list[IndicatorValue]:
        self.calls.append((list(tenant_ids), period, current_scope()))
        if self.write_attempt:
            db.session.add(Council(tenant_id=tenant_ids[0], name="Scris de județ"))
            db.session.flush()
        councils = db.session.execute(
            sa.select(Council.tenant_id, sa.func.count(Council.id)).where(Council.tenant_id.in_(tenant_ids))
            .group_by(Council.tenant_id)
        ).all()
        out = [IndicatorValue(int(t), "councils", Decimal(n)) for t, n in councils]
        for tid in tenant_ids:
            out.extend(IndicatorValue(tid, code, value, count) for code, value, count in self.values.get(tid, []))
        return out


SOURCE = Source()
SECOND = Source("agg_second")
pytestmark = [pytest.mark.config(VATRA_PLUGINS=[]), pytest.mark.plugins(SOURCE, SECOND)]


@pytest.fixture(autouse=True)
def _fresh():
    for s in (SOURCE, SECOND):
        s.values, s.calls, s.write_attempt = {}, [], False
    yield


def test_aggregate_follows_each_codes_rule() -> None:
    values = {
        1: {"children": Decimal(3), "councils": Decimal(1), "coverage": Decimal(50), "largest": Decimal(4)},
        2: {"children": Decimal(5), "councils": Decimal(0), "coverage": Decimal(70)},
        3: {"largest": Decimal(9)},
    }
    out = aggregation.aggregate(values, defs=DEFS)
    assert out == {"children": Decimal(8), "councils": Decimal(1), "coverage": Decimal("60.00"), "largest": Decimal(9)}
    assert aggregation.aggregate({}, defs=DEFS) == {"children": Decimal(0), "councils": Decimal(0), "coverage": None,
                                                    "largest": None}
    groups = aggregation.aggregate_groups(values, {"a": [1, 2], "b": [3, 4]}, ["children", "largest"], defs=DEFS)
    assert groups == {"a": {"children": Decimal(8), "largest": Decimal(4)},
                      "b": {"children": Decimal(0), "largest": Decimal(9)}}


def test_live_values_call_each_plugin_once_in_a_read_only_scope(any_app, make_tenant) -> None:
    county = make_tenant("county")
    locs = [make_tenant("locality", parent=county) for _ in range(3)]
    with any_app.app_context(), system_context():
        db.session.add(Council(tenant_id=locs[0].id, name="CCC"))
        db.session.commit()
    SOURCE.values = {locs[0].id: [("children", Decimal(2), 1), ("coverage", Decimal(150), 2)],
                     locs[1].id: [("largest", Decimal(3), 1), ("largest", Decimal(8), 1)]}
    SECOND.values = {locs[0].id: [("children", Decimal(5), 1), ("coverage", Decimal(30), 1)]}

    with any_app.app_context():
        values = aggregation.live_values([t.id for t in locs], Period(2026, 2))

    assert values == {
        locs[0].id: {"children": Decimal(7), "coverage": Decimal("60.00"), "councils": Decimal(2)},
        locs[1].id: {"largest": Decimal(8)},
    }  # two plugins each counted the council: the count code adds up within a tenant
    for source in (SOURCE, SECOND):
        assert len(source.calls) == 1
        ids, period, scope = source.calls[0]
        assert ids == sorted(t.id for t in locs) and period == Period(2026, 2)
        assert scope.write_tenant_id is None and scope.read_tenant_ids == {*ids, county.id}


def test_a_plugin_cannot_write_while_the_county_reads(any_app, make_tenant) -> None:
    county = make_tenant("county")
    loc = make_tenant("locality", parent=county)
    SOURCE.write_attempt = True
    with any_app.app_context(), pytest.raises(TenantViolation):
        aggregation.live_values([loc.id], Period(2026))


def test_snapshot_replaces_the_previous_one_and_figures_prefer_it(any_app, make_tenant) -> None:
    county = make_tenant("county")
    locs = [make_tenant("locality", parent=county) for _ in range(2)]
    SOURCE.values = {locs[0].id: [("children", Decimal(4), 1)]}
    with any_app.app_context():
        county = db.session.get(Tenant, county.id)
        live = aggregation.figures(county, [t.id for t in locs], Period(2026))
        assert live.live and live.computed_at is None and live.values[locs[0].id]["children"] == 4

        first_id = aggregation.refresh_county(county, Period(2026)).id
        db.session.commit()
        SOURCE.values = {locs[0].id: [("children", Decimal(6), 1)]}
        second = aggregation.refresh_county(county, Period(2026))
        db.session.commit()

        with tenant_context(county.id):  # the snapshots are the county's rows
            # the first snapshot of the day stays: it is the one published outside the county that day
            assert db.session.scalar(sa.select(sa.func.count(AggSnapshot.id))) == 2
            assert aggregation.published_snapshot(county.id, Period(2026)).id == first_id
            assert aggregation.latest_snapshot(county.id, Period(2026)).id == second.id
        third = aggregation.refresh_county(county, Period(2026))
        db.session.commit()
        with tenant_context(county.id):
            assert set(db.session.scalars(sa.select(AggSnapshot.id))) == {first_id, third.id}  # the second is gone
            assert db.session.scalar(
                sa.select(sa.func.count(AggValue.id)).where(AggValue.snapshot_id == second.id)
            ) == 0
        third_at = third.computed_at
        calls = len(SOURCE.calls)
        snap = aggregation.figures(county, [t.id for t in locs], Period(2026))
        assert not snap.live and snap.computed_at == third_at
        assert snap.values[locs[0].id]["children"] == 6
        assert len(SOURCE.calls) == calls  # read from the snapshot, not from the plugins
        quarter = aggregation.figures(county, [t.id for t in locs], Period(2026, 1))
        assert quarter.live  # no snapshot for that period: live, and it says so


def test_country_refresh_writes_the_national_and_every_active_countys_snapshot(app, make_tenant) -> None:
    olt = make_tenant("county")
    covasna = make_tenant("county")
    idle = make_tenant("county", active=False)
    a = make_tenant("locality", parent=olt)
    b = make_tenant("locality", parent=covasna)
    c = make_tenant("locality", parent=idle, active=False)
    SOURCE.values = {a.id: [("children", Decimal(2), 1)], b.id: [("children", Decimal(9), 1)],
                     c.id: [("children", Decimal(1), 1)]}
    with app.app_context(), system_context():
        snapshots = aggregation.refresh_country(Period(2026))
        db.session.commit()
        scopes = {s.scope_tenant_id: s for s in snapshots}
        platform = db.session.execute(sa.select(Tenant).where(Tenant.slug == "platform")).scalar_one()
        assert set(scopes) == {platform.id, olt.id, covasna.id}
        assert len(SOURCE.calls) == 1  # one reading of the values for the whole country
        national = aggregation.snapshot_values(scopes[platform.id])
        assert {t: v["children"] for t, v in national.items()} == {a.id: 2, b.id: 9, c.id: 1}
        assert aggregation.snapshot_values(scopes[olt.id]) == {a.id: {"children": Decimal(2)}}
        assert len({s.computed_at for s in snapshots}) == 1


def test_refresh_job_runs_in_the_counties_tenant(app, make_tenant) -> None:
    from core.jobs import JobStatus, enqueue

    county = make_tenant("county")
    loc = make_tenant("locality", parent=county)
    SOURCE.values = {loc.id: [("children", Decimal(3), 1)]}
    with app.app_context():
        job = enqueue(aggregation.REFRESH_KIND, tenant=county, year=2026)
        assert job.queue == "aggregation"
    with app.app_context():
        with system_context():
            from core.jobs import Job

            job = db.session.get(Job, job.id)
            assert job.status == JobStatus.SUCCEEDED, job.error
        snapshot = aggregation.latest_snapshot(county.id, Period(2026))
        assert snapshot is not None
        assert aggregation.snapshot_values(snapshot) == {loc.id: {"children": Decimal(3)}}


def test_cli_refreshes_one_county_or_the_country(app, make_tenant) -> None:
    county = make_tenant("county")
    loc = make_tenant("locality", parent=county)
    SOURCE.values = {loc.id: [("children", Decimal(5), 1)]}
    runner = app.test_cli_runner()

    result = runner.invoke(aggregation.aggregation_cli, ["refresh", "--county", county.slug, "--year", "2025",
                                                         "--quarter", "3"])
    assert result.exit_code == 0, result.output
    assert "2025 T3" in result.output
    result = runner.invoke(aggregation.aggregation_cli, ["refresh", "--year", "2025"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(aggregation.aggregation_cli, ["refresh", "--county", "nu-exista"])
    assert result.exit_code != 0 and "--county" in result.output
    with app.app_context():
        assert aggregation.latest_snapshot(county.id, Period(2025, 3)) is not None
        assert aggregation.latest_snapshot(county.id, Period(2025)) is not None
        assert SOURCE.calls[0][1] == Period(2025, 3)
        assert SOURCE.calls[0][1].start == dt.date(2025, 7, 1)


def test_snapshots_are_rows_of_their_county_under_the_tenant_policies(pg_app, make_tenant) -> None:
    county, other = make_tenant("county"), make_tenant("county")
    loc = make_tenant("locality", parent=county)
    SOURCE.values = {loc.id: [("children", Decimal(7), 1)]}
    with pg_app.app_context():
        snapshot_id = aggregation.refresh_county(db.session.get(Tenant, county.id), Period(2026)).id
        db.session.commit()
    engine = sa.create_engine(pg_app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.pool.NullPool)
    counts = "SELECT (SELECT count(*) FROM agg_snapshot), (SELECT count(*) FROM agg_value)"
    scope = "SELECT set_config('vatra.read_tenants', :t, true), set_config('vatra.write_tenant', :t, true)"
    with engine.connect() as conn:  # raw SQL as the application role: RLS alone decides
        conn.execute(sa.text(scope), {"t": str(other.id)})
        assert tuple(conn.execute(sa.text(counts)).one()) == (0, 0)
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            conn.execute(sa.text("INSERT INTO agg_value (tenant_id, snapshot_id, subject_tenant_id, code, value, count)"
                                 " VALUES (:c, :s, :l, 'children', 99, 1)"),
                         {"c": county.id, "s": snapshot_id, "l": loc.id})
        conn.rollback()
        conn.execute(sa.text(scope), {"t": str(county.id)})
        assert tuple(conn.execute(sa.text(counts)).one()) == (1, 1)
    engine.dispose()
