"""The members page and API: invitations by e-mail with a role, removal (biting at once), password links."""

from __future__ import annotations

import re

import sqlalchemy as sa

from core.auth.models import ApiToken, Invitation, Membership, Role, User
from core.db import db
from core.testing import TEST_PASSWORD, login

NEW_PASSWORD = "parola-aleasa-de-mine"


def _roles_of(app, email: str, tenant_id: int) -> set[str]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Membership.role).join(User, Membership.user_id == User.id)
            .where(User.email == email, Membership.tenant_id == tenant_id)
        ).scalars()
        return {r.value for r in rows}


def _code(response) -> str:
    return re.search(r'id="invite-code"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)


def _signed_in(app, email: str, password: str, page_csrf):
    client = app.test_client()
    token = page_csrf(client, "/login")
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, "the good password must sign in"
    return client


def test_an_existing_user_gets_the_role_only_by_accepting_with_their_own_password(
    app, admin_client, place, make_user, post_form, page_csrf
):
    other = make_user(place.county, Role.VIEWER)
    response = post_form(admin_client, "/t/targu-secuiesc/admin/members",
                         {"email": other.email.upper(), "role": "social_worker"})
    assert response.status_code == 201
    code = _code(response)
    assert _roles_of(app, other.email, place.locality.id) == set(), "no role before the invitation is accepted"
    page = admin_client.get("/t/targu-secuiesc/admin/members").get_data(as_text=True)
    assert other.email.lower() in page and "Invitații în așteptare" in page and code not in page

    anonymous = app.test_client().get(f"/invitation?code={code}").get_data(as_text=True)
    assert "intrați cu parola dumneavoastră" in anonymous and 'name="new_password"' not in anonymous

    holder = _signed_in(app, other.email, TEST_PASSWORD, page_csrf)
    token = page_csrf(holder, f"/invitation?code={code}")
    accepted = holder.post(f"/invitation?code={code}", data={"csrf_token": token})
    assert accepted.status_code == 302
    assert _roles_of(app, other.email, place.locality.id) == {"social_worker"}
    assert holder.get("/t/targu-secuiesc/").status_code == 200
    again = holder.post(f"/invitation?code={code}", data={"csrf_token": token})
    assert again.status_code == 404, "an invitation is used once"


def test_a_new_person_sets_their_own_password_with_the_code(app, admin_client, place, post_form, page_csrf):
    response = post_form(admin_client, "/t/targu-secuiesc/admin/members",
                         {"email": "nou@primaria.ro", "name": "Ion Nou", "role": "viewer"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "temp-password" not in html and "parola temporară" not in html.lower()
    code = _code(response)
    with app.app_context():
        stored = db.session.execute(sa.select(Invitation)).scalar_one()
        assert code not in (stored.code_hash, stored.email) and len(stored.code_hash) == 64
        assert (stored.expires_at - stored.created_at).total_seconds() == 72 * 3600
        assert db.session.execute(sa.select(User).where(User.email == "nou@primaria.ro")).first() is None
    assert code not in admin_client.get("/t/targu-secuiesc/admin/members").get_data(as_text=True)

    newcomer = app.test_client()
    token = page_csrf(newcomer, f"/invitation?code={code}")
    short = newcomer.post(f"/invitation?code={code}", data={
        "name": "Ion Nou", "new_password": "scurta", "new_password_repeat": "scurta", "csrf_token": token})
    assert short.status_code == 422
    done = newcomer.post(f"/invitation?code={code}", data={
        "name": "Ion Nou", "new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD, "csrf_token": token})
    assert done.status_code == 302
    assert newcomer.get("/t/targu-secuiesc/").status_code == 200
    assert _roles_of(app, "nou@primaria.ro", place.locality.id) == {"viewer"}
    _signed_in(app, "nou@primaria.ro", NEW_PASSWORD, page_csrf)


def test_the_answer_is_the_same_whether_or_not_the_email_has_an_account(app, place, make_user, api_headers):
    known = make_user(place.county, Role.VIEWER)
    headers = api_headers(place.admin, place.locality)
    client = app.test_client()
    answers = [
        client.post("/api/v1/t/targu-secuiesc/members", json={"email": email, "role": "viewer"}, headers=headers)
        for email in (known.email, "nimeni@nicaieri.ro")
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert set(answers[0].json) == set(answers[1].json) == {
        "id", "email", "role", "created_at", "expires_at", "code", "link", "mailed"
    }
    assert all(a.json["mailed"] is False for a in answers)


def test_a_role_the_tenant_kind_does_not_have_is_refused(app, admin_client, place, post_form):
    response = post_form(admin_client, "/t/targu-secuiesc/admin/members",
                         {"email": "x@y.ro", "role": "platform_admin"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.execute(sa.select(Invitation)).first() is None


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
    assert worker_client.get("/t/targu-secuiesc/").status_code == 302, "the session ended with the membership"
    assert worker_client.get("/t/targu-secuiesc/council").status_code == 302


def test_nobody_removes_their_own_membership(app, admin_client, place, make_user, post_form):
    make_user(place.locality, Role.TENANT_ADMIN)  # a second administrator: the last-admin rule is not what refuses
    with app.app_context():
        own = db.session.execute(sa.select(Membership.id).where(Membership.user_id == place.admin.id)).scalar_one()
    post_form(admin_client, f"/t/targu-secuiesc/admin/members/{own}/remove")
    assert admin_client.get("/t/targu-secuiesc/admin/members").status_code == 200
    assert _roles_of(app, place.admin.email, place.locality.id) == {"tenant_admin"}


def test_an_admin_removes_another_admin_but_never_themselves(app, place, make_user, api_headers):
    other = make_user(place.locality, Role.TENANT_ADMIN)
    with app.app_context():
        theirs = db.session.execute(sa.select(Membership.id).where(Membership.user_id == other.id)).scalar_one()
        mine = db.session.execute(sa.select(Membership.id).where(Membership.user_id == place.admin.id)).scalar_one()
    client = app.test_client()
    headers = api_headers(place.admin, place.locality)
    other_headers = api_headers(other, place.locality)
    assert client.delete(f"/api/v1/t/targu-secuiesc/members/{mine}", headers=headers).status_code == 403
    assert client.delete(f"/api/v1/t/targu-secuiesc/members/{theirs}", headers=headers).status_code == 204
    assert client.get("/api/v1/t/targu-secuiesc/me", headers=other_headers).status_code == 401


def test_members_page_needs_tenant_admin(as_role, place):
    worker = as_role(Role.SOCIAL_WORKER, place.locality)
    assert worker.get("/t/targu-secuiesc/admin/members").status_code == 403
    assert worker.get("/t/targu-secuiesc/admin/plugins").status_code == 403


def test_members_api_invites_lists_and_removes(app, place, make_user, api_headers):
    headers = api_headers(place.admin, place.locality)
    client = app.test_client()
    added = client.post("/api/v1/t/targu-secuiesc/members", json={"email": "api@primaria.ro", "role": "viewer"},
                        headers=headers)
    assert added.status_code == 201
    assert added.json["email"] == "api@primaria.ro" and added.json["role"] == "viewer"
    assert len(added.json["code"]) >= 24 and added.json["code"] in added.json["link"]
    pending = client.get("/api/v1/t/targu-secuiesc/members/invitations", headers=headers).json
    assert [(i["email"], i["role"]) for i in pending] == [("api@primaria.ro", "viewer")]
    again = client.post("/api/v1/t/targu-secuiesc/members", json={"email": "api@primaria.ro", "role": "viewer"},
                        headers=headers)
    assert again.status_code == 201, "inviting again replaces the open invitation"
    assert len(client.get("/api/v1/t/targu-secuiesc/members/invitations", headers=headers).json) == 1
    assert app.test_client().get(f"/invitation?code={added.json['code']}").status_code == 404
    bad = client.post("/api/v1/t/targu-secuiesc/members", json={"email": "nu-e-email", "role": "boss"},
                      headers=headers)
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]) == {"email", "role"}
    withdrawn = client.delete(f"/api/v1/t/targu-secuiesc/members/invitations/{again.json['id']}", headers=headers)
    assert withdrawn.status_code == 204
    assert app.test_client().get(f"/invitation?code={again.json['code']}").status_code == 404

    worker = make_user(place.locality, Role.SOCIAL_WORKER)
    listed = client.get("/api/v1/t/targu-secuiesc/members", headers=headers).json
    assert {(m["user"]["email"], m["role"]) for m in listed} == {
        (place.admin.email, "tenant_admin"), (worker.email, "social_worker")
    }
    mid = next(m["id"] for m in listed if m["user"]["email"] == worker.email)
    assert client.delete(f"/api/v1/t/targu-secuiesc/members/{mid}", headers=headers).status_code == 204
    assert _roles_of(app, worker.email, place.locality.id) == set()


def test_members_api_needs_tenant_admin(app, place, make_user, api_headers):
    viewer = make_user(place.locality, Role.VIEWER)
    response = app.test_client().get("/api/v1/t/targu-secuiesc/members", headers=api_headers(viewer, place.locality))
    assert response.status_code == 403
    assert response.json["code"] == 403


def test_removing_a_membership_revokes_the_api_tokens_there_and_re_adding_does_not_revive_them(
    app, place, make_user, api_headers
):
    worker = make_user(place.locality, Role.SOCIAL_WORKER, roles={place.county: Role.VIEWER})
    here = api_headers(worker, place.locality)
    there = api_headers(worker, place.county)
    admin = api_headers(place.admin, place.locality)
    client = app.test_client()
    assert client.get("/api/v1/t/targu-secuiesc/me", headers=here).status_code == 200
    with app.app_context():
        mid = db.session.execute(sa.select(Membership.id).where(
            Membership.user_id == worker.id, Membership.tenant_id == place.locality.id)).scalar_one()
    assert client.delete(f"/api/v1/t/targu-secuiesc/members/{mid}", headers=admin).status_code == 204
    with app.app_context():
        db.session.add(Membership(user_id=worker.id, tenant_id=place.locality.id, role=Role.SOCIAL_WORKER))
        db.session.commit()
        revoked = db.session.execute(sa.select(ApiToken.revoked_at).where(
            ApiToken.user_id == worker.id, ApiToken.tenant_id == place.locality.id)).scalar_one()
        assert revoked is not None
    assert client.get("/api/v1/t/targu-secuiesc/me", headers=here).status_code == 401
    assert client.get("/api/v1/t/covasna/me", headers=there).status_code == 200, "other tenants' tokens stay"


def test_admin_makes_a_password_link_only_for_accounts_whose_every_role_they_could_grant(
    app, admin_client, place, make_user, post_form, page_csrf
):
    worker = make_user(place.locality, Role.SOCIAL_WORKER)
    coordinator = make_user(place.locality, Role.VIEWER, roles={place.county: Role.COUNTY_COORDINATOR})
    with app.app_context():
        ids = {
            u.id: db.session.execute(sa.select(Membership.id).where(
                Membership.user_id == u.id, Membership.tenant_id == place.locality.id)).scalar_one()
            for u in (worker, coordinator)
        }
    page = admin_client.get("/t/targu-secuiesc/admin/members").get_data(as_text=True)
    assert f"/admin/members/{ids[worker.id]}/reset-password" in page
    assert f"/admin/members/{ids[coordinator.id]}/reset-password" not in page
    refused = post_form(admin_client, f"/t/targu-secuiesc/admin/members/{ids[coordinator.id]}/reset-password")
    assert refused.status_code == 302 and "/account/reset/" not in refused.get_data(as_text=True)

    made = post_form(admin_client, f"/t/targu-secuiesc/admin/members/{ids[worker.id]}/reset-password")
    assert made.status_code == 200
    link = re.search(r'id="reset-link"[^>]*value="([^"]+)"', made.get_data(as_text=True)).group(1)
    path = link.split("localhost", 1)[1]
    holder = app.test_client()
    token = page_csrf(holder, path)
    assert holder.post(path, data={"new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD,
                                   "csrf_token": token}).status_code == 302
    _signed_in(app, worker.email, NEW_PASSWORD, page_csrf)
    assert holder.get(path).status_code == 404, "a password link works once"


def test_nobody_invites_themselves_to_another_role(app, place, api_headers):
    answer = app.test_client().post(
        "/api/v1/t/targu-secuiesc/members", json={"email": place.admin.email.upper(), "role": "social_worker"},
        headers=api_headers(place.admin, place.locality),
    )
    assert answer.status_code == 403 and "email" in answer.json["errors"]["json"]
    with app.app_context():
        assert db.session.execute(sa.select(Invitation)).first() is None


def test_a_social_worker_cannot_invite_anyone(app, place, make_user, api_headers):
    worker = make_user(place.locality, Role.SOCIAL_WORKER)
    answer = app.test_client().post(
        "/api/v1/t/targu-secuiesc/members", json={"email": "x@primaria.ro", "role": "viewer"},
        headers=api_headers(worker, place.locality),
    )
    assert answer.status_code == 403


def test_an_invitation_lapses_when_its_maker_loses_the_right_to_grant_it(app, place, make_user, api_headers):
    other_admin = make_user(place.locality, Role.TENANT_ADMIN)
    client = app.test_client()
    made = client.post("/api/v1/t/targu-secuiesc/members", json={"email": "nou@primaria.ro", "role": "viewer"},
                       headers=api_headers(other_admin, place.locality))
    assert app.test_client().get(f"/invitation?code={made.json['code']}").status_code == 200
    with app.app_context():
        mid = db.session.execute(sa.select(Membership.id).where(Membership.user_id == other_admin.id)).scalar_one()
    headers = api_headers(place.admin, place.locality)
    assert client.delete(f"/api/v1/t/targu-secuiesc/members/{mid}", headers=headers).status_code == 204
    assert app.test_client().get(f"/invitation?code={made.json['code']}").status_code == 404
