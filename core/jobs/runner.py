"""Running one attempt of a job: claim it, run it in its tenant's scope, record the outcome.

The same code runs in an rq work-horse (a process forked by ``vatra
worker``) and in-process (no Redis). Guarantees:

* **one runner at a time** — a run starts only by *claiming* the row: a
  conditional update from a waiting status (and, under rq, only by the rq job
  whose id the row holds), so a duplicate or stale rq job does nothing;
* **exactly-once effect** — the job function's own database writes, the
  ``succeeded`` status and the export audit event are committed in one
  transaction, and only if the row still belongs to this attempt; a run killed
  before that commit leaves no effect, and its file is overwritten (same path,
  ``os.replace``) by the attempt that follows;
* **progress** — ``ctx.progress()`` and a heartbeat thread write in their
  own short transactions, so pages see them while the job runs;
* **after fork** — the work-horse never reuses the worker's database
  connections (the engine's pool is dropped in the child).
"""

from __future__ import annotations

import contextvars
import logging
import os
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core.audit import Actor, acting_as, record_event
from core.db import db, utcnow
from core.jobs import files
from core.jobs.models import CLAIMABLE, Job, JobStatus
from core.jobs.settings import setting
from core.jobs.specs import UnknownJobKindError, job_spec
from core.tenancy import tenant_context

log = logging.getLogger(__name__)

ERROR_LIMIT = 4000


class PermanentJobError(Exception):
    """Raised by a job function for a failure that another attempt cannot fix (bad input...).

    The job fails at once, without retries; the message is shown to the user.
    """


@dataclass(frozen=True)
class SavedFile:
    """The result file a job saved."""

    name: str  # offered on download
    path: str  # relative to VATRA_FILES
    mimetype: str
    size: int


class JobContext:
    """What a job function receives: its record, progress reporting, result file.

    ``ctx.job`` is the :class:`~core.jobs.models.Job` row (read it, do not
    change it); ``ctx.params`` the keyword arguments given to ``enqueue``;
    ``ctx.tenant_id`` / ``ctx.user_id`` whom the job runs for;
    ``ctx.attempt`` the attempt number (1, 2...).

    The function runs inside the job's tenant scope and writes with
    ``db.session`` as usual, **without committing**: the runner commits those
    writes together with the job's success, so a job that dies half-way and
    runs again leaves its effect exactly once.
    """

    def __init__(self, job: Any, *, attempt: int | None = None, live: bool = False) -> None:
        self.job = job
        self.attempt = attempt if attempt is not None else (getattr(job, "attempts", 0) or 1)
        self.file: SavedFile | None = None
        self.percent = 0
        self.message = ""
        self._live = live

    @property
    def tenant_id(self) -> int:
        """The tenant the job runs for."""
        return self.job.tenant_id

    @property
    def user_id(self) -> int | None:
        """Who asked for the job (None for the system)."""
        return self.job.user_id

    @property
    def params(self) -> dict[str, Any]:
        """The keyword arguments given to ``enqueue``."""
        return dict(self.job.params or {})

    def progress(self, percent: int, message: str = "") -> None:
        """Report progress 0–100 with a short message (visible on the jobs page)."""
        self.percent = max(0, min(100, int(percent)))
        self.message = str(message)[:500]
        if self._live:
            touch(
                db.engine,
                self.job.id,
                self.attempt,
                progress=self.percent,
                message=self.message,
                heartbeat_at=utcnow(),
            )
            set_committed_value(self.job, "progress", self.percent)
            set_committed_value(self.job, "message", self.message)

    def save_file(self, filename: str, data: bytes, mimetype: str) -> None:
        """Store the job's one result file, downloadable by the users of its tenant.

        Written atomically to the job's own folder; calling it again replaces
        the file. It becomes visible when the job succeeds.
        """
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError("save_file expects bytes")
        if self.job.id is None:
            raise RuntimeError("save_file needs a recorded job (use enqueue)")
        name = files.display_name(filename)
        stored = files.stored_name(filename)
        folder = files.job_dir(self.job.tenant_id, self.job.id)
        files.write_atomic(folder, stored, bytes(data))
        files.keep_only(folder, stored)
        relative = Path(str(self.job.tenant_id), "jobs", str(self.job.id), stored).as_posix()
        self.file = SavedFile(name=name, path=relative, mimetype=mimetype, size=len(data))


# -- side transactions (progress, heartbeat) ------------------------------------------------------


def touch(engine: sa.Engine, job_id: int, attempt: int, **values: Any) -> bool:
    """Update a running job's progress/heartbeat in a short transaction of its own.

    Only the current attempt may write (False otherwise). Never raises for a
    busy database: progress is best effort (SQLite waits at most a second).
    """
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            old_timeout = None
            if sqlite:
                old_timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
                conn.exec_driver_sql("PRAGMA busy_timeout=1000")
                conn.commit()
            try:
                with Session(bind=conn) as session:
                    result = session.execute(
                        sa.update(Job)
                        .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.attempts == attempt)
                        .values(**values)
                        .execution_options(synchronize_session=False)
                    )
                    session.commit()
                    return result.rowcount == 1
            finally:
                if sqlite:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={int(old_timeout or 30000)}")
                    conn.commit()
    except sa.exc.OperationalError as exc:
        log.debug("job %s: progress not written (%s)", job_id, exc)
        return False


class _Heartbeat:
    """A thread writing ``heartbeat_at`` every few seconds while the job function runs."""

    def __init__(self, engine: sa.Engine, job_id: int, attempt: int, interval: float) -> None:
        self._stop = threading.Event()
        self._args = (engine, job_id, attempt, interval)
        context = contextvars.copy_context()  # the tenant scope, for RLS and the ORM filter
        self._thread = threading.Thread(
            target=context.run, args=(self._loop,), name=f"vatra-job-{job_id}-heartbeat", daemon=True
        )

    def _loop(self) -> None:
        engine, job_id, attempt, interval = self._args
        while not self._stop.wait(interval):
            touch(engine, job_id, attempt, heartbeat_at=utcnow())

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


# -- the app and the engine in a worker ----------------------------------------------------------

_engine_pids: dict[int, int] = {}
_process_app: dict[int, Flask] = {}


def note_engine_process() -> None:
    """Make sure the database engine belongs to this process.

    After a fork the child drops the pool it inherited (without closing the
    parent's connections) and opens its own.
    """
    engine = db.engine
    pid = os.getpid()
    known = _engine_pids.get(id(engine))
    if known is not None and known != pid:
        engine.dispose(close=False)
    _engine_pids[id(engine)] = pid


def process_app() -> Flask:
    """The current app, or one built from the environment, once per process (plain ``rq worker``)."""
    if has_app_context():
        return current_app._get_current_object()
    pid = os.getpid()
    if pid not in _process_app:
        from core.app import create_app

        _process_app[pid] = create_app()
    return _process_app[pid]


# -- running ------------------------------------------------------------------------------------


def _head(job_id: int) -> tuple[int, int | None, str] | None:
    """Tenant, user and kind of a job, read before its tenant's scope can be entered."""
    from core.jobs.heads import job_head

    row = job_head(job_id)
    return (row.tenant_id, row.user_id, row.kind) if row is not None else None


def _lock(job_id: int, statuses: Any, *, attempt: int | None = None, rq_job_id: str | None = None) -> bool:
    """Take the row for this transaction if it is still in ``statuses`` (and attempt / rq job match).

    A conditional update: on PostgreSQL it locks the row, on SQLite it takes
    the write lock; either way a concurrent runner or reaper waits, then
    sees the new state and backs off.
    """
    conditions = [Job.id == job_id, Job.status.in_(list(statuses))]
    if attempt is not None:
        conditions.append(Job.attempts == attempt)
    if rq_job_id is not None:
        conditions.append(Job.rq_job_id == rq_job_id)
    result = db.session.execute(
        sa.update(Job).where(*conditions).values(heartbeat_at=utcnow()).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    return True


def _claim(job_id: int, rq_job_id: str | None) -> Job | None:
    if not _lock(job_id, CLAIMABLE, rq_job_id=rq_job_id):
        log.info("job %s: not claimable by %s, skipped", job_id, rq_job_id or "this process")
        return None
    job = db.session.get(Job, job_id, populate_existing=True)
    assert job is not None
    now = utcnow()
    if job.attempts >= job.max_attempts:
        job.status = JobStatus.FAILED
        job.finished_at = now
        job.error = job.error or f"Nu mai sunt încercări (au fost {job.attempts})."
        files.remove_job_files(job.tenant_id, job.id)
        db.session.commit()
        return None
    job.status = JobStatus.RUNNING
    job.attempts = job.attempts + 1
    job.started_at = now
    job.finished_at = None
    job.heartbeat_at = now
    job.progress = 0
    job.message = ""
    db.session.commit()
    return job


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:ERROR_LIMIT]


def _succeed(job: Job, ctx: JobContext) -> JobStatus | None:
    """Commit the job's writes with its success — only if this attempt still owns the row."""
    job_id, attempt = job.id, ctx.attempt
    if not _lock(job_id, [JobStatus.RUNNING], attempt=attempt):
        log.warning("job %s: attempt %s lost the row before finishing; its writes are discarded", job_id, attempt)
        return None
    now = utcnow()
    job.status = JobStatus.SUCCEEDED
    job.progress = 100
    job.finished_at = now
    job.heartbeat_at = now
    job.message = ctx.message if ctx.percent >= 100 and ctx.message else "Gata."
    job.error = None
    folder = files.job_dir(job.tenant_id, job.id)
    if ctx.file is not None:
        files.keep_only(folder, Path(ctx.file.path).name)
        job.result_path = ctx.file.path
        job.result_name = ctx.file.name
        job.result_mimetype = ctx.file.mimetype
        job.result_size = ctx.file.size
        record_event(
            "export",
            tenant_id=job.tenant_id,
            entity="job",
            entity_id=job.id,
            details={"kind": job.kind, "file": ctx.file.name, "mimetype": ctx.file.mimetype, "size": ctx.file.size},
        )
    else:
        files.keep_only(folder, None)
        job.result_path = job.result_name = job.result_mimetype = None
        job.result_size = None
    db.session.commit()
    return JobStatus.SUCCEEDED


def _fail(job_id: int, attempt: int, exc: BaseException, rq_job: Any) -> JobStatus | None:
    """Record a failed attempt: ``retrying`` while attempts remain, else ``failed`` for good."""
    db.session.rollback()
    if not _lock(job_id, [JobStatus.RUNNING], attempt=attempt):
        return None
    job = db.session.get(Job, job_id, populate_existing=True)
    assert job is not None
    retry = job.attempts < job.max_attempts and not isinstance(exc, PermanentJobError | UnknownJobKindError)
    job.error = _error_text(exc)
    if retry:
        job.status = JobStatus.RETRYING
        job.message = f"Încercarea {job.attempts} din {job.max_attempts} a eșuat; se reîncearcă."
    else:
        job.status = JobStatus.FAILED
        job.finished_at = utcnow()
        job.message = f"Eșuată după {job.attempts} încercări." if job.attempts > 1 else "Eșuată."
        files.remove_job_files(job.tenant_id, job.id)
        if rq_job is not None:
            rq_job.retries_left = 0  # the row is final: rq must not run it again
    db.session.commit()
    return job.status


def _run(job_id: int) -> str:
    from rq import get_current_job

    rq_job = get_current_job()
    head = _head(job_id)
    if head is None:
        log.warning("job %s does not exist (deleted?); nothing to run", job_id)
        return "missing"
    tenant_id, user_id, kind = head
    actor = Actor(job_id=job_id, user_id=user_id, label=f"job:{kind}")
    with tenant_context(tenant_id), acting_as(actor):
        job = _claim(job_id, rq_job.id if rq_job is not None else None)
        if job is None:
            return "skipped"
        attempt = job.attempts
        ctx = JobContext(job, attempt=attempt, live=True)
        try:
            spec = job_spec(kind)
            with _Heartbeat(db.engine, job_id, attempt, setting("JOBS_HEARTBEAT_SECONDS")):
                spec.func(ctx, **ctx.params)
            status = _succeed(job, ctx)
        except Exception as exc:
            details = traceback.format_exc()
            status = _fail(job_id, attempt, exc, rq_job)
            level = logging.ERROR if status == JobStatus.FAILED else logging.WARNING
            log.log(level, "job %s (%s) attempt %s failed (now %s):\n%s", job_id, kind, attempt, status, details)
            if rq_job is not None:
                raise  # rq records the failure and schedules its retry
        return str(status) if status is not None else "superseded"


def run_job(job_id: int) -> str:
    """Run one attempt of job ``job_id`` (what rq calls; also the in-process runner).

    Returns the resulting status. Under rq a failed attempt re-raises so rq
    schedules the retry with back-off.
    """
    app = process_app()
    with app.app_context():  # a fresh session, whatever the caller had open
        note_engine_process()
        return _run(job_id)


def run_inline(job_id: int) -> str:
    """Run a job in this process until it succeeds or has no attempts left (no Redis)."""
    status = ""
    for _ in range(1000):
        status = run_job(job_id)
        if status != JobStatus.RETRYING:
            break
    return status


# -- lost runs: the process running a job died -------------------------------------------------------


def mark_lost(job_id: int, *, reason: str, rq_job_id: str | None = None, rq_will_retry: bool = False) -> str | None:
    """A job's run ended without the runner recording it (SIGKILL, OOM, lost worker).

    The row becomes ``interrupted`` (another attempt follows: rq's retry when
    ``rq_will_retry``, else a fresh rq job) or ``failed`` when no attempts
    are left. Does nothing unless the row is still ``running`` (for
    ``rq_job_id``). Returns the new status.
    """
    head = _head(job_id)
    if head is None:
        return None
    tenant_id, user_id, kind = head
    with tenant_context(tenant_id), acting_as(Actor(job_id=job_id, user_id=user_id, label=f"worker:{kind}")):
        job = db.session.get(Job, job_id, populate_existing=True)
        if job is None or job.status != JobStatus.RUNNING or (rq_job_id and job.rq_job_id != rq_job_id):
            db.session.rollback()
            return None
        if not _lock(job_id, [JobStatus.RUNNING], attempt=job.attempts, rq_job_id=rq_job_id):
            return None
        job = db.session.get(Job, job_id, populate_existing=True)
        assert job is not None
        job.error = f"Întreruptă: {reason}"[:ERROR_LIMIT]
        if job.attempts < job.max_attempts:
            job.status = JobStatus.INTERRUPTED
            job.message = f"Întreruptă ({reason}); va fi reluată."
            db.session.commit()
            if not rq_will_retry:
                from core.jobs.queueing import hand_over

                hand_over(job, job_spec(job.kind), status=JobStatus.INTERRUPTED, message=job.message)
        else:
            job.status = JobStatus.FAILED
            job.finished_at = utcnow()
            job.message = f"Întreruptă după {job.attempts} încercări."
            files.remove_job_files(job.tenant_id, job.id)
            db.session.commit()
        return str(job.status)


def _job_id_of(rq_job: Any) -> int | None:
    try:
        return int(rq_job.args[0])
    except (IndexError, TypeError, ValueError):
        return None


def on_rq_failure(rq_job: Any, connection: Any, exc_type: Any, exc_value: Any, tb: Any) -> None:
    """rq's failure callback: records runs rq found abandoned (``AbandonedJobError``).

    For an ordinary exception the runner has already recorded the attempt
    and this does nothing.
    """
    job_id = _job_id_of(rq_job)
    if job_id is None:
        return
    will_retry = bool(rq_job.retries_left and rq_job.retries_left > 0)
    name = getattr(exc_type, "__name__", str(exc_type))
    with process_app().app_context():
        mark_lost(
            job_id,
            reason=f"procesul de lucru a dispărut ({name})",
            rq_job_id=rq_job.id,
            rq_will_retry=will_retry,
        )


def on_horse_killed(rq_job: Any, ret_val: int | None) -> None:
    """The worker saw the process running ``rq_job`` die (SIGKILL, OOM...); rq retries it next."""
    job_id = _job_id_of(rq_job)
    if job_id is None:
        return
    signal_text = ""
    if ret_val is not None and os.WIFSIGNALED(ret_val):
        signal_text = f", semnalul {os.WTERMSIG(ret_val)}"
    will_retry = bool(rq_job.retries_left and rq_job.retries_left > 0)
    with process_app().app_context():
        mark_lost(
            job_id,
            reason=f"procesul de lucru a fost oprit{signal_text}",
            rq_job_id=rq_job.id,
            rq_will_retry=will_retry,
        )
