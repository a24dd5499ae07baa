"""The core's line and each plugin's branch build the schema the models describe, with RLS on PostgreSQL.

Every installed plugin counts, the third-party test plugin (``hello``) included. A
database of the single history used before branches (``legacy/``: its three
revisions, kept as they were) is re-stamped onto the branches with every row kept.
"""

from __future__ import annotations

import importlib.util
import secrets
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations

from core import migrations, rls
from core.app import create_app
from core.db import db, tenant_tables
from core.testing import PG_ADMIN_URL, service_missing

LEGACY = Path(__file__).parent / "legacy"
LEGACY_FILES = sorted(LEGACY.glob("*.py"), key=lambda p: ["c8f84c58f011", "7fc4158dc37b", "3b9e2d7a1c40"].index(
    p.name.split("_")[0]))
PLUGIN_BRANCHES = {"prevention_plan", "pin_project", "county_overview", "hello"}  # installed plugins with tables


def _diff(url: str) -> list[object]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    engine.dispose()
    return diff


def _versions(url: str) -> tuple[set[str], dict[str, str]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        versions = set(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
        branches = dict(conn.execute(sa.text("SELECT branch, revision FROM schema_branch")).all())
    engine.dispose()
    return versions, branches


def test_upgrade_on_sqlite_builds_the_core_and_every_installed_plugin(migrate_db_for):
    app = migrate_db_for()
    url = app.config["DATABASE_OWNER_URL"]
    assert _diff(url) == []
    versions, branches = _versions(url)
    # every installed plugin's branch; the core's line shows only once it has revisions after the baseline
    # (the baseline is implied by the plugin bases that depend on it)
    assert set(branches) - {"core"} == set(migrations.plugin_migration_dirs()) >= PLUGIN_BRANCHES
    assert versions == set(branches.values())
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
    assert {"hello_greeting", "plan_plan", "pin_project", "tenant", "schema_branch"} <= tables


def test_a_plugin_installed_later_is_upgraded_on_its_own(migrate_db_for):
    app = migrate_db_for("prevention_plan")
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        assert "plan_plan" in tables and "tenant" in tables
        assert not any(t.startswith(("pin_", "hello_")) for t in tables)
        migrations.upgrade("pin_project")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert "pin_project" in tables and "hello_greeting" not in tables
        with pytest.raises(migrations.SchemaError, match="'nonexistent' has no migrations"):
            migrations.upgrade("nonexistent")
    _versions_left, branches = _versions(app.config["DATABASE_OWNER_URL"])
    assert set(branches) - {"core"} == {"prevention_plan", "pin_project"}


def test_a_database_naming_a_plugin_no_longer_installed_is_refused_by_name(migrate_db_for):
    app = migrate_db_for()
    engine = sa.create_engine(app.config["DATABASE_OWNER_URL"])
    with engine.begin() as conn:  # what an uninstalled plugin leaves behind: its head and its branch's name
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('0ddba11c0ffe')"))
        conn.execute(sa.text("INSERT INTO schema_branch VALUES ('social_canteen', '0ddba11c0ffe')"))
    engine.dispose()
    with app.app_context(), pytest.raises(migrations.SchemaError, match="social_canteen"):
        migrations.upgrade()
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1 and "social_canteen" in result.output


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


def test_upgrade_on_postgresql_matches_the_models_and_installs_rls_after_every_branch(
    empty_pg_database, migrate_db_for
):
    owner_url, app_url = empty_pg_database
    migrate_db_for(DATABASE_URL=app_url, DATABASE_OWNER_URL=owner_url)
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
    expected = {t.name for t in tenant_tables()} | {"audit_entry"}
    assert {"hello_greeting", "plan_plan", "pin_expenditure"} <= expected  # the plugins' tables, third-party too
    assert expected <= protected
    assert policies >= 2 * len(expected)
    assert audit_rights == {"SELECT"}  # entries are appended only by the owner's function


# -- a database of the single history --------------------------------------------------------------


def _build_legacy(owner_url: str) -> None:
    """The schema at the single history's head, built by its own three revisions, stamped like it was."""
    engine = sa.create_engine(owner_url)
    with engine.begin() as conn:
        context = MigrationContext.configure(conn, opts={"render_as_batch": True})
        with Operations.context(context):
            for path in LEGACY_FILES:
                spec = importlib.util.spec_from_file_location(f"legacy_{path.stem}", path)
                assert spec is not None and spec.loader is not None
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                module.upgrade()
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": migrations.LEGACY_HEAD})
        rls.install(conn, rls.rls_tables(conn))
    engine.dispose()


def _row_counts(owner_url: str) -> dict[str, int]:
    engine = sa.create_engine(owner_url)
    with engine.connect() as conn:
        names = [n for n in sa.inspect(conn).get_table_names() if n not in {"alembic_version", "schema_branch"}]
        # table names come from the database's own catalog
        counts = {n: conn.execute(sa.text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}  # noqa: S608
    engine.dispose()
    return counts


def _copy_rows(source_url: str, target_url: str) -> None:
    """Every row of the target's tables, read from the source with the models' types, columns both have."""
    source, target = sa.create_engine(source_url), sa.create_engine(target_url)
    present = sa.MetaData()
    present.reflect(target)
    with source.connect() as src, target.begin() as dst:
        for table in present.sorted_tables:
            model = db.metadata.tables.get(table.name)
            if model is None:
                continue
            columns = [c for c in model.columns if c.name in table.columns]
            rows = [dict(r._mapping) for r in src.execute(sa.select(*columns))]
            if rows:
                plain = sa.table(table.name, *(sa.column(c.name, c.type) for c in columns))
                dst.execute(sa.insert(plain), rows)
        if dst.dialect.name == "postgresql":  # the ids were copied: the sequences continue after them
            for table in present.sorted_tables:
                if "id" in table.columns and table.columns["id"].autoincrement:
                    dst.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                        f"coalesce((SELECT max(id) FROM \"{table.name}\"), 0) + 1, false) "
                        f"WHERE pg_get_serial_sequence('{table.name}', 'id') IS NOT NULL"
                    )
    source.dispose()
    target.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def legacy_urls(request, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'legacy.sqlite3'}"
        return url, url
    owner_url, app_url = request.getfixturevalue("empty_pg_database")
    return owner_url, app_url


def test_a_database_at_the_single_history_head_is_restamped_with_every_row(legacy_urls, tmp_path):
    from core import demo

    owner_url, app_url = legacy_urls
    _build_legacy(owner_url)
    # the demo data (both seed documents: plans, projects, councils, users) is loaded by today's code into a
    # database of today's layout, then copied, column by column, into the database of the single history
    source_url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    base = {"TESTING": True, "SECRET_KEY": "legacy", "VATRA_FILES": str(tmp_path / "files"), "REDIS_URL": None,
            "SERVER_NAME": None}
    source = create_app({**base, "DATABASE_URL": source_url, "DATABASE_OWNER_URL": source_url})
    with source.app_context():
        migrations.upgrade()
        demo.load(source, password="parola-demo-lunga-1")
        db.session.remove()
        db.engine.dispose()
    _copy_rows(source_url, owner_url)
    app = create_app({**base, "DATABASE_URL": app_url, "DATABASE_OWNER_URL": owner_url})
    before = _row_counts(owner_url)
    assert before["plan_indicator"] > 10 and before["pin_activity"] > 3 and before["audit_entry"] > 10
    assert "schema_branch" not in sa.inspect(sa.create_engine(owner_url)).get_table_names()

    with app.app_context():
        migrations.upgrade()
        db.engine.dispose()

    after = _row_counts(owner_url)
    assert {k: after[k] for k in before} == before
    assert "hello_greeting" in set(after) - set(before)  # a plugin the old history did not hold: created
    versions, branches = _versions(owner_url)
    assert set(branches) - {"core"} == set(migrations.plugin_migration_dirs()) >= PLUGIN_BRANCHES
    assert versions == set(branches.values()) and migrations.LEGACY_HEAD not in versions
    assert _diff(owner_url) == []
    with app.app_context():  # the application still reads its rows (on PostgreSQL through RLS)
        migrations.upgrade()  # a second run has nothing left to do
        from core import tenancy
        from plugins.prevention_plan.models import Plan

        with tenancy.system_context():
            assert db.session.execute(sa.select(sa.func.count()).select_from(Plan)).scalar_one() >= 1
        db.session.remove()
        db.engine.dispose()


def test_a_database_of_an_older_single_history_revision_is_refused(migrate_db_for):
    app = migrate_db_for()
    engine = sa.create_engine(app.config["DATABASE_OWNER_URL"])
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM alembic_version"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('7fc4158dc37b')"))
    engine.dispose()
    with app.app_context(), pytest.raises(migrations.SchemaError, match=migrations.LEGACY_HEAD):
        migrations.upgrade()
