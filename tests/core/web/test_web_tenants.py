"""The platform's tenants page: search across spellings, filters, activation."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.auth.models import Role
from core.db import db
from core.testing import login
from tenants.models import Tenant


def _listed(html: str) -> list[str]:
    """The slugs of the tenants in the result table, in order."""
    return re.findall(r'<br><span class="muted">([a-z0-9\-]+)</span>', html)


@pytest.fixture
def operator(app, make_user):
    with app.app_context():
        platform = db.session.execute(sa.select(Tenant).where(Tenant.slug == "platform")).scalar_one()
        db.session.expunge(platform)
    return login(app.test_client(), make_user(platform, Role.PLATFORM_ADMIN))


@pytest.fixture
def olt(make_tenant):
    county = make_tenant("county", name="JUDEȚUL OLT", slug="olt")
    make_tenant(parent=county, name="MUNICIPIUL SLATINA", slug="slatina", active=False)
    return county


@pytest.mark.parametrize("query", ["Tîrgu Secuiesc", "targu secuiesc", "TÂRGU SECUIEŞC", "Secuiesc"])
def test_search_finds_a_name_in_any_spelling(operator, place, query):
    html = operator.get("/t/platform/admin/tenants", query_string={"q": query}).get_data(as_text=True)
    assert _listed(html) == ["targu-secuiesc"]


def test_filters_by_county_kind_and_state(operator, place, olt):
    by_county = operator.get(f"/t/platform/admin/tenants?county={olt.id}").get_data(as_text=True)
    assert _listed(by_county) == ["olt", "slatina"]
    localities = operator.get("/t/platform/admin/tenants?kind=locality").get_data(as_text=True)
    assert sorted(_listed(localities)) == ["slatina", "targu-secuiesc"]
    inactive = operator.get("/t/platform/admin/tenants?active=0").get_data(as_text=True)
    assert _listed(inactive) == ["slatina"]
    both = operator.get(f"/t/platform/admin/tenants?county={olt.id}&active=1&kind=county").get_data(as_text=True)
    assert _listed(both) == ["olt"]


def test_activating_and_deactivating_a_tenant(app, operator, post_form, olt, make_user):
    with app.app_context():
        slatina_id = db.session.execute(sa.select(Tenant.id).where(Tenant.slug == "slatina")).scalar_one()
    response = post_form(operator, f"/t/platform/admin/tenants/{slatina_id}/active",
                         {"active": "1", "next": f"/t/platform/admin/tenants?county={olt.id}"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/platform/admin/tenants?county={olt.id}"
    with app.app_context():
        slatina = db.session.get(Tenant, slatina_id)
        assert slatina.active and slatina.activated_at is not None
        db.session.expunge(slatina)
    mayor = login(app.test_client(), make_user(slatina, Role.TENANT_ADMIN))
    assert mayor.get("/t/slatina/").status_code == 200
    post_form(operator, f"/t/platform/admin/tenants/{slatina_id}/active", {"active": "0"})
    assert mayor.get("/t/slatina/").status_code == 404


def test_an_outside_next_is_not_followed(operator, post_form, olt, app):
    with app.app_context():
        slatina_id = db.session.execute(sa.select(Tenant.id).where(Tenant.slug == "slatina")).scalar_one()
    response = post_form(operator, f"/t/platform/admin/tenants/{slatina_id}/active",
                         {"active": "1", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/t/platform/admin/tenants"


def test_tenants_page_is_for_the_platform_only(as_role, place):
    assert as_role(Role.TENANT_ADMIN, place.locality).get("/t/targu-secuiesc/admin/tenants").status_code == 403


def test_tenants_api_searches_and_switches(app, operator, place, olt, api_headers, make_user):
    with app.app_context():
        platform = db.session.execute(sa.select(Tenant).where(Tenant.slug == "platform")).scalar_one()
        db.session.expunge(platform)
    headers = api_headers(make_user(platform, Role.PLATFORM_ADMIN), platform)
    client = app.test_client()
    found = client.get("/api/v1/t/platform/tenants", query_string={"q": "Tîrgu"}, headers=headers)
    assert found.status_code == 200
    assert [t["slug"] for t in found.json] == ["targu-secuiesc"]
    slatina = client.get("/api/v1/t/platform/tenants?active=false&kind=locality", headers=headers).json
    assert [t["slug"] for t in slatina] == ["slatina"]
    switched = client.patch(f"/api/v1/t/platform/tenants/{slatina[0]['id']}", json={"active": True}, headers=headers)
    assert switched.status_code == 200 and switched.json["active"] is True
    bad = client.get("/api/v1/t/platform/tenants?kind=planet", headers=headers)
    assert bad.status_code == 422 and "kind" in bad.json["errors"]["query"]


def test_operator_gives_a_new_tenant_its_first_administrator(app, operator, post_form, olt, page_csrf):
    with app.app_context():
        slatina_id = db.session.execute(sa.select(Tenant.id).where(Tenant.slug == "slatina")).scalar_one()
    detail = operator.get(f"/t/platform/admin/tenants/{slatina_id}").get_data(as_text=True)
    assert "Doar instituțiile active pot avea utilizatori." in detail
    refused = post_form(operator, f"/t/platform/admin/tenants/{slatina_id}/members",
                        {"email": "primar@slatina.ro", "role": "tenant_admin"})
    assert refused.status_code == 409
    post_form(operator, f"/t/platform/admin/tenants/{slatina_id}/active", {"active": "1"})
    added = post_form(operator, f"/t/platform/admin/tenants/{slatina_id}/members",
                      {"email": "primar@slatina.ro", "name": "Primarul", "role": "tenant_admin"})
    assert added.status_code == 201
    code = re.search(r'id="invite-code"[^>]*value="([^"]+)"', added.get_data(as_text=True)).group(1)
    newcomer = app.test_client()
    token = page_csrf(newcomer, f"/invitation?code={code}")
    accepted = newcomer.post(f"/invitation?code={code}", data={
        "name": "Primarul", "new_password": "parola-primarului-1", "new_password_repeat": "parola-primarului-1",
        "csrf_token": token})
    assert accepted.status_code == 302
    assert newcomer.get("/t/slatina/admin/members").status_code == 200


def test_operator_switches_a_plugin_for_a_locality(app, operator, post_form, place, as_role):
    worker = as_role(Role.SOCIAL_WORKER, place.locality)
    assert worker.get("/t/targu-secuiesc/hello/").status_code == 200
    post_form(operator, f"/t/platform/admin/tenants/{place.locality.id}/plugins/hello", {"enabled": "0"})
    assert worker.get("/t/targu-secuiesc/hello/").status_code == 404
    assert "dezactivat" in operator.get(f"/t/platform/admin/tenants/{place.locality.id}").get_data(as_text=True)
