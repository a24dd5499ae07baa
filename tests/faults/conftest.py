"""Fixtures of the fault tests: private Redis and PostgreSQL servers, real worker processes.

A test that stops or kills a service starts its own instance; the machine's
shared PostgreSQL and Redis are never stopped (the shared PostgreSQL only
gets a database of its own through ``pg_app``). Every process a test starts
is stopped by the fixture's finalizer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from faults_testing import FAST, OwnRedis, ThrowawayPostgres, WorkerProcess, own_redis_server, start_worker
from flask import Flask

from core import rls, tenancy
from core.app import create_app
from core.db import db
from core.migrations import upgrade
from tenants.catalog import ensure_platform


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A private redis-server (never the shared one on 6379), stopped at the end."""
    server = own_redis_server(tmp_path / "redis")
    yield server
    server.stop()


@pytest.fixture
def redis_pg_app(request: pytest.FixtureRequest, own_redis: OwnRedis) -> Flask:
    """``pg_app`` (PostgreSQL, RLS, the non-owner role) whose jobs and rate limits use ``own_redis``."""
    request.node.add_marker(
        pytest.mark.config(REDIS_URL=own_redis.url, JOBS_QUEUE_PREFIX=f"f{uuid.uuid4().hex[:8]}_", **FAST)
    )
    return request.getfixturevalue("pg_app")


@pytest.fixture
def test_app(request: pytest.FixtureRequest) -> Flask:
    """The app the core's factories (``make_tenant``, ``make_user``, ``api_headers``) build in."""
    for name in ("throwaway_app", "redis_pg_app", "pg_app", "app"):
        if name in request.fixturenames:
            return request.getfixturevalue(name)
    return request.getfixturevalue("app")


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """``workers(app)``: start a real ``vatra worker`` process; all are stopped at the end."""
    started: list[WorkerProcess] = []

    def start(app: Flask, **env: Any) -> WorkerProcess:
        worker = start_worker(app, tmp_path, f"{app.config['JOBS_QUEUE_PREFIX']}w{len(started) + 1}", **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def throwaway_pg() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL cluster of the test's own (initdb + pg_ctl), that the test may restart."""
    cluster = ThrowawayPostgres()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


BUILT_IN_PLUGINS = ["prevention_plan", "pin_project", "county_overview"]


@pytest.fixture
def throwaway_app(throwaway_pg: ThrowawayPostgres, tmp_path: Path) -> Iterator[Flask]:
    """An app on ``throwaway_pg``: schema by the migrations (as the owner), the app as the non-owner role."""
    admin = sa.create_engine(throwaway_pg.url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql('CREATE DATABASE "vatra"')
        rls.ensure_app_role(conn)
    admin.dispose()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "faults-" + uuid.uuid4().hex,
            "DATABASE_URL": throwaway_pg.url(rls.APP_ROLE, "vatra"),
            "DATABASE_OWNER_URL": throwaway_pg.url("postgres", "vatra"),
            "VATRA_FILES": str(tmp_path / "files"),
            "VATRA_PLUGINS": BUILT_IN_PLUGINS,
            "REDIS_URL": None,
            "SERVER_NAME": None,
        }
    )
    with app.app_context():
        upgrade()
        with tenancy.system_context():
            ensure_platform()
            db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
