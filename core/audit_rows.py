"""Every row that changes or disappears is audited — through the ORM, on every database.

The design (SECURITY.md, *Every write is audited*): the application writes
tenant data only through the ORM session, and this module turns each row the
session changes into an audit entry in the same transaction:

* **rows the unit of work writes** — mapper ``after_insert`` / ``after_update`` /
  ``after_delete`` events, so rows removed through a relationship (delete-orphan:
  an indicator taken off its activity, a replaced list, fewer parts) and rows
  deleted by an ORM cascade are recorded like any other;
* **rows the database removes or changes by itself** — before a row is deleted,
  the rows its ``ON DELETE CASCADE`` / ``SET NULL`` foreign keys will reach are read
  (recursively) and recorded: every database cascade is mirrored here from the
  schema, none is left to chance;
* **bulk statements** — ``session.execute(update(...))`` / ``delete(...)``: the
  rows they reach are read before (and, for an update, after) and recorded;
  ``session.execute(insert(...), rows)``: the rows given are recorded.

A write that bypasses the session (a Core statement on a connection) is not
audited; :func:`forbid_unaudited_writes` turns such a write into an error, and
the proof test walks the API and the form routes with it on, comparing for each
transaction the rows PostgreSQL counted (``pg_stat_xact_user_tables``) with the
rows audited (:func:`accounted_rows`).
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapper, Session, object_session

from core import audit
from core.db import Base, db

_PENDING = "vatra_audit_pending"
_ACCOUNTED = "vatra_audit_accounted"
_writing: contextvars.ContextVar[int] = contextvars.ContextVar("vatra_audit_writing", default=0)


def _class_for(table_name: str) -> type | None:
    for mapper in Base.registry.mappers:
        if isinstance(mapper.local_table, sa.Table) and mapper.local_table.name == table_name:
            return mapper.class_
    return None


def audited_table(table_name: str) -> bool:
    """Whether the rows of ``table_name`` are audited (a mapped model that did not opt out)."""
    cls = _class_for(table_name)
    return cls is not None and getattr(cls, "__audited__", True)


def accounted_rows(session: Session) -> int:
    """Rows of audited tables the current transaction changed and the audit accounted for: one entry each,
    but an update that touched only bookkeeping columns (``__audit_exclude__``: a job's progress, a token's
    last use), which changes no data and is not recorded."""
    return session.info.get(_ACCOUNTED, 0)


def _account(session: Session | None, n: int = 1) -> None:
    if session is not None:
        session.info[_ACCOUNTED] = session.info.get(_ACCOUNTED, 0) + n


def _buffer(session: Session | None, entry: dict[str, Any]) -> None:
    if session is not None:
        session.info.setdefault(_PENDING, []).append(entry)


# -- rows the unit of work writes ------------------------------------------------------------------


def _row_event(action: str, connection: sa.Connection, target: Any) -> None:
    if not audit._enabled.get() or not audit._is_audited(target):
        return
    session = object_session(target)
    changes = audit._changes(target, action)
    _account(session)
    if action == "update" and not changes:
        return  # only bookkeeping columns changed
    tenant_id = audit._audit_tenant(target, connection)
    _buffer(session, audit._entry_values(tenant_id, target.__tablename__, audit._entity_id(target), action, changes))


@event.listens_for(Mapper, "after_insert")
def _after_insert(mapper: Mapper[Any], connection: sa.Connection, target: Any) -> None:
    _row_event("insert", connection, target)


@event.listens_for(Mapper, "after_update")
def _after_update(mapper: Mapper[Any], connection: sa.Connection, target: Any) -> None:
    session = object_session(target)
    if session is None or not session.is_modified(target, include_collections=False):
        return  # after_update also runs for objects that emitted no UPDATE
    _row_event("update", connection, target)


@event.listens_for(Mapper, "before_delete")
def _before_delete(mapper: Mapper[Any], connection: sa.Connection, target: Any) -> None:
    if not audit._enabled.get():
        return
    session = object_session(target)
    table = mapper.local_table
    row = {c.name: getattr(target, mapper.get_property_by_column(c).key) for c in table.columns}
    for entry in _cascades(connection, table, row):
        _buffer(session, entry)
        _account(session)


@event.listens_for(Mapper, "after_delete")
def _after_delete(mapper: Mapper[Any], connection: sa.Connection, target: Any) -> None:
    _row_event("delete", connection, target)


@event.listens_for(Session, "before_flush")
def _flush_begins(session: Session, flush_context: Any, instances: Any) -> None:
    session.info["vatra_flush_token"] = _writing.set(_writing.get() + 1)


@event.listens_for(Session, "after_flush")
def _append_pending(session: Session, flush_context: Any) -> None:
    entries = session.info.pop(_PENDING, None)
    if entries:
        audit._append(session.connection(), entries)


@event.listens_for(Session, "after_flush_postexec")
def _flush_ends(session: Session, flush_context: Any) -> None:
    token = session.info.pop("vatra_flush_token", None)
    if token is not None:
        _writing.reset(token)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_ACCOUNTED, None)
        session.info.pop(_PENDING, None)


# -- rows the database reaches by itself: ON DELETE CASCADE / SET NULL -------------------------------


def _referencing(table: sa.Table) -> list[tuple[sa.Table, sa.ForeignKeyConstraint]]:
    cache = db.metadata.info.setdefault("vatra_referencing", {})
    key = (table.name, len(db.metadata.tables))  # in-process plugins may add tables later
    if key not in cache:
        cache[key] = [
            (child, fk)
            for child in db.metadata.tables.values()
            for fk in child.foreign_key_constraints
            if fk.referred_table is table and (fk.ondelete or "").upper() in {"CASCADE", "SET NULL"}
        ]
    return cache[key]


def _plain_changes(cls: type | None, row: dict[str, Any], action: str, before: dict[str, Any] | None = None
                   ) -> dict[str, Any]:
    exclude = set(getattr(cls, "__audit_exclude__", ())) | {"updated_at", "created_at"}
    redact = set(getattr(cls, "__audit_redact__", ()))
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in exclude:
            continue
        if action == "delete":
            out[key] = ["***" if key in redact else value, None]
        elif action == "update":
            old = (before or {}).get(key)
            if old != value:
                out[key] = ["***", "***"] if key in redact else [old, value]
    return out


def _row_entry(table: sa.Table, row: dict[str, Any], action: str, connection: sa.Connection,
               before: dict[str, Any] | None = None) -> dict[str, Any] | None:
    cls = _class_for(table.name)
    if cls is None or not getattr(cls, "__audited__", True):
        return None
    changes = _plain_changes(cls, row, action, before)
    if action == "update" and not changes:
        return None
    pk = [row[c.name] for c in table.primary_key.columns]
    tenant_id = row.get("tenant_id")
    if tenant_id is None:
        tenant_id = audit.platform_tenant_id(connection)
    return audit._entry_values(tenant_id, table.name, pk[0] if len(pk) == 1 else pk, action, changes)


def _cascades(connection: sa.Connection, table: sa.Table, row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Entries for the rows the database will delete (or set to NULL) when ``row`` of ``table`` is deleted."""
    for child, fk in _referencing(table):
        pairs = [(el.parent, row.get(el.column.name)) for el in fk.elements]
        if any(value is None for _, value in pairs):
            continue
        rows = connection.execute(sa.select(child).where(*(col == value for col, value in pairs))).mappings().all()
        for found in rows:
            found = dict(found)
            if fk.ondelete.upper() == "CASCADE":
                yield from _cascades(connection, child, found)
                entry = _row_entry(child, found, "delete", connection)
            else:
                nulled = {**found, **{col.name: None for col, _ in pairs if col.name != "tenant_id"}}
                entry = _row_entry(child, nulled, "update", connection, before=found)
            if entry is not None:
                yield entry


# -- bulk update() / delete() statements -----------------------------------------------------------


def _statement_table(state: Any) -> sa.Table | None:
    mapper = state.bind_mapper
    if mapper is not None and isinstance(mapper.local_table, sa.Table):
        return mapper.local_table
    table = getattr(state.statement, "table", None)
    return table if isinstance(table, sa.Table) else None


def _tenant_restriction(table: sa.Table) -> Any:
    from core.tenancy import current_scope

    scope = current_scope()
    if scope.system or "tenant_id" not in table.c:
        return sa.true()
    cls = _class_for(table.name)
    from core.db import TenantScoped

    if cls is None or not issubclass(cls, TenantScoped):
        return sa.true()
    return table.c.tenant_id == scope.write_tenant_id if scope.write_tenant_id else sa.false()


def _audit_bulk_insert(state: Any, table: sa.Table) -> Any:
    params = state.parameters
    rows = [dict(p) for p in (params if isinstance(params, list) else [params] if params else [])]
    token = _writing.set(_writing.get() + 1)
    try:
        result = state.invoke_statement()
    finally:
        _writing.reset(token)
    connection = state.session.connection()
    entries = []
    for row in rows:  # the ids the database assigned are not known here: the values are
        cls = _class_for(table.name)
        redact = set(getattr(cls, "__audit_redact__", ()))
        exclude = set(getattr(cls, "__audit_exclude__", ())) | {"updated_at", "created_at"}
        changes = {k: [None, "***" if k in redact else v] for k, v in row.items() if k not in exclude and v is not None}
        tenant_id = row.get("tenant_id") or audit.platform_tenant_id(connection)
        entries.append(audit._entry_values(tenant_id, table.name, row.get("id"), "insert", changes))
    _account(state.session, len(entries))
    if entries:
        audit._append(connection, entries)
    return result


@event.listens_for(Session, "do_orm_execute")
def _audit_bulk(state: Any) -> Any:
    if not (state.is_update or state.is_delete or state.is_insert) or not audit._enabled.get():
        return None
    table = _statement_table(state)
    if table is None or not audited_table(table.name):
        return None
    if state.is_insert:
        return _audit_bulk_insert(state, table)
    session = state.session
    connection = session.connection()
    where = state.statement.whereclause
    conditions = [_tenant_restriction(table)] + ([where] if where is not None else [])
    before = [dict(r) for r in connection.execute(sa.select(table).where(*conditions)).mappings()]
    entries: list[dict[str, Any]] = []
    if state.is_delete:
        for row in before:
            entries.extend(_cascades(connection, table, row))
            entry = _row_entry(table, row, "delete", connection)
            if entry is not None:
                entries.append(entry)
    token = _writing.set(_writing.get() + 1)
    try:
        result = state.invoke_statement()
    finally:
        _writing.reset(token)
    if state.is_delete:
        _account(session, len(entries))
    else:
        pk = list(table.primary_key.columns)
        keys = [tuple(r[c.name] for c in pk) for r in before]
        if keys:
            after_q = sa.select(table).where(sa.tuple_(*pk).in_(keys))
            after = {tuple(r[c.name] for c in pk): dict(r) for r in connection.execute(after_q).mappings()}
            for key, row in zip(keys, before, strict=True):
                _account(session)
                entry = _row_entry(table, after.get(key, row), "update", connection, before=row)
                if entry is not None:
                    entries.append(entry)
    if entries:
        audit._append(connection, entries)
    return result


# -- the guard: no write to an audited table outside the session -----------------------------------

_DML = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


class UnauditedWriteError(RuntimeError):
    """A statement wrote an audited table without going through the session (so without an audit entry)."""


@contextlib.contextmanager
def forbid_unaudited_writes(engine: sa.Engine) -> Iterator[list[str]]:
    """Refuse, on ``engine``, any INSERT/UPDATE/DELETE of an audited table issued outside a flush or an
    audited bulk statement; yields the list of the refused statements."""
    refused: list[str] = []

    def check(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        match = _DML.match(statement)
        if match and _writing.get() == 0 and audited_table(match.group(1)):
            refused.append(statement)
            raise UnauditedWriteError(f"an unaudited write to {match.group(1)}: {statement[:120]}")

    event.listen(engine, "before_cursor_execute", check)
    try:
        yield refused
    finally:
        event.remove(engine, "before_cursor_execute", check)
