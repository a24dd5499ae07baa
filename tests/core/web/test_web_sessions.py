"""Server-side sessions: logout, idleness, a password change and a removed membership end them.

A cookie copied before any of these stops working; the forms' CSRF token
lives and dies with the session; API tokens are revoked with a password
change and cannot mint tokens that outlive them.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
import sqlalchemy as sa

from core.auth.models import ApiToken, UserSession
from core.db import db, utcnow
from core.testing import TEST_PASSWORD

NEW_PASSWORD = "o-parola-noua-lunga"


def _sign_in(app, user, page_csrf):
    client = app.test_client()
    token = page_csrf(client, "/login")
    assert client.post("/login", data={"email": user.email, "password": TEST_PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return client


def _copy(app, client):
    """Another browser holding the same cookie (as a thief who copied it would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_cookie_copied_before_logout_stops_working(app, place, page_csrf):
    client = _sign_in(app, place.admin, page_csrf)
    thief = _copy(app, client)
    assert thief.get("/t/targu-secuiesc/").status_code == 200
    token = page_csrf(client, "/t/targu-secuiesc/tokens")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert thief.get("/t/targu-secuiesc/").status_code == 302
    # nor does the CSRF token of that session serve a write
    refused = thief.post("/t/targu-secuiesc/tokens", data={"name": "x", "expires_days": "5", "csrf_token": token})
    assert refused.status_code in {302, 400, 422} and refused.status_code != 201
    with app.app_context():
        row = db.session.execute(sa.select(UserSession)).scalar_one()
        assert row.end_reason == "logout" and row.ended_at is not None


def test_a_session_idle_for_eight_hours_ends(app, place, page_csrf):
    client = _sign_in(app, place.admin, page_csrf)
    assert app.config["SESSION_IDLE_SECONDS"] == 8 * 3600
    with app.app_context():
        db.session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - dt.timedelta(hours=7, minutes=59)))
        db.session.commit()
    assert client.get("/t/targu-secuiesc/").status_code == 200, "seven hours and 59 minutes idle is not eight"
    with app.app_context():
        db.session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - dt.timedelta(hours=8, minutes=1)))
        db.session.commit()
    assert client.get("/t/targu-secuiesc/").status_code == 302
    with app.app_context():
        assert db.session.execute(sa.select(UserSession.end_reason)).scalar_one() == "idle"


def test_a_password_change_ends_every_other_session_and_revokes_api_tokens(app, place, page_csrf, api_headers):
    here = _sign_in(app, place.admin, page_csrf)
    elsewhere = _sign_in(app, place.admin, page_csrf)
    headers = api_headers(place.admin, place.locality)
    token = page_csrf(here, "/account/password")
    changed = here.post("/account/password", data={
        "current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD,
        "csrf_token": token})
    assert changed.status_code == 302
    assert here.get("/t/targu-secuiesc/").status_code == 200, "the browser that changed it stays signed in"
    assert elsewhere.get("/t/targu-secuiesc/").status_code == 302
    assert app.test_client().get("/api/v1/t/targu-secuiesc/me", headers=headers).status_code == 401
    with app.app_context():
        assert db.session.execute(sa.select(ApiToken.revoked_at)).scalar_one() is not None


@pytest.mark.config(WTF_CSRF_TIME_LIMIT=1)
def test_an_expired_csrf_token_shows_the_login_form_again_with_the_input(app, place, page_csrf):
    client = app.test_client()
    token = page_csrf(client, "/login")
    time.sleep(2.2)  # itsdangerous counts whole seconds: older than 1 s means 2
    answer = client.post("/login", data={"email": place.admin.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert f'value="{place.admin.email}"' in html
    assert "Formularul a expirat" in html
    assert client.get("/t/targu-secuiesc/").status_code == 302, "nobody signed in with an expired token"
    fresh = page_csrf(client, "/login")
    assert client.post("/login", data={"email": place.admin.email, "password": TEST_PASSWORD,
                                       "csrf_token": fresh}).status_code == 302


@pytest.mark.config(WTF_CSRF_TIME_LIMIT=1)
def test_an_expired_csrf_token_shows_the_member_form_again_and_saves_nothing(app, place, page_csrf):
    client = _sign_in(app, place.admin, page_csrf)
    token = page_csrf(client, "/t/targu-secuiesc/admin/members")
    time.sleep(2.2)  # itsdangerous counts whole seconds: older than 1 s means 2
    answer = client.post("/t/targu-secuiesc/admin/members", data={
        "email": "pastrat@primaria.ro", "name": "Nume Păstrat", "role": "viewer", "csrf_token": token})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'value="pastrat@primaria.ro"' in html and 'value="Nume Păstrat"' in html
    assert "invite-code" not in html
    from core.auth.models import Invitation

    with app.app_context():
        assert db.session.execute(sa.select(Invitation)).first() is None


def test_a_token_cannot_mint_a_token_that_outlives_it(app, place, api_headers):
    headers = api_headers(place.admin, place.locality, days=10)
    client = app.test_client()
    longer = client.post("/api/v1/t/targu-secuiesc/tokens", json={"name": "mai lungă", "expires_days": 30},
                         headers=headers)
    assert longer.status_code == 422 and "expires_days" in longer.json["errors"]["json"]
    shorter = client.post("/api/v1/t/targu-secuiesc/tokens", json={"name": "mai scurtă", "expires_days": 5},
                          headers=headers)
    assert shorter.status_code == 201
