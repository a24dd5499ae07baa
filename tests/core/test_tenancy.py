"""The two tenancy walls, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Blueprint, jsonify

from core import tenancy
from core.api import Permission, PluginInfo, Role, hookimpl, require
from core.db import db
from core.testing import login
from tenants.models import Council, CouncilMember

raw = Blueprint("rawsql", __name__, url_prefix="/raw")


@raw.get("/councils")
@require("raw.view")
def raw_councils():  # type: ignore[no-untyped-def]
    # deliberately no filter at all: only the walls stand between this and other tenants
    rows = db.session.execute(sa.text("SELECT name FROM council ORDER BY name")).scalars().all()
    return jsonify(rows)


@raw.get("/orm-councils")
@require("raw.view")
def orm_councils():  # type: ignore[no-untyped-def]
    return jsonify(db.session.execute(sa.select(Council.name).order_by(Council.name)).scalars().all())


class RawSqlPlugin:
    """An in-process plugin whose page runs unfiltered SQL."""

    @hookimpl
    def vatra_plugin_info(self) -> PluginInfo:
        return PluginInfo("rawsql", "Raw SQL", "0.0.1", default_kinds=frozenset({"locality"}))

    @hookimpl
    def vatra_permissions(self) -> list[Permission]:
        return [Permission("raw.view", "raw", frozenset(Role))]

    @hookimpl
    def vatra_blueprints(self) -> list[Blueprint]:
        return [raw]


def _councils(app, *tenants_):  # type: ignore[no-untyped-def]
    with app.app_context():
        for t in tenants_:
            with tenancy.tenant_context(t.id):
                db.session.add(Council(name=f"CCC {t.slug}"))
                db.session.commit()


def test_orm_queries_see_only_the_scope(any_app, make_tenant):
    a, b = make_tenant(), make_tenant()
    _councils(any_app, a, b)
    with any_app.app_context():
        with tenancy.tenant_context(a.id):
            assert db.session.execute(sa.select(Council.name)).scalars().all() == [f"CCC {a.slug}"]
            # a primary-key lookup of the other tenant's row finds nothing either
            other = db.session.execute(sa.select(Council.id).execution_options(), {}).scalars().all()
            assert len(other) == 1
        with tenancy.read_scope([a.id, b.id]):
            assert len(db.session.execute(sa.select(Council)).scalars().all()) == 2
        # no scope: nothing tenant-scoped is visible
        assert db.session.execute(sa.select(Council)).scalars().all() == []


def test_bulk_update_cannot_touch_another_tenant(any_app, make_tenant):
    a, b = make_tenant(), make_tenant()
    _councils(any_app, a, b)
    with any_app.app_context():
        with tenancy.tenant_context(a.id):
            db.session.execute(sa.update(Council).values(notes="modificat"))
            db.session.commit()
        with tenancy.system_context():
            notes = dict(db.session.execute(sa.select(Council.tenant_id, Council.notes)).all())
    assert notes == {a.id: "modificat", b.id: None}


def test_writing_a_row_of_another_tenant_is_refused(any_app, make_tenant):
    a, b = make_tenant(), make_tenant()
    with any_app.app_context(), tenancy.tenant_context(a.id):
        db.session.add(Council(name="intrus", tenant_id=b.id))
        with pytest.raises(tenancy.TenantViolation):
            db.session.flush()
        db.session.rollback()


def test_composite_foreign_key_refuses_cross_tenant_reference(any_app, make_tenant):
    a, b = make_tenant(), make_tenant()
    _councils(any_app, a, b)
    with any_app.app_context(), tenancy.system_context():
        council_b = db.session.execute(sa.select(Council).where(Council.tenant_id == b.id)).scalar_one()
        # a member of tenant A pointing at tenant B's council: the database refuses it
        db.session.add(CouncilMember(tenant_id=a.id, council_id=council_b.id, name="X", position=1))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


@pytest.mark.plugins(RawSqlPlugin())
def test_raw_sql_in_a_request_sees_only_the_tenant_on_postgresql(pg_app, make_tenant, make_user):
    a, b = make_tenant(), make_tenant()
    _councils(pg_app, a, b)
    user = make_user(a, Role.VIEWER)
    client = login(pg_app.test_client(), user)
    response = client.get(f"/t/{a.slug}/raw/councils")
    assert response.status_code == 200
    assert response.get_json() == [f"CCC {a.slug}"]


@pytest.mark.plugins(RawSqlPlugin())
def test_rls_alone_holds_when_the_orm_wall_is_bypassed(pg_app, make_tenant):
    a, b = make_tenant(), make_tenant()
    _councils(pg_app, a, b)
    with pg_app.app_context():
        with tenancy.tenant_context(a.id):
            rows = db.session.execute(sa.text("SELECT tenant_id FROM council")).scalars().all()
            assert rows == [a.id]
            # writing into another tenant with raw SQL is refused by the policy
            with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
                db.session.execute(
                    sa.text(
                        "INSERT INTO council (tenant_id, name, created_at, updated_at) VALUES (:t, 'x', now(), now())"
                    ),
                    {"t": b.id},
                )
            db.session.rollback()
        with tenancy.tenant_context(a.id):
            updated = db.session.execute(sa.text("UPDATE council SET notes = 'x'")).rowcount
            db.session.rollback()
        assert updated == 1
        # no scope at all: RLS shows nothing
        assert db.session.execute(sa.text("SELECT count(*) FROM council")).scalar() == 0


def test_a_transaction_without_a_scope_sees_nothing_after_a_system_one_on_the_same_connection(pg_app, make_tenant):
    # the RLS settings are transaction-local, so a transaction that begins without a scope needs none sent
    _councils(pg_app, make_tenant())
    with pg_app.app_context():
        with tenancy.system_context():
            assert db.session.execute(sa.text("SELECT count(*) FROM council")).scalar() >= 1
            db.session.commit()
        with tenancy.read_scope(range(1, 400)):  # a wide read scope, then back to none
            db.session.execute(sa.text("SELECT count(*) FROM council")).scalar()
            db.session.commit()
        assert db.session.execute(sa.text("SELECT count(*) FROM council")).scalar() == 0
        assert db.session.execute(sa.text("SELECT current_setting('vatra.system', true)")).scalar() in {None, ""}


def test_no_code_sets_the_tenant_settings_beyond_a_transaction():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    session_level = re.compile(r"set_config\(\s*'vatra\.[^']*'[^)]*,\s*false\s*\)|\bSET\s+(SESSION\s+)?vatra\.", re.I)
    offenders = [
        str(path.relative_to(root))
        for folder in ("core", "tenants", "plugins", "migrations")
        for path in (root / folder).rglob("*.py")
        if session_level.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], f"session-level RLS settings would leak into later transactions: {offenders}"


def test_the_application_role_cannot_bypass_rls(pg_app):
    with pg_app.app_context():
        row = db.session.execute(
            sa.text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
        owner = db.session.execute(sa.text("SELECT tableowner FROM pg_tables WHERE tablename = 'council'")).scalar()
        user = db.session.execute(sa.text("SELECT current_user")).scalar()
    assert tuple(row) == (False, False)
    assert owner != user


@pytest.mark.plugins(RawSqlPlugin())
def test_user_of_one_locality_gets_404_in_another(any_app, make_tenant, make_user):
    a, b = make_tenant(), make_tenant()
    _councils(any_app, a, b)
    client = login(any_app.test_client(), make_user(a, Role.TENANT_ADMIN))
    assert client.get(f"/t/{a.slug}/raw/orm-councils").status_code == 200
    response = client.get(f"/t/{b.slug}/raw/orm-councils")
    assert response.status_code == 404
    assert f"CCC {b.slug}".encode() not in response.data
