"""The same plan on PostgreSQL with Row-Level Security: the app's role sees only its tenant's rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from core import tenancy
from core.api import Period
from core.auth.models import Role
from core.db import db
from plugins.prevention_plan import exports, services
from plugins.prevention_plan.models import Indicator, IndicatorValue, Plan, PlanStatus, PlanTemplate
from plugins.prevention_plan.services import ValueEntry

pytestmark = pytest.mark.postgres


def test_the_seed_plan_on_postgres(pg_town):
    with pg_town.scope():
        plan = pg_town.plan()
        assert plan.status == PlanStatus.ENDORSED
        assert len(services.indicators_of(plan)) == 18
        indicators = services.indicators_of(plan)
        indicators[0].code, indicators[0].unit = None, "ore"  # hours: decimals allowed (the seed's codes count)
        ids = [i.id for i in indicators]
        services.record_values(plan, 2026, 1, [ValueEntry(ids[0], Decimal("1.5"))])
        services.record_values(plan, 2026, 1, [ValueEntry(ids[0], Decimal("2.25"))])
        db.session.commit()
        history = services.value_history(services.get_indicator(plan, ids[0]))
        assert [(h.value, h.superseded) for h in history] == [(Decimal("1.5"), True), (Decimal("2.25"), False)]
        table = exports.plan_docx(plan)
        assert table[:2] == b"PK"


def test_the_database_keeps_one_live_value_per_period(pg_town):
    with pg_town.scope():
        plan = pg_town.plan()
        first = services.indicators_of(plan)[0].id
        services.record_values(plan, 2026, None, [ValueEntry(first, 3)])
        db.session.commit()
        db.session.add(IndicatorValue(plan_id=plan.id, indicator_id=first, year=2026, quarter=None, value=Decimal(4)))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_rls_hides_another_tenants_rows_even_from_raw_sql(pg_town):
    with pg_town.app.app_context(), tenancy.tenant_context(pg_town.other.id):
        assert db.session.execute(sa.text("SELECT count(*) FROM plan_plan")).scalar() == 0
        assert db.session.execute(sa.text("SELECT count(*) FROM plan_indicator")).scalar() == 0
        with pytest.raises(services.NotFoundError):
            services.get_plan(pg_town.plan_id)
    with pg_town.scope():
        assert db.session.execute(sa.text("SELECT count(*) FROM plan_indicator")).scalar() == 18


def test_aggregation_reads_localities_through_a_read_scope(pg_town):
    with pg_town.scope():
        plan = pg_town.plan()
        codes = {i.code: i.id for i in reversed(services.indicators_of(plan))}
        services.record_values(plan, 2026, 2, [ValueEntry(codes["campaigns"], 2), ValueEntry(codes["partnerships"], 1)])
        services.transition(
            plan,
            PlanStatus.APPROVED,
            {
                "hcl_number": "15",
                "hcl_date": dt.date(2026, 2, 26),
                "referat_number": "1",
                "referat_date": dt.date(2026, 2, 1),
                "raport_number": "2",
                "raport_date": dt.date(2026, 2, 2),
            },
        )
        db.session.commit()
    ids = [pg_town.tenant.id, pg_town.other.id]
    with pg_town.app.app_context(), tenancy.read_scope(ids, write_tenant_id=pg_town.county.id):
        values = services.catalog_indicator_values(ids, Period(2026, 2))
        status = services.locality_status(ids, 2026)
    assert {(v.code, v.value) for v in values} == {("campaigns", Decimal(2)), ("partnerships", Decimal(1))}
    assert status[pg_town.tenant.id]["plan_status"] == "approved"
    assert status[pg_town.tenant.id]["plan_hcl_date"] == dt.date(2026, 2, 26)
    assert status[pg_town.other.id]["plan_status"] is None
    # a scope that does not name the town sees nothing of it
    with pg_town.app.app_context(), tenancy.read_scope([pg_town.other.id]):
        assert services.catalog_indicator_values([pg_town.tenant.id], Period(2026)) == []


def test_a_locality_reads_its_countys_published_template_and_cannot_write_it(pg_town):
    with pg_town.app.app_context(), tenancy.tenant_context(pg_town.county.id):
        template = services.save_template("Model Covasna", services.builtin_template_content(), published=True)
        db.session.commit()
        template_id = template.id
    with pg_town.scope():
        keys = [t.key for t in services.available_templates(pg_town.tenant)]
        assert f"county:{template_id}" in keys
        plan = services.from_template(pg_town.tenant, 2027, f"county:{template_id}")
        db.session.commit()
        assert plan.tenant_id == pg_town.tenant.id and len(services.indicators_of(plan)) == 18
        # outside the explicit read scope the county's template is invisible again...
        assert db.session.execute(sa.select(PlanTemplate)).scalars().all() == []
        # ...and not even a raw UPDATE reaches it from the locality's scope
        db.session.execute(sa.text("UPDATE plan_template SET published = false"))
        db.session.commit()
    with pg_town.app.app_context(), tenancy.tenant_context(pg_town.county.id):
        assert db.session.execute(sa.select(PlanTemplate.published)).scalar_one() is True


def test_the_api_on_postgres(pg_town):
    client = pg_town.app.test_client()
    headers = pg_town.api(Role.SOCIAL_WORKER)
    with pg_town.scope():
        ids = [i.id for i in services.indicators_of(pg_town.plan())]
    response = client.post(
        pg_town.url(f"/{pg_town.plan_id}/values"),
        json={"year": 2026, "quarter": 3, "values": [{"indicator_id": i, "value": "1"} for i in ids]},
        headers=headers,
    )
    assert response.status_code == 201
    assert (
        client.get(pg_town.url(f"/{pg_town.plan_id}/evaluation"), headers=headers).get_json()["indicators_with_values"]
        == 18
    )
    with pg_town.scope():
        assert db.session.execute(sa.select(sa.func.count(Indicator.id))).scalar() == 18
        assert db.session.execute(sa.select(sa.func.count(Plan.id))).scalar() == 1
