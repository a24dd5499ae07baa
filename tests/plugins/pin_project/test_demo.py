"""The seed project (PIN 2/2008, DGASPC Olt) loads faithfully as demo data, once."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from core import tenancy
from core.contrib import DemoContext
from core.db import db
from core.text import normalise_whitespace
from plugins.pin_project import plugin, services
from plugins.pin_project.models import (
    ExpectedResult,
    IndicatorBreakdown,
    PerformanceIndicator,
    Programme,
    Project,
    ProjectActivity,
    ProjectLocality,
)
from tenants import catalog
from tenants.models import Tenant, TenantKind

DEMO = Path(plugin.__file__).resolve().parent / "demo"
SEED = (DEMO / "seed_pin_2_2008_olt.txt").read_text(encoding="utf-8")
DATA = json.loads((DEMO / "pin_2_2008_olt.json").read_text(encoding="utf-8"))
OLT = 289


def _norm(text: str) -> str:
    return normalise_whitespace(text.replace("**", "").replace("*", ""))


SEED_TEXT = _norm(SEED)


def _in_seed(text: str) -> bool:
    return _norm(text) in SEED_TEXT


def _load_demo(app: Flask) -> int:
    """Load the catalog and the plugin's demo (as ``vatra demo load`` does); returns Olt's tenant id."""
    with app.app_context(), tenancy.system_context():
        catalog.load_catalog()
        county = db.session.execute(sa.select(Tenant).where(Tenant.siruta == OLT)).scalar_one()
        others = db.session.execute(sa.select(Tenant).where(Tenant.siruta == 145)).scalar_one()
        context = DemoContext(
            tenants={county.slug: county, others.slug: others}, users={}, enter=tenancy.tenant_context
        )
        plugin.vatra_load_demo(app=app, demo=context)
        db.session.commit()
        return county.id


@pytest.fixture
def demo_county(app: Flask) -> int:
    return _load_demo(app)


def _project(app: Flask, county_id: int) -> Any:
    return db.session.execute(sa.select(Project)).scalar_one()


def test_the_seed_project_belongs_to_dgaspc_olt_with_its_programme_and_funder(app, demo_county):
    with app.app_context(), tenancy.tenant_context(demo_county):
        county = db.session.get(Tenant, demo_county)
        assert (county.kind, county.siruta) == (TenantKind.COUNTY, OLT)
        project = _project(app, demo_county)
        assert project.tenant_id == demo_county
        programme = project.programme
        assert programme.code == "PIN 2/2008"
        assert f"“{programme.name} – {programme.code}”" in SEED_TEXT
        assert f"FINANȚATOR: {programme.funder_name}" in SEED_TEXT
        assert programme.funder_acronym == "ANPDC"
        assert f"PROIECTUL “ {project.title}”" in SEED_TEXT
        assert f"SCOPUL PROIECTULUI: {project.purpose}" in SEED_TEXT


def test_budget_total_and_period_are_the_seeds(app, demo_county):
    with app.app_context(), tenancy.tenant_context(demo_county):
        project = _project(app, demo_county)
        assert project.budget_total == Decimal("182850.00")
        assert "BUGET PROIECT: 182.850 RON" in SEED_TEXT
        assert services.format_money(project.budget_total) == "182.850,00"
        assert project.currency == "RON"
        assert (project.start_date, project.end_date) == (dt.date(2008, 11, 1), dt.date(2009, 12, 31))
        assert f"PERIOADA DE DERULARE : {project.period_text}" in SEED_TEXT
        # the seed gives no budget lines: nothing is invented, everything is unallocated
        summary = services.budget_summary(project)
        assert summary.lines == []
        assert summary.unallocated == Decimal("182850.00")
        assert summary.spent == Decimal("0.00")


def test_every_objective_and_target_group_is_the_seeds(app, demo_county):
    with app.app_context(), tenancy.tenant_context(demo_county):
        project = _project(app, demo_county)
        objectives = [o.text for o in project.objectives]
        groups = [g.text for g in project.target_groups]
    assert len(objectives) == 4 and len(groups) == 3
    assert objectives == DATA["project"]["objectives"]
    assert groups == DATA["project"]["target_groups"]
    seed_lines = [line[2:] for line in SEED.splitlines() if line.startswith("- ")]
    for text in objectives + groups:
        assert text in seed_lines, text
    # in the seed's order: objectives come under OBIECTIVE, target groups under GRUPURI ȚINTĂ
    assert SEED_TEXT.index(objectives[-1]) < SEED_TEXT.index("GRUPURI ȚINTĂ") < SEED_TEXT.index(groups[0])


def test_every_activity_and_its_steps_are_the_seeds(app, demo_county):
    with app.app_context(), tenancy.tenant_context(demo_county):
        project = _project(app, demo_county)
        activities = [
            (a.number, a.title, a.detail, [s.text for s in a.steps], a.status.value, a.locality_tenant_ids)
            for a in project.activities
        ]
        staff_ids = sorted(link.locality_tenant_id for link in project.localities if link.employs_staff)
        all_ids = sorted(link.locality_tenant_id for link in project.localities)
    assert [a[0] for a in activities] == list(range(1, 9))
    assert [len(a[3]) for a in activities] == [3, 0, 0, 0, 0, 0, 0, 0]
    lines = SEED.splitlines()
    for number, title, detail, steps, status, _ in activities:
        line = _norm(next(x for x in lines if x.startswith(f"{number}. *")))
        assert line.startswith(f"{number}. {title}")
        if detail:
            assert detail in line
        for step in steps:
            assert f"- {step}" in lines
        assert status == "planned"  # the seed is the application: nothing is reported as done
    expected = [(a["number"], a["title"], a["detail"], a["steps"]) for a in DATA["project"]["activities"]]
    assert [a[:4] for a in activities] == expected
    # activity 3 (staff employed) involves the 7 staff localities, activity 5 (councils) all 20
    assert activities[2][5] == staff_ids and len(staff_ids) == 7
    assert activities[4][5] == all_ids and len(all_ids) == 20


def test_every_result_indicator_target_and_breakdown_is_the_seeds(app, demo_county):
    with app.app_context(), tenancy.tenant_context(demo_county):
        project = _project(app, demo_county)
        results = [
            (
                r.text,
                [
                    (
                        i.code,
                        i.label,
                        i.unit,
                        i.comparator.value,
                        i.target,
                        i.deliverable,
                        i.delivered_on,
                        [(p.label, p.target) for p in i.breakdown],
                    )
                    for i in r.indicators
                ],
            )
            for r in project.results
        ]
        consistent = [services.breakdown_consistent(i) for i in services.project_indicators(project)]
    assert len(results) == 7
    result_lines = [_norm(line[2:]).rstrip(";") for line in SEED.splitlines() if line.startswith("- ")]
    for (text, indicators), spec in zip(results, DATA["project"]["results"], strict=True):
        assert text == spec["text"]
        assert text in result_lines
        for (code, label, unit, comparator, target, deliverable, delivered_on, parts), ind in zip(
            indicators, spec["indicators"], strict=True
        ):
            assert (code, label, unit, comparator) == (ind["code"], ind["label"], ind["unit"], ind["comparator"])
            assert target == Decimal(ind["target"])
            assert deliverable is ind["deliverable"]
            assert delivered_on is None  # nothing printed yet: the seed is a plan
            assert _in_seed(label)
            if comparator == "at_least":
                assert f"cel puțin {int(target)} " in text
            assert parts == [(b["label"], Decimal(b["target"])) for b in ind["breakdown"]]
            for part_label, _ in parts:
                assert part_label in text
    by_code = {i[0]: i for _, inds in results for i in inds}
    assert by_code["staff_employed"][3:5] == ("at_least", Decimal(4))
    assert by_code["councils_created"][3:5] == ("exactly", Decimal(20))
    assert by_code["councils_trained"][3:5] == ("exactly", Decimal(20))
    assert by_code["persons_trained"][3:5] == ("at_least", Decimal(200))
    assert by_code["persons_trained"][7] == [
        ("60 de persoane cu atribuții de asistență din cadrul primăriilor", Decimal(60)),
        ("140 membri ai structurilor comunitare consultative", Decimal(140)),
    ]
    assert by_code["workshop_participants"][3:5] == ("at_least", Decimal(100))
    assert by_code["service_plans"][3:5] == ("at_least", Decimal(300))
    assert by_code["workshops"][4] == Decimal(20)
    assert [c for c, i in by_code.items() if i[5]] == ["manual_printed", "leaflet_printed"]
    assert all(consistent)


def test_the_twenty_participating_localities_are_olt_communes_seven_employ_staff(app, demo_county):
    with app.app_context(), tenancy.tenant_context(demo_county):
        project = _project(app, demo_county)
        links = [
            (link.locality.siruta, link.locality, link.employs_staff, link.creates_council)
            for link in project.localities
        ]
        for _, locality, _, _ in links:
            assert locality.kind == TenantKind.LOCALITY
            assert locality.parent_id == demo_county  # a child of the owner county
            assert locality.uat_type == 3  # comune
    spec = DATA["project"]
    assert [s for s, *_ in links] == spec["participating_localities"]["siruta"]
    assert len(links) == 20
    assert [s for s, _, staff, _ in links if staff] == spec["staff_localities"]["siruta"]
    assert all(council for *_, council in links)


def test_loading_twice_changes_nothing(app, demo_county):
    def counts() -> dict[str, int]:
        with app.app_context(), tenancy.system_context():
            return {
                m.__tablename__: db.session.execute(sa.select(sa.func.count()).select_from(m)).scalar()
                for m in (
                    Programme,
                    Project,
                    ProjectLocality,
                    ProjectActivity,
                    ExpectedResult,
                    PerformanceIndicator,
                    IndicatorBreakdown,
                )
            }

    before = counts()
    assert before == {
        "pin_programme": 1,
        "pin_project": 1,
        "pin_project_locality": 20,
        "pin_activity": 8,
        "pin_result": 7,
        "pin_indicator": 9,
        "pin_indicator_part": 2,
    }
    _load_demo(app)
    assert counts() == before


def test_no_county_among_the_demo_tenants_loads_nothing(app):
    with app.app_context(), tenancy.system_context():
        context = DemoContext(tenants={}, users={}, enter=tenancy.tenant_context)
        assert plugin.vatra_load_demo(app=app, demo=context) is None
        assert db.session.execute(sa.select(sa.func.count()).select_from(Project)).scalar() == 0


def test_the_demo_project_page_shows_the_seed(app, demo_county, make_user):
    from core.auth.models import Role
    from core.testing import login

    with app.app_context(), tenancy.system_context():
        for tenant in db.session.execute(sa.select(Tenant).where(Tenant.id == demo_county)).scalars():
            tenant.active = True
        db.session.commit()
        county = db.session.get(Tenant, demo_county)
        slug = county.slug
        db.session.expunge(county)
    client = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    with app.app_context(), tenancy.tenant_context(demo_county):
        project_id = db.session.execute(sa.select(Project.id)).scalar_one()
    html = client.get(f"/t/{slug}/projects/{project_id}").get_data(as_text=True)
    assert "Localități participante (20)" in html
    assert "182.850,00 lei" in html
    assert DATA["project"]["participating_localities"]["note"] in html
    assert DATA["project"]["staff_localities"]["note"] in html
    assert html.count(DATA["project"]["staff_localities"]["note"]) == 1
    budget = client.get(f"/t/{slug}/projects/{project_id}/budget").get_data(as_text=True)
    assert "întreaga sumă de 182.850,00 lei apare ca nealocată" in budget
