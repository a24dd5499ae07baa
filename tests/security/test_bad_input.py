"""Bad input answers 4xx naming the field and the reason — never a 5xx — and writes nothing but a denial's audit.

Each case is one the outside review turned into a 500 (or a lost audit entry)
on the production-like setup.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from core import tenancy
from core.audit import AuditEntry
from core.auth.models import Role
from core.db import db
from core.testing import api_headers, login
from tests.security.world import World, changed_tables, snapshot

FAR_DATES = ("9999-12-31", "0001-01-01")


def _audit_count(world: World, tenant_id: int, action: str) -> int:
    with world.app.app_context(), tenancy.tenant_context(tenant_id):
        return db.session.execute(
            sa.select(sa.func.count()).select_from(AuditEntry).where(
                AuditEntry.tenant_id == tenant_id, AuditEntry.action == action
            )
        ).scalar_one()


def test_audit_filters_far_in_the_past_or_future_are_422_naming_the_field(world: World) -> None:
    tenant = world.a1
    admin = world.user(tenant, Role.TENANT_ADMIN)
    page = login(world.app.test_client(), admin)
    api = world.app.test_client()
    with world.app.app_context():
        headers = api_headers(admin, tenant)
    for day in FAR_DATES:
        for name in ("date_from", "date_to"):
            html = page.get(f"/t/{tenant.slug}/audit?{name}={day}")
            assert html.status_code == 422, (name, day, html.status_code)
            assert "Data trebuie să fie între 01.01.2000" in html.get_data(as_text=True)
            answer = api.get(f"/api/v1/t/{tenant.slug}/audit?{name}={day}", headers=headers)
            assert answer.status_code == 422, (name, day, answer.status_code)
            assert name in answer.get_json()["errors"]["query"]
    assert page.get(f"/t/{tenant.slug}/audit?date_from=2026-01-01&date_to=2026-01-31").status_code == 200


def test_a_deeply_nested_json_body_is_400_and_writes_nothing(world: World) -> None:
    tenant = world.a1
    user = world.user(tenant, Role.SOCIAL_WORKER)
    client = world.app.test_client()
    with world.app.app_context():
        headers = api_headers(user, tenant)
    before = snapshot(world.app, [tenant.id], audit=False)
    for body in ("[" * 100_000, "[" * 40 + "]" * 40, '{"a":' * 40 + "1" + "}" * 40):
        answer = client.post(
            f"/api/v1/t/{tenant.slug}/plans/", data=body, headers={**headers, "Content-Type": "application/json"}
        )
        assert answer.status_code == 400, answer.status_code
        assert "prea adânc" in answer.get_json()["errors"]["json"]["_schema"][0]
    assert changed_tables(before, snapshot(world.app, [tenant.id], audit=False)) == []
    # an ordinary body still gets its ordinary answer (422 naming the field)
    answer = client.post(f"/api/v1/t/{tenant.slug}/plans/", json={"year": 1}, headers=headers)
    assert answer.status_code == 422 and "year" in answer.get_json()["errors"]["json"]


def test_a_long_request_id_is_replaced_and_the_denial_stays_audited(pg_world: World) -> None:
    world, tenant = pg_world, pg_world.a1
    viewer = world.user(tenant, Role.VIEWER)
    client = world.app.test_client()
    with world.app.app_context():
        headers = api_headers(viewer, tenant)
    denials = _audit_count(world, tenant.id, "denied")
    for request_id in ("x" * 65, "ä" * 10, "a b"):
        answer = client.post(
            f"/api/v1/t/{tenant.slug}/plans/", json={"year": 2026}, headers={**headers, "X-Request-Id": request_id}
        )
        assert answer.status_code == 403, answer.status_code
    assert _audit_count(world, tenant.id, "denied") == denials + 3
    kept = "req-1234.abc_DEF:9"
    assert client.post(
        f"/api/v1/t/{tenant.slug}/plans/", json={"year": 2026}, headers={**headers, "X-Request-Id": kept}
    ).status_code == 403
    with world.app.app_context(), tenancy.tenant_context(tenant.id):
        ids = db.session.execute(
            sa.select(AuditEntry.request_id).where(AuditEntry.tenant_id == tenant.id, AuditEntry.action == "denied")
            .order_by(AuditEntry.seq.desc()).limit(4)
        ).scalars().all()
    assert ids[0] == kept
    assert all(len(i) == 32 and i.isalnum() for i in ids[1:])  # fresh ids in place of the refused ones


def test_a_report_period_from_year_1_to_9999_is_422_and_starts_no_job(world: World) -> None:
    county = world.county_a
    user = world.user(county, Role.COUNTY_COORDINATOR)
    project = world.objects[county.id]["pin_project"]
    client = world.app.test_client()
    with world.app.app_context():
        headers = api_headers(user, county)
    before = snapshot(world.app, [county.id], audit=False)
    answer = client.post(
        f"/api/v1/t/{county.slug}/projects/{project}/reports",
        json={"kind": "financial_xlsx", "start": "0001-01-01", "end": "9999-12-31"},
        headers=headers,
    )
    assert answer.status_code == 422, answer.status_code
    assert set(answer.get_json()["errors"]["json"]) == {"start", "end"}
    page = login(world.app.test_client(), user)
    from core.testing import csrf_token

    form = page.post(
        f"/t/{county.slug}/projects/{project}/reports",
        data={"kind": "financial_xlsx", "start": "0001-01-01", "end": "9999-12-31", "csrf_token": csrf_token(page)},
    )
    assert form.status_code in {302, 422}, form.status_code
    assert changed_tables(before, snapshot(world.app, [county.id], audit=False)) == []
    for day in FAR_DATES:  # the county's compliance date
        answer = client.get(f"/api/v1/t/{county.slug}/county/?by={day}", headers=headers)
        assert answer.status_code == 422 and "by" in answer.get_json()["errors"]["query"]
        assert page.get(f"/t/{county.slug}/county/?by={day}").status_code == 200  # the page falls back


def test_the_county_open_data_csv_names_its_file_the_rfc_6266_way(world: World) -> None:
    """gunicorn refuses a header that is not latin-1: "Județul" used to be a 500 after an "export" audit row."""
    county = world.county_a
    user = world.user(county, Role.COUNTY_COORDINATOR)
    client = login(world.app.test_client(), user)
    exports = _audit_count(world, county.id, "export")
    answer = client.get(f"/t/{county.slug}/county/open-data.csv")
    assert answer.status_code == 200
    disposition = answer.headers["Content-Disposition"]
    disposition.encode("latin-1")  # what gunicorn does with every header value
    assert disposition.startswith("attachment; filename=")
    assert "filename*=UTF-8''Judet%20Jude%C8%9Bul%20Covasna" in disposition
    assert _audit_count(world, county.id, "export") == exports + 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _gunicorn(world: World, log: Path):
    """gunicorn on 127.0.0.1 serving the world's database; stopped (then killed) on the way out."""
    config = world.app.config
    with world.app.app_context():
        db.engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VATRA_DEBUG", "DATABASE_", "REDIS_"))}
    env.update(DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY=config["SECRET_KEY"],
               VATRA_FILES=config["VATRA_FILES"])
    port = _free_port()
    root = Path(__file__).resolve().parents[2]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "30",
             "--graceful-timeout", "5", "--chdir", str(root), "core.app:create_app()"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz within 60 s"
            time.sleep(0.2)
        yield port
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def test_the_county_open_data_csv_downloads_under_gunicorn(world: World, tmp_path: Path) -> None:
    county = world.county_a
    user = world.user(county, Role.COUNTY_COORDINATOR)
    with world.app.app_context():
        headers = api_headers(user, county)
    exports = _audit_count(world, county.id, "export")
    with _gunicorn(world, tmp_path / "gunicorn.log") as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", f"/t/{county.slug}/county/open-data.csv", headers=headers)
        answer = conn.getresponse()
        body = answer.read()
        conn.close()
    assert answer.status == 200, (answer.status, (tmp_path / "gunicorn.log").read_text(errors="replace")[-2000:])
    assert "filename*=UTF-8''Judet%20Jude%C8%9Bul" in answer.getheader("Content-Disposition")
    assert body.decode("utf-8-sig").count("\n") >= 2
    assert _audit_count(world, county.id, "export") == exports + 1
