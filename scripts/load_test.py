#!/usr/bin/env python3
"""Load test: concurrent API clients against gunicorn on PostgreSQL, then a check of every write.

    .venv/bin/python scripts/load_test.py                 # 50 clients, 60 s (make load)
    .venv/bin/python scripts/load_test.py --clients 20 --duration 15

What it does, talking only to 127.0.0.1:

1. makes a fresh database on the PostgreSQL server (``--pg``, the machine's
   by default), builds the schema with the migrations as the owner and runs
   the app as the non-owner role ``vatra_app`` (Row-Level Security binds it);
2. loads the demo (catalog, Covasna and Olt, both seeds) and gives 20
   locality tenants a plan, a council and a funded project each, and a user
   with an API token;
3. starts gunicorn (``--workers`` processes × ``--threads`` threads) on a free
   port and ``--clients`` client threads, each working in one tenant (so
   several clients share a tenant and their writes meet), with a mix of
   reads (plan tree, values, council, budget, plan list) and writes (indicator
   values, expenditures, council members, plan sections with the version
   read);
4. stops after ``--duration`` seconds, stops gunicorn, and checks that every
   acknowledged (2xx) write is in the database and in the audit log, that no
   refused write left anything, and that ``vatra audit verify`` passes;
5. prints requests, throughput, p50/p95/p99 latency, answers by status and
   kind; drops the database (``--keep`` keeps it).

Exit status 0 only when there was no 5xx, no connection error and every
check passed. A 409 is a correct answer (two clients saved the same thing at
once) and is counted, not failed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_PG = os.environ.get("VATRA_LOAD_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PLUGINS = ["prevention_plan", "pin_project", "county_overview"]
YEAR = 2027
MAX_REQUESTS_PER_CLIENT = 100_000

READS = {"plan": 30, "values": 12, "council": 8, "budget": 8, "plans": 7}
WRITES = {"record": 17, "spend": 8, "member": 5, "sections": 5}


# -- set-up ------------------------------------------------------------------------------------------


@dataclass
class Place:
    """One tenant of the load: where its objects are and the token of its user."""

    slug: str
    token: str
    plan_id: int
    indicators: list[int]
    project_id: int
    line_id: int


@dataclass
class Setup:
    database: str
    owner_url: str
    app_url: str
    admin_url: str
    places: list[Place]
    files: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _app_config(owner_url: str, app_url: str, files: Path, secret: str) -> dict[str, Any]:
    return {
        "DATABASE_URL": app_url,
        "DATABASE_OWNER_URL": owner_url,
        "SECRET_KEY": secret,
        "VATRA_FILES": str(files),
        "VATRA_PLUGINS": PLUGINS,
        "REDIS_URL": None,
    }


def prepare(pg: str, tenants: int, files: Path, secret: str, log: Any) -> Setup:
    """A fresh database with the schema, the demo and ``tenants`` localities ready for the load."""
    import sqlalchemy as sa

    from core import demo, rls, tenancy
    from core.access import hash_token, new_token_secret
    from core.app import create_app
    from core.auth.models import ApiToken, Membership, Role, User
    from core.auth.passwords import hash_password
    from core.db import db, utcnow
    from core.migrations import upgrade
    from core.web import council_store
    from plugins.pin_project import services as pin
    from plugins.prevention_plan import services as plans
    from tenants.models import Tenant

    admin_url = sa.engine.make_url(pg)
    name = f"vatra_load_{secrets.token_hex(4)}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        rls.ensure_app_role(conn)
    admin.dispose()
    owner_url = admin_url.set(database=name).render_as_string(hide_password=False)
    app_url = admin_url.set(database=name, username=rls.APP_ROLE, password=None).render_as_string(hide_password=False)
    setup = Setup(name, owner_url, app_url, admin_url.render_as_string(hide_password=False), [], files)

    started = time.monotonic()
    app = create_app(_app_config(owner_url, app_url, files, secret))
    with app.app_context():
        upgrade()
        demo.load(app, password=secrets.token_urlsafe(12))
        with tenancy.system_context():
            wanted = [demo.TARGU_SECUIESC, *demo.olt_demo_localities()][:tenants]
            found = db.session.scalars(sa.select(Tenant).where(Tenant.siruta.in_(wanted))).all()
            chosen = sorted(found, key=lambda t: wanted.index(t.siruta))
            people: dict[int, str] = {}
            for i, tenant in enumerate(chosen):
                user = User(email=f"incarcare{i}@vatra.test", name=f"Asistent {i}",
                            password_hash=hash_password(secrets.token_urlsafe(12)), locale="ro")
                db.session.add(user)
                db.session.flush()
                db.session.add(Membership(user_id=user.id, tenant_id=tenant.id, role=Role.SOCIAL_WORKER))
                token = new_token_secret()
                db.session.add(ApiToken(user_id=user.id, tenant_id=tenant.id, name="load", prefix=token[:10],
                                        token_hash=hash_token(token), expires_at=utcnow() + dt.timedelta(days=1)))
                people[tenant.id] = token
            db.session.commit()
        seed = plans.load_seed()
        for tenant in chosen:
            with tenancy.tenant_context(tenant.id):
                plan = plans.build_plan(seed, YEAR)
                if council_store.current_council() is None:
                    council_store.save_council({"name": "Consiliul Comunitar Consultativ"})
                programme = pin.create_programme(code="PIN 1/2027", name="Program de încărcare",
                                                 funder_name="ANPDCA", funder_acronym="ANPDCA")
                project = pin.create_project(programme, title="Proiect de încărcare", budget_total=Decimal("500000"),
                                             start_date=dt.date(2026, 1, 1), end_date=dt.date(2027, 12, 31))
                line = pin.add_budget_line(project, category="Formare", planned=Decimal("400000"))
                db.session.commit()
                setup.places.append(Place(tenant.slug, people[tenant.id], plan.id,
                                          [i.id for i in plans.indicators_of(plan)], project.id, line.id))
        db.session.remove()
        db.engine.dispose()
    print(f"set-up: database {name}, migrations, demo and {len(setup.places)} tenants in "
          f"{time.monotonic() - started:.1f}s", file=log)
    return setup


def drop(setup: Setup) -> None:
    """Drop the load's database."""
    import sqlalchemy as sa

    admin = sa.create_engine(setup.admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{setup.database}" WITH (FORCE)')
    admin.dispose()


# -- gunicorn ----------------------------------------------------------------------------------------


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def _env(setup: Setup, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VATRA_", "DATABASE_", "REDIS_"))}
    env.update(
        DATABASE_URL=setup.app_url,
        DATABASE_OWNER_URL=setup.owner_url,
        SECRET_KEY=secret,
        VATRA_FILES=str(setup.files),
        VATRA_PLUGINS=",".join(PLUGINS),
        PYTHONPATH=str(REPO),
    )
    return env


def start_gunicorn(setup: Setup, secret: str, workers: int, threads: int, folder: Path) -> Server:
    """gunicorn on a free port of 127.0.0.1; returns once ``/healthz`` answers."""
    port = _free_port()
    log = folder / "gunicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--threads", str(threads), "--timeout", "30", "--graceful-timeout", "10", "--keep-alive", "5",
             "--chdir", str(REPO), "core.app:create_app()"],
            env=_env(setup, secret), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = Server(proc, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited at start:\n{server.tail()}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer /healthz within 60s:\n{server.tail()}")


# -- clients -----------------------------------------------------------------------------------------


@dataclass
class Call:
    kind: str
    status: int  # 0: no answer (connection error)
    ms: float
    write: dict[str, Any] | None = None  # what an acknowledged or refused write was


@dataclass
class Client:
    number: int
    place: Place
    port: int
    calls: list[Call] = field(default_factory=list)
    failure: str = ""

    def _request(self, method: str, path: str, body: Any = None) -> tuple[int, Any, float]:
        headers = {"Authorization": f"Bearer {self.place.token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0, None, (time.perf_counter() - started) * 1000
        ms = (time.perf_counter() - started) * 1000
        parsed = None
        if data and response.getheader("Content-Type", "").startswith("application/json"):
            with contextlib.suppress(ValueError):
                parsed = json.loads(data)
        return response.status, parsed, ms

    def run(self, deadline: float, seed: int) -> None:
        rng = random.Random(seed)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        p = self.place
        api = f"/api/v1/t/{p.slug}"
        kinds = list(READS) + list(WRITES)
        weights = list(READS.values()) + list(WRITES.values())
        try:
            for n in range(MAX_REQUESTS_PER_CLIENT):
                if time.monotonic() > deadline:
                    break
                kind = rng.choices(kinds, weights)[0]
                tag = f"c{self.number}-{n}"
                if kind == "plan":
                    self._read(kind, f"{api}/plans/{p.plan_id}")
                elif kind == "values":
                    self._read(kind, f"{api}/plans/{p.plan_id}/values?year={YEAR}")
                elif kind == "council":
                    self._read(kind, f"{api}/council")
                elif kind == "budget":
                    self._read(kind, f"{api}/projects/{p.project_id}/budget")
                elif kind == "plans":
                    self._read(kind, f"{api}/plans/")
                elif kind == "record":
                    indicators = rng.sample(p.indicators, 2)
                    body = {"year": YEAR, "quarter": rng.randint(1, 4),
                            "values": [{"indicator_id": i, "value": str(rng.randint(0, 500)), "note": tag}
                                       for i in indicators]}
                    status, data, ms = self._request("POST", f"{api}/plans/{p.plan_id}/values", body)
                    ids = [row["id"] for row in data] if status == 201 and isinstance(data, list) else []
                    self.calls.append(Call(kind, status, ms, {"note": tag, "ids": ids, "count": len(indicators)}))
                elif kind == "spend":
                    body = {"budget_line_id": p.line_id, "date": "2026-03-15", "amount": "0.05",
                            "document_number": tag, "supplier": "Furnizor"}
                    status, data, ms = self._request("POST", f"{api}/projects/{p.project_id}/expenditures", body)
                    self.calls.append(Call(kind, status, ms, {"number": tag, "id": (data or {}).get("id")}))
                elif kind == "member":
                    body = {"name": f"Membru {tag}", "role": "membru", "institution": "Școala Gimnazială"}
                    status, data, ms = self._request("POST", f"{api}/council/members", body)
                    self.calls.append(Call(kind, status, ms, {"name": body["name"], "id": (data or {}).get("id")}))
                else:  # sections: read the plan, then save a section with the version read
                    status, data, ms = self._request("GET", f"{api}/plans/{p.plan_id}")
                    self.calls.append(Call("plan", status, ms))
                    if status != 200 or not isinstance(data, dict):
                        continue
                    body = {"general_objective": f"Obiectivul general ({tag})", "version": data["version"]}
                    status, data, ms = self._request("PATCH", f"{api}/plans/{p.plan_id}", body)
                    version = data.get("version") if status == 200 and isinstance(data, dict) else None
                    self.calls.append(Call(kind, status, ms, {"text": body["general_objective"], "version": version}))
        except Exception as exc:  # noqa: BLE001 - reported as a failure of the run
            self.failure = f"{type(exc).__name__}: {exc}"
        finally:
            self.conn.close()

    def _read(self, kind: str, path: str) -> None:
        status, _data, ms = self._request("GET", path)
        self.calls.append(Call(kind, status, ms))


# -- checks ------------------------------------------------------------------------------------------


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def check_writes(setup: Setup, clients: list[Client]) -> tuple[dict[str, int], list[str]]:
    """Every acknowledged write in the database and in the audit log; nothing of the refused ones."""
    import sqlalchemy as sa

    problems: list[str] = []
    acknowledged: Counter[str] = Counter()
    engine = sa.create_engine(setup.owner_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        notes = Counter(conn.execute(sa.text("SELECT note FROM plan_indicator_value")).scalars())
        value_ids = set(conn.execute(sa.text("SELECT id FROM plan_indicator_value")).scalars())
        spent = dict(conn.execute(sa.text("SELECT document_number, id FROM pin_expenditure")).all())
        members = dict(conn.execute(sa.text("SELECT name, id FROM council_member")).all())
        in_force = dict(conn.execute(sa.text("SELECT id, general_objective FROM plan_plan")).all())
        objectives = set(in_force.values())
        audited: dict[str, set[str]] = defaultdict(set)
        for entity, entity_id in conn.execute(
            sa.text("SELECT entity, entity_id FROM audit_entry WHERE action = 'insert' AND entity IN "
                    "('plan_indicator_value', 'pin_expenditure', 'council_member')")
        ):
            audited[entity].add(entity_id)
        plan_saves = set()
        for entity_id, changes in conn.execute(
            sa.text("SELECT entity_id, changes FROM audit_entry WHERE entity = 'plan_plan' AND action = 'update'")
        ):
            text = json.loads(changes).get("general_objective")
            if text:
                plan_saves.add((entity_id, text[1]))
    engine.dispose()

    for client in clients:
        plan_id = str(client.place.plan_id)
        for call in client.calls:
            if call.write is None:
                continue
            ok = 200 <= call.status < 300
            w = call.write
            if call.kind == "record":
                if ok:
                    acknowledged["values"] += 1
                    if notes[w["note"]] != w["count"] or not set(w["ids"]) <= value_ids:
                        problems.append(f"acknowledged values {w['note']} are not all in the database")
                    if not {str(i) for i in w["ids"]} <= audited["plan_indicator_value"]:
                        problems.append(f"acknowledged values {w['note']} are not all in the audit log")
                elif notes[w["note"]]:
                    problems.append(f"refused values {w['note']} (HTTP {call.status}) were written")
            elif call.kind == "spend":
                if ok:
                    acknowledged["expenditures"] += 1
                    if spent.get(w["number"]) != w["id"]:
                        problems.append(f"acknowledged expenditure {w['number']} is not in the database")
                    elif str(w["id"]) not in audited["pin_expenditure"]:
                        problems.append(f"acknowledged expenditure {w['number']} is not in the audit log")
                elif w["number"] in spent:
                    problems.append(f"refused expenditure {w['number']} (HTTP {call.status}) was written")
            elif call.kind == "member":
                if ok:
                    acknowledged["members"] += 1
                    if members.get(w["name"]) != w["id"]:
                        problems.append(f"acknowledged member {w['name']} is not in the database")
                    elif str(w["id"]) not in audited["council_member"]:
                        problems.append(f"acknowledged member {w['name']} is not in the audit log")
                elif w["name"] in members:
                    problems.append(f"refused member {w['name']} (HTTP {call.status}) was written")
            elif call.kind == "sections":
                if ok:
                    acknowledged["sections"] += 1
                    if (plan_id, w["text"]) not in plan_saves:
                        problems.append(f"acknowledged plan save {w['text']!r} is not in the audit log")
                elif w["text"] in objectives:
                    problems.append(f"refused plan save {w['text']!r} (HTTP {call.status}) was written")
    # no lost update: the acknowledged save with the highest version of each plan is the text in force
    last: dict[int, tuple[int, str]] = {}
    for client in clients:
        for call in client.calls:
            if call.kind == "sections" and 200 <= call.status < 300:
                plan_id = client.place.plan_id
                last[plan_id] = max(last.get(plan_id, (0, "")), (call.write["version"], call.write["text"]))
    for plan_id, (_version, text) in last.items():
        if in_force.get(plan_id) != text:
            problems.append(f"plan {plan_id}: the last acknowledged save is not the text in force")
    return dict(acknowledged), problems


def audit_verify(setup: Setup, secret: str) -> tuple[bool, str]:
    """``vatra audit verify`` as an operator runs it (the application role, every tenant's chain)."""
    result = subprocess.run(
        [sys.executable, "-c", "from core.cli import main; main()", "audit", "verify"],
        cwd=REPO, env=_env(setup, secret), capture_output=True, text=True, timeout=300, check=False,
    )
    return result.returncode == 0, (result.stdout + result.stderr).strip()


# -- the run -----------------------------------------------------------------------------------------


@dataclass
class Report:
    clients: int
    duration: float
    requests: int
    per_second: float
    p50: float
    p95: float
    p99: float
    max: float
    statuses: dict[int, int]
    server_errors: int
    connection_errors: int
    conflicts: int
    acknowledged: dict[str, int]
    problems: list[str]
    audit_ok: bool
    audit_output: str
    by_kind: dict[str, dict[str, Any]]

    @property
    def ok(self) -> bool:
        return self.server_errors == 0 and self.connection_errors == 0 and not self.problems and self.audit_ok

    def text(self, workers: int, threads: int, tenants: int) -> str:
        lines = [
            f"Vatra load test: {self.clients} clients for {self.duration:.0f}s against gunicorn "
            f"({workers} workers × {threads} threads) on PostgreSQL (app role vatra_app, RLS), {tenants} tenants",
            f"requests: {self.requests} ({self.per_second:.1f}/s)   5xx: {self.server_errors}   "
            f"connection errors: {self.connection_errors}   409 conflicts: {self.conflicts}",
            f"latency ms: p50 {self.p50:.1f}   p95 {self.p95:.1f}   p99 {self.p99:.1f}   max {self.max:.1f}",
            "answers: " + ", ".join(f"{code or 'no answer'}: {n}" for code, n in sorted(self.statuses.items())),
            "by kind:",
        ]
        for kind, figures in sorted(self.by_kind.items()):
            codes = ", ".join(f"{c}: {n}" for c, n in sorted(figures["statuses"].items()))
            lines.append(f"  {kind:9} {figures['count']:6}  p50 {figures['p50']:7.1f}  p95 {figures['p95']:7.1f}  "
                         f"p99 {figures['p99']:7.1f} ms   [{codes}]")
        lines.append("acknowledged writes: " + ", ".join(f"{k} {v}" for k, v in sorted(self.acknowledged.items()))
                     + (" — all in the database and in the audit log" if not self.problems else ""))
        for problem in self.problems[:20]:
            lines.append(f"  PROBLEM: {problem}")
        lines.append(f"audit verify: {'ok' if self.audit_ok else 'FAILED'} — {self.audit_output.splitlines()[-1:]}")
        lines.append("RESULT: " + ("ok" if self.ok else "FAILED"))
        return "\n".join(lines)


def run(clients: int = 50, duration: float = 60, tenants: int = 20, workers: int = 2, threads: int = 4,
        pg: str = DEFAULT_PG, keep: bool = False, log: Any = sys.stdout) -> Report:
    """Prepare, load, check; always stops gunicorn and (unless ``keep``) drops the database."""
    folder = Path(tempfile.mkdtemp(prefix="vatra-load-"))
    secret = secrets.token_hex(32)
    setup: Setup | None = None
    server: Server | None = None
    try:
        setup = prepare(pg, tenants, folder / "files", secret, log)
        server = start_gunicorn(setup, secret, workers, threads, folder)
        print(f"gunicorn on 127.0.0.1:{server.port}; {clients} clients for {duration:.0f}s...", file=log, flush=True)
        team = [Client(i, setup.places[i % len(setup.places)], server.port) for i in range(clients)]
        started = time.monotonic()
        deadline = started + duration
        threads_ = [threading.Thread(target=c.run, args=(deadline, 1000 + c.number), daemon=True) for c in team]
        for t in threads_:
            t.start()
        for t in threads_:
            t.join(timeout=max(1.0, deadline - time.monotonic()) + 90)
        elapsed = time.monotonic() - started
        stuck = sum(t.is_alive() for t in threads_)
        server.stop()
        log_tail = server.tail()
        server = None

        calls = [call for c in team for call in c.calls]
        latencies = sorted(call.ms for call in calls if call.status)
        statuses = Counter(call.status for call in calls)
        by_kind: dict[str, dict[str, Any]] = {}
        for kind in sorted({call.kind for call in calls}):
            ms = sorted(call.ms for call in calls if call.kind == kind and call.status)
            by_kind[kind] = {
                "count": sum(1 for call in calls if call.kind == kind),
                "p50": _percentile(ms, 50), "p95": _percentile(ms, 95), "p99": _percentile(ms, 99),
                "statuses": dict(Counter(call.status for call in calls if call.kind == kind)),
            }
        acknowledged, problems = check_writes(setup, team)
        problems += [f"client {c.number}: {c.failure}" for c in team if c.failure]
        if stuck:
            problems.append(f"{stuck} client threads did not stop")
        unexpected = {code for code in statuses if code not in {0, 200, 201, 409} and code < 500}
        if unexpected:
            problems.append(f"unexpected answers: {sorted(unexpected)}")
        audit_ok, audit_output = audit_verify(setup, secret)
        server_errors = sum(n for code, n in statuses.items() if code >= 500)
        if server_errors:
            print(f"gunicorn log (last lines):\n{log_tail}", file=log)
        return Report(
            clients=clients, duration=elapsed, requests=len(calls), per_second=len(calls) / elapsed,
            p50=_percentile(latencies, 50), p95=_percentile(latencies, 95), p99=_percentile(latencies, 99),
            max=latencies[-1] if latencies else 0.0, statuses=dict(statuses), server_errors=server_errors,
            connection_errors=statuses.get(0, 0), conflicts=statuses.get(409, 0), acknowledged=acknowledged,
            problems=problems, audit_ok=audit_ok, audit_output=audit_output, by_kind=by_kind,
        )
    finally:
        if server is not None:
            server.stop()
        if setup is not None and not keep:
            drop(setup)
        elif setup is not None:
            print(f"kept database {setup.database} ({setup.owner_url})", file=log)
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Command line: run the load, print the figures, exit 0 only when all is well."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--tenants", type=int, default=20, help="tenants the clients work in (default 20, max 21)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server (a superuser URL; a database is made)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if not 1 <= args.tenants <= 21:
        parser.error("--tenants is between 1 and 21 (Târgu Secuiesc and the 20 Olt communes of the demo)")
    report = run(args.clients, args.duration, args.tenants, args.workers, args.threads, args.pg, args.keep)
    print(report.text(args.workers, args.threads, args.tenants))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
