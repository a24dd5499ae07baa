"""Property tests of the domain rules the plugin tests check case by case.

``tests/plugins/prevention_plan/test_services.py`` tries every single move
from every status; here hypothesis plays whole *sequences* of moves (sent
back, endorsed again, evaluated…) against a model of the chain.
``tests/plugins/pin_project/test_budget.py`` checks that amounts add up to
the ban; here random sequences of budget lines, revisions and expenditures
keep every budget invariant, and a refused operation changes nothing.
(Suppression already has its properties in
``tests/plugins/county_overview/test_county_suppression.py``.)
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import tenancy
from core.db import db
from core.numbers import parse_number
from plugins.pin_project import services as pin
from plugins.prevention_plan import demo as plan_demo
from plugins.prevention_plan import services as plan
from plugins.prevention_plan.models import LOCKED_STATUSES, PlanStatus

S = PlanStatus
ALLOWED = {(step.source, step.target) for step in plan.STEPS}
PROPERTY = settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def locality(app: Any, make_tenant: Any) -> Any:
    """A locality with its consultative council (six members); the app context stays pushed."""
    tenant = make_tenant(name="MUNICIPIUL TÂRGU SECUIESC")
    with app.app_context(), tenancy.tenant_context(tenant.id):
        council = plan_demo.load_council(plan.load_seed())
        db.session.commit()
        tenant.member_ids = [m.id for m in council.members]
        yield tenant
        db.session.rollback()


def fields_for(target: PlanStatus, members: list[int]) -> dict[str, Any]:
    """Everything a move into ``target`` asks for."""
    return {
        S.DRAFT: {"note": "De refăcut capitolul 3."},
        S.ENDORSED: {"aviz_number": "7", "aviz_date": dt.date(2025, 1, 20), "members_present": members},
        S.APPROVED: {  # documents are never dated in the future, and follow one another
            "hcl_number": "15", "hcl_date": dt.date(2025, 2, 26),
            "referat_number": "1020", "referat_date": dt.date(2025, 2, 10),
            "raport_number": "1021", "raport_date": dt.date(2025, 2, 11),
        },
        S.EVALUATED: {"narrative": "Planul a fost realizat în mare parte."},
    }.get(target, {})


@PROPERTY
@given(moves=st.lists(st.sampled_from(list(PlanStatus)), max_size=12))
def test_any_sequence_of_moves_follows_the_approval_chain(locality, moves):
    the_plan = plan.create_plan(2030)
    activity = plan.add_activity(plan.add_objective(the_plan, "Prevenirea separării"), "Consiliere")
    plan.add_indicator(activity, {"label": "Număr persoane consiliate"})  # a plan reaches the council with content
    status, done = S.DRAFT, []
    try:
        for target in moves:
            if (status, target) in ALLOWED:
                record = plan.transition(the_plan, target, fields_for(target, locality.member_ids))
                assert (record.from_status, record.to_status) == (status, target)
                status = target
                done.append(target)
            else:
                with pytest.raises(plan.TransitionRefusedError):
                    plan.transition(the_plan, target, fields_for(target, locality.member_ids))
            assert the_plan.status == status
            assert [t.to_status for t in the_plan.transitions] == done
            assert {s.target for s in plan.allowed_steps(the_plan)} == {t for s, t in ALLOWED if s == status}
            if status in LOCKED_STATUSES:
                with pytest.raises(plan.PlanLockedError):
                    plan.ensure_editable(the_plan)
            else:
                plan.ensure_editable(the_plan)
    finally:
        db.session.rollback()


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("60000.00"), places=2)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("line"), st.just(0), amounts),
        st.tuples(st.just("revise"), st.integers(0, 3), amounts),
        st.tuples(st.just("spend"), st.integers(0, 3), amounts),
    ),
    max_size=14,
)
TOTAL = Decimal("100000.00")
START, END = dt.date(2008, 11, 1), dt.date(2009, 12, 31)


@PROPERTY
@given(ops=operations)
def test_budget_invariants_hold_and_a_refused_operation_changes_nothing(locality, ops):
    programme = pin.create_programme(code="PIN 2/2008", name="Program", funder_name="ANPDC")
    project = pin.create_project(programme, title="Proiect", budget_total=TOTAL, start_date=START, end_date=END)
    planned: list[Decimal] = []
    spent: list[Decimal] = []
    try:
        for n, (kind, index, amount) in enumerate(ops):
            lines = list(project.budget_lines)
            before = pin.budget_summary(project)
            if kind == "line":
                ok = sum(planned, Decimal(0)) + amount <= TOTAL
                call = functools.partial(pin.add_budget_line, project, category=f"Linia {n}", planned=amount)
            elif not lines:
                continue
            elif kind == "revise":
                i = index % len(lines)
                ok = sum(planned, Decimal(0)) - planned[i] + amount <= TOTAL and amount >= spent[i]
                call = functools.partial(pin.revise_budget_line, lines[i], planned=amount, reason="rectificare")
            else:
                i = index % len(lines)
                ok = amount <= planned[i] - spent[i]
                call = functools.partial(
                    pin.record_expenditure, project, line_id=lines[i].id, spent_on=START, amount=amount
                )
            if ok:
                call()
                if kind == "line":
                    planned.append(amount)
                    spent.append(Decimal(0))
                elif kind == "revise":
                    planned[i] = amount
                else:
                    spent[i] += amount
            else:
                with pytest.raises(pin.RuleViolation):
                    call()
                assert pin.budget_summary(project) == before
            summary = pin.budget_summary(project)
            assert summary.allocated == sum(planned, Decimal(0)) <= TOTAL
            assert summary.unallocated == TOTAL - summary.allocated >= 0
            assert summary.spent == sum(spent, Decimal(0))
            assert [line.planned for line in summary.lines] == planned
            assert all(line.remaining == p - s >= 0 for line, p, s in zip(summary.lines, planned, spent, strict=True))
    finally:
        db.session.rollback()


@settings(max_examples=200, deadline=None, database=None)
@given(amount=st.decimals(min_value=Decimal("0"), max_value=Decimal("9999999999.99"), places=2))
def test_romanian_amounts_read_back_as_written(amount):
    assert parse_number(pin.format_money(amount), "ro", "money") == amount
