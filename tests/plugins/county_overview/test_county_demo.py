"""With the demo data: the Olt page lists its 112 localities, the PIN project's 20 councils, correct totals."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import sqlalchemy as sa

from core import demo
from core.auth.models import Role
from core.db import db
from core.tenancy import system_context, tenant_context
from plugins.county_overview.models import CountyTarget
from plugins.pin_project import services as pin
from plugins.pin_project.models import PerformanceIndicator, ProjectLocality
from tenants.models import Council, CouncilMember, Tenant

OLT = 289
PROGRESS = {"councils_created": [1, 1, 1], "persons_trained": [7, 9, 12]}


def _olt(app):
    with app.app_context(), system_context():
        olt = db.session.execute(sa.select(Tenant).where(Tenant.siruta == OLT)).scalar_one()
        localities = db.session.execute(sa.select(Tenant).where(Tenant.parent_id == olt.id)).scalars().all()
        links = db.session.execute(sa.select(ProjectLocality.locality_tenant_id)).scalars().all()
        for t in (olt, *localities):
            db.session.expunge(t)
        return olt, localities, sorted(links)


def _record(app, olt, project_localities):
    """Progress of the PIN project for three localities, and councils with members in two of them."""
    with app.app_context(), tenant_context(olt.id):
        indicators = {
            i.code: i for i in db.session.execute(sa.select(PerformanceIndicator)).scalars() if i.code in PROGRESS
        }
        for code, values in PROGRESS.items():
            for locality_id, value in zip(project_localities, values, strict=False):
                pin.record_progress(indicators[code], entry_date=dt.date(2009, 6, 1), value=Decimal(value),
                                    locality_tenant_id=locality_id)
        db.session.commit()
    for locality_id, trained in zip(project_localities[:2], (5, 7), strict=True):
        with app.app_context(), tenant_context(locality_id):
            council = Council(name="Consiliul Comunitar Consultativ", trained_on=dt.date(2009, 5, 1))
            db.session.add(council)
            db.session.flush()
            for i in range(trained + 1):
                db.session.add(CouncilMember(council_id=council.id, position=i + 1, name=f"Membru {i + 1}",
                                             trained_on=dt.date(2009, 5, 1) if i < trained else None))
            db.session.commit()


def test_olt_page_lists_112_localities_the_20_councils_and_correct_totals(app, make_user, login, api_headers):
    with app.app_context():
        demo.load(app, password="parola-demo-123")
    olt, localities, project_localities = _olt(app)
    assert len(project_localities) == 20
    _record(app, olt, project_localities)
    coordinator = make_user(olt, Role.COUNTY_COORDINATOR)
    client = login(app.test_client(), coordinator)

    def shown(query: str) -> int:
        html = client.get(f"/t/{olt.slug}/county/?year=2009{query}").get_data(as_text=True)
        return len(re.findall(r'<th scope="row">', html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]))

    # 50 a page by default, 25/100/all on demand; the last page holds the rest
    assert (shown(""), shown("&per=25"), shown("&per=100"), shown("&page=3")) == (50, 25, 100, 12)
    assert shown("&per=all") == 112 == len(localities)

    page = client.get(f"/api/v1/t/{olt.slug}/county/?year=2009", headers=api_headers(coordinator, olt)).get_json()
    assert len(page["rows"]) == 112
    totals = page["totals"]
    assert totals["localities"] == 112
    assert totals["active"] == sum(1 for t in localities if t.active) == 20
    assert totals["councils"] == 2 and totals["members"] == 6 + 8 and totals["members_trained"] == 5 + 7
    for code, values in PROGRESS.items():
        assert Decimal(totals["indicators"][code]) == sum(values)
        per_locality = {r["tenant_id"]: Decimal(r["indicators"].get(code, "0")) for r in page["rows"]}
        assert sum(per_locality.values()) == sum(values)
    assert page["live"] is True

    councils = client.get(f"/api/v1/t/{olt.slug}/county/councils?year=2009",
                          headers=api_headers(coordinator, olt)).get_json()
    assert sorted(t.id for t in localities if t.slug in {r["slug"] for r in councils["rows"]}) == project_localities
    # Olt's targets come from the PIN 2/2008 seed; no other county gets one it did not set
    assert {p["key"]: (p["value"], p["target"]) for p in councils["progress"]} == {
        "councils": (2, 20), "councils_trained": (2, 20), "members_trained": (12, 140)}
    with app.app_context(), system_context():
        counties = set(db.session.execute(sa.select(CountyTarget.tenant_id)).scalars())
    assert counties == {olt.id}
    councils_html = client.get(f"/t/{olt.slug}/county/councils?year=2009").get_data(as_text=True)
    assert councils_html.count('<th scope="row">') == 20
    # the project ended in 2009; this year's councils page still lists the 20 councils it created
    this_year = client.get(f"/api/v1/t/{olt.slug}/county/councils", headers=api_headers(coordinator, olt)).get_json()
    assert sorted(t.id for t in localities if t.slug in {r["slug"] for r in this_year["rows"]}) == project_localities
