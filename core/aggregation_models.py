"""Snapshot tables of the aggregation engine (global tables owned by the core).

A snapshot is the set of catalog indicator values of every locality of one
*scope* (a county, or the platform for the whole country) for one period,
computed at one moment. Pages of a county or of the country read snapshots,
like DHIS2 serves its dashboards from analytics tables; the figures of one
locality are read live.

The rows belong to the tenant whose figures they hold — the county, or the
platform for the country — through ``tenant_id``, under the same policies as
every tenant's rows: a county's refresh job runs in the county, the national
one in the platform (writing each county's snapshot in that county's scope).
``subject_tenant_id`` is the locality a figure is about. Only
:mod:`core.aggregation` reads and writes them. They are derived data,
rewritten nightly, so they are not audited row by row.

A snapshot may also carry a *summary* per plugin: the result of a page that
only depends on the snapshot (the national page's county lines, already
suppressed), computed once at refresh so that the page reads one row.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, synonym

from core.db import TenantScoped, UTCDateTime, db, tenant_fk, tenant_table_args, utcnow

AGG_NUMBER = sa.Numeric(20, 4, asdecimal=True)
"""Indicator figures: exact decimals (counts, hours, percentages, RON)."""


class SnapshotStatus(enum.StrEnum):
    """Where a snapshot is in its life."""

    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


class AggSnapshot(TenantScoped, db.Model):
    """The figures of one scope (county or platform: its ``tenant_id``) for one period, computed at one moment."""

    __tablename__ = "agg_snapshot"
    __audited__ = False

    scope_tenant_id = synonym("tenant_id")
    period: Mapped[str] = mapped_column(sa.String(10), nullable=False)  # Period.label: "2026" or "2026 T2"
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    status: Mapped[SnapshotStatus] = mapped_column(
        sa.Enum(SnapshotStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        nullable=False,
        default=SnapshotStatus.RUNNING,
    )
    localities: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    summary: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    """What plugins precomputed from this snapshot for their pages, by plugin name (``vatra_snapshot_summary``)."""

    __table_args__ = tenant_table_args(sa.Index("ix_agg_snapshot_scope_period", "tenant_id", "period", "computed_at"))


class AggValue(TenantScoped, db.Model):
    """One figure of a snapshot: a catalog code for one locality (``tenant_id``: the snapshot's)."""

    __tablename__ = "agg_value"
    __audited__ = False

    snapshot_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    subject_tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    value: Mapped[Decimal] = mapped_column(AGG_NUMBER, nullable=False)
    count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    __table_args__ = tenant_table_args(
        tenant_fk("snapshot_id", "agg_snapshot"),
        sa.UniqueConstraint("tenant_id", "snapshot_id", "subject_tenant_id", "code"),
        sa.Index("ix_agg_value_subject", "tenant_id", "subject_tenant_id"),
    )
