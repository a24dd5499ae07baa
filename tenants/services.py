"""Tenant services: search, activation, provisioning, hierarchy."""

from __future__ import annotations

import sqlalchemy as sa

from core.db import db, utcnow
from tenants.collation import name_order, reader_lang
from tenants.models import Tenant, TenantKind
from tenants.names import search_keys


class TenantError(ValueError):
    """An operation on a tenant that cannot be done, with the reason."""


def find_tenants(query: str, *, kind: TenantKind | None = None, county_number: int | None = None,
                 active: bool | None = None, limit: int = 50) -> list[Tenant]:
    """Tenants whose name matches ``query`` whatever the Romanian spelling.

    "Tîrgu Secuiesc", "Targu Secuiesc" and "TÂRGU SECUIEŞC" all find
    "Târgu Secuiesc": the query and the names are compared through the two
    search keys of :func:`tenants.names.search_keys`.
    """
    key_a, key_i = search_keys(query)
    stmt = sa.select(Tenant)
    if key_a or key_i:
        stmt = stmt.where(
            sa.or_(Tenant.search_key_a.contains(key_a, autoescape=True),
                   Tenant.search_key_i.contains(key_i, autoescape=True))
        )
    if kind is not None:
        stmt = stmt.where(Tenant.kind == kind)
    if county_number is not None:
        stmt = stmt.where(Tenant.county_number == county_number)
    if active is not None:
        stmt = stmt.where(Tenant.active.is_(active))
    stmt = stmt.order_by(
        Tenant.kind, sa.func.length(Tenant.search_key_a), name_order(Tenant.display_name, reader_lang()), Tenant.id
    ).limit(limit)
    return list(db.session.execute(stmt).scalars())


def get_by_slug(slug: str) -> Tenant | None:
    """The tenant with ``slug``, if any."""
    return db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()


def get_by_siruta(siruta: int) -> Tenant | None:
    """The tenant with SIRUTA code ``siruta``, if any."""
    return db.session.execute(sa.select(Tenant).where(Tenant.siruta == siruta)).scalar_one_or_none()


def localities_of(county: Tenant) -> list[Tenant]:
    """Every locality of a county, active or not, in the reader's alphabetical order (without the prefix)."""
    if not county.is_county:
        raise TenantError(f"{county.display_name} is not a county")
    return list(
        db.session.execute(
            sa.select(Tenant).where(Tenant.parent_id == county.id)
            .order_by(name_order(Tenant.display_name, reader_lang()), Tenant.id)
        ).scalars()
    )


def locality_ids_of(county_id: int) -> list[int]:
    """The ids of a county's localities (one query)."""
    return list(db.session.execute(sa.select(Tenant.id).where(Tenant.parent_id == county_id)).scalars())


def activate(tenant: Tenant) -> Tenant:
    """Activate a tenant so it can get users, and let the enabled plugins provision it.

    Idempotent. The caller commits.
    """
    from core.plugins import host
    from core.tenancy import tenant_context

    if tenant.is_platform:
        return tenant
    if not tenant.active:
        tenant.active = True
        tenant.activated_at = utcnow()
        db.session.flush()
    plugins = host()
    with tenant_context(tenant.id):
        plugins.collect_enabled("vatra_tenant_provisioned", tenant, tenant=tenant)
        db.session.flush()
    return tenant


def deactivate(tenant: Tenant) -> Tenant:
    """Deactivate a tenant: its users lose access at once, its data stays. The caller commits."""
    if tenant.is_platform:
        raise TenantError("the platform tenant cannot be deactivated")
    tenant.active = False
    db.session.flush()
    return tenant
