"""The plan read API written by hand on raw psycopg: the baseline of the plan-read benchmark.

    gunicorn -w 2 --pythonpath benchmarks baseline_app:app

``GET /api/v1/t/<tenant>/plans/<plan_id>`` answers the same JSON as the
platform's endpoint (``PlanTreeSchema``) with the least a hand-written
endpoint must still do: look the bearer token up (SHA-256, not revoked, not
expired, of this tenant), set the tenant scope for Row-Level Security in the
transaction (it connects as the same non-owner role), and read the tree with
one query per level, as the ORM's ``selectinload`` does. No ORM, no
marshmallow, no plugin host, no audit; one connection per worker process.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask, Response, abort, request

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

STATUS_LABELS = {
    "draft": "ciornă",
    "submitted": "transmis consiliului consultativ",
    "endorsed": "avizat de consiliul consultativ",
    "approved": "aprobat prin HCL",
    "in_implementation": "în implementare",
    "evaluated": "evaluat",
}
LOCKED = {"endorsed", "approved", "in_implementation", "evaluated"}
NEXT_STEPS = {
    "draft": ["submitted"],
    "submitted": ["draft", "endorsed"],
    "endorsed": ["approved"],
    "approved": ["in_implementation"],
    "in_implementation": ["evaluated"],
    "evaluated": [],
}

app = Flask("baseline")
_conn: psycopg.Connection[Any] | None = None


def connection() -> psycopg.Connection[Any]:
    """This worker's connection (as the application role, UTC)."""
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(common.libpq(common.app_url()), options="-c TimeZone=UTC")
    return _conn


def _num(value: decimal.Decimal | None) -> str | None:
    return None if value is None else str(value)


def _when(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _rows(cur: psycopg.Cursor[Any], sql: str, *args: Any) -> list[tuple[Any, ...]]:
    cur.execute(sql, args)
    return cur.fetchall()


def plan_tree(cur: psycopg.Cursor[Any], tenant_id: int, plan_id: int) -> dict[str, Any] | None:
    """The plan as the platform's PlanTreeSchema dumps it."""
    found = _rows(
        cur,
        "SELECT id, year, revision, is_current, status, title, version, updated_at, institution, introduction,"
        " legal_basis, general_objective, language FROM plan_plan WHERE tenant_id = %s AND id = %s",
        tenant_id, plan_id,
    )
    if not found:
        return None
    (pid, year, revision, is_current, status, title, version, updated_at, institution, introduction, legal_basis,
     general_objective, language) = found[0]
    principles = _rows(cur, "SELECT id, position, title, text FROM plan_principle WHERE tenant_id = %s"
                       " AND plan_id = %s ORDER BY position", tenant_id, pid)
    specific = _rows(cur, "SELECT id, position, text FROM plan_specific_objective WHERE tenant_id = %s"
                     " AND plan_id = %s ORDER BY position", tenant_id, pid)
    signatories = _rows(cur, "SELECT role, name, function FROM plan_signatory WHERE tenant_id = %s"
                        " AND plan_id = %s ORDER BY id", tenant_id, pid)
    objectives = _rows(cur, "SELECT id, number, title, version FROM plan_objective WHERE tenant_id = %s"
                       " AND plan_id = %s ORDER BY number, id", tenant_id, pid)
    activities = _rows(cur, "SELECT id, objective_id, position, text, schedule_months, budget_estimate, version"
                       " FROM plan_activity WHERE tenant_id = %s AND plan_id = %s ORDER BY position, id",
                       tenant_id, pid)
    activity_ids = [a[0] for a in activities]
    responsible = _rows(cur, "SELECT id, activity_id, position, name FROM plan_responsible WHERE tenant_id = %s"
                        " AND activity_id = ANY(%s) ORDER BY position", tenant_id, activity_ids)
    indicators = _rows(cur, "SELECT id, activity_id, position, label, unit, target, baseline, code, version"
                       " FROM plan_indicator WHERE tenant_id = %s AND activity_id = ANY(%s) ORDER BY position, id",
                       tenant_id, activity_ids)
    by_activity_resp: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for rid, activity_id, position, name in responsible:
        by_activity_resp[activity_id].append({"id": rid, "position": position, "name": name})
    by_activity_ind: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for iid, activity_id, position, label, unit, target, baseline, code, iversion in indicators:
        by_activity_ind[activity_id].append({
            "id": iid, "position": position, "label": label, "unit": unit, "target": _num(target),
            "baseline": _num(baseline), "code": code, "version": iversion,
        })
    by_objective: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for aid, objective_id, position, text, months, budget, aversion in activities:
        by_objective[objective_id].append({
            "id": aid, "objective_id": objective_id, "position": position, "text": text,
            "schedule_months": list(months or []), "budget_estimate": _num(budget), "version": aversion,
            "responsible": by_activity_resp[aid], "indicators": by_activity_ind[aid],
        })
    return {
        "id": pid, "year": year, "revision": revision, "is_current": is_current, "status": status,
        "status_label": STATUS_LABELS[status], "locked": status in LOCKED or not is_current, "title": title,
        "version": version, "updated_at": _when(updated_at), "institution": institution,
        "introduction": introduction, "legal_basis": legal_basis, "general_objective": general_objective,
        "language": language,
        "principles": [{"id": i, "position": p, "title": t, "text": x} for i, p, t, x in principles],
        "specific_objectives": [{"id": i, "position": p, "text": x} for i, p, x in specific],
        "signatories": [{"role": r, "name": n, "function": f} for r, n, f in signatories],
        "objectives": [
            {"id": oid, "number": number, "title": otitle, "version": oversion, "activities": by_objective[oid]}
            for oid, number, otitle, oversion in objectives
        ],
        "allowed_transitions": NEXT_STEPS[status] if is_current else [],
    }


@app.get("/api/v1/t/<tenant>/plans/<int:plan_id>")
def plan(tenant: str, plan_id: int) -> Response:
    """One plan's tree, like the platform's ``GET /api/v1/t/<tenant>/plans/<id>``."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        abort(401)
    digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()
    conn = connection()
    with conn.transaction(), conn.cursor() as cur:
        token = _rows(
            cur,
            "SELECT tenant.id FROM api_token JOIN tenant ON tenant.id = api_token.tenant_id WHERE token_hash = %s"
            " AND revoked_at IS NULL AND expires_at > now() AND tenant.slug = %s AND tenant.active",
            digest, tenant,
        )
        if not token:
            abort(404)
        tenant_id = token[0][0]
        cur.execute(
            "SELECT set_config('vatra.read_tenants', %s, true), set_config('vatra.write_tenant', %s, true),"
            " set_config('vatra.system', 'off', true)",
            (str(tenant_id), str(tenant_id)),
        )
        body = plan_tree(cur, tenant_id, plan_id)
    if body is None:
        abort(404)
    return Response(json.dumps(body, ensure_ascii=False, sort_keys=True), mimetype="application/json")


@app.get("/healthz")
def health() -> Response:
    """Up."""
    return Response("ok", mimetype="text/plain")
