"""Server-side session records: a signed-in browser session exists only while its row says so.

The cookie (Flask's signed session) carries ``<user id>.<secret>`` under
Flask-Login's ``_user_id``; the row keeps the secret's SHA-256. Every
request looks the row up (:func:`load_user`): an ended row (logout, a
password change, a removed membership) or one idle for longer than
``SESSION_IDLE_SECONDS`` (8 h) signs the request out and drops the cookie's
CSRF token with it — a cookie copied before logout stops working.
"""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request, session

from core.auth.models import User, UserSession
from core.db import db, utcnow

TOUCH_SECONDS = 60
"""``last_seen_at`` is written at most this often per session (a write per request is waste)."""

COOKIE_KEY = "_user_id"  # Flask-Login's key in the session cookie


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(user: User, ip: str | None = None) -> str:
    """Record a new session of ``user``; returns the value the cookie carries. Does not commit."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(user_id=user.id, key_hash=_hash(secret), created_at=now, last_seen_at=now, ip=ip))
    db.session.flush()
    return f"{user.id}.{secret}"


def sign_in(user: User) -> None:
    """Start a fresh session for ``user`` in this browser (after a good password). Does not commit.

    The cookie's other contents are dropped but for the chosen language, so
    the CSRF token of the anonymous page does not carry over either.
    """
    from flask_login import login_user

    value = open_session(user, request.remote_addr)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    session[COOKIE_KEY] = value
    g.user_session_id = _find_id(value)


def _find_id(value: str) -> int | None:
    _ident, _, secret = value.partition(".")
    return db.session.execute(sa.select(UserSession.id).where(UserSession.key_hash == _hash(secret))).scalar()


def current_session_id() -> int | None:
    """The id of the request's session row (None for an API token or anonymous request)."""
    return g.get("user_session_id") if has_request_context() else None


def _forget_cookie() -> None:
    session.pop(COOKIE_KEY, None)
    session.pop("_fresh", None)
    session.pop("csrf_token", None)  # the forms' CSRF token dies with the session


def _end_now(session_id: int, reason: str) -> None:
    with db.engine.begin() as conn:  # its own transaction: the request may still roll back
        conn.execute(
            sa.update(UserSession)
            .where(UserSession.id == session_id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason=reason)
        )


def load_user(value: str) -> User | None:
    """The user of the cookie's session, when its row is live; otherwise None and the cookie is emptied."""
    ident, _, secret = value.partition(".")
    if not ident.isdigit() or not secret:
        _forget_cookie()
        return None
    row = db.session.execute(sa.select(UserSession).where(UserSession.key_hash == _hash(secret))).scalar_one_or_none()
    if row is None or row.user_id != int(ident) or row.ended_at is not None:
        _forget_cookie()
        return None
    now = utcnow()
    idle = (now - row.last_seen_at).total_seconds()
    if idle > current_app.config["SESSION_IDLE_SECONDS"]:
        _end_now(row.id, "idle")
        _forget_cookie()
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        _forget_cookie()
        return None
    if idle > TOUCH_SECONDS:
        with db.engine.begin() as conn:
            conn.execute(sa.update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    g.user_session_id = row.id
    return user


def end_session(session_id: int | None, reason: str) -> None:
    """End one session (logout). Does not commit."""
    if session_id is None:
        return
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.id == session_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def end_user_sessions(user_id: int, reason: str) -> int:
    """End every live session of a user (password change, removed membership); how many. Does not commit."""
    result = db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    return result.rowcount or 0
