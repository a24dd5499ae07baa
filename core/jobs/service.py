"""Starting, retrying and re-queueing jobs."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from core.db import db, utcnow
from core.jobs.models import Job, JobStatus
from core.jobs.queueing import hand_over, redis_answers
from core.jobs.settings import inline
from core.jobs.specs import job_spec
from core.tenancy import TenantViolation, current_scope, tenant_context


class JobStateError(RuntimeError):
    """The job is not in a state that allows the operation (e.g. retrying a running job)."""


def _id_of(obj: Any) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, int):
        return obj
    return int(obj.id)


def _json_params(params: dict[str, Any]) -> dict[str, Any]:
    for key, value in params.items():
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"job parameter {key!r} must be a JSON value (str, int, float, bool, None, list, dict), "
                f"not {type(value).__name__}"
            ) from exc
    return json.loads(json.dumps(params))


@contextlib.contextmanager
def tenant_scope_for(tenant_id: int) -> Iterator[None]:
    """Enter ``tenant_id``'s scope unless already in it; refuse to write into another tenant."""
    scope = current_scope()
    if scope.write_tenant_id == tenant_id and not scope.system:
        yield
        return
    if scope.write_tenant_id is not None and not scope.system:
        raise TenantViolation(
            f"a job of tenant {tenant_id} cannot be started in the scope of tenant {scope.write_tenant_id}"
        )
    with tenant_context(tenant_id):
        yield


def enqueue(kind: str, *, tenant: Any, user: Any = None, **kwargs: Any) -> Job:
    """Record a job of ``kind`` for ``tenant`` and run it (rq, or in-process without Redis).

    The row is committed (with whatever the caller's session holds) before
    the job is handed over. ``kwargs`` are the job function's parameters and
    must be JSON values. Returns the :class:`Job`:

    * in-process (no ``REDIS_URL``): already run — ``succeeded`` or ``failed``;
    * with Redis: ``queued``; when Redis does not answer, ``not_queued`` with
      a message saying the job is recorded and will be queued when the queue
      is back (``job.queued_ok`` is False) — nothing raises, pages keep working.

    Raises :class:`~core.jobs.specs.UnknownJobKindError` for a kind nobody declares
    and ``TypeError`` for parameters that are not JSON.
    """
    spec = job_spec(kind)
    tenant_id = _id_of(tenant)
    if tenant_id is None:
        raise ValueError("enqueue needs a tenant")
    params = _json_params(kwargs)
    with tenant_scope_for(tenant_id):
        job = Job(
            tenant_id=tenant_id,
            user_id=_id_of(user),
            kind=kind,
            queue=spec.queue,
            status=JobStatus.QUEUED,
            params=params,
            attempts=0,
            max_attempts=max(1, spec.retries + 1),
            progress=0,
            message="",
            enqueued_at=utcnow(),
        )
        db.session.add(job)
        db.session.flush()
        return hand_over(job, spec)


def retry_job(job: Job) -> Job:
    """Run a failed job again (with a fresh set of attempts), or queue a ``not_queued`` one.

    Runs in the job's tenant scope. :class:`JobStateError` for other statuses.
    """
    if job.status == JobStatus.NOT_QUEUED:
        return requeue(job)
    if job.status != JobStatus.FAILED:
        raise JobStateError(f"job {job.id} is {job.status}; only failed or not queued jobs can be retried")
    spec = job_spec(job.kind)
    job.max_attempts = job.attempts + max(1, spec.retries + 1)
    job.error = None
    job.progress = 0
    job.finished_at = None
    job.result_path = job.result_name = job.result_mimetype = None
    job.result_size = None
    return hand_over(job, spec)


def requeue(job: Job) -> Job:
    """Hand a ``not_queued`` job to the queue when Redis answers (unchanged while it does not)."""
    if job.status != JobStatus.NOT_QUEUED:
        raise JobStateError(f"job {job.id} is {job.status}, not waiting for the queue")
    if not inline() and not redis_answers():
        return job
    return hand_over(job, job_spec(job.kind))


def not_queued_ids() -> list[tuple[int, int]]:
    """``(job id, tenant id)`` of every job waiting for the queue, all tenants (maintenance)."""
    from core.jobs.heads import unfinished_jobs

    return [(r.id, r.tenant_id) for r in unfinished_jobs([JobStatus.NOT_QUEUED])]


def requeue_not_queued() -> tuple[list[int], list[int]]:
    """Queue every ``not_queued`` job again (maintenance). Returns ``(queued ids, still waiting ids)``."""
    queued: list[int] = []
    waiting: list[int] = []
    pending = not_queued_ids()
    if pending and not inline() and not redis_answers():
        return [], [job_id for job_id, _ in pending]
    for job_id, tenant_id in pending:
        with tenant_context(tenant_id):
            job = db.session.get(Job, job_id, populate_existing=True)
            if job is None or job.status != JobStatus.NOT_QUEUED:
                db.session.rollback()
                continue
            job = requeue(job)
            (waiting if job.status == JobStatus.NOT_QUEUED else queued).append(job_id)
            db.session.rollback()
    return queued, waiting
