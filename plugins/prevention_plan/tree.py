"""One plan's tree read for display, without building ORM objects.

``GET /plans/<id>`` is the plan's most frequent request. Profiling it
(``benchmarks/RESULTS.md``) showed 60% of its time going into the ORM
building ~100 objects through seven eager-loading statements, each also
carrying the tenancy loader criteria. This module reads the same rows with
one prepared Core statement per level on the session's connection (so inside the
request's transaction and its Row-Level Security settings) and gives them to
the same marshmallow schema (:class:`~plugins.prevention_plan.schemas.PlanTreeSchema`)
as plain values. Writes keep going through the ORM objects of
:mod:`plugins.prevention_plan.services`.

The ORM's tenancy wall does not see Core statements, so every statement here
names the current tenant itself; PostgreSQL's policies bind them as well.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from core.toolkit import N_, current_tenant_id, db
from plugins.prevention_plan.models import (
    LOCKED_STATUSES,
    Activity,
    Indicator,
    Plan,
    PlanPrinciple,
    PlanSpecificObjective,
    ResponsibleBody,
    Signatory,
    StrategicObjective,
)
from plugins.prevention_plan.services import NotFoundError

_LEVELS: dict[str, tuple[type[Any], tuple[str, ...], tuple[str, ...]]] = {
    # key: (model, columns, order); every level is read by (tenant_id, plan_id)
    "principles": (PlanPrinciple, ("id", "position", "title", "text"), ("position",)),
    "specific_objectives": (PlanSpecificObjective, ("id", "position", "text"), ("position",)),
    "signatories": (Signatory, ("role", "name", "function"), ("id",)),
    "objectives": (StrategicObjective, ("id", "number", "title", "version"), ("number", "id")),
    "activities": (
        Activity,
        ("id", "objective_id", "position", "text", "schedule_months", "budget_estimate", "version"),
        ("position", "id"),
    ),
    "indicators": (
        Indicator,
        ("id", "activity_id", "position", "label", "unit", "target", "baseline", "code", "version"),
        ("position", "id"),
    ),
}


@functools.cache
def _statements() -> dict[str, sa.Select[Any]]:
    """One statement per level, built once: SQLAlchemy then reuses their compiled form and cache keys."""
    tenant, plan = sa.bindparam("tenant_id"), sa.bindparam("plan_id")
    plans = Plan.__table__
    out: dict[str, sa.Select[Any]] = {"plan": sa.select(plans).where(plans.c.tenant_id == tenant, plans.c.id == plan)}
    for key, (model, columns, order) in _LEVELS.items():
        table = model.__table__
        out[key] = (
            sa.select(*(table.c[c] for c in columns))
            .where(table.c.tenant_id == tenant, table.c.plan_id == plan)
            .order_by(*(table.c[c] for c in order))
        )
    responsible, activity = ResponsibleBody.__table__, Activity.__table__
    out["responsible"] = (
        sa.select(responsible.c.id, responsible.c.activity_id, responsible.c.position, responsible.c.name)
        .join(activity, sa.and_(activity.c.tenant_id == responsible.c.tenant_id,
                                activity.c.id == responsible.c.activity_id))
        .where(responsible.c.tenant_id == tenant, activity.c.plan_id == plan)
        .order_by(responsible.c.position, responsible.c.id)
    )
    return out


def read_plan_tree(plan_id: int) -> SimpleNamespace:
    """The plan ``plan_id`` of the current tenant with its whole tree, as :class:`PlanTreeSchema` dumps it.

    Eight statements whatever the size of the plan; NotFoundError when the
    plan is not the current tenant's (or there is no tenant).
    """
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise NotFoundError(N_("Planul nu există."))
    statements = _statements()
    connection = db.session.connection()
    params = {"tenant_id": tenant_id, "plan_id": plan_id}

    def rows(key: str) -> list[dict[str, Any]]:
        return [dict(row) for row in connection.execute(statements[key], params).mappings()]

    found = rows("plan")
    if not found:
        raise NotFoundError(N_("Planul nu există."))
    plan = SimpleNamespace(**found[0])
    plan.locked = plan.status in LOCKED_STATUSES or not plan.is_current
    plan.principles = rows("principles")
    plan.specific_objectives = rows("specific_objectives")
    plan.signatories = rows("signatories")
    objectives, activities = rows("objectives"), rows("activities")
    by_activity: dict[str, dict[int, list[dict[str, Any]]]] = {"responsible": defaultdict(list),
                                                               "indicators": defaultdict(list)}
    for kind in by_activity:
        for row in rows(kind):
            by_activity[kind][row["activity_id"]].append(row)
    by_objective: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in activities:
        row["responsible"] = by_activity["responsible"][row["id"]]
        row["indicators"] = by_activity["indicators"][row["id"]]
        by_objective[row["objective_id"]].append(row)
    for row in objectives:
        row["activities"] = by_objective[row["id"]]
    plan.objectives = objectives
    return plan
