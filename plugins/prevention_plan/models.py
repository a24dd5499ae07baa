"""The annual prevention plan: its sections, objectives, indicators, values and approval chain.

Every table is tenant-scoped and prefixed ``plan_``; children point to their
parents with composite ``(tenant_id, …)`` foreign keys so the database itself
refuses a row that points into another tenant. The council that endorses a
plan is the tenant's own (:class:`tenants.Council`), not a copy.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.toolkit import Money, TenantScoped, TimestampMixin, UTCDateTime, db, tenant_fk, tenant_table_args, utcnow

QUANTITY = sa.Numeric(18, 4, asdecimal=True)
"""Indicator targets, baselines and values: exact decimals (counts, hours, percentages)."""


class PlanStatus(enum.StrEnum):
    """Where a plan stands in its approval chain."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ENDORSED = "endorsed"
    APPROVED = "approved"
    IN_IMPLEMENTATION = "in_implementation"
    EVALUATED = "evaluated"


LOCKED_STATUSES = frozenset(
    {PlanStatus.ENDORSED, PlanStatus.APPROVED, PlanStatus.IN_IMPLEMENTATION, PlanStatus.EVALUATED}
)
"""After the council's aviz the content is frozen; a change needs a new revision."""


class SignatoryRole(enum.StrEnum):
    """Who signs the plan, as on the official document."""

    DRAWN_UP_BY = "drawn_up_by"
    CHAIR_OF_SESSION = "chair_of_session"
    SECRETARY_GENERAL = "secretary_general"


def _enum(e: type[enum.Enum], length: int = 30) -> sa.Enum:
    return sa.Enum(e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x])


class Plan(TenantScoped, TimestampMixin, db.Model):
    """One revision of a locality's plan for one year.

    Revisions are kept: ``(tenant_id, year, revision)`` is unique and exactly
    one revision per tenant and year is the current one (``is_current``).
    """

    __tablename__ = "plan_plan"

    year: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    revision: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=1)
    is_current: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus), nullable=False, default=PlanStatus.DRAFT)
    title: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    institution: Mapped[str | None] = mapped_column(sa.String(300))
    introduction: Mapped[str | None] = mapped_column(sa.Text)  # paragraphs separated by a blank line
    legal_basis: Mapped[str | None] = mapped_column(sa.Text)  # one act per line
    general_objective: Mapped[str | None] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(5), nullable=False, default="ro")
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    principles: Mapped[list[PlanPrinciple]] = relationship(
        back_populates="plan",
        foreign_keys="PlanPrinciple.plan_id",
        order_by="PlanPrinciple.position",
        cascade="all, delete-orphan",
    )
    specific_objectives: Mapped[list[PlanSpecificObjective]] = relationship(
        back_populates="plan",
        foreign_keys="PlanSpecificObjective.plan_id",
        order_by="PlanSpecificObjective.position",
        cascade="all, delete-orphan",
    )
    objectives: Mapped[list[StrategicObjective]] = relationship(
        back_populates="plan",
        foreign_keys="StrategicObjective.plan_id",
        order_by="[StrategicObjective.number, StrategicObjective.id]",
        cascade="all, delete-orphan",
    )
    signatories: Mapped[list[Signatory]] = relationship(
        back_populates="plan", foreign_keys="Signatory.plan_id", order_by="Signatory.id", cascade="all, delete-orphan"
    )
    transitions: Mapped[list[PlanTransition]] = relationship(
        back_populates="plan",
        foreign_keys="PlanTransition.plan_id",
        order_by="PlanTransition.id",
        cascade="all, delete-orphan",
    )
    documents: Mapped[list[PlanDocument]] = relationship(
        back_populates="plan",
        foreign_keys="PlanDocument.plan_id",
        order_by="PlanDocument.id",
        cascade="all, delete-orphan",
    )
    evaluation: Mapped[PlanEvaluation | None] = relationship(
        back_populates="plan", foreign_keys="PlanEvaluation.plan_id", cascade="all, delete-orphan", uselist=False
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = tenant_table_args(
        sa.UniqueConstraint("tenant_id", "year", "revision"),
        sa.Index(
            "uq_plan_plan_current",
            "tenant_id",
            "year",
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        ),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        sa.CheckConstraint("revision >= 1", name="revision_positive"),
    )

    @property
    def locked(self) -> bool:
        """Whether the content is frozen (endorsed or later, or an older revision)."""
        return self.status in LOCKED_STATUSES or not self.is_current

    def signatory(self, role: SignatoryRole) -> Signatory | None:
        """The signatory in ``role``, if recorded."""
        return next((s for s in self.signatories if s.role == role), None)

    def __repr__(self) -> str:
        return f"<Plan {self.year} r{self.revision} {self.status}>"


class PlanPrinciple(TenantScoped, TimestampMixin, db.Model):
    """A guiding principle: a bold title and its text, in order."""

    __tablename__ = "plan_principle"

    plan_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    position: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")

    plan: Mapped[Plan] = relationship(back_populates="principles", foreign_keys=[plan_id])

    __table_args__ = tenant_table_args(
        tenant_fk("plan_id", "plan_plan"), sa.Index("ix_plan_principle_tenant_plan", "tenant_id", "plan_id")
    )


class PlanSpecificObjective(TenantScoped, TimestampMixin, db.Model):
    """A specific objective of the plan (a sentence), in order."""

    __tablename__ = "plan_specific_objective"

    plan_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    position: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)

    plan: Mapped[Plan] = relationship(back_populates="specific_objectives", foreign_keys=[plan_id])

    __table_args__ = tenant_table_args(
        tenant_fk("plan_id", "plan_plan"),
        sa.Index("ix_plan_specific_objective_tenant_plan", "tenant_id", "plan_id"),
    )


class StrategicObjective(TenantScoped, TimestampMixin, db.Model):
    """A numbered strategic objective: the first column of the plan's table."""

    __tablename__ = "plan_objective"

    plan_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    number: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    title: Mapped[str] = mapped_column(sa.Text, nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    plan: Mapped[Plan] = relationship(back_populates="objectives", foreign_keys=[plan_id])
    activities: Mapped[list[Activity]] = relationship(
        back_populates="objective",
        foreign_keys="Activity.objective_id",
        order_by="[Activity.position, Activity.id]",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = tenant_table_args(
        tenant_fk("plan_id", "plan_plan"), sa.Index("ix_plan_objective_tenant_plan", "tenant_id", "plan_id")
    )


class Activity(TenantScoped, TimestampMixin, db.Model):
    """An activity of a strategic objective, with its schedule and budget estimate."""

    __tablename__ = "plan_activity"

    plan_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    objective_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    position: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    schedule_months: Mapped[list[int]] = mapped_column(sa.JSON, nullable=False, default=list)
    budget_estimate: Mapped[Decimal | None] = mapped_column(Money)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    objective: Mapped[StrategicObjective] = relationship(back_populates="activities", foreign_keys=[objective_id])
    responsible: Mapped[list[ResponsibleBody]] = relationship(
        back_populates="activity",
        foreign_keys="ResponsibleBody.activity_id",
        order_by="ResponsibleBody.position",
        cascade="all, delete-orphan",
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="activity",
        foreign_keys="Indicator.activity_id",
        order_by="[Indicator.position, Indicator.id]",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = tenant_table_args(
        tenant_fk("plan_id", "plan_plan"),
        tenant_fk("objective_id", "plan_objective"),
        sa.Index("ix_plan_activity_tenant_objective", "tenant_id", "objective_id"),
        sa.Index("ix_plan_activity_tenant_plan", "tenant_id", "plan_id"),
    )


class ResponsibleBody(TenantScoped, TimestampMixin, db.Model):
    """Who carries out an activity (the DAS, "Furnizori ONG", a named partner)."""

    __tablename__ = "plan_responsible"

    activity_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    position: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(300), nullable=False)

    activity: Mapped[Activity] = relationship(back_populates="responsible", foreign_keys=[activity_id])

    __table_args__ = tenant_table_args(
        tenant_fk("activity_id", "plan_activity"),
        sa.Index("ix_plan_responsible_tenant_activity", "tenant_id", "activity_id"),
    )


class Indicator(TenantScoped, TimestampMixin, db.Model):
    """An indicator of achievement of an activity, optionally mapped to a catalog code."""

    __tablename__ = "plan_indicator"

    plan_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    activity_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    position: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    label: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    unit: Mapped[str] = mapped_column(sa.String(40), nullable=False, default="număr")
    target: Mapped[Decimal | None] = mapped_column(QUANTITY)
    baseline: Mapped[Decimal | None] = mapped_column(QUANTITY)
    code: Mapped[str | None] = mapped_column(sa.String(60))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    activity: Mapped[Activity] = relationship(back_populates="indicators", foreign_keys=[activity_id])
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator",
        foreign_keys="IndicatorValue.indicator_id",
        order_by="IndicatorValue.id",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = tenant_table_args(
        tenant_fk("plan_id", "plan_plan"),
        tenant_fk("activity_id", "plan_activity"),
        sa.Index("ix_plan_indicator_tenant_activity", "tenant_id", "activity_id"),
        sa.Index("ix_plan_indicator_tenant_plan_code", "tenant_id", "plan_id", "code"),
        sa.CheckConstraint("target IS NULL OR target >= 0", name="target_positive"),
    )


class IndicatorValue(TenantScoped, db.Model):
    """A value recorded for an indicator over a quarter (or the whole year).

    A correction never edits a row: it adds a new one and marks the previous
    one ``superseded``, so the history stays. At most one row per indicator
    and period is not superseded.
    """

    __tablename__ = "plan_indicator_value"

    plan_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    indicator_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    year: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    quarter: Mapped[int | None] = mapped_column(sa.SmallInteger)  # None: the whole year
    value: Mapped[Decimal] = mapped_column(QUANTITY, nullable=False)
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    superseded: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    indicator: Mapped[Indicator] = relationship(back_populates="values", foreign_keys=[indicator_id])

    __table_args__ = tenant_table_args(
        tenant_fk("plan_id", "plan_plan"),
        tenant_fk("indicator_id", "plan_indicator"),
        sa.Index("ix_plan_indicator_value_tenant_indicator", "tenant_id", "indicator_id", "year", "quarter"),
        sa.Index("ix_plan_indicator_value_tenant_plan", "tenant_id", "plan_id", "year"),
        sa.Index(
            "uq_plan_indicator_value_live",
            "tenant_id",
            "indicator_id",
            "year",
            sa.text("coalesce(quarter, 0)"),
            unique=True,
            sqlite_where=sa.text("NOT superseded"),
            postgresql_where=sa.text("NOT superseded"),
        ),
        sa.CheckConstraint("quarter IS NULL OR quarter BETWEEN 1 AND 4", name="quarter_range"),
        sa.CheckConstraint("value >= 0", name="value_positive"),
    )

    @property
    def period_label(self) -> str:
        """``2026 T2`` or ``2026``."""
        return str(self.year) if self.quarter is None else f"{self.year} T{self.quarter}"


class PlanTransition(TenantScoped, db.Model):
    """One step of the approval chain, with the fields that step records."""

    __tablename__ = "plan_transition"

    plan_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    from_status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus), nullable=False)
    to_status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    submitted_on: Mapped[dt.date | None] = mapped_column(sa.Date)  # the address to the council (may precede `at`)
    aviz_number: Mapped[str | None] = mapped_column(sa.String(50))
    aviz_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    members_present: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)  # snapshot of the members
    hcl_number: Mapped[str | None] = mapped_column(sa.String(50))
    hcl_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    referat_number: Mapped[str | None] = mapped_column(sa.String(50))
    referat_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    raport_number: Mapped[str | None] = mapped_column(sa.String(50))
    raport_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.Text)

    plan: Mapped[Plan] = relationship(back_populates="transitions", foreign_keys=[plan_id])

    __table_args__ = tenant_table_args(
        tenant_fk("plan_id", "plan_plan"),
        sa.Index("ix_plan_transition_tenant_plan", "tenant_id", "plan_id", "to_status"),
    )


class PlanDocument(TenantScoped, TimestampMixin, db.Model):
    """A scanned document attached to a step (PDF, DOCX), stored under the tenant's folder."""

    __tablename__ = "plan_document"

    plan_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    step: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus), nullable=False)
    transition_id: Mapped[int | None] = mapped_column(sa.Integer)
    title: Mapped[str | None] = mapped_column(sa.String(300))
    filename: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    mimetype: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    storage_path: Mapped[str] = mapped_column(sa.String(500), nullable=False)  # relative to VATRA_FILES
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    plan: Mapped[Plan] = relationship(back_populates="documents", foreign_keys=[plan_id])

    __table_args__ = tenant_table_args(
        tenant_fk("plan_id", "plan_plan"),
        tenant_fk("transition_id", "plan_transition", ondelete=None),
        sa.Index("ix_plan_document_tenant_plan", "tenant_id", "plan_id"),
    )


class Signatory(TenantScoped, TimestampMixin, db.Model):
    """A signature of the document: drawn up by, chair of the session, secretary general."""

    __tablename__ = "plan_signatory"

    plan_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    role: Mapped[SignatoryRole] = mapped_column(_enum(SignatoryRole), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    function: Mapped[str | None] = mapped_column(sa.String(200))

    plan: Mapped[Plan] = relationship(back_populates="signatories", foreign_keys=[plan_id])

    __table_args__ = tenant_table_args(
        tenant_fk("plan_id", "plan_plan"), sa.UniqueConstraint("tenant_id", "plan_id", "role")
    )


class PlanEvaluation(TenantScoped, TimestampMixin, db.Model):
    """The annual evaluation: the social worker's narrative and the figures as computed then."""

    __tablename__ = "plan_evaluation"

    plan_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    narrative: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    figures: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    evaluated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    evaluated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    plan: Mapped[Plan] = relationship(back_populates="evaluation", foreign_keys=[plan_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = tenant_table_args(tenant_fk("plan_id", "plan_plan"), sa.UniqueConstraint("tenant_id", "plan_id"))


class PlanTemplate(TenantScoped, TimestampMixin, db.Model):
    """A plan template a county publishes for its localities (content as the seed's JSON shape)."""

    __tablename__ = "plan_template"

    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    published: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = tenant_table_args(
        sa.UniqueConstraint("tenant_id", "name"),
        sa.Index("ix_plan_template_tenant_published", "tenant_id", "published"),
    )
