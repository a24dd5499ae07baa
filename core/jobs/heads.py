"""The worker's reads across tenants: a job's head, the unfinished jobs of every tenant.

On PostgreSQL they go through the owner's narrow ``SECURITY DEFINER`` functions
(:data:`core.rls.JOB_FUNCTIONS_SQL`), which return job bookkeeping only: the
application role has no system scope. On SQLite (one process, no roles) the
same rows are read in the system scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from core.db import db
from core.jobs.models import Job, JobStatus
from core.tenancy import system_context


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def job_head(job_id: int) -> Any | None:
    """``(tenant_id, user_id, kind)`` of a job, read before its tenant's scope is entered; None if unknown."""
    if _postgresql():
        row = db.session.execute(
            sa.text("SELECT tenant_id, user_id, kind FROM vatra_job_head(:job)"), {"job": job_id}
        ).one_or_none()
        db.session.rollback()
        return row
    with system_context():
        row = db.session.execute(
            sa.select(Job.tenant_id, Job.user_id, Job.kind).where(Job.id == job_id)
        ).one_or_none()
        db.session.rollback()
    return row


def unfinished_jobs(statuses: Iterable[JobStatus]) -> list[Any]:
    """The unfinished jobs of every tenant in ``statuses``, by id: id, tenant, status, rq id, heartbeat,
    start, last update and attempts."""
    wanted = sorted(str(s) for s in statuses)
    if _postgresql():
        rows = db.session.execute(
            sa.text(
                "SELECT id, tenant_id, status, rq_job_id, heartbeat_at, started_at, updated_at, attempts,"
                " max_attempts FROM vatra_unfinished_jobs(CAST(:statuses AS text[]))"
            ).columns(
                sa.column("id", sa.Integer), sa.column("tenant_id", sa.Integer),
                sa.column("status", Job.__table__.c.status.type), sa.column("rq_job_id", sa.String),
                sa.column("heartbeat_at", Job.__table__.c.heartbeat_at.type),
                sa.column("started_at", Job.__table__.c.started_at.type),
                sa.column("updated_at", Job.__table__.c.updated_at.type),
                sa.column("attempts", sa.Integer), sa.column("max_attempts", sa.Integer),
            ),
            {"statuses": wanted},
        ).all()
        db.session.rollback()
        return rows
    with system_context():
        rows = db.session.execute(
            sa.select(
                Job.id, Job.tenant_id, Job.status, Job.rq_job_id, Job.heartbeat_at, Job.started_at,
                Job.updated_at, Job.attempts, Job.max_attempts,
            )
            .where(Job.status.in_(wanted))
            .order_by(Job.id)
        ).all()
        db.session.rollback()
    return rows
