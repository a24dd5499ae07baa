"""The members page and API: add by e-mail with a role, remove (biting at once)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from core.auth.models import Membership, Role, User
from core.db import db
from core.testing import login


def _roles_of(app, email: str, tenant_id: int) -> set[str]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Membership.role).join(User, Membership.user_id == User.id)
            .where(User.email == email, Membership.tenant_id == tenant_id)
        ).scalars()
        return {r.value for r in rows}


def test_admin_adds_an_existing_user_with_a_role(app, admin_client, place, make_user, post_form):
    other = make_user(place.county, Role.VIEWER)
    response = post_form(admin_client, "/t/targu-secuiesc/admin/members",
                         {"email": other.email.upper(), "role": "social_worker"})
    assert response.status_code == 302
    assert _roles_of(app, other.email, place.locality.id) == {"social_worker"}
    page = admin_client.get("/t/targu-secuiesc/admin/members").get_data(as_text=True)
    assert other.email in page and "Asistent social" in page
    assert login(app.test_client(), other).get("/t/targu-secuiesc/").status_code == 200


def test_a_new_person_gets_an_account_with_a_password_shown_once(app, admin_client, place, post_form, page_csrf):
    response = post_form(admin_client, "/t/targu-secuiesc/admin/members",
                         {"email": "nou@primaria.ro", "name": "Ion Nou", "role": "viewer"})
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    password = re.search(r'id="temp-password"[^>]*value="([^"]+)"', html).group(1)
    assert password not in admin_client.get("/t/targu-secuiesc/admin/members").get_data(as_text=True)
    newcomer = app.test_client()
    token = page_csrf(newcomer, "/login")
    signed_in = newcomer.post("/login", data={"email": "nou@primaria.ro", "password": password, "csrf_token": token})
    assert signed_in.status_code == 302
    assert newcomer.get("/t/targu-secuiesc/").status_code == 200


def test_a_role_the_tenant_kind_does_not_have_is_refused(app, admin_client, place, post_form):
    response = post_form(admin_client, "/t/targu-secuiesc/admin/members",
                         {"email": "x@y.ro", "role": "platform_admin"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.execute(sa.select(User).where(User.email == "x@y.ro")).first() is None


def test_removing_a_membership_bites_on_the_next_request(app, admin_client, place, make_user, post_form):
    worker = make_user(place.locality, Role.SOCIAL_WORKER)
    worker_client = login(app.test_client(), worker)
    assert worker_client.get("/t/targu-secuiesc/").status_code == 200
    with app.app_context():
        membership_id = db.session.execute(
            sa.select(Membership.id).where(Membership.user_id == worker.id)
        ).scalar_one()
    response = post_form(admin_client, f"/t/targu-secuiesc/admin/members/{membership_id}/remove")
    assert response.status_code == 302
    assert worker_client.get("/t/targu-secuiesc/").status_code == 404
    assert worker_client.get("/t/targu-secuiesc/council").status_code == 404


def test_the_last_administrator_cannot_be_removed(app, admin_client, place, post_form):
    with app.app_context():
        own = db.session.execute(sa.select(Membership.id).where(Membership.user_id == place.admin.id)).scalar_one()
    post_form(admin_client, f"/t/targu-secuiesc/admin/members/{own}/remove")
    assert admin_client.get("/t/targu-secuiesc/admin/members").status_code == 200
    assert _roles_of(app, place.admin.email, place.locality.id) == {"tenant_admin"}


def test_members_page_needs_tenant_admin(as_role, place):
    worker = as_role(Role.SOCIAL_WORKER, place.locality)
    assert worker.get("/t/targu-secuiesc/admin/members").status_code == 403
    assert worker.get("/t/targu-secuiesc/admin/plugins").status_code == 403


def test_members_api_lists_adds_and_removes(app, place, make_user, api_headers):
    headers = api_headers(place.admin, place.locality)
    client = app.test_client()
    added = client.post("/api/v1/t/targu-secuiesc/members", json={"email": "api@primaria.ro", "role": "viewer"},
                        headers=headers)
    assert added.status_code == 201
    assert added.json["new_user"] is True and len(added.json["temporary_password"]) >= 12
    assert added.json["user"]["email"] == "api@primaria.ro" and added.json["role"] == "viewer"
    listed = client.get("/api/v1/t/targu-secuiesc/members", headers=headers).json
    assert {(m["user"]["email"], m["role"]) for m in listed} == {
        (place.admin.email, "tenant_admin"), ("api@primaria.ro", "viewer")
    }
    again = client.post("/api/v1/t/targu-secuiesc/members", json={"email": "api@primaria.ro", "role": "viewer"},
                        headers=headers)
    assert again.status_code == 409
    bad = client.post("/api/v1/t/targu-secuiesc/members", json={"email": "nu-e-email", "role": "boss"},
                      headers=headers)
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]) == {"email", "role"}
    removed = client.delete(f"/api/v1/t/targu-secuiesc/members/{added.json['id']}", headers=headers)
    assert removed.status_code == 204
    assert _roles_of(app, "api@primaria.ro", place.locality.id) == set()


def test_members_api_needs_tenant_admin(app, place, make_user, api_headers):
    viewer = make_user(place.locality, Role.VIEWER)
    response = app.test_client().get("/api/v1/t/targu-secuiesc/members", headers=api_headers(viewer, place.locality))
    assert response.status_code == 403
    assert response.json["code"] == 403

