"""The county page: every locality with its plan, council, indicators and projects (no Flask here).

With a snapshot, the page reads the rows the refresh stored with it (one
row: plans, councils and figures as of the refresh, the moment the page
names; the locality page and the "recalculate now" button give the present).
Without one it computes them with a fixed number of queries whatever the
number of localities: the localities (one), the plugins' statuses (one per
plugin), the councils (one per table) and the figures (one per plugin).
Filtering and sorting happen on the loaded rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from core.toolkit import (
    N_,
    IndicatorDef,
    Period,
    Tenant,
    aggregation,
    db,
    get_by_slug,
    localities_of,
    name_key,
    read_scope,
    reader_lang,
    search_keys,
)
from plugins.county_overview import NAME
from plugins.county_overview.localities import CouncilFacts, as_date, council_facts, council_members
from plugins.county_overview.suppression import RULES_VERSION

PLAN_CHAIN = ("draft", "submitted", "endorsed", "approved", "in_implementation", "evaluated")
"""The prevention plan's approval chain, in order (the plan plugin's ``plan_status`` values)."""
ENDORSED = frozenset({"endorsed", "approved", "in_implementation", "evaluated"})
NO_PLAN = "none"
PLAN_STATUS_LABELS = {
    NO_PLAN: N_("fără plan"),
    "draft": N_("în lucru"),
    "submitted": N_("transmis consiliului"),
    "endorsed": N_("avizat de consiliu"),
    "approved": N_("aprobat prin HCL"),
    "in_implementation": N_("în implementare"),
    "evaluated": N_("evaluat"),
}
"""Romanian msgids of the plan statuses (pages translate them)."""

KEY_INDICATORS = (
    "children_identified", "families_identified", "persons_counselled", "service_plans", "persons_trained",
    "councils_created",
)
"""The catalog codes the pages show as columns (exports carry every code); a county may choose its own."""

SORT_KEYS = ("name", "status", "endorsed_on", "council", "members", "trained", "meetings", "last_meeting",
             "projects")
"""Sort keys of the county page besides ``ind:<code>``; a leading ``-`` sorts descending."""

COUNCIL_FILTERS = ("", "none", "set", "trained")
"""The council filter: any, no council, a council, a trained council."""

PER_PAGE = (25, 50, 100, 0)
"""Rows per page of the county table (0: all); 50 by default."""


@dataclass
class LocalityRow:
    """One locality of the county page."""

    tenant_id: int
    slug: str
    name: str
    siruta: int | None
    active: bool
    search_keys: tuple[str, str]
    plan_status: str
    plan_endorsed_on: dt.date | None
    council: CouncilFacts | None
    indicators: dict[str, Decimal]
    projects: list[dict[str, Any]]
    statuses: dict[str, Any]

    @property
    def endorsed(self) -> bool:
        """Whether this year's plan got the council's aviz (or went further)."""
        return self.plan_status in ENDORSED

    def endorsed_by(self, day: dt.date) -> bool:
        """Whether the plan was endorsed on or before ``day`` (an endorsed plan without a recorded date counts)."""
        return self.endorsed and (self.plan_endorsed_on is None or self.plan_endorsed_on <= day)


@dataclass
class Totals:
    """The totals row of the rows shown."""

    localities: int
    active: int
    with_plan: int
    endorsed: int
    councils: int
    councils_trained: int
    members: int
    members_trained: int
    meetings: int
    indicators: dict[str, Decimal | None]


@dataclass
class CountyOverview:
    """What the county page shows."""

    county: Tenant
    period: Period
    defs: dict[str, IndicatorDef]
    rows: list[LocalityRow]
    all_rows: list[LocalityRow]
    totals: Totals
    computed_at: dt.datetime | None
    live: bool
    sort: str = "name"
    query: str = ""
    status: str = ""
    council: str = ""
    statuses_seen: list[str] = field(default_factory=list)

    key_codes: list[str] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        """Every catalog code (the exports' columns)."""
        return list(self.defs)


def key_codes(defs: Mapping[str, IndicatorDef], county: Tenant | None = None) -> list[str]:
    """The codes shown as columns: the county's choice, else :data:`KEY_INDICATORS`, else the first six."""
    chosen = (((county.settings or {}) if county is not None else {}).get("county_overview") or {}).get(
        "key_indicators"
    ) or KEY_INDICATORS
    codes = [c for c in chosen if c in defs]
    return codes or list(defs)[:6]


def _row(tenant: Tenant, status: Mapping[str, Any], council: CouncilFacts | None,
         values: Mapping[str, Decimal]) -> LocalityRow:
    return LocalityRow(
        tenant_id=tenant.id,
        slug=tenant.slug,
        name=tenant.display_name,
        siruta=tenant.siruta,
        active=tenant.active,
        search_keys=(tenant.search_key_a, tenant.search_key_i),
        plan_status=status.get("plan_status") or NO_PLAN,
        plan_endorsed_on=as_date(status.get("plan_endorsed_on")),
        council=council,
        indicators=dict(values),
        projects=list(status.get("pin_projects") or []),
        statuses=dict(status),
    )


SUMMARY_VERSION = 2
"""Bumped when the stored form of a page changes (stored pages of an older form are then recomputed)."""


def summary_stamp(defs: Mapping[str, IndicatorDef]) -> list[Any]:
    """What a page stored with a snapshot depends on besides the snapshot itself.

    The stored form, the suppression rules and every catalog code with how
    it adds up and whether its small counts are hidden: when any of them
    changes (a plugin update, a code made sensitive), the page is computed
    again from the snapshot rather than shown as stored.
    """
    return [SUMMARY_VERSION, RULES_VERSION, *([c, d.aggregation, d.sensitive] for c, d in defs.items())]


def stored_page(snapshot: Any, defs: Mapping[str, IndicatorDef]) -> dict[str, Any] | None:
    """The page stored with ``snapshot`` under the current :func:`summary_stamp`, if any."""
    stored = aggregation.snapshot_summary(snapshot, NAME)
    if not isinstance(stored, dict) or stored.get("stamp") != summary_stamp(defs):
        return None
    return stored


def build_rows(county: Tenant, period: Period) -> tuple[list[LocalityRow], aggregation.Figures]:
    """Every locality of ``county`` (active or not) with its facts.

    From the county snapshot's stored page when it still fits (same stamp,
    same localities with the same active flags): the rows as the refresh saw
    them (plans, councils and figures of one moment, the one the page
    names), two statements. Otherwise computed now, set-based
    (:func:`compute_rows`).
    """
    snapshot = aggregation.latest_snapshot(county.id, period)
    stored = stored_page(snapshot, aggregation.catalog())
    if snapshot is not None and stored is not None:
        rows = [_row_from_plain(row) for row in stored["rows"]]
        if {(r.tenant_id, r.active) for r in rows} == _localities_now(county):
            figures = aggregation.Figures({r.tenant_id: r.indicators for r in rows}, snapshot.computed_at, live=False)
            return rows, figures
    return compute_rows(county, period)


def _localities_now(county: Tenant) -> set[tuple[int, bool]]:
    # a locality activated, deactivated or moved since the refresh makes the stored page wrong: recompute it
    found = db.session.execute(sa.select(Tenant.id, Tenant.active).where(Tenant.parent_id == county.id))
    return {(int(tid), bool(active)) for tid, active in found}


def compute_rows(county: Tenant, period: Period) -> tuple[list[LocalityRow], aggregation.Figures]:
    """The county page's rows computed now: plans and councils live, figures from the snapshot or live."""
    localities = localities_of(county)
    ids = [t.id for t in localities]
    with read_scope([*ids, county.id]):  # the scope each reader asks for: entered once for all of them
        statuses = aggregation.locality_status(ids, period.year, county_ids=[county.id])
        councils = council_facts(ids, county.id)
        figures = aggregation.figures(county, ids, period)
    rows = [
        _row(t, statuses.get(t.id, {}), councils.get(t.id), figures.values.get(t.id, {})) for t in localities
    ]
    return rows, figures


def county_summary(county: Tenant, period: Period) -> dict[str, Any]:
    """The county page's rows of the snapshot just refreshed, as plain JSON values (``vatra_snapshot_summary``)."""
    rows, _figures = compute_rows(county, period)
    return {"stamp": summary_stamp(aggregation.catalog()), "rows": [jsonable(asdict(r)) for r in rows]}


def jsonable(value: Any) -> Any:
    """Plugin-given values as JSON: dates in ISO form, decimals as strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row_from_plain(data: Mapping[str, Any]) -> LocalityRow:
    council = data.get("council")
    return LocalityRow(
        tenant_id=data["tenant_id"],
        slug=data["slug"],
        name=data["name"],
        siruta=data["siruta"],
        active=data["active"],
        search_keys=(data["search_keys"][0], data["search_keys"][1]),
        plan_status=data["plan_status"],
        plan_endorsed_on=as_date(data["plan_endorsed_on"]),
        council=None if council is None else CouncilFacts(**{
            **council, **{k: as_date(council[k]) for k in COUNCIL_DATES}}),
        indicators={code: Decimal(value) for code, value in data["indicators"].items()},
        projects=list(data["projects"]),
        statuses=dict(data["statuses"]),
    )


COUNCIL_DATES = ("founding_decision_date", "established_on", "trained_on", "last_meeting")
"""The date fields of :class:`CouncilFacts` (ISO text in a stored summary)."""


@dataclass
class LocalityDetail:
    """One locality, read-only, as its county sees it: live figures, council members, every plugin's status."""

    row: LocalityRow
    members: list[dict[str, Any]]
    defs: dict[str, IndicatorDef]
    period: Period
    blocks: list[Any] = field(default_factory=list)

    @property
    def statuses(self) -> dict[str, Any]:
        return self.row.statuses

    live = True


def locality_detail(county: Tenant, slug: str, period: Period) -> LocalityDetail | None:
    """A locality of ``county`` by slug (None when it is not one of the county's) with live figures."""
    tenant = get_by_slug(slug)
    if tenant is None or tenant.parent_id != county.id or not tenant.is_locality:
        return None
    status = aggregation.locality_status([tenant.id], period.year, county_ids=[county.id]).get(tenant.id, {})
    council = council_facts([tenant.id], county.id).get(tenant.id)
    values = aggregation.live_values([tenant.id], period, county_ids=[county.id]).get(tenant.id, {})
    return LocalityDetail(
        row=_row(tenant, status, council, values),
        members=council_members(tenant.id, county.id),
        defs=aggregation.catalog(),
        period=period,
        blocks=[w for _plugin, w in aggregation.locality_detail(tenant.id, period.year, county_id=county.id)],
    )


def matches(row: LocalityRow, query: str) -> bool:
    """Whether the locality's name matches ``query`` whatever the spelling (diacritics, â/î, cedilla)."""
    key_a, key_i = search_keys(query)
    if not key_a and not key_i:
        return True
    return key_a in row.search_keys[0] or key_i in row.search_keys[1]


def council_matches(row: LocalityRow, council: str) -> bool:
    """Whether the row's council is as the filter asks (:data:`COUNCIL_FILTERS`)."""
    if council == "none":
        return row.council is None
    if council == "set":
        return row.council is not None
    if council == "trained":
        return row.council is not None and row.council.trained
    return True


def filter_rows(rows: Iterable[LocalityRow], query: str = "", status: str = "", council: str = "") -> list[LocalityRow]:
    """The rows whose name matches ``query``, plan status is ``status`` (``"none"``: no plan), council ``council``."""
    return [r for r in rows
            if matches(r, query) and (not status or r.plan_status == status) and council_matches(r, council)]


def _sort_value(row: LocalityRow, key: str) -> Any:
    council = row.council
    if key == "name":
        return row.search_keys[0]
    if key == "status":
        return PLAN_CHAIN.index(row.plan_status) if row.plan_status in PLAN_CHAIN else -1
    if key == "endorsed_on":
        return row.plan_endorsed_on
    if key == "council":
        return council is not None
    if key == "members":
        return council.members if council else 0
    if key == "trained":
        return council.members_trained if council else 0
    if key == "meetings":
        return council.meetings if council else 0
    if key == "last_meeting":
        return council.last_meeting if council else None
    if key == "projects":
        return len(row.projects)
    if key.startswith("ind:"):
        return row.indicators.get(key[4:])
    raise ValueError(f"unknown sort key {key!r}")


def valid_sort(sort: str, codes: Iterable[str]) -> bool:
    """Whether ``sort`` names a known column (with an optional leading ``-``)."""
    key = sort.removeprefix("-")
    return key in SORT_KEYS or (key.startswith("ind:") and key[4:] in set(codes))


def sort_rows(rows: Sequence[LocalityRow], sort: str, lang: str = "ro") -> list[LocalityRow]:
    """Rows sorted by ``sort`` (``-`` for descending); empty values last, then by name in ``lang``'s order.

    Names sort without their unit prefix ("Municipiul Slatina" under S), in
    the reader's alphabet (:mod:`tenants.collation`).
    """
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    names = {r.tenant_id: name_key(r.name, lang) for r in rows}
    if key == "name":
        return sorted(rows, key=lambda r: names[r.tenant_id], reverse=descending)
    present = [r for r in rows if _sort_value(r, key) is not None]
    missing = [r for r in rows if _sort_value(r, key) is None]
    present.sort(key=lambda r: names[r.tenant_id])
    present.sort(key=lambda r: _sort_value(r, key), reverse=descending)
    missing.sort(key=lambda r: names[r.tenant_id])
    return present + missing


def totals_of(rows: Sequence[LocalityRow], defs: Mapping[str, IndicatorDef]) -> Totals:
    """The totals row: counts, council sums and each indicator added up as the catalog says."""
    councils = [r.council for r in rows if r.council is not None]
    values = {r.tenant_id: r.indicators for r in rows}
    return Totals(
        localities=len(rows),
        active=sum(1 for r in rows if r.active),
        with_plan=sum(1 for r in rows if r.plan_status != NO_PLAN),
        endorsed=sum(1 for r in rows if r.endorsed),
        councils=len(councils),
        councils_trained=sum(1 for c in councils if c.trained),
        members=sum(c.members for c in councils),
        members_trained=sum(c.members_trained for c in councils),
        meetings=sum(c.meetings for c in councils),
        indicators=aggregation.aggregate(values, list(defs), defs=defs),
    )


def county_overview(county: Tenant, period: Period, *, sort: str = "name", query: str = "",
                    status: str = "", council: str = "", lang: str | None = None) -> CountyOverview:
    """The county page's data: rows filtered and sorted (names in ``lang``'s order, default the reader's), totals."""
    defs = aggregation.catalog()
    all_rows, figures = build_rows(county, period)
    if not valid_sort(sort, defs):
        sort = "name"
    lang = lang or reader_lang()
    council = council if council in COUNCIL_FILTERS else ""
    all_rows = sort_rows(all_rows, "name", lang)
    shown = sort_rows(filter_rows(all_rows, query, status, council), sort, lang)
    return CountyOverview(
        county=county,
        period=period,
        defs=defs,
        rows=shown,
        all_rows=all_rows,
        totals=totals_of(shown, defs),
        computed_at=figures.computed_at,
        live=figures.live,
        sort=sort,
        query=query,
        status=status,
        council=council,
        statuses_seen=sorted({r.plan_status for r in all_rows}, key=_status_order),
        key_codes=key_codes(defs, county),
    )


def _status_order(status: str) -> int:
    return PLAN_CHAIN.index(status) if status in PLAN_CHAIN else -1


def not_endorsed_by(rows: Iterable[LocalityRow], day: dt.date, lang: str = "ro") -> list[LocalityRow]:
    """The compliance list: localities with no plan endorsed on or before ``day``, by name in ``lang``'s order."""
    return sorted((r for r in rows if not r.endorsed_by(day)), key=lambda r: name_key(r.name, lang))


@dataclass(frozen=True)
class Page:
    """One page of the county table."""

    rows: list[LocalityRow]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        if self.per_page <= 0:
            return 1
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row (0 when there is none)."""
        return 0 if not self.rows else (self.number - 1) * max(self.per_page, 0) + 1

    @property
    def last(self) -> int:
        """The 1-based position of the page's last row."""
        return self.first + len(self.rows) - 1 if self.rows else 0


def paginate(rows: Sequence[LocalityRow], number: int, per_page: int) -> Page:
    """The ``number``-th page of ``per_page`` rows (``0``: all); a page past the end shows the last one."""
    if per_page <= 0:
        return Page(list(rows), 1, 0, len(rows))
    pages = max(1, -(-len(rows) // per_page))
    number = min(max(1, number), pages)
    start = (number - 1) * per_page
    return Page(list(rows[start:start + per_page]), number, per_page, len(rows))


def status_counts(rows: Iterable[LocalityRow]) -> list[tuple[str, int]]:
    """How many rows are at each stage of the plan (no plan first, then the approval chain), zeros kept."""
    counts = dict.fromkeys((NO_PLAN, *PLAN_CHAIN), 0)
    for r in rows:
        counts[r.plan_status] = counts.get(r.plan_status, 0) + 1
    return list(counts.items())
