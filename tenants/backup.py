"""One tenant's complete data in one archive, and back into an empty database.

:func:`export_tenant` writes a zip archive:

* ``manifest.json`` — format, the tenant, the schema revision, every table
  with its columns and row count, the sha256 and size of every member;
* ``tables/<table>.jsonl`` — one JSON object per row of every table that
  belongs to the tenant: every tenant-scoped table (``tenant_id``), its
  memberships, API tokens (hashes only), plugin choices, its audit chain and
  entries, its aggregation snapshots and their values;
* ``context/tenant.jsonl``, ``context/user_account.jsonl`` — the tenant's own
  row and the rows it points at: its county (and the county's parent), the
  localities its projects name, the users of its memberships and of every
  ``*_by_id`` column;
* ``files/…`` — everything under ``VATRA_FILES/<tenant_id>/`` (documents,
  attachments, job results).

:func:`import_tenant` restores such an archive into an empty database of
the same schema revision, in one transaction: it refuses a tenant that
exists, another revision, a table or column the database does not have,
and a member whose checksum does not match — and then nothing is written.
Row ids are kept (the files' paths name them); a context tenant or user that
the database already has (same slug / e-mail) is reused.

It works on any SQLAlchemy engine as the database *owner* (row-level
security does not bind the owner, and PostgreSQL's sequences are moved past
the imported ids), with no Flask request.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import enum
import hashlib
import json
import os
import secrets
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

FORMAT = "vatra-tenant-archive"
FORMAT_VERSION = 1
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
CONTEXT_TABLES = ("tenant", "user_account")
OWNER_COLUMNS: dict[str, str] = {}
"""Tables that belong to a tenant through a column other than ``tenant_id``."""
KEEP_DATABASE_IDS = {"audit_entry"}
"""Tables whose ids the target assigns (their rows are identified by tenant and sequence)."""
NATURAL_KEYS = {"tenant": ("slug", "siruta"), "user_account": ("email",)}


class BackupError(RuntimeError):
    """The archive cannot be written or restored; the message says why."""


@dataclass
class Report:
    """What an export or import handled."""

    tenant_slug: str
    tenant_id: int
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    path: Path | None = None


# -- values ----------------------------------------------------------------------------------------


def _base_type(column: sa.Column[Any]) -> Any:
    kind = column.type
    return kind.impl if isinstance(kind, TypeDecorator) else kind


def encode(value: Any) -> Any:
    """A database value as JSON."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def decode(column: sa.Column[Any], value: Any) -> Any:
    """A JSON value back as what ``column`` binds."""
    if value is None:
        return None
    base = _base_type(column)
    if isinstance(base, sa.Enum) and base.enum_class is not None:
        return base.enum_class(value)
    if isinstance(base, sa.DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(base, sa.Date):
        return dt.date.fromisoformat(value)
    if isinstance(base, sa.Time):
        return dt.time.fromisoformat(value)
    if isinstance(base, sa.Numeric) and not isinstance(base, sa.Float):
        return decimal.Decimal(value)
    if isinstance(base, sa.LargeBinary):
        return base64.b64decode(value)
    return value


# -- what belongs to a tenant ----------------------------------------------------------------------


def schema_revision(conn: sa.Connection) -> str:
    """The database's Alembic revision; the code's head when the tables were made without Alembic."""
    if sa.inspect(conn).has_table("alembic_version"):
        found = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
        if found:
            return ",".join(sorted(found))
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    return ",".join(sorted(heads))


def owned_tables(metadata: sa.MetaData) -> list[tuple[sa.Table, str]]:
    """``(table, owner column)`` of every table whose rows belong to one tenant, parents first."""
    out = []
    for table in metadata.sorted_tables:
        if table.name in CONTEXT_TABLES:
            continue
        if "tenant_id" in table.c:
            out.append((table, "tenant_id"))
        elif table.name in OWNER_COLUMNS:
            out.append((table, OWNER_COLUMNS[table.name]))
    return out


def child_tables(metadata: sa.MetaData, owned: Iterable[sa.Table]) -> list[tuple[sa.Table, sa.ForeignKey]]:
    """Tables without an owner column whose rows hang off an owned table (an aggregation's values)."""
    names = {t.name for t in owned}
    out = []
    for table in metadata.sorted_tables:
        if table.name in names or table.name in CONTEXT_TABLES:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name in names:
                out.append((table, fk))
                break
    return out


def _references(table: sa.Table, target: str) -> list[sa.Column[Any]]:
    """Columns of ``table`` that point at ``target.id`` (not the owner's ``tenant_id``)."""
    cols = []
    for column in table.c:
        if column.name == "tenant_id" and target == "tenant":
            continue
        if any(fk.column.table.name == target and fk.column.name == "id" for fk in column.foreign_keys):
            cols.append(column)
    return cols


def _select_rows(conn: sa.Connection, table: sa.Table, where: Any) -> list[dict[str, Any]]:
    order = list(table.primary_key.columns) or list(table.c)
    return [dict(r) for r in conn.execute(sa.select(table).where(where).order_by(*order)).mappings()]


# -- export ------------------------------------------------------------------------------------------


def _jsonl(table: sa.Table, rows: list[dict[str, Any]]) -> bytes:
    lines = [json.dumps({c.name: encode(r[c.name]) for c in table.c}, ensure_ascii=False) for r in rows]
    return ("\n".join(lines) + ("\n" if lines else "")).encode()


def _tenant_files(files_root: Path, tenant_id: int) -> Iterator[tuple[str, Path]]:
    base = files_root / str(tenant_id)
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*")):
        if path.is_file() and not path.name.startswith(".partial-"):
            yield path.relative_to(base).as_posix(), path


def owner_engine(url: str) -> sa.Engine:
    """An engine for the owner's URL (SQLite gets its foreign keys checked, as the app's engine does)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

    return engine


def export_tenant(engine: sa.Engine, metadata: sa.MetaData, files_root: Path, slug: str, output: Path) -> Report:
    """Write the tenant ``slug``'s data and files to the zip archive ``output``."""
    tenant_t, user_t = metadata.tables["tenant"], metadata.tables["user_account"]
    members: dict[str, bytes] = {}
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")  # one consistent picture
        with conn.begin():
            tenant = conn.execute(sa.select(tenant_t).where(tenant_t.c.slug == slug)).mappings().one_or_none()
            if tenant is None:
                raise BackupError(f"nu există instituția „{slug}”")
            tenant_id = tenant["id"]
            report = Report(slug, tenant_id)
            revision = schema_revision(conn)
            tables: list[dict[str, Any]] = []
            exported: dict[str, list[dict[str, Any]]] = {}
            owned = owned_tables(metadata)
            for table, column in owned:
                exported[table.name] = _select_rows(conn, table, table.c[column] == tenant_id)
            for table, fk in child_tables(metadata, [t for t, _ in owned]):
                parent_ids = [r[fk.column.name] for r in exported[fk.column.table.name]]
                exported[table.name] = _select_rows(conn, table, fk.parent.in_(parent_ids)) if parent_ids else []
            # the rows outside the tenant that its rows point at
            tenant_ids, user_ids = {tenant_id}, set()
            for name, rows in exported.items():
                table = metadata.tables[name]
                for col in _references(table, "tenant"):
                    tenant_ids |= {r[col.name] for r in rows if r[col.name] is not None}
                for col in _references(table, "user_account"):
                    user_ids |= {r[col.name] for r in rows if r[col.name] is not None}
            context_tenants: dict[int, dict[str, Any]] = {}
            pending = set(tenant_ids)
            while pending:  # parents of parents, up to the top
                rows = _select_rows(conn, tenant_t, tenant_t.c.id.in_(pending))
                context_tenants.update({r["id"]: r for r in rows})
                pending = {r["parent_id"] for r in rows if r["parent_id"]} - set(context_tenants)
            users = _select_rows(conn, user_t, user_t.c.id.in_(user_ids)) if user_ids else []
        for name, rows in exported.items():
            table = metadata.tables[name]
            member = f"tables/{name}.jsonl"
            members[member] = _jsonl(table, rows)
            tables.append({"name": name, "rows": len(rows), "columns": [c.name for c in table.c], "member": member})
            report.tables[name] = len(rows)
        context = []
        for name, rows in (("tenant", list(context_tenants.values())), ("user_account", users)):
            table = metadata.tables[name]
            member = f"context/{name}.jsonl"
            members[member] = _jsonl(table, sorted(rows, key=lambda r: r["id"]))
            context.append({"name": name, "rows": len(rows), "columns": [c.name for c in table.c], "member": member})
    files = []
    for relative, path in _tenant_files(files_root, tenant_id):
        member = f"files/{relative}"
        members[member] = path.read_bytes()
        files.append({"path": relative, "member": member})
    report.files = len(files)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "tenant": {
            "id": tenant_id, "slug": tenant["slug"], "name": tenant["display_name"], "kind": encode(tenant["kind"])
        },
        "schema_revision": revision,
        "tables": tables,
        "context": context,
        "files": files,
        "checksums": {m: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for m, d in members.items()},
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.{secrets.token_hex(4)}.partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            for member, data in members.items():
                archive.writestr(member, data)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    report.path = output
    return report


# -- import ------------------------------------------------------------------------------------------


def read_archive(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and members of an archive, every checksum verified."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
                raise BackupError(f"{path} nu este o arhivă Vatra (format {FORMAT} {FORMAT_VERSION})")
            members = {}
            for member, expected in manifest["checksums"].items():
                data = archive.read(member)
                if hashlib.sha256(data).hexdigest() != expected["sha256"] or len(data) != expected["size"]:
                    raise BackupError(f"arhiva este deteriorată: {member} nu corespunde sumei de control")
                members[member] = data
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} nu poate fi citită ca arhivă Vatra: {exc}") from exc
    return manifest, members


def _rows(members: dict[str, bytes], entry: dict[str, Any]) -> list[dict[str, Any]]:
    text = members[entry["member"]].decode()
    return [json.loads(line) for line in text.splitlines() if line]


def _check_schema(conn: sa.Connection, metadata: sa.MetaData, manifest: dict[str, Any]) -> None:
    revision = schema_revision(conn)
    if manifest["schema_revision"] != revision:
        raise BackupError(
            f"arhiva are schema {manifest['schema_revision']}, baza de date {revision}: "
            "importați într-o bază de date cu aceeași versiune (vatra db upgrade la aceeași versiune a aplicației)"
        )
    for entry in [*manifest["tables"], *manifest["context"]]:
        table = metadata.tables.get(entry["name"])
        if table is None:
            if entry["rows"]:
                raise BackupError(f"tabelul {entry['name']} din arhivă nu există aici (lipsește un modul?)")
            continue
        if set(entry["columns"]) != {c.name for c in table.c}:
            raise BackupError(f"coloanele tabelului {entry['name']} diferă de cele din arhivă")


def _check_target(conn: sa.Connection, metadata: sa.MetaData, manifest: dict[str, Any], own: dict[str, Any]) -> None:
    """Refuse another schema, or a database that has the tenant already (by slug, SIRUTA code or id)."""
    _check_schema(conn, metadata, manifest)
    tenant_t = metadata.tables["tenant"]
    same = [tenant_t.c.slug == own["slug"], tenant_t.c.id == own["id"]]
    if own.get("siruta") is not None:
        same.append(tenant_t.c.siruta == own["siruta"])
    clash = conn.execute(sa.select(tenant_t.c.slug).where(sa.or_(*same))).scalar()
    if clash is not None:
        raise BackupError(
            f"instituția „{own['slug']}” (id {own['id']}) există deja în această bază de date (ca „{clash}”): "
            "importul se face într-o bază de date goală"
        )


def _free_id(conn: sa.Connection, table: sa.Table, wanted: int) -> bool:
    return conn.execute(sa.select(table.c.id).where(table.c.id == wanted)).first() is None


def _insert_context(
    conn: sa.Connection,
    metadata: sa.MetaData,
    name: str,
    rows: list[dict[str, Any]],
    exact: frozenset[int] = frozenset(),
) -> dict[int, int]:
    """Reuse the rows the database has (by natural key), insert the others; returns old id → id here.

    Rows whose id is in ``exact`` are always inserted with their own id (the imported tenant).
    """
    table = metadata.tables[name]
    mapping: dict[int, int] = {}
    if name == "tenant":  # parents first
        by_id = {r["id"]: r for r in rows}

        def level(row: dict[str, Any]) -> int:
            parent = row.get("parent_id")
            return 0 if parent not in by_id else level(by_id[parent]) + 1

        rows = sorted(rows, key=level)
    for row in rows:
        found = None
        for key in () if row["id"] in exact else NATURAL_KEYS[name]:
            if row.get(key) is not None:
                found = conn.execute(sa.select(table.c.id).where(table.c[key] == row[key])).scalar()
            if found is not None:
                break
        if found is not None:
            mapping[row["id"]] = found
            continue
        values = {c.name: decode(c, row[c.name]) for c in table.c}
        if name == "tenant" and values.get("parent_id") is not None:
            values["parent_id"] = mapping.get(values["parent_id"], values["parent_id"])
        if row["id"] not in exact and not _free_id(conn, table, row["id"]):
            values.pop("id")  # the id is taken by another row: this one gets a new id, the references follow
        mapping[row["id"]] = conn.execute(sa.insert(table).values(values).returning(table.c.id)).scalar_one()
    return mapping


def _move_sequences(conn: sa.Connection, tables: Iterable[sa.Table]) -> None:
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c or not isinstance(_base_type(table.c.id), sa.Integer):
            continue
        sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar()
        if sequence:
            conn.execute(
                sa.text(f"SELECT setval(:s, GREATEST((SELECT max(id) FROM {table.name}), 1))"),  # noqa: S608
                {"s": sequence},
            )


def import_tenant(engine: sa.Engine, metadata: sa.MetaData, files_root: Path, path: Path) -> Report:
    """Restore the archive at ``path`` into the database (one transaction) and ``files_root``."""
    manifest, members = read_archive(path)
    info = manifest["tenant"]
    tenant_id = info["id"]
    report = Report(info["slug"], tenant_id)
    context = {entry["name"]: _rows(members, entry) for entry in manifest["context"]}
    own = next((r for r in context["tenant"] if r["id"] == tenant_id), None)
    if own is None:
        raise BackupError("arhiva nu conține rândul instituției")
    with engine.connect() as conn:
        _check_target(conn, metadata, manifest, own)
    target_dir = files_root / str(tenant_id)
    if target_dir.exists() and any(target_dir.iterdir()):
        raise BackupError(f"dosarul {target_dir} există și nu este gol: importați într-o instalare goală")
    staging = files_root / f".import-{tenant_id}-{secrets.token_hex(4)}"
    placed = False
    try:
        for entry in manifest["files"]:
            target = (staging / entry["path"]).resolve()
            if staging.resolve() not in target.parents:
                raise BackupError(f"cale nepermisă în arhivă: {entry['path']}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(members[entry["member"]])
        with engine.begin() as conn:
            _check_target(conn, metadata, manifest, own)
            tenant_t = metadata.tables["tenant"]
            tenant_map = _insert_context(conn, metadata, "tenant", context["tenant"], frozenset({tenant_id}))
            user_map = _insert_context(conn, metadata, "user_account", context["user_account"])
            touched = [tenant_t, metadata.tables["user_account"]]
            for entry in manifest["tables"]:
                table = metadata.tables.get(entry["name"])
                if table is None:
                    continue
                rows = _rows(members, entry)
                remap = [(c, tenant_map) for c in _references(table, "tenant")]
                remap += [(c, user_map) for c in _references(table, "user_account")]
                batch = []
                for row in rows:
                    values = {c.name: decode(c, row[c.name]) for c in table.c}
                    for column, mapping in remap:
                        if values[column.name] is not None:
                            values[column.name] = mapping.get(values[column.name], values[column.name])
                    if table.name in KEEP_DATABASE_IDS:
                        values.pop("id", None)
                    batch.append(values)
                for start in range(0, len(batch), 500):
                    conn.execute(sa.insert(table), batch[start : start + 500])
                report.tables[table.name] = len(rows)
                touched.append(table)
            _move_sequences(conn, touched)
            if manifest["files"]:
                target_dir.parent.mkdir(parents=True, exist_ok=True)
                if target_dir.exists():
                    target_dir.rmdir()
                os.replace(staging, target_dir)
                placed = True
            report.files = len(manifest["files"])
    except sa.exc.IntegrityError as exc:
        if placed:
            os.replace(target_dir, staging)
        raise BackupError(
            f"baza de date nu este goală: un rând din arhivă se suprapune cu unul existent ({exc.orig})"
        ) from exc
    except BaseException:
        if placed:
            os.replace(target_dir, staging)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report
