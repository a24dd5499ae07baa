"""The plugins page and API: a plugin switched off answers 404 for the tenant (the third-party `hello`)."""

from __future__ import annotations

from core.auth.models import Role
from core.testing import login


def test_plugins_page_lists_the_third_party_plugin(admin_client):
    html = admin_client.get("/t/targu-secuiesc/admin/plugins").get_data(as_text=True)
    assert "Salut" in html and "1.2.0" in html and "Modul terț de test." in html
    assert "activat" in html


def test_switching_a_plugin_off_and_on_again(app, admin_client, post_form, place, make_user):
    worker_client = login(app.test_client(), make_user(place.locality, Role.SOCIAL_WORKER))
    assert worker_client.get("/t/targu-secuiesc/hello/").status_code == 200
    assert 'href="/t/targu-secuiesc/hello/"' in worker_client.get("/t/targu-secuiesc/").get_data(as_text=True)

    response = post_form(admin_client, "/t/targu-secuiesc/admin/plugins/hello", {"enabled": "0"})
    assert response.status_code == 302
    assert worker_client.get("/t/targu-secuiesc/hello/").status_code == 404
    assert 'href="/t/targu-secuiesc/hello/"' not in worker_client.get("/t/targu-secuiesc/").get_data(as_text=True)
    assert "dezactivat" in admin_client.get("/t/targu-secuiesc/admin/plugins").get_data(as_text=True)

    post_form(admin_client, "/t/targu-secuiesc/admin/plugins/hello", {"enabled": "1"})
    assert worker_client.get("/t/targu-secuiesc/hello/").status_code == 200


def test_switching_off_bites_only_for_that_tenant(app, admin_client, post_form, place, make_tenant, make_user):
    other = make_tenant(parent=place.county)
    other_client = login(app.test_client(), make_user(other, Role.VIEWER))
    post_form(admin_client, "/t/targu-secuiesc/admin/plugins/hello", {"enabled": "0"})
    assert other_client.get(f"/t/{other.slug}/hello/").status_code == 200


def test_an_unknown_plugin_is_404(admin_client, post_form):
    assert post_form(admin_client, "/t/targu-secuiesc/admin/plugins/nu-exista", {"enabled": "1"}).status_code == 404


def test_plugins_api_lists_and_switches(app, place, make_user, api_headers):
    headers = api_headers(place.admin, place.locality)
    worker_headers = api_headers(make_user(place.locality, Role.SOCIAL_WORKER), place.locality)
    client = app.test_client()
    listed = {p["name"]: p for p in client.get("/api/v1/t/targu-secuiesc/plugins", headers=headers).json}
    assert listed["hello"]["enabled"] is True and listed["hello"]["version"] == "1.2.0"
    assert client.get("/api/v1/t/targu-secuiesc/hello/", headers=worker_headers).status_code == 200
    off = client.put("/api/v1/t/targu-secuiesc/plugins/hello", json={"enabled": False}, headers=headers)
    assert off.status_code == 200 and off.json["enabled"] is False
    gone = client.get("/api/v1/t/targu-secuiesc/hello/", headers=worker_headers)
    assert gone.status_code == 404 and gone.json["code"] == 404
    bad = client.put("/api/v1/t/targu-secuiesc/plugins/hello", json={"enabled": "perhaps"}, headers=headers)
    assert bad.status_code == 422 and "enabled" in bad.json["errors"]["json"]
    assert client.put("/api/v1/t/targu-secuiesc/plugins/hello", json={"enabled": True},
                      headers=worker_headers).status_code == 403
