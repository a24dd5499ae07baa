"""The councils page: a county's consultative councils and the progress toward its project's targets (no Flask).

A council counts when the locality recorded it (the locality's own
:class:`tenants.models.Council`); a locality that a county project plans to
give a council (the PIN plugin's ``creates_council``) is listed even before
it has one, so the page shows the project's councils — for PIN 2/2008 the
20 of Olt — and which of them exist, are trained and endorsed a plan.

The targets are the PIN 2/2008 project's (20 councils created and trained,
140 council members trained) unless the county's settings say otherwise
(``tenant.settings["county_overview"]["targets"]``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from core.toolkit import Tenant, aggregation, localities_of
from plugins.county_overview.localities import CouncilFacts, as_date, council_facts
from plugins.county_overview.services import ENDORSED, NO_PLAN

DEFAULT_TARGETS = {"councils": 20, "councils_trained": 20, "members_trained": 140}


@dataclass(frozen=True)
class CouncilRow:
    """One locality's council (or the council a project plans for it)."""

    tenant_id: int
    slug: str
    locality: str
    council: CouncilFacts | None
    planned_by: list[str]
    plan_status: str
    plan_endorsed_on: dt.date | None

    @property
    def endorsed(self) -> bool:
        return self.plan_status in ENDORSED


@dataclass(frozen=True)
class Progress:
    """A figure against its target."""

    key: str
    label: str
    value: int
    target: int

    @property
    def percent(self) -> int:
        """Share of the target reached, 0–100 (capped)."""
        if self.target <= 0:
            return 100
        return min(100, round(100 * self.value / self.target))


@dataclass(frozen=True)
class CouncilsOverview:
    """What the councils page shows."""

    county: Tenant
    year: int
    rows: list[CouncilRow]
    progress: list[Progress]
    members: int
    meetings: int


def targets_of(county: Tenant) -> dict[str, int]:
    """The county's targets: its settings over the PIN project's defaults."""
    own = ((county.settings or {}).get("county_overview") or {}).get("targets") or {}
    return {key: int(own.get(key, default)) for key, default in DEFAULT_TARGETS.items()}


def _planned_by(status: dict[str, Any]) -> list[str]:
    return [p.get("title", "") for p in status.get("pin_projects") or [] if p.get("creates_council")]


def councils_overview(county: Tenant, year: int) -> CouncilsOverview:
    """The councils of the county's localities and the progress toward the targets (four queries + one per plugin)."""
    localities = localities_of(county)
    ids = [t.id for t in localities]
    statuses = aggregation.locality_status(ids, year, county_ids=[county.id])
    facts = council_facts(ids, county.id)
    rows = []
    for tenant in localities:
        status = statuses.get(tenant.id, {})
        planned = _planned_by(status)
        council = facts.get(tenant.id)
        if council is None and not planned:
            continue
        rows.append(
            CouncilRow(
                tenant_id=tenant.id,
                slug=tenant.slug,
                locality=tenant.display_name,
                council=council,
                planned_by=planned,
                plan_status=status.get("plan_status") or NO_PLAN,
                plan_endorsed_on=as_date(status.get("plan_endorsed_on")),
            )
        )
    targets = targets_of(county)
    existing = [r.council for r in rows if r.council is not None]
    progress = [
        Progress("councils", "Consilii comunitare consultative înființate", len(existing), targets["councils"]),
        Progress("councils_trained", "Consilii instruite", sum(1 for c in existing if c.trained),
                 targets["councils_trained"]),
        Progress("members_trained", "Membri ai consiliilor instruiți", sum(c.members_trained for c in existing),
                 targets["members_trained"]),
    ]
    return CouncilsOverview(
        county=county,
        year=year,
        rows=rows,
        progress=progress,
        members=sum(c.members for c in existing),
        meetings=sum(c.meetings for c in existing),
    )
