"""The same rules on PostgreSQL, with Row-Level Security binding the application's role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core import tenancy
from core.contrib import Period
from core.db import db
from plugins.pin_project import plugin, services
from plugins.pin_project.models import Expenditure, Project

from .conftest import line_ids, make_project

pytestmark = pytest.mark.postgres


def test_sums_are_exact_and_rules_apply_on_postgresql(pg_app, olt):
    project_id = make_project(olt, lines={"Formare": "1000.00"})
    line = line_ids(olt, project_id)["Formare"]
    amounts = [Decimal("0.10"), Decimal("0.20"), Decimal("333.33"), Decimal("666.36")]
    with olt.scope():
        project = services.get_project(project_id)
        for amount in amounts:
            services.record_expenditure(project, line_id=line, spent_on=dt.date(2009, 1, 1), amount=amount)
        db.session.commit()
        assert services.budget_summary(project).spent == Decimal("999.99")
        with pytest.raises(services.RuleViolation) as refused:
            services.record_expenditure(project, line_id=line, spent_on=dt.date(2009, 1, 2), amount=Decimal("0.02"))
        assert refused.value.errors == {"amount": ["Depășește suma rămasă pe linia „Formare” (rămas 0,01 lei)"]}
        db.session.rollback()
        assert services.monthly_spending(project)[2].amount == Decimal("999.99")


def test_rls_hides_another_tenants_projects_even_from_raw_sql(pg_app, olt):
    project_id = make_project(olt, lines={"Formare": "1000.00"})
    with pg_app.app_context(), tenancy.tenant_context(olt.other_county.id):
        assert services.get_project(project_id) is None
        assert db.session.execute(sa.text("SELECT count(*) FROM pin_project")).scalar() == 0
        assert db.session.execute(sa.text("SELECT count(*) FROM pin_budget_line")).scalar() == 0
    with olt.scope():
        assert db.session.execute(sa.text("SELECT count(*) FROM pin_project")).scalar() == 1
        assert db.session.execute(sa.select(Project.id)).scalar_one() == project_id


def test_the_api_refuses_and_overrides_on_postgresql(pg_app, olt):
    project_id = make_project(olt, lines={"Formare": "100.00"})
    line = line_ids(olt, project_id)["Formare"]
    client = pg_app.test_client()
    url = f"/api/v1/t/{olt.slug}/projects/{project_id}/expenditures"
    coord = olt.api(olt.coordinator)
    r = client.post(url, json={"budget_line_id": line, "date": "2009-06-01", "amount": "100.01"}, headers=coord)
    assert r.status_code == 422
    assert r.json["errors"] == {"json": {"amount": ["Depășește suma rămasă pe linia „Formare” (rămas 100,00 lei)"]}}
    r = client.post(
        url,
        json={
            "budget_line_id": line,
            "date": "2009-06-01",
            "amount": "100.01",
            "override": True,
            "override_justification": "diferență de curs",
        },
        headers=coord,
    )
    assert r.status_code == 201 and r.json["override"] is True
    with olt.scope():
        assert db.session.execute(sa.select(Expenditure.amount)).scalar_one() == Decimal("100.01")


def test_indicator_values_in_a_county_read_scope_on_postgresql(pg_app, olt):
    project_id = make_project(olt)
    a = olt.localities[0].id
    with olt.scope():
        project = services.get_project(project_id)
        services.add_locality(project, a, creates_council=True)
        indicator = services.add_indicator(
            services.add_result(project, "r"),
            code="councils_created",
            label="consilii",
            target=20,
            comparator="exactly",
        )
        services.record_progress(indicator, entry_date=dt.date(2009, 5, 5), value=Decimal(1), locality_tenant_id=a)
        db.session.commit()
    with pg_app.app_context(), tenancy.read_scope([olt.county.id, a]):
        values = plugin.vatra_indicator_values(tenant_ids=[a], period=Period(2009, 2))
        status = plugin.vatra_locality_status(tenant_ids=[a], year=2009)
    assert [(v.tenant_id, v.code, v.value) for v in values] == [(a, "councils_created", Decimal("1.00"))]
    assert status[a]["pin_projects"][0]["creates_council"] is True
