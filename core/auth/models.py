"""Users, their memberships in tenants and their API tokens."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import IdMixin, TimestampMixin, UTCDateTime, db, utcnow
from tenants.models import Tenant


class Role(enum.StrEnum):
    """The roles a membership can carry."""

    PLATFORM_ADMIN = "platform_admin"
    COUNTY_COORDINATOR = "county_coordinator"
    TENANT_ADMIN = "tenant_admin"
    SOCIAL_WORKER = "social_worker"
    COUNCIL_MEMBER = "council_member"
    VIEWER = "viewer"


def _enum(e: type[enum.Enum], length: int = 30) -> sa.Enum:
    return sa.Enum(e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x])


SESSION_KEY_LENGTH = 16


class User(UserMixin, IdMixin, TimestampMixin, db.Model):
    """A person who signs in. Passwords are argon2 hashes, never stored plain."""

    __tablename__ = "user_account"
    __audit_redact__ = ("password_hash",)
    __audit_exclude__ = ("last_login_at",)

    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    locale: Mapped[str] = mapped_column(sa.String(5), nullable=False, default="ro")
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def session_key(self) -> str:
        """A short digest of the password hash: it changes with the password (and with every re-hash)."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:SESSION_KEY_LENGTH]

    def get_id(self) -> str:  # Flask-Login's "alternative id", kept in the signed session cookie
        """``<id>.<session key>``: a session signed in before a password change no longer loads its user."""
        return f"{self.id}.{self.session_key()}"

    def roles_in(self, tenant_id: int) -> set[Role]:
        """The roles this user holds in one tenant."""
        return {m.role for m in self.memberships if m.tenant_id == tenant_id}


class Membership(IdMixin, TimestampMixin, db.Model):
    """User × tenant × role. Checked on every request, so removal bites at once."""

    __tablename__ = "membership"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    role: Mapped[Role] = mapped_column(_enum(Role), nullable=False)

    user: Mapped[User] = relationship(back_populates="memberships")
    tenant: Mapped[Tenant] = relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "user_id", "role"),
        sa.Index("ix_membership_user", "user_id"),
    )


class ApiToken(IdMixin, db.Model):
    """A bearer token of one user for one tenant; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    __audit_redact__ = ("token_hash",)
    __audit_exclude__ = ("last_used_at",)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    prefix: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    tenant: Mapped[Tenant] = relationship()

    __table_args__ = (sa.Index("ix_api_token_tenant_user", "tenant_id", "user_id"),)

    def usable(self, now: dt.datetime | None = None) -> bool:
        """Neither revoked nor expired."""
        now = now or utcnow()
        return self.revoked_at is None and self.expires_at > now


class InactiveTenantError(ValueError):
    """Only active tenants get users."""


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _only_active_tenants_get_users(session: sa.orm.Session, flush_context: object, instances: object) -> None:
    for obj in session.new:
        if isinstance(obj, Membership):
            tenant = obj.tenant or session.get(Tenant, obj.tenant_id)
            if tenant is None or not tenant.active:
                raise InactiveTenantError("only active tenants get users: activate the tenant first")
