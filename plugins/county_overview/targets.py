"""Each county's own targets: councils set up and trained, council members trained, indicator totals (no Flask).

A county has no target until its coordinator sets one (the Olt demo gets
the PIN 2/2008 project's expected results, from the seed document). The
pages show a figure without a target as a figure alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from core.toolkit import N_, IndicatorDef, Tenant, db
from plugins.county_overview.models import CountyTarget

COUNCIL_TARGETS = {
    "councils": N_("Consilii comunitare consultative înființate"),
    "councils_trained": N_("Consilii instruite"),
    "members_trained": N_("Membri ai consiliilor instruiți"),
}
"""The council figures a county may set a target for (key → Romanian msgid of its label)."""

MAX_TARGET = 1_000_000
"""Above this a target is a typing mistake (the country has about 3,200 localities and 4 million children)."""

OLT_DEMO_SOURCE = "PIN 2/2008 DGASPC Olt: rezultate așteptate"
OLT_DEMO_TARGETS = {
    "councils": 20, "councils_trained": 20, "members_trained": 140,
    "ind:councils_created": 20, "ind:persons_trained": 200, "ind:service_plans": 300,
}
"""The project's measurable results (seeds/004): 20 councils created and trained, 140 council members
and 200 people trained in all, 300 children with service plans."""


@dataclass(frozen=True)
class TargetField:
    """One target the county may set: its key, label (a msgid, or an indicator's label) and current value."""

    key: str
    label: str
    value: int | None
    source: str | None = None


def indicator_key(code: str) -> str:
    """The target key of an indicator code."""
    return f"ind:{code}"


def targets_of(county: Tenant) -> dict[str, int]:
    """The targets the county set, by key (one query); empty when it set none."""
    rows = db.session.execute(
        sa.select(CountyTarget.key, CountyTarget.target).where(CountyTarget.tenant_id == county.id)
    ).all()
    return {key: int(target) for key, target in rows}


def target_fields(county: Tenant, codes: list[str], defs: Mapping[str, IndicatorDef]) -> list[TargetField]:
    """The county's editable targets: the council figures, then the indicators shown on its page."""
    rows = {
        t.key: t for t in db.session.execute(
            sa.select(CountyTarget).where(CountyTarget.tenant_id == county.id)
        ).scalars()
    }

    def field(key: str, label: str) -> TargetField:
        row = rows.get(key)
        return TargetField(key, label, row.target if row else None, row.source if row else None)

    return [field(k, label) for k, label in COUNCIL_TARGETS.items()] + [
        field(indicator_key(code), defs[code].label) for code in codes if code in defs
    ]


def allowed_keys(codes: list[str]) -> set[str]:
    """The keys a county may set: the council figures and the given indicator codes."""
    return set(COUNCIL_TARGETS) | {indicator_key(c) for c in codes}


def save_targets(county: Tenant, wanted: Mapping[str, int | None], *, source: str | None = None) -> list[str]:
    """Set, change or clear (``None``) the county's targets; returns the keys that changed. The caller commits.

    Every change goes through the ORM, so the audit log records it with the
    value before and after.
    """
    existing = {
        t.key: t for t in db.session.execute(
            sa.select(CountyTarget).where(CountyTarget.tenant_id == county.id)
        ).scalars()
    }
    changed = []
    for key, value in wanted.items():
        row = existing.get(key)
        if value is None:
            if row is not None:
                db.session.delete(row)
                changed.append(key)
        elif row is None:
            db.session.add(CountyTarget(tenant_id=county.id, key=key, target=value, source=source))
            changed.append(key)
        elif row.target != value:
            row.target = value
            row.source = source
            changed.append(key)
    db.session.flush()
    return changed
