"""The seed plan of Târgu Secuiesc loads as demo data, faithfully, once."""

from __future__ import annotations

import sqlalchemy as sa

from core import tenancy
from core.audit import AuditEntry
from core.db import db
from core.text import normalise_whitespace
from plugins.prevention_plan import demo, services
from plugins.prevention_plan.models import (
    Indicator,
    IndicatorValue,
    Plan,
    PlanStatus,
    PlanTransition,
    ResponsibleBody,
    SignatoryRole,
)
from tenants.models import Council, CouncilMember, CouncilRole

from .conftest import SIRUTA, demo_context, seed_table_rows, seed_text
from .conftest import norm as _norm

SEED_TEXT = seed_text()


def test_counts_match_the_seed(town):
    with town.scope():
        plan = town.plan()
        assert plan.year == 2026 and plan.revision == 1 and plan.is_current
        assert len(plan.principles) == 10
        assert len(plan.specific_objectives) == 4
        assert [o.number for o in plan.objectives] == list(range(1, 9))
        activities = services.activities_of(plan)
        assert len(activities) == 14
        assert len(services.indicators_of(plan)) == 18
        assert all(i.target is None and i.baseline is None for i in services.indicators_of(plan))


def test_every_text_is_the_seeds(town):
    seed = _norm(SEED_TEXT)
    seed_no_headers = _norm(SEED_TEXT.replace(services.load_seed()["institution"], " "))
    with town.scope():
        plan = town.plan()
        assert _norm(plan.title) in seed
        assert plan.institution == "PRIMĂRIA MUN. TÂRGU SECUIESC – DIRECTIA DE ASISTENȚĂ SOCIALĂ"
        for paragraph in services.split_paragraphs(plan.introduction):
            assert normalise_whitespace(paragraph) in seed
        assert len(services.split_paragraphs(plan.introduction)) == 3
        for principle in plan.principles:
            assert f"{principle.title}: {normalise_whitespace(principle.text)}" in seed_no_headers
        assert plan.principles[0].title == "Interesul superior al copilului"
        assert plan.principles[-1].title == "Coeziune socială"
        assert normalise_whitespace(plan.general_objective) in seed
        for objective in plan.specific_objectives:
            assert objective.text in seed


def test_the_table_rows_match_the_seed_cell_by_cell(town):
    rows = seed_table_rows()
    with town.scope():
        activities = services.activities_of(town.plan())
        assert len(rows) == len(activities)
        for (_, activity_cell, responsible_cell, indicator_cell), activity in zip(rows, activities, strict=True):
            assert activity.text == activity_cell
            assert " ".join(r.name for r in activity.responsible) == responsible_cell
            assert " ".join(i.label for i in activity.indicators) == indicator_cell


def test_every_responsible_body_is_loaded_in_order(town):
    with town.scope():
        activities = services.activities_of(town.plan())
        bodies = [[r.name for r in a.responsible] for a in activities]
        assert bodies == [
            ["DAS Târgu Secuiesc"],
            ["DAS Târgu Secuiesc"],
            ["DAS Târgu Secuiesc", "Furnizori ONG"],
            ["DAS Târgu Secuiesc"],
            ["DAS Târgu Secuiesc", "Furnizori ONG"],
            ["DAS Târgu Secuiesc", "Furnizori ONG"],
            ["Furnizori ONG"],
            ["DAS Târgu Secuiesc"],
            ["DAS Târgu Secuiesc"],
            ["DAS Târgu Secuiesc"],
            ["DAS Târgu Secuiesc"],
            ["DAS Târgu Secuiesc"],
            ["DAS Târgu Secuiesc"],
            ["DAS Târgu Secuiesc", "Furnizori ONG"],
        ]
        assert db.session.execute(sa.select(sa.func.count(ResponsibleBody.id))).scalar() == 18


def test_indicator_codes_come_from_the_seed(town):
    seed_codes = [
        i["code"]
        for o in services.load_seed()["strategic_objectives"]
        for a in o["activities"]
        for i in a["indicators"]
    ]
    with town.scope():
        assert [i.code for i in services.indicators_of(town.plan())] == seed_codes
        assert {i.unit for i in services.indicators_of(town.plan())} == {"număr"}


def test_the_council_has_the_six_members_with_roles(town):
    with town.scope():
        council = db.session.execute(sa.select(Council)).scalar_one()
        assert council.name == "Consiliul Comunitar Consultativ"
        members = [(m.position, m.name, m.role, m.institution) for m in council.members]
        assert members == [
            (1, "Mátyus Kálmán", CouncilRole.CHAIR, "DAS"),
            (2, "Bakk Anna Gyöngyvér", CouncilRole.SECRETARY, "DAS"),
            (3, "Bálint Olga", CouncilRole.MEMBER, 'Asociația "Szentkereszty Stephanie"'),
            (4, "László Mária", CouncilRole.MEMBER, "Șc. Gimnazială Turóczi Mózes"),
            (5, "Croitoru Constantin", CouncilRole.MEMBER, "Poliția locală"),
            (6, "Vargha Béla", CouncilRole.MEMBER, "Romano-Catolic"),
        ]
        for member in council.members:
            line = f"{member.position}. {member.name} – {member.function} –"
            assert line in SEED_TEXT


def test_the_seed_plan_is_endorsed_with_the_six_members_present(town):
    with town.scope():
        plan = town.plan()
        assert plan.status == PlanStatus.ENDORSED
        assert plan.locked
        steps = [(t.from_status, t.to_status) for t in plan.transitions]
        assert steps == [(PlanStatus.DRAFT, PlanStatus.SUBMITTED), (PlanStatus.SUBMITTED, PlanStatus.ENDORSED)]
        aviz = services.endorsement(plan)
        assert aviz.aviz_number is None and aviz.aviz_date is None  # the seed gives neither
        assert "Date demonstrative" in aviz.note
        assert [m["name"] for m in aviz.members_present] == [
            "Mátyus Kálmán",
            "Bakk Anna Gyöngyvér",
            "Bálint Olga",
            "László Mária",
            "Croitoru Constantin",
            "Vargha Béla",
        ]
        assert [m["role"] for m in aviz.members_present] == ["presedinte", "secretar"] + ["membru"] * 4


def test_the_signatories_are_the_seeds(town):
    with town.scope():
        plan = town.plan()
        drawn = plan.signatory(SignatoryRole.DRAWN_UP_BY)
        chair = plan.signatory(SignatoryRole.CHAIR_OF_SESSION)
        secretary = plan.signatory(SignatoryRole.SECRETARY_GENERAL)
        assert (drawn.name, drawn.function) == ("Mátyus Kálmán", "Director executiv")
        assert chair.name == "Kolbász-Kicsid Laura-Anikó"
        assert secretary.name == "Nagy Gabriella"
    seed = _norm(SEED_TEXT)
    assert f"ÎNTOCMIT {drawn.name} {drawn.function}" in seed
    assert f"PREȘEDINTE DE ȘEDINȚĂ {chair.name}" in seed
    assert seed.endswith(f"SECRETAR GENERAL {secretary.name}")


def test_loading_twice_changes_nothing(town, app):
    def snapshot() -> tuple:
        with town.scope():
            return (
                db.session.execute(sa.select(sa.func.count(Plan.id))).scalar(),
                db.session.execute(sa.select(sa.func.count(Indicator.id))).scalar(),
                db.session.execute(sa.select(sa.func.count(PlanTransition.id))).scalar(),
                db.session.execute(sa.select(sa.func.count(CouncilMember.id))).scalar(),
                db.session.execute(sa.select(sa.func.count(IndicatorValue.id))).scalar(),
            )

    before = snapshot()
    with app.app_context():
        audit_before = db.session.execute(sa.select(sa.func.count(AuditEntry.id))).scalar()
    with app.app_context(), tenancy.system_context():
        again = demo.load(demo_context([town.county, town.tenant, town.other]))
        assert again.id == town.plan_id
        db.session.commit()
    assert snapshot() == before == (1, 18, 2, 6, 0)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(AuditEntry.id))).scalar() == audit_before


def test_without_targu_secuiesc_the_loader_does_nothing(app, make_tenant):
    other = make_tenant()
    with app.app_context(), tenancy.system_context():
        assert demo.load(demo_context([other])) is None
        assert db.session.execute(sa.select(sa.func.count(Plan.id))).scalar() == 0
    assert SIRUTA == 63740
