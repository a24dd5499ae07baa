"""Command line of the jobs: ``vatra worker`` and ``vatra jobs list|requeue|reap``.

:func:`register` adds them to the ``vatra`` group. ``python -m core.jobs_cli
worker`` runs the same commands without the rest of the CLI (the app is
built from the environment: ``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``...).
"""

from __future__ import annotations

import logging
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from core.db import db
from core.jobs import QUEUES, Job, JobStateError, JobStatus, UnknownJobKindError, requeue_not_queued, retry_job
from core.tenancy import system_context, tenant_context


@click.command("worker")
@click.option(
    "--queue",
    "-q",
    "queues",
    multiple=True,
    type=click.Choice(QUEUES),
    help="queues to serve (default: all three, in this order: default, exports, aggregation)",
)
@click.option("--name", default=None, help="worker name (default: random)")
@click.option("--burst", is_flag=True, help="stop when the queues are empty")
@click.option("--log-level", default="INFO", show_default=True)
@with_appcontext
def worker(queues: tuple[str, ...], name: str | None, burst: bool, log_level: str) -> None:
    """Run an rq worker for the background jobs (needs REDIS_URL).

    Serves the queues with rq's scheduler (retries with back-off), marks jobs
    whose process died and runs them again, and queues the jobs recorded while
    Redis was down. Stop it with SIGTERM or Ctrl+C: the current job finishes first.
    """
    from core.jobs.worker import run_worker

    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL nu este setat: fără Redis lucrările rulează în proces, fără worker.")
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run_worker(app, queues=queues or QUEUES, name=name, burst=burst, logging_level=log_level.upper())


@click.group("jobs")
def jobs() -> None:
    """Background jobs of every tenant: list, queue again, find lost ones."""


def _tenant_id(slug: str) -> int:
    from tenants.models import Tenant

    tenant_id = db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == slug))
    if tenant_id is None:
        raise click.ClickException(f"nu există instituția „{slug}”")
    return tenant_id


@jobs.command("list")
@click.option("--tenant", "slug", default=None, help="only this tenant (slug)")
@click.option("--status", "statuses", multiple=True, type=click.Choice([s.value for s in JobStatus]))
@click.option("--limit", default=50, show_default=True, type=int)
@with_appcontext
def list_jobs(slug: str | None, statuses: tuple[str, ...], limit: int) -> None:
    """The latest jobs: id, tenant, kind, status, progress, attempts, message or error."""
    with system_context():
        query = sa.select(Job).order_by(Job.id.desc()).limit(limit)
        if slug:
            query = query.where(Job.tenant_id == _tenant_id(slug))
        if statuses:
            query = query.where(Job.status.in_(statuses))
        rows = db.session.scalars(query).all()
        for job in rows:
            detail = job.error if job.status == JobStatus.FAILED and job.error else job.message
            click.echo(
                f"{job.id:>6} t{job.tenant_id:<5} {job.kind:28} {job.status.value:12} {job.progress:>3}% "
                f"{job.attempts}/{job.max_attempts}  {detail or ''}"
            )
        db.session.rollback()
    if not rows:
        click.echo("Nicio lucrare.")


@jobs.command("requeue")
@click.argument("job_ids", nargs=-1, type=int)
@with_appcontext
def requeue_jobs(job_ids: tuple[int, ...]) -> None:
    """Queue again the jobs recorded while Redis was down (all of them, or JOB_IDS).

    A JOB_ID of a failed job runs it again with a fresh set of attempts.
    """
    if not job_ids:
        queued, waiting = requeue_not_queued()
        click.echo(f"{len(queued)} lucrări trimise în coadă.")
        if waiting:
            raise click.ClickException(f"coada nu răspunde; {len(waiting)} lucrări așteaptă în continuare.")
        return
    problems = 0
    for job_id in job_ids:
        with system_context():
            tenant_id = db.session.scalar(sa.select(Job.tenant_id).where(Job.id == job_id))
            db.session.rollback()
        if tenant_id is None:
            click.echo(f"{job_id}: nu există", err=True)
            problems += 1
            continue
        with tenant_context(tenant_id):
            job = db.session.get(Job, job_id)
            assert job is not None
            try:
                job = retry_job(job)
            except (JobStateError, UnknownJobKindError) as exc:
                db.session.rollback()
                click.echo(f"{job_id}: {exc}", err=True)
                problems += 1
                continue
            click.echo(f"{job_id}: {job.status.value} {job.message or ''}".rstrip())
            if job.status == JobStatus.NOT_QUEUED:
                problems += 1
    if problems:
        raise click.ClickException(f"{problems} lucrări nu au fost trimise în coadă")


@jobs.command("reap")
@with_appcontext
def reap_jobs() -> None:
    """Find jobs whose process died (mark them, run them again) and queue the not-queued ones.

    Workers do this by themselves every JOBS_REAP_SECONDS; this runs one pass now.
    """
    from core.jobs.reaper import reap

    report = reap()
    click.echo(report.summary())
    if report.redis_down:
        raise click.ClickException("coada (Redis) nu răspunde")


def register(cli: click.Group) -> None:
    """Add ``worker`` and the ``jobs`` group to the ``vatra`` command line."""
    cli.add_command(worker)
    cli.add_command(jobs)


def _create_app() -> Any:
    from core.app import create_app

    return create_app()


standalone = FlaskGroup(create_app=_create_app, add_default_commands=False, help="Vatra jobs (standalone).")
register(standalone)


if __name__ == "__main__":
    standalone.main(prog_name="python -m core.jobs_cli")
