"""Handing jobs to rq on Redis — or running them in-process when there is no Redis.

The database row is written and committed first, with the id the rq job will
carry; only then is the job pushed to its queue. When Redis does not answer
the row stays, marked ``not_queued`` with a message saying so, and is queued
again by ``vatra jobs requeue`` or by the next worker that finds Redis back.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from typing import Any

import redis
from flask import current_app

from core.contrib import JobSpec
from core.db import db, utcnow
from core.jobs.models import Job, JobStatus
from core.jobs.settings import backoff, inline, queue_name, setting

log = logging.getLogger(__name__)

RUNNER = "core.jobs.run_job"
"""What rq calls: a module-level function taking the job's id."""

FAILURE_CALLBACK = "core.jobs.runner.on_rq_failure"

RESULT_TTL = 24 * 3600
FAILURE_TTL = 7 * 24 * 3600

NOT_QUEUED_MESSAGE = (
    "Coada de lucrări nu răspunde: lucrarea este înregistrată și va fi pusă în coadă când coada revine."
)
"""What a job not taken by the queue says (Romanian, shown as is)."""


class QueueUnavailableError(RuntimeError):
    """Redis did not answer."""


def redis_connection() -> redis.Redis:
    """The app's Redis connection (one per app and process), with short timeouts."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise QueueUnavailableError("REDIS_URL is not set")
    cache: dict[str, Any] = current_app.extensions.setdefault("vatra_jobs", {})
    if cache.get("redis_pid") != os.getpid() or cache.get("redis_url") != url:
        cache["redis"] = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        cache["redis_pid"] = os.getpid()
        cache["redis_url"] = url
    return cache["redis"]


def redis_answers() -> bool:
    """Whether Redis answers a PING right now."""
    try:
        return bool(redis_connection().ping())
    except (redis.exceptions.RedisError, QueueUnavailableError):
        return False


def new_rq_id(job: Job) -> str:
    """A fresh rq job id for ``job`` (the row stores it; only that rq job may run the row)."""
    prefix = re.sub(r"[^A-Za-z0-9_-]", "_", setting("JOBS_QUEUE_PREFIX"))
    return f"{prefix}vatra-{job.id}-{secrets.token_hex(4)}"


def push(job: Job, spec: JobSpec) -> bool:
    """Enqueue the rq job of ``job`` (already committed with its ``rq_job_id``); False when Redis is down.

    rq retries it with back-off (``Retry`` + the worker's scheduler) for the
    attempts the row has left.
    """
    from rq import Callback, Queue, Retry

    remaining = max(1, job.max_attempts - job.attempts)
    retry = Retry(max=remaining - 1, interval=backoff(remaining - 1)) if remaining > 1 else None
    try:
        queue = Queue(queue_name(job.queue), connection=redis_connection())
        queue.enqueue(
            RUNNER,
            job.id,
            job_id=job.rq_job_id,
            job_timeout=spec.timeout,
            retry=retry,
            on_failure=Callback(FAILURE_CALLBACK),
            result_ttl=RESULT_TTL,
            failure_ttl=FAILURE_TTL,
            description=f"{job.kind} #{job.id} (tenant {job.tenant_id})",
        )
    except (redis.exceptions.RedisError, QueueUnavailableError) as exc:
        log.warning("job %s (%s) not queued: Redis did not answer: %s", job.id, job.kind, exc)
        return False
    return True


def hand_over(job: Job, spec: JobSpec, *, status: JobStatus = JobStatus.QUEUED, message: str = "") -> Job:
    """Give a recorded job to its runner: in-process right away, or a fresh rq job.

    Commits the session (the row must be visible to the worker before the rq
    job exists). Runs inside the job's tenant scope. Returns the job, loaded.
    """
    job.status = status
    job.message = message
    if job.enqueued_at is None or job.attempts or job.rq_job_id:
        job.enqueued_at = utcnow()  # handed over again (a new enqueue time); a new job has one already
    if inline():
        job.rq_job_id = None
        db.session.commit()
        from core.jobs.runner import run_inline

        run_inline(job.id)
        db.session.refresh(job)
        return job
    job.rq_job_id = new_rq_id(job)
    db.session.commit()
    if not push(job, spec):
        job.status = JobStatus.NOT_QUEUED
        job.message = NOT_QUEUED_MESSAGE
        db.session.commit()
    db.session.refresh(job)
    return job
