"""In-process jobs (no REDIS_URL, the embedded default): same jobs, same bookkeeping."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from vatra_hello.models import HelloGreeting

from core.audit import AuditEntry
from core.db import db, utcnow
from core.jobs import Job, JobStatus, UnknownJobKindError, enqueue
from core.jobs.files import job_dir
from core.tenancy import TenantViolation, system_context, tenant_context


def _greetings(app: Flask, tenant_id: int) -> list[HelloGreeting]:
    with app.app_context(), tenant_context(tenant_id):
        rows = db.session.scalars(sa.select(HelloGreeting)).all()
        db.session.expunge_all()
        return list(rows)


def test_a_job_runs_in_process_with_progress_file_and_audit(app, make_tenant, make_user):
    tenant = make_tenant()
    user = make_user(tenant)
    with app.app_context(), tenant_context(tenant.id):
        job = enqueue("hello.slow", tenant=tenant, user=user, steps=3, delay=0, name="Covasna")
        assert job.status == JobStatus.SUCCEEDED
        assert (job.progress, job.attempts, job.max_attempts) == (100, 1, 3)
        assert job.user_id == user.id and job.kind == "hello.slow" and job.queue == "exports"
        assert job.result_name == "salut-în-fundal.txt"
        assert job.result_mimetype.startswith("text/plain")
        assert job.started_at <= job.finished_at and job.heartbeat_at is not None
        job_id = job.id
        folder = job_dir(tenant.id, job_id)
        stored = Path(app.config["VATRA_FILES"]) / job.result_path
    assert [p.name for p in folder.iterdir()] == ["salut-in-fundal.txt"]  # the draft was replaced, not kept
    assert stored.read_text(encoding="utf-8") == "Salut, Covasna! (încercarea 1)\n"
    assert [g.text for g in _greetings(app, tenant.id)] == ["Salut, Covasna!"]

    with app.app_context(), system_context():
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.tenant_id == tenant.id).order_by(AuditEntry.seq)
        ).all()
        job_entries = [
            e for e in entries
            if e.entity == "job" and (e.entity_id == str(job_id) or e.changed.get("id") == [None, job_id])
        ]
        export = [e for e in job_entries if e.action == "export"]
        assert len(export) == 1 and export[0].changed["file"] == "salut-în-fundal.txt"
        assert export[0].actor_job_id == job_id and export[0].actor_label == "job:hello.slow"
        statuses = [e.changed["status"][1] for e in job_entries if "status" in e.changed]
        assert statuses == ["queued", "running", "succeeded"]
        # progress, its message and the heartbeat never reach the audit log
        assert not any({"progress", "message", "heartbeat_at"} & set(e.changed) for e in job_entries)
        greeting_entry = [e for e in entries if e.entity == "hello_greeting"]
        assert greeting_entry[0].actor_label == "job:hello.slow"


def test_a_failing_job_is_retried_in_process_then_succeeds(app, make_tenant, tmp_path):
    tenant = make_tenant()
    marker = tmp_path / "flaky"
    with app.app_context(), tenant_context(tenant.id):
        job = enqueue("hello.flaky", tenant=tenant, marker=str(marker), failures=2)
        assert job.status == JobStatus.SUCCEEDED
        assert job.attempts == 3 and job.error is None
    assert marker.read_text() == "3"
    assert len(_greetings(app, tenant.id)) == 1


def test_a_job_that_keeps_failing_ends_failed_with_its_error(app, make_tenant, tmp_path):
    tenant = make_tenant()
    with app.app_context(), tenant_context(tenant.id):
        job = enqueue("hello.flaky", tenant=tenant, marker=str(tmp_path / "m"), failures=99)
        assert job.status == JobStatus.FAILED
        assert job.attempts == job.max_attempts == 4
        assert "eșec simulat la încercarea 4" in job.error
        assert job.finished_at is not None and job.result_path is None
        assert not job_dir(tenant.id, job.id).exists()  # no partial result left behind
    assert _greetings(app, tenant.id) == []


def test_enqueue_refuses_unknown_kinds_and_non_json_parameters(app, make_tenant):
    tenant = make_tenant()
    with app.app_context(), tenant_context(tenant.id):
        with pytest.raises(UnknownJobKindError):
            enqueue("hello.nothing", tenant=tenant)
        with pytest.raises(TypeError, match="when"):
            enqueue("hello.slow", tenant=tenant, when=object())
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_a_job_cannot_be_started_for_another_tenant(app, make_tenant):
    mine, other = make_tenant(), make_tenant()
    with app.app_context(), tenant_context(mine.id), pytest.raises(TenantViolation):
        enqueue("hello.slow", tenant=other, steps=1, delay=0)
    with app.app_context(), system_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_the_job_runs_in_its_tenant_scope(app, make_tenant):
    first, second = make_tenant(), make_tenant()
    with app.app_context(), system_context():  # e.g. the command line
        enqueue("hello.slow", tenant=first, steps=1, delay=0, name="unu")
        enqueue("hello.slow", tenant=second, steps=1, delay=0, name="doi")
    assert [g.text for g in _greetings(app, first.id)] == ["Salut, unu!"]
    assert [g.text for g in _greetings(app, second.id)] == ["Salut, doi!"]
    with app.app_context(), tenant_context(first.id):
        jobs = db.session.scalars(sa.select(Job)).all()
        assert [json.dumps(j.params) for j in jobs] == [json.dumps({"steps": 1, "delay": 0, "name": "unu"})]


def test_the_reaper_runs_again_a_job_whose_process_died(app, make_tenant):
    from core.jobs_cli import reap_jobs

    tenant = make_tenant()
    long_ago = utcnow() - dt.timedelta(minutes=10)
    with app.app_context(), tenant_context(tenant.id):
        # what a web process killed in the middle of an in-process job leaves behind
        job = Job(tenant_id=tenant.id, kind="hello.slow", queue="exports", status=JobStatus.RUNNING,
                  params={"steps": 1, "delay": 0, "name": "din nou"}, attempts=1, max_attempts=3,
                  enqueued_at=long_ago, started_at=long_ago, heartbeat_at=long_ago)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    result = app.test_cli_runner().invoke(reap_jobs)
    assert result.exit_code == 0, result.output
    assert "întrerupte: 1" in result.output
    with app.app_context(), tenant_context(tenant.id):
        job = db.session.get(Job, job_id)
        assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
    assert [g.text for g in _greetings(app, tenant.id)] == ["Salut, din nou!"]
    again = app.test_cli_runner().invoke(reap_jobs)
    assert "întrerupte: 0" in again.output
