"""The plan's domain logic without a request: chain, lock, revisions, values, evaluation, copies, templates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import product

import pytest
import sqlalchemy as sa

from core import tenancy
from core.api import Period
from core.db import db
from plugins.prevention_plan import services
from plugins.prevention_plan.models import IndicatorValue, Plan, PlanStatus, PlanTemplate, SignatoryRole
from plugins.prevention_plan.services import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PlanLockedError,
    StaleVersionError,
    TransitionRefusedError,
    ValueEntry,
)
from tenants.models import CouncilMeeting

S = PlanStatus
PATH = {
    S.DRAFT: [],
    S.SUBMITTED: [S.SUBMITTED],
    S.ENDORSED: [S.SUBMITTED, S.ENDORSED],
    S.APPROVED: [S.SUBMITTED, S.ENDORSED, S.APPROVED],
    S.IN_IMPLEMENTATION: [S.SUBMITTED, S.ENDORSED, S.APPROVED, S.IN_IMPLEMENTATION],
    S.EVALUATED: [S.SUBMITTED, S.ENDORSED, S.APPROVED, S.IN_IMPLEMENTATION, S.EVALUATED],
}
ALLOWED = {
    (S.DRAFT, S.SUBMITTED),
    (S.SUBMITTED, S.DRAFT),
    (S.SUBMITTED, S.ENDORSED),
    (S.ENDORSED, S.APPROVED),
    (S.APPROVED, S.IN_IMPLEMENTATION),
    (S.IN_IMPLEMENTATION, S.EVALUATED),
}


def step_fields(target: PlanStatus) -> dict:
    """Complete fields for a step into ``target``."""
    if target == S.ENDORSED:
        return {"aviz_number": "7", "aviz_date": dt.date(2026, 1, 20), "members_present": member_ids()}
    if target == S.APPROVED:
        return {
            "hcl_number": "15",
            "hcl_date": dt.date(2026, 2, 26),
            "referat_number": "1020",
            "referat_date": dt.date(2026, 2, 10),
            "raport_number": "1021",
            "raport_date": dt.date(2026, 2, 11),
        }
    if target == S.EVALUATED:
        return {"narrative": "Planul a fost realizat în mare parte."}
    if target == S.DRAFT:
        return {"note": "Consiliul cere completarea obiectivului 3."}
    return {}


def member_ids() -> list[int]:
    return [m.id for m in services.council_members()]


def walk(plan: Plan, to: PlanStatus) -> Plan:
    for target in PATH[to]:
        services.transition(plan, target, step_fields(target))
    return plan


def draft(town, year: int = 2027) -> Plan:
    """A new draft plan of Târgu Secuiesc built from the built-in template."""
    return services.from_template(town.tenant, year, "builtin")


# ---------------------------------------------------------------- the approval chain


def test_every_allowed_transition_passes_and_every_other_is_refused(town):
    with town.scope():
        for year, (source, target) in enumerate(product(PlanStatus, PlanStatus), start=2030):
            plan = walk(draft(town, year), source)
            assert plan.status == source
            if (source, target) in ALLOWED:
                record = services.transition(plan, target, step_fields(target))
                assert (record.from_status, record.to_status, plan.status) == (source, target, target)
            else:
                with pytest.raises(TransitionRefusedError) as refused:
                    services.transition(plan, target, step_fields(target))
                assert plan.status == source
                assert services.STATUS_LABELS[source] in refused.value.message
        assert {(s.source, s.target) for s in services.STEPS} == ALLOWED


@pytest.mark.parametrize(
    ("target", "missing"),
    [
        (S.ENDORSED, "aviz_number"),
        (S.ENDORSED, "aviz_date"),
        (S.ENDORSED, "members_present"),
        (S.APPROVED, "hcl_number"),
        (S.APPROVED, "hcl_date"),
        (S.APPROVED, "referat_number"),
        (S.APPROVED, "referat_date"),
        (S.APPROVED, "raport_number"),
        (S.APPROVED, "raport_date"),
        (S.DRAFT, "note"),
    ],
)
def test_a_step_without_one_of_its_fields_is_refused_naming_it(town, target, missing):
    source = next(s for s, t in ALLOWED if t == target)
    with town.scope():
        plan = walk(draft(town), source)
        fields = step_fields(target)
        fields.pop(missing)
        with pytest.raises(InvalidInputError) as bad:
            services.transition(plan, target, fields)
        assert list(bad.value.errors) == [missing]
        assert plan.status == source
        assert all(t.to_status != target or target == S.SUBMITTED for t in plan.transitions)


def test_the_aviz_keeps_who_was_present_and_records_the_council_session(town):
    with town.scope():
        plan = walk(draft(town), S.SUBMITTED)
        present = member_ids()[:4]
        record = services.transition(
            plan, S.ENDORSED, {"aviz_number": "3", "aviz_date": dt.date(2026, 1, 15), "members_present": present}
        )
        assert [m["id"] for m in record.members_present] == present
        assert record.members_present[0] == {
            "id": present[0],
            "position": 1,
            "name": "Mátyus Kálmán",
            "role": "presedinte",
            "function": "director executiv DAS",
            "institution": "DAS",
        }
        meeting = db.session.execute(sa.select(CouncilMeeting)).scalar_one()
        assert (meeting.held_on, meeting.members_present) == (dt.date(2026, 1, 15), 4)
        assert "aviz nr. 3" in meeting.topic


def test_members_present_must_be_members_of_this_council(town, app, make_tenant):
    with town.scope():
        plan = walk(draft(town), S.SUBMITTED)
        with pytest.raises(InvalidInputError) as bad:
            services.transition(
                plan, S.ENDORSED, {"aviz_number": "3", "aviz_date": dt.date(2026, 1, 5), "members_present": [99999]}
            )
        assert "members_present" in bad.value.errors


def test_the_hcl_cannot_precede_the_aviz_and_its_papers_cannot_follow_it(town):
    with town.scope():
        plan = walk(draft(town), S.ENDORSED)
        fields = step_fields(S.APPROVED) | {"hcl_date": dt.date(2026, 1, 1)}
        with pytest.raises(InvalidInputError) as bad:
            services.transition(plan, S.APPROVED, fields)
        assert "hcl_date" in bad.value.errors
        fields = step_fields(S.APPROVED) | {"raport_date": dt.date(2026, 3, 1)}
        with pytest.raises(InvalidInputError) as bad:
            services.transition(plan, S.APPROVED, fields)
        assert list(bad.value.errors) == ["raport_date"]


def test_evaluated_needs_a_narrative_or_an_earlier_evaluation(town):
    with town.scope():
        plan = walk(draft(town), S.IN_IMPLEMENTATION)
        with pytest.raises(InvalidInputError) as bad:
            services.transition(plan, S.EVALUATED, {})
        assert list(bad.value.errors) == ["narrative"]
        services.evaluate(plan, "Scris din timp.")
        services.transition(plan, S.EVALUATED, {})
        assert plan.status == S.EVALUATED and plan.evaluation.narrative == "Scris din timp."


def test_a_sent_back_plan_is_editable_again(town):
    with town.scope():
        plan = walk(draft(town), S.SUBMITTED)
        services.transition(plan, S.DRAFT, {"note": "Completați bugetul."})
        services.add_objective(plan, "Un obiectiv nou")
        assert plan.status == S.DRAFT and len(plan.objectives) == 9
        assert plan.transitions[-1].note == "Completați bugetul."


def test_a_stale_version_is_refused(town):
    with town.scope():
        plan = draft(town)
        read = plan.version
        services.update_sections(plan, {"title": "Titlu nou"}, version=read)
        with pytest.raises(StaleVersionError):
            services.update_sections(plan, {"title": "Alt titlu"}, version=read)
        with pytest.raises(StaleVersionError):
            services.transition(plan, S.SUBMITTED, version=read)
        assert plan.title == "Titlu nou"


# ---------------------------------------------------------------- the lock and revisions


def test_after_the_aviz_the_content_is_locked_but_values_are_recorded(town):
    with town.scope():
        plan = town.plan()
        objective = plan.objectives[0]
        activity = objective.activities[0]
        indicator = activity.indicators[0]
        refusals = [
            lambda: services.update_sections(plan, {"title": "Alt titlu"}),
            lambda: services.update_sections(plan, {"principles": []}),
            lambda: services.add_objective(plan, "Nou"),
            lambda: services.update_objective(objective, {"title": "x"}),
            lambda: services.delete_objective(objective),
            lambda: services.add_activity(objective, "Nouă"),
            lambda: services.update_activity(activity, {"text": "x"}),
            lambda: services.delete_activity(activity),
            lambda: services.add_indicator(activity, {"label": "Număr nou"}),
            lambda: services.update_indicator(indicator, {"target": 5}),
            lambda: services.delete_indicator(indicator),
        ]
        for refuse in refusals:
            with pytest.raises(PlanLockedError):
                refuse()
        db.session.rollback()
        plan = town.plan()
        assert len(plan.objectives) == 8 and plan.objectives[0].title.startswith("Identificarea")
        result = services.record_values(
            plan, 2026, 1, [ValueEntry(plan.objectives[0].activities[0].indicators[0].id, 12)]
        )
        assert [v.value for v in result.written] == [Decimal(12)]
        services.update_sections(plan, {"signatories": {"chair_of_session": {"name": "Altcineva"}}})
        assert plan.signatory(SignatoryRole.CHAIR_OF_SESSION).name == "Altcineva"


def test_a_new_revision_copies_content_and_values_and_goes_through_the_chain_again(town):
    with town.scope():
        old = town.plan()
        first = old.objectives[0].activities[0].indicators[0]
        services.record_values(old, 2026, 1, [ValueEntry(first.id, 5)])
        services.record_values(old, 2026, 1, [ValueEntry(first.id, 6, "corectat")])
        new = services.new_revision(old)
        db.session.commit()
        assert (new.revision, new.status, new.is_current) == (2, S.DRAFT, True)
        assert not old.is_current and old.status == S.ENDORSED and old.locked
        assert services.plan_content(new) == services.plan_content(old)
        assert services.current_plan(2026).id == new.id
        assert [p.revision for p in services.revisions(new)] == [2, 1]
        copied = services.indicators_of(new)[0]
        history = services.value_history(copied)
        assert [(h.value, h.superseded, h.note) for h in history] == [
            (Decimal(5), True, None),
            (Decimal(6), False, "corectat"),
        ]
        services.update_objective(new.objectives[0], {"title": "Obiectiv reformulat"})
        assert new.objectives[0].title == "Obiectiv reformulat"
        assert old.objectives[0].title.startswith("Identificarea")
        with pytest.raises(PlanLockedError):
            services.record_values(old, 2026, 2, [ValueEntry(first.id, 1)])
        with pytest.raises(PlanLockedError):
            services.new_revision(old)
        with pytest.raises(TransitionRefusedError):
            services.transition(new, S.APPROVED, step_fields(S.APPROVED))
        walk(new, S.ENDORSED)
        assert new.status == S.ENDORSED and services.endorsement(new).aviz_number == "7"


def test_a_draft_needs_no_revision(town):
    with town.scope(), pytest.raises(ConflictError):
        services.new_revision(draft(town))


# ---------------------------------------------------------------- values


def test_values_in_bulk_with_corrections_keeping_history(town):
    with town.scope():
        plan = town.plan()
        indicators = services.indicators_of(plan)
        indicators[1].code, indicators[1].unit = None, "ore"  # a local indicator in hours: decimals allowed
        ids = [i.id for i in indicators]
        result = services.record_values(plan, 2026, 2, [ValueEntry(ids[0], "3"), ValueEntry(ids[1], "4,5", "estimat")])
        assert len(result.written) == 2
        again = services.record_values(
            plan, 2026, 2, [ValueEntry(ids[0], 3), ValueEntry(ids[1], Decimal("4.5"), "estimat")]
        )
        assert (again.written, again.unchanged) == ([], 2)
        services.record_values(plan, 2026, 2, [ValueEntry(ids[1], 5)])
        live = services.live_values(plan, 2026)
        assert live[ids[0]][2].value == Decimal(3)
        assert live[ids[1]][2].value == Decimal(5) and live[ids[1]][2].note is None
        history = services.value_history(services.get_indicator(plan, ids[1]))
        assert [(h.value, h.superseded) for h in history] == [(Decimal("4.5"), True), (Decimal(5), False)]
        assert history[0].superseded_at is not None


def test_values_obey_the_catalog_kind_and_maximum_whatever_the_channel(town):
    """The API sends JSON numbers: a count with decimals or beyond the catalog's maximum is refused all the same."""
    with town.scope():
        plan = town.plan()
        ids = [i.id for i in services.indicators_of(plan)]  # the seed's indicators are coded counts
        for value, fragment in ((Decimal("2.5"), "întreg"), (Decimal(99999999999999), "maximul plauzibil"),
                                (Decimal(-1), "negativă")):
            with pytest.raises(services.InvalidInputError) as refused:
                services.record_values(plan, 2026, 1, [ValueEntry(ids[0], 3), ValueEntry(ids[5], value)])
            assert any(fragment in m for m in refused.value.errors["values.1.value"]), refused.value.errors
        assert services.live_values(plan, 2026) == {}
        services.record_values(plan, 2026, 1, [ValueEntry(ids[5], Decimal("100000.000"))])  # the maximum itself
        assert services.live_values(plan, 2026)[ids[5]][1].value == 100000


@pytest.mark.parametrize(
    ("year", "quarter", "entries", "field"),
    [
        (2025, 1, [(0, 1)], "year"),
        (2026, 5, [(0, 1)], "quarter"),
        (2026, 1, [(0, -1)], "values.0.value"),
        (2026, 1, [(0, "abc")], "values.0.value"),
        (2026, 1, [(0, "1.23456")], "values.0.value"),
        (2026, 1, [(0, 1), (None, 1)], "values.1.indicator_id"),
        (2026, 1, [(0, 1), (0, 2)], "values.1.indicator_id"),
    ],
)
def test_bad_values_write_nothing_and_name_the_entry(town, year, quarter, entries, field):
    with town.scope():
        plan = town.plan()
        ids = [i.id for i in services.indicators_of(plan)]
        batch = [ValueEntry(ids[i] if i is not None else 999999, v) for i, v in entries]
        with pytest.raises(InvalidInputError) as bad:
            services.record_values(plan, year, quarter, batch)
        assert field in bad.value.errors
        assert db.session.execute(sa.select(sa.func.count(IndicatorValue.id))).scalar() == 0


def test_an_indicator_is_reported_per_quarter_or_per_year_not_both(town):
    with town.scope():
        plan = town.plan()
        ids = [i.id for i in services.indicators_of(plan)]
        services.record_values(plan, 2026, 1, [ValueEntry(ids[0], 1)])
        services.record_values(plan, 2026, None, [ValueEntry(ids[1], 10)])
        with pytest.raises(InvalidInputError) as bad:
            services.record_values(plan, 2026, None, [ValueEntry(ids[0], 4)])
        assert "values.0.quarter" in bad.value.errors
        with pytest.raises(InvalidInputError):
            services.record_values(plan, 2026, 3, [ValueEntry(ids[1], 4)])


def test_an_indicator_with_values_cannot_be_deleted(town):
    with town.scope():
        plan = draft(town)
        activity = plan.objectives[0].activities[0]
        indicator = activity.indicators[0]
        services.record_values(plan, plan.year, 1, [ValueEntry(indicator.id, 2)])
        for refuse in (
            lambda: services.delete_indicator(indicator),
            lambda: services.delete_activity(activity),
            lambda: services.delete_objective(plan.objectives[0]),
        ):
            with pytest.raises(ConflictError):
                refuse()
        services.delete_indicator(
            activity.indicators[-1] if len(activity.indicators) > 1 else plan.objectives[1].activities[0].indicators[0]
        )


# ---------------------------------------------------------------- editing the tree


def test_the_tree_is_edited_in_a_draft(town):
    with town.scope():
        plan = services.create_plan(2027, title="Plan 2027")
        objective = services.add_objective(plan, "Sprijin pentru familii")
        activity = services.add_activity(
            objective,
            "Consiliere parentală",
            responsible=["DAS", "Asociația X", "DAS"],
            schedule_months=[3, 1, 2],
            budget_estimate="1500.50",
        )
        indicator = services.add_indicator(
            activity, {"label": "Număr părinți consiliați", "target": "40", "code": "persons_counselled"}
        )
        services.add_indicator(activity, {"label": "Număr ședințe"})
        db.session.commit()
        plan = services.get_plan(plan.id, tree=True)
        act = plan.objectives[0].activities[0]
        assert [r.name for r in act.responsible] == ["DAS", "Asociația X"]
        assert act.schedule_months == [1, 2, 3]
        assert act.budget_estimate == Decimal("1500.50")
        assert [(i.label, i.target, i.code) for i in act.indicators] == [
            ("Număr părinți consiliați", Decimal(40), "persons_counselled"),
            ("Număr ședințe", None, None),
        ]
        services.update_activity(act, {"responsible": ["Furnizori ONG"], "budget_estimate": None}, version=act.version)
        assert [r.name for r in act.responsible] == ["Furnizori ONG"] and act.budget_estimate is None
        with pytest.raises(InvalidInputError) as bad:
            services.add_objective(plan, "Dublură", number=1)
        assert list(bad.value.errors) == ["number"]
        with pytest.raises(InvalidInputError):
            services.update_activity(act, {"schedule_months": [13]})
        with pytest.raises(StaleVersionError):
            services.update_indicator(indicator, {"target": 1}, version=indicator.version + 1)


def test_sections_principles_and_specific_objectives_are_replaced_in_order(town):
    with town.scope():
        plan = draft(town)
        services.update_sections(
            plan,
            {
                "introduction": "Primul.\n\nAl doilea.",
                "principles": [{"title": "Unu", "text": "a"}, {"title": "Doi", "text": "b"}],
                "specific_objectives": ["X", "Y", "Z"],
                "signatories": {"drawn_up_by": {"name": "Ana Pop", "function": "Director"}, "secretary_general": None},
            },
        )
        db.session.commit()
        plan = services.get_plan(plan.id, tree=True)
        assert services.split_paragraphs(plan.introduction) == ["Primul.", "Al doilea."]
        assert [(p.position, p.title) for p in plan.principles] == [(1, "Unu"), (2, "Doi")]
        assert [s.text for s in plan.specific_objectives] == ["X", "Y", "Z"]
        assert plan.signatory(SignatoryRole.DRAWN_UP_BY).name == "Ana Pop"
        assert plan.signatory(SignatoryRole.SECRETARY_GENERAL) is None
        with pytest.raises(InvalidInputError) as bad:
            services.update_sections(plan, {"principles": [{"title": "  ", "text": "x"}]})
        assert list(bad.value.errors) == ["principles.0.title"]


def test_another_tenants_plan_is_not_found(town, app):
    with app.app_context(), tenancy.tenant_context(town.other.id):
        with pytest.raises(NotFoundError):
            services.get_plan(town.plan_id)
        assert services.list_plans() == []


# ---------------------------------------------------------------- evaluation


def test_evaluation_figures(town):
    with town.scope():
        plan = draft(town, 2027)
        obj1 = plan.objectives[0]
        a1, a2 = obj1.activities
        services.update_indicator(a1.indicators[0], {"target": 20})
        services.update_indicator(a2.indicators[0], {"target": 8})
        walk(plan, S.IN_IMPLEMENTATION)
        i1, i2, i3 = a1.indicators[0].id, a2.indicators[0].id, a2.indicators[1].id
        services.record_values(plan, 2027, 1, [ValueEntry(i1, 4), ValueEntry(i2, 3)])
        services.record_values(plan, 2027, 2, [ValueEntry(i1, 6), ValueEntry(i2, 7)])
        services.record_values(plan, 2027, 1, [ValueEntry(i1, 5)])  # correction: Q1 is 5, not 4
        services.record_values(plan, 2027, None, [ValueEntry(i3, 12)])
        figures = services.evaluation_figures(plan)
        o1 = figures["objectives"][0]
        by_id = {i["id"]: i for a in o1["activities"] for i in a["indicators"]}
        assert by_id[i1]["quarters"] == {1: Decimal(5), 2: Decimal(6)}
        assert by_id[i1]["total"] == Decimal(11)
        assert by_id[i1]["percent_of_target"] == Decimal("55.0")
        assert by_id[i2]["total"] == Decimal(10) and by_id[i2]["percent_of_target"] == Decimal("125.0")
        assert by_id[i3]["year_value"] == Decimal(12) and by_id[i3]["percent_of_target"] is None
        assert (o1["indicators_total"], o1["indicators_with_values"], o1["coverage_percent"]) == (
            3,
            3,
            Decimal("100.0"),
        )
        assert o1["target_percent"] == Decimal("77.5")  # mean of 55 and 125 capped at 100
        o2 = figures["objectives"][1]
        assert o2["indicators_with_values"] == 0 and o2["coverage_percent"] == Decimal("0.0")
        assert o2["target_percent"] is None
        assert all(a["without_values"] for a in o2["activities"])
        assert not any(a["without_values"] for a in o1["activities"])
        assert figures["indicators_total"] == 18 and figures["indicators_with_values"] == 3
        assert figures["activities_without_values"] == 12
        assert figures["coverage_percent"] == Decimal("16.7")
        evaluation = services.evaluate(plan, "Evaluare: obiectivul 1 realizat.")
        assert evaluation.figures["indicators_with_values"] == 3
        assert evaluation.figures["objectives"][0]["target_percent"] == "77.5"
        services.transition(plan, S.EVALUATED)
        assert plan.status == S.EVALUATED


def test_the_evaluation_is_written_only_after_the_hcl(town):
    with town.scope(), pytest.raises(ConflictError):
        services.evaluate(town.plan(), "Prea devreme.")


# ---------------------------------------------------------------- copies and templates


def test_copy_to_next_year_keeps_content_without_values(town):
    with town.scope():
        plan = town.plan()
        services.record_values(plan, 2026, 1, [ValueEntry(services.indicators_of(plan)[0].id, 9)])
        copy = services.copy_to_next_year(plan)
        db.session.commit()
        assert (copy.year, copy.revision, copy.status) == (2027, 1, S.DRAFT)
        assert copy.title.endswith("PENTRU ANUL 2027")
        assert "pentru anul 2027" in copy.introduction and "2026" not in copy.introduction
        old, new = services.plan_content(plan), services.plan_content(copy)
        assert new["strategic_objectives"] == old["strategic_objectives"]
        assert new["principles"] == old["principles"] and new["signatories"] == old["signatories"]
        assert services.live_values(copy) == {}
        assert copy.transitions == []
        with pytest.raises(InvalidInputError) as bad:
            services.copy_to_next_year(plan, 2027)
        assert list(bad.value.errors) == ["year"]


def test_the_builtin_template_puts_in_the_localitys_name_and_year(app, make_tenant):
    county = make_tenant("county", name="JUDEȚUL COVASNA")
    ozun = make_tenant(parent=county, name="OZUN")
    with app.app_context(), tenancy.tenant_context(ozun.id):
        plan = services.from_template(ozun, 2027, "builtin")
        db.session.commit()
        content = services.plan_content(plan)
        assert content["title"].endswith("DIN OZUN PENTRU ANUL 2027")
        assert content["institution"] == "PRIMĂRIA OZUN – DIRECTIA DE ASISTENȚĂ SOCIALĂ"
        text = str(content)
        assert "Târgu Secuiesc" not in text and "TÂRGU SECUIESC" not in text and "2026" not in text
        assert content["strategic_objectives"][0]["activities"][0]["responsible"] == ["DAS Ozun"]
        assert len(services.indicators_of(plan)) == 18 and content.get("signatories") == {}
        assert [o.title for o in plan.objectives][
            1
        ] == "Îmbunătățirea accesului la servicii de consiliere și mediere familială."


def test_a_locality_starts_from_its_countys_published_template(app, make_tenant):
    county = make_tenant("county", name="JUDEȚUL COVASNA")
    ozun = make_tenant(parent=county, name="OZUN")
    elsewhere = make_tenant("county", name="JUDEȚUL OLT")
    stranger = make_tenant(parent=elsewhere, name="BALȘ")
    content = {
        "title": "Planul de prevenire al {denumire} pe {an}",
        "introduction": ["În {localitate} prevenim separarea copilului de familie."],
        "strategic_objectives": [
            {
                "number": 1,
                "title": "Identificarea copiilor",
                "activities": [
                    {
                        "text": "Vizite",
                        "responsible": ["SPAS {localitate}"],
                        "indicators": [{"label": "Număr copii", "code": "children_identified", "target": "10"}],
                    }
                ],
            }
        ],
    }
    with app.app_context(), tenancy.tenant_context(county.id):
        published = services.save_template("Model județean 2027", content, published=True)
        hidden = services.save_template("Ciornă județeană", content, published=False)
        db.session.commit()
        published_id, hidden_id = published.id, hidden.id
    with app.app_context(), tenancy.tenant_context(ozun.id):
        keys = [t.key for t in services.available_templates(ozun)]
        assert keys == ["builtin", f"county:{published_id}"]
        plan = services.from_template(ozun, 2027, f"county:{published_id}")
        db.session.commit()
        assert plan.title == "Planul de prevenire al Ozun pe 2027"
        assert services.split_paragraphs(plan.introduction) == ["În Ozun prevenim separarea copilului de familie."]
        assert plan.objectives[0].activities[0].responsible[0].name == "SPAS Ozun"
        assert plan.objectives[0].activities[0].indicators[0].target == Decimal(10)
        assert plan.tenant_id == ozun.id
        with pytest.raises(NotFoundError):
            services.from_template(ozun, 2028, f"county:{hidden_id}")
        # the county's rows stay the county's: reading them did not open them for writing
        assert db.session.execute(sa.select(PlanTemplate)).scalars().all() == []
    with app.app_context(), tenancy.tenant_context(stranger.id):
        assert [t.key for t in services.available_templates(stranger)] == ["builtin"]
        with pytest.raises(NotFoundError):
            services.from_template(stranger, 2027, f"county:{published_id}")


# ---------------------------------------------------------------- aggregation hooks


def test_catalog_values_and_locality_status_in_one_query_each(town, app, make_tenant):
    with town.scope():
        plan = town.plan()
        by_code = {}
        for indicator in services.indicators_of(plan):
            by_code.setdefault(indicator.code, []).append(indicator.id)
        # the seed's "identified" and "identified and registered" count the same children: two codes of one
        # summable group, never added together (they were one code, summed)
        (first,), (second,) = by_code["children_identified"], by_code["children_registered"]
        services.record_values(
            plan, 2026, 1, [ValueEntry(first, 3), ValueEntry(second, 4), ValueEntry(by_code["campaigns"][0], 1)]
        )
        services.record_values(plan, 2026, 2, [ValueEntry(first, 2)])
        services.record_values(plan, 2026, 1, [ValueEntry(second, 5)])  # correction replaces 4
        db.session.commit()
    ids = [town.tenant.id, town.other.id]
    with app.app_context(), tenancy.read_scope(ids):
        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        year = {(v.tenant_id, v.code): v.value for v in services.catalog_indicator_values(ids, Period(2026))}
        q1 = {(v.tenant_id, v.code): v.value for v in services.catalog_indicator_values(ids, Period(2026, 1))}
        status = services.locality_status(ids, 2026)
        assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 3
    tid = town.tenant.id
    assert year == {
        (tid, "children_identified"): Decimal(5),
        (tid, "children_registered"): Decimal(5),
        (tid, "campaigns"): Decimal(1),
    }
    assert q1 == {
        (tid, "children_identified"): Decimal(3),
        (tid, "children_registered"): Decimal(5),
        (tid, "campaigns"): Decimal(1),
    }
    assert status[tid] == {
        "plan_status": "endorsed",
        "plan_revision": 1,
        "plan_endorsed_on": None,
        "plan_hcl_date": None,
    }
    assert status[town.other.id]["plan_status"] is None


def test_dashboard_summary(town):
    with town.scope():
        plan = town.plan()
        services.record_values(plan, 2026, 1, [ValueEntry(services.indicators_of(plan)[0].id, 1)])
        summary = services.dashboard_summary(2026)
        assert summary["plan"].id == plan.id
        assert (summary["indicators_with_values"], summary["indicators_total"]) == (1, 18)
        assert summary["percent"] == Decimal("5.6")
        assert services.dashboard_summary(2031)["plan"] is None
