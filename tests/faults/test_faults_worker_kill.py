"""A worker's process SIGKILLed in the middle of a real export of the prevention plan.

The jobs tests (tests/core/jobs/test_jobs_worker.py) cover the machinery
with the ``hello`` test plugin on SQLite: a killed work-horse, a job that
kills itself, a whole worker killed (found by the reaper). Here it is the
real thing: ``prevention_plan.export_docx`` run by ``python -m core.jobs_cli
worker`` on PostgreSQL as the non-owner role, killed while it reads the plan.

To kill it *mid-export* every time, the test holds an exclusive lock on the
plan's table: the job is claimed, reports "Se citește planul" and then waits
for the table — that is when its work-horse gets SIGKILL.
"""

from __future__ import annotations

import io
import os
import signal
import time

import pytest
import sqlalchemy as sa
from docx import Document
from faults_testing import alive, seed_plan, wait_for

from core.audit import AuditEntry
from core.auth.models import Role
from core.db import db
from core.jobs import Job, JobStatus
from core.jobs.files import job_dir
from core.tenancy import system_context, tenant_context

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

WAITING_ON_PLAN = """
SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
WHERE c.relname = 'plan_plan' AND NOT l.granted
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def _job(app, tenant_id, job_id) -> Job:
    with app.app_context(), tenant_context(tenant_id):
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def _audit(app, tenant_id, job_id) -> tuple[list[str], int]:
    """The job's audited statuses, in order, and how many export events it has."""
    with app.app_context(), system_context():
        entries = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.tenant_id == tenant_id, AuditEntry.entity == "job", AuditEntry.entity_id == str(job_id))
            .order_by(AuditEntry.seq)
        ).all()
        statuses = [e.changed["status"][1] for e in entries if e.action != "export" and "status" in e.changed]
        return statuses, sum(1 for e in entries if e.action == "export")


def test_a_work_horse_killed_mid_export_is_retried_and_leaves_one_document(
    redis_pg_app, pg_database, make_tenant, make_user, api_headers, workers
):
    app = redis_pg_app
    tenant = make_tenant()
    user = make_user(tenant, Role.SOCIAL_WORKER)
    plan = seed_plan(app, tenant.id)
    headers = api_headers(user, tenant)
    client = app.test_client()
    asked = client.post(f"/api/v1/t/{tenant.slug}/plans/{plan['id']}/exports", json={"format": "docx"}, headers=headers)
    assert asked.status_code == 202, asked.json
    assert asked.json["status"] == "queued"
    job_id = asked.json["id"]

    owner = sa.create_engine(pg_database["owner"], poolclass=sa.pool.NullPool)
    lock = owner.connect()
    lock.exec_driver_sql("SET lock_timeout = '60s'")
    lock.exec_driver_sql("LOCK TABLE plan_plan IN ACCESS EXCLUSIVE MODE")
    started = time.monotonic()
    try:
        worker = workers(app)

        def export_waits_on_the_plan() -> bool:
            job = _job(app, tenant.id, job_id)
            if job.status != JobStatus.RUNNING or job.progress < 10:
                return False
            with owner.connect() as probe:
                return bool(probe.exec_driver_sql(WAITING_ON_PLAN).scalar())

        wait_for(export_waits_on_the_plan, 30, "the export to be running and reading the plan")
        running = _job(app, tenant.id, job_id)
        assert running.attempts == 1 and running.message == "Se citește planul"
        horse = worker.horse()
        assert horse is not None and horse != worker.proc.pid, worker.output()
        os.kill(horse, signal.SIGKILL)
        wait_for(lambda: not alive(horse), 10, "the work-horse to be gone")
        killed_after = time.monotonic() - started
    finally:
        lock.rollback()
        lock.close()
        owner.dispose()
    assert not list(job_dir_files(app, tenant.id, job_id)), "a killed attempt must not leave a file"

    def finished() -> Job | None:
        job = _job(app, tenant.id, job_id)
        return job if job.status in {JobStatus.SUCCEEDED, JobStatus.FAILED} else None

    done = wait_for(finished, 60, "the export to finish after the kill")
    recovered_after = time.monotonic() - started
    assert done.status == JobStatus.SUCCEEDED, worker.output()
    assert done.attempts == 2, "the killed attempt and one retry"
    assert done.error is None and done.result_name.endswith(".docx")

    files = list(job_dir_files(app, tenant.id, job_id))
    assert len(files) == 1, files
    document = Document(io.BytesIO(files[0].read_bytes()))
    assert plan["title"] in "\n".join(p.text for p in document.paragraphs)

    downloaded = client.get(f"/api/v1/t/{tenant.slug}/jobs/{job_id}/file", headers=headers)
    assert downloaded.status_code == 200
    assert downloaded.data == files[0].read_bytes()

    statuses, exports = _audit(app, tenant.id, job_id)
    assert statuses == ["queued", "running", "interrupted", "running", "succeeded"]
    assert exports == 1, "one export event: the killed attempt recorded nothing"
    print(f"\nworker kill: killed {killed_after:.1f}s after the lock, document ready {recovered_after:.1f}s after it")


def job_dir_files(app, tenant_id, job_id) -> list:
    """The files in the job's folder (none before it succeeds)."""
    with app.app_context():
        folder = job_dir(tenant_id, job_id)
        return sorted(p for p in folder.iterdir() if p.is_file()) if folder.exists() else []
