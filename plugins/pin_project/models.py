"""Funded projects (PIN and alike): programme, project, budget, activities, results.

Every table is tenant-scoped and prefixed ``pin_``; a project and everything
under it belong to the tenant that runs it (a county DGASPC or a locality).
Links to *locality tenants* (``locality_tenant_id``) point at the global
``tenant`` table, because a county's project involves localities that are
tenants of their own: the rows stay the county's, the figures are attributed
to the locality by the indicator hooks (see :mod:`plugins.pin_project.services`).
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.toolkit import Money, Tenant, TenantScoped, TimestampMixin, UTCDateTime, db, tenant_fk, tenant_table_args

# Quantities (indicator targets and values) are exact decimals too, like money.
Quantity = Money


def _enum(e: type[enum.Enum], length: int = 20) -> sa.Enum:
    return sa.Enum(e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x])


def _user_fk() -> sa.ForeignKey:
    return sa.ForeignKey("user_account.id", ondelete="SET NULL")


class ProjectStatus(enum.StrEnum):
    """Where a project stands."""

    PLANNED = "planned"
    RUNNING = "running"
    CLOSED = "closed"


class ActivityStatus(enum.StrEnum):
    """Where an activity stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class Comparator(enum.StrEnum):
    """How a performance indicator's value is compared with its target."""

    AT_LEAST = "at_least"
    EXACTLY = "exactly"


class Programme(TenantScoped, TimestampMixin, db.Model):
    """A funding programme (e.g. PIN 2/2008), as recorded by the tenant that applies under it."""

    __tablename__ = "pin_programme"

    code: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    funder_name: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    funder_acronym: Mapped[str | None] = mapped_column(sa.String(30))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    projects: Mapped[list[Project]] = relationship(
        back_populates="programme", foreign_keys="Project.programme_id", order_by="Project.id"
    )

    __table_args__ = tenant_table_args(sa.UniqueConstraint("tenant_id", "code"))
    __mapper_args__ = {"version_id_col": version}


class Project(TenantScoped, TimestampMixin, db.Model):
    """A funded project: title, purpose, period, total budget, status."""

    __tablename__ = "pin_project"

    programme_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    purpose: Mapped[str | None] = mapped_column(sa.Text)
    budget_total: Mapped[Decimal] = mapped_column(Money, nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False, default="RON")
    start_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    end_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    period_text: Mapped[str | None] = mapped_column(sa.String(200))
    status: Mapped[ProjectStatus] = mapped_column(_enum(ProjectStatus), nullable=False, default=ProjectStatus.PLANNED)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    programme: Mapped[Programme] = relationship(back_populates="projects", foreign_keys=[programme_id])
    objectives: Mapped[list[Objective]] = relationship(
        back_populates="project",
        foreign_keys="Objective.project_id",
        order_by="Objective.position",
        cascade="all, delete-orphan",
    )
    target_groups: Mapped[list[TargetGroup]] = relationship(
        back_populates="project",
        foreign_keys="TargetGroup.project_id",
        order_by="TargetGroup.position",
        cascade="all, delete-orphan",
    )
    localities: Mapped[list[ProjectLocality]] = relationship(
        back_populates="project",
        foreign_keys="ProjectLocality.project_id",
        order_by="ProjectLocality.position",
        cascade="all, delete-orphan",
    )
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="project",
        foreign_keys="BudgetLine.project_id",
        order_by="BudgetLine.position",
        cascade="all, delete-orphan",
    )
    expenditures: Mapped[list[Expenditure]] = relationship(
        back_populates="project",
        foreign_keys="Expenditure.project_id",
        order_by="Expenditure.spent_on, Expenditure.id",
        cascade="all, delete-orphan",
    )
    activities: Mapped[list[ProjectActivity]] = relationship(
        back_populates="project",
        foreign_keys="ProjectActivity.project_id",
        order_by="ProjectActivity.number",
        cascade="all, delete-orphan",
    )
    results: Mapped[list[ExpectedResult]] = relationship(
        back_populates="project",
        foreign_keys="ExpectedResult.project_id",
        order_by="ExpectedResult.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = tenant_table_args(
        tenant_fk("programme_id", "pin_programme", ondelete="RESTRICT"),
        sa.Index("ix_pin_project_tenant_programme", "tenant_id", "programme_id"),
        sa.CheckConstraint("end_date >= start_date", name="period"),
        sa.CheckConstraint("budget_total >= 0", name="budget_total"),
    )
    __mapper_args__ = {"version_id_col": version}


class Objective(TenantScoped, TimestampMixin, db.Model):
    """One objective of a project, in the order of the application."""

    __tablename__ = "pin_objective"

    project_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)

    project: Mapped[Project] = relationship(back_populates="objectives", foreign_keys=[project_id])

    __table_args__ = tenant_table_args(
        tenant_fk("project_id", "pin_project"), sa.Index("ix_pin_objective_tenant_project", "tenant_id", "project_id")
    )


class TargetGroup(TenantScoped, TimestampMixin, db.Model):
    """One target group (beneficiaries) of a project, in order."""

    __tablename__ = "pin_target_group"

    project_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)

    project: Mapped[Project] = relationship(back_populates="target_groups", foreign_keys=[project_id])

    __table_args__ = tenant_table_args(
        tenant_fk("project_id", "pin_project"),
        sa.Index("ix_pin_target_group_tenant_project", "tenant_id", "project_id"),
    )


class ProjectLocality(TenantScoped, TimestampMixin, db.Model):
    """A locality (tenant of the same county) taking part in the project, and its roles."""

    __tablename__ = "pin_project_locality"

    project_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    locality_tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id", ondelete="RESTRICT"), nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    employs_staff: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    creates_council: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    note: Mapped[str | None] = mapped_column(sa.Text)

    project: Mapped[Project] = relationship(back_populates="localities", foreign_keys=[project_id])
    locality: Mapped[Tenant] = relationship(foreign_keys=[locality_tenant_id], lazy="joined")

    __table_args__ = tenant_table_args(
        tenant_fk("project_id", "pin_project"),
        sa.UniqueConstraint("tenant_id", "project_id", "locality_tenant_id"),
        sa.Index("ix_pin_project_locality_tenant_locality", "tenant_id", "locality_tenant_id"),
    )


class BudgetLine(TenantScoped, TimestampMixin, db.Model):
    """A budget line: category, the amount first approved and the amount in force after revisions."""

    __tablename__ = "pin_budget_line"

    project_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    category: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    planned_original: Mapped[Decimal] = mapped_column(Money, nullable=False)
    planned: Mapped[Decimal] = mapped_column(Money, nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    project: Mapped[Project] = relationship(back_populates="budget_lines", foreign_keys=[project_id])
    revisions: Mapped[list[BudgetRevision]] = relationship(
        back_populates="line",
        foreign_keys="BudgetRevision.line_id",
        order_by="BudgetRevision.id",
        cascade="all, delete-orphan",
    )

    __table_args__ = tenant_table_args(
        tenant_fk("project_id", "pin_project"),
        sa.UniqueConstraint("tenant_id", "project_id", "category"),
        sa.CheckConstraint("planned >= 0 AND planned_original >= 0", name="planned"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def revised(self) -> bool:
        """Whether the amount in force differs from the one first approved."""
        return self.planned != self.planned_original


class BudgetRevision(TenantScoped, TimestampMixin, db.Model):
    """One revision of a budget line: from which amount to which, why, by whom."""

    __tablename__ = "pin_budget_revision"

    line_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    previous: Mapped[Decimal] = mapped_column(Money, nullable=False)
    planned: Mapped[Decimal] = mapped_column(Money, nullable=False)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    revised_on: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    revised_by_id: Mapped[int | None] = mapped_column(_user_fk())

    line: Mapped[BudgetLine] = relationship(back_populates="revisions", foreign_keys=[line_id])

    __table_args__ = tenant_table_args(
        tenant_fk("line_id", "pin_budget_line"),
        sa.Index("ix_pin_budget_revision_tenant_line", "tenant_id", "line_id"),
    )


class Expenditure(TenantScoped, TimestampMixin, db.Model):
    """Money spent on a budget line, with its supporting document.

    ``override`` marks an expenditure that broke a budget rule (outside the
    project period, beyond the line) and was recorded anyway by a user with
    ``pin.override``; ``override_reasons`` keeps the rules it broke and
    ``override_justification`` why. The insert is audited like every write.
    """

    __tablename__ = "pin_expenditure"

    project_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    line_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    spent_on: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    supplier: Mapped[str | None] = mapped_column(sa.String(300))
    document_number: Mapped[str | None] = mapped_column(sa.String(100))
    description: Mapped[str | None] = mapped_column(sa.Text)
    attachment_path: Mapped[str | None] = mapped_column(sa.String(500))
    attachment_name: Mapped[str | None] = mapped_column(sa.String(255))
    attachment_mimetype: Mapped[str | None] = mapped_column(sa.String(120))
    override: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    override_reasons: Mapped[str | None] = mapped_column(sa.Text)
    override_justification: Mapped[str | None] = mapped_column(sa.Text)
    overridden_by_id: Mapped[int | None] = mapped_column(_user_fk())
    recorded_by_id: Mapped[int | None] = mapped_column(_user_fk())
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    project: Mapped[Project] = relationship(back_populates="expenditures", foreign_keys=[project_id])
    line: Mapped[BudgetLine] = relationship(foreign_keys=[line_id])

    __table_args__ = tenant_table_args(
        tenant_fk("project_id", "pin_project"),
        tenant_fk("line_id", "pin_budget_line", ondelete="RESTRICT"),
        sa.Index("ix_pin_expenditure_tenant_project_date", "tenant_id", "project_id", "spent_on"),
        sa.Index("ix_pin_expenditure_tenant_line", "tenant_id", "line_id"),
        sa.CheckConstraint("amount > 0", name="amount"),
    )
    __mapper_args__ = {"version_id_col": version}


class ActivityLocality(TenantScoped, db.Model):
    """A participating locality involved in one activity."""

    __tablename__ = "pin_activity_locality"

    activity_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    project_locality_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    activity: Mapped[ProjectActivity] = relationship(back_populates="locality_links", foreign_keys=[activity_id])
    project_locality: Mapped[ProjectLocality] = relationship(foreign_keys=[project_locality_id], lazy="joined")

    __table_args__ = tenant_table_args(
        tenant_fk("activity_id", "pin_activity"),
        tenant_fk("project_locality_id", "pin_project_locality"),
        sa.UniqueConstraint("tenant_id", "activity_id", "project_locality_id"),
    )


class ActivityBudgetLine(TenantScoped, db.Model):
    """A budget line an activity draws on."""

    __tablename__ = "pin_activity_line"

    activity_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    line_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    activity: Mapped[ProjectActivity] = relationship(back_populates="line_links", foreign_keys=[activity_id])
    line: Mapped[BudgetLine] = relationship(foreign_keys=[line_id], lazy="joined")

    __table_args__ = tenant_table_args(
        tenant_fk("activity_id", "pin_activity"),
        tenant_fk("line_id", "pin_budget_line"),
        sa.UniqueConstraint("tenant_id", "activity_id", "line_id"),
    )


class ProjectActivity(TenantScoped, TimestampMixin, db.Model):
    """A planned activity: number, title, schedule, status, who is responsible."""

    __tablename__ = "pin_activity"

    project_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    title: Mapped[str] = mapped_column(sa.Text, nullable=False)
    detail: Mapped[str | None] = mapped_column(sa.Text)
    planned_start: Mapped[dt.date | None] = mapped_column(sa.Date)
    planned_end: Mapped[dt.date | None] = mapped_column(sa.Date)
    status: Mapped[ActivityStatus] = mapped_column(
        _enum(ActivityStatus), nullable=False, default=ActivityStatus.PLANNED
    )
    responsible: Mapped[str | None] = mapped_column(sa.String(300))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    project: Mapped[Project] = relationship(back_populates="activities", foreign_keys=[project_id])
    steps: Mapped[list[ActivityStep]] = relationship(
        back_populates="activity",
        foreign_keys="ActivityStep.activity_id",
        order_by="ActivityStep.position",
        cascade="all, delete-orphan",
    )
    locality_links: Mapped[list[ActivityLocality]] = relationship(
        back_populates="activity", foreign_keys="ActivityLocality.activity_id", cascade="all, delete-orphan"
    )
    line_links: Mapped[list[ActivityBudgetLine]] = relationship(
        back_populates="activity", foreign_keys="ActivityBudgetLine.activity_id", cascade="all, delete-orphan"
    )

    __table_args__ = tenant_table_args(
        tenant_fk("project_id", "pin_project"),
        sa.UniqueConstraint("tenant_id", "project_id", "number"),
        sa.CheckConstraint(
            "planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start", name="sched"
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def locality_tenant_ids(self) -> list[int]:
        """The locality tenants involved in this activity."""
        return sorted(link.project_locality.locality_tenant_id for link in self.locality_links)

    @property
    def budget_line_ids(self) -> list[int]:
        """The budget lines this activity draws on."""
        return sorted(link.line_id for link in self.line_links)


class ActivityStep(TenantScoped, TimestampMixin, db.Model):
    """A sub-step of an activity (the seed's activity 1 has three)."""

    __tablename__ = "pin_activity_step"

    activity_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    done: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)

    activity: Mapped[ProjectActivity] = relationship(back_populates="steps", foreign_keys=[activity_id])

    __table_args__ = tenant_table_args(
        tenant_fk("activity_id", "pin_activity"),
        sa.Index("ix_pin_activity_step_tenant_activity", "tenant_id", "activity_id"),
    )


class ExpectedResult(TenantScoped, TimestampMixin, db.Model):
    """An expected result of the project, measured by performance indicators."""

    __tablename__ = "pin_result"

    project_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)

    project: Mapped[Project] = relationship(back_populates="results", foreign_keys=[project_id])
    indicators: Mapped[list[PerformanceIndicator]] = relationship(
        back_populates="result",
        foreign_keys="PerformanceIndicator.result_id",
        order_by="PerformanceIndicator.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = tenant_table_args(
        tenant_fk("project_id", "pin_project"), sa.Index("ix_pin_result_tenant_project", "tenant_id", "project_id")
    )


class PerformanceIndicator(TenantScoped, TimestampMixin, db.Model):
    """A measurable indicator of a result: label, unit, comparator, target.

    ``code`` maps it to the national indicator catalog (may be a code of
    this project only, e.g. ``manual_printed``). ``deliverable`` marks a
    product (a manual, a leaflet) whose status is whether it was printed:
    ``delivered_on``.
    """

    __tablename__ = "pin_indicator"

    result_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    code: Mapped[str | None] = mapped_column(sa.String(60))
    label: Mapped[str] = mapped_column(sa.Text, nullable=False)
    unit: Mapped[str] = mapped_column(sa.String(40), nullable=False, default="număr")
    comparator: Mapped[Comparator] = mapped_column(_enum(Comparator), nullable=False, default=Comparator.AT_LEAST)
    target: Mapped[Decimal] = mapped_column(Quantity, nullable=False)
    deliverable: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    delivered_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    result: Mapped[ExpectedResult] = relationship(back_populates="indicators", foreign_keys=[result_id])
    breakdown: Mapped[list[IndicatorBreakdown]] = relationship(
        back_populates="indicator",
        foreign_keys="IndicatorBreakdown.indicator_id",
        order_by="IndicatorBreakdown.position",
        cascade="all, delete-orphan",
    )
    entries: Mapped[list[ProgressEntry]] = relationship(
        back_populates="indicator",
        foreign_keys="ProgressEntry.indicator_id",
        order_by="ProgressEntry.entry_date, ProgressEntry.id",
        cascade="all, delete-orphan",
    )

    __table_args__ = tenant_table_args(
        tenant_fk("result_id", "pin_result"),
        sa.Index("ix_pin_indicator_tenant_result", "tenant_id", "result_id"),
        sa.Index("ix_pin_indicator_tenant_code", "tenant_id", "code"),
        sa.CheckConstraint("target >= 0", name="target"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def printed(self) -> bool:
        """For a deliverable: whether it was produced (printed)."""
        return self.delivered_on is not None


class IndicatorBreakdown(TenantScoped, TimestampMixin, db.Model):
    """A part of an indicator's target (200 people trained = 60 staff + 140 council members)."""

    __tablename__ = "pin_indicator_part"

    indicator_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    label: Mapped[str] = mapped_column(sa.Text, nullable=False)
    target: Mapped[Decimal] = mapped_column(Quantity, nullable=False)

    indicator: Mapped[PerformanceIndicator] = relationship(back_populates="breakdown", foreign_keys=[indicator_id])

    __table_args__ = tenant_table_args(
        tenant_fk("indicator_id", "pin_indicator"),
        sa.Index("ix_pin_indicator_part_tenant_indicator", "tenant_id", "indicator_id"),
        sa.CheckConstraint("target >= 0", name="target"),
    )


class ProgressEntry(TenantScoped, TimestampMixin, db.Model):
    """A measured value of an indicator on a date, optionally for one locality and one part."""

    __tablename__ = "pin_progress"

    indicator_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    part_id: Mapped[int | None] = mapped_column(sa.Integer)
    entry_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    value: Mapped[Decimal] = mapped_column(Quantity, nullable=False)
    locality_tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenant.id", ondelete="RESTRICT"))
    evidence: Mapped[str | None] = mapped_column(sa.Text)
    attachment_path: Mapped[str | None] = mapped_column(sa.String(500))
    attachment_name: Mapped[str | None] = mapped_column(sa.String(255))
    recorded_by_id: Mapped[int | None] = mapped_column(_user_fk())
    recorded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    indicator: Mapped[PerformanceIndicator] = relationship(back_populates="entries", foreign_keys=[indicator_id])
    part: Mapped[IndicatorBreakdown | None] = relationship(foreign_keys=[part_id])
    locality: Mapped[Tenant | None] = relationship(foreign_keys=[locality_tenant_id], lazy="joined")

    __table_args__ = tenant_table_args(
        tenant_fk("indicator_id", "pin_indicator"),
        tenant_fk("part_id", "pin_indicator_part", ondelete=None),
        sa.Index("ix_pin_progress_tenant_indicator_date", "tenant_id", "indicator_id", "entry_date"),
        sa.Index("ix_pin_progress_tenant_locality_date", "tenant_id", "locality_tenant_id", "entry_date"),
    )
