"""Budget rules: lines within the total, expenditures within the period and the line, overrides, exact sums."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import audit, tenancy
from core.db import db
from core.numbers import NumberError, parse_number
from plugins.pin_project import services
from plugins.pin_project.models import BudgetLine, Expenditure

from .conftest import END, START, line_ids, make_project


def _spend(olt, project_id, line, amount, day=dt.date(2009, 3, 1), **kwargs):  # type: ignore[no-untyped-def]
    with olt.scope():
        project = services.get_project(project_id)
        expenditure = services.record_expenditure(project, line_id=line, spent_on=day, amount=Decimal(amount), **kwargs)
        db.session.commit()
        return expenditure.id


def test_lines_may_not_exceed_the_total_and_the_rest_shows_as_unallocated(olt, project_id):
    with olt.scope():
        project = services.get_project(project_id)
        summary = services.budget_summary(project)
        assert (summary.total, summary.allocated, summary.unallocated) == (
            Decimal("182850.00"),
            Decimal("150000.00"),
            Decimal("32850.00"),
        )
        services.add_budget_line(project, category="Materiale", planned=Decimal("32850.00"))
        assert services.budget_summary(project).unallocated == Decimal("0.00")
        with pytest.raises(services.RuleViolation) as refused:
            services.add_budget_line(project, category="Seminar", planned=Decimal("0.01"))
        assert refused.value.field == "planned"
        assert refused.value.reason == (
            "Liniile bugetare ar totaliza 182.850,01 lei, peste bugetul total al proiectului "
            "(182.850,00 lei); nealocat: 0,00 lei."
        )


def test_the_total_cannot_fall_below_what_the_lines_plan(olt, project_id):
    with olt.scope():
        project = services.get_project(project_id)
        with pytest.raises(services.RuleViolation) as refused:
            services.update_project(project, {"budget_total": Decimal("149999.99")})
        assert refused.value.field == "budget_total"
        assert "150.000,00 lei" in refused.value.reason
        services.update_project(project, {"budget_total": Decimal("150000.00")})
        assert services.budget_summary(project).unallocated == Decimal("0.00")


def test_a_revision_keeps_the_original_amount_and_its_history(olt, project_id):
    lines = line_ids(olt, project_id)
    _spend(olt, project_id, lines["Personal"], "20000.00")
    with olt.scope():
        project = services.get_project(project_id)
        personal = services.get_budget_line(project, lines["Personal"])
        services.revise_budget_line(personal, planned=Decimal("60000.00"), reason="act adițional 1")
        services.revise_budget_line(personal, planned=Decimal("55000.00"), reason="act adițional 2")
        db.session.commit()
        assert (personal.planned_original, personal.planned, personal.revised) == (
            Decimal("50000.00"),
            Decimal("55000.00"),
            True,
        )
        assert [(r.previous, r.planned, r.reason) for r in personal.revisions] == [
            (Decimal("50000.00"), Decimal("60000.00"), "act adițional 1"),
            (Decimal("60000.00"), Decimal("55000.00"), "act adițional 2"),
        ]
        # beyond the total
        with pytest.raises(services.RuleViolation) as refused:
            services.revise_budget_line(personal, planned=Decimal("82850.01"))
        assert "peste bugetul total" in refused.value.reason
        # below what was already spent on the line
        with pytest.raises(services.RuleViolation) as refused:
            services.revise_budget_line(personal, planned=Decimal("19999.99"))
        assert refused.value.reason == (
            "Suma planificată nu poate fi mai mică decât suma deja cheltuită pe linie (20.000,00 lei)."
        )


def test_an_expenditure_outside_the_project_period_is_refused_with_the_period(olt, project_id):
    line = line_ids(olt, project_id)["Formare"]
    for day in (START - dt.timedelta(days=1), END + dt.timedelta(days=1)):
        with pytest.raises(services.RuleViolation) as refused:
            _spend(olt, project_id, line, "10.00", day=day)
        assert refused.value.errors == {"date": ["În afara perioadei proiectului (01.11.2008 – 31.12.2009)"]}
    for day in (START, END):  # both ends are inside
        _spend(olt, project_id, line, "10.00", day=day)


def test_an_expenditure_beyond_its_line_is_refused_with_what_is_left(olt, project_id):
    line = line_ids(olt, project_id)["Formare"]
    _spend(olt, project_id, line, "98765.44")
    with pytest.raises(services.RuleViolation) as refused:
        _spend(olt, project_id, line, "1234.57")
    assert refused.value.errors == {"amount": ["Depășește suma rămasă pe linia „Formare” (rămas 1.234,56 lei)"]}
    _spend(olt, project_id, line, "1234.56")  # exactly what is left is fine
    with olt.scope():
        assert services.budget_summary(services.get_project(project_id)).lines[0].remaining == Decimal("0.00")


def test_both_rules_broken_name_both_fields_and_nothing_is_written(olt, project_id):
    line = line_ids(olt, project_id)["Personal"]
    with pytest.raises(services.RuleViolation) as refused:
        _spend(olt, project_id, line, "50000.01", day=dt.date(2010, 1, 5))
    assert set(refused.value.errors) == {"date", "amount"}
    with olt.scope():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Expenditure)).scalar() == 0


def test_an_override_needs_the_permission_and_a_justification(olt, project_id):
    line = line_ids(olt, project_id)["Personal"]
    with pytest.raises(services.OverrideForbidden):
        _spend(olt, project_id, line, "60000.00", override=True, justification="urgent", may_override=False)
    with pytest.raises(services.RuleViolation) as refused:
        _spend(olt, project_id, line, "60000.00", override=True, justification="   ", may_override=True)
    assert refused.value.field == "override_justification"


def test_an_override_is_recorded_marked_and_audited_with_its_justification(olt, project_id):
    line = line_ids(olt, project_id)["Personal"]
    justification = "Factura de salarii din ianuarie 2010 aferentă lunii decembrie 2009 (aprobare ANPDC nr. 12)"
    with olt.scope(), audit.acting_as(audit.Actor(user_id=olt.coordinator.id, label="user:coordonator")):
        project = services.get_project(project_id)
        expenditure = services.record_expenditure(
            project,
            line_id=line,
            spent_on=dt.date(2010, 1, 15),
            amount=Decimal("50000.50"),
            override=True,
            justification=justification,
            may_override=True,
            user_id=olt.coordinator.id,
        )
        db.session.commit()
        eid = expenditure.id
        assert expenditure.override is True
        assert expenditure.overridden_by_id == olt.coordinator.id
        assert expenditure.override_reasons == (
            "În afara perioadei proiectului (01.11.2008 – 31.12.2009)\n"
            "Depășește suma rămasă pe linia „Personal” (rămas 50.000,00 lei)"
        )
        summary = services.budget_summary(project)
        assert summary.lines[1].remaining == Decimal("-0.50")  # visibly over the line
        assert services.monthly_spending(project)[-1].label == "01.2010"
    with olt.app.app_context(), tenancy.system_context():
        entries = db.session.execute(
            sa.select(audit.AuditEntry).where(audit.AuditEntry.entity == "pin_expenditure")
        ).scalars()
        [entry] = [e for e in entries if e.changed.get("id", [None, None])[1] == eid]
    assert entry.action == "insert"
    assert entry.tenant_id == olt.county.id
    assert entry.actor_user_id == olt.coordinator.id
    assert entry.changed["override"] == [None, True]
    assert entry.changed["override_justification"] == [None, justification]


def test_without_a_broken_rule_an_override_request_changes_nothing(olt, project_id):
    line = line_ids(olt, project_id)["Personal"]
    eid = _spend(olt, project_id, line, "10.00", override=True, justification="nu e cazul", may_override=True)
    with olt.scope():
        expenditure = db.session.execute(sa.select(Expenditure).where(Expenditure.id == eid)).scalar_one()
        assert (expenditure.override, expenditure.override_justification) == (False, None)


def test_amounts_must_be_positive_decimals_to_the_ban(olt, project_id):
    line = line_ids(olt, project_id)["Personal"]
    for bad in ("0", "-1.00", "0.001"):
        with pytest.raises(services.RuleViolation) as refused:
            _spend(olt, project_id, line, bad)
        assert refused.value.field == "amount"
    with olt.scope(), pytest.raises(TypeError):
        services.record_expenditure(
            services.get_project(project_id),
            line_id=line,
            spent_on=START,
            amount=1.5,  # type: ignore[arg-type]
        )


def test_a_line_of_another_project_is_refused(olt, project_id):
    other = make_project(olt, lines={"Altceva": "10.00"})
    foreign_line = line_ids(olt, other)["Altceva"]
    with pytest.raises(services.RuleViolation) as refused:
        _spend(olt, project_id, foreign_line, "1.00")
    assert refused.value.field == "budget_line_id"


def test_spending_per_month_covers_the_period_and_adds_up(olt, project_id):
    lines = line_ids(olt, project_id)
    _spend(olt, project_id, lines["Formare"], "100.10", day=dt.date(2008, 11, 30))
    _spend(olt, project_id, lines["Personal"], "200.20", day=dt.date(2008, 11, 1))
    _spend(olt, project_id, lines["Formare"], "0.01", day=dt.date(2009, 12, 31))
    with olt.scope():
        months = services.monthly_spending(services.get_project(project_id))
    assert len(months) == 14
    assert (months[0].label, months[0].amount, months[0].cumulative) == (
        "11.2008",
        Decimal("300.30"),
        Decimal("300.30"),
    )
    assert all(m.amount == 0 for m in months[1:-1])
    assert (months[-1].label, months[-1].cumulative) == ("12.2009", Decimal("300.31"))


def test_thousands_of_expenditures_add_up_to_the_ban(olt):
    rng = random.Random(20081101)
    amounts = [Decimal(rng.randint(1, 99_999_99)) / 100 for _ in range(3000)]
    total = sum(amounts, Decimal(0))
    project_id = make_project(olt, total=str(total + Decimal("0.07")), lines={"A": str(total)})
    line = line_ids(olt, project_id)["A"]
    days = [START + dt.timedelta(days=rng.randint(0, (END - START).days)) for _ in amounts]
    with olt.scope():
        project = services.get_project(project_id)
        for amount, day in zip(amounts, days, strict=True):
            services.record_expenditure(project, line_id=line, spent_on=day, amount=amount)
        db.session.commit()
        summary = services.budget_summary(project)
        months = services.monthly_spending(project)
        stored = db.session.execute(sa.select(Expenditure.amount)).scalars().all()
    assert sorted(stored) == sorted(amounts)
    assert summary.spent == total
    assert summary.lines[0].remaining == Decimal("0.00")
    assert summary.remaining == Decimal("0.07")
    assert summary.unallocated == Decimal("0.07")
    assert months[-1].cumulative == total
    assert sum((m.amount for m in months), Decimal(0)) == total
    by_month: dict[tuple[int, int], Decimal] = {}
    for amount, day in zip(amounts, days, strict=True):
        by_month[(day.year, day.month)] = by_month.get((day.year, day.month), Decimal(0)) + amount
    assert {(m.year, m.month): m.amount for m in months if m.amount} == by_month


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2, allow_nan=False),
        min_size=1,
        max_size=60,
    )
)
def test_any_amounts_add_up_exactly_in_sql_and_in_python(olt, amounts):
    total = sum(amounts, Decimal(0))
    project_id = make_project(olt, total=str(total), lines={"L": str(total)})
    line = line_ids(olt, project_id)["L"]
    with olt.scope():
        project = services.get_project(project_id)
        for amount in amounts:
            services.record_expenditure(project, line_id=line, spent_on=START, amount=amount)
        db.session.flush()
        summary = services.budget_summary(project)
        assert summary.spent == total
        assert summary.lines[0].remaining == Decimal("0.00")
        with pytest.raises(services.RuleViolation):
            services.record_expenditure(project, line_id=line, spent_on=START, amount=Decimal("0.01"))
        db.session.rollback()


def test_format_and_parse_romanian_amounts():
    assert services.format_money(Decimal("1234.5")) == "1.234,50"
    assert services.format_money(Decimal("-0.5")) == "-0,50"
    assert services.format_money(Decimal("182850")) == "182.850,00"
    # amounts are read by the platform's one parser (core.numbers), the reader's way
    assert parse_number("1.234,56", "ro", "money") == Decimal("1234.56")
    assert parse_number("1234,56", "ro", "money") == Decimal("1234.56")
    assert parse_number("12.500", "ro", "money") == Decimal("12500")
    for bad in ("", "abc", "1,2,3", "NaN", "Infinity", "1,234.56", " 182.850 lei"):
        with pytest.raises(NumberError):
            parse_number(bad, "ro", "money")


def test_deleting_a_line_with_expenditures_is_refused(olt, project_id):
    lines = line_ids(olt, project_id)
    _spend(olt, project_id, lines["Formare"], "1.00")
    with olt.scope():
        project = services.get_project(project_id)
        with pytest.raises(services.RuleViolation):
            services.delete_budget_line(services.get_budget_line(project, lines["Formare"]))
        services.delete_budget_line(services.get_budget_line(project, lines["Personal"]))
        db.session.commit()
        assert [line.category for line in db.session.execute(sa.select(BudgetLine)).scalars()] == ["Formare"]
