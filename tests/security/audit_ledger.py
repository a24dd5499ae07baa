"""The audit proof's ledger: for each committed transaction, the rows PostgreSQL counted against the audit.

``pg_stat_xact_user_tables`` holds what the current transaction inserted,
updated and deleted per table (on PostgreSQL 15 plus what earlier
transactions of the same backend did that is not yet reported to the
statistics: so it is read when the transaction begins and again just before
COMMIT, after the session's last flush, and the difference is compared with the rows the audit accounted for
(:func:`core.audit_rows.accounted_rows`). Any write that bypassed the session
is refused on the spot (:func:`core.audit_rows.forbid_unaudited_writes`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.audit_rows import accounted_rows, audited_table, forbid_unaudited_writes
from core.db import db, maint_engine

_COUNTS = sa.text(
    "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
    " WHERE relname = ANY(:tables) AND n_tup_ins + n_tup_upd + n_tup_del > 0"
)


@dataclass
class Ledger:
    """What the walk committed: transactions with writes, and the ones whose counts differ."""

    transactions: int = 0
    rows: int = 0
    mismatches: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)


@contextlib.contextmanager
def audit_ledger(app: Flask) -> Iterator[Ledger]:
    """Check every commit of ``app``'s sessions (PostgreSQL) while the block runs."""
    ledger = Ledger()
    with app.app_context():
        tables = sorted(name for name in db.metadata.tables if audited_table(name))
        engines = [db.engine, *([maint_engine()] if maint_engine() is not None else [])]

    def after_begin(session: Session, transaction: Any, connection: sa.Connection) -> None:
        if connection.dialect.name == "postgresql":
            session.info["ledger_start"] = dict(connection.execute(_COUNTS, {"tables": tables}).all())

    def before_commit(session: Session) -> None:
        if session.open_engine() is None:
            return
        session.flush()  # the commit's own flush comes after this event: take it first
        start = session.info.pop("ledger_start", {})
        counts = {
            name: n - start.get(name, 0)
            for name, n in session.connection().execute(_COUNTS, {"tables": tables}).all()
            if n != start.get(name, 0)
        }
        changed = sum(counts.values())
        if not changed and not accounted_rows(session):
            return
        ledger.transactions += 1
        ledger.rows += changed
        for name, n in counts.items():
            ledger.tables[name] = ledger.tables.get(name, 0) + n
        if changed != accounted_rows(session):
            ledger.mismatches.append(f"{changed} rows changed ({counts}), {accounted_rows(session)} audited")

    event.listen(Session, "after_begin", after_begin)
    event.listen(Session, "before_commit", before_commit)
    try:
        with contextlib.ExitStack() as guards:
            refused = [guards.enter_context(forbid_unaudited_writes(engine)) for engine in engines]
            yield ledger
            ledger.refused = [statement for each in refused for statement in each]
    finally:
        event.remove(Session, "before_commit", before_commit)
        event.remove(Session, "after_begin", after_begin)
