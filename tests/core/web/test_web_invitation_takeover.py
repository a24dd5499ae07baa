"""Account pre-creation takeover (issue 13 §1): creating an account for an e-mail never lends its later rights.

Before invitations, a locality's administrator who added an unknown e-mail
received its temporary password; when the operator later added the same
e-mail as platform administrator (or a county's as coordinator), the account
was linked silently and its creator signed in with those rights.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.auth.models import Membership, Role, User
from core.db import db
from core.testing import login
from tenants.models import Tenant

ATTACKER_PASSWORD = "parola-atacatorului-1"
VICTIM = "director@dgaspc-covasna.ro"


@pytest.fixture
def operator(app, make_user):
    with app.app_context():
        platform = db.session.execute(sa.select(Tenant).where(Tenant.slug == "platform")).scalar_one()
        db.session.expunge(platform)
    return make_user(platform, Role.PLATFORM_ADMIN), platform


def _pre_create(app, admin_client, page_csrf, post_form) -> None:
    """The locality admin invites the unknown e-mail and sets its password with their own code."""
    invited = post_form(admin_client, "/t/targu-secuiesc/admin/members", {"email": VICTIM, "role": "viewer"})
    assert invited.status_code == 201
    code = re.search(r'id="invite-code"[^>]*value="([^"]+)"', invited.get_data(as_text=True)).group(1)
    attacker = app.test_client()
    token = page_csrf(attacker, f"/invitation?code={code}")
    created = attacker.post(f"/invitation?code={code}", data={
        "name": "Director", "new_password": ATTACKER_PASSWORD, "new_password_repeat": ATTACKER_PASSWORD,
        "csrf_token": token})
    assert created.status_code == 302


def _sign_in_as_victim(app, page_csrf):
    client = app.test_client()
    token = page_csrf(client, "/login")
    answer = client.post("/login", data={"email": VICTIM, "password": ATTACKER_PASSWORD, "csrf_token": token})
    assert answer.status_code == 302
    return client


def test_the_operator_making_a_pre_created_account_platform_admin_gives_its_creator_nothing(
    app, admin_client, place, operator, api_headers, page_csrf, post_form
):
    _pre_create(app, admin_client, page_csrf, post_form)
    op_user, platform = operator
    answer = app.test_client().post(
        f"/api/v1/t/platform/tenants/{platform.id}/invitations",
        json={"email": VICTIM, "role": "platform_admin"}, headers=api_headers(op_user, platform),
    )
    assert answer.status_code == 201
    fresh = app.test_client().post(
        f"/api/v1/t/platform/tenants/{platform.id}/invitations",
        json={"email": "cineva-nou@dgaspc-covasna.ro", "role": "platform_admin"},
        headers=api_headers(op_user, platform),
    )
    assert set(answer.json) == set(fresh.json), "the answer does not tell whether the e-mail had an account"

    attacker = _sign_in_as_victim(app, page_csrf)
    assert attacker.get("/t/platform/").status_code == 404
    assert attacker.get("/t/platform/admin/tenants").status_code == 404
    page = attacker.get("/invitation").get_data(as_text=True)
    assert "Codul invitației" in page  # without the operator's code there is nothing to accept
    with app.app_context():
        roles = db.session.execute(sa.select(Membership.role).join(User).where(User.email == VICTIM)).scalars()
        assert set(roles) == {Role.VIEWER}


def test_a_county_admin_cannot_make_anyone_county_coordinator(app, place, make_user, api_headers, page_csrf,
                                                              admin_client, post_form):
    _pre_create(app, admin_client, page_csrf, post_form)
    county_admin = make_user(place.county, Role.TENANT_ADMIN)
    refused = app.test_client().post(
        "/api/v1/t/covasna/members", json={"email": VICTIM, "role": "county_coordinator"},
        headers=api_headers(county_admin, place.county),
    )
    assert refused.status_code == 403
    assert "role" in refused.json["errors"]["json"]
    attacker = _sign_in_as_victim(app, page_csrf)
    assert attacker.get("/t/covasna/").status_code == 404


def test_the_operator_making_a_pre_created_account_county_coordinator_gives_its_creator_nothing(
    app, admin_client, place, operator, api_headers, page_csrf, post_form
):
    _pre_create(app, admin_client, page_csrf, post_form)
    op_user, platform = operator
    answer = app.test_client().post(
        f"/api/v1/t/platform/tenants/{place.county.id}/invitations",
        json={"email": VICTIM, "role": "county_coordinator"}, headers=api_headers(op_user, platform),
    )
    assert answer.status_code == 201
    attacker = _sign_in_as_victim(app, page_csrf)
    assert attacker.get("/t/covasna/").status_code == 404
    # the real holder, who receives the operator's code, resets the password and accepts it
    assert answer.json["code"] not in attacker.get("/invitation").get_data(as_text=True)


def test_an_invitation_is_accepted_only_by_the_account_it_was_sent_to(
    app, place, make_user, operator, api_headers, page_csrf
):
    op_user, platform = operator
    answer = app.test_client().post(
        f"/api/v1/t/platform/tenants/{place.county.id}/invitations",
        json={"email": VICTIM, "role": "county_coordinator"}, headers=api_headers(op_user, platform),
    )
    someone = login(app.test_client(), make_user(place.locality, Role.VIEWER))
    code = answer.json["code"]
    page = someone.get(f"/invitation?code={code}").get_data(as_text=True)
    assert "Invitația poate fi acceptată doar din contul căruia i-a fost trimisă" in page
    token = page_csrf(someone, f"/invitation?code={code}")
    refused = someone.post(f"/invitation?code={code}", data={"csrf_token": token})
    assert refused.status_code == 403
    assert someone.get("/t/covasna/").status_code == 404


def test_the_operator_invites_a_tenants_first_admin_through_the_api(app, place, make_tenant, operator, api_headers,
                                                                    page_csrf):
    op_user, platform = operator
    town = make_tenant(parent=place.county, name="ORAȘ NOU", slug="oras-nou")
    answer = app.test_client().post(
        f"/api/v1/t/platform/tenants/{town.id}/invitations",
        json={"email": "primar@oras-nou.ro", "role": "tenant_admin", "name": "Primar"},
        headers=api_headers(op_user, platform),
    )
    assert answer.status_code == 201 and answer.json["role"] == "tenant_admin"
    newcomer = app.test_client()
    path = f"/invitation?code={answer.json['code']}"
    token = page_csrf(newcomer, path)
    newcomer.post(path, data={"name": "Primar", "new_password": ATTACKER_PASSWORD,
                              "new_password_repeat": ATTACKER_PASSWORD, "csrf_token": token})
    assert newcomer.get("/t/oras-nou/admin/members").status_code == 200
    not_operator = app.test_client().post(
        f"/api/v1/t/platform/tenants/{town.id}/invitations",
        json={"email": "x@oras-nou.ro", "role": "tenant_admin"},
        headers=api_headers(place.admin, place.locality),
    )
    assert not_operator.status_code == 404
