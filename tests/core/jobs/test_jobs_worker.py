"""Jobs on real Redis, run by real worker processes (``python -m core.jobs_cli worker``)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from jobs_testing import REPO, alive, read_job, wait_for, worker_env
from rq.registry import FailedJobRegistry
from vatra_hello.models import HelloGreeting

from core.audit import AuditEntry
from core.auth.models import Role
from core.db import db, utcnow
from core.jobs import NOT_QUEUED_MESSAGE, Job, JobStatus, enqueue
from core.jobs.files import job_dir
from core.tenancy import system_context, tenant_context
from tenants.models import Tenant, TenantKind

pytestmark = pytest.mark.redis


def _enqueue(app, tenant, user=None, kind="hello.slow", **params) -> Job:
    with app.app_context(), tenant_context(tenant.id):
        job = enqueue(kind, tenant=tenant, user=user, **params)
        db.session.expunge(job)
        return job


def _until(app, tenant, job_id, statuses, timeout, worker=None) -> Job:
    def check():
        job = read_job(app, job_id, tenant.id)
        return job if job.status in statuses else None

    try:
        return wait_for(check, timeout, f"job {job_id} to become {statuses}")
    except pytest.fail.Exception:
        if worker is not None:
            print(worker.output())
        raise


def _greetings(app, tenant_id) -> list[HelloGreeting]:
    with app.app_context(), tenant_context(tenant_id):
        rows = list(db.session.scalars(sa.select(HelloGreeting)).all())
        db.session.expunge_all()
        return rows


def _statuses_audited(app, tenant_id, job_id) -> list[str]:
    with app.app_context(), system_context():
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.tenant_id == tenant_id, AuditEntry.entity == "job")
            .order_by(AuditEntry.seq)
        ).all()
        return [
            e.changed["status"][1]
            for e in entries
            if "status" in e.changed and (e.entity_id == str(job_id) or e.changed.get("id") == [None, job_id])
        ]


def test_a_job_runs_in_the_worker_and_reports_progress(app, make_tenant, make_user, start_worker, api_headers):
    tenant = make_tenant()
    user = make_user(tenant, Role.SOCIAL_WORKER)
    job = _enqueue(app, tenant, user, steps=8, delay=0.4, name="Sfântu Gheorghe")
    assert job.status == JobStatus.QUEUED
    assert job.rq_job_id and job.rq_job_id.startswith(app.config["JOBS_QUEUE_PREFIX"])
    worker = start_worker(app)

    client = app.test_client()
    headers = api_headers(user, tenant)
    seen: list[int] = []

    def progressing():
        body = client.get(f"/api/v1/t/{tenant.slug}/jobs/{job.id}", headers=headers).json
        if body["status"] == "running" and 0 < body["progress"] < 100:
            seen.append(body["progress"])
        return len(set(seen)) >= 2 or body["status"] == "succeeded"

    wait_for(progressing, 30, "progress reported by the running job", interval=0.05)
    assert len(set(seen)) >= 2, "the API showed the progress moving while the job ran"
    assert seen == sorted(seen)
    done = _until(app, tenant, job.id, {JobStatus.SUCCEEDED, JobStatus.FAILED}, 30, worker)
    assert done.status == JobStatus.SUCCEEDED, worker.output()
    assert (done.progress, done.attempts) == (100, 1)
    assert done.heartbeat_at is not None and done.started_at >= done.enqueued_at
    body = client.get(f"/api/v1/t/{tenant.slug}/jobs/{job.id}/file", headers=headers)
    assert body.status_code == 200 and body.get_data(as_text=True) == "Salut, Sfântu Gheorghe! (încercarea 1)\n"
    assert [g.text for g in _greetings(app, tenant.id)] == ["Salut, Sfântu Gheorghe!"]
    with app.app_context(), system_context():
        export = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "export")).all()
        assert [(e.tenant_id, e.actor_job_id, e.actor_user_id) for e in export] == [(tenant.id, job.id, user.id)]


def test_a_failing_job_is_retried_with_back_off_then_succeeds(app, make_tenant, start_worker, tmp_path):
    tenant = make_tenant()
    marker = tmp_path / "flaky"
    job = _enqueue(app, tenant, kind="hello.flaky", marker=str(marker), failures=2)
    worker = start_worker(app)
    done = _until(app, tenant, job.id, {JobStatus.SUCCEEDED, JobStatus.FAILED}, 60, worker)
    assert done.status == JobStatus.SUCCEEDED, worker.output()
    assert done.attempts == 3 and marker.read_text() == "3" and done.error is None
    assert len(_greetings(app, tenant.id)) == 1
    # retrying between the failed attempts, scheduled by rq (back-off 1 s, then 2 s)
    assert _statuses_audited(app, tenant.id, job.id) == [
        "queued", "running", "retrying", "running", "retrying", "running", "succeeded"
    ]
    assert (done.finished_at - done.enqueued_at).total_seconds() >= 3
    assert "scheduled for retry" in worker.output()


def test_a_job_that_keeps_failing_ends_failed_and_stays_visible(app, make_tenant, make_user, start_worker, tmp_path,
                                                               login):
    tenant = make_tenant()
    user = make_user(tenant, Role.SOCIAL_WORKER)
    job = _enqueue(app, tenant, user, kind="hello.flaky", marker=str(tmp_path / "m"), failures=99)
    worker = start_worker(app)
    done = _until(app, tenant, job.id, {JobStatus.FAILED, JobStatus.SUCCEEDED}, 60, worker)
    assert done.status == JobStatus.FAILED
    assert done.attempts == done.max_attempts == 4
    assert "eșec simulat la încercarea 4" in done.error
    with app.app_context():
        failed = FailedJobRegistry(f"{app.config['JOBS_QUEUE_PREFIX']}default", connection=_redis(app))
        wait_for(lambda: done.rq_job_id in failed.get_job_ids(cleanup=False), 10, "rq to record the failure")
    page = login(app.test_client(), user).get(f"/t/{tenant.slug}/jobs/{job.id}").get_data(as_text=True)
    assert "Lucrarea a eșuat" in page and "eșec simulat la încercarea 4" in page


def _redis(app):
    from core.jobs.queueing import redis_connection

    return redis_connection()


def _one_file(app, tenant_id, job_id) -> Path:
    with app.app_context():
        files = list(job_dir(tenant_id, job_id).iterdir())
    assert len(files) == 1, files
    return files[0]


def test_a_work_horse_killed_mid_run_is_retried_and_its_effect_happens_once(app, make_tenant, start_worker, tmp_path):
    tenant = make_tenant()
    pid_file = tmp_path / "horse.pid"
    job = _enqueue(app, tenant, steps=12, delay=0.3, pid_file=str(pid_file), name="Covasna")
    worker = start_worker(app)

    def half_way():
        current = read_job(app, job.id, tenant.id)
        return current.status == JobStatus.RUNNING and current.progress >= 30 and pid_file.exists()

    wait_for(half_way, 30, "the job to be half-way")
    first_horse = int(pid_file.read_text())
    assert first_horse != worker.proc.pid
    os.kill(first_horse, signal.SIGKILL)

    done = _until(app, tenant, job.id, {JobStatus.SUCCEEDED, JobStatus.FAILED}, 60, worker)
    assert done.status == JobStatus.SUCCEEDED, worker.output()
    assert done.attempts == 2
    assert int(pid_file.read_text()) != first_horse  # the second attempt ran in a new work-horse
    assert [g.text for g in _greetings(app, tenant.id)] == ["Salut, Covasna!"]  # one effect row
    assert _one_file(app, tenant.id, job.id).read_text(encoding="utf-8") == "Salut, Covasna! (încercarea 2)\n"
    assert _statuses_audited(app, tenant.id, job.id) == ["queued", "running", "interrupted", "running", "succeeded"]


def test_a_job_that_kills_its_own_process_is_retried(app, make_tenant, start_worker, tmp_path):
    tenant = make_tenant()
    job = _enqueue(app, tenant, kind="hello.crash", marker=str(tmp_path / "crash"), crashes=1)
    worker = start_worker(app)
    done = _until(app, tenant, job.id, {JobStatus.SUCCEEDED, JobStatus.FAILED}, 60, worker)
    assert done.status == JobStatus.SUCCEEDED, worker.output()
    assert done.attempts == 2 and len(_greetings(app, tenant.id)) == 1
    assert "Work horse killed" in worker.output() or "terminated unexpectedly" in worker.output()


@pytest.mark.config(JOBS_RETRY_BASE=0)
def test_a_job_whose_whole_worker_was_killed_is_found_and_run_again(app, make_tenant, start_worker, tmp_path):
    tenant = make_tenant()
    pid_file = tmp_path / "horse.pid"
    job = _enqueue(app, tenant, steps=15, delay=0.3, pid_file=str(pid_file), name="Olt")
    # no back-off (JOBS_RETRY_BASE=0): the killed worker's scheduler keeps its lock for a minute,
    # so a retry scheduled with back-off would wait that long for a new scheduler (rq's own behaviour)
    first = start_worker(app)
    wait_for(
        lambda: read_job(app, job.id, tenant.id).progress >= 20 and pid_file.exists(), 30, "the job to be running"
    )
    horse = int(pid_file.read_text())
    first.kill_everything()  # worker, scheduler and work-horse: SIGKILL, nobody records anything
    wait_for(lambda: not alive(horse), 10, "the work-horse to be gone")
    assert read_job(app, job.id, tenant.id).status == JobStatus.RUNNING

    second = start_worker(app)
    done = _until(app, tenant, job.id, {JobStatus.SUCCEEDED, JobStatus.FAILED}, 60, second)
    assert done.status == JobStatus.SUCCEEDED, second.output()
    assert done.attempts == 2
    assert [g.text for g in _greetings(app, tenant.id)] == ["Salut, Olt!"]
    assert _one_file(app, tenant.id, job.id).read_text(encoding="utf-8") == "Salut, Olt! (încercarea 2)\n"
    assert "abandoned" in second.output()
    assert _statuses_audited(app, tenant.id, job.id) == ["queued", "running", "interrupted", "running", "succeeded"]


def _cli(app, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.jobs_cli", "jobs", *args],
        cwd=REPO,
        env=worker_env(app),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _platform_admin(app, make_user):
    with app.app_context():
        platform = db.session.scalar(sa.select(Tenant).where(Tenant.kind == TenantKind.PLATFORM))
        db.session.expunge(platform)
    return platform, make_user(platform, Role.PLATFORM_ADMIN)


def test_with_redis_stopped_pages_work_and_jobs_wait_until_it_is_back(
    app, own_redis, make_tenant, make_user, login, start_worker, csrf_token
):
    tenant = make_tenant()
    user = make_user(tenant, Role.SOCIAL_WORKER)
    client = login(app.test_client(), user)
    own_redis.stop()

    first = _enqueue(app, tenant, user, steps=2, delay=0, name="unu")
    second = _enqueue(app, tenant, user, steps=2, delay=0, name="doi")
    for job in (first, second):
        assert job.status == JobStatus.NOT_QUEUED and not job.queued_ok
        assert job.message == NOT_QUEUED_MESSAGE  # "...înregistrată și va fi pusă în coadă când coada revine."

    listing = client.get(f"/t/{tenant.slug}/jobs")
    assert listing.status_code == 200
    assert "Așteaptă coada" in listing.get_data(as_text=True)
    detail = client.get(f"/t/{tenant.slug}/jobs/{first.id}")
    assert detail.status_code == 200 and "Lucrarea nu a intrat încă în coadă" in detail.get_data(as_text=True)
    api = client.get(f"/api/v1/t/{tenant.slug}/jobs/{first.id}")
    assert api.status_code == 200 and api.json["status"] == "not_queued" and api.json["message"] == NOT_QUEUED_MESSAGE
    pushed = client.post(f"/t/{tenant.slug}/jobs/{first.id}/retry", data={"csrf_token": csrf_token(client)})
    assert pushed.status_code == 302
    assert "Coada de lucrări nu răspunde" in client.get(pushed.headers["Location"]).get_data(as_text=True)
    platform, admin = _platform_admin(app, make_user)
    queues = login(app.test_client(), admin).get(f"/t/{platform.slug}/admin/queues")
    assert queues.status_code == 200 and "Coada (Redis) nu răspunde" in queues.get_data(as_text=True)

    still_down = _cli(app, "requeue")
    assert still_down.returncode != 0 and "coada nu răspunde" in still_down.stderr
    assert read_job(app, first.id, tenant.id).status == JobStatus.NOT_QUEUED

    own_redis.start()
    back = _cli(app, "requeue", str(first.id))
    assert back.returncode == 0, back.stderr
    requeued = read_job(app, first.id, tenant.id)
    assert requeued.status == JobStatus.QUEUED and requeued.rq_job_id != first.rq_job_id
    assert read_job(app, second.id, tenant.id).status == JobStatus.NOT_QUEUED

    worker = start_worker(app)  # its first reaper pass queues the second job
    for job in (first, second):
        done = _until(app, tenant, job.id, {JobStatus.SUCCEEDED, JobStatus.FAILED}, 60, worker)
        assert done.status == JobStatus.SUCCEEDED and done.attempts == 1
    assert sorted(g.text for g in _greetings(app, tenant.id)) == ["Salut, doi!", "Salut, unu!"]
    listed = _cli(app, "list", "--tenant", tenant.slug)
    assert listed.returncode == 0 and listed.stdout.count("succeeded") == 2


def test_a_queued_job_whose_rq_job_vanished_is_queued_again(app, make_tenant, start_worker, redis_space):
    tenant = make_tenant()
    job = _enqueue(app, tenant, steps=1, delay=0, name="regăsit")
    # Redis lost the rq job (restarted without persistence, flushed...): the row still says queued
    conn = redis_space.conn
    assert conn.delete(f"rq:job:{job.rq_job_id}") == 1
    conn.delete(f"rq:queue:{app.config['JOBS_QUEUE_PREFIX']}exports")
    with app.app_context(), system_context():
        db.session.execute(
            sa.update(Job.__table__).where(Job.__table__.c.id == job.id)
            .values(updated_at=utcnow() - dt.timedelta(minutes=5))
        )
        db.session.commit()
    worker = start_worker(app)
    done = _until(app, tenant, job.id, {JobStatus.SUCCEEDED, JobStatus.FAILED}, 60, worker)
    assert done.status == JobStatus.SUCCEEDED and done.attempts == 1
    assert done.rq_job_id != job.rq_job_id
    assert "lost its rq job" in worker.output()
