"""``vatra tenants export`` / ``vatra tenants import``: a tenant's data and files round-trip, or nothing is written."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.cli import ScriptInfo

from core import rls, tenancy
from core.app import create_app
from core.auth.models import Role
from core.cli import cli
from core.db import db
from core.testing import PG_ADMIN_URL, csrf_token, login, service_missing
from tenants import backup
from tenants.catalog import ensure_platform
from tests.security.world import World, sqlite_world


@pytest.fixture
def world(app: Flask, make_tenant: Any, make_user: Any, tmp_path_factory: pytest.TempPathFactory) -> World:
    """The security suite's two-county world (SQLite), with the demo plan and PIN project in every tenant."""
    return sqlite_world(app, make_tenant, make_user, lambda: tmp_path_factory.mktemp("world"))


def run(app: Flask, *args: str) -> Any:
    """``vatra …`` against ``app``."""
    return app.test_cli_runner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))


def sqlite_target(tmp_path: Path) -> Flask:
    """A fresh, empty installation on SQLite (schema and platform only)."""
    target = create_app({
        "TESTING": True, "SECRET_KEY": secrets.token_hex(16), "REDIS_URL": None,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}", "VATRA_FILES": str(tmp_path / "restored-files"),
    })
    with target.app_context(), tenancy.system_context():
        db.create_all()
        ensure_platform()
        db.session.commit()
    return target


@pytest.fixture
def pg_target(tmp_path: Path) -> Iterator[Flask]:
    """A fresh, empty PostgreSQL database with RLS, the app connected as the non-owner role."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError:
        admin.dispose()
        service_missing("PostgreSQL")
    name = f"vatra_restore_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        rls.ensure_app_role(conn)
    base = sa.engine.make_url(PG_ADMIN_URL)
    owner = base.set(database=name).render_as_string(hide_password=False)
    app_url = base.set(database=name, username=rls.APP_ROLE, password=None).render_as_string(hide_password=False)
    target = create_app({
        "TESTING": True, "SECRET_KEY": secrets.token_hex(16), "REDIS_URL": None, "DATABASE_URL": app_url,
        "DATABASE_OWNER_URL": owner, "VATRA_FILES": str(tmp_path / "restored-files"),
    })
    engine = sa.create_engine(owner)
    with engine.begin() as conn:
        db.metadata.create_all(conn)
        rls.install(conn, rls.rls_tables(conn))
    engine.dispose()
    with target.app_context(), tenancy.system_context():
        ensure_platform()
        db.session.commit()
    yield target
    with target.app_context():
        db.session.remove()
        db.engine.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def tenant_rows(app: Flask, tenant_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row that belongs to the tenant, table by table, read as the owner (the audit entries without ids)."""
    engine = backup.owner_engine(app.config["DATABASE_OWNER_URL"])
    out: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        owned = backup.owned_tables(db.metadata)
        for table, column in owned:
            rows = backup._select_rows(conn, table, table.c[column] == tenant_id)
            out[table.name] = [{k: v for k, v in r.items() if not (table.name == "audit_entry" and k == "id")}
                               for r in rows]
        for table, fk in backup.child_tables(db.metadata, [t for t, _ in owned]):
            parents = [r[fk.column.name] for r in out[fk.column.table.name]]
            out[table.name] = backup._select_rows(conn, table, fk.parent.in_(parents)) if parents else []
        tenant = db.metadata.tables["tenant"]
        out["tenant"] = backup._select_rows(conn, tenant, tenant.c.id == tenant_id)
        users = db.metadata.tables["user_account"]
        members = [r["user_id"] for r in out["membership"]]
        out["user_account"] = backup._select_rows(conn, users, users.c.id.in_(members))
    engine.dispose()
    return out


def tenant_files(app: Flask, tenant_id: int) -> dict[str, str]:
    base = Path(app.config["VATRA_FILES"]) / str(tenant_id)
    return {p.relative_to(base).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(base.rglob("*")) if p.is_file()}


def export(world: World, tenant: Any, tmp_path: Path) -> Path:
    archive = tmp_path / "archives" / f"{tenant.slug}.zip"
    result = run(world.app, "tenants", "export", tenant.slug, "--output", str(archive))
    assert result.exit_code == 0, result.output
    return archive


@pytest.mark.parametrize("target_db", ["sqlite", "postgresql"])
def test_a_tenant_round_trips_with_every_row_and_file(world, tmp_path, request, target_db):
    tenant = world.a1
    before = tenant_rows(world.app, tenant.id)
    files = tenant_files(world.app, tenant.id)
    archive = export(world, tenant, tmp_path)
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        for member, expected in manifest["checksums"].items():
            assert hashlib.sha256(zf.read(member)).hexdigest() == expected["sha256"]
    counts = {t["name"]: t["rows"] for t in manifest["tables"]}
    assert counts["plan_plan"] == 1 and counts["plan_indicator"] >= 18 and counts["pin_expenditure"] == 1
    assert counts["council_member"] == 6 and counts["job"] == 1 and counts["membership"] == 4
    assert manifest["schema_revision"] and len(manifest["files"]) == len(files) >= 4

    target = sqlite_target(tmp_path) if target_db == "sqlite" else request.getfixturevalue("pg_target")
    result = run(target, "tenants", "import", str(archive))
    assert result.exit_code == 0, result.output
    after = tenant_rows(target, tenant.id)
    # the export itself was audited in the source after the archive was written; the import adds its own entry
    after["audit_entry"] = [e for e in after["audit_entry"] if e["action"] != "tenant_imported"]
    before["audit_entry"] = [e for e in before["audit_entry"] if e["action"] != "tenant_exported"]
    after["audit_chain"] = before["audit_chain"] = []
    assert set(after) == set(before)
    for name in sorted(before):
        assert after[name] == before[name], f"{name} differs after the round trip"
    assert tenant_files(target, tenant.id) == files
    assert run(target, "audit", "verify", "--tenant", tenant.slug).exit_code == 0

    # the restored tenant works: its administrator sees the plan and downloads its document, RLS and all
    admin = world.user(tenant, Role.TENANT_ADMIN)
    client = login(target.test_client(), admin)
    plan = world.objects[tenant.id]["plan"]
    page = client.get(f"/t/{tenant.slug}/plan/{plan}")
    assert page.status_code == 200
    document = world.objects[tenant.id]["plan_document"]
    assert client.get(f"/t/{tenant.slug}/plan/{plan}/documents/{document}").status_code == 200
    # and new rows get new ids (PostgreSQL's sequences were moved past the imported ones)
    response = client.post(f"/api/v1/t/{tenant.slug}/tokens", json={"name": "după import", "expires_days": 3},
                           headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 201, response.get_data(as_text=True)


def test_an_existing_tenant_is_refused_and_nothing_changes(world, tmp_path):
    archive = export(world, world.a2, tmp_path)
    target = sqlite_target(tmp_path)
    assert run(target, "tenants", "import", str(archive)).exit_code == 0
    rows = tenant_rows(target, world.a2.id)
    again = run(target, "tenants", "import", str(archive))
    assert again.exit_code != 0
    assert "există deja" in again.output and "nimic nu a fost importat" in again.output
    assert tenant_rows(target, world.a2.id) == rows


def test_another_schema_revision_or_a_damaged_archive_is_refused(world, tmp_path):
    archive = export(world, world.a1, tmp_path)
    target = sqlite_target(tmp_path)

    other = tmp_path / "other-revision.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(other, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["schema_revision"] = "0123456789ab"
                data = json.dumps(manifest).encode()
            dst.writestr(item, data)
    result = run(target, "tenants", "import", str(other))
    assert result.exit_code != 0 and "0123456789ab" in result.output

    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "tables/plan_plan.jsonl":
                data = data.replace(b"2026", b"2027", 1)
            dst.writestr(item, data)
    result = run(target, "tenants", "import", str(damaged))
    assert result.exit_code != 0 and "tables/plan_plan.jsonl" in result.output

    assert tenant_rows(target, world.a1.id)["plan_plan"] == []
    assert not (Path(target.config["VATRA_FILES"]) / str(world.a1.id)).exists()


def test_a_failure_half_way_leaves_nothing_written(world, tmp_path):
    archive = export(world, world.county_b, tmp_path)
    target = sqlite_target(tmp_path)
    # a database that is not empty: one of its rows holds the id of the archive's export job
    job_id = world.objects[world.county_b.id]["job"]
    with target.app_context(), tenancy.system_context():
        from tenants.models import Tenant

        squatter = Tenant(slug="alta-institutie", kind="locality", active=True)
        squatter.set_names("COMUNA ALTA", "Comuna Alta")
        db.session.add(squatter)
        db.session.flush()
        db.session.execute(
            sa.insert(db.metadata.tables["job"]).values(
                id=job_id, tenant_id=squatter.id, kind="prevention_plan.export_xlsx", queue="exports",
                status="failed", progress=0, message="", params={}, attempts=1, max_attempts=1,
                created_at=backup.decode(db.metadata.tables["job"].c.created_at, "2026-01-01T00:00:00+00:00"),
                updated_at=backup.decode(db.metadata.tables["job"].c.updated_at, "2026-01-01T00:00:00+00:00"),
            )
        )
        db.session.commit()
    result = run(target, "tenants", "import", str(archive))
    assert result.exit_code != 0 and "nu este goală" in result.output
    rows = tenant_rows(target, world.county_b.id)
    assert not any(rows.values()), {k: len(v) for k, v in rows.items() if v}
    with target.app_context(), tenancy.system_context():
        from tenants.models import Tenant

        assert db.session.execute(sa.select(Tenant).where(Tenant.slug == world.county_b.slug)).first() is None
    files = Path(target.config["VATRA_FILES"])
    assert not (files / str(world.county_b.id)).exists()
    assert not list(files.glob(".import-*"))
