"""The county overview's own table: each county's targets."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.toolkit import TenantScoped, TimestampMixin, db, tenant_table_args


class CountyTarget(TenantScoped, TimestampMixin, db.Model):
    """A county's target for one figure of its page (a council count or an indicator code).

    A county without a row for a figure has no target for it: the pages show
    the figure alone, never a target the county did not set.
    """

    __tablename__ = "county_target"

    key: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    target: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    source: Mapped[str | None] = mapped_column(sa.String(300))

    __table_args__ = tenant_table_args(sa.UniqueConstraint("tenant_id", "key"))
