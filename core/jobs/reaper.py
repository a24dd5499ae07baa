"""Finding jobs whose run was lost, and jobs still waiting for the queue.

What rq does itself, and is used rather than copied:

* a work-horse that dies (SIGKILL, OOM) while its worker lives: the worker
  notices at once, calls the *work-horse-killed handler* (ours marks the row
  ``interrupted``) and retries the rq job with its back-off;
* a whole worker that dies: its rq job stays in the queue's
  ``StartedJobRegistry`` until the execution's heartbeat expires (about a
  minute); then any worker's maintenance (``StartedJobRegistry.cleanup``)
  raises ``AbandonedJobError`` through the job's failure callback (ours
  marks the row) and retries the job.

What the reaper adds, each ``JOBS_REAP_SECONDS`` in every worker (one at a
time, under a Redis lock) and on ``vatra jobs reap``:

* a ``running`` row whose heartbeat is older than ``JOBS_STALE_SECONDS``
  and whose rq worker stopped beating too is handed to rq's own abandoned-job
  handling at once (its registry entry is expired, then
  ``StartedJobRegistry.cleanup`` runs) instead of waiting for rq's timeout;
* a ``running`` row whose rq job already ended, was retried or vanished
  (Redis lost it, or a handler could not write) is marked ``interrupted``
  and run again — or ``failed`` when its attempts are used up;
* a waiting row (``queued``, ``retrying``, ``interrupted``) whose rq job no
  longer exists or already ended gets a fresh rq job (or fails when its
  attempts are used up);
* ``not_queued`` rows are queued when Redis answers again.

Without Redis (in-process jobs) a ``running`` row with a stale heartbeat
belongs to a process that died; it is marked and run again here.

The runner's claim (only the rq job the row names may start it, only from a
waiting status) and its final conditional commit keep the effect exactly
once whatever the reaper decides.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

import redis
import sqlalchemy as sa

from core.db import db, utcnow
from core.jobs import files
from core.jobs.models import ACTIVE, Job, JobStatus
from core.jobs.queueing import hand_over, redis_answers, redis_connection
from core.jobs.runner import mark_lost
from core.jobs.service import requeue
from core.jobs.settings import inline, setting
from core.jobs.specs import UnknownJobKindError, job_spec
from core.tenancy import tenant_context

log = logging.getLogger(__name__)

WAITING = (JobStatus.QUEUED, JobStatus.RETRYING, JobStatus.INTERRUPTED)


@dataclass
class ReapReport:
    """What one pass of the reaper did."""

    interrupted: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    queued_again: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    redis_down: bool = False
    skipped: bool = False  # another worker was reaping

    def summary(self) -> str:
        """One line for logs and the command line."""
        if self.skipped:
            return "alt proces verifică lucrările acum"
        parts = [
            f"întrerupte: {len(self.interrupted)}",
            f"repuse în coadă: {len(self.requeued)}",
            f"trimise în coadă: {len(self.queued_again)}",
            f"eșuate: {len(self.failed)}",
        ]
        if self.redis_down:
            parts.append(f"coada nu răspunde, în așteptare: {len(self.waiting)}")
        return ", ".join(parts)


def _active_rows() -> list[Any]:
    from core.jobs.heads import unfinished_jobs

    return unfinished_jobs(ACTIVE)


def _age(now: dt.datetime, *stamps: dt.datetime | None) -> float:
    for stamp in stamps:
        if stamp is not None:
            return (now - stamp).total_seconds()
    return float("inf")


def reap() -> ReapReport:
    """One pass over the unfinished jobs of every tenant (see the module docstring)."""
    report = ReapReport()
    rows = _active_rows()
    if inline():
        _reap_inline(rows, report)
        return report
    if not redis_answers():
        report.redis_down = True
        report.waiting = [r.id for r in rows if r.status == JobStatus.NOT_QUEUED]
        return report
    conn = redis_connection()
    lock_key = f"{setting('JOBS_QUEUE_PREFIX')}vatra:jobs:reaper"
    token = secrets.token_hex(8)
    if not conn.set(lock_key, token, nx=True, ex=max(30, setting("JOBS_REAP_SECONDS"))):
        report.skipped = True
        return report
    try:
        now = utcnow()
        for row in rows:
            try:
                _reap_row(row, conn, now, report)
            except redis.exceptions.RedisError:
                log.warning("reaper: Redis stopped answering; the rest waits for the next pass")
                report.redis_down = True
                break
            except Exception:
                log.exception("reaper: job %s could not be checked", row.id)
                db.session.rollback()
    finally:
        try:
            if conn.get(lock_key) == token.encode():
                conn.delete(lock_key)
        except redis.exceptions.RedisError:
            pass
    if report.interrupted or report.requeued or report.queued_again or report.failed:
        log.info("reaper: %s", report.summary())
    return report


def _reap_inline(rows: list[Any], report: ReapReport) -> None:
    """No Redis: a stale ``running`` row's process died; run it (and forgotten waiting rows) here."""
    now = utcnow()
    stale = setting("JOBS_STALE_SECONDS")
    for row in rows:
        if row.status == JobStatus.RUNNING:
            if _age(now, row.heartbeat_at, row.started_at, row.updated_at) < stale:
                continue
            if mark_lost(row.id, reason="procesul care o rula s-a oprit") is None:
                continue
            report.interrupted.append(row.id)  # mark_lost ran it again, in this process
        elif _age(now, row.updated_at) < stale:
            continue
        else:
            _resend(row, report)
        if _status_of(row) == JobStatus.FAILED and row.id not in report.failed:
            report.failed.append(row.id)


def _rq_state(conn: redis.Redis, rq_job_id: str | None) -> tuple[Any, str | None]:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RqJob

    if not rq_job_id:
        return None, None
    try:
        rq_job = RqJob.fetch(rq_job_id, connection=conn)
    except NoSuchJobError:
        return None, None
    status = rq_job.get_status(refresh=False)
    return rq_job, (status.value if status is not None else None)


ENDED = {"finished", "failed", "stopped", "canceled"}
WILL_RUN = {"queued", "scheduled", "deferred", "created", "rate_limited", "ready_to_enqueue"}


def _worker_alive(conn: redis.Redis, rq_job: Any, now: dt.datetime, stale: float) -> bool:
    """Whether the rq worker holding ``rq_job`` still beats (a live worker's own timeout handles a hung job)."""
    from rq.utils import utcparse
    from rq.worker import Worker

    name = rq_job.worker_name
    if not name:
        return False
    beat = conn.hget(f"{Worker.redis_worker_namespace_prefix}{name}", "last_heartbeat")
    if not beat:
        return False
    return (now - utcparse(beat.decode())).total_seconds() < stale


def abandon(conn: redis.Redis, rq_job: Any) -> None:
    """Let rq treat ``rq_job`` as abandoned now: expire its executions, then rq's own cleanup.

    ``StartedJobRegistry.cleanup`` retries the job (or fails it) and calls its
    failure callback with ``AbandonedJobError`` — exactly what rq does on
    its own once the execution's heartbeat runs out.
    """
    from rq.executions import parse_composite_key
    from rq.registry import StartedJobRegistry

    registry = StartedJobRegistry(rq_job.origin, connection=conn)
    for member in conn.zrange(registry.key, 0, -1):
        text = member.decode() if isinstance(member, bytes) else member
        if parse_composite_key(text)[0] == rq_job.id:
            conn.zadd(registry.key, {text: 1}, xx=True)
    registry.cleanup()


def _reap_row(row: Any, conn: redis.Redis, now: dt.datetime, report: ReapReport) -> None:
    stale = setting("JOBS_STALE_SECONDS")
    if row.status == JobStatus.NOT_QUEUED:
        with tenant_context(row.tenant_id):
            job = db.session.get(Job, row.id, populate_existing=True)
            if job is not None and job.status == JobStatus.NOT_QUEUED:
                job = requeue(job)
                (report.waiting if job.status == JobStatus.NOT_QUEUED else report.queued_again).append(row.id)
            db.session.rollback()
        return
    rq_job, rq_status = _rq_state(conn, row.rq_job_id)
    if row.status == JobStatus.RUNNING:
        if _age(now, row.heartbeat_at, row.started_at, row.updated_at) < stale:
            return
        if rq_status == "started":
            if _worker_alive(conn, rq_job, now, stale):
                log.warning("reaper: job %s is silent but its worker lives; rq's timeout will end it", row.id)
                return
            log.warning("reaper: job %s was abandoned by worker %s", row.id, rq_job.worker_name)
            abandon(conn, rq_job)  # rq retries it; our failure callback marks the row
            rq_job, rq_status = _rq_state(conn, row.rq_job_id)
        result = mark_lost(
            row.id,
            reason="procesul de lucru a dispărut",
            rq_job_id=row.rq_job_id,
            rq_will_retry=rq_status in WILL_RUN,
        )
        if result is not None or _status_of(row) != JobStatus.RUNNING:
            report.interrupted.append(row.id)
        if _status_of(row) == JobStatus.FAILED:
            report.failed.append(row.id)
        return
    if row.status in WAITING and rq_status not in WILL_RUN and rq_status != "started":
        if _age(now, row.updated_at) < stale:
            return  # just handed over, or between two steps of its runner
        _resend(row, report)


def _status_of(row: Any) -> JobStatus | None:
    with tenant_context(row.tenant_id):
        status = db.session.scalar(sa.select(Job.status).where(Job.id == row.id))
        db.session.rollback()
    return status


def _resend(row: Any, report: ReapReport) -> None:
    """A waiting row whose rq job is gone: a fresh rq job, or failed when no attempts are left."""
    with tenant_context(row.tenant_id):
        job = db.session.get(Job, row.id, populate_existing=True)
        if job is None or job.status != row.status or job.rq_job_id != row.rq_job_id:
            db.session.rollback()
            return
        try:
            spec = job_spec(job.kind)
        except UnknownJobKindError:
            spec = None
        if spec is None or job.attempts >= job.max_attempts:
            job.status = JobStatus.FAILED
            job.finished_at = utcnow()
            job.error = job.error or ("Tip de lucrare necunoscut." if spec is None else "Nu mai sunt încercări.")
            files.remove_job_files(job.tenant_id, job.id)
            db.session.commit()
            report.failed.append(row.id)
            return
        log.warning("reaper: job %s lost its rq job %s; queued again", row.id, row.rq_job_id)
        hand_over(job, spec, status=job.status, message=job.message)
        report.requeued.append(row.id)
