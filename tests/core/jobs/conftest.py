"""Fixtures of the jobs tests: apps on a SQLite file, real Redis, real worker processes.

Redis is the machine's (``VATRA_TEST_JOBS_REDIS``, database 9 by default);
every test gets its own queue prefix and removes only its own keys, so test
runs in parallel never meet. Worker processes are started with
``python -m core.jobs_cli worker`` and stopped (then killed, with their
work-horses) by the fixture's finalizer.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
import vatra_hello.models  # noqa: F401 - its table exists in every schema the tests create
from flask import Flask
from jobs_testing import FAST, REPO, wait_for, worker_env

from core.app import create_app
from core.db import db
from core.testing import service_missing
from tenants.catalog import ensure_platform

JOBS_REDIS = os.environ.get("VATRA_TEST_JOBS_REDIS", "redis://127.0.0.1:6379/9")



@dataclass
class RedisSpace:
    """A Redis database and a key prefix of one test."""

    url: str
    prefix: str
    conn: redis.Redis

    def cleanup(self) -> None:
        with contextlib.suppress(redis.exceptions.RedisError):
            for key in self.conn.scan_iter(match=f"*{self.prefix}*", count=500):
                self.conn.delete(key)
            for key in self.conn.scan_iter(match="rq:scheduler:*", count=500):
                queues = self.conn.hget(key, "queues") if self.conn.type(key) == b"hash" else None
                if queues and self.prefix.encode() in queues:
                    self.conn.delete(key)
            for members_key in ("rq:queues", "rq:workers"):
                for member in self.conn.smembers(members_key):
                    if self.prefix.encode() in member:
                        self.conn.srem(members_key, member)


@pytest.fixture
def redis_space() -> Iterator[RedisSpace]:
    """The test's own corner of the machine's Redis (fails under CI when Redis is missing)."""
    conn = redis.Redis.from_url(JOBS_REDIS, socket_connect_timeout=2)
    try:
        conn.ping()
    except redis.exceptions.ConnectionError:
        service_missing("Redis")
    space = RedisSpace(JOBS_REDIS, f"t{uuid.uuid4().hex[:10]}_", conn)
    yield space
    space.cleanup()


def _config(tmp_path: Path, database_url: str, redis_url: str | None, prefix: str, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "jobs-test-" + uuid.uuid4().hex,
        "DATABASE_URL": database_url,
        "VATRA_FILES": str(tmp_path / "files"),
        "VATRA_PLUGINS": ["hello"],
        "REDIS_URL": redis_url,
        "SERVER_NAME": None,
        "JOBS_QUEUE_PREFIX": prefix,
        **FAST,
        **extra,
    }


@dataclass
class WorkerProcess:
    """A ``vatra worker`` process of a test."""

    proc: subprocess.Popen[bytes]
    log: Path
    name: str
    horses_seen: set[int] = field(default_factory=set)

    def children(self) -> list[int]:
        """Pids whose parent is the worker (its work-horse, its scheduler)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.proc.pid:
                found.append(int(entry.name))
        return found

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill_everything(self) -> None:
        """SIGKILL the worker, its process group (scheduler) and its work-horses."""
        pids = set(self.children())
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM (warm shutdown), then SIGKILL whatever is left."""
        if self.proc.poll() is None:
            pids = set(self.children())
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=15)
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.kill_everything()


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """``start_worker(app, **env)``: a real worker process for ``app``'s database and Redis."""
    started: list[WorkerProcess] = []

    def start(app: Flask, **extra_env: Any) -> WorkerProcess:
        name = f"{app.config['JOBS_QUEUE_PREFIX']}w{len(started) + 1}"
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "core.jobs_cli", "worker", "--name", name],
                cwd=REPO,
                env=worker_env(app, **extra_env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = WorkerProcess(proc, log, name)
        started.append(worker)
        conn = redis.Redis.from_url(app.config["REDIS_URL"])
        wait_for(
            lambda: conn.exists(f"rq:worker:{name}") or proc.poll() is not None,
            30,
            f"worker {name} to start",
        )
        if proc.poll() is not None:
            pytest.fail(f"worker {name} exited at start:\n{worker.output()}")
        return worker

    yield start
    for worker in started:
        worker.stop()


def build_app(tmp_path: Path, redis_url: str | None, prefix: str, **extra: Any) -> Iterator[Flask]:
    """An app on a fresh SQLite file in ``tmp_path`` (a worker process can open it too)."""
    database_url = f"sqlite:///{tmp_path / 'vatra.sqlite3'}"
    app = create_app(_config(tmp_path, database_url, redis_url, prefix, **extra))
    with app.app_context():
        db.create_all()
        ensure_platform()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The jobs tests' app on a SQLite file (so a worker process can share it), with the ``hello`` plugin.

    In-process jobs by default; ``@pytest.mark.redis`` gives it the test's
    Redis queues, and a test using ``own_redis`` gets that private server.
    ``@pytest.mark.config(...)`` overrides settings. The core's factories
    (``make_tenant``, ``make_user``, ``client``...) use this app.
    """
    overrides: dict[str, Any] = {}
    for mark in request.node.iter_markers("config"):
        overrides = {**mark.kwargs, **overrides}
    prefix = f"t{uuid.uuid4().hex[:10]}_"
    redis_url = None
    if "own_redis" in request.fixturenames:
        redis_url = request.getfixturevalue("own_redis").url
    elif request.node.get_closest_marker("redis"):
        space = request.getfixturevalue("redis_space")
        redis_url, prefix = space.url, space.prefix
    yield from build_app(tmp_path, redis_url, prefix, **overrides)


@dataclass
class OwnRedis:
    """A redis-server of one test, on a free port, that the test may stop and start."""

    port: int
    folder: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        conn = redis.Redis(port=self.port, socket_connect_timeout=0.5)

        def up() -> bool:
            try:
                return bool(conn.ping())
            except redis.exceptions.ConnectionError:
                return False

        wait_for(up, 15, f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A private redis-server (never the shared one on 6379), stopped at the end."""
    import shutil

    if shutil.which("redis-server") is None:
        service_missing("redis-server (the binary)")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = OwnRedis(_free_port(), folder)
    server.start()
    yield server
    server.stop()
