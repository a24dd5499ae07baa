"""Helpers of the fault tests: private servers that a test may stop, worker processes, polling.

Nothing here touches the machine's shared PostgreSQL (5432) or Redis (6379)
beyond creating and dropping a database of its own: a test that stops a
service starts its own instance (``OwnRedis``, ``ThrowawayPostgres``), on a
free port of 127.0.0.1, in a temporary folder removed at the end.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from core.db import db
from core.testing import in_tenant, service_missing
from plugins.prevention_plan import services as plan_services

REPO = Path(__file__).resolve().parents[2]

FAST = {
    "JOBS_RETRY_BASE": 1,
    "JOBS_RETRY_FACTOR": 2,
    "JOBS_HEARTBEAT_SECONDS": 1,
    "JOBS_STALE_SECONDS": 4,
    "JOBS_REAP_SECONDS": 2,
    "JOBS_MONITOR_SECONDS": 1,
}
"""Short intervals so retries, heartbeats and the reaper act within seconds."""


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


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- Redis ------------------------------------------------------------------------------------------


@dataclass
class OwnRedis:
    """A redis-server of one test, on a free port, that the test may stop and start again."""

    port: int
    folder: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.exceptions.RedisError:
            return False

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, 15, f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


def own_redis_server(folder: Path) -> OwnRedis:
    """Start a private redis-server (a missing binary skips, or fails under CI)."""
    if shutil.which("redis-server") is None:
        service_missing("redis-server (the binary)")
    folder.mkdir(parents=True, exist_ok=True)
    server = OwnRedis(free_port(), folder)
    server.start()
    return server


# -- PostgreSQL -------------------------------------------------------------------------------------


def _pg_bin(name: str) -> str | None:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[4]))
    return candidates[-1] if candidates else shutil.which(name)


class ThrowawayPostgres:
    """A PostgreSQL cluster of one test (initdb in a temporary folder), restartable at will.

    Run as the ``postgres`` system user when the test runs as root (the
    server refuses root). Trust authentication on 127.0.0.1 only, the unix
    socket in the same temporary folder; ``fsync=off`` since it is thrown
    away. ``stop`` of the finalizer is immediate and removes the folder.
    """

    def __init__(self) -> None:
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if initdb is None or pg_ctl is None:
            service_missing("PostgreSQL server binaries (initdb, pg_ctl)")
        self.initdb, self.pg_ctl = str(initdb), str(pg_ctl)
        self.as_user: list[str] = []
        self.folder = Path(tempfile.mkdtemp(prefix="vatra-pg-"))
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                service_missing("runuser (to run PostgreSQL as the postgres user)")
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                service_missing("the postgres system user (PostgreSQL refuses to run as root)")
            self.as_user = [runuser, "-u", "postgres", "--"]
            shutil.chown(self.folder, user="postgres")
        self.port = free_port()
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.running = False

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*self.as_user, *args], capture_output=True, text=True, timeout=timeout, check=False, cwd=self.folder
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed:\n{result.stdout}\n{result.stderr}\n{self.server_log()}")
        return result

    def server_log(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    @property
    def options(self) -> str:
        return f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"

    def init(self) -> None:
        self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8",
                  "--locale=C.UTF-8")

    def start(self) -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", self.options,
                  "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        self.running = False

    def restart(self, mode: str = "fast") -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-m", mode, "-w", "-t", "60", "-o",
                  self.options, "restart")
        self.running = True

    def url(self, user: str = "postgres", database: str = "postgres") -> str:
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def destroy(self) -> None:
        if self.running:
            with contextlib.suppress(Exception):
                self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


# -- worker processes -------------------------------------------------------------------------------


def worker_env(app: Flask, **extra: Any) -> dict[str, str]:
    """The environment that builds the same app in a worker process."""
    cfg = app.config
    env = {
        **os.environ,
        "DATABASE_URL": cfg["SQLALCHEMY_DATABASE_URI"],
        "DATABASE_OWNER_URL": cfg["DATABASE_OWNER_URL"],
        "REDIS_URL": cfg["REDIS_URL"] or "",
        "SECRET_KEY": cfg["SECRET_KEY"],
        "VATRA_FILES": cfg["VATRA_FILES"],
        "VATRA_JOBS_QUEUE_PREFIX": cfg.get("JOBS_QUEUE_PREFIX") or "",
        "PYTHONUNBUFFERED": "1",
    }
    if cfg.get("VATRA_PLUGINS"):
        env["VATRA_PLUGINS"] = ",".join(cfg["VATRA_PLUGINS"])
    for key, value in FAST.items():
        env[f"VATRA_{key}"] = str(cfg.get(key, value))
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not)."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in {"Z", "X"}


@dataclass
class WorkerProcess:
    """A ``python -m core.jobs_cli worker`` process of a test."""

    proc: subprocess.Popen[bytes]
    log: Path
    name: str

    def children(self) -> list[int]:
        """Pids whose parent is the worker (its work-horse, its scheduler)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                stat = _stat(int(entry.name))
                if stat is not None and int(stat[1]) == self.proc.pid and stat[0] not in {"Z", "X"}:
                    found.append(int(entry.name))
        return found

    def horse(self) -> int | None:
        """The work-horse running a job: rq forks it into a process group of its own (the scheduler is not)."""
        for pid in self.children():
            stat = _stat(pid)
            if stat is not None and int(stat[2]) == pid:
                return pid
        return None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        """SIGTERM (warm shutdown), then SIGKILL whatever is left of it and its children."""
        pids = set(self.children())
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=15)
        pids |= set(self.children())
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)


def start_worker(app: Flask, folder: Path, name: str, **extra_env: Any) -> WorkerProcess:
    """Start a real worker for ``app``'s database and Redis; wait until it registered with Redis."""
    import redis

    log = folder / f"{name}.log"
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
    conn = redis.Redis.from_url(app.config["REDIS_URL"])
    try:
        wait_for(lambda: conn.exists(f"rq:worker:{name}") or proc.poll() is not None, 30, f"worker {name} to start")
    except BaseException:
        worker.stop()
        raise
    if proc.poll() is not None:
        pytest.fail(f"worker {name} exited at start:\n{worker.output()}")
    return worker


# -- data ------------------------------------------------------------------------------------------


def seed_plan(app: Flask, tenant_id: int, year: int = 2026) -> dict[str, Any]:
    """The Târgu Secuiesc seed plan (a draft) in ``tenant_id``: its id, version and indicator ids."""
    with in_tenant(app, tenant_id):
        plan = plan_services.build_plan(plan_services.load_seed(), year)
        db.session.commit()
        indicators = plan_services.indicators_of(plan)
        return {
            "id": plan.id,
            "version": plan.version,
            "title": plan.title,
            "indicators": [i.id for i in indicators],
            "objectives": [o.id for o in plan.objectives],
        }

