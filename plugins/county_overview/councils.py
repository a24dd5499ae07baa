"""The councils page: a county's consultative councils and the progress toward its project's targets (no Flask).

A council counts when the locality recorded it (the locality's own
:class:`tenants.models.Council`); a locality that a county project plans to
give a council (the PIN plugin's ``creates_council``) is listed even before
it has one, so the page shows the project's councils — for PIN 2/2008 the
20 of Olt — and which of them exist, are trained and endorsed a plan.

The targets are the county's own (:mod:`plugins.county_overview.targets`):
none until its coordinator sets them (the Olt demo has the PIN 2/2008
project's 20 councils created and trained, 140 council members trained).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from core.toolkit import Tenant, aggregation, localities_of
from plugins.county_overview.localities import CouncilFacts, as_date, council_facts
from plugins.county_overview.services import ENDORSED, NO_PLAN
from plugins.county_overview.targets import COUNCIL_TARGETS, targets_of


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
    target: int | None

    @property
    def percent(self) -> int | None:
        """Share of the target reached, 0–100 (capped); ``None`` without a target."""
        if self.target is None:
            return None
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


def council_progress(councils: list[CouncilFacts]) -> dict[str, int]:
    """The council figures that targets are set for: councils set up, trained, members trained."""
    return {
        "councils": len(councils),
        "councils_trained": sum(1 for c in councils if c.trained),
        "members_trained": sum(c.members_trained for c in councils),
    }


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
    values = council_progress(existing)
    progress = [Progress(key, label, values[key], targets.get(key)) for key, label in COUNCIL_TARGETS.items()]
    return CouncilsOverview(
        county=county,
        year=year,
        rows=rows,
        progress=progress,
        members=sum(c.members for c in existing),
        meetings=sum(c.meetings for c in existing),
    )
