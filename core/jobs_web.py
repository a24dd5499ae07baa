"""Jobs pages and API; the platform's queue dashboard.

Pages (``/t/<tenant>``): ``/jobs`` (list with progress), ``/jobs/<id>``
(detail, refreshed by ``jobs/progress.js`` while the job runs),
``/jobs/<id>/file`` (the result, to users of that tenant only — the
tenancy wall answers 404 for another tenant's job), ``POST /jobs/<id>/retry``;
``/admin/queues`` for the platform operator (rq queues, workers, failed jobs).

API (``/api/v1/t/<tenant>/jobs``): ``GET /``, ``GET /<id>`` (with progress),
``GET /<id>/file``, ``POST /<id>/retry``.

:func:`register` mounts everything; ``core.app`` calls it.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import marshmallow as ma
import redis
import sqlalchemy as sa
from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask.views import MethodView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest import abort as api_abort
from marshmallow import fields, validate

from core.access import deny, has_permission, require
from core.db import clamp_page, db
from core.jobs import Job, JobStateError, JobStatus, UnknownJobKindError, all_specs, retry_job
from core.jobs import files as job_files
from core.jobs.settings import QUEUES, queue_name
from core.jobs.visibility import hidden_kinds, is_visible, may_read_file

TENANT_PREFIX = "/t/<tenant>"
API_PREFIX = "/api/v1/t/<tenant>/jobs"
PAGE_SIZE = 30
STATIC_FOLDER = Path(__file__).resolve().parent / "jobs" / "static"

STATUS_LABELS = {
    JobStatus.QUEUED: _l("În coadă"),
    JobStatus.NOT_QUEUED: _l("Așteaptă coada"),
    JobStatus.RUNNING: _l("Rulează"),
    JobStatus.RETRYING: _l("Se reîncearcă"),
    JobStatus.SUCCEEDED: _l("Gata"),
    JobStatus.FAILED: _l("Eșuată"),
    JobStatus.INTERRUPTED: _l("Întreruptă"),
}

bp = Blueprint("jobs", __name__)
admin_bp = Blueprint("jobs_admin", __name__)
static_bp = Blueprint("jobs_static", __name__)
blp = ApiBlueprint("jobs_api", __name__, description="Lucrările în fundal ale instituției: stare, progres, rezultat.")


# -- helpers ---------------------------------------------------------------------------------


def status_label(status: JobStatus | str) -> str:
    """The Romanian (translated) name of a status."""
    return str(STATUS_LABELS.get(JobStatus(status), status))


def kind_label(kind: str) -> str:
    """The label a plugin gave a job kind (the kind itself when none)."""
    spec = all_specs().get(kind)
    return _(spec.label) if spec is not None and spec.label else kind


def _job_or_404(job_id: int, *, api: bool = False) -> Job:
    # the tenancy wall filters the query: another tenant's job is simply not found;
    # a job of a plugin disabled for the tenant is not there either
    job = db.session.get(Job, job_id)
    if job is None or not is_visible(job, g.tenant):
        (api_abort if api else abort)(404)
    assert job is not None
    return job


def _visible_jobs() -> sa.Select[Any]:
    """The tenant's jobs the pages and API list (not those of a disabled plugin), newest first."""
    query = sa.select(Job).order_by(Job.id.desc())
    hidden = hidden_kinds(g.tenant)
    if hidden:
        query = query.where(Job.kind.not_in(sorted(hidden)))
    return query


def shows_file(job: Job) -> bool:
    """Whether the current user is offered ``job``'s file (it has one and they may read it)."""
    return job.has_file and may_read_file(job)


def _may_retry(job: Job) -> bool:
    owner = job.user_id is not None and job.user_id == getattr(current_user, "id", None)
    return owner or has_permission("tenant.admin")


def _file_response(job: Job, *, api: bool = False) -> Any:
    fail = api_abort if api else abort
    if not job.has_file or not job.result_path:
        fail(404)
    if not may_read_file(job):
        deny(403, f"job {job.id}: its file needs another permission")
    try:
        path = job_files.resolve(job.result_path or "")
    except ValueError:
        fail(404)
    if not path.is_file():
        fail(404)
    response = send_file(
        path,
        mimetype=job.result_mimetype or "application/octet-stream",
        as_attachment=True,
        download_name=job.result_name or path.name,
        conditional=True,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _retry(job: Job) -> Job:
    if not _may_retry(job):
        abort(403)
    return retry_job(job)


# -- pages -----------------------------------------------------------------------------------


@bp.get("/jobs")
@require("jobs.view")
def index() -> Any:
    """The tenant's jobs, newest first, with their progress and results."""
    page = clamp_page(request.args.get("page", 1, type=int) or 1)
    status = request.args.get("status")
    query = _visible_jobs()
    if status in {s.value for s in JobStatus}:
        query = query.where(Job.status == status)
    else:
        status = None
    result = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
    pages = max(1, math.ceil((result.total or 0) / PAGE_SIZE))
    return render_template(
        "jobs/index.html",
        jobs=list(result.items),
        page=page,
        pages=pages,
        status=status,
        statuses=list(JobStatus),
        status_label=status_label,
        kind_label=kind_label,
        shows_file=shows_file,
    )


@bp.get("/jobs/<int:job_id>")
@require("jobs.view")
def show(job_id: int) -> Any:
    """One job: status, progress (refreshed while it runs), attempts, error or result."""
    from core.web.forms import ActionForm

    job = _job_or_404(job_id)
    return render_template(
        "jobs/show.html",
        job=job,
        status_label=status_label,
        kind_label=kind_label,
        shows_file=shows_file,
        may_retry=_may_retry(job) and job.status in (JobStatus.FAILED, JobStatus.NOT_QUEUED),
        action_form=ActionForm(),
    )


@bp.get("/jobs/<int:job_id>/file")
@require("jobs.view")
def download(job_id: int) -> Any:
    """The job's result file."""
    return _file_response(_job_or_404(job_id))


@bp.post("/jobs/<int:job_id>/retry")
@require("jobs.view")
def retry(job_id: int) -> Any:
    """Run a failed job again, or queue a job recorded while the queue was down."""
    from core.web.forms import ActionForm

    job = _job_or_404(job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        job = _retry(job)
    except (JobStateError, UnknownJobKindError):
        db.session.rollback()
        flash(_("Lucrarea nu poate fi reluată în starea „%(status)s”.", status=status_label(job.status)), "error")
        return redirect(url_for("jobs.show", job_id=job_id))
    if job.status == JobStatus.NOT_QUEUED:
        flash(
            _("Coada de lucrări nu răspunde: lucrarea rămâne înregistrată și va fi pusă în coadă când coada revine."),
            "error",
        )
    else:
        flash(_("Lucrarea a fost reluată."), "success")
    return redirect(url_for("jobs.show", job_id=job_id))


@static_bp.get("/static/jobs/<path:filename>")
@require("public")
def static_file(filename: str) -> Any:
    """The jobs pages' script."""
    from flask import send_from_directory

    return send_from_directory(STATIC_FOLDER, filename, max_age=3600)


# -- platform: queues ------------------------------------------------------------------------


def queue_overview() -> dict[str, Any]:
    """rq's view of the queues: lengths, registries, workers, latest failures (an rq dashboard)."""
    from flask import current_app
    from rq import Queue, Worker
    from rq.job import Job as RqJob
    from rq.registry import (
        DeferredJobRegistry,
        FailedJobRegistry,
        FinishedJobRegistry,
        ScheduledJobRegistry,
        StartedJobRegistry,
    )

    from core.jobs.queueing import redis_connection

    overview: dict[str, Any] = {"configured": bool(current_app.config.get("REDIS_URL")), "error": None}
    if not overview["configured"]:
        return overview
    try:
        conn = redis_connection()
        conn.ping()
        queues = []
        names = [queue_name(q) for q in QUEUES]
        failures = []
        for name in names:
            queue = Queue(name, connection=conn)
            failed = FailedJobRegistry(name, connection=conn)
            queues.append(
                {
                    "name": name,
                    "queued": queue.count,
                    "started": StartedJobRegistry(name, connection=conn).get_job_count(cleanup=False),
                    "scheduled": ScheduledJobRegistry(name, connection=conn).get_job_count(cleanup=False),
                    "deferred": DeferredJobRegistry(name, connection=conn).get_job_count(cleanup=False),
                    "finished": FinishedJobRegistry(name, connection=conn).get_job_count(cleanup=False),
                    "failed": failed.get_job_count(cleanup=False),
                }
            )
            ids = failed.get_job_ids(0, 9, desc=True, cleanup=False)
            for rq_job in RqJob.fetch_many(ids, connection=conn):
                if rq_job is None:
                    continue
                result = rq_job.latest_result()
                last_line = ""
                if result is not None and result.exc_string:
                    last_line = result.exc_string.strip().splitlines()[-1][:300]
                failures.append(
                    {"id": rq_job.id, "queue": name, "description": rq_job.description, "ended_at": rq_job.ended_at,
                     "error": last_line}
                )
        workers = []
        for worker in Worker.all(connection=conn):
            served = worker.queue_names()
            if not set(served) & set(names):
                continue
            workers.append(
                {
                    "name": worker.name,
                    "state": worker.get_state(),
                    "queues": served,
                    "job": worker.get_current_job_id(),
                    "heartbeat": worker.last_heartbeat,
                    "birth": worker.birth_date,
                    "succeeded": worker.successful_job_count,
                    "failed": worker.failed_job_count,
                    "hostname": worker.hostname,
                    "pid": worker.pid,
                }
            )
        failures.sort(key=lambda f: f["ended_at"] or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
        overview.update(queues=queues, workers=workers, failures=failures[:20])
    except redis.exceptions.RedisError as exc:
        overview["error"] = str(exc)
    return overview


@admin_bp.get("/admin/queues")
@require("platform.admin")
def queues() -> Any:
    """The rq queues, their workers and their latest failures (platform operators)."""
    if not g.tenant.is_platform:
        abort(404)
    return render_template("jobs/queues.html", overview=queue_overview())


# -- API -------------------------------------------------------------------------------------


class JobQuerySchema(ma.Schema):
    """Filters of the job list."""

    class Meta:
        unknown = ma.RAISE

    status = fields.Str(validate=validate.OneOf([s.value for s in JobStatus]))
    kind = fields.Str(validate=validate.Length(max=100))


class JobFileSchema(ma.Schema):
    """A job's result file."""

    name = fields.Str()
    mimetype = fields.Str()
    size = fields.Int()
    url = fields.Str()


class JobSchema(ma.Schema):
    """A job, its progress and its result."""

    id = fields.Int(dump_only=True)
    kind = fields.Str(dump_only=True)
    label = fields.Function(lambda j: kind_label(j.kind), dump_only=True)
    queue = fields.Str(dump_only=True)
    status = fields.Function(lambda j: JobStatus(j.status).value, dump_only=True)
    status_label = fields.Function(lambda j: status_label(j.status), dump_only=True)
    active = fields.Function(lambda j: j.is_active, dump_only=True)
    progress = fields.Int(dump_only=True)
    message = fields.Str(dump_only=True)
    error = fields.Str(dump_only=True, allow_none=True)
    attempts = fields.Int(dump_only=True)
    max_attempts = fields.Int(dump_only=True)
    user_id = fields.Int(dump_only=True, allow_none=True)
    params = fields.Dict(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    enqueued_at = fields.DateTime(dump_only=True, allow_none=True)
    started_at = fields.DateTime(dump_only=True, allow_none=True)
    finished_at = fields.DateTime(dump_only=True, allow_none=True)
    heartbeat_at = fields.DateTime(dump_only=True, allow_none=True)
    file = fields.Method("_file", dump_only=True, allow_none=True)

    def _file(self, job: Job) -> dict[str, Any] | None:
        if not shows_file(job):
            return None
        return JobFileSchema().dump(
            {
                "name": job.result_name,
                "mimetype": job.result_mimetype,
                "size": job.result_size,
                "url": url_for("jobs_api.JobFile", job_id=job.id),
            }
        )


@blp.route("")
class Jobs(MethodView):
    """The tenant's jobs."""

    @blp.arguments(JobQuerySchema, location="query")
    @blp.response(200, JobSchema(many=True))
    @blp.paginate()
    @require("jobs.view")
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Newest first; filter by status and kind."""
        query = _visible_jobs()
        if args.get("status"):
            query = query.where(Job.status == args["status"])
        if args.get("kind"):
            query = query.where(Job.kind == args["kind"])
        page = db.paginate(
            query,
            page=clamp_page(pagination_parameters.page),
            per_page=pagination_parameters.page_size,
            error_out=False,
        )
        pagination_parameters.item_count = page.total
        return list(page.items)


@blp.route("/<int:job_id>")
class JobById(MethodView):
    """One job."""

    @blp.response(200, JobSchema)
    @require("jobs.view")
    def get(self, job_id: int) -> Any:
        """The job with its status and progress (poll it while ``active``)."""
        return _job_or_404(job_id, api=True)


@blp.route("/<int:job_id>/file")
class JobFile(MethodView):
    """A job's result file."""

    @blp.response(
        200, {"format": "binary", "type": "string"}, content_type="*/*",
        description="The file as the job made it (Word, Excel, CSV…), with its own media type.",
    )
    @require("jobs.view")
    def get(self, job_id: int) -> Any:
        """Download the result (404 until the job succeeded with a file)."""
        return _file_response(_job_or_404(job_id, api=True), api=True)


@blp.route("/<int:job_id>/retry")
class JobRetry(MethodView):
    """Run a job again."""

    @blp.response(202, JobSchema)
    @blp.alt_response(409, description="The job is neither failed nor waiting for the queue.")
    @require("jobs.view")
    def post(self, job_id: int) -> Any:
        """Retry a failed job (fresh attempts) or queue a ``not_queued`` one; the author or a tenant admin."""
        job = _job_or_404(job_id, api=True)
        if not _may_retry(job):
            api_abort(403)
        try:
            return retry_job(job)
        except (JobStateError, UnknownJobKindError) as exc:
            db.session.rollback()
            api_abort(409, message=str(exc))


# -- wiring ----------------------------------------------------------------------------------


def register(app: Flask, api: Any) -> None:
    """Mount the jobs pages, the queue dashboard, the script and the API on ``app``."""
    app.register_blueprint(static_bp)
    app.register_blueprint(bp, url_prefix=TENANT_PREFIX)
    app.register_blueprint(admin_bp, url_prefix=TENANT_PREFIX)
    api.register_blueprint(blp, url_prefix=API_PREFIX)
