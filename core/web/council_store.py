"""The tenant's consultative council, its members and meetings (queries run in the tenant's scope)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from core.db import db
from tenants.models import Council, CouncilMeeting, CouncilMember, CouncilRole

COUNCIL_FIELDS = ("name", "founding_decision_number", "founding_decision_date", "established_on", "trained_on", "notes")
MEMBER_FIELDS = ("name", "role", "function", "institution", "valid_from", "valid_to", "trained_on")
MEETING_FIELDS = ("held_on", "topic", "members_present")


def current_council() -> Council | None:
    """The council of the current tenant (the first one, when there were ever several)."""
    return db.session.execute(sa.select(Council).order_by(Council.id).limit(1)).scalar_one_or_none()


def save_council(data: dict[str, Any]) -> Council:
    """Create the council or update it with ``data``. Does not commit."""
    council = current_council()
    if council is None:
        council = Council()
        db.session.add(council)
    for key in COUNCIL_FIELDS:
        if key in data:
            setattr(council, key, data[key] or (None if key != "name" else council.name))
    db.session.flush()
    return council


def find_member(member_id: int) -> CouncilMember | None:
    """A member of the current tenant's council, or None."""
    return db.session.execute(sa.select(CouncilMember).where(CouncilMember.id == member_id)).scalar_one_or_none()


def add_member(council: Council, data: dict[str, Any]) -> CouncilMember:
    """Append a member to ``council``. Does not commit."""
    last = db.session.execute(
        sa.select(sa.func.max(CouncilMember.position)).where(CouncilMember.council_id == council.id)
    ).scalar()
    member = CouncilMember(council_id=council.id, position=(last or 0) + 1)
    update_member(member, data)
    db.session.add(member)
    db.session.flush()
    return member


def update_member(member: CouncilMember, data: dict[str, Any]) -> CouncilMember:
    """Copy ``data`` onto ``member``. Does not commit."""
    for key in MEMBER_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key == "role":
            value = CouncilRole(value or CouncilRole.MEMBER.value)
        elif isinstance(value, str):
            value = value.strip() or (None if key != "name" else value)
        setattr(member, key, value)
    return member


def find_meeting(meeting_id: int) -> CouncilMeeting | None:
    """A meeting of the current tenant's council, or None."""
    return db.session.execute(sa.select(CouncilMeeting).where(CouncilMeeting.id == meeting_id)).scalar_one_or_none()


def add_meeting(council: Council, data: dict[str, Any]) -> CouncilMeeting:
    """Record a meeting of ``council``. Does not commit."""
    meeting = CouncilMeeting(council_id=council.id)
    for key in MEETING_FIELDS:
        if key in data:
            value = data[key]
            setattr(meeting, key, value.strip() or None if isinstance(value, str) else value)
    db.session.add(meeting)
    db.session.flush()
    return meeting
