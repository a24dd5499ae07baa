"""Signing in and out: CSRF, throttling, audit, safe redirects, the home page."""

from __future__ import annotations

import sqlalchemy as sa

from core.audit import AuditEntry
from core.auth.models import Role
from core.db import db
from core.testing import TEST_PASSWORD, login
from tenants.models import Tenant, TenantKind


def _platform_id(app) -> int:
    with app.app_context():
        return db.session.execute(sa.select(Tenant.id).where(Tenant.kind == TenantKind.PLATFORM)).scalar_one()


def _entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == action)).scalars())


def test_login_page_has_a_form_with_csrf(client):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="csrf_token"' in html
    assert 'autocomplete="current-password"' in html
    assert "<main" in html and 'href="#main"' in html


def test_good_password_signs_in_and_goes_to_the_only_tenant(app, client, place, page_csrf):
    token = page_csrf(client, "/login")
    response = client.post("/login", data={"email": place.admin.email.upper(), "password": TEST_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 302
    assert home.headers["Location"] == "/t/targu-secuiesc/"
    assert client.get("/t/targu-secuiesc/").status_code == 200
    logins = _entries(app, "login")
    assert [(e.tenant_id, e.actor_user_id) for e in logins] == [(place.locality.id, place.admin.id)]


def test_wrong_password_is_refused_and_audited_under_the_platform(app, client, place, page_csrf):
    token = page_csrf(client, "/login")
    response = client.post("/login", data={"email": place.admin.email, "password": "gresit", "csrf_token": token})
    assert response.status_code == 200
    assert "Adresa de e-mail sau parola nu este corectă." in response.get_data(as_text=True)
    assert client.get("/t/targu-secuiesc/").status_code == 302  # still anonymous: sent to the login page
    failed = _entries(app, "login_failed")
    assert len(failed) == 1
    assert failed[0].tenant_id == _platform_id(app)
    assert failed[0].changed["email"] == place.admin.email
    assert "gresit" not in failed[0].changes


def test_the_sixth_login_post_in_a_minute_answers_429(client, place, page_csrf):
    token = page_csrf(client, "/login")
    codes = [
        client.post("/login", data={"email": place.admin.email, "password": f"x{i}", "csrf_token": token}).status_code
        for i in range(6)
    ]
    assert codes == [200] * 5 + [429]
    # even the right password waits now
    good = client.post("/login", data={"email": place.admin.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert good.status_code == 429
    assert client.get("/login").status_code == 200  # reading the form is not throttled


def test_a_form_post_without_csrf_token_is_refused(client, place):
    response = client.post("/login", data={"email": place.admin.email, "password": TEST_PASSWORD})
    assert response.status_code == 422  # the form is shown again (with the e-mail kept), nobody is signed in
    assert place.admin.email in response.get_data(as_text=True)
    assert client.get("/t/targu-secuiesc/").status_code == 302


def test_a_logged_in_form_post_without_csrf_token_is_refused(admin_client):
    response = admin_client.post("/t/targu-secuiesc/tokens", data={"name": "x", "expires_days": "10"})
    assert response.status_code == 400
    assert "nicio cheie" in admin_client.get("/t/targu-secuiesc/tokens").get_data(as_text=True).lower()


def test_next_is_followed_only_on_this_site(app, place, page_csrf):
    def login_with_next(target: str) -> str:
        client = app.test_client()
        token = page_csrf(client, "/login")
        data = {"email": place.admin.email, "password": TEST_PASSWORD, "csrf_token": token, "next": target}
        response = client.post("/login", data=data)
        assert response.status_code == 302
        return response.headers["Location"]

    assert login_with_next("https://evil.example/steal") == "/"
    assert login_with_next("//evil.example/") == "/"
    assert login_with_next("/\\evil.example/") == "/"
    assert login_with_next("/t/targu-secuiesc/council") == "/t/targu-secuiesc/council"


def test_the_login_form_carries_next_from_the_url(client):
    html = client.get("/login?next=/t/x/audit").get_data(as_text=True)
    assert 'name="next" type="hidden" value="/t/x/audit"' in html


def test_a_signed_in_visitor_of_the_login_page_goes_home(admin_client):
    response = admin_client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_tenant_page_sends_an_anonymous_visitor_to_login_with_next(client, place):
    response = client.get("/t/targu-secuiesc/council")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert client.get(response.headers["Location"]).status_code == 200


def test_logout_is_a_post_with_csrf(admin_client, post_form):
    assert admin_client.get("/logout").status_code == 405
    assert admin_client.post("/logout").status_code == 400
    response = post_form(admin_client, "/logout")
    assert response.status_code == 302
    assert admin_client.get("/t/targu-secuiesc/").status_code == 302


def test_home_lists_every_tenant_of_a_person_with_several(app, place, make_user):
    user = make_user(roles={place.locality: Role.SOCIAL_WORKER, place.county: Role.COUNTY_COORDINATOR})
    client = login(app.test_client(), user)
    html = client.get("/").get_data(as_text=True)
    assert "Municipiul Târgu Secuiesc" in html and "Județul Covasna" in html
    assert "Coordonator județean" in html and "Asistent social" in html
    # and the layout offers the switch between them
    page = client.get("/t/covasna/").get_data(as_text=True)
    assert "Schimbă instituția" in page
    assert 'href="/t/targu-secuiesc/"' in page


def test_home_of_an_anonymous_visitor_is_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_session_cookie_is_http_only(client, place, page_csrf):
    token = page_csrf(client, "/login")
    response = client.post("/login", data={"email": place.admin.email, "password": TEST_PASSWORD, "csrf_token": token})
    cookie = response.headers.get("Set-Cookie", "")
    assert "session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
