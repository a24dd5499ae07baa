"""Demo data: the PIN 2/2008 project of DGASPC Olt, from the seed document.

``pin_2_2008_olt.json`` is the structured copy of ``seed_pin_2_2008_olt.txt``
(tests check every string of it against the seed text). :func:`load` turns it
into rows of the county tenant with SIRUTA 289 (Olt). Nothing is invented:
the seed gives no budget lines, no schedule, no responsible persons and no
progress, so none are created — the whole 182,850.00 RON shows as
unallocated and every indicator starts at zero. Running it twice changes
nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from core.toolkit import Tenant, db
from plugins.pin_project import services
from plugins.pin_project.models import Programme, Project, ProjectStatus

log = logging.getLogger(__name__)

SEED_JSON = Path(__file__).resolve().parent / "pin_2_2008_olt.json"


def seed_data() -> dict[str, Any]:
    """The structured seed document."""
    with SEED_JSON.open(encoding="utf-8") as fh:
        return json.load(fh)


def find_owner(tenants: dict[str, Any], siruta: int) -> Tenant | None:
    """The demo tenant with this SIRUTA code (the county that runs the project)."""
    return next((t for t in tenants.values() if getattr(t, "siruta", None) == siruta), None)


def load(demo: Any) -> Project | None:
    """Load the seed project into its county (idempotent, flushed; the caller commits).

    Returns ``None`` when the county is not among the demo tenants.
    """
    data = seed_data()
    spec = data["project"]
    owner = find_owner(demo.tenants, spec["owner_siruta"])
    if owner is None:
        log.warning("pin_project demo: no demo tenant with SIRUTA %s; skipped", spec["owner_siruta"])
        return None
    with demo.enter(owner.id):
        return _load_into_scope(data)


def _load_into_scope(data: dict[str, Any]) -> Project:
    spec = data["project"]
    prog = data["programme"]
    programme = db.session.execute(sa.select(Programme).where(Programme.code == prog["code"])).scalar_one_or_none()
    if programme is None:
        programme = services.create_programme(
            code=prog["code"],
            name=prog["name"],
            funder_name=prog["funder"]["name"],
            funder_acronym=prog["funder"]["acronym"],
        )
    existing = db.session.execute(
        sa.select(Project).where(Project.programme_id == programme.id, Project.title == spec["title"])
    ).scalar_one_or_none()
    if existing is not None:
        return existing

    project = services.create_project(
        programme,
        title=spec["title"],
        purpose=spec["purpose"],
        budget_total=Decimal(spec["budget_total"]),
        currency=spec["currency"],
        start_date=dt.date.fromisoformat(spec["start"]),
        end_date=dt.date.fromisoformat(spec["end"]),
        period_text=spec["period_text"],
        status=ProjectStatus.PLANNED,
    )
    for text in spec["objectives"]:
        services.add_objective(project, text)
    for text in spec["target_groups"]:
        services.add_target_group(project, text)

    participating = spec["participating_localities"]["siruta"]
    staff = list(spec["staff_localities"]["siruta"])
    by_siruta = {
        t.siruta: t for t in db.session.execute(sa.select(Tenant).where(Tenant.siruta.in_(participating))).scalars()
    }
    missing = [s for s in participating if s not in by_siruta]
    if missing:
        log.warning("pin_project demo: localities not in the catalog: %s", missing)
    note = spec["participating_localities"]["note"]
    staff_note = spec["staff_localities"]["note"]
    for siruta in participating:
        if siruta in by_siruta:
            services.add_locality(
                project,
                by_siruta[siruta].id,
                employs_staff=siruta in staff,
                creates_council=True,
                note=f"{note}\n{staff_note}" if siruta in staff else note,
            )

    for item in spec["activities"]:
        activity = services.add_activity(
            project, number=item["number"], title=item["title"], detail=item["detail"], steps=item["steps"]
        )
        if item["number"] == spec["staff_localities"]["activity"]:
            services.set_activity_localities(activity, [by_siruta[s].id for s in staff if s in by_siruta])
        elif "20 de consilii comunitare consultative" in (item["detail"] or ""):
            services.set_activity_localities(activity, [by_siruta[s].id for s in participating if s in by_siruta])

    for item in spec["results"]:
        result = services.add_result(project, item["text"])
        for ind in item["indicators"]:
            services.add_indicator(
                result,
                code=ind["code"],
                label=ind["label"],
                unit=ind["unit"],
                comparator=ind["comparator"],
                target=Decimal(ind["target"]),
                deliverable=ind["deliverable"],
                note=ind.get("note"),
                breakdown=[(b["label"], Decimal(b["target"])) for b in ind["breakdown"]],
            )
    return project
