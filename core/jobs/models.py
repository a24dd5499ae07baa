"""The ``job`` table: one row per background job, the source of truth pages read."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.db import TenantScoped, TimestampMixin, UTCDateTime, db, tenant_table_args


class JobStatus(enum.StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"  # recorded and handed to the queue (or about to run in-process)
    NOT_QUEUED = "not_queued"  # recorded, but the queue (Redis) did not answer; queued again later
    RUNNING = "running"
    RETRYING = "retrying"  # failed, another attempt is scheduled with back-off
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # no attempts left; the error stays visible
    INTERRUPTED = "interrupted"  # the process running it died; another attempt will follow


ACTIVE = frozenset(
    {JobStatus.QUEUED, JobStatus.NOT_QUEUED, JobStatus.RUNNING, JobStatus.RETRYING, JobStatus.INTERRUPTED}
)
"""Statuses of a job that is not finished."""

CLAIMABLE = frozenset({JobStatus.QUEUED, JobStatus.NOT_QUEUED, JobStatus.RETRYING, JobStatus.INTERRUPTED})
"""Statuses from which a run may start."""

FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})


class Job(TenantScoped, TimestampMixin, db.Model):
    """A background job of one tenant: who asked, what, how far it got, its file or its error.

    Progress, its message and the heartbeat change every few seconds while a
    job runs; they are kept out of the audit log (``__audit_exclude__``).
    Status changes are audited like any other write.
    """

    __tablename__ = "job"
    __audit_exclude__ = ("progress", "message", "heartbeat_at")

    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    queue: Mapped[str] = mapped_column(sa.String(40), nullable=False, default="default")
    status: Mapped[JobStatus] = mapped_column(
        sa.Enum(JobStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        nullable=False,
        default=JobStatus.QUEUED,
    )
    progress: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=0)
    message: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    result_path: Mapped[str | None] = mapped_column(sa.String(500))
    result_name: Mapped[str | None] = mapped_column(sa.String(255))
    result_mimetype: Mapped[str | None] = mapped_column(sa.String(150))
    result_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    error: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    max_attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    rq_job_id: Mapped[str | None] = mapped_column(sa.String(120))
    enqueued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")

    __table_args__ = tenant_table_args(
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        sa.Index("ix_job_tenant_status", "tenant_id", "status"),
        sa.Index("ix_job_tenant_created", "tenant_id", "created_at"),
    )

    @property
    def is_active(self) -> bool:
        """Not finished yet (queued, running, waiting for a retry...)."""
        return self.status in ACTIVE

    @property
    def is_finished(self) -> bool:
        """Succeeded or failed for good."""
        return self.status in FINISHED

    @property
    def has_file(self) -> bool:
        """A finished job with a result file to download."""
        return self.status == JobStatus.SUCCEEDED and bool(self.result_path)

    @property
    def queued_ok(self) -> bool:
        """False when the queue did not take the job (it is recorded and will be queued later)."""
        return self.status != JobStatus.NOT_QUEUED

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status} tenant={self.tenant_id}>"
