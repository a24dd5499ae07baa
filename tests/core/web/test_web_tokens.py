"""API tokens: created on the page or the API, secret shown once, stored hashed, expiring, revocable."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from core.access import hash_token
from core.auth.models import ApiToken
from core.db import db, utcnow

SECRET = re.compile(r'value="(vt_[A-Za-z0-9_\-]+)"')


def _create_on_page(client, post_form, name="Export Excel", days="30") -> str:
    response = post_form(client, "/t/targu-secuiesc/tokens", {"name": name, "expires_days": days})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    found = SECRET.search(response.get_data(as_text=True))
    assert found, "the new secret is on the page"
    return found.group(1)


def test_token_created_on_the_page_is_shown_once_and_stored_hashed(app, admin_client, post_form):
    secret = _create_on_page(admin_client, post_form)
    again = admin_client.get("/t/targu-secuiesc/tokens").get_data(as_text=True)
    assert secret not in again
    assert "Export Excel" in again and secret[:10] in again  # listed by its prefix
    with app.app_context():
        token = db.session.execute(sa.select(ApiToken)).scalar_one()
        assert token.token_hash == hash_token(secret)
        assert secret not in (token.token_hash, token.prefix)
        assert dt.timedelta(days=29, hours=23) < token.expires_at - token.created_at <= dt.timedelta(days=30)


def test_token_works_on_the_api_until_revoked(app, admin_client, post_form, place):
    secret = _create_on_page(admin_client, post_form)
    headers = {"Authorization": f"Bearer {secret}"}
    anonymous = app.test_client()
    me = anonymous.get("/api/v1/t/targu-secuiesc/me", headers=headers)
    assert me.status_code == 200
    assert me.json["user"]["email"] == place.admin.email
    assert me.json["via_token"] is True
    assert "tenant.admin" in me.json["permissions"]
    assert me.json["roles"] == ["tenant_admin"]
    # a token opens only its own tenant
    assert anonymous.get("/api/v1/t/covasna/me", headers=headers).status_code == 404
    with app.app_context():
        token_id = db.session.execute(sa.select(ApiToken.id)).scalar_one()
    response = post_form(admin_client, f"/t/targu-secuiesc/tokens/{token_id}/revoke")
    assert response.status_code == 302
    refused = anonymous.get("/api/v1/t/targu-secuiesc/me", headers=headers)
    assert refused.status_code == 401
    assert refused.json["code"] == 401
    assert "revocată" in admin_client.get("/t/targu-secuiesc/tokens").get_data(as_text=True)


def test_an_expired_token_answers_401(app, place, api_headers):
    headers = api_headers(place.admin, place.locality)
    client = app.test_client()
    assert client.get("/api/v1/t/targu-secuiesc/me", headers=headers).status_code == 200
    with app.app_context():
        db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()
    assert client.get("/api/v1/t/targu-secuiesc/me", headers=headers).status_code == 401


def test_the_page_refuses_a_token_living_more_than_a_year(app, admin_client, post_form):
    response = post_form(admin_client, "/t/targu-secuiesc/tokens", {"name": "prea lungă", "expires_days": "366"})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(ApiToken)).scalar_one() == 0


def test_the_api_creates_lists_and_revokes_tokens(app, place, api_headers):
    headers = api_headers(place.admin, place.locality)
    client = app.test_client()
    created = client.post("/api/v1/t/targu-secuiesc/tokens", json={"name": "integrare", "expires_days": 7},
                          headers=headers)
    assert created.status_code == 201
    secret = created.json["secret"]
    assert secret.startswith("vt_") and created.json["prefix"] == secret[:10]
    listed = client.get("/api/v1/t/targu-secuiesc/tokens", headers=headers)
    assert listed.status_code == 200
    assert {t["name"] for t in listed.json} == {"test", "integrare"}
    assert all("secret" not in t for t in listed.json)
    new_headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/t/targu-secuiesc/me", headers=new_headers).status_code == 200
    deleted = client.delete(f"/api/v1/t/targu-secuiesc/tokens/{created.json['id']}", headers=headers)
    assert deleted.status_code == 204
    assert client.get("/api/v1/t/targu-secuiesc/me", headers=new_headers).status_code == 401


def test_the_api_refuses_bad_token_fields_naming_them(app, place, api_headers):
    headers = api_headers(place.admin, place.locality)
    response = app.test_client().post(
        "/api/v1/t/targu-secuiesc/tokens", json={"name": "", "expires_days": 400}, headers=headers
    )
    assert response.status_code == 422
    assert response.json["code"] == 422
    assert set(response.json["errors"]["json"]) == {"name", "expires_days"}


def test_someone_elses_token_cannot_be_revoked(app, place, make_user, api_headers):
    other = make_user(place.locality)
    other_headers = api_headers(other, place.locality)
    mine = api_headers(place.admin, place.locality)
    client = app.test_client()
    theirs = client.get("/api/v1/t/targu-secuiesc/tokens", headers=other_headers).json[0]["id"]
    assert client.delete(f"/api/v1/t/targu-secuiesc/tokens/{theirs}", headers=mine).status_code == 404
    assert client.get("/api/v1/t/targu-secuiesc/me", headers=other_headers).status_code == 200
