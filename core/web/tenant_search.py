"""Finding tenants by name across Romanian spellings, and switching them on or off.

A query matches when its â/î-as-``a`` key is inside a tenant's ``search_key_a``
or its â/î-as-``i`` key inside ``search_key_i`` (see :mod:`tenants.names`), so
"Tîrgu Secuiesc", "Targu Secuiesc" and "Târgu Secuiesc" all find the same place.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from core.db import db, utcnow
from tenants.collation import name_order, reader_lang
from tenants.models import Tenant, TenantKind
from tenants.names import search_keys


@dataclass(frozen=True)
class TenantFilter:
    """Name query, county (its tenant id), kind and active state."""

    q: str | None = None
    county_id: int | None = None
    kind: str | None = None
    active: bool | None = None


def tenant_select(flt: TenantFilter) -> sa.Select:
    """Tenants matching ``flt``, counties first, then by name."""
    query = sa.select(Tenant).options(selectinload(Tenant.parent))
    if flt.q and flt.q.strip():
        key_a, key_i = search_keys(flt.q)
        query = query.where(
            sa.or_(
                Tenant.search_key_a.contains(key_a, autoescape=True),
                Tenant.search_key_i.contains(key_i, autoescape=True),
            )
        )
    if flt.county_id is not None:
        query = query.where(sa.or_(Tenant.parent_id == flt.county_id, Tenant.id == flt.county_id))
    if flt.kind:
        query = query.where(Tenant.kind == TenantKind(flt.kind))
    if flt.active is not None:
        query = query.where(Tenant.active.is_(flt.active))
    order = sa.case({TenantKind.PLATFORM: 0, TenantKind.COUNTY: 1}, value=Tenant.kind, else_=2)
    return query.order_by(order, name_order(Tenant.display_name, reader_lang()), Tenant.id)


def counties() -> list[Tenant]:
    """All county tenants, by name."""
    return list(
        db.session.execute(
            sa.select(Tenant).where(Tenant.kind == TenantKind.COUNTY)
            .order_by(name_order(Tenant.display_name, reader_lang()), Tenant.id)
        ).scalars()
    )


def set_active(tenant: Tenant, active: bool) -> None:
    """Activate or deactivate ``tenant`` through :mod:`tenants.services`. Does not commit.

    Falls back to writing the flag directly while ``tenants.services`` is not
    there (activation then skips the plugins' ``vatra_tenant_provisioned``).
    """
    try:
        from tenants import services
    except ImportError:
        services = None
    if services is not None and hasattr(services, "activate") and hasattr(services, "deactivate"):
        (services.activate if active else services.deactivate)(tenant)
        return
    tenant.active = active
    if active and tenant.activated_at is None:
        tenant.activated_at = utcnow()
    db.session.flush()
