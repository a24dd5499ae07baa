"""Memberships of a tenant: who may be given which role, adding and removing people.

Shared by the members page and the members API. A removal bites at once:
memberships are read on every request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from core.auth.models import Membership, Role, User
from core.auth.passwords import hash_password
from core.db import db
from tenants.models import Tenant, TenantKind

ROLES_BY_KIND: dict[TenantKind, tuple[Role, ...]] = {
    TenantKind.PLATFORM: (Role.PLATFORM_ADMIN, Role.VIEWER),
    TenantKind.COUNTY: (Role.COUNTY_COORDINATOR, Role.TENANT_ADMIN, Role.SOCIAL_WORKER, Role.VIEWER),
    TenantKind.LOCALITY: (Role.TENANT_ADMIN, Role.SOCIAL_WORKER, Role.COUNCIL_MEMBER, Role.VIEWER),
}
ADMIN_ROLE: dict[TenantKind, Role] = {
    TenantKind.PLATFORM: Role.PLATFORM_ADMIN,
    TenantKind.COUNTY: Role.TENANT_ADMIN,
    TenantKind.LOCALITY: Role.TENANT_ADMIN,
}


class MemberError(ValueError):
    """A membership change that cannot be made; ``field`` names the culprit (or None)."""

    def __init__(self, message: str, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


@dataclass
class Added:
    """The result of adding a member: the membership and, for a new user, a one-time password."""

    membership: Membership
    new_user: bool
    temporary_password: str | None = None


def roles_for(tenant: Tenant) -> list[str]:
    """The roles that may be given in ``tenant`` (by its kind)."""
    return [r.value for r in ROLES_BY_KIND[TenantKind(tenant.kind)]]


def memberships(tenant: Tenant) -> list[Membership]:
    """The tenant's memberships, by user name then role."""
    return list(
        db.session.execute(
            sa.select(Membership)
            .join(User, Membership.user_id == User.id)
            .where(Membership.tenant_id == tenant.id)
            .order_by(User.name, User.email, Membership.role)
        ).scalars()
    )


def add_member(tenant: Tenant, email: str, role: str, name: str | None = None) -> Added:
    """Give ``email`` the ``role`` in ``tenant``; create the user when unknown (with a one-time password).

    Raises :class:`MemberError` for an inactive tenant, a role the tenant's kind
    does not have, or a role the person already holds. Does not commit.
    """
    if not tenant.active:
        raise MemberError(_("Doar instituțiile active pot avea utilizatori."), status=409)
    if role not in roles_for(tenant):
        raise MemberError(_("Rolul nu există pentru acest tip de instituție."), "role")
    email = email.strip().lower()
    user = db.session.execute(sa.select(User).where(sa.func.lower(User.email) == email)).scalar_one_or_none()
    temporary = None
    new_user = user is None
    if user is None:
        temporary = secrets.token_urlsafe(12)
        user = User(
            email=email,
            name=(name or "").strip() or email.split("@", 1)[0],
            password_hash=hash_password(temporary),
        )
        db.session.add(user)
        db.session.flush()
    elif any(m.tenant_id == tenant.id and m.role == Role(role) for m in user.memberships):
        raise MemberError(_("Persoana are deja acest rol în instituție."), "role", status=409)
    membership = Membership(user_id=user.id, tenant_id=tenant.id, role=Role(role))
    db.session.add(membership)
    db.session.flush()
    return Added(membership, new_user, temporary)


def find_membership(tenant: Tenant, membership_id: int) -> Membership | None:
    """A membership of ``tenant`` by id (None when it belongs elsewhere)."""
    return db.session.execute(
        sa.select(Membership).where(Membership.id == membership_id, Membership.tenant_id == tenant.id)
    ).scalar_one_or_none()


def remove_member(tenant: Tenant, membership: Membership) -> None:
    """Remove one membership; refuse to remove the tenant's last administrator. Does not commit."""
    admin = ADMIN_ROLE[TenantKind(tenant.kind)]
    if membership.role == admin:
        admins = db.session.execute(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.tenant_id == tenant.id, Membership.role == admin)
        ).scalar_one()
        if admins <= 1:
            raise MemberError(_("Nu puteți elimina ultimul administrator al instituției."), status=409)
    db.session.delete(membership)
    db.session.flush()
