"""Row-Level Security on PostgreSQL: the second tenancy wall.

Run by the migrations as the table owner. The application connects as a
role that is neither superuser nor owner (``vatra_app`` by default), so the
policies bind it. They read the scope written by :mod:`core.tenancy` at the
start of every transaction:

* ``vatra.read_tenants``: comma-separated tenant ids the transaction may read;
* ``vatra.write_tenant``: the one tenant it may write;
* ``vatra.system``: ``on`` for command-line maintenance.

The audit log is append-only for the application role (INSERT and SELECT
only), readable per tenant like the rest.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

APP_ROLE = "vatra_app"

SYSTEM = "(SELECT current_setting('vatra.system', true)) = 'on'"
READ = (
    f"({SYSTEM} OR tenant_id IN (SELECT unnest("
    "string_to_array(NULLIF(current_setting('vatra.read_tenants', true), ''), ',')::int[])))"
)
WRITE = f"({SYSTEM} OR tenant_id = (SELECT NULLIF(current_setting('vatra.write_tenant', true), '')::int))"
"""The policies read each setting once per statement (sub-selects: an InitPlan, a hashed SubPlan), not once
per row: re-parsing a county's or the country's list of tenants on every row made a national read take
seconds to minutes (benchmarks/RESULTS.md)."""

APPEND_ONLY = {"audit_entry"}


def policy_statements(table: str) -> list[str]:
    """The SQL that puts ``table`` behind the tenant policies."""
    stmts = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS tenant_read ON {table}",
        f"DROP POLICY IF EXISTS tenant_write ON {table}",
        f"DROP POLICY IF EXISTS tenant_append ON {table}",
        f"CREATE POLICY tenant_read ON {table} FOR SELECT USING {READ}",
    ]
    if table in APPEND_ONLY:
        # any request may append an entry (a failed login has no tenant); nobody reads another's
        stmts.append(f"CREATE POLICY tenant_append ON {table} FOR INSERT WITH CHECK (true)")
    else:
        stmts.append(f"CREATE POLICY tenant_write ON {table} FOR ALL USING {WRITE} WITH CHECK {WRITE}")
    return stmts


def install(connection: sa.Connection, tables: Iterable[str], app_role: str = APP_ROLE) -> None:
    """Enable RLS on ``tables`` and grant the application role what it needs.

    Idempotent; does nothing on a database other than PostgreSQL.
    """
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        for stmt in policy_statements(table):
            connection.exec_driver_sql(stmt)
    grant(connection, app_role)


def grant(connection: sa.Connection, app_role: str = APP_ROLE) -> None:
    """Grant ``app_role`` data rights on every table (append-only on the audit log)."""
    if connection.dialect.name != "postgresql":
        return
    exists = connection.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": app_role}).scalar()
    if not exists:
        return
    role = connection.dialect.identifier_preparer.quote(app_role)
    connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {role}")
    connection.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    connection.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    for table in APPEND_ONLY:
        connection.exec_driver_sql(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role}")
    for bookkeeping in ("alembic_version", "schema_branch"):  # the migrations' own tables: the owner's only
        if _has_table(connection, bookkeeping):
            connection.exec_driver_sql(f"REVOKE ALL ON {bookkeeping} FROM {role}")


def _has_table(connection: sa.Connection, name: str) -> bool:
    return bool(connection.execute(sa.text("SELECT to_regclass(:n)"), {"n": name}).scalar())


def ensure_app_role(connection: sa.Connection, app_role: str = APP_ROLE, password: str | None = None) -> None:
    """Create the application role (LOGIN, no superuser, no ownership) if missing."""
    if connection.dialect.name != "postgresql":
        return
    exists = connection.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": app_role}).scalar()
    role = connection.dialect.identifier_preparer.quote(app_role)
    if not exists:
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS")
    if password:
        literal = "'" + password.replace("'", "''") + "'"
        connection.exec_driver_sql(f"ALTER ROLE {role} PASSWORD {literal}")


GLOBAL_WITH_TENANT_ID = {"membership", "api_token", "tenant_plugin", "audit_chain", "invitation"}
"""Tables that carry a tenant_id but are read before a tenant is known (access control)."""


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
