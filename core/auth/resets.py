"""Lost passwords: signed, single-use, one-hour links, and what every password change ends.

A link carries the user's id and a fingerprint of the current password hash,
signed with the app's ``SECRET_KEY`` (itsdangerous). Setting a password
changes the hash, so the link works once; after :data:`MAX_AGE_SECONDS` it
does not work at all. Links are sent by e-mail to their holder (the
"forgot password" page), issued by an administrator who could grant every
one of the account's memberships (:func:`core.auth.grants.may_manage`), or
printed by the operator's ``vatra users reset-password``.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from core.auth.models import ApiToken, User
from core.auth.passwords import hash_password
from core.auth.sessions import end_user_sessions
from core.db import db, utcnow

MAX_AGE_SECONDS = 3600
SALT = "vatra-password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_token(user: User) -> str:
    """A reset token for ``user``: good for one password change within the hour."""
    return _serializer().dumps({"u": user.id, "p": _fingerprint(user)})


def user_for_token(token: str) -> User | None:
    """The active user a token was made for, while it is fresh and unused; else None."""
    if not token or len(token) > 500:
        return None
    try:
        data = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or data.get("p") != _fingerprint(user):
        return None
    return user


def revoke_tokens(user_id: int, tenant_id: int | None = None) -> int:
    """Revoke the user's live API tokens (in one tenant, or all); how many. Does not commit."""
    query = sa.select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    if tenant_id is not None:
        query = query.where(ApiToken.tenant_id == tenant_id)
    now = utcnow()
    tokens = list(db.session.execute(query).scalars())
    for token in tokens:  # through the ORM, so each revocation is audited
        token.revoked_at = now
    db.session.flush()
    return len(tokens)


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password: every session of theirs ends and every API token is revoked.

    Does not commit. The caller signs the current browser in again when it is
    the holder's own (:func:`core.auth.sessions.sign_in`).
    """
    user.password_hash = hash_password(password)
    db.session.flush()
    end_user_sessions(user.id, "password")
    revoke_tokens(user.id)
