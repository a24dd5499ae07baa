"""Web security: CSRF on every state-changing route, cookies, headers, throttling, tokens, passwords, audit.

The CSRF checks walk the URL map, so a new form or API write is covered
the day it is added.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from core import tenancy
from core.access import CSRF_RERENDER_ATTR
from core.app import create_app
from core.audit import AuditEntry
from core.auth.models import ApiToken, Membership, Role, User
from core.db import db, utcnow
from core.testing import TEST_PASSWORD, api_headers, csrf_token, login
from tests.security.world import (
    PARAMETERS,
    TENANT_ARG,
    World,
    changed_tables,
    json_body,
    kind_of,
    object_args,
    openapi,
    password_hash,
    rule_methods,
    snapshot,
    tenant_rules,
)

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def own_url(world: World, rule: Any, tenant: Any) -> str:
    """The rule filled with the tenant's own objects."""
    own = world.objects[tenant.id]
    values = {a: own[kind_of(world.app, rule, a)] for a in object_args(rule)}
    return rule.build({TENANT_ARG: tenant.slug, **PARAMETERS, **values}, append_unknown=False)[1]


def all_rows(world: World) -> dict[str, str]:
    return snapshot(world.app, [t.id for t in world.tenants], audit=False)


def rerenders(app: Any, rule: Any) -> bool:
    """Whether the page shows its form again on a missing or expired CSRF token (``core.access.csrf_rerenders``)."""
    return getattr(app.view_functions[rule.endpoint], CSRF_RERENDER_ATTR, False)


def test_every_state_changing_page_refuses_a_post_without_csrf_token(world):
    app = world.app
    client = login(app.test_client(), world.user(world.a1, Role.TENANT_ADMIN))
    before = all_rows(world)
    checked = []
    for rule in tenant_rules(app):
        if rule.rule.startswith("/api/"):
            continue
        for method in sorted(WRITES & set(rule_methods(rule))):
            url = own_url(world, rule, world.a1)
            response = client.open(url, method=method, data={"name": "x", "text": "x"})
            # a form shown again with its input (422), or refused before it for want of the permission (403)
            expected = {422, 403} if rerenders(app, rule) else {400}
            assert response.status_code in expected, f"{method} {url} without a CSRF token: {response.status_code}"
            checked.append(url)
    for rule in app.url_map.iter_rules():
        if TENANT_ARG not in rule.arguments and WRITES & set(rule_methods(rule)):
            response = client.post(rule.rule, data={"email": "x@example.ro", "password": "x", "lang": "hu"})
            expected = 422 if rerenders(app, rule) else 400
            assert response.status_code == expected, f"POST {rule.rule} without a CSRF token: {response.status_code}"
            checked.append(rule.rule)
    assert len(checked) > 40
    assert not changed_tables(before, all_rows(world))


def test_every_api_write_with_a_session_cookie_needs_the_csrf_header(world):
    app = world.app
    spec = openapi(app)
    client = login(app.test_client(), world.user(world.a1, Role.TENANT_ADMIN))
    before = all_rows(world)
    checked = 0
    for rule in tenant_rules(app):
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(WRITES & set(rule_methods(rule))):
            url = own_url(world, rule, world.a1)
            response = client.open(url, method=method, json=json_body(spec, rule, method) or {})
            assert response.status_code == 400, f"{method} {url} with a cookie, no X-CSRFToken: {response.status_code}"
            checked += 1
    assert checked > 60
    assert not changed_tables(before, all_rows(world))
    # the same session with the header passes the check (the token is the one of its own session)
    token = csrf_token(client)
    response = client.post(
        f"/api/v1/t/{world.a1.slug}/tokens", json={"name": "din browser", "expires_days": 5},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.get_data(as_text=True)


def test_a_bearer_token_needs_no_csrf_token(world):
    with world.app.app_context():
        headers = api_headers(world.user(world.a1, Role.TENANT_ADMIN), world.a1)
    response = world.app.test_client().post(
        f"/api/v1/t/{world.a1.slug}/tokens", json={"name": "script", "expires_days": 5}, headers=headers
    )
    assert response.status_code == 201


def test_session_cookie_is_httponly_samesite_lax_and_secure_outside_testing(tmp_path):
    app = create_app(
        {"SECRET_KEY": "s" * 64, "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
         "VATRA_FILES": str(tmp_path / "files"), "REDIS_URL": None}
    )
    assert not app.testing and not app.debug
    with app.app_context(), tenancy.system_context():
        db.create_all()
        from tenants.catalog import ensure_platform

        platform = ensure_platform()
        user = User(email="operator@example.ro", name="Operator", password_hash=password_hash())
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, tenant_id=platform.id, role=Role.PLATFORM_ADMIN))
        db.session.commit()
    client = app.test_client()
    form = client.get("/login", base_url="https://vatra.example.ro").get_data(as_text=True)
    token = CSRF_FIELD.search(form).group(1)
    response = client.post(  # over HTTPS Flask-WTF also wants a same-site Referer, as a browser sends
        "/login", base_url="https://vatra.example.ro", headers={"Referer": "https://vatra.example.ro/login"},
        data={"email": "operator@example.ro", "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax"} <= flags, cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_security_headers_on_pages_api_and_errors(world, who):
    client = world.app.test_client()
    if who == "member":
        login(client, world.user(world.a1, Role.VIEWER))
    slug = world.a1.slug
    urls = ["/login", f"/t/{slug}/", f"/t/{slug}/admin/members", f"/t/{world.b1.slug}/", "/healthz",
            f"/api/v1/t/{slug}/me", f"/api/v1/t/{world.b1.slug}/me", "/api/v1/openapi.json", "/static/css/vatra.css"]
    for url in urls:
        response = client.get(url)
        csp = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, url
        assert "unsafe-inline" not in csp, url
        assert response.headers.get("X-Frame-Options") == "DENY", url
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url
        assert response.headers.get("Referrer-Policy") == "same-origin", url


def test_login_is_throttled_per_address(app, make_tenant, make_user):
    user = make_user(make_tenant(), Role.VIEWER)
    client = app.test_client()
    token = CSRF_FIELD.search(client.get("/login").get_data(as_text=True)).group(1)
    codes = [
        client.post("/login", data={"email": user.email, "password": f"greșit{i}", "csrf_token": token}).status_code
        for i in range(7)
    ]
    assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}
    # another address is not held back by this one's attempts
    other = app.test_client()
    other_token = CSRF_FIELD.search(other.get("/login").get_data(as_text=True)).group(1)
    response = other.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": other_token},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 302


def test_api_tokens_expire_and_are_revocable(app, make_tenant, make_user):
    tenant = make_tenant()
    user = make_user(tenant, Role.SOCIAL_WORKER)
    client = app.test_client()
    me = f"/api/v1/t/{tenant.slug}/me"
    with app.app_context():
        expired = api_headers(user, tenant, days=-1)
        live = api_headers(user, tenant)
    assert client.get(me, headers=expired).status_code == 401
    assert client.get(me, headers=live).status_code == 200
    with app.app_context(), tenancy.system_context():
        token_id = db.session.execute(
            sa.select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.expires_at > utcnow())
        ).scalar_one()
    assert client.delete(f"/api/v1/t/{tenant.slug}/tokens/{token_id}", headers=live).status_code == 204
    assert client.get(me, headers=live).status_code == 401
    # a token of a user who was deactivated stops at once too
    with app.app_context():
        other = api_headers(user, tenant)
    with app.app_context(), tenancy.system_context():
        db.session.execute(sa.update(User).where(User.id == user.id).values(active=False))
        db.session.commit()
    assert client.get(me, headers=other).status_code == 401


def test_passwords_are_stored_as_argon2id(app, make_tenant, make_user):
    tenant = make_tenant()
    admin = make_user(tenant, Role.TENANT_ADMIN)
    with app.app_context():
        headers = api_headers(admin, tenant)
    response = app.test_client().post(
        f"/api/v1/t/{tenant.slug}/members", json={"email": "nou@example.ro", "role": "viewer", "name": "Nou"},
        headers=headers,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    with app.app_context(), tenancy.system_context():
        hashes = db.session.execute(sa.select(User.email, User.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") for _, h in hashes), hashes
    assert not any(TEST_PASSWORD in h for _, h in hashes)


def test_a_member_removed_from_a_tenant_loses_access_on_the_next_request(world):
    app = world.app
    viewer = world.user(world.a1, Role.VIEWER)
    browser = login(app.test_client(), viewer)
    with app.app_context():
        script = api_headers(viewer, world.a1)
        admin = api_headers(world.user(world.a1, Role.TENANT_ADMIN), world.a1)
    slug = world.a1.slug
    assert browser.get(f"/t/{slug}/plan/").status_code == 200
    assert app.test_client().get(f"/api/v1/t/{slug}/me", headers=script).status_code == 200
    with app.app_context(), tenancy.system_context():
        membership_id = db.session.execute(
            sa.select(Membership.id).where(Membership.user_id == viewer.id, Membership.tenant_id == world.a1.id)
        ).scalar_one()
    client = app.test_client()
    assert client.delete(f"/api/v1/t/{slug}/members/{membership_id}", headers=admin).status_code == 204
    # the browser's session ended with the membership (back to the login page); the script's token is revoked
    assert browser.get(f"/t/{slug}/plan/").status_code == 302
    assert browser.get(f"/t/{slug}/plan/{world.objects[world.a1.id]['plan']}").status_code == 302
    assert client.get(f"/api/v1/t/{slug}/me", headers=script).status_code == 401


def test_denials_are_audited(world):
    app = world.app
    viewer = world.user(world.a1, Role.VIEWER)
    client = login(app.test_client(), viewer)
    assert client.get(f"/t/{world.a1.slug}/admin/members").status_code == 403
    assert client.get(f"/t/{world.b1.slug}/").status_code == 404
    with app.app_context():
        headers = api_headers(viewer, world.a1)
    assert app.test_client().get(f"/api/v1/t/{world.a1.slug}/audit", headers=headers).status_code == 403
    with app.app_context(), tenancy.system_context():
        entries = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "denied", AuditEntry.actor_user_id == viewer.id)
        ).scalars().all()
        seen = {(e.tenant_id, e.changed["status"], e.changed["path"]) for e in entries}
    assert (world.a1.id, 403, f"/t/{world.a1.slug}/admin/members") in seen
    assert (world.a1.id, 403, f"/api/v1/t/{world.a1.slug}/audit") in seen
    # the other tenant learns nothing and its chain is untouched: the denial is the platform's record
    assert any(status == 404 and path == f"/t/{world.b1.slug}/" and tid != world.b1.id for tid, status, path in seen)


def test_a_nul_character_is_refused_before_it_reaches_the_database(world):
    app = world.app
    slug = world.a1.slug
    client = login(app.test_client(), world.user(world.a1, Role.TENANT_ADMIN))
    with app.app_context():
        headers = api_headers(world.user(world.a1, Role.TENANT_ADMIN), world.a1)
    assert client.get(f"/api/v1/t/{slug}/jobs?kind=a%00b", headers=headers).status_code == 400
    assert client.get(f"/t/{slug}/audit?entity=a%00b").status_code == 400
    response = client.post(f"/api/v1/t/{slug}/council/members", json={"name": "Ana\u0000"}, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["code"] == 400
    page = client.post(f"/t/{slug}/council/members/new", data={"name": "Ana\x00", "csrf_token": csrf_token(client)})
    assert page.status_code == 400


def test_text_with_control_characters_is_stored_clean_and_exports_still_work(world):
    app = world.app
    own = world.objects[world.a1.id]
    base = f"/api/v1/t/{world.a1.slug}/projects/{own['pin_project']}"
    with app.app_context():
        headers = api_headers(world.user(world.a1, Role.TENANT_ADMIN), world.a1)
    client = app.test_client()
    step = client.post(f"{base}/activities/{own['pin_activity']}/steps", headers=headers,
                       json={"text": "Pasul\u000bdoi\u001d (copiat din Word)"})
    assert step.status_code == 201, step.get_data(as_text=True)
    assert step.get_json()["text"] == "Pasul\ndoi (copiat din Word)"
    for kind in ("progress_docx", "financial_xlsx"):
        job = client.post(f"{base}/reports", headers=headers, json={"kind": kind, "start": "2008-11-01",
                                                                   "end": "2009-12-31"})
        assert job.status_code == 202
        done = client.get(f"/api/v1/t/{world.a1.slug}/jobs/{job.get_json()['id']}", headers=headers).get_json()
        assert done["status"] == "succeeded", done
