"""PostgreSQL restarted under a stream of API writes.

A throwaway cluster of the test's own (initdb; the shared server is never
touched), the schema made by the migrations as the owner, the app connected
as the non-owner role so Row-Level Security binds it. Three writers run
against the API at once — indicator values of a plan (three per request,
all or nothing), PIN expenditures, and whole plans created from the built-in
template (a few hundred rows each) — while the cluster is restarted
(``pg_ctl restart -m fast``) and then stopped for a while and started again.

What must hold:

* every answer is 2xx or 503, and a 503 is the API's one error shape with a
  clear message (never a 500, never an HTML page);
* every acknowledged (2xx) write is in the database, whole; every refused
  one left nothing — no half-written plan, no expenditure without its audit;
* the last acknowledged value of each period is the one in force (no lost
  write);
* service resumes by itself: once the server is back, requests succeed
  again without restarting the app;
* the audit chain is intact.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from faults_testing import in_tenant, seed_plan

from core.audit import verify as verify_audit
from core.auth.models import Role
from core.bounds import year_range
from core.db import db
from plugins.pin_project import services as pin
from plugins.prevention_plan import services as plan_services

pytestmark = [pytest.mark.faults, pytest.mark.slow]

UNAVAILABLE = {
    "code": 503,
    "status": "Service Unavailable",
    "message": "Serviciul este temporar indisponibil. Încercați din nou în câteva momente.",
}
MAX_REQUESTS = 3000  # per writer: a bound besides the clock
PLAN_YEARS = list(range(year_range()[0], year_range()[1] + 1))  # the years a plan may be for (2020 … this + 5)
PLAN_REQUESTS = 100  # the plans writer makes one plan per (tenant, year): tenants enough for this many
SETTLE = 2.0  # seconds after the server is back from which every request must succeed


def _until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


@dataclass
class Answer:
    n: int
    sent: float
    done: float
    status: int
    body: Any


@dataclass
class Writer:
    """One client writing in a loop until told to stop (bounded in count and time)."""

    name: str
    request: Callable[[int], tuple[str, dict[str, Any]] | tuple[str, dict[str, Any], dict[str, str]]]
    headers: dict[str, str]
    limit: int = MAX_REQUESTS
    answers: list[Answer] = field(default_factory=list)
    error: BaseException | None = None
    trace: str = ""

    def run(self, app: Any, stop: threading.Event, deadline: float) -> None:
        client = app.test_client()
        try:
            for n in range(self.limit):
                if stop.is_set() or time.monotonic() > deadline:
                    return
                path, body, *own_headers = self.request(n)
                sent = time.monotonic()
                response = client.post(path, json=body, headers=own_headers[0] if own_headers else self.headers)
                self.answers.append(Answer(n, sent, time.monotonic(), response.status_code, response.get_json()))
                if response.status_code == 503:
                    time.sleep(0.2)  # a client backing off a little before trying again
        except BaseException as exc:
            self.error = exc
            self.trace = traceback.format_exc()

    def ok(self) -> list[Answer]:
        return [a for a in self.answers if 200 <= a.status < 300]

    def refused(self) -> list[Answer]:
        return [a for a in self.answers if a.status == 503]


def _project(app, county_id: int) -> tuple[int, int]:
    with in_tenant(app, county_id):
        programme = pin.create_programme(code="PIN 2/2008", name="Program", funder_name="ANPDC", funder_acronym="ANPDC")
        project = pin.create_project(
            programme, title="Proiect", budget_total=Decimal("182850.00"),
            start_date=dt.date(2008, 11, 1), end_date=dt.date(2009, 12, 31),
        )
        line = pin.add_budget_line(project, category="Formare", planned=Decimal("100000.00"))
        db.session.commit()
        return project.id, line.id


def _template_size() -> tuple[int, int, int]:
    """Objectives, activities and indicators of a plan made from the built-in template."""
    content = plan_services.builtin_template_content()
    objectives = content["strategic_objectives"]
    activities = [a for o in objectives for a in o.get("activities", [])]
    indicators = [i for a in activities for i in a.get("indicators", [])]
    return len(objectives), len(activities), len(indicators)


def test_postgresql_restarted_during_writes(throwaway_app, throwaway_pg, make_tenant, make_user, api_headers):
    app = throwaway_app
    county = make_tenant("county")
    locality = make_tenant(parent=county)
    others = [make_tenant(parent=county) for _ in range(-(-PLAN_REQUESTS // len(PLAN_YEARS)))]
    writer_user = make_user(roles={locality: Role.SOCIAL_WORKER, **{o: Role.SOCIAL_WORKER for o in others}})
    other_headers = [api_headers(writer_user, o) for o in others]
    spender = make_user(county, Role.SOCIAL_WORKER)
    plan = seed_plan(app, locality.id)
    project_id, line_id = _project(app, county.id)
    indicators = plan["indicators"][:3]

    def values(n: int) -> tuple[str, dict[str, Any]]:
        entries = [{"indicator_id": i, "value": str(n + k), "note": f"w{n}"} for k, i in enumerate(indicators)]
        return f"/api/v1/t/{locality.slug}/plans/{plan['id']}/values", {
            "year": 2026, "quarter": 1 + n % 4, "values": entries,
        }

    def expenditure(n: int) -> tuple[str, dict[str, Any]]:
        return f"/api/v1/t/{county.slug}/projects/{project_id}/expenditures", {
            "budget_line_id": line_id, "date": "2009-03-02", "amount": "1.25", "document_number": f"F-{n}",
        }

    def new_plan(n: int) -> tuple[str, dict[str, Any], dict[str, str]]:
        where = n // len(PLAN_YEARS)
        body = {"year": PLAN_YEARS[n % len(PLAN_YEARS)], "template": "builtin"}
        return f"/api/v1/t/{others[where].slug}/plans/", body, other_headers[where]

    writers = [
        Writer("values", values, api_headers(writer_user, locality)),
        Writer("expenditures", expenditure, api_headers(spender, county)),
        Writer("plans", new_plan, other_headers[0], limit=PLAN_REQUESTS),
    ]
    stop = threading.Event()
    started = time.monotonic()
    threads = [
        threading.Thread(target=w.run, args=(app, stop, started + 100), name=f"writer-{w.name}", daemon=True)
        for w in writers
    ]
    for thread in threads:
        thread.start()
    try:
        _until(lambda: all(w.ok() for w in writers), 30, "every writer to succeed once")
        throwaway_pg.restart("fast")
        restarted = time.monotonic()
        time.sleep(1.5)
        throwaway_pg.stop("fast")
        down = time.monotonic()
        time.sleep(2.5)
        throwaway_pg.start()
        up = time.monotonic()
        _until(lambda: all(len([a for a in w.answers if a.sent > up + SETTLE]) >= 2 for w in writers), 30,
               "every writer to send twice after the restart")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a writer did not stop"
    for w in writers:
        assert w.error is None, f"{w.name}: {w.trace}"

    figures = {w.name: dict(Counter(a.status for a in w.answers)) for w in writers}
    print(f"\npostgres restart: answers per writer {figures}; restart at {restarted - started:.1f}s, "
          f"down {down - started:.1f}s–{up - started:.1f}s, run {time.monotonic() - started:.1f}s")

    # 1. 2xx or a clean 503, nothing else
    for w in writers:
        unexpected = [(a.n, a.status, a.body) for a in w.answers if not (200 <= a.status < 300 or a.status == 503)]
        assert not unexpected, f"{w.name}: {unexpected[:3]}"
        for a in w.refused():
            assert a.body == UNAVAILABLE, a.body
    assert sum(len(w.refused()) for w in writers) >= 3, "the outage was not felt"
    assert all(len(w.ok()) >= 2 for w in writers)

    # 2. service resumed by itself: what was sent once the server was back (and the pool had noticed) succeeded
    for w in writers:
        after = [a for a in w.answers if a.sent > up + SETTLE]
        assert len(after) >= 1, f"{w.name} sent nothing after the restart"
        assert all(200 <= a.status < 300 for a in after), [(a.n, a.status) for a in after if a.status >= 300]
    recovery = min((a.done - up for w in writers for a in w.ok() if a.sent >= up), default=None)
    print(f"postgres restart: first success {recovery:.2f}s after the server was back" if recovery is not None else "")

    owner = sa.create_engine(throwaway_pg.url("postgres", "vatra"), poolclass=sa.pool.NullPool)
    with owner.connect() as conn:
        _check_values(conn, writers[0], plan["id"])
        _check_expenditures(conn, writers[1], project_id)
        _check_plans(conn, writers[2], [o.id for o in others])
        assert verify_audit(conn) == [], "the audit chain must be intact"
    owner.dispose()


def _check_values(conn: sa.Connection, writer: Writer, plan_id: int) -> None:
    rows = conn.execute(
        sa.text("SELECT note, quarter, value, superseded FROM plan_indicator_value WHERE plan_id = :p"), {"p": plan_id}
    ).all()
    per_note = Counter(r.note for r in rows)
    for a in writer.ok():
        assert per_note[f"w{a.n}"] == 3, f"acknowledged values w{a.n} are not all there"
        assert {row["note"] for row in a.body} == {f"w{a.n}"}
    for a in writer.refused():
        assert per_note[f"w{a.n}"] == 0, f"refused values w{a.n} were written"
    # the last acknowledged request of each quarter is the one in force
    last: dict[int, Answer] = {}
    for a in sorted(writer.ok(), key=lambda a: a.done):
        last[1 + a.n % 4] = a
    live = {(r.quarter, r.note) for r in rows if not r.superseded}
    for quarter, a in last.items():
        assert {note for q, note in live if q == quarter} == {f"w{a.n}"}, f"quarter {quarter}: a write was lost"


def _check_expenditures(conn: sa.Connection, writer: Writer, project_id: int) -> None:
    rows = conn.execute(
        sa.text("SELECT id, document_number, amount FROM pin_expenditure WHERE project_id = :p"), {"p": project_id}
    ).all()
    numbers = Counter(r.document_number for r in rows)
    acknowledged = {f"F-{a.n}": a.body["id"] for a in writer.ok()}
    for a in writer.refused():
        assert numbers[f"F-{a.n}"] == 0, f"refused expenditure F-{a.n} was written"
    assert {n: c for n, c in numbers.items() if c != 1} == {}, "an expenditure written twice"
    assert set(numbers) == set(acknowledged), "every acknowledged expenditure, and only those"
    assert sum((r.amount for r in rows), Decimal(0)) == Decimal("1.25") * len(acknowledged)
    audited = set(
        conn.execute(
            sa.text("SELECT entity_id FROM audit_entry WHERE entity = 'pin_expenditure' AND action = 'insert'")
        ).scalars()
    )
    assert {str(i) for i in acknowledged.values()} <= audited, "an acknowledged expenditure is missing from the audit"


def _check_plans(conn: sa.Connection, writer: Writer, tenant_ids: list[int]) -> None:
    objectives, activities, indicators = _template_size()
    sizes = {
        (r.tenant_id, r.year): (r.objectives, r.activities, r.indicators)
        for r in conn.execute(
            sa.text(
                """
                SELECT p.tenant_id, p.year,
                  (SELECT count(*) FROM plan_objective o WHERE o.plan_id = p.id) AS objectives,
                  (SELECT count(*) FROM plan_activity a JOIN plan_objective o ON o.id = a.objective_id
                    WHERE o.plan_id = p.id) AS activities,
                  (SELECT count(*) FROM plan_indicator i JOIN plan_activity a ON a.id = i.activity_id
                    JOIN plan_objective o ON o.id = a.objective_id WHERE o.plan_id = p.id) AS indicators
                FROM plan_plan p WHERE p.tenant_id = ANY(:t)
                """
            ),
            {"t": tenant_ids},
        )
    }
    def where(n: int) -> tuple[int, int]:
        return tenant_ids[n // len(PLAN_YEARS)], PLAN_YEARS[n % len(PLAN_YEARS)]

    for a in writer.ok():
        whole = (objectives, activities, indicators)
        assert sizes.get(where(a.n)) == whole, f"acknowledged plan {where(a.n)} is not whole"
    for a in writer.refused():
        assert where(a.n) not in sizes, f"refused plan {where(a.n)} was written ({sizes.get(where(a.n))})"
    assert set(sizes) == {where(a.n) for a in writer.ok()}
