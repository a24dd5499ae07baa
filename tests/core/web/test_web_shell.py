"""The shell: layout, navigation, languages, security headers, /healthz, the API docs."""

from __future__ import annotations

import pytest

from core.app import create_app
from core.auth.models import Role
from core.testing import login


def test_layout_has_landmarks_skip_link_and_no_inline_script_or_style(admin_client):
    html = admin_client.get("/t/targu-secuiesc/").get_data(as_text=True)
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert '<a class="skip-link" href="#main">' in html
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert '<form class="logout" method="post" action="/logout">' in html


def test_navigation_follows_permissions(app, place, as_role, admin_client):
    admin_nav = admin_client.get("/t/targu-secuiesc/").get_data(as_text=True)
    for href in ("/t/targu-secuiesc/audit", "/t/targu-secuiesc/admin/members", "/t/targu-secuiesc/admin/plugins",
                 "/t/targu-secuiesc/council", "/t/targu-secuiesc/tokens", "/t/targu-secuiesc/hello/"):
        assert f'href="{href}"' in admin_nav
    assert 'href="/t/targu-secuiesc/" aria-current="page"' in admin_nav
    viewer_nav = as_role(Role.VIEWER, place.locality).get("/t/targu-secuiesc/").get_data(as_text=True)
    assert 'href="/t/targu-secuiesc/council"' in viewer_nav
    for hidden in ("/t/targu-secuiesc/audit", "/t/targu-secuiesc/admin/members", "/t/targu-secuiesc/admin/plugins"):
        assert f'href="{hidden}"' not in viewer_nav


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ro", ["Panou", "Consiliul consultativ", "Ieșire", "Sari la conținutul paginii"]),
        ("hu", ["Irányítópult", "Tanácsadó testület", "Kijelentkezés", "Ugrás a tartalomra"]),
        ("en", ["Dashboard", "Advisory council", "Sign out", "Skip to content"]),
    ],
)
def test_pages_render_in_each_language(admin_client, lang, words):
    for url in ("/t/targu-secuiesc/", "/t/targu-secuiesc/council", "/t/targu-secuiesc/audit",
                "/t/targu-secuiesc/tokens", "/t/targu-secuiesc/admin/members", "/t/targu-secuiesc/admin/plugins"):
        response = admin_client.get(url, query_string={"lang": lang})
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
    for word in words:
        assert word in html
    # the choice sticks for the next page
    assert f'<html lang="{lang}">' in admin_client.get("/t/targu-secuiesc/").get_data(as_text=True)


def test_login_page_in_hungarian_and_english(client):
    assert "Bejelentkezés" in client.get("/login?lang=hu").get_data(as_text=True)
    assert "Sign in" in client.get("/login?lang=en").get_data(as_text=True)


def test_dates_follow_the_language(app, admin_client, post_form):
    post_form(admin_client, "/t/targu-secuiesc/council/edit", {"name": "CCC", "trained_on": "2026-03-05"})
    assert "5 mar. 2026" in admin_client.get("/t/targu-secuiesc/council?lang=ro").get_data(as_text=True)
    assert "2026. márc. 5." in admin_client.get("/t/targu-secuiesc/council?lang=hu").get_data(as_text=True)
    assert "Mar 5, 2026" in admin_client.get("/t/targu-secuiesc/council?lang=en").get_data(as_text=True)


def test_security_headers_on_pages_and_api(admin_client, client):
    for response in (admin_client.get("/t/targu-secuiesc/"), client.get("/login"), client.get("/healthz")):
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_secure_cookies_outside_debug(tmp_path):
    app = create_app({"SECRET_KEY": "x" * 40, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_error_pages_use_the_layout(admin_client):
    response = admin_client.get("/t/targu-secuiesc/nu-exista")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Pagina sau obiectul cerut nu există." in html and '<main id="main"' in html


def test_other_tenants_look_like_nothing_is_there(app, place, make_tenant, make_user):
    other = make_tenant(parent=place.county)
    client = login(app.test_client(), make_user(other, Role.TENANT_ADMIN))
    assert client.get("/t/targu-secuiesc/").status_code == 404
    assert client.get("/t/targu-secuiesc/admin/members").status_code == 404


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "not configured"}


@pytest.mark.redis
def test_healthz_reports_redis(app, redis_url):
    app.config["REDIS_URL"] = redis_url
    assert app.test_client().get("/healthz").json["redis"] == "ok"


def test_healthz_is_degraded_without_redis(app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "degraded"
    assert response.json["database"] == "ok"
    assert response.json["redis"].startswith("error")


def test_healthz_answers_503_when_the_database_is_down(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "REDIS_URL": None})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "degraded"
    assert response.json["database"].startswith("error")
    assert "127.0.0.1" not in response.json["database"]  # a public page tells no details


def test_api_docs_are_served_locally_under_the_strict_csp(client):
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in html and "cdn" not in html.lower()
    assert '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js">' in html
    assert '<script src="/static/js/swagger-init.js">' in html
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    with client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js") as bundle:
        assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.data
    for asset in ("/static/vendor/swagger-ui/swagger-ui.css", "/static/js/swagger-init.js"):
        with client.get(asset) as response:
            assert response.status_code == 200
    assert client.get("/static/vendor/swagger-ui/../../../setup.cfg").status_code == 404


def test_openapi_documents_the_core_api(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/t/{tenant}/me", "/api/v1/t/{tenant}/audit", "/api/v1/t/{tenant}/tokens",
                 "/api/v1/t/{tenant}/tokens/{token_id}", "/api/v1/t/{tenant}/members",
                 "/api/v1/t/{tenant}/plugins/{name}", "/api/v1/t/{tenant}/council",
                 "/api/v1/t/{tenant}/council/members/{member_id}", "/api/v1/t/{tenant}/tenants"):
        assert path in paths, path


def test_static_css_is_served(client):
    with client.get("/static/css/vatra.css") as css:
        assert css.status_code == 200
        assert b"@media print" in css.data


def test_pages_answer_503_with_the_layout_when_the_database_is_down():
    app = create_app({"TESTING": True, "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "REDIS_URL": None})
    client = app.test_client()
    assert client.get("/login").status_code == 200  # the form needs no database
    with client.session_transaction() as session:
        session["_user_id"] = "1.0123456789abcdef"
    page = client.get("/t/targu-secuiesc/")
    assert page.status_code == 503
    assert "Serviciul este temporar indisponibil." in page.get_data(as_text=True)
    api = client.get("/api/v1/t/targu-secuiesc/me")
    assert api.status_code == 503 and api.json["code"] == 503
