"""The aggregation engine: catalog indicators added up over localities, counties and the country.

Values come from the plugins' ``vatra_indicator_values`` hook, called once
per source for a whole set of tenants inside a *read-only* scope over those
tenants (and their counties, whose projects record figures for their
localities): a county never switches into a locality's tenant, and nothing
can be written while the plugins read. No query runs per locality.

How figures add up (each :class:`~core.contrib.IndicatorDef` declares one):

* ``sum`` — the values are added (a missing value counts as 0);
* ``count`` — the number of tenants whose value is not zero (e.g. localities
  that reported a council);
* ``avg`` — the mean of the tenants that have a value; one tenant's own value
  is the sum of its rows divided by their ``count`` (so a plugin returns a
  sum of ``count`` observations);
* ``max`` — the largest value.

Live figures serve one locality's page. A county's page and the national page
read *snapshots* (:mod:`core.aggregation_models`), refreshed

* by the job kind ``core.aggregation.refresh`` (queue ``aggregation``): in a
  county's tenant it refreshes that county, in the platform's tenant the
  whole country (every county's snapshot and the national one, from one
  reading of the values, so the published county and national tables agree);
* by ``vatra aggregation refresh [--county SLUG] [--year Y] [--quarter Q]``;
* nightly, either by cron on one host::

      0 2 * * *  vatra aggregation refresh                # the year, whole country
      15 2 * * * vatra aggregation refresh --quarter N    # the running quarter

  or by rq's cron scheduler (``rq cron <config.py>``, rq ≥ 2.5) with a
  config file holding ``from rq import cron;
  cron.register(core.aggregation.nightly_refresh, queue_name="aggregation",
  cron="0 2 * * *")``: :func:`nightly_refresh` records a platform job of kind
  ``core.aggregation.refresh`` like any other, so it shows on the jobs page.

When no snapshot exists the pages fall back to live figures and say so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import click
import sqlalchemy as sa
from flask import has_app_context
from flask.cli import with_appcontext

from core.aggregation_models import AggSnapshot, AggValue, SnapshotStatus
from core.contrib import IndicatorDef, JobSpec, Period, Widget
from core.db import db, in_ids, utcnow
from core.plugins import host
from core.tenancy import current_scope, read_scope, system_context, tenant_context
from tenants.models import Tenant, TenantKind

log = logging.getLogger(__name__)

ZERO = Decimal(0)
AVG_QUANTUM = Decimal("0.01")
REFRESH_KIND = "core.aggregation.refresh"


@dataclass(frozen=True)
class Cell:
    """One tenant's figure for one code: the value and how many observations it rests on."""

    value: Decimal
    count: int = 1


Values = Mapping[int, Mapping[str, Decimal]]
"""``{tenant_id: {code: value}}``."""


@dataclass(frozen=True)
class Figures:
    """The values of a set of localities, and where they come from."""

    values: dict[int, dict[str, Decimal]]
    computed_at: dt.datetime | None
    live: bool


# -- the catalog -----------------------------------------------------------------------------


def catalog() -> dict[str, IndicatorDef]:
    """The national indicator catalog: every plugin's entries, by code."""
    return dict(host().indicators)


# -- live values ------------------------------------------------------------------------------


def _combine(rows: Iterable[Any], defs: Mapping[str, IndicatorDef], wanted: set[int]) -> dict[int, dict[str, Cell]]:
    """Merge the plugins' rows into one cell per tenant and code, as each code aggregates."""
    # the national read merges ~55,000 rows: plain locals and tuples, no per-row conversions when not needed
    takes_max = {code for code, d in defs.items() if d.aggregation == "max"}
    totals: dict[tuple[int, str], tuple[Decimal, int]] = {}
    for row in rows:
        code = row.code
        tenant_id = int(row.tenant_id)
        if code not in defs or tenant_id not in wanted:
            continue
        value = row.value if type(row.value) is Decimal else Decimal(row.value)
        count = int(getattr(row, "count", 1) or 0)
        key = (tenant_id, code)
        known = totals.get(key)
        if known is None:
            totals[key] = (value, count)
        elif code in takes_max:
            totals[key] = (max(known[0], value), known[1] + count)
        else:
            totals[key] = (known[0] + value, known[1] + count)
    out: dict[int, dict[str, Cell]] = defaultdict(dict)
    for (tenant_id, code), (value, count) in totals.items():
        if defs[code].aggregation == "avg":
            value = (value / count).quantize(AVG_QUANTUM) if count else ZERO
        out[tenant_id][code] = Cell(_unpadded(value), count)
    return dict(out)


def _parents_of(tenant_ids: Sequence[int]) -> list[int]:
    if not tenant_ids:
        return []
    rows = db.session.execute(
        sa.select(Tenant.parent_id).where(in_ids(Tenant.id, tenant_ids), Tenant.parent_id.is_not(None)).distinct()
    )
    return [int(p) for p in rows.scalars()]


def live_cells(
    tenant_ids: Iterable[int], period: Period, *, county_ids: Iterable[int] | None = None
) -> dict[int, dict[str, Cell]]:
    """Every plugin's values for ``tenant_ids`` over ``period``, with their observation counts.

    The plugins are called once each, inside a read-only scope over the
    tenants and their counties (found with one query when ``county_ids`` is
    not given).
    """
    ids = sorted({int(t) for t in tenant_ids})
    if not ids:
        return {}
    readers = list(county_ids) if county_ids is not None else _parents_of(ids)
    defs = catalog()
    with read_scope([*ids, *readers]):
        rows = [item for _, item in host().collect("vatra_indicator_values", tenant_ids=ids, period=period)]
    return _combine(rows, defs, set(ids))


def live_values(
    tenant_ids: Iterable[int], period: Period, *, county_ids: Iterable[int] | None = None
) -> dict[int, dict[str, Decimal]]:
    """``{tenant_id: {code: value}}`` of ``tenant_ids`` over ``period``, read now (see :func:`live_cells`)."""
    return _values_of(live_cells(tenant_ids, period, county_ids=county_ids))


def _values_of(cells: Mapping[int, Mapping[str, Cell]]) -> dict[int, dict[str, Decimal]]:
    return {tid: {code: cell.value for code, cell in by_code.items()} for tid, by_code in cells.items()}


def locality_status(
    tenant_ids: Iterable[int], year: int, *, county_ids: Iterable[int] | None = None
) -> dict[int, dict[str, Any]]:
    """Every plugin's ``vatra_locality_status`` for ``tenant_ids``, merged per tenant.

    One call per plugin, inside a read-only scope over the tenants and their
    counties. Every asked tenant is in the answer (``{}`` when no plugin
    said anything about it).
    """
    ids = sorted({int(t) for t in tenant_ids})
    merged: dict[int, dict[str, Any]] = {tid: {} for tid in ids}
    if not ids:
        return merged
    readers = list(county_ids) if county_ids is not None else _parents_of(ids)
    with read_scope([*ids, *readers]):
        found = host().collect("vatra_locality_status", tenant_ids=ids, year=year)
    for _plugin, by_tenant in found:
        for tid, status in (by_tenant or {}).items():
            if int(tid) in merged:
                merged[int(tid)].update(status or {})
    return merged


def locality_detail(tenant_id: int, year: int, *, county_id: int) -> list[tuple[str, Widget]]:
    """Every plugin's read-only blocks about one locality (``vatra_locality_detail``), read from its county."""
    with read_scope([tenant_id, county_id]):
        return host().collect("vatra_locality_detail", tenant_id=tenant_id, year=year)


# -- adding up --------------------------------------------------------------------------------


def aggregate_one(values: Iterable[Decimal | None], aggregation: str) -> Decimal | None:
    """Add up one code's values of several tenants (``None`` = the tenant has no value)."""
    present = [Decimal(v) for v in values if v is not None]
    if aggregation == "sum":
        return sum(present, ZERO)
    if aggregation == "count":
        return Decimal(sum(1 for v in present if v != 0))
    if not present:
        return None
    if aggregation == "avg":
        return (sum(present, ZERO) / len(present)).quantize(AVG_QUANTUM)
    if aggregation == "max":
        return max(present)
    raise ValueError(f"unknown aggregation {aggregation!r}")


def aggregate(
    values: Values, codes: Iterable[str] | None = None, *, defs: Mapping[str, IndicatorDef] | None = None
) -> dict[str, Decimal | None]:
    """Add up ``values`` over all their tenants, per code, as each code's catalog entry declares.

    ``codes`` defaults to the whole catalog; ``defs`` to the app's catalog.
    """
    defs = catalog() if defs is None else defs
    wanted = list(defs) if codes is None else [c for c in codes if c in defs]
    return {
        code: aggregate_one((by_code.get(code) for by_code in values.values()), defs[code].aggregation)
        for code in wanted
    }


def aggregate_groups(
    values: Values,
    groups: Mapping[Any, Iterable[int]],
    codes: Iterable[str] | None = None,
    *,
    defs: Mapping[str, IndicatorDef] | None = None,
) -> dict[Any, dict[str, Decimal | None]]:
    """:func:`aggregate` per group of tenants: ``{county_id: [locality ids]}`` → ``{county_id: {code: …}}``."""
    defs = catalog() if defs is None else defs
    code_list = list(defs) if codes is None else list(codes)
    return {
        key: aggregate({t: values.get(t, {}) for t in members}, code_list, defs=defs)
        for key, members in groups.items()
    }


# -- snapshots --------------------------------------------------------------------------------


def _reading(tenant_id: int) -> contextlib.AbstractContextManager[Any]:
    """The current scope, widened to read ``tenant_id``'s snapshots (a county's page reads the national ones)."""
    scope = current_scope()
    if scope.system or tenant_id in scope.read_tenant_ids:
        return contextlib.nullcontext()
    return read_scope({*scope.read_tenant_ids, tenant_id}, write_tenant_id=scope.write_tenant_id)


def latest_snapshot(scope_tenant_id: int, period: Period) -> AggSnapshot | None:
    """The newest ready snapshot of a scope for a period, if any (one query)."""
    with _reading(scope_tenant_id):
        return _latest_snapshot(scope_tenant_id, period)


def _latest_snapshot(scope_tenant_id: int, period: Period) -> AggSnapshot | None:
    return db.session.execute(
        sa.select(AggSnapshot)
        .where(
            AggSnapshot.scope_tenant_id == scope_tenant_id,
            AggSnapshot.period == period.label,
            AggSnapshot.status == SnapshotStatus.READY,
        )
        .order_by(AggSnapshot.computed_at.desc(), AggSnapshot.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def published_snapshot(scope_tenant_id: int, period: Period) -> AggSnapshot | None:
    """The snapshot whose figures may leave a county: the first ready one of the newest one's UTC day.

    A refresh later the same day (a coordinator's or the operator's button)
    is seen inside the county only; what is published changes at most once a
    day, so two publications of one day cannot be subtracted from each other.
    :func:`write_snapshot` keeps that first snapshot of the day.
    """
    with _reading(scope_tenant_id):
        newest = _latest_snapshot(scope_tenant_id, period)
        if newest is None:
            return None
        return db.session.execute(
            sa.select(AggSnapshot)
            .where(
                AggSnapshot.scope_tenant_id == scope_tenant_id,
                AggSnapshot.period == period.label,
                AggSnapshot.status == SnapshotStatus.READY,
                AggSnapshot.computed_at >= _day_start(newest.computed_at),
            )
            .order_by(AggSnapshot.computed_at, AggSnapshot.id)
            .limit(1)
        ).scalar_one()


def _day_start(moment: dt.datetime) -> dt.datetime:
    day = moment.astimezone(dt.UTC).date()
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def snapshot_values(snapshot: AggSnapshot, subject_ids: Iterable[int] | None = None) -> dict[int, dict[str, Decimal]]:
    """The figures of a snapshot, ``{tenant_id: {code: value}}`` (one query)."""
    stmt = sa.select(AggValue.subject_tenant_id, AggValue.code, AggValue.value).where(
        AggValue.snapshot_id == snapshot.id
    )
    if subject_ids is not None:
        stmt = stmt.where(in_ids(AggValue.subject_tenant_id, subject_ids))
    out: dict[int, dict[str, Decimal]] = defaultdict(dict)
    with _reading(snapshot.tenant_id):
        for tenant_id, code, value in db.session.execute(stmt):
            out[int(tenant_id)][code] = _unpadded(Decimal(value))
    return dict(out)


def _unpadded(value: Decimal) -> Decimal:
    """A stored figure without the column's padding (``11.0000`` → ``11``, ``2.5000`` → ``2.5``), as read live."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def snapshot_summary(snapshot: AggSnapshot | None, plugin: str) -> Any:
    """What ``plugin`` precomputed from ``snapshot`` at refresh (``vatra_snapshot_summary``), or ``None``."""
    if snapshot is None or not snapshot.summary:
        return None
    return snapshot.summary.get(plugin)


def _summarise(snapshot: AggSnapshot, scope: Tenant, period: Period) -> None:
    plugins = host()
    summary: dict[str, Any] = {}
    for name, data in plugins.run(plugins.hook_caller("vatra_snapshot_summary"), scope=scope, period=period):
        if not isinstance(data, dict):
            raise TypeError(f"plugin {name}: vatra_snapshot_summary must return a dict or None, not {type(data)}")
        try:
            json.dumps(data)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"plugin {name}: vatra_snapshot_summary returned what JSON cannot hold: {exc}") from exc
        summary[name] = data
    snapshot.summary = summary or None
    db.session.flush()


def figures(scope: Tenant, locality_ids: Sequence[int], period: Period) -> Figures:
    """The figures of a scope's localities: its latest snapshot, or live values when it has none."""
    snapshot = latest_snapshot(scope.id, period)
    if snapshot is not None:
        return Figures(snapshot_values(snapshot, locality_ids), snapshot.computed_at, live=False)
    readers = [scope.id] if scope.is_county else None
    return Figures(live_values(locality_ids, period, county_ids=readers), None, live=True)


def write_snapshot(scope_tenant_id: int, period: Period, cells: Mapping[int, Mapping[str, Cell]],
                   localities: int, *, computed_at: dt.datetime | None = None) -> AggSnapshot:
    """Store a new ready snapshot and drop the older ones of the same scope and period. Does not commit.

    The first snapshot of the new one's UTC day stays: it is the one published
    outside the county that day (:func:`published_snapshot`).
    """
    snapshot = AggSnapshot(
        tenant_id=scope_tenant_id,
        period=period.label,
        computed_at=computed_at or utcnow(),
        status=SnapshotStatus.RUNNING,
        localities=localities,
    )
    db.session.add(snapshot)
    db.session.flush()
    rows = [
        {"tenant_id": scope_tenant_id, "snapshot_id": snapshot.id, "subject_tenant_id": tid, "code": code,
         "value": cell.value, "count": cell.count}
        for tid, by_code in sorted(cells.items())
        for code, cell in sorted(by_code.items())
    ]
    if rows:
        db.session.execute(sa.insert(AggValue), rows)
    snapshot.status = SnapshotStatus.READY
    older = sa.select(AggSnapshot.id, AggSnapshot.computed_at, AggSnapshot.status).where(
        AggSnapshot.scope_tenant_id == scope_tenant_id,
        AggSnapshot.period == period.label,
        AggSnapshot.id != snapshot.id,
    )
    found = db.session.execute(older).all()
    today = _day_start(snapshot.computed_at)
    same_day = sorted((at, sid) for sid, at, status in found if at >= today and status == SnapshotStatus.READY)
    keep = {same_day[0][1]} if same_day and same_day[0][0] <= snapshot.computed_at else set()
    old_ids = [sid for sid, _at, _status in found if sid not in keep]
    if old_ids:
        db.session.execute(sa.delete(AggValue).where(AggValue.snapshot_id.in_(old_ids)))
        db.session.execute(sa.delete(AggSnapshot).where(AggSnapshot.id.in_(old_ids)))
    db.session.flush()
    return snapshot


def refresh_county(county: Tenant, period: Period) -> AggSnapshot:
    """Recompute a county's snapshot for ``period`` from live values. Does not commit."""
    if not county.is_county:
        raise ValueError(f"{county.slug} is not a county")
    ids = list(db.session.execute(sa.select(Tenant.id).where(Tenant.parent_id == county.id)).scalars())
    cells = live_cells(ids, period, county_ids=[county.id])
    with tenant_context(county.id):  # the county's rows, whoever asks (its job, the command line)
        snapshot = write_snapshot(county.id, period, cells, len(ids))
        _summarise(snapshot, county, period)
    return snapshot


def refresh_country(period: Period, *, counties: Iterable[Tenant] | None = None) -> list[AggSnapshot]:
    """Recompute the national snapshot and every county's, from one reading of the values. Does not commit.

    ``counties`` defaults to the active counties; the national snapshot
    always covers every locality of the catalog.
    """
    platform = db.session.execute(sa.select(Tenant).where(Tenant.kind == TenantKind.PLATFORM)).scalar_one()
    pairs = db.session.execute(
        sa.select(Tenant.id, Tenant.parent_id).where(Tenant.kind == TenantKind.LOCALITY)
    ).all()
    all_counties = list(
        db.session.execute(sa.select(Tenant).where(Tenant.kind == TenantKind.COUNTY).order_by(Tenant.name)).scalars()
    )
    chosen = [c for c in all_counties if c.active] if counties is None else list(counties)
    cells = live_cells([tid for tid, _ in pairs], period, county_ids=[c.id for c in all_counties])
    now = utcnow()
    with tenant_context(platform.id):
        snapshots = [write_snapshot(platform.id, period, cells, len(pairs), computed_at=now)]
    by_county: dict[int, list[int]] = defaultdict(list)
    for tid, parent in pairs:
        by_county[parent].append(tid)
    for county in chosen:
        members = by_county.get(county.id, [])
        own = {tid: cells[tid] for tid in members if tid in cells}
        with tenant_context(county.id):  # a county's snapshot is the county's rows
            snapshots.append(write_snapshot(county.id, period, own, len(members), computed_at=now))
            _summarise(snapshots[-1], county, period)
    with tenant_context(platform.id):
        _summarise(snapshots[0], platform, period)  # last: a national summary may read the counties' snapshots
    return snapshots


def refresh(scope: Tenant, period: Period) -> list[AggSnapshot]:
    """Refresh what ``scope`` sees: the country for the platform, one county for a county. Does not commit."""
    if scope.is_platform:
        return refresh_country(period)
    return [refresh_county(scope, period)]


# -- the job ----------------------------------------------------------------------------------


def refresh_job(ctx: Any, year: int | None = None, quarter: int | None = None) -> None:
    """Job ``core.aggregation.refresh``: refresh the snapshots of the job's tenant (county or platform)."""
    scope = db.session.get(Tenant, ctx.tenant_id)
    if scope is None or scope.is_locality:
        raise ValueError("aggregation snapshots are computed for a county or for the platform")
    period = Period(year or dt.date.today().year, quarter)
    ctx.progress(5, f"Se citesc valorile pentru {period.label}")
    snapshots = refresh(scope, period)
    ctx.progress(100, f"Cifre calculate pentru {period.label}: {len(snapshots)} instantanee")


REFRESH_JOB = JobSpec(
    kind=REFRESH_KIND,
    func=refresh_job,
    queue="aggregation",
    timeout=3600,
    retries=2,
    label="Recalcularea cifrelor agregate",
)
AGGREGATION_JOBS: list[JobSpec] = [REFRESH_JOB]
"""The core's job kinds of this module (registered with :func:`core.jobs.specs.register_core_job`)."""


def _register_jobs() -> None:
    try:
        from core.jobs.specs import register_core_job
    except ImportError:  # pragma: no cover - the jobs package is optional while it is being built
        return
    for spec in AGGREGATION_JOBS:
        register_core_job(spec)


_register_jobs()


def nightly_refresh(year: int | None = None, quarter: int | None = None) -> Any:
    """Enqueue the national refresh as a recorded platform job (target of rq's cron scheduler)."""
    from core.app import create_app
    from core.jobs import enqueue

    def _go() -> Any:
        platform = db.session.execute(sa.select(Tenant).where(Tenant.kind == TenantKind.PLATFORM)).scalar_one()
        return enqueue(REFRESH_KIND, tenant=platform, year=year or dt.date.today().year, quarter=quarter)

    if has_app_context():
        return _go()
    with create_app().app_context():
        return _go()


# -- the command line -------------------------------------------------------------------------


@click.group("aggregation")
def aggregation_cli() -> None:
    """Aggregated figures: snapshots of counties and of the country."""


@aggregation_cli.command("refresh")
@click.option("--county", "county_slug", help="Only this county (slug); without it, the whole country.")
@click.option("--year", type=int, help="Year (default: the current one).")
@click.option("--quarter", type=click.IntRange(1, 4), help="One quarter of the year instead of the whole year.")
@with_appcontext
def refresh_command(county_slug: str | None, year: int | None, quarter: int | None) -> None:
    """Recompute the snapshots now (nightly from cron, or on demand)."""
    period = Period(year or dt.date.today().year, quarter)
    with system_context():
        done = _refresh_from_command_line(county_slug, period)
    for scope_id, localities, computed_at in done:
        click.echo(f"{period.label}: scope {scope_id}, {localities} localities, computed at {computed_at.isoformat()}")
    log.info("aggregation refreshed for %s: %s snapshots", period.label, len(done))


def _refresh_from_command_line(county_slug: str | None, period: Period) -> list[tuple[int, int, dt.datetime]]:
    if county_slug:
        county = db.session.execute(sa.select(Tenant).where(Tenant.slug == county_slug)).scalar_one_or_none()
        if county is None or not county.is_county:
            raise click.BadParameter(f"no county with slug {county_slug!r}", param_hint="--county")
        snapshots = [refresh_county(county, period)]
    else:
        snapshots = refresh_country(period)
    done = [(snap.tenant_id, snap.localities, snap.computed_at) for snap in snapshots]  # read before the commit
    db.session.commit()
    return done
