"""Jobs on PostgreSQL with Row-Level Security: the app and the worker connect as the non-owner role."""

from __future__ import annotations

import uuid

import pytest
import redis
import sqlalchemy as sa
from jobs_testing import FAST, read_job, wait_for
from vatra_hello.models import HelloGreeting

from core.db import db
from core.jobs import Job, JobStatus, enqueue
from core.tenancy import tenant_context

JOBS_REDIS = "redis://127.0.0.1:6379/9"
PREFIX = f"pg{uuid.uuid4().hex[:8]}_"


@pytest.fixture
def redis_prefix_cleanup(redis_space):
    """Remove this module's keys at the end (the app's prefix is fixed when the module is imported)."""
    yield
    redis_space.prefix = PREFIX
    redis_space.cleanup()


def _greeting_texts(app, tenant_id):
    with app.app_context(), tenant_context(tenant_id):
        return [g.text for g in db.session.scalars(sa.select(HelloGreeting)).all()]


@pytest.mark.config(VATRA_PLUGINS=["hello"], **FAST)
def test_in_process_jobs_on_postgresql_stay_behind_both_walls(pg_app, make_tenant, make_user):
    mine, other = make_tenant(), make_tenant()
    with pg_app.app_context(), tenant_context(mine.id):
        job = enqueue("hello.slow", tenant=mine, user=make_user(mine), steps=2, delay=0, name="PG")
        assert job.status == JobStatus.SUCCEEDED and job.result_path
        job_id = job.id
    assert _greeting_texts(pg_app, mine.id) == ["Salut, PG!"]
    with pg_app.app_context(), tenant_context(other.id):
        # the ORM filter and, below it, RLS (raw SQL is not filtered by the ORM)
        assert db.session.get(Job, job_id) is None
        assert db.session.execute(sa.text("SELECT count(*) FROM job")).scalar() == 0
        assert db.session.execute(sa.text("SELECT count(*) FROM hello_greeting")).scalar() == 0


@pytest.mark.redis
@pytest.mark.config(VATRA_PLUGINS=["hello"], REDIS_URL=JOBS_REDIS, JOBS_QUEUE_PREFIX=PREFIX, **FAST)
def test_a_worker_runs_jobs_on_postgresql_as_the_application_role(
    pg_app, pg_database, make_tenant, start_worker, redis_prefix_cleanup, tmp_path
):
    assert pg_app.config["SQLALCHEMY_DATABASE_URI"] == pg_database["app"]
    tenant = make_tenant()
    with pg_app.app_context(), tenant_context(tenant.id):
        slow = enqueue("hello.slow", tenant=tenant, steps=4, delay=0.2, name="Olt")
        flaky = enqueue("hello.flaky", tenant=tenant, marker=str(tmp_path / "m"), failures=1)
        ids = (slow.id, flaky.id)
        assert slow.status == flaky.status == JobStatus.QUEUED
    worker = start_worker(pg_app)

    def finished():
        jobs = [read_job(pg_app, i, tenant.id) for i in ids]
        return jobs if all(j.status in (JobStatus.SUCCEEDED, JobStatus.FAILED) for j in jobs) else None

    try:
        jobs = wait_for(finished, 60, "both jobs to finish on PostgreSQL")
    except pytest.fail.Exception:
        print(worker.output())
        raise
    assert [(j.status, j.attempts) for j in jobs] == [(JobStatus.SUCCEEDED, 1), (JobStatus.SUCCEEDED, 2)]
    assert sorted(_greeting_texts(pg_app, tenant.id)) == ["Salut după eșecuri!", "Salut, Olt!"]
    conn = redis.Redis.from_url(JOBS_REDIS)
    assert conn.exists(f"rq:worker:{worker.name}")
