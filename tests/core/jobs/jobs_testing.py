"""Helpers of the jobs tests (imported by their conftest and test modules)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from core.db import db
from core.jobs import Job
from core.tenancy import tenant_context

REPO = Path(__file__).resolve().parents[3]

FAST = {
    "JOBS_RETRY_BASE": 1,
    "JOBS_RETRY_FACTOR": 2,
    "JOBS_HEARTBEAT_SECONDS": 1,
    "JOBS_STALE_SECONDS": 4,
    "JOBS_REAP_SECONDS": 2,
    "JOBS_MONITOR_SECONDS": 1,
}
"""Short intervals so retries, heartbeats and the reaper act within seconds."""


def worker_env(app: Flask, **extra: Any) -> dict[str, str]:
    """The environment that builds the same app in a worker process."""
    cfg = app.config
    env = {
        **os.environ,
        "DATABASE_URL": cfg["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": cfg["REDIS_URL"] or "",
        "SECRET_KEY": cfg["SECRET_KEY"],
        "VATRA_FILES": cfg["VATRA_FILES"],
        "VATRA_PLUGINS": ",".join(cfg["VATRA_PLUGINS"] or []),
        "VATRA_JOBS_QUEUE_PREFIX": cfg["JOBS_QUEUE_PREFIX"],
        "PYTHONUNBUFFERED": "1",
    }
    for key, value in FAST.items():
        env[f"VATRA_{key}"] = str(cfg.get(key, value))
    env.update({k: str(v) for k, v in extra.items()})
    return env


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def read_job(app: Flask, job_id: int, tenant_id: int) -> Job:
    """The job as the database holds it now (detached)."""
    with app.app_context(), tenant_context(tenant_id):
        job = db.session.get(Job, job_id)
        assert job is not None
        db.session.expunge(job)
        return job


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting for its parent does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}
