"""The audit page and API: filters by entity, user and days, pages, before/after of each change."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from core.audit import AuditEntry
from core.auth.models import Role
from core.db import db
from core.testing import login


def _shift_council_entries(app, tenant_id: int, days: int) -> None:
    """Move the council's audit entries into the past (tests only: the app's role may not do this on PostgreSQL)."""
    with app.app_context():
        db.session.execute(
            sa.update(AuditEntry)
            .where(AuditEntry.tenant_id == tenant_id, AuditEntry.entity == "council")
            .values(at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days))
        )
        db.session.commit()


def _make_history(admin_client, post_form, worker_client) -> None:
    post_form(admin_client, "/t/targu-secuiesc/council/edit", {"name": "CCC Târgu Secuiesc"})
    post_form(admin_client, "/t/targu-secuiesc/council/edit",
              {"name": "CCC Târgu Secuiesc", "trained_on": "2025-03-01"})
    post_form(worker_client, "/t/targu-secuiesc/council/members/new", {"name": "Maria Pop", "role": "membru"})


def test_audit_page_shows_changes_before_and_after(app, admin_client, post_form, place, make_user):
    worker_client = login(app.test_client(), make_user(place.locality, Role.SOCIAL_WORKER))
    _make_history(admin_client, post_form, worker_client)
    html = admin_client.get("/t/targu-secuiesc/audit").get_data(as_text=True)
    assert "council_member" in html and "Maria Pop" in html
    assert "modificare" in html and "2025-03-01" in html  # the update, with its new value
    assert "<th scope=\"col\">Înainte</th>" in html


def test_audit_page_filters_by_entity_user_and_days(app, admin_client, post_form, place, make_user):
    worker = make_user(place.locality, Role.SOCIAL_WORKER, name="Vasile Lucrător")
    worker_client = login(app.test_client(), worker)
    _make_history(admin_client, post_form, worker_client)
    by_entity = admin_client.get("/t/targu-secuiesc/audit?entity=council_member").get_data(as_text=True)
    assert "Maria Pop" in by_entity and "CCC Târgu Secuiesc" not in by_entity
    by_user = admin_client.get(f"/t/targu-secuiesc/audit?user={worker.id}").get_data(as_text=True)
    assert "Maria Pop" in by_user and "CCC Târgu Secuiesc" not in by_user
    _shift_council_entries(app, place.locality.id, days=10)
    today = dt.date.today()
    recent = admin_client.get(f"/t/targu-secuiesc/audit?date_from={today - dt.timedelta(days=1)}")
    assert "Maria Pop" in recent.get_data(as_text=True)
    assert "CCC Târgu Secuiesc" not in recent.get_data(as_text=True)
    old_start, old_end = today - dt.timedelta(days=12), today - dt.timedelta(days=8)
    older = admin_client.get(f"/t/targu-secuiesc/audit?date_from={old_start}&date_to={old_end}").get_data(as_text=True)
    assert "CCC Târgu Secuiesc" in older and "Maria Pop" not in older


def test_audit_page_refuses_a_range_ending_before_it_starts(admin_client):
    response = admin_client.get("/t/targu-secuiesc/audit?date_from=2026-02-01&date_to=2026-01-01")
    assert response.status_code == 422
    assert "Data de sfârșit nu poate fi înaintea datei de început." in response.get_data(as_text=True)


def test_audit_page_is_paginated(app, admin_client, post_form):
    post_form(admin_client, "/t/targu-secuiesc/council/edit", {"name": "CCC"})
    for n in range(55):
        post_form(admin_client, "/t/targu-secuiesc/council/meetings/new", {"held_on": "2026-01-05", "topic": f"T{n}"})
    first = admin_client.get("/t/targu-secuiesc/audit?entity=council_meeting").get_data(as_text=True)
    assert "Pagina 1 din 2" in first
    assert 'rel="next" href="/t/targu-secuiesc/audit?page=2&amp;entity=council_meeting"' in first
    second = admin_client.get("/t/targu-secuiesc/audit?entity=council_meeting&page=2").get_data(as_text=True)
    assert "Pagina 2 din 2" in second and second.count("<td>T") == 5


def test_audit_page_needs_audit_view(as_role, place):
    assert as_role(Role.SOCIAL_WORKER, place.locality).get("/t/targu-secuiesc/audit").status_code == 403


def test_audit_page_shows_only_this_tenants_entries(app, post_form, place, make_tenant, make_user):
    other = make_tenant(parent=place.county, name="COMUNA BRATEȘ")
    other_client = login(app.test_client(), make_user(other, Role.TENANT_ADMIN))
    post_form(other_client, f"/t/{other.slug}/council/edit", {"name": "Consiliul din Brateș"})
    admin_client = login(app.test_client(), place.admin)
    assert "Brateș" not in admin_client.get("/t/targu-secuiesc/audit").get_data(as_text=True)


def test_audit_api_filters_and_paginates(app, admin_client, post_form, place, make_user, api_headers):
    worker = make_user(place.locality, Role.SOCIAL_WORKER)
    _make_history(admin_client, post_form, login(app.test_client(), worker))
    headers = api_headers(place.admin, place.locality)
    client = app.test_client()
    response = client.get("/api/v1/t/targu-secuiesc/audit?entity=council&page_size=1", headers=headers)
    assert response.status_code == 200
    assert len(response.json) == 1
    assert json.loads(response.headers["X-Pagination"])["total"] == 2
    newest = response.json[0]
    assert newest["action"] == "update"
    assert newest["changes"]["trained_on"] == [None, "2025-03-01"]
    by_user = client.get(f"/api/v1/t/targu-secuiesc/audit?user_id={worker.id}", headers=headers).json
    assert {e["entity"] for e in by_user} == {"council_member"}
    bad = client.get("/api/v1/t/targu-secuiesc/audit?date_from=2026-02-01&date_to=2026-01-01", headers=headers)
    assert bad.status_code == 422
    assert "date_to" in bad.json["errors"]["query"]
