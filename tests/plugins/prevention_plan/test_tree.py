"""The plan tree read for the API without ORM objects gives exactly what the ORM tree gives."""

from __future__ import annotations

import pytest

from core.db import db
from plugins.prevention_plan import services
from plugins.prevention_plan.schemas import PlanTreeSchema
from plugins.prevention_plan.services import NotFoundError
from plugins.prevention_plan.tree import read_plan_tree

from .conftest import in_tenant


def _both(town, plan_id: int | None = None) -> tuple[dict, dict]:
    with town.scope():
        db.session.expire_all()
        schema = PlanTreeSchema()
        return schema.dump(read_plan_tree(plan_id or town.plan_id)), schema.dump(town.plan(plan_id))


@pytest.mark.parametrize("which", ["town", "pg_town"])
def test_the_seed_plan_reads_the_same_with_and_without_the_orm(which, request):
    town = request.getfixturevalue(which)
    fast, orm = _both(town)
    assert fast == orm
    assert len(fast["objectives"]) == 8
    assert sum(len(o["activities"]) for o in fast["objectives"]) == 14
    assert sum(len(a["indicators"]) for o in fast["objectives"] for a in o["activities"]) == 18


def test_an_edited_revision_with_empty_parts_reads_the_same(town):
    with town.scope():
        plan = services.new_revision(town.plan())
        objective = services.add_objective(plan, "Obiectiv fără activități")
        services.add_activity(plan.objectives[0], "Activitate fără responsabili și indicatori")
        plan_id, objective_id = plan.id, objective.id
        db.session.commit()
    fast, orm = _both(town, plan_id)
    assert fast == orm
    assert fast["locked"] is False and fast["allowed_transitions"] == ["submitted"]
    assert next(o for o in fast["objectives"] if o["id"] == objective_id)["activities"] == []


def test_another_tenants_plan_is_not_found(town):
    with in_tenant(town.app, town.other.id), pytest.raises(NotFoundError):
        read_plan_tree(town.plan_id)
