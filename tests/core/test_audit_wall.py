"""The audit log holds against someone running SQL as the application role (SECURITY.md, threat model).

PostgreSQL only: the roles, grants and the owner's append function are what is tested.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from core import audit, rls, tenancy
from core.cli import verify
from core.db import db
from tenants.models import Council


def _app_connection(app):  # type: ignore[no-untyped-def]
    """A raw connection as the application role: what an attacker with its credentials gets."""
    return sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.pool.NullPool).connect()


def _history(app, tenant, name="CCC"):  # type: ignore[no-untyped-def]
    with app.app_context(), tenancy.tenant_context(tenant.id), audit.acting_as(audit.Actor(user_id=3, label="u")):
        council = Council(name=name, founding_decision_number="12")
        db.session.add(council)
        db.session.commit()
        council.founding_decision_number = "13"
        db.session.commit()


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_chain WHERE tenant_id = :t",
        "UPDATE audit_chain SET last_seq = 0 WHERE tenant_id = :t",
        "DELETE FROM audit_entry WHERE tenant_id = :t",
        "UPDATE audit_entry SET changes = '{}' WHERE tenant_id = :t",
        "TRUNCATE audit_entry",
        "TRUNCATE audit_chain",
        "INSERT INTO audit_entry (tenant_id, seq, at, actor_label, entity, action, changes, prev_hash, hash)"
        " VALUES (:t, 99, now(), 'x', 'council', 'delete', '{}', repeat('0', 64), repeat('0', 64))",
        "INSERT INTO audit_chain (tenant_id, last_seq, last_hash) VALUES (:t + 100000, 0, repeat('0', 64))",
    ],
)
def test_the_application_role_cannot_write_the_audit_tables(pg_app, make_tenant, statement):
    tenant = make_tenant()
    _history(pg_app, tenant)
    with _app_connection(pg_app) as conn:
        conn.execute(sa.text("SELECT set_config('vatra.write_tenant', :t, true),"
                             " set_config('vatra.read_tenants', :t, true)"), {"t": str(tenant.id)})
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.execute(sa.text(statement), {"t": tenant.id})
    result = pg_app.test_cli_runner().invoke(verify, [])
    assert result.exit_code == 0, result.output


def _forge(app, tenant_id: int, **extra) -> None:  # type: ignore[no-untyped-def]
    entry = {
        "tenant_id": tenant_id, "at": dt.datetime.now(dt.UTC).isoformat(), "actor_user_id": None,
        "actor_token_id": None, "actor_job_id": None, "actor_label": "system", "request_id": None, "ip": None,
        "entity": "council", "entity_id": "1", "action": "delete", "changes": '{"name":["CCC",null]}', **extra,
    }
    with _app_connection(app) as conn:
        conn.execute(sa.text(f"SELECT {rls.AUDIT_APPEND_FN}(CAST(:e AS jsonb))"), {"e": json.dumps([entry])})
        conn.commit()


def test_an_entry_appended_without_the_key_is_flagged_by_verify(pg_app, make_tenant):
    tenant = make_tenant()
    _history(pg_app, tenant)
    # a correctly chained forgery: the function computes sequence and hash, so the chain alone accepts it
    _forge(pg_app, tenant.id, seq=1, hash="f" * 64, prev_hash="0" * 64)
    with pg_app.app_context(), tenancy.system_context():
        conn = db.session.connection()
        assert audit.verify(conn, tenant.id) == []  # without the key: a well-formed chain
        entries = conn.execute(sa.select(audit.AuditEntry).where(audit.AuditEntry.tenant_id == tenant.id)
                               .order_by(audit.AuditEntry.seq)).all()
    assert [e.seq for e in entries] == [1, 2, 3] and entries[-1].hash != "f" * 64  # the caller's seq/hash ignored
    result = pg_app.test_cli_runner().invoke(verify, [])
    assert result.exit_code == 1
    assert f"instituția {tenant.id}: înregistrarea #3 — unsigned" in result.output


def test_a_replayed_entry_with_a_valid_hmac_is_flagged(pg_app, make_tenant):
    tenant = make_tenant()
    _history(pg_app, tenant)
    with pg_app.app_context(), tenancy.system_context():
        first = db.session.execute(sa.select(audit.AuditEntry).where(audit.AuditEntry.tenant_id == tenant.id,
                                                                     audit.AuditEntry.seq == 1)).scalar_one()
        copy = {k: getattr(first, k) for k in audit._HASHED if k not in ("seq", "tenant_id")} | {"hmac": first.hmac}
    copy["at"] = copy["at"].isoformat()
    _forge(pg_app, tenant.id, **copy)
    result = pg_app.test_cli_runner().invoke(verify, [])
    assert result.exit_code == 1 and "#3 — unsigned: a copy of an earlier entry" in result.output


def test_hashes_computed_by_the_database_match_the_verifier_for_any_text(pg_app, make_tenant):
    tenant = make_tenant()
    _history(pg_app, tenant, name='Consiliul „Ș\\ț" \'x\' 😀\nrând nou\t€ </script>')
    result = pg_app.test_cli_runner().invoke(verify, [])
    assert result.exit_code == 0, result.output


def test_the_application_role_has_no_system_bypass(pg_app, make_tenant):
    tenant = make_tenant()
    _history(pg_app, tenant)
    with _app_connection(pg_app) as conn:
        conn.execute(sa.text("SELECT set_config('vatra.system', 'on', true)"))
        assert conn.execute(sa.text("SELECT count(*) FROM council")).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM audit_entry")).scalar() == 0
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            conn.execute(sa.text("INSERT INTO council (tenant_id, name, version) VALUES (:t, 'x', 1)"),
                         {"t": tenant.id})


def test_the_maintenance_role_sees_every_tenant_only_in_the_system_scope(pg_app, make_tenant):
    one, two = make_tenant(), make_tenant()
    _history(pg_app, one)
    _history(pg_app, two)
    engine = sa.create_engine(pg_app.config["DATABASE_MAINT_URL"], poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_user")).scalar() == rls.MAINT_ROLE
        assert conn.execute(sa.text("SELECT count(*) FROM council")).scalar() == 0
        conn.execute(sa.text("SELECT set_config('vatra.system', 'on', true)"))
        assert conn.execute(sa.text("SELECT count(*) FROM council")).scalar() == 2
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.execute(sa.text("DELETE FROM audit_chain"))
    engine.dispose()
    with pg_app.app_context(), tenancy.system_context():
        assert db.session.execute(sa.text("SELECT current_user")).scalar() == rls.MAINT_ROLE
        db.session.rollback()


def test_the_system_scope_cannot_start_inside_an_application_transaction(pg_app, make_tenant):
    tenant = make_tenant()
    with pg_app.app_context(), tenancy.tenant_context(tenant.id):
        db.session.execute(sa.text("SELECT 1"))
        with pytest.raises(tenancy.MaintenanceTransactionError):
            tenancy.system_context().__enter__()
        db.session.rollback()


def test_maintenance_configured_as_the_application_role_fails_loudly(pg_app, make_tenant):
    make_tenant()  # fixtures run as the maintenance role of the test database
    pg_app.config["DATABASE_MAINT_URL"] = pg_app.config["SQLALCHEMY_DATABASE_URI"]
    pg_app.extensions.pop("vatra_maint_engine")["engine"].dispose()
    result = pg_app.test_cli_runner().invoke(verify, [])
    assert result.exit_code != 0
    assert "DATABASE_MAINT_URL" in str(result.exception)
