"""The national page: the counties side by side, small counts suppressed (no Flask).

Figures come from the day's published national snapshot (every locality of
the country, written in the same run as the counties' snapshots; see
:func:`core.aggregation.published_snapshot`); before there is one they are
withheld, and a quarter's figures about children always are (the rules are in
:mod:`plugins.county_overview.suppression`). A county's open data reads the
same snapshot, so every publication of a day agrees. The refresh also stores the whole page (the county lines, already
suppressed, with their plan and council counts) as the snapshot's summary, so
the page from a snapshot reads one row; the plans and councils it counts are
then those of the refresh, like its figures. Each county's figures are the
totals of its own open-data table, with the same suppression
(:mod:`plugins.county_overview.suppression`), so the two published tables
agree and together give nothing away.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from core.toolkit import (
    AggSnapshot,
    IndicatorDef,
    Period,
    Tenant,
    TenantKind,
    aggregation,
    db,
    name_key,
    name_order,
    reader_lang,
)
from plugins.county_overview.localities import council_facts
from plugins.county_overview.services import ENDORSED, key_codes, stored_page, summary_stamp
from plugins.county_overview.suppression import (
    Shown,
    SuppressedTable,
    county_totals,
    suppress_columns,
    suppress_national,
    withheld_codes,
    withhold,
)


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
    """A county's table of its localities, suppressed (the county total as each code adds up)."""
    sensitive, additive = sensitivity(defs)
    rows = {tid: values.get(tid, {}) for tid in locality_ids}
    totals = aggregation.aggregate(rows, list(defs), defs=defs)
    return suppress_columns(rows, totals, list(defs), sensitive, additive)


def platform_tenant() -> Tenant:
    """The platform's tenant (the scope of the national snapshot)."""
    return db.session.execute(sa.select(Tenant).where(Tenant.kind == TenantKind.PLATFORM)).scalar_one()


def published_county_table(locality_ids: list[int], period: Period,
                           defs: dict[str, IndicatorDef]) -> tuple[SuppressedTable[int], dt.datetime | None]:
    """A county's open data: its localities' figures of the day's published national snapshot, suppressed.

    The national page reads the same snapshot, so the two agree; before there
    is one every figure is withheld; a quarter's sensitive figures always are.
    """
    snapshot = aggregation.published_snapshot(platform_tenant().id, period)
    values = aggregation.snapshot_values(snapshot, locality_ids) if snapshot is not None else {}
    sensitive, _additive = sensitivity(defs)
    table = county_open_table(values, locality_ids, defs)
    hidden = withheld_codes(sensitive, period.quarter, published=snapshot is not None)
    return withhold(table, hidden), snapshot.computed_at if snapshot is not None else None


def national_overview(platform: Tenant, period: Period) -> NationalOverview:
    """Every county with its localities' plans, councils and suppressed figures.

    From the day's published snapshot's summary (one row, written at refresh)
    when there is one for the current catalog; otherwise computed with a fixed
    number of queries from that snapshot's values — or, with no snapshot yet,
    with every figure withheld (live figures never leave a county).
    """
    defs = aggregation.catalog()
    snapshot = aggregation.published_snapshot(platform.id, period)
    stored = stored_page(snapshot, defs)
    if snapshot is not None and stored is not None:
        overview = _from_summary(stored, defs, period, snapshot.computed_at)
    else:
        overview = compute_national(platform, period, defs, snapshot)
    lang = reader_lang()  # a stored page keeps the order of the refresh's language: the reader's applies
    overview.lines.sort(key=lambda line: name_key(line.name, lang))
    return overview


def national_summary(platform: Tenant, period: Period) -> dict[str, Any]:
    """The national page of the snapshot just refreshed, as plain JSON values (``vatra_snapshot_summary``)."""
    defs = aggregation.catalog()
    overview = compute_national(platform, period, defs, aggregation.latest_snapshot(platform.id, period))

    def cells(figures: dict[str, Shown]) -> dict[str, list[str | None]]:
        return {code: [None if s.value is None else str(s.value), s.mark] for code, s in figures.items()}

    return {
        "stamp": summary_stamp(defs),
        "lines": [{**{k: v for k, v in asdict(line).items() if k != "figures"}, "figures": cells(line.figures)}
                  for line in overview.lines],
        "totals": cells(overview.totals),
        "localities": overview.localities,
        "active_localities": overview.active_localities,
        "endorsed": overview.endorsed,
        "councils": overview.councils,
    }


def _from_summary(stored: dict[str, Any], defs: dict[str, IndicatorDef], period: Period,
                  computed_at: dt.datetime) -> NationalOverview:
    def cells(raw: dict[str, list[str | None]]) -> dict[str, Shown]:
        return {code: Shown(None if value is None else Decimal(value), mark) for code, (value, mark) in raw.items()}

    return NationalOverview(
        period=period,
        defs=defs,
        lines=[CountyLine(**{**line, "figures": cells(line["figures"])}) for line in stored["lines"]],
        totals=cells(stored["totals"]),
        localities=stored["localities"],
        active_localities=stored["active_localities"],
        endorsed=stored["endorsed"],
        councils=stored["councils"],
        computed_at=computed_at,
        live=False,
        key_codes=key_codes(defs),
    )


def compute_national(platform: Tenant, period: Period, defs: dict[str, IndicatorDef],
                     snapshot: AggSnapshot | None) -> NationalOverview:
    """The national page computed now from ``snapshot``'s values (every figure withheld when there is none)."""
    counties = list(
        db.session.execute(
            sa.select(Tenant).where(Tenant.kind == TenantKind.COUNTY)
            .order_by(name_order(Tenant.display_name, reader_lang()), Tenant.id)
        ).scalars()
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
    values = aggregation.snapshot_values(snapshot) if snapshot is not None else {}
    statuses = aggregation.locality_status(all_ids, period.year, county_ids=county_ids)
    councils = council_facts(all_ids, None)
    sensitive, additive = sensitivity(defs)
    county_figures = {}
    for county in counties:
        rows = {tid: values.get(tid, {}) for tid in members.get(county.id, [])}
        totals = aggregation.aggregate(rows, list(defs), defs=defs)
        county_figures[county.id] = county_totals(rows, totals, list(defs), sensitive, additive)
    country = aggregation.aggregate({tid: values.get(tid, {}) for tid in all_ids}, list(defs), defs=defs)
    national = withhold(suppress_national(county_figures, country, list(defs), sensitive, additive),
                        withheld_codes(sensitive, period.quarter, published=snapshot is not None))
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
