"""A user's API tokens in one tenant: create (secret shown once), list, revoke.

Only the SHA-256 of a secret is stored (:func:`core.access.hash_token`); the
first characters are kept as a ``prefix`` so people can tell tokens apart.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from core.access import hash_token, new_token_secret
from core.auth.models import ApiToken, User
from core.db import db, utcnow
from tenants.models import Tenant

MAX_DAYS = 365
PREFIX_LENGTH = 10


def create_token(user: User, tenant: Tenant, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token of ``user`` for ``tenant`` living ``days`` days (1–365); returns it and its secret.

    Does not commit. The secret is not kept anywhere: show it once.
    """
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"a token lives 1–{MAX_DAYS} days")
    secret = new_token_secret()
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        tenant_id=tenant.id,
        name=name.strip(),
        prefix=secret[:PREFIX_LENGTH],
        token_hash=hash_token(secret),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def own_tokens(user: User, tenant: Tenant) -> list[ApiToken]:
    """The user's tokens for the tenant, newest first (revoked and expired ones too)."""
    return list(
        db.session.execute(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.tenant_id == tenant.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).scalars()
    )


def find_own_token(user: User, tenant: Tenant, token_id: int) -> ApiToken | None:
    """One of the user's tokens for the tenant, or None."""
    return db.session.execute(
        sa.select(ApiToken).where(
            ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.tenant_id == tenant.id
        )
    ).scalar_one_or_none()


def revoke(token: ApiToken) -> None:
    """Revoke ``token`` from now on (idempotent). Does not commit."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
