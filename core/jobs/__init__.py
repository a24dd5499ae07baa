"""Background jobs: recorded in the database, run by rq or in-process.

Plugins declare job kinds with the ``vatra_jobs`` hook and start them with
``enqueue(kind, tenant=..., user=..., **params)`` (both from ``core.toolkit``).
Every job is a :class:`Job` row of its tenant — status, progress, message,
attempts, result file, error — that the jobs pages and API show. With
``REDIS_URL`` the job goes to an rq queue (``default``, ``exports``,
``aggregation``) served by ``vatra worker``; without it the job runs at once
in the calling process with the same bookkeeping.

The job function receives a :class:`JobContext` and the parameters::

    def export_plan(ctx: JobContext, *, plan_id: int) -> None:
        ctx.progress(10, "Se citește planul")
        ...
        ctx.save_file("Plan 2026.docx", data, DOCX_MIMETYPE)

It runs in the job's tenant scope (both tenancy walls apply), as the actor
``job:<kind>``. It must not commit: its writes are committed together with
the job's success (exactly once, even when a killed run is retried). A failed
attempt is retried with back-off while attempts remain (``JobSpec.retries``);
raise :class:`PermanentJobError` for a failure no retry can fix.
"""

from __future__ import annotations

from core.jobs.models import ACTIVE, CLAIMABLE, FINISHED, Job, JobStatus
from core.jobs.queueing import NOT_QUEUED_MESSAGE, QueueUnavailableError, redis_answers
from core.jobs.runner import JobContext, PermanentJobError, SavedFile, run_inline, run_job
from core.jobs.service import JobStateError, enqueue, requeue, requeue_not_queued, retry_job
from core.jobs.settings import QUEUES
from core.jobs.specs import UnknownJobKindError, all_specs, core_jobs, job_spec, register_core_job

__all__ = [
    "ACTIVE",
    "CLAIMABLE",
    "FINISHED",
    "NOT_QUEUED_MESSAGE",
    "QUEUES",
    "Job",
    "JobContext",
    "JobStateError",
    "JobStatus",
    "PermanentJobError",
    "QueueUnavailableError",
    "SavedFile",
    "UnknownJobKindError",
    "all_specs",
    "core_jobs",
    "enqueue",
    "job_spec",
    "redis_answers",
    "register_core_job",
    "requeue",
    "requeue_not_queued",
    "retry_job",
    "run_inline",
    "run_job",
]
