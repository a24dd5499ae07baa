"""Every row that changes or disappears is audited (core.audit_rows), on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from core import audit, tenancy
from core.audit_rows import UnauditedWriteError, forbid_unaudited_writes
from core.cli import verify
from core.db import db
from tenants.models import Council, CouncilMeeting, CouncilMember, CouncilRole


def _council(app, tenant) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    with app.app_context(), tenancy.tenant_context(tenant.id):
        council = Council(name="CCC")
        council.members = [CouncilMember(name=f"Membru {i}", role=CouncilRole.MEMBER, position=i) for i in (1, 2, 3)]
        council.meetings = [CouncilMeeting(held_on=dt.date(2026, 3, 1), topic="aviz")]
        db.session.add(council)
        db.session.commit()
        return {"council": [council.id], "council_member": [m.id for m in council.members],
                "council_meeting": [m.id for m in council.meetings]}


def _entries_since(app, tenant_id: int, seq: int) -> list[audit.AuditEntry]:  # type: ignore[no-untyped-def]
    with app.app_context(), tenancy.system_context():
        return db.session.execute(
            sa.select(audit.AuditEntry).where(audit.AuditEntry.tenant_id == tenant_id, audit.AuditEntry.seq > seq)
            .order_by(audit.AuditEntry.seq)
        ).scalars().all()


def _last_seq(app, tenant_id: int) -> int:  # type: ignore[no-untyped-def]
    with app.app_context(), tenancy.system_context():
        return db.session.execute(sa.select(sa.func.coalesce(sa.func.max(audit.AuditEntry.seq), 0))
                                  .where(audit.AuditEntry.tenant_id == tenant_id)).scalar_one()


def _deleted(entries) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(e.entity, e.entity_id) for e in entries if e.action == "delete"}


def test_a_row_removed_from_a_relationship_is_audited(any_app, make_tenant):
    tenant = make_tenant()
    ids = _council(any_app, tenant)
    seq = _last_seq(any_app, tenant.id)
    with any_app.app_context(), tenancy.tenant_context(tenant.id):
        council = db.session.get(Council, ids["council"][0])
        council.members.pop(0)  # delete-orphan: no session.delete() anywhere
        db.session.commit()
    entries = _entries_since(any_app, tenant.id, seq)
    assert _deleted(entries) == {("council_member", str(ids["council_member"][0]))}
    assert entries[0].changed["name"] == ["Membru 1", None]


def test_bulk_update_and_delete_statements_are_audited(any_app, make_tenant):
    tenant = make_tenant()
    ids = _council(any_app, tenant)
    seq = _last_seq(any_app, tenant.id)
    with any_app.app_context(), tenancy.tenant_context(tenant.id):
        db.session.execute(sa.update(CouncilMember).where(CouncilMember.position >= 2)
                           .values(function="secretar").execution_options(synchronize_session=False))
        db.session.execute(sa.delete(CouncilMember).where(CouncilMember.position == 3))
        db.session.commit()
    entries = _entries_since(any_app, tenant.id, seq)
    updates = {e.entity_id: e.changed for e in entries if e.action == "update"}
    assert updates == {str(i): {"function": [None, "secretar"]} for i in ids["council_member"][1:]}
    assert _deleted(entries) == {("council_member", str(ids["council_member"][2]))}


def test_a_bulk_insert_statement_is_audited(any_app, make_tenant):
    tenant = make_tenant()
    ids = _council(any_app, tenant)
    seq = _last_seq(any_app, tenant.id)
    rows = [{"tenant_id": tenant.id, "council_id": ids["council"][0], "name": f"Nou {i}", "position": 10 + i,
             "role": "membru", "version": 1} for i in (1, 2)]
    with any_app.app_context(), tenancy.tenant_context(tenant.id):
        db.session.execute(sa.insert(CouncilMember.__table__), rows)
        db.session.commit()
    entries = _entries_since(any_app, tenant.id, seq)
    assert [(e.entity, e.action, e.changed["name"]) for e in entries] == [
        ("council_member", "insert", [None, "Nou 1"]), ("council_member", "insert", [None, "Nou 2"])]


def test_rows_removed_by_on_delete_cascade_are_audited(any_app, make_tenant):
    tenant = make_tenant()
    ids = _council(any_app, tenant)
    seq = _last_seq(any_app, tenant.id)
    with any_app.app_context(), tenancy.tenant_context(tenant.id):
        # the database's ON DELETE CASCADE removes the members and the meeting: the ORM never loads them
        db.session.execute(sa.delete(Council).where(Council.id == ids["council"][0]))
        db.session.commit()
        assert db.session.execute(sa.select(sa.func.count()).select_from(CouncilMember)).scalar() == 0
    expected = {(entity, str(i)) for entity, found in ids.items() for i in found}
    assert _deleted(_entries_since(any_app, tenant.id, seq)) == expected
    assert any_app.test_cli_runner().invoke(verify, []).exit_code == 0


def test_a_write_that_bypasses_the_session_is_refused_under_the_guard(any_app, make_tenant):
    tenant = make_tenant()
    ids = _council(any_app, tenant)
    with any_app.app_context(), tenancy.tenant_context(tenant.id), forbid_unaudited_writes(db.engine) as refused:
        with pytest.raises(UnauditedWriteError):
            db.session.connection().execute(sa.text("UPDATE council SET notes = 'x' WHERE id = :i"),
                                            {"i": ids["council"][0]})
        db.session.rollback()
        council = db.session.get(Council, ids["council"][0])
        council.notes = "through the session"
        db.session.commit()
    assert len(refused) == 1
