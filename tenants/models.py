"""Tenants (platform, counties, localities) and consultative councils."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import IdMixin, TenantScoped, TimestampMixin, UTCDateTime, db, tenant_fk, tenant_table_args
from tenants.names import search_keys


class TenantKind(enum.StrEnum):
    """The three levels of the hierarchy."""

    PLATFORM = "platform"
    COUNTY = "county"
    LOCALITY = "locality"


class UatType(enum.IntEnum):
    """SIRUTA ``TIP`` of a unit."""

    COUNTY_SEAT = 1  # municipiu reședință de județ
    TOWN = 2  # oraș
    COMMUNE = 3  # comună
    MUNICIPALITY = 4  # municipiu
    SECTOR = 6  # sector of Bucharest
    BUCHAREST = 9  # Municipiul București
    COUNTY = 40


class Tenant(IdMixin, TimestampMixin, db.Model):
    """A county (its DGASPC), a locality (UAT or Bucharest sector) or the platform."""

    __tablename__ = "tenant"

    siruta: Mapped[int | None] = mapped_column(sa.Integer, unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)  # official, as in SIRUTA
    display_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True, nullable=False)
    kind: Mapped[TenantKind] = mapped_column(
        sa.Enum(TenantKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        nullable=False,
    )
    uat_type: Mapped[int | None] = mapped_column(sa.SmallInteger)
    county_number: Mapped[int | None] = mapped_column(sa.SmallInteger, index=True)
    county_code: Mapped[str | None] = mapped_column(sa.String(2))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenant.id"), index=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    search_key_a: Mapped[str] = mapped_column(sa.String(200), nullable=False, index=True)
    search_key_i: Mapped[str] = mapped_column(sa.String(200), nullable=False, index=True)
    settings: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, nullable=False)

    parent: Mapped[Tenant | None] = relationship(remote_side="Tenant.id", back_populates="children")
    children: Mapped[list[Tenant]] = relationship(back_populates="parent", order_by="Tenant.name")

    __table_args__ = (sa.Index("ix_tenant_parent_kind", "parent_id", "kind"),)

    def set_names(self, official: str, display: str) -> None:
        """Set the official and display names and the search keys derived from them."""
        self.name = official
        self.display_name = display
        self.search_key_a, self.search_key_i = search_keys(display)

    @property
    def is_county(self) -> bool:
        return self.kind == TenantKind.COUNTY

    @property
    def is_locality(self) -> bool:
        return self.kind == TenantKind.LOCALITY

    @property
    def is_platform(self) -> bool:
        return self.kind == TenantKind.PLATFORM

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"


class CouncilRole(enum.StrEnum):
    """A member's role in the consultative council."""

    CHAIR = "presedinte"
    SECRETARY = "secretar"
    MEMBER = "membru"


class Council(TenantScoped, TimestampMixin, db.Model):
    """The locality's consultative structure (CCC, under Law 156/2023 the SCC)."""

    __tablename__ = "council"

    name: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="Consiliul Comunitar Consultativ")
    founding_decision_number: Mapped[str | None] = mapped_column(sa.String(50))
    founding_decision_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    established_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    trained_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)  # optimistic locking

    members: Mapped[list[CouncilMember]] = relationship(
        back_populates="council",
        foreign_keys="CouncilMember.council_id",
        order_by="CouncilMember.position",
        cascade="all, delete-orphan",
    )
    meetings: Mapped[list[CouncilMeeting]] = relationship(
        back_populates="council",
        foreign_keys="CouncilMeeting.council_id",
        order_by="CouncilMeeting.held_on",
        cascade="all, delete-orphan",
    )

    __table_args__ = tenant_table_args(sa.UniqueConstraint("tenant_id", "name"))
    __mapper_args__ = {"version_id_col": version}  # two people editing: the second gets 409


class CouncilMember(TenantScoped, TimestampMixin, db.Model):
    """A member of a council: who, in which role, representing which institution."""

    __tablename__ = "council_member"

    council_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    role: Mapped[CouncilRole] = mapped_column(
        sa.Enum(CouncilRole, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        nullable=False,
        default=CouncilRole.MEMBER,
    )
    function: Mapped[str | None] = mapped_column(sa.String(300))
    institution: Mapped[str | None] = mapped_column(sa.String(300))
    valid_from: Mapped[dt.date | None] = mapped_column(sa.Date)
    valid_to: Mapped[dt.date | None] = mapped_column(sa.Date)
    trained_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)  # optimistic locking

    council: Mapped[Council] = relationship(back_populates="members", foreign_keys=[council_id])

    __table_args__ = tenant_table_args(
        tenant_fk("council_id", "council"), sa.Index("ix_council_member_tenant_council", "tenant_id", "council_id")
    )
    __mapper_args__ = {"version_id_col": version}


class CouncilMeeting(TenantScoped, TimestampMixin, db.Model):
    """A session of the council."""

    __tablename__ = "council_meeting"

    council_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    held_on: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    topic: Mapped[str | None] = mapped_column(sa.String(500))
    members_present: Mapped[int | None] = mapped_column(sa.Integer)

    council: Mapped[Council] = relationship(back_populates="meetings", foreign_keys=[council_id])

    __table_args__ = tenant_table_args(
        tenant_fk("council_id", "council"), sa.Index("ix_council_meeting_tenant_council", "tenant_id", "council_id")
    )
