"""The audit log: every write, login, denial and export, chained per tenant.

Every insert, update and delete of a mapped model is recorded in the same
transaction by a flush listener (models opt out with ``__audited__ = False``
and hide fields with ``__audit_exclude__`` / ``__audit_redact__``). Explicit
events (logins, denials, exports) go through :func:`record_event`.

Each tenant's entries form a SHA-256 chain: an entry's hash covers its
content and the previous entry's hash, and ``audit_chain`` holds the last
sequence number and hash of each tenant. :func:`verify` walks the chains and
reports the first entry that was edited, inserted or deleted.

On PostgreSQL the database roles of the application and of maintenance may
only read the two tables: entries are appended by the owner's ``SECURITY
DEFINER`` function (:data:`core.rls.AUDIT_APPEND_SQL`), which computes the
sequence number and the hashes itself. Each entry also carries an HMAC of its
content with a key kept on the application hosts, never in the database
(:func:`audit_key`), so an entry appended by someone holding only the
application role's SQL access is flagged by ``verify`` given the key.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import enum
import hashlib
import hmac as hmac_lib
import json
import os
import secrets
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapped, Mapper, mapped_column
from sqlalchemy.orm.base import PASSIVE_NO_INITIALIZE

from core.db import UTCDateTime, db, utcnow

GENESIS = "0" * 64


@dataclass
class Actor:
    """Who is acting: a user (maybe through an API token), a job, or the system."""

    user_id: int | None = None
    token_id: int | None = None
    job_id: int | None = None
    request_id: str | None = None
    ip: str | None = None
    label: str = "system"
    extra: dict[str, Any] = field(default_factory=dict)


SYSTEM = Actor()
_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("vatra_actor", default=None)
_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("vatra_audit_enabled", default=True)


def current_actor() -> Actor:
    """The actor of the current request or job (the system when none was set)."""
    return _actor.get() or SYSTEM


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Attribute the writes inside the block to ``actor``."""
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


def set_actor(actor: Actor) -> None:
    """Set the actor for the rest of the current context (a request)."""
    _actor.set(actor)


def set_enabled(enabled: bool) -> None:
    """Switch automatic auditing on or off for the current context (benchmarks only)."""
    _enabled.set(enabled)


class AuditEntry(db.Model):
    """One audited fact. Never updated, never deleted."""

    __tablename__ = "audit_entry"
    __audited__ = False

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    actor_user_id: Mapped[int | None] = mapped_column(sa.Integer)
    actor_token_id: Mapped[int | None] = mapped_column(sa.Integer)
    actor_job_id: Mapped[int | None] = mapped_column(sa.Integer)
    actor_label: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    entity: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    changes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="{}")
    prev_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    hmac: Mapped[str | None] = mapped_column(sa.String(64))
    """HMAC-SHA-256 of the content with the audit key; empty when appended without it, NULL before keys."""

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "seq"),
        sa.Index("ix_audit_entry_tenant_at", "tenant_id", "at"),
        sa.Index("ix_audit_entry_tenant_entity", "tenant_id", "entity", "entity_id"),
        # no RETURNING: a new entry must pass only the append policy, not the per-tenant read one
        {"implicit_returning": False},
    )

    @property
    def changed(self) -> dict[str, Any]:
        """The recorded changes as a dict."""
        return json.loads(self.changes or "{}")


class AuditChain(db.Model):
    """The head of one tenant's chain: last sequence number and hash."""

    __tablename__ = "audit_chain"
    __audited__ = False

    tenant_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, default=GENESIS)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return str(value)


def canonical(data: Any) -> str:
    """Stable JSON text of ``data`` (sorted keys, no spaces, plain values)."""
    return json.dumps(_plain(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the canonical content of an entry."""
    return hashlib.sha256((prev_hash + canonical(fields)).encode()).hexdigest()


_HASHED = (
    "tenant_id", "seq", "at", "actor_user_id", "actor_token_id", "actor_job_id",
    "actor_label", "request_id", "ip", "entity", "entity_id", "action", "changes",
)  # fmt: skip


def _hash_fields(row: Any) -> dict[str, Any]:
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    out = {k: get(k) for k in _HASHED}
    at = out["at"]
    if isinstance(at, dt.datetime):
        out["at"] = (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat()
    return out


def _entry_values(tenant_id: int, entity: str, entity_id: Any, action: str, changes: dict[str, Any]) -> dict[str, Any]:
    actor = current_actor()
    return {
        "tenant_id": tenant_id,
        "at": utcnow(),
        "actor_user_id": actor.user_id,
        "actor_token_id": actor.token_id,
        "actor_job_id": actor.job_id,
        "actor_label": actor.label,
        "request_id": actor.request_id,
        "ip": actor.ip,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "action": action,
        "changes": canonical(changes),
    }


def audit_key(app: Any = None) -> bytes:
    """The key of the entries' HMACs: ``VATRA_AUDIT_KEY``, else the file ``VATRA_AUDIT_KEY_FILE``.

    Kept on the application hosts, never in the database. Without either, a key
    file ``audit.key`` in the instance folder is made once (development, tests,
    the embedded default).
    """
    from flask import current_app

    app = app or current_app
    cache = app.extensions.setdefault("vatra_audit_key", {})
    if "key" not in cache:
        key = app.config.get("VATRA_AUDIT_KEY")
        if key:
            cache["key"] = key.encode() if isinstance(key, str) else bytes(key)
        else:
            path = Path(app.config.get("VATRA_AUDIT_KEY_FILE") or Path(app.instance_path) / "audit.key")
            cache["key"] = _read_or_make_key(path)
    return cache["key"]


def _read_or_make_key(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process made it first: theirs stands
            os.link(tmp, path)
        tmp.unlink()
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise RuntimeError(f"the audit key file {path} is empty")
    return key.encode()


def entry_mac(key: bytes, fields: dict[str, Any]) -> str:
    """HMAC-SHA-256 over an entry's content (everything hashed but the sequence number, which the
    database assigns)."""
    content = {k: v for k, v in fields.items() if k != "seq"}
    return hmac_lib.new(key, canonical(content).encode(), hashlib.sha256).hexdigest()


def _append(connection: sa.Connection, entries: list[dict[str, Any]]) -> None:
    """Chain and insert ``entries`` on ``connection``, one tenant head at a time."""
    key = audit_key()
    for e in entries:
        e["hmac"] = entry_mac(key, _hash_fields(dict(e, seq=None)))
    if connection.dialect.name == "postgresql":
        from core.rls import AUDIT_APPEND_FN

        ordered = sorted(entries, key=lambda e: e["tenant_id"])  # heads locked in one order: no deadlock
        payload = json.dumps([dict(e, at=e["at"].isoformat()) for e in ordered], ensure_ascii=False)
        connection.execute(sa.text(f"SELECT {AUDIT_APPEND_FN}(CAST(:entries AS jsonb))"), {"entries": payload})
        return
    by_tenant: dict[int, list[dict[str, Any]]] = {}
    for e in entries:
        by_tenant.setdefault(e["tenant_id"], []).append(e)
    chain = AuditChain.__table__
    from sqlalchemy.dialects.sqlite import insert as upsert

    for tenant_id in sorted(by_tenant):
        connection.execute(
            upsert(chain).values(tenant_id=tenant_id, last_seq=0, last_hash=GENESIS).on_conflict_do_nothing()
        )
        head_q = sa.select(chain.c.last_seq, chain.c.last_hash).where(chain.c.tenant_id == tenant_id)
        seq, prev = connection.execute(head_q).one()
        rows = []
        for e in by_tenant[tenant_id]:
            seq += 1
            row = dict(e, seq=seq, prev_hash=prev)
            row["hash"] = prev = entry_hash(prev, _hash_fields(row))
            rows.append(row)
        connection.execute(sa.insert(AuditEntry.__table__), rows)
        connection.execute(
            sa.update(chain).where(chain.c.tenant_id == tenant_id).values(last_seq=seq, last_hash=prev)
        )


def record_event(
    action: str,
    *,
    tenant_id: int,
    entity: str = "event",
    entity_id: Any = None,
    details: dict[str, Any] | None = None,
    own_transaction: bool = False,
) -> None:
    """Record an explicit event (login, denial, export...).

    With ``own_transaction`` the entry is committed at once on a separate
    connection, so it survives the rollback of a refused request.
    """
    values = _entry_values(tenant_id, entity, entity_id, action, details or {})
    if own_transaction:
        with db.engine.begin() as conn:
            _append(conn, [values])
    else:
        _append(db.session.connection(), [values])


# --- automatic auditing of ORM writes ---------------------------------------------------


def _audit_tenant(obj: Any, connection: sa.Connection) -> int:
    resolver = getattr(obj, "__audit_tenant__", None)
    if resolver is not None:
        return resolver()
    tenant_id = getattr(obj, "tenant_id", None)
    if tenant_id is not None:
        return tenant_id
    return platform_tenant_id(connection)


def platform_tenant_id(connection: sa.Connection | None = None) -> int:
    """The id of the platform tenant, which owns platform-wide audit entries (0 before it exists)."""
    from flask import current_app

    cache = current_app.extensions.setdefault("vatra_platform_tenant", {})
    if "id" not in cache:
        from tenants.models import Tenant, TenantKind

        query = sa.select(Tenant.__table__.c.id).where(Tenant.__table__.c.kind == TenantKind.PLATFORM.value)
        if connection is not None:
            found = connection.execute(query).scalar()
        else:
            with db.engine.connect() as conn:
                found = conn.execute(query).scalar()
        if found is None:
            return 0
        cache["id"] = found
    return cache["id"]


def _changes(obj: Any, action: str) -> dict[str, Any]:
    state = inspect(obj)
    exclude = set(getattr(obj, "__audit_exclude__", ())) | {"updated_at", "created_at"}
    redact = set(getattr(obj, "__audit_redact__", ()))
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in exclude:
            continue
        if action == "insert":
            value = getattr(obj, key)
            if value is None:
                continue
            out[key] = [None, "***" if key in redact else value]
            continue
        # what state.attrs[key].history returns, without building an AttributeState for every attribute
        hist = state.get_history(key, PASSIVE_NO_INITIALIZE)
        if action == "delete":
            value = hist.unchanged[0] if hist.unchanged else (hist.deleted[0] if hist.deleted else None)
            out[key] = ["***" if key in redact else value, None]
        elif hist.has_changes():
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
            if key in redact:
                before, after = "***", "***"
            if before != after or key in redact:
                out[key] = [before, after]
    return out


@event.listens_for(Mapper, "mapper_configured")
def _load_before_change(mapper: Mapper[Any], cls: type) -> None:
    """Make every audited column load its old value before a change, so "before" is never lost.

    Without it an attribute expired by a commit would be overwritten blind and
    the audit entry would show ``None`` as the previous value.
    """
    if not getattr(cls, "__audited__", True):
        return
    for prop in mapper.column_attrs:
        getattr(cls, prop.key).impl.active_history = True


def _is_audited(obj: Any) -> bool:
    return getattr(obj, "__audited__", True) and hasattr(obj, "__table__")


def _entity_id(obj: Any) -> Any:
    state = inspect(obj)
    key = state.identity or state.mapper.primary_key_from_instance(obj)
    return key[0] if key and len(key) == 1 else key


# --- verification -----------------------------------------------------------------------


@dataclass
class ChainProblem:
    """The first broken place of one tenant's chain."""

    tenant_id: int
    seq: int | None
    entry_id: int | None
    kind: str  # edited | inserted | deleted
    detail: str


def verify(connection: sa.Connection, tenant_id: int | None = None, key: bytes | None = None) -> list[ChainProblem]:
    """Walk the chains (one tenant or all) and report the first break of each.

    * **unsigned** (only given the audit ``key``): an entry whose HMAC is
      missing or wrong — appended by someone without the key (the database
      role's SQL access), or a copy of another entry's content;
    * **edited**: an entry's content no longer matches its hash;
    * **inserted**: an entry whose previous hash or sequence does not follow
      the one before it, or a sequence number used twice;
    * **deleted**: a gap in the sequence, or the chain ending before its head.
    """
    table = AuditEntry.__table__
    chain = AuditChain.__table__
    heads_q = sa.select(chain.c.tenant_id, chain.c.last_seq, chain.c.last_hash)
    if tenant_id is not None:
        heads_q = heads_q.where(chain.c.tenant_id == tenant_id)
    heads = {r.tenant_id: r for r in connection.execute(heads_q)}
    tenants_q = sa.select(table.c.tenant_id).distinct()
    if tenant_id is not None:
        tenants_q = tenants_q.where(table.c.tenant_id == tenant_id)
    tenant_ids = sorted(set(heads) | set(connection.execute(tenants_q).scalars()))
    problems = []
    for tid in tenant_ids:
        problem = _verify_one(connection, tid, heads.get(tid), key)
        if problem:
            problems.append(problem)
    return problems


def _verify_one(connection: sa.Connection, tenant_id: int, head: Any, key: bytes | None = None) -> ChainProblem | None:
    table = AuditEntry.__table__
    rows = connection.execute(
        sa.select(table).where(table.c.tenant_id == tenant_id).order_by(table.c.seq, table.c.id)
    ).mappings()
    prev_hash, prev_seq = GENESIS, 0
    macs: set[str] = set()
    for row in rows:
        if row["seq"] == prev_seq:
            return ChainProblem(tenant_id, row["seq"], row["id"], "inserted", "sequence number used twice")
        if row["seq"] > prev_seq + 1:
            return ChainProblem(
                tenant_id, prev_seq + 1, None, "deleted", f"entries {prev_seq + 1}–{row['seq'] - 1} are missing"
            )
        if entry_hash(row["prev_hash"], _hash_fields(dict(row))) != row["hash"]:
            return ChainProblem(tenant_id, row["seq"], row["id"], "edited", "content does not match its hash")
        if row["prev_hash"] != prev_hash:
            return ChainProblem(tenant_id, row["seq"], row["id"], "inserted", "does not follow the previous entry")
        if key is not None and row["hmac"] is not None:  # NULL: written before entries were signed
            fields = _hash_fields(dict(row))
            if not hmac_lib.compare_digest(row["hmac"], entry_mac(key, fields)):
                return ChainProblem(tenant_id, row["seq"], row["id"], "unsigned",
                                    "written without the audit key (its HMAC is missing or wrong)")
            if row["hmac"] in macs:
                return ChainProblem(tenant_id, row["seq"], row["id"], "unsigned", "a copy of an earlier entry")
            macs.add(row["hmac"])
        prev_hash, prev_seq = row["hash"], row["seq"]
    if head is not None and (head.last_seq != prev_seq or head.last_hash != prev_hash):
        if head.last_seq > prev_seq:
            return ChainProblem(
                tenant_id, prev_seq + 1, None, "deleted", f"entries {prev_seq + 1}–{head.last_seq} are missing"
            )
        return ChainProblem(tenant_id, prev_seq, None, "inserted", "the chain runs past its recorded head")
    return None


# -- anchoring: the chain heads kept outside the database ---------------------------------------


@dataclass(frozen=True)
class Anchor:
    """A chain head written down outside the database: tenant, sequence number, hash, when."""

    tenant_id: int
    seq: int
    hash: str
    at: str

    def to_json(self) -> str:
        """One line of an anchors file."""
        return canonical({"tenant_id": self.tenant_id, "seq": self.seq, "hash": self.hash, "at": self.at})

    @classmethod
    def from_json(cls, line: str) -> Anchor:
        """An anchor from a line of an anchors file (ValueError when it is not one)."""
        try:
            data = json.loads(line)
            return cls(int(data["tenant_id"]), int(data["seq"]), str(data["hash"]), str(data["at"]))
        except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
            raise ValueError(f"not an anchor line: {line[:80]!r}") from exc


def anchors(connection: sa.Connection) -> list[Anchor]:
    """The current head of every tenant's chain, to be stored where the database's owner cannot rewrite it.

    The chain alone shows an edit, an insertion or a deletion by anyone who
    does not recompute the hashes after it; someone with the owner's rights
    who rewrites every later hash *and* the head is only caught by comparing
    with heads recorded earlier elsewhere (a file on another host, a printed
    report): :func:`check_anchors`.
    """
    chain = AuditChain.__table__
    at = utcnow().isoformat()
    rows = connection.execute(sa.select(chain.c.tenant_id, chain.c.last_seq, chain.c.last_hash)
                              .where(chain.c.last_seq > 0).order_by(chain.c.tenant_id))
    return [Anchor(int(t), int(seq), str(h), at) for t, seq, h in rows]


def check_anchors(connection: sa.Connection, recorded: Iterable[Anchor]) -> list[ChainProblem]:
    """The newest recorded head of each tenant must still be in its chain with the same hash."""
    table = AuditEntry.__table__
    problems: dict[int, ChainProblem] = {}
    newest: dict[int, Anchor] = {}
    for anchor in recorded:  # the chain covers what came before: the newest head of each tenant is enough
        if anchor.tenant_id not in newest or anchor.seq > newest[anchor.tenant_id].seq:
            newest[anchor.tenant_id] = anchor
    for anchor in sorted(newest.values(), key=lambda a: a.tenant_id):
        found = connection.execute(
            sa.select(table.c.id, table.c.hash).where(table.c.tenant_id == anchor.tenant_id, table.c.seq == anchor.seq)
        ).first()
        if found is None:
            problems[anchor.tenant_id] = ChainProblem(
                anchor.tenant_id, anchor.seq, None, "deleted", f"the entry anchored on {anchor.at} is gone"
            )
        elif found.hash != anchor.hash:
            problems[anchor.tenant_id] = ChainProblem(
                anchor.tenant_id, anchor.seq, found.id, "edited",
                f"the chain was rewritten: the entry anchored on {anchor.at} has another hash",
            )
    return list(problems.values())


from core import audit_rows  # noqa: E402,F401 - its listeners record every row that changes
