"""The rq worker of ``vatra worker``: one Flask app per worker process, a fresh engine per job.

rq's default ``Worker`` forks a work-horse for every job. The worker process
builds the app once and keeps its application context; before forking it
returns its database connection to the pool, and the horse drops the pool it
inherited (``engine.dispose(close=False)``) so it opens connections of its
own and never shares a socket with its parent. The worker also:

* runs the scheduler (``with_scheduler``), which moves retries whose
  back-off is over back to their queue;
* marks a job ``interrupted`` when its horse is killed (rq then retries it);
* runs the reaper (:mod:`core.jobs.reaper`) on start and every
  ``JOBS_REAP_SECONDS`` as part of rq's maintenance.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import redis
from flask import Flask
from rq import Worker

from core.db import db
from core.jobs.runner import note_engine_process, on_horse_killed
from core.jobs.settings import QUEUES, queue_name, setting

log = logging.getLogger(__name__)


class VatraWorker(Worker):
    """An rq ``Worker`` that keeps the Vatra app and its database engine fork-safe."""

    vatra_app: Flask | None = None

    def execute_job(self, job: Any, queue: Any) -> None:
        db.session.remove()  # no connection checked out across the fork
        super().execute_job(job, queue)

    def main_work_horse(self, job: Any, queue: Any) -> None:
        # in the forked child: never touch the parent's connections
        db.engine.dispose(close=False)
        note_engine_process()
        super().main_work_horse(job, queue)

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        reap_safely(self.vatra_app)


def reap_safely(app: Flask | None) -> None:
    """One reaper pass in a fresh application context; errors are logged, never raised."""
    from core.jobs.reaper import reap

    if app is None:
        return
    try:
        with app.app_context():
            reap()
    except Exception:
        log.exception("reaper pass failed")


def _horse_killed(job: Any, retpid: int, ret_val: int, rusage: Any) -> None:
    try:
        on_horse_killed(job, ret_val)
    except Exception:
        log.exception("could not record the killed work-horse of %s", job.id)


def make_worker(app: Flask, *, queues: Iterable[str] = QUEUES, name: str | None = None) -> VatraWorker:
    """Build a worker for ``app`` on ``queues`` (names without the deployment prefix)."""
    with app.app_context():
        url = app.config.get("REDIS_URL")
        if not url:
            raise RuntimeError("REDIS_URL is not set: without Redis, jobs run in-process and need no worker")
        reap_every = max(1, setting("JOBS_REAP_SECONDS"))
        names = [queue_name(q) for q in queues]
        monitor = max(1, setting("JOBS_MONITOR_SECONDS"))
        note_engine_process()
    connection = redis.Redis.from_url(url)
    worker = VatraWorker(
        names,
        connection=connection,
        name=name,
        maintenance_interval=reap_every,
        worker_ttl=reap_every + 15,  # rq blocks on the queues for worker_ttl - 15 s between maintenance runs
        job_monitoring_interval=monitor,
        work_horse_killed_handler=_horse_killed,
    )
    worker.vatra_app = app
    return worker


def run_worker(
    app: Flask,
    *,
    queues: Iterable[str] = QUEUES,
    name: str | None = None,
    burst: bool = False,
    logging_level: str = "INFO",
) -> bool:
    """Work until stopped (SIGTERM/SIGINT: after the current job), inside ``app``'s context."""
    worker = make_worker(app, queues=queues, name=name)
    with app.app_context():
        return worker.work(burst=burst, with_scheduler=True, logging_level=logging_level)
