"""The national page: the counties side by side, small counts suppressed (no Flask).

Figures come from the national snapshot (every locality of the country,
written in the same run as the counties' snapshots) or, when there is none,
live. Each county's figures are the totals of its own open-data table, with
the same suppression (:mod:`plugins.county_overview.suppression`), so the
two published tables agree and together give nothing away.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from core.api import IndicatorDef, Period, aggregation
from core.db import db
from plugins.county_overview.localities import council_facts
from plugins.county_overview.services import ENDORSED, key_codes
from plugins.county_overview.suppression import (
    Shown,
    SuppressedTable,
    county_totals,
    suppress_columns,
    suppress_national,
)
from tenants.models import Tenant, TenantKind


@dataclass(frozen=True)
class CountyLine:
    """One county of the national page."""

    county_id: int
    slug: str
    name: str
    active: bool
    localities: int
    active_localities: int
    endorsed: int
    councils: int
    figures: dict[str, Shown]


@dataclass(frozen=True)
class NationalOverview:
    """What the national page shows."""

    period: Period
    defs: dict[str, IndicatorDef]
    lines: list[CountyLine]
    totals: dict[str, Shown]
    localities: int
    active_localities: int
    endorsed: int
    councils: int
    computed_at: dt.datetime | None
    live: bool
    key_codes: list[str]

    @property
    def codes(self) -> list[str]:
        """Every catalog code (the exports' columns)."""
        return list(self.defs)


def sensitivity(defs: dict[str, IndicatorDef]) -> tuple[dict[str, bool], dict[str, bool]]:
    """Which codes are suppressed, and which of them add up (``sum``)."""
    return ({c: d.sensitive for c, d in defs.items()}, {c: d.aggregation == "sum" for c, d in defs.items()})


def county_open_table(values: dict[int, dict[str, Decimal]], locality_ids: list[int],
                      defs: dict[str, IndicatorDef]) -> SuppressedTable[int]:
    """A county's open-data table of its localities, suppressed (the county total as each code adds up)."""
    sensitive, additive = sensitivity(defs)
    rows = {tid: values.get(tid, {}) for tid in locality_ids}
    totals = aggregation.aggregate(rows, list(defs), defs=defs)
    return suppress_columns(rows, totals, list(defs), sensitive, additive)


def national_overview(platform: Tenant, period: Period) -> NationalOverview:
    """Every county with its localities' plans, councils and suppressed figures (a fixed number of queries)."""
    defs = aggregation.catalog()
    counties = list(
        db.session.execute(sa.select(Tenant).where(Tenant.kind == TenantKind.COUNTY).order_by(Tenant.name)).scalars()
    )
    pairs = db.session.execute(
        sa.select(Tenant.id, Tenant.parent_id, Tenant.active).where(Tenant.kind == TenantKind.LOCALITY)
    ).all()
    members: dict[int, list[int]] = defaultdict(list)
    active: dict[int, int] = defaultdict(int)
    for tid, parent, is_active in pairs:
        members[parent].append(tid)
        active[parent] += int(bool(is_active))
    all_ids = [tid for tid, _, _ in pairs]
    county_ids = [c.id for c in counties]
    snapshot = aggregation.latest_snapshot(platform.id, period)
    if snapshot is not None:
        values = aggregation.snapshot_values(snapshot)
    else:
        values = aggregation.live_values(all_ids, period, county_ids=county_ids)
    statuses = aggregation.locality_status(all_ids, period.year, county_ids=county_ids)
    councils = council_facts(all_ids, None)
    sensitive, additive = sensitivity(defs)
    county_figures = {}
    for county in counties:
        rows = {tid: values.get(tid, {}) for tid in members.get(county.id, [])}
        totals = aggregation.aggregate(rows, list(defs), defs=defs)
        county_figures[county.id] = county_totals(rows, totals, list(defs), sensitive, additive)
    country = aggregation.aggregate({tid: values.get(tid, {}) for tid in all_ids}, list(defs), defs=defs)
    national = suppress_national(county_figures, country, list(defs), sensitive, additive)
    lines = []
    for county in counties:
        ids = members.get(county.id, [])
        lines.append(
            CountyLine(
                county_id=county.id,
                slug=county.slug,
                name=county.display_name,
                active=county.active,
                localities=len(ids),
                active_localities=active.get(county.id, 0),
                endorsed=sum(1 for t in ids if (statuses.get(t) or {}).get("plan_status") in ENDORSED),
                councils=sum(1 for t in ids if t in councils),
                figures=national.cells[county.id],
            )
        )
    return NationalOverview(
        period=period,
        defs=defs,
        lines=lines,
        totals=national.totals,
        localities=len(all_ids),
        active_localities=sum(active.values()),
        endorsed=sum(line.endorsed for line in lines),
        councils=sum(line.councils for line in lines),
        computed_at=snapshot.computed_at if snapshot is not None else None,
        live=snapshot is None,
        key_codes=key_codes(defs),
    )
