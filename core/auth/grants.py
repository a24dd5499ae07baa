"""Who may grant which role where: the one table, repeated word for word in SECURITY.md.

Two kinds of granter:

* a tenant's **own administrator** (``tenant_admin`` of that tenant, or
  ``platform_admin`` in the platform tenant) grants the roles of
  :data:`OWN_ADMIN_GRANTS` for the tenant's kind, in that tenant only;
* the **operator** (``platform_admin`` of the platform tenant) grants the
  roles of :data:`OPERATOR_GRANTS` in any tenant — notably a tenant's first
  administrator and a county's coordinators.

Nobody grants, removes or resets anything about their own account
(:func:`may_manage`). A role outside the table cannot be granted through
the pages or the API; the operator's command line (``vatra users create``)
remains the way in for the very first platform administrator.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.auth.models import Membership, Role, User
from tenants.models import Tenant, TenantKind

OWN_ADMIN_GRANTS: dict[TenantKind, frozenset[Role]] = {
    TenantKind.LOCALITY: frozenset({Role.TENANT_ADMIN, Role.SOCIAL_WORKER, Role.COUNCIL_MEMBER, Role.VIEWER}),
    TenantKind.COUNTY: frozenset({Role.TENANT_ADMIN, Role.SOCIAL_WORKER, Role.VIEWER}),
    TenantKind.PLATFORM: frozenset({Role.PLATFORM_ADMIN, Role.VIEWER}),
}
"""What a tenant's own administrator grants in that tenant (a county's never grants county coordinator)."""

OPERATOR_GRANTS: dict[TenantKind, frozenset[Role]] = {
    TenantKind.LOCALITY: frozenset({Role.TENANT_ADMIN, Role.SOCIAL_WORKER, Role.COUNCIL_MEMBER, Role.VIEWER}),
    TenantKind.COUNTY: frozenset({Role.COUNTY_COORDINATOR, Role.TENANT_ADMIN, Role.SOCIAL_WORKER, Role.VIEWER}),
    TenantKind.PLATFORM: frozenset({Role.PLATFORM_ADMIN, Role.VIEWER}),
}
"""What the operator grants in any tenant (the first tenant admin, a county's coordinators...)."""

OWN_ADMIN_ROLE: dict[TenantKind, Role] = {
    TenantKind.PLATFORM: Role.PLATFORM_ADMIN,
    TenantKind.COUNTY: Role.TENANT_ADMIN,
    TenantKind.LOCALITY: Role.TENANT_ADMIN,
}
"""The role that makes someone a tenant's own administrator."""


def roles_of_kind(kind: TenantKind | str) -> list[Role]:
    """Every role a tenant of ``kind`` can hold, in the table's order."""
    kind = TenantKind(kind)
    order = list(Role)
    return sorted(OPERATOR_GRANTS[kind] | OWN_ADMIN_GRANTS[kind], key=order.index)


def is_operator(user: User) -> bool:
    """Whether ``user`` is a platform administrator (holds ``platform_admin`` in the platform tenant)."""
    return any(m.role == Role.PLATFORM_ADMIN and m.tenant.is_platform for m in user.memberships)


def grantable(granter: User, tenant: Tenant) -> frozenset[Role]:
    """The roles ``granter`` may grant in ``tenant`` (empty when none)."""
    kind = TenantKind(tenant.kind)
    roles: set[Role] = set()
    if OWN_ADMIN_ROLE[kind] in granter.roles_in(tenant.id):
        roles |= OWN_ADMIN_GRANTS[kind]
    if is_operator(granter):
        roles |= OPERATOR_GRANTS[kind]
    return frozenset(roles)


def may_grant(granter: User, tenant: Tenant, role: Role | str) -> bool:
    """Whether ``granter`` may give (or take away) ``role`` in ``tenant``."""
    return Role(role) in grantable(granter, tenant)


def may_manage(granter: User, holder: User, memberships: Iterable[Membership] | None = None) -> bool:
    """Whether ``granter`` could grant every one of ``holder``'s memberships (and is not ``holder``).

    This is what resetting someone's password needs: an administrator may
    reset only an account whose every right they could have given themselves.
    """
    if granter.id == holder.id:
        return False
    held = list(holder.memberships if memberships is None else memberships)
    return all(may_grant(granter, m.tenant, m.role) for m in held)
