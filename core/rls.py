"""Row-Level Security, roles and the owner's functions on PostgreSQL: the database side of the walls.

Everything here is run by the migrations as the table owner (``migrations/env.py`` calls
:func:`install` after every upgrade; the test fixtures call it after ``create_all``), so the
policies, grants and functions have ONE definition whatever revision created a table.

Roles (see SECURITY.md, *Threat model*):

* the owner runs the migrations; it owns the tables and the functions below;
* ``vatra_app`` — the web and worker processes. Neither superuser nor owner, so the policies bind
  it. Its policies have **no system branch**: it reads the tenants listed in
  ``vatra.read_tenants`` and writes the one in ``vatra.write_tenant``, both transaction-local
  settings written by :mod:`core.tenancy`. It cannot write the audit tables at all: entries are
  appended by :data:`AUDIT_APPEND_FN`. Its few cross-tenant needs (a job's head before its
  tenant is known, the reaper's list of unfinished jobs) go through the narrow ``SECURITY
  DEFINER`` functions of :data:`FUNCTIONS`, which return job bookkeeping only;
* ``vatra_maint`` — the command line's maintenance (``system_context``): the same policies
  plus one that opens every tenant when ``vatra.system`` is ``on``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

import sqlalchemy as sa

APP_ROLE = "vatra_app"
MAINT_ROLE = "vatra_maint"

SYSTEM = "((SELECT current_setting('vatra.system', true)) = 'on')"
READ = (
    "(tenant_id IN (SELECT unnest("
    "string_to_array(NULLIF(current_setting('vatra.read_tenants', true), ''), ',')::int[])))"
)
WRITE = "(tenant_id = (SELECT NULLIF(current_setting('vatra.write_tenant', true), '')::int))"
"""The policies read each setting once per statement (sub-selects: an InitPlan, a hashed SubPlan), not once
per row: re-parsing a county's or the country's list of tenants on every row made a national read take
seconds to minutes (benchmarks/RESULTS.md)."""

AUDIT_TABLES = ("audit_entry", "audit_chain")
"""Written only through :data:`AUDIT_APPEND_FN` (owner's rights); the roles may only read them."""
AUDIT_APPEND_FN = "vatra_audit_append"

_OLD_POLICIES = ("tenant_read", "tenant_write", "tenant_append", "maint_all", "maint_read")


def policy_statements(table: str, *, maint: bool = True) -> list[str]:
    """The SQL that puts ``table`` behind the tenant policies (and the maintenance role's, when it exists)."""
    stmts = [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"]
    stmts += [f"DROP POLICY IF EXISTS {name} ON {table}" for name in _OLD_POLICIES]
    stmts.append(f"CREATE POLICY tenant_read ON {table} FOR SELECT USING {READ}")
    if table in AUDIT_TABLES:
        # no write policy: nobody but the owner's append function writes an entry
        if maint:
            stmts.append(f"CREATE POLICY maint_read ON {table} FOR SELECT TO {MAINT_ROLE} USING {SYSTEM}")
        return stmts
    stmts.append(f"CREATE POLICY tenant_write ON {table} FOR ALL USING {WRITE} WITH CHECK {WRITE}")
    if maint:
        stmts.append(f"CREATE POLICY maint_all ON {table} FOR ALL TO {MAINT_ROLE} USING {SYSTEM} WITH CHECK {SYSTEM}")
    return stmts


_CANONICAL = """
    '{"action":' || to_json(e->>'action')::text
    || ',"actor_job_id":' || coalesce(to_json((e->>'actor_job_id')::int)::text, 'null')
    || ',"actor_label":' || to_json(e->>'actor_label')::text
    || ',"actor_token_id":' || coalesce(to_json((e->>'actor_token_id')::int)::text, 'null')
    || ',"actor_user_id":' || coalesce(to_json((e->>'actor_user_id')::int)::text, 'null')
    || ',"at":' || to_json(at_text)::text
    || ',"changes":' || to_json(e->>'changes')::text
    || ',"entity":' || to_json(e->>'entity')::text
    || ',"entity_id":' || coalesce(to_json(e->>'entity_id')::text, 'null')
    || ',"ip":' || coalesce(to_json(e->>'ip')::text, 'null')
    || ',"request_id":' || coalesce(to_json(e->>'request_id')::text, 'null')
    || ',"seq":' || v_seq::text
    || ',"tenant_id":' || v_tid::text || '}'
"""
# the same text as core.audit.canonical(core.audit._hash_fields(row)): keys sorted, no spaces, JSON escapes,
# the time as Python's isoformat() of the UTC value

AUDIT_APPEND_SQL = """
CREATE OR REPLACE FUNCTION vatra_audit_append(entries jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
    e jsonb;
    v_tid int;
    at_value timestamptz;
    at_text text;
    v_seq bigint;
    v_prev text;
    v_digest text;
BEGIN
    FOR e IN SELECT value FROM jsonb_array_elements(entries) LOOP
        v_tid := (e->>'tenant_id')::int;
        at_value := (e->>'at')::timestamptz;
        at_text := to_char(at_value AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
            || CASE WHEN mod(extract(microseconds FROM at_value)::bigint, 1000000) <> 0
                    THEN to_char(at_value AT TIME ZONE 'UTC', '.US') ELSE '' END
            || '+00:00';
        INSERT INTO audit_chain (tenant_id, last_seq, last_hash) VALUES (v_tid, 0, repeat('0', 64))
            ON CONFLICT (tenant_id) DO NOTHING;
        SELECT last_seq, last_hash INTO v_seq, v_prev FROM audit_chain WHERE tenant_id = v_tid FOR UPDATE;
        v_seq := v_seq + 1;
        v_digest := encode(sha256(convert_to(v_prev || CANONICAL, 'UTF8')), 'hex');
        INSERT INTO audit_entry (tenant_id, seq, at, actor_user_id, actor_token_id, actor_job_id, actor_label,
                                 request_id, ip, entity, entity_id, action, changes, prev_hash, hash, hmac)
        VALUES (v_tid, v_seq, at_value, (e->>'actor_user_id')::int, (e->>'actor_token_id')::int,
                (e->>'actor_job_id')::int, e->>'actor_label', e->>'request_id', e->>'ip', e->>'entity',
                e->>'entity_id', e->>'action', e->>'changes', v_prev, v_digest, coalesce(e->>'hmac', ''));
        UPDATE audit_chain SET last_seq = v_seq, last_hash = v_digest WHERE tenant_id = v_tid;
    END LOOP;
END
$fn$
""".replace("CANONICAL", _CANONICAL)
"""Append entries (a JSON array, in order): the sequence number, the previous hash and the hash are computed
here, under the lock of the tenant's chain head, never taken from the caller. An entry without ``hmac`` is
stored with an empty one, so ``vatra audit verify`` given the key flags it (NULL marks the entries written
before the key existed)."""

JOB_FUNCTIONS_SQL = (
    """
CREATE OR REPLACE FUNCTION vatra_job_head(job integer)
RETURNS TABLE (tenant_id integer, user_id integer, kind varchar)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
    SELECT j.tenant_id, j.user_id, j.kind FROM job j WHERE j.id = job
$fn$
""",
    """
CREATE OR REPLACE FUNCTION vatra_unfinished_jobs(statuses text[])
RETURNS TABLE (id integer, tenant_id integer, status varchar, rq_job_id varchar, heartbeat_at timestamptz,
               started_at timestamptz, updated_at timestamptz, attempts integer, max_attempts integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
    SELECT j.id, j.tenant_id, j.status, j.rq_job_id, j.heartbeat_at, j.started_at, j.updated_at, j.attempts,
           j.max_attempts
    FROM job j
    WHERE j.status = ANY(statuses) AND j.status NOT IN ('succeeded', 'failed')
    ORDER BY j.id
$fn$
""",
)
"""The worker's cross-tenant reads: a job's head (tenant, user, kind) before its tenant's scope is entered,
and the unfinished jobs of every tenant for the reaper and the queue's catch-up. Job bookkeeping only: no
parameters, messages, errors or files, and never a finished job."""

FUNCTIONS = {
    AUDIT_APPEND_FN: ("entries jsonb", AUDIT_APPEND_SQL),
    "vatra_job_head": ("job integer", JOB_FUNCTIONS_SQL[0]),
    "vatra_unfinished_jobs": ("statuses text[]", JOB_FUNCTIONS_SQL[1]),
}


def _role_exists(connection: sa.Connection, role: str) -> bool:
    return bool(connection.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar())


def install(connection: sa.Connection, tables: Iterable[str], app_role: str = APP_ROLE) -> None:
    """Enable RLS on ``tables``, (re)create the owner's functions and grant the roles what they need.

    Idempotent; does nothing on a database other than PostgreSQL.
    """
    if connection.dialect.name != "postgresql":
        return
    maint = _role_exists(connection, MAINT_ROLE)
    for table in [*tables, *(t for t in AUDIT_TABLES if _has_table(connection, t))]:
        for stmt in policy_statements(table, maint=maint):
            connection.exec_driver_sql(stmt)
    install_functions(connection)
    grant(connection, app_role)
    grant(connection, MAINT_ROLE)


def install_functions(connection: sa.Connection) -> None:
    """Create the owner's ``SECURITY DEFINER`` functions; nobody but the Vatra roles may call them."""
    for name, (args, sql) in FUNCTIONS.items():
        connection.exec_driver_sql(sql)
        connection.exec_driver_sql(f"REVOKE ALL ON FUNCTION {name}({args}) FROM PUBLIC")


def grant(connection: sa.Connection, role_name: str = APP_ROLE) -> None:
    """Grant ``role_name`` data rights on every table; the audit tables read-only; the functions."""
    if connection.dialect.name != "postgresql" or not _role_exists(connection, role_name):
        return
    role = connection.dialect.identifier_preparer.quote(role_name)
    connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {role}")
    connection.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    connection.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    for table in AUDIT_TABLES:
        if _has_table(connection, table):
            connection.exec_driver_sql(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {table} FROM {role}")
    for bookkeeping in ("alembic_version", "schema_branch"):  # the migrations' own tables: the owner's only
        if _has_table(connection, bookkeeping):
            connection.exec_driver_sql(f"REVOKE ALL ON {bookkeeping} FROM {role}")
    for name, (args, _sql) in FUNCTIONS.items():
        connection.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {name}({args}) TO {role}")


def _has_table(connection: sa.Connection, name: str) -> bool:
    return bool(connection.execute(sa.text("SELECT to_regclass(:n)"), {"n": name}).scalar())


def ensure_app_role(connection: sa.Connection, app_role: str = APP_ROLE, password: str | None = None) -> None:
    """Create a login role (no superuser, no RLS bypass, no ownership) if missing: the application's or
    the maintenance one's."""
    if connection.dialect.name != "postgresql":
        return
    role = connection.dialect.identifier_preparer.quote(app_role)
    if not _role_exists(connection, app_role):
        # created meanwhile by a parallel session (roles are cluster-wide)? Then it is there: fine. Callers
        # inside a transaction wrap this in a savepoint (migrations/env.py)
        with contextlib.suppress(sa.exc.ProgrammingError):
            connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS")
    if password:
        literal = "'" + password.replace("'", "''") + "'"
        connection.exec_driver_sql(f"ALTER ROLE {role} PASSWORD {literal}")


def ensure_maint_role(connection: sa.Connection, password: str | None = None) -> None:
    """Create the maintenance role ``vatra_maint`` if missing (see :func:`ensure_app_role`)."""
    ensure_app_role(connection, MAINT_ROLE, password)


GLOBAL_WITH_TENANT_ID = {"membership", "api_token", "tenant_plugin", "audit_chain", "audit_entry", "invitation"}
"""Tables that carry a tenant_id but are read before a tenant is known (access control), and the audit log
(its own policies)."""


def rls_tables(connection: sa.Connection) -> list[str]:
    """Every table of the database with a ``tenant_id`` column, but the access-control ones.

    Read from the database itself, so a table of a plugin that this process
    did not import still gets its policies.
    """
    inspector = sa.inspect(connection)
    return sorted(
        name
        for name in inspector.get_table_names()
        if name not in GLOBAL_WITH_TENANT_ID and any(c["name"] == "tenant_id" for c in inspector.get_columns(name))
    )
