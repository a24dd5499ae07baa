"""The test plugin's one table: a greeting written by its jobs (their visible effect)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.toolkit import TenantScoped, TimestampMixin, db, tenant_table_args


class HelloGreeting(TenantScoped, TimestampMixin, db.Model):
    """One greeting per successful job run; a retried job must leave exactly one."""

    __tablename__ = "hello_greeting"

    job_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    text: Mapped[str] = mapped_column(sa.String(200), nullable=False)

    __table_args__ = tenant_table_args(sa.Index("ix_hello_greeting_tenant_job", "tenant_id", "job_id"))
