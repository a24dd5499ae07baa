"""``/healthz``: is the database there, is Redis there (when configured)."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from core.access import require
from core.db import db

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


def _problem(what: str, exc: BaseException) -> str:
    """The answer names only the kind of failure (the page is public); the log has the details."""
    log.warning("health check: %s unreachable: %s", what, exc)
    return f"error: {type(exc).__name__}"


def check_database() -> str:
    """``"ok"`` or a short description of the failure."""
    try:
        db.session.execute(sa.text("SELECT 1")).scalar_one()
    except Exception as exc:  # noqa: BLE001 - any failure is reported, none raised
        db.session.rollback()
        return _problem("database", exc)
    finally:
        db.session.remove()
    return "ok"


def check_redis() -> str:
    """``"ok"``, ``"not configured"`` or a short description of the failure."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001
        return _problem("redis", exc)
    return "ok"


@bp.get("/healthz")
@require("public")
def healthz() -> Any:
    """``{"status", "database", "redis"}``; 503 when the database is down, "degraded" when Redis is."""
    database = check_database()
    redis_state = check_redis()
    healthy = database == "ok" and redis_state in {"ok", "not configured"}
    body = {"status": "ok" if healthy else "degraded", "database": database, "redis": redis_state}
    response = jsonify(body)
    response.status_code = 200 if database == "ok" else 503
    response.headers["Cache-Control"] = "no-store"
    return response
