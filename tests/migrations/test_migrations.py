"""The one Alembic history builds the schema the models describe, with RLS on PostgreSQL."""

from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from core import rls
from core.app import create_app
from core.db import db, tenant_tables
from core.testing import PG_ADMIN_URL, service_missing

TEST_ONLY_TABLES = ("hello_",)  # the third-party test plugin keeps its tables out of the history


def _built_in(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
    return not str(table).startswith(TEST_ONLY_TABLES)


def _diff(url: str) -> list[object]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _built_in})
        diff = compare_metadata(context, db.metadata)
    engine.dispose()
    return diff


def test_upgrade_on_sqlite_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    with app.app_context():
        upgrade()
    assert _diff(url) == []


@pytest.fixture
def empty_pg_database():  # type: ignore[no-untyped-def]
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError:
        service_missing("PostgreSQL")
    name = f"vatra_mig_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        rls.ensure_app_role(conn)
    base = sa.engine.make_url(PG_ADMIN_URL)
    yield (
        base.set(database=name).render_as_string(hide_password=False),
        base.set(database=name, username=rls.APP_ROLE).render_as_string(hide_password=False),
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_upgrade_on_postgresql_matches_the_models_and_installs_rls(empty_pg_database):
    owner_url, app_url = empty_pg_database
    app = create_app({"TESTING": True, "DATABASE_URL": app_url, "DATABASE_OWNER_URL": owner_url})
    with app.app_context():
        upgrade()
    assert _diff(owner_url) == []
    engine = sa.create_engine(owner_url)
    with engine.connect() as conn:
        protected = set(conn.execute(sa.text("SELECT relname FROM pg_class WHERE relrowsecurity")).scalars())
        policies = conn.execute(sa.text("SELECT count(*) FROM pg_policies")).scalar()
        audit_rights = set(
            conn.execute(
                sa.text(
                    "SELECT privilege_type FROM information_schema.role_table_grants "
                    "WHERE grantee = :r AND table_name = 'audit_entry'"
                ),
                {"r": rls.APP_ROLE},
            ).scalars()
        )
    engine.dispose()
    expected = {t.name for t in tenant_tables() if not t.name.startswith(TEST_ONLY_TABLES)} | {"audit_entry"}
    assert expected <= protected
    assert policies >= 2 * len(expected)
    assert audit_rights == {"SELECT"}  # entries are appended only by the owner's function
