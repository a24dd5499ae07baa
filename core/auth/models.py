"""Users, their memberships in tenants and their API tokens."""

from __future__ import annotations

import datetime as dt
import enum

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

    def get_id(self) -> str:  # Flask-Login; the cookie then carries a session record's key (core.auth.sessions)
        return str(self.id)

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


class UserSession(IdMixin, db.Model):
    """A signed-in browser session, checked on every request (:mod:`core.auth.sessions`).

    The cookie carries ``<user id>.<secret>``; only the SHA-256 of the secret
    is stored. Logout, idleness, a password change or a removed membership
    set ``ended_at``, and a copied cookie stops working with it. Not audited
    row by row: signing in and out are audited as events.
    """

    __tablename__ = "user_session"
    __audited__ = False

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(sa.String(20))
    ip: Mapped[str | None] = mapped_column(sa.String(45))

    __table_args__ = (sa.Index("ix_user_session_user", "user_id"),)


class Invitation(IdMixin, db.Model):
    """An invitation to take ``role`` in a tenant, sent to an e-mail address; valid 72 h, used once.

    Only the SHA-256 of its code is stored. A person without an account sets
    their own password with the code; one who has an account accepts it after
    signing in with their own password (:mod:`core.auth.invitations`).
    """

    __tablename__ = "invitation"
    __audit_redact__ = ("code_hash",)

    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(_enum(Role), nullable=False)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    tenant: Mapped[Tenant] = relationship(lazy="joined")

    __table_args__ = (sa.Index("ix_invitation_tenant_email", "tenant_id", "email"),)

    def usable(self, now: dt.datetime | None = None) -> bool:
        """Neither accepted, revoked nor expired."""
        now = now or utcnow()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class InactiveTenantError(ValueError):
    """Only active tenants get users."""


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _only_active_tenants_get_users(session: sa.orm.Session, flush_context: object, instances: object) -> None:
    for obj in session.new:
        if isinstance(obj, Membership):
            tenant = obj.tenant or session.get(Tenant, obj.tenant_id)
            if tenant is None or not tenant.active:
                raise InactiveTenantError("only active tenants get users: activate the tenant first")
