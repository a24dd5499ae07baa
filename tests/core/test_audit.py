"""The audit log: automatic entries, the SHA-256 chain and its verification."""

from __future__ import annotations

import sqlalchemy as sa

from core import audit, tenancy
from core.cli import verify
from core.db import db
from tenants.models import Council


def _entries(app, tenant_id):  # type: ignore[no-untyped-def]
    with app.app_context(), tenancy.system_context():
        return db.session.execute(
            sa.select(audit.AuditEntry).where(audit.AuditEntry.tenant_id == tenant_id).order_by(audit.AuditEntry.seq)
        ).scalars().all()


def _write_history(app, tenant):  # type: ignore[no-untyped-def]
    actor = audit.Actor(user_id=7, label="user:test")
    with app.app_context(), tenancy.tenant_context(tenant.id), audit.acting_as(actor):
        council = Council(name="CCC", founding_decision_number="12")
        db.session.add(council)
        db.session.commit()
        council.founding_decision_number = "13"
        db.session.commit()
        db.session.delete(council)
        db.session.commit()


def test_every_write_is_recorded_with_before_and_after(any_app, make_tenant):
    tenant = make_tenant()
    _write_history(any_app, tenant)
    entries = _entries(any_app, tenant.id)
    assert [(e.entity, e.action) for e in entries] == [
        ("council", "insert"),
        ("council", "update"),
        ("council", "delete"),
    ]
    assert entries[1].changed == {"founding_decision_number": ["12", "13"]}
    assert entries[0].actor_user_id == 7 and entries[0].actor_label == "user:test"
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[1].prev_hash == entries[0].hash


def _run_verify(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(verify, [])


def test_verify_passes_on_an_intact_log(any_app, make_tenant):
    _write_history(any_app, make_tenant())
    result = _run_verify(any_app)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def _tamper(app, sql, params):  # type: ignore[no-untyped-def]
    # as the owner would: the application role may not update or delete audit entries
    url = app.config["DATABASE_OWNER_URL"]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(sql), params)
    engine.dispose()


def test_verify_reports_an_edited_entry(any_app, make_tenant):
    tenant = make_tenant()
    _write_history(any_app, tenant)
    second = _entries(any_app, tenant.id)[1]
    _tamper(any_app, "UPDATE audit_entry SET changes = :c WHERE id = :i", {"c": '{"x":[1,2]}', "i": second.id})
    result = _run_verify(any_app)
    assert result.exit_code == 1
    assert "#2" in result.output and "edited" in result.output


def test_verify_reports_a_deleted_entry(any_app, make_tenant):
    tenant = make_tenant()
    _write_history(any_app, tenant)
    second = _entries(any_app, tenant.id)[1]
    _tamper(any_app, "DELETE FROM audit_entry WHERE id = :i", {"i": second.id})
    result = _run_verify(any_app)
    assert result.exit_code == 1
    assert "#2" in result.output and "deleted" in result.output


def test_verify_reports_a_deleted_tail(any_app, make_tenant):
    tenant = make_tenant()
    _write_history(any_app, tenant)
    last = _entries(any_app, tenant.id)[-1]
    _tamper(any_app, "DELETE FROM audit_entry WHERE id = :i", {"i": last.id})
    result = _run_verify(any_app)
    assert result.exit_code == 1 and "deleted" in result.output


def test_verify_reports_an_inserted_entry(any_app, make_tenant):
    tenant = make_tenant()
    _write_history(any_app, tenant)
    last = _entries(any_app, tenant.id)[-1]
    # a well-formed forgery appended after the last entry, its hash recomputed by the forger
    forged = {k: getattr(last, k) for k in ("tenant_id", "at", "actor_label", "entity", "entity_id", "action")}
    forged |= {"seq": last.seq + 1, "changes": '{"name":["CCC",null]}', "prev_hash": last.hash}
    forged |= {"actor_user_id": None, "actor_token_id": None, "actor_job_id": None, "request_id": None, "ip": None}
    forged["hash"] = audit.entry_hash(last.hash, audit._hash_fields(forged))
    _tamper(
        any_app,
        "INSERT INTO audit_entry (tenant_id, seq, at, actor_label, entity, entity_id, action, changes, prev_hash, hash)"
        " VALUES (:tenant_id, :seq, :at, :actor_label, :entity, :entity_id, :action, :changes, :prev_hash, :hash)",
        forged,
    )
    result = _run_verify(any_app)
    assert result.exit_code == 1 and "inserted" in result.output


def test_application_role_cannot_rewrite_history(pg_app, make_tenant):
    tenant = make_tenant()
    _write_history(pg_app, tenant)
    with pg_app.app_context(), tenancy.system_context():
        try:
            db.session.execute(sa.text("DELETE FROM audit_entry"))
            deleted = True
        except sa.exc.ProgrammingError as exc:
            deleted = False
            assert "permission denied" in str(exc)
        db.session.rollback()
    assert deleted is False


def _rewrite_history(app, tenant_id: int) -> None:
    """What someone with the owner's rights could do: edit entry #2, recompute every later hash and the head."""
    entries = _entries(app, tenant_id)
    prev = entries[0].hash
    for entry in entries[1:]:
        fields = audit._hash_fields(entry)
        if entry.seq == 2:
            fields["changes"] = '{"founding_decision_number":["12","99"]}'
        new_hash = audit.entry_hash(prev, fields)
        _tamper(app, "UPDATE audit_entry SET changes = :c, prev_hash = :p, hash = :h WHERE id = :i",
                {"c": fields["changes"], "p": prev, "h": new_hash, "i": entry.id})
        prev = new_hash
    _tamper(app, "UPDATE audit_chain SET last_hash = :h WHERE tenant_id = :t", {"h": prev, "t": tenant_id})


def test_anchors_kept_outside_catch_a_history_rewritten_with_its_hashes(any_app, make_tenant, tmp_path):
    from core.cli import anchor

    tenant = make_tenant()
    _write_history(any_app, tenant)
    anchors = tmp_path / "anchors.jsonl"
    written = any_app.test_cli_runner().invoke(anchor, ["--output", str(anchors)])
    assert written.exit_code == 0, written.output
    assert any(f'"tenant_id":{tenant.id}' in line for line in anchors.read_text().splitlines())
    assert any_app.test_cli_runner().invoke(verify, ["--anchors", str(anchors)]).exit_code == 0

    _rewrite_history(any_app, tenant.id)

    # the chain alone cannot tell; the HMAC can (the owner does not hold the audit key) ...
    result = _run_verify(any_app)
    assert result.exit_code == 1 and "#2" in result.output and "unsigned" in result.output
    # ... and the anchors can even against someone who holds both
    recorded = [audit.Anchor.from_json(line) for line in anchors.read_text().splitlines()]
    with any_app.app_context(), tenancy.system_context():
        problems = audit.check_anchors(db.session.connection(), recorded)
    assert [(p.tenant_id, p.seq, "rewritten" in p.detail) for p in problems] == [(tenant.id, 3, True)]


def test_a_bad_anchors_file_is_a_clear_error(any_app, tmp_path):
    bad = tmp_path / "anchors.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    result = any_app.test_cli_runner().invoke(verify, ["--anchors", str(bad)])
    assert result.exit_code == 2 and "--anchors" in result.output and "not an anchor line" in result.output
