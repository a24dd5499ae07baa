"""Reading a tenant's audit log: filters shared by the audit page and the audit API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from core.audit import AuditEntry
from core.auth.models import User
from core.db import clamp_page, db


@dataclass(frozen=True)
class AuditFilter:
    """What to show: an entity (table) and id, an acting user, a range of local calendar days."""

    entity: str | None = None
    entity_id: str | None = None
    user_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone).astimezone(dt.UTC)


def audit_select(tenant_id: int, flt: AuditFilter, timezone: str = "Europe/Bucharest") -> sa.Select:
    """The tenant's entries matching ``flt``, newest first (days are read in ``timezone``)."""
    zone = ZoneInfo(timezone)
    query = sa.select(AuditEntry).where(AuditEntry.tenant_id == tenant_id)
    if flt.entity:
        query = query.where(AuditEntry.entity == flt.entity)
    if flt.entity_id:
        query = query.where(AuditEntry.entity_id == str(flt.entity_id))
    if flt.user_id is not None:
        query = query.where(AuditEntry.actor_user_id == flt.user_id)
    if flt.date_from:
        query = query.where(AuditEntry.at >= _local_midnight(flt.date_from, zone))
    if flt.date_to:
        query = query.where(AuditEntry.at < _local_midnight(flt.date_to + dt.timedelta(days=1), zone))
    return query.order_by(AuditEntry.seq.desc())


def entities(tenant_id: int) -> list[str]:
    """The entity names that occur in the tenant's log."""
    return list(
        db.session.execute(
            sa.select(AuditEntry.entity).where(AuditEntry.tenant_id == tenant_id).distinct().order_by(AuditEntry.entity)
        ).scalars()
    )


def actors(tenant_id: int) -> list[tuple[int, str]]:
    """The users who acted in the tenant's log: ``(id, "Name <email>")``."""
    ids = sa.select(AuditEntry.actor_user_id).where(
        AuditEntry.tenant_id == tenant_id, AuditEntry.actor_user_id.is_not(None)
    ).distinct()
    rows = db.session.execute(sa.select(User.id, User.name, User.email).where(User.id.in_(ids)).order_by(User.name))
    return [(uid, f"{name} <{email}>") for uid, name, email in rows]


def page(query: sa.Select, number: int, size: int) -> tuple[list[AuditEntry], int]:
    """One page of ``query`` and the total number of entries."""
    total = db.session.execute(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    items = list(db.session.execute(query.limit(size).offset((clamp_page(number) - 1) * size)).scalars())
    return items, total
