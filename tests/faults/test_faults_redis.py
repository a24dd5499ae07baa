"""Redis stopped while people work, with a worker running all along.

Already covered by tests/core/jobs/test_jobs_worker.py (SQLite, ``hello``
plugin): with Redis stopped the jobs pages work, a job is recorded
``not_queued`` with its message, ``vatra jobs requeue`` refuses while Redis is
down and queues it when it is back, and a worker *started after* Redis
returned queues the rest on its first reaper pass.

The gap covered here, on PostgreSQL as the application role with the real
plugins: the worker keeps running through the outage and, once Redis
answers again, queues the waiting export by itself (no command, no restart)
and runs it; meanwhile the rate-limited login (its counters live in Redis),
the plan's pages, API writes and ``/healthz`` keep answering.
"""

from __future__ import annotations

import time

import pytest
import redis
import sqlalchemy as sa
from faults_testing import seed_plan, wait_for

from core.audit import AuditEntry
from core.auth.models import Role
from core.db import db
from core.jobs import NOT_QUEUED_MESSAGE, Job, JobStatus
from core.tenancy import system_context, tenant_context
from core.testing import TEST_PASSWORD, csrf_token, login

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def _job(app, tenant_id, job_id) -> Job:
    with app.app_context(), tenant_context(tenant_id):
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def _statuses(app, tenant_id, job_id) -> list[str]:
    with app.app_context(), system_context():
        entries = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.tenant_id == tenant_id, AuditEntry.entity == "job", AuditEntry.entity_id == str(job_id))
            .order_by(AuditEntry.seq)
        ).all()
        return [e.changed["status"][1] for e in entries if "status" in e.changed]


def _export(client, slug, plan_id, headers):
    return client.post(f"/api/v1/t/{slug}/plans/{plan_id}/exports", json={"format": "docx"}, headers=headers)


def test_with_redis_down_pages_answer_and_the_running_worker_queues_the_waiting_export_when_it_returns(
    redis_pg_app, own_redis, make_tenant, make_user, api_headers, workers
):
    app = redis_pg_app
    tenant = make_tenant()
    user = make_user(tenant, Role.SOCIAL_WORKER)
    plan = seed_plan(app, tenant.id)
    headers = api_headers(user, tenant)
    api = app.test_client()
    browser = login(app.test_client(), user)
    worker = workers(app)

    before = _export(api, tenant.slug, plan["id"], headers)
    assert before.status_code == 202
    wait_for(lambda: _job(app, tenant.id, before.json["id"]).status == JobStatus.SUCCEEDED, 30, "a first export")
    # Redis goes away while the worker waits for work. (rq's worker process exits when Redis vanishes
    # while it watches a running work-horse; its supervisor restarts it — see docs/operations.md — and
    # tests/core/jobs covers a worker started once Redis is back.)
    conn = redis.Redis.from_url(own_redis.url)
    wait_for(lambda: conn.hget(f"rq:worker:{worker.name}", "state") == b"idle", 30, "the worker to be idle")
    # rq writes "idle" a moment before it finishes the job's bookkeeping (outside its connection-error
    # handling): the outage is meant to meet a worker blocked waiting for work, not one still writing
    time.sleep(1.5)
    wait_for(lambda: conn.hget(f"rq:worker:{worker.name}", "state") == b"idle", 30, "the worker to be idle")

    own_redis.stop()
    down_at = time.monotonic()

    waiting = _export(api, tenant.slug, plan["id"], headers)
    assert waiting.status_code == 202, waiting.json
    assert waiting.json["status"] == "not_queued"
    job_id = waiting.json["id"]
    shown = api.get(f"/api/v1/t/{tenant.slug}/jobs/{job_id}", headers=headers)
    assert shown.status_code == 200 and shown.json["message"] == NOT_QUEUED_MESSAGE

    # the pages and the API go on without Redis
    for path in (f"/t/{tenant.slug}/", f"/t/{tenant.slug}/plan/", f"/t/{tenant.slug}/plan/{plan['id']}",
                 f"/t/{tenant.slug}/jobs", f"/t/{tenant.slug}/jobs/{job_id}"):
        page = browser.get(path)
        assert page.status_code == 200, (path, page.status_code)
    recorded = api.post(
        f"/api/v1/t/{tenant.slug}/plans/{plan['id']}/values",
        json={"year": 2026, "quarter": 1, "values": [{"indicator_id": plan["indicators"][0], "value": "7"}]},
        headers=headers,
    )
    assert recorded.status_code == 201, recorded.json
    # the login throttle keeps its counters in Redis: it falls back to memory, the form still answers
    anonymous = app.test_client()
    for _ in range(3):
        wrong = {"email": user.email, "password": "gresit-" + TEST_PASSWORD, "csrf_token": csrf_token(anonymous)}
        refused = anonymous.post("/login", data=wrong)
        assert refused.status_code == 200 and "nu este corectă" in refused.get_data(as_text=True)
    signed_in = anonymous.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": csrf_token(anonymous)}
    )
    assert signed_in.status_code == 302
    health = api.get("/healthz")
    assert health.status_code == 200
    assert health.json["status"] == "degraded" and health.json["database"] == "ok"
    assert health.json["redis"].startswith("error")

    time.sleep(max(0.0, 3 - (time.monotonic() - down_at)))  # the worker meets the outage too
    assert worker.proc.poll() is None, "the worker must survive a Redis outage:\n" + worker.output()
    assert _job(app, tenant.id, job_id).status == JobStatus.NOT_QUEUED

    own_redis.start()
    back_at = time.monotonic()
    done = wait_for(
        lambda: (j := _job(app, tenant.id, job_id)).status in {JobStatus.SUCCEEDED, JobStatus.FAILED} and j,
        60,
        "the running worker to queue and run the waiting export",
        interval=0.2,
    )
    recovered = time.monotonic() - back_at
    assert done.status == JobStatus.SUCCEEDED, worker.output()
    assert done.attempts == 1 and done.result_name.endswith(".docx")
    statuses = _statuses(app, tenant.id, job_id)
    # recorded, refused by the queue, queued again by the worker's reaper, run once
    assert statuses == ["queued", "not_queued", "queued", "running", "succeeded"]
    assert api.get("/healthz").json["status"] == "ok"
    print(f"\nredis outage: {back_at - down_at:.1f}s; waiting export done {recovered:.1f}s after Redis returned")
