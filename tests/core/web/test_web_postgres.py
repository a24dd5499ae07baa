"""The web flows on PostgreSQL, where Row-Level Security binds the application's role."""

from __future__ import annotations

import pytest

from core.auth.models import Role
from core.testing import TEST_PASSWORD, login

pytestmark = pytest.mark.postgres


def test_login_members_council_tokens_and_audit_under_rls(pg_app, make_tenant, make_user, page_csrf, post_form):
    county = make_tenant("county", slug="covasna-pg")
    locality = make_tenant(parent=county, slug="loc-pg")
    admin = make_user(locality, Role.TENANT_ADMIN)
    anonymous = pg_app.test_client()
    token = page_csrf(anonymous, "/login")
    failed = anonymous.post("/login", data={"email": admin.email, "password": "gresit", "csrf_token": token})
    assert failed.status_code == 200
    signed_in = anonymous.post("/login", data={"email": admin.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 302

    client = login(pg_app.test_client(), admin)
    added = post_form(client, "/t/loc-pg/admin/members", {"email": "nou-pg@primaria.ro", "role": "viewer"})
    assert added.status_code == 201
    assert post_form(client, "/t/loc-pg/council/edit", {"name": "CCC"}).status_code == 302
    assert post_form(client, "/t/loc-pg/tokens", {"name": "pg", "expires_days": "3"}).status_code == 201
    audit_page = client.get("/t/loc-pg/audit").get_data(as_text=True)
    assert "council" in audit_page and "invitation" in audit_page and "api_token" in audit_page
    # the county sees nothing of the locality's log
    county_client = login(pg_app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    assert "CCC" not in county_client.get("/t/covasna-pg/audit").get_data(as_text=True)


def test_invitation_sessions_and_logout_under_rls(pg_app, make_tenant, make_user, page_csrf, post_form):
    import re

    locality = make_tenant(slug="inv-pg")
    admin = make_user(locality, Role.TENANT_ADMIN)
    added = post_form(login(pg_app.test_client(), admin), "/t/inv-pg/admin/members",
                      {"email": "nou-pg@primaria.ro", "role": "social_worker"})
    code = re.search(r'id="invite-code"[^>]*value="([^"]+)"', added.get_data(as_text=True)).group(1)
    newcomer = pg_app.test_client()
    path = f"/invitation?code={code}"
    token = page_csrf(newcomer, path)
    accepted = newcomer.post(path, data={"name": "Nou", "new_password": "parola-noua-pg-1",
                                         "new_password_repeat": "parola-noua-pg-1", "csrf_token": token})
    assert accepted.status_code == 302
    assert newcomer.get("/t/inv-pg/").status_code == 200
    thief = pg_app.test_client()
    thief.set_cookie("session", newcomer.get_cookie("session").value)
    assert thief.get("/t/inv-pg/").status_code == 200
    newcomer.post("/logout", data={"csrf_token": page_csrf(newcomer, "/t/inv-pg/tokens")})
    assert thief.get("/t/inv-pg/").status_code == 302


def test_api_on_postgres(pg_app, make_tenant, make_user, api_headers):
    locality = make_tenant(slug="api-pg")
    headers = api_headers(make_user(locality, Role.TENANT_ADMIN), locality)
    client = pg_app.test_client()
    assert client.put("/api/v1/t/api-pg/council", json={"name": "CCC"}, headers=headers).status_code == 200
    member = client.post("/api/v1/t/api-pg/council/members", json={"name": "Ana", "role": "secretar"},
                         headers=headers)
    assert member.status_code == 201
    entries = client.get("/api/v1/t/api-pg/audit?entity=council_member", headers=headers)
    assert entries.status_code == 200 and len(entries.json) == 1
    assert client.get("/healthz").json["database"] == "ok"


def test_password_change_under_rls(pg_app, make_tenant, make_user, page_csrf, post_form):
    locality = make_tenant(slug="pwd-pg")
    user = make_user(locality, Role.SOCIAL_WORKER)
    client = login(pg_app.test_client(), user)
    new = "parola-noua-pg-1"
    data = {"current_password": TEST_PASSWORD, "new_password": new, "new_password_repeat": new}
    assert post_form(client, "/account/password", data).status_code == 302
    wrong = {**data, "current_password": "gresita-de-tot"}
    assert post_form(client, "/account/password", wrong).status_code == 422  # audited on its own connection
    anonymous = pg_app.test_client()
    token = page_csrf(anonymous, "/login")
    signed_in = anonymous.post("/login", data={"email": user.email, "password": new, "csrf_token": token})
    assert signed_in.status_code == 302
