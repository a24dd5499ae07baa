"""The benchmark harness: the platform under gunicorn against the national dataset, one table of figures.

    .venv/bin/python benchmarks/run.py [--runs 5] [--seconds 4]

Needs the database of ``benchmarks/generate.py`` (``make bench`` runs both).
Starts the platform under gunicorn (2 sync workers, 127.0.0.1, a free port,
as the non-owner role so Row-Level Security binds it), a second one with the
automatic audit off and the hand-written baseline of
``benchmarks/baseline_app.py``, creates API tokens for the users it needs,
and measures each figure ``--runs`` times (median) against a baseline
measured in the same run, so that a noisy machine shifts both sides alike:

* pages: client-side wall time of one request on a keep-alive loopback
  connection (the server's time plus well under a millisecond), against the
  raw SQL aggregate of the same numbers run with psycopg as the same role
  with the same RLS settings;
* plan read API: requests/s from ``wrk`` (installed with apt-get when
  missing, if possible) or a Python thread pool of keep-alive clients,
  against the baseline app under the same gunicorn settings;
* indicator-value writes: requests/s (each supersedes a value and writes a
  new one) with 8 concurrent clients in 8 localities, audit on against off;
* exports, catalog load and the country's snapshot refresh: in-process
  wall time of the code the jobs and the CLI run.

Everything is bounded in time (the whole run well under 10 minutes). Exits
2 when PostgreSQL is unreachable or the dataset missing, 1 when a
measurement failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform as pyplatform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import psycopg
import sqlalchemy as sa
from flask import Flask

from core.access import hash_token, new_token_secret
from core.aggregation import refresh_country
from core.aggregation_models import AggSnapshot, AggValue
from core.app import create_app
from core.auth.models import ApiToken, User
from core.contrib import Period
from core.db import db, utcnow
from core.tenancy import system_context, tenant_context
from plugins.county_overview.jobs import build_export
from plugins.prevention_plan import exports as plan_exports
from plugins.prevention_plan import services as plan_services
from plugins.prevention_plan.models import Indicator, Plan
from tenants import catalog
from tenants.models import Tenant, TenantKind

BUDGET_SECONDS = 540
WRITERS = 8
LOAD_CONNECTIONS = 8
VENV_BIN = Path(sys.executable).parent
PERIOD = Period(common.YEAR, None)


class BudgetExceeded(RuntimeError):  # noqa: N818 - a condition, named for what happened
    """The run's time budget is spent; the remaining figures are skipped."""


@dataclass
class Figure:
    """One line of the table."""

    name: str
    unit: str
    value: float | None = None
    baseline_name: str = "–"
    baseline: float | None = None
    target: str = "–"
    met: bool | None = None
    note: str = ""
    samples: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline


@dataclass
class Context:
    """What the measurements need: the app, the tenants, the tokens, the servers."""

    app: Flask
    runs: int
    seconds: float
    deadline: float
    olt_id: int = 0
    olt_slug: str = ""
    olt_localities: list[int] = field(default_factory=list)
    platform_id: int = 0
    platform_slug: str = ""
    county_ids: list[int] = field(default_factory=list)
    all_localities: list[int] = field(default_factory=list)
    ts_id: int = 0
    ts_slug: str = ""
    ts_plan_id: int = 0
    tokens: dict[str, str] = field(default_factory=dict)
    writers: list[tuple[str, int, int, str]] = field(default_factory=list)  # slug, plan id, indicator id, token
    ports: dict[str, int] = field(default_factory=dict)
    servers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded


# -- helpers --------------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def timed(func: Callable[[], Any]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def repeat(ctx: Context, func: Callable[[], Any], *, warmup: int = 1, runs: int | None = None) -> list[float]:
    """Wall times (s) of ``runs`` calls after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        func()
    out = []
    for _ in range(runs or ctx.runs):
        ctx.check_time()
        out.append(timed(func))
    return out


class Client:
    """A keep-alive HTTP/1.1 client of one server."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def get_ok(self, path: str) -> bytes:
        status, data = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {data[:300]!r}")
        return data

    def close(self) -> None:
        self.conn.close()


# -- servers --------------------------------------------------------------------------------------


def start_server(ctx: Context, name: str, target: str, env_extra: dict[str, str] | None = None) -> None:
    """gunicorn with 2 sync workers on a free loopback port; waits until it answers."""
    port = free_port()
    log = Path("/tmp") / f"vatra-bench-{name}.log"  # noqa: S108 - a log of a throwaway server
    env = {**os.environ, **(env_extra or {})}
    env.pop("REDIS_URL", None)
    cmd = [
        str(VENV_BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--timeout", "180",
        "--pythonpath", str(common.BENCH_DIR), "--log-level", "warning", "--error-logfile", str(log), target,
    ]
    proc = subprocess.Popen(cmd, cwd=common.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ctx.servers[name] = proc
    ctx.ports[name] = port
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn {name} exited ({proc.returncode}); see {log}")
        try:
            client = Client(port)
            status, _ = client.request("GET", "/healthz")
            client.close()
            # both workers must be up before anything is measured
            if status < 500 and len(worker_pids(proc.pid)) >= 2:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn {name} did not answer within 90 s; see {log}")


def worker_pids(master: int) -> list[int]:
    """The worker processes of a gunicorn master (its children)."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(p) for p in children]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stop_servers(ctx: Context) -> None:
    """Stop the gunicorns this run started (and only those)."""
    for proc in ctx.servers.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in ctx.servers.values():
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# -- setup ----------------------------------------------------------------------------------------


def check_dataset() -> None:
    """Exit 2 unless the generated dataset is there."""
    try:
        with psycopg.connect(common.libpq(common.owner_url()), connect_timeout=3) as conn:
            plans = conn.execute("SELECT count(*) FROM plan_plan").fetchone()[0]
    except psycopg.Error as exc:
        print(f"ERROR: the benchmark database {common.BENCH_DB} is missing or incomplete ({str(exc).strip()}).\n"
              "Run `.venv/bin/python benchmarks/generate.py` first (or `make bench`).", file=sys.stderr)
        raise SystemExit(2) from None
    if not plans:
        print(f"ERROR: {common.BENCH_DB} has no plans; run benchmarks/generate.py first.", file=sys.stderr)
        raise SystemExit(2)


def _token(user_email: str, tenant_id: int) -> str:
    user = db.session.execute(sa.select(User).where(User.email == user_email)).scalar_one()
    secret = new_token_secret()
    db.session.add(ApiToken(user_id=user.id, tenant_id=tenant_id, name="benchmark", prefix=secret[:10],
                            token_hash=hash_token(secret), expires_at=utcnow() + dt.timedelta(days=1)))
    return secret


def setup(ctx: Context) -> None:
    """Find the tenants, create the tokens, drop old snapshots (the live figures come first)."""
    with ctx.app.app_context(), system_context():
        tenants = {t.siruta: t for t in db.session.execute(
            sa.select(Tenant).where(Tenant.siruta.in_([common.OLT_SIRUTA, common.TARGU_SECUIESC_SIRUTA]))
        ).scalars()}
        olt, ts = tenants[common.OLT_SIRUTA], tenants[common.TARGU_SECUIESC_SIRUTA]
        platform = catalog.ensure_platform()
        ctx.olt_id, ctx.olt_slug = olt.id, olt.slug
        ctx.ts_id, ctx.ts_slug = ts.id, ts.slug
        ctx.platform_id, ctx.platform_slug = platform.id, platform.slug
        ctx.olt_localities = list(db.session.execute(
            sa.select(Tenant.id).where(Tenant.parent_id == olt.id).order_by(Tenant.siruta)).scalars())
        ctx.county_ids = list(db.session.execute(
            sa.select(Tenant.id).where(Tenant.kind == TenantKind.COUNTY)).scalars())
        ctx.all_localities = list(db.session.execute(
            sa.select(Tenant.id).where(Tenant.kind == TenantKind.LOCALITY)).scalars())
        ctx.ts_plan_id = db.session.execute(
            sa.select(Plan.id).where(Plan.tenant_id == ts.id, Plan.year == common.YEAR, Plan.is_current)
        ).scalar_one()
        ctx.tokens["olt"] = _token(f"coordonator.{olt.slug}@bench.vatra.test", olt.id)
        ctx.tokens["platform"] = _token(common.PLATFORM_ADMIN, platform.id)
        ctx.tokens["ts"] = _token(f"asistent.{ts.slug}@bench.vatra.test", ts.id)
        writers = db.session.execute(
            sa.select(Tenant.id, Tenant.slug, Plan.id, sa.func.min(Indicator.id))
            .join(Plan, sa.and_(Plan.tenant_id == Tenant.id, Plan.year == common.YEAR, Plan.is_current))
            .join(Indicator, sa.and_(Indicator.tenant_id == Plan.tenant_id, Indicator.plan_id == Plan.id))
            .where(Tenant.parent_id == olt.id)
            .group_by(Tenant.id, Tenant.slug, Plan.id).order_by(Tenant.siruta).limit(WRITERS)
        ).all()
        for tenant_id, slug, plan_id, indicator_id in writers:
            ctx.writers.append((slug, plan_id, indicator_id, _token(f"asistent.{slug}@bench.vatra.test", tenant_id)))
        db.session.execute(sa.delete(AggValue))
        db.session.execute(sa.delete(AggSnapshot))
        db.session.commit()


# -- raw SQL baselines ------------------------------------------------------------------------------

RAW_LOCALITIES = """
WITH loc AS (SELECT id, parent_id, display_name, siruta, active FROM tenant WHERE id = ANY(%(ids)s)),
plan AS (
    SELECT p.tenant_id, p.status, p.revision, max(t.aviz_date) AS aviz, max(h.hcl_date) AS hcl
    FROM plan_plan p
    LEFT JOIN plan_transition t ON t.tenant_id = p.tenant_id AND t.plan_id = p.id AND t.to_status = 'endorsed'
    LEFT JOIN plan_transition h ON h.tenant_id = p.tenant_id AND h.plan_id = p.id AND h.to_status = 'approved'
    WHERE p.tenant_id = ANY(%(ids)s) AND p.year = %(year)s AND p.is_current
    GROUP BY p.tenant_id, p.status, p.revision),
c AS (SELECT DISTINCT ON (tenant_id) tenant_id, id, name, trained_on FROM council
      WHERE tenant_id = ANY(%(ids)s) ORDER BY tenant_id, id),
cm AS (SELECT tenant_id, count(*) AS members, count(trained_on) AS trained FROM council_member
       WHERE tenant_id = ANY(%(ids)s) AND (valid_from IS NULL OR valid_from <= current_date)
       AND (valid_to IS NULL OR valid_to >= current_date) GROUP BY tenant_id),
mt AS (SELECT tenant_id, count(*) AS meetings, max(held_on) AS last FROM council_meeting
       WHERE tenant_id = ANY(%(ids)s) GROUP BY tenant_id),
pin AS (SELECT pl.locality_tenant_id AS tenant_id, count(*) AS projects FROM pin_project_locality pl
        JOIN pin_project pp ON pp.tenant_id = pl.tenant_id AND pp.id = pl.project_id
        WHERE pl.locality_tenant_id = ANY(%(ids)s) AND pp.start_date <= %(end)s AND pp.end_date >= %(start)s
        GROUP BY pl.locality_tenant_id)
SELECT loc.id, loc.parent_id, loc.display_name, loc.siruta, loc.active, plan.status, plan.aviz, plan.hcl,
       c.id, c.trained_on, cm.members, cm.trained, mt.meetings, mt.last, pin.projects
FROM loc LEFT JOIN plan ON plan.tenant_id = loc.id LEFT JOIN c ON c.tenant_id = loc.id
LEFT JOIN cm ON cm.tenant_id = loc.id LEFT JOIN mt ON mt.tenant_id = loc.id LEFT JOIN pin ON pin.tenant_id = loc.id
ORDER BY loc.display_name
"""

RAW_VALUES = """
SELECT i.tenant_id, i.code, sum(v.value), count(v.id)
FROM plan_indicator i
JOIN plan_indicator_value v ON v.tenant_id = i.tenant_id AND v.indicator_id = i.id
JOIN plan_plan p ON p.tenant_id = i.tenant_id AND p.id = i.plan_id
WHERE i.tenant_id = ANY(%(ids)s) AND i.code IS NOT NULL AND p.is_current AND p.year = %(year)s
  AND v.year = %(year)s AND NOT v.superseded
GROUP BY i.tenant_id, i.code
UNION ALL
SELECT coalesce(e.locality_tenant_id, e.tenant_id), pi.code, sum(e.value), count(e.id)
FROM pin_progress e JOIN pin_indicator pi ON pi.tenant_id = e.tenant_id AND pi.id = e.indicator_id
WHERE pi.code IS NOT NULL AND e.entry_date BETWEEN %(start)s AND %(end)s
  AND (e.locality_tenant_id = ANY(%(ids)s) OR (e.locality_tenant_id IS NULL AND e.tenant_id = ANY(%(ids)s)))
GROUP BY 1, 2
"""


def raw_aggregate(conn: psycopg.Connection[Any], ids: list[int], readers: list[int]) -> int:
    """The numbers of a county or national page in two statements, in the same RLS scope as the app."""
    params = {"ids": ids, "year": PERIOD.year, "start": PERIOD.start, "end": PERIOD.end}
    read = ",".join(str(i) for i in sorted({*ids, *readers}))
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT set_config('vatra.read_tenants', %s, true), set_config('vatra.write_tenant', '', true),"
                    " set_config('vatra.system', 'off', true)", (read,))
        cur.execute(RAW_LOCALITIES, params)
        rows = cur.fetchall()
        cur.execute(RAW_VALUES, params)
        values = cur.fetchall()
    return len(rows) + len(values)


# -- the measurements -----------------------------------------------------------------------------


def paired(ctx: Context, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[list[float], list[float]]:
    """Wall times (s) of ``first`` and ``second`` measured alternately, so load changes hit both alike."""
    first(), second()  # warm-up
    a, b = [], []
    for _ in range(ctx.runs):
        ctx.check_time()
        a.append(timed(first))
        b.append(timed(second))
    return a, b


def page_figure(ctx: Context, name: str, path: str, token: str, ids: list[int], readers: list[int],
                raw: psycopg.Connection[Any], target: str) -> Figure:
    """A page (client-side time on a keep-alive connection) against the raw SQL aggregate of its numbers."""
    client = Client(ctx.ports["app"], token)
    try:
        app_times, raw_times = paired(ctx, lambda: client.get_ok(path), lambda: raw_aggregate(raw, ids, readers))
    finally:
        client.close()
    return Figure(name, "ms", median(app_times) * 1000, "raw SQL aggregate (psycopg)", median(raw_times) * 1000,
                  target, samples=app_times)


def measure_pages(ctx: Context, figures: list[Figure], raw: psycopg.Connection[Any], label: str) -> None:
    """County page of Olt (HTML and JSON) and the national page, each against its raw SQL aggregate."""
    olt = ctx.olt_localities
    county = page_figure(ctx, f"county page, Olt ({len(olt)} localities), {label}", f"/t/{ctx.olt_slug}/county/",
                         ctx.tokens["olt"], olt, [ctx.olt_id], raw, "≤ 1.5× raw SQL")
    county.met = county.ratio is not None and county.ratio <= 1.5
    county.note = "HTML page"
    figures.append(county)
    as_json = page_figure(ctx, f"county page, Olt, {label}, as JSON (API)", f"/api/v1/t/{ctx.olt_slug}/county/",
                          ctx.tokens["olt"], olt, [ctx.olt_id], raw, "≤ 1.5× raw SQL")
    as_json.met = as_json.ratio is not None and as_json.ratio <= 1.5
    as_json.note = "the same data without the HTML"
    figures.append(as_json)
    limit = 300 if label == "live" else 30
    national = page_figure(ctx, f"national page, {len(ctx.all_localities):,} localities, {label}",
                           f"/t/{ctx.platform_slug}/county/national", ctx.tokens["platform"], ctx.all_localities,
                           ctx.county_ids, raw, f"< {limit} ms")
    national.met = national.value is not None and national.value < limit
    national.note = "HTML page"
    figures.append(national)


def ensure_wrk() -> str | None:
    """``wrk`` from Debian: found, or installed with apt-get when this runs as root; None otherwise."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("  installing wrk with apt-get …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=False, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None
    return shutil.which("wrk")


def wrk_rate(wrk: str, port: int, path: str, token: str, seconds: float) -> float:
    out = subprocess.run(
        [wrk, "-t2", f"-c{LOAD_CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
         "-H", f"Authorization: Bearer {token}", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw error answers:\n{out}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not found:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    return float(found.group(1))


def python_rate(jobs: Sequence[tuple[int, str, str, Callable[[int], Any] | None]], seconds: float) -> float:
    """Requests/s of one keep-alive client thread per job ``(port, path, token, body or None)``; errors fail."""
    stop = time.perf_counter() + seconds
    counts = [0] * len(jobs)
    errors: list[str] = []

    def work(index: int) -> None:
        port, path, token, body = jobs[index]
        client = Client(port, token)
        n = 0
        try:
            while time.perf_counter() < stop:
                if body is None:
                    status, data = client.request("GET", path)
                else:
                    status, data = client.request("POST", path, body(n))
                n += 1
                if status >= 300:
                    errors.append(f"{status} {data[:200]!r}")
                    return
                counts[index] += 1
        finally:
            client.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"error answers under load: {errors[0]}")
    return sum(counts) / elapsed


def measure_reads(ctx: Context, figures: list[Figure]) -> None:
    """The plan read API against the raw-psycopg endpoint, alternating, same load generator."""
    path = f"/api/v1/t/{ctx.ts_slug}/plans/{ctx.ts_plan_id}"
    token = ctx.tokens["ts"]
    app_body = json.loads(Client(ctx.ports["app"], token).get_ok(path))
    base_body = json.loads(Client(ctx.ports["baseline"], token).get_ok(path))
    same = _comparable(app_body) == _comparable(base_body)
    wrk = ensure_wrk()
    if wrk:
        def rate(server: str) -> float:
            return wrk_rate(wrk, ctx.ports[server], path, token, ctx.seconds)
        generator = f"wrk, {LOAD_CONNECTIONS} connections"
    else:
        def rate(server: str) -> float:
            return python_rate([(ctx.ports[server], path, token, None)] * LOAD_CONNECTIONS, ctx.seconds)
        generator = f"Python, {LOAD_CONNECTIONS} keep-alive threads"
    rate("app"), rate("baseline")  # warm both up
    app_rates, base_rates = [], []
    for _ in range(ctx.runs):
        ctx.check_time()
        app_rates.append(rate("app"))
        base_rates.append(rate("baseline"))
    figure = Figure("plan read API (seed plan tree)", "req/s", median(app_rates), "raw-psycopg endpoint, same gunicorn",
                    median(base_rates), "≥ 0.5× raw", samples=app_rates)
    figure.met = figure.ratio is not None and figure.ratio >= 0.5
    figure.note = f"{generator}; same JSON: {'yes' if same else 'NO'}"
    figures.append(figure)


def _comparable(body: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    out["signatories"] = sorted(body.get("signatories") or [], key=lambda s: s["role"])
    return out


def measure_writes(ctx: Context, figures: list[Figure]) -> None:
    """Indicator-value writes/s through the API, audit on against off, 8 localities at once."""
    quarter = 1

    def jobs(server: str, base: int) -> list[tuple[int, str, str, Callable[[int], Any]]]:
        out = []
        for slug, plan_id, indicator_id, token in ctx.writers:
            def body(n: int, indicator_id: int = indicator_id) -> dict[str, Any]:
                return {"year": common.YEAR, "quarter": quarter,
                        "values": [{"indicator_id": indicator_id, "value": str(base + n)}]}
            out.append((ctx.ports[server], f"/api/v1/t/{slug}/plans/{plan_id}/values", token, body))
        return out

    counter = iter(range(1000, 10_000_000, 100_000))
    python_rate(jobs("app", next(counter)), 1)
    python_rate(jobs("no_audit", next(counter)), 1)
    on, off = [], []
    for _ in range(ctx.runs):
        ctx.check_time()
        on.append(python_rate(jobs("app", next(counter)), ctx.seconds))
        off.append(python_rate(jobs("no_audit", next(counter)), ctx.seconds))
    figure = Figure("indicator-value writes through the API, audit on", "req/s", median(on),
                    "the same with AUDIT_ENABLED=False", median(off), "≥ 0.7× audit off", samples=on)
    figure.met = figure.ratio is not None and figure.ratio >= 0.7
    figure.note = f"{len(ctx.writers)} concurrent clients, one locality each; a request supersedes one value"
    figures.append(figure)


def measure_catalog(ctx: Context, figures: list[Figure]) -> None:
    """The SIRUTA catalog loaded into an empty schema (a scratch database), rolled back after each run."""
    admin = sa.create_engine(common.ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{common.SCRATCH_DB}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{common.SCRATCH_DB}" OWNER postgres')
    scratch = create_app(common.bench_config(common.SCRATCH_DB))
    try:
        from core.migrations import upgrade

        with scratch.app_context():
            upgrade()
            units = sum(1 for _ in catalog.read_catalog())

            def load() -> None:
                with system_context():
                    catalog.load_catalog()
                    db.session.flush()
                db.session.rollback()

            samples = repeat(ctx, load)
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{common.SCRATCH_DB}" WITH (FORCE)')
        admin.dispose()
    figure = Figure(f"catalog load, {units:,} units into an empty schema", "ms", median(samples) * 1000,
                    target="< 5 s", samples=samples)
    figure.met = figure.value is not None and figure.value < 5000
    figures.append(figure)


def measure_exports(ctx: Context, figures: list[Figure]) -> None:
    """Word export of the seed plan and Excel export of the Olt page, as the jobs run them."""
    with ctx.app.app_context():
        def word() -> int:
            with tenant_context(ctx.ts_id):
                plan = plan_services.get_plan(ctx.ts_plan_id, tree=True)
                size = len(plan_exports.plan_docx(plan))
            db.session.rollback()
            return size

        def excel() -> int:
            with tenant_context(ctx.olt_id):
                olt = db.session.get(Tenant, ctx.olt_id)
                size = len(build_export(olt, "county", "xlsx", PERIOD)[1])
            db.session.rollback()
            return size

        samples = repeat(ctx, word)
        figure = Figure("Word export of the seed plan (Târgu Secuiesc)", "ms", median(samples) * 1000,
                        target="< 1 s", samples=samples)
        figure.met = figure.value is not None and figure.value < 1000
        figures.append(figure)
        samples = repeat(ctx, excel)
        figures.append(Figure("Excel export of the Olt county page", "ms", median(samples) * 1000, samples=samples,
                              note="snapshot" if _has_snapshot(ctx) else "live figures"))
        db.session.remove()


def _has_snapshot(ctx: Context) -> bool:
    return bool(db.session.execute(sa.select(sa.func.count(AggSnapshot.id))).scalar())


def measure_refresh(ctx: Context, figures: list[Figure]) -> None:
    """The country's snapshot refresh (national + every active county), as the job runs it in the platform."""
    with ctx.app.app_context():
        def refresh() -> None:
            with tenant_context(ctx.platform_id):
                refresh_country(PERIOD)
            db.session.commit()

        samples = repeat(ctx, refresh, warmup=0)
        db.session.remove()
    figures.append(Figure("snapshot refresh for the country", "ms", median(samples) * 1000, samples=samples,
                          note="national + 42 county snapshots, one reading of the values"))


def measure_rss(ctx: Context, figures: list[Figure]) -> None:
    pids = worker_pids(ctx.servers["app"].pid)
    sizes = [rss_mb(p) for p in pids]
    figures.append(Figure("RSS of a gunicorn worker after the run", "MB", max(sizes) if sizes else None,
                          note="workers: " + ", ".join(f"{s:.0f} MB" for s in sizes)))


# -- the table ------------------------------------------------------------------------------------


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "ms":
        return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    return f"{value:,.0f} {unit}"


def table(figures: Sequence[Figure]) -> str:
    lines = [
        "| figure | median | baseline | baseline median | ratio | target | met | note |",
        "| --- | ---: | --- | ---: | ---: | --- | :---: | --- |",
    ]
    for f in figures:
        ratio = "–" if f.ratio is None else f"{f.ratio:.2f}×"
        met = "–" if f.met is None else ("yes" if f.met else "**no**")
        lines.append(f"| {f.name} | {fmt(f.value, f.unit)} | {f.baseline_name} | {fmt(f.baseline, f.unit)} "
                     f"| {ratio} | {f.target} | {met} | {f.note} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), pyplatform.processor())
    mem = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    with psycopg.connect(common.libpq(common.owner_url()), connect_timeout=3) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem:,} MB RAM, PostgreSQL {version}, Python "
            f"{pyplatform.python_version()}; database {common.BENCH_DB} {common.human_mb(size)} MB; "
            f"load average {load}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs per figure (median; at least 5)")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of one throughput run")
    parser.add_argument("--only", default="", help="comma-separated steps to run (e.g. 'plan read API,writes'); "
                        "the others are skipped (for working on one figure; RESULTS.md holds full runs)")
    args = parser.parse_args(argv)
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    common.require_postgres()
    check_dataset()
    started = time.monotonic()
    ctx = Context(app=create_app(common.bench_config()), runs=args.runs, seconds=args.seconds,
                  deadline=started + BUDGET_SECONDS)
    figures: list[Figure] = []
    failed: list[str] = []
    print(f"Machine: {machine()}", flush=True)
    print(f"Started {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", flush=True)
    setup(ctx)
    raw = psycopg.connect(common.libpq(common.app_url()), options="-c TimeZone=UTC")
    raw.prepare_threshold = None  # custom plans, like the platform's reads over many tenants (core.tenancy)
    try:
        start_server(ctx, "app", "wsgi:app")
        start_server(ctx, "no_audit", "wsgi:app", {"VATRA_BENCH_AUDIT": "0"})
        start_server(ctx, "baseline", "baseline_app:app")
        steps: list[tuple[str, Callable[[], None]]] = [
            ("pages, live", lambda: measure_pages(ctx, figures, raw, "live")),
            ("plan read API", lambda: measure_reads(ctx, figures)),
            ("writes", lambda: measure_writes(ctx, figures)),
            ("snapshot refresh", lambda: measure_refresh(ctx, figures)),
            ("pages, snapshot", lambda: measure_pages(ctx, figures, raw, "from snapshot")),
            ("exports", lambda: measure_exports(ctx, figures)),
            ("catalog", lambda: measure_catalog(ctx, figures)),
            ("RSS", lambda: measure_rss(ctx, figures)),
        ]
        only = {n.strip() for n in args.only.split(",") if n.strip()}
        unknown = only - {name for name, _ in steps}
        if unknown:
            parser.error(f"unknown steps {sorted(unknown)}; known: {[name for name, _ in steps]}")
        for name, step in steps:
            if only and name not in only:
                continue
            if name != "RSS" and time.monotonic() > ctx.deadline:
                failed.append(f"{name}: skipped, time budget spent")
                continue
            t0 = time.perf_counter()
            try:
                step()
            except BudgetExceeded:
                failed.append(f"{name}: stopped, time budget spent")
            except Exception as exc:  # noqa: BLE001 - reported, the other figures still run
                failed.append(f"{name}: {type(exc).__name__}: {exc}")
            print(f"  {name}: {time.perf_counter() - t0:.0f} s", flush=True)
    finally:
        raw.close()
        stop_servers(ctx)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"\nFinished in {time.monotonic() - started:.0f} s (load average {load}); medians of {args.runs} runs, "
          "pages timed client-side on loopback (keep-alive, one request at a time), each figure alternating with "
          "its baseline.\n")
    print(table(figures))
    for line in failed:
        print(f"\nFAILED {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
