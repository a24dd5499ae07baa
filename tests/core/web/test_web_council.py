"""The consultative council: pages and API, council.view to read, council.edit to change."""

from __future__ import annotations

import sqlalchemy as sa

from core import tenancy
from core.auth.models import Role
from core.db import db
from tenants.models import Council, CouncilMember


def _count(app, model, tenant_id: int) -> int:
    with app.app_context(), tenancy.tenant_context(tenant_id):
        return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_staff_record_the_council_its_members_and_meetings(app, admin_client, post_form, place):
    assert "nu are încă un consiliu" in admin_client.get("/t/targu-secuiesc/council").get_data(as_text=True)
    saved = post_form(admin_client, "/t/targu-secuiesc/council/edit", {
        "name": "Consiliul Comunitar Consultativ Târgu Secuiesc",
        "founding_decision_number": "45", "founding_decision_date": "2009-04-28",
        "established_on": "2009-05-01", "trained_on": "2009-06-15",
    })
    assert saved.status_code == 302
    added = post_form(admin_client, "/t/targu-secuiesc/council/members/new", {
        "name": "Bokor Tiberiu", "role": "presedinte", "function": "primar",
        "institution": "Primăria Târgu Secuiesc", "valid_from": "2020-01-01",
    })
    assert added.status_code == 302
    post_form(admin_client, "/t/targu-secuiesc/council/meetings/new",
              {"held_on": "2026-01-20", "topic": "Avizarea planului", "members_present": "6"})
    html = admin_client.get("/t/targu-secuiesc/council").get_data(as_text=True)
    assert "Consiliul Comunitar Consultativ Târgu Secuiesc" in html
    assert "nr. 45" in html and "28 apr. 2009" in html
    assert "Bokor Tiberiu" in html and "Președinte" in html and "Primăria Târgu Secuiesc" in html
    assert "Avizarea planului" in html and "20 ian. 2026" in html


def test_a_member_ending_before_starting_is_refused_on_the_page(app, admin_client, post_form, place):
    post_form(admin_client, "/t/targu-secuiesc/council/edit", {"name": "CCC"})
    response = post_form(admin_client, "/t/targu-secuiesc/council/members/new",
                         {"name": "X", "role": "membru", "valid_from": "2026-05-01", "valid_to": "2026-01-01"})
    assert response.status_code == 422
    assert "Data de sfârșit nu poate fi înaintea datei de început." in response.get_data(as_text=True)
    assert _count(app, CouncilMember, place.locality.id) == 0


def test_editing_and_removing_a_member(app, admin_client, post_form, place):
    post_form(admin_client, "/t/targu-secuiesc/council/edit", {"name": "CCC"})
    post_form(admin_client, "/t/targu-secuiesc/council/members/new", {"name": "Ana", "role": "membru"})
    with app.app_context(), tenancy.tenant_context(place.locality.id):
        member_id = db.session.execute(sa.select(CouncilMember.id)).scalar_one()
    form = admin_client.get(f"/t/targu-secuiesc/council/members/{member_id}/edit").get_data(as_text=True)
    assert 'value="Ana"' in form and '<option selected value="membru">' in form
    post_form(admin_client, f"/t/targu-secuiesc/council/members/{member_id}/edit",
              {"name": "Ana Pop", "role": "secretar"})
    assert "Ana Pop" in admin_client.get("/t/targu-secuiesc/council").get_data(as_text=True)
    post_form(admin_client, f"/t/targu-secuiesc/council/members/{member_id}/delete")
    assert _count(app, CouncilMember, place.locality.id) == 0


def test_council_members_can_read_but_not_change(app, as_role, place, post_form):
    reader = as_role(Role.COUNCIL_MEMBER, place.locality)
    assert reader.get("/t/targu-secuiesc/council").status_code == 200
    assert reader.get("/t/targu-secuiesc/council/edit").status_code == 403
    assert post_form(reader, "/t/targu-secuiesc/council/edit", {"name": "Nu"}).status_code == 403
    assert _count(app, Council, place.locality.id) == 0


def test_council_api_round_trip(app, place, api_headers):
    headers = api_headers(place.admin, place.locality)
    client = app.test_client()
    assert client.get("/api/v1/t/targu-secuiesc/council", headers=headers).status_code == 404
    put = client.put("/api/v1/t/targu-secuiesc/council", headers=headers,
                     json={"name": "CCC Târgu Secuiesc", "founding_decision_number": "45",
                           "founding_decision_date": "2009-04-28"})
    assert put.status_code == 200 and put.json["founding_decision_date"] == "2009-04-28"
    member = client.post("/api/v1/t/targu-secuiesc/council/members", headers=headers,
                         json={"name": "Bokor Tiberiu", "role": "presedinte", "valid_from": "2020-01-01"})
    assert member.status_code == 201 and member.json["role"] == "presedinte" and member.json["position"] == 1
    changed = client.put(f"/api/v1/t/targu-secuiesc/council/members/{member.json['id']}", headers=headers,
                         json={"name": "Bokor Tiberiu", "role": "membru", "trained_on": "2021-02-02"})
    assert changed.status_code == 200 and changed.json["role"] == "membru"
    meeting = client.post("/api/v1/t/targu-secuiesc/council/meetings", headers=headers,
                          json={"held_on": "2026-01-20", "members_present": 6})
    assert meeting.status_code == 201
    council = client.get("/api/v1/t/targu-secuiesc/council", headers=headers).json
    assert [m["name"] for m in council["members"]] == ["Bokor Tiberiu"]
    assert [m["held_on"] for m in council["meetings"]] == ["2026-01-20"]
    assert client.delete(f"/api/v1/t/targu-secuiesc/council/members/{member.json['id']}",
                         headers=headers).status_code == 204
    assert client.get("/api/v1/t/targu-secuiesc/council/members", headers=headers).json == []


def test_council_api_422_names_each_bad_field_and_writes_nothing(app, place, api_headers):
    headers = api_headers(place.admin, place.locality)
    client = app.test_client()
    client.put("/api/v1/t/targu-secuiesc/council", headers=headers, json={"name": "CCC"})
    bad_role = client.post("/api/v1/t/targu-secuiesc/council/members", headers=headers,
                           json={"name": "X", "role": "vicepresedinte", "valid_from": "ieri"})
    assert bad_role.status_code == 422
    assert bad_role.json["code"] == 422 and bad_role.json["status"] == "Unprocessable Entity"
    assert set(bad_role.json["errors"]["json"]) == {"role", "valid_from"}
    bad_range = client.post("/api/v1/t/targu-secuiesc/council/members", headers=headers,
                            json={"name": "X", "valid_from": "2026-05-01", "valid_to": "2026-01-01"})
    assert bad_range.status_code == 422
    assert list(bad_range.json["errors"]["json"]) == ["valid_to"]
    unknown = client.post("/api/v1/t/targu-secuiesc/council/members", headers=headers,
                          json={"name": "X", "salary": 100})
    assert unknown.status_code == 422 and "salary" in unknown.json["errors"]["json"]
    not_json = client.post("/api/v1/t/targu-secuiesc/council/members", headers=headers, data="{nu e json",
                           content_type="application/json")
    assert not_json.status_code in {400, 422}
    assert _count(app, CouncilMember, place.locality.id) == 0


def test_council_api_writes_need_council_edit(app, place, make_user, api_headers):
    reader = api_headers(make_user(place.locality, Role.VIEWER), place.locality)
    response = app.test_client().put("/api/v1/t/targu-secuiesc/council", headers=reader, json={"name": "CCC"})
    assert response.status_code == 403
    assert _count(app, Council, place.locality.id) == 0


def test_cookie_api_writes_need_the_csrf_header(app, admin_client, place, csrf_token):
    refused = admin_client.put("/api/v1/t/targu-secuiesc/council", json={"name": "CCC"})
    assert refused.status_code == 400
    accepted = admin_client.put("/api/v1/t/targu-secuiesc/council", json={"name": "CCC"},
                                headers={"X-CSRFToken": csrf_token(admin_client)})
    assert accepted.status_code == 200
