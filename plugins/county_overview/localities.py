"""What a county reads about its localities: councils and the plugins' statuses, set-based and read-only.

Every function here runs inside :func:`core.api.read_scope` over the
localities (and the county, whose projects name its localities): a county
never switches into a locality's tenant and cannot write there. Each table
or plugin is read with one query for all the localities.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from core.toolkit import Council, CouncilMeeting, CouncilMember, db, in_ids, read_scope


@dataclass(frozen=True)
class CouncilFacts:
    """A locality's consultative council as the county sees it."""

    council_id: int
    name: str
    founding_decision_number: str | None
    founding_decision_date: dt.date | None
    established_on: dt.date | None
    trained_on: dt.date | None
    members: int = 0
    members_trained: int = 0
    meetings: int = 0
    last_meeting: dt.date | None = None

    @property
    def trained(self) -> bool:
        """Whether the council as a body was trained."""
        return self.trained_on is not None


def _readers(locality_ids: Sequence[int], county_id: int | None) -> list[int]:
    return [*locality_ids, county_id] if county_id is not None else list(locality_ids)


def council_facts(
    locality_ids: Sequence[int], county_id: int | None, *, on: dt.date | None = None
) -> dict[int, CouncilFacts]:
    """The council of each locality that has one: three queries (councils, members, meetings).

    Members count when their mandate covers ``on`` (default today); a
    locality with several councils shows its first.
    """
    ids = list(locality_ids)
    if not ids:
        return {}
    on = on or dt.date.today()
    with read_scope(_readers(ids, county_id)):
        councils = db.session.execute(
            sa.select(
                Council.tenant_id, Council.id, Council.name, Council.founding_decision_number,
                Council.founding_decision_date, Council.established_on, Council.trained_on,
            ).where(in_ids(Council.tenant_id, ids)).order_by(Council.tenant_id, Council.id)
        ).all()
        members = db.session.execute(
            sa.select(CouncilMember.tenant_id, sa.func.count(CouncilMember.id), sa.func.count(CouncilMember.trained_on))
            .where(
                in_ids(CouncilMember.tenant_id, ids),
                sa.or_(CouncilMember.valid_from.is_(None), CouncilMember.valid_from <= on),
                sa.or_(CouncilMember.valid_to.is_(None), CouncilMember.valid_to >= on),
            )
            .group_by(CouncilMember.tenant_id)
        ).all()
        meetings = db.session.execute(
            sa.select(CouncilMeeting.tenant_id, sa.func.count(CouncilMeeting.id), sa.func.max(CouncilMeeting.held_on))
            .where(in_ids(CouncilMeeting.tenant_id, ids))
            .group_by(CouncilMeeting.tenant_id)
        ).all()
    member_counts = {tid: (int(n), int(trained)) for tid, n, trained in members}
    meeting_counts = {tid: (int(n), as_date(last)) for tid, n, last in meetings}
    out: dict[int, CouncilFacts] = {}
    for tid, cid, name, number, decided, established, trained in councils:
        if tid in out:
            continue
        n_members, n_trained = member_counts.get(tid, (0, 0))
        n_meetings, last = meeting_counts.get(tid, (0, None))
        out[tid] = CouncilFacts(
            council_id=cid, name=name, founding_decision_number=number, founding_decision_date=decided,
            established_on=established, trained_on=trained, members=n_members, members_trained=n_trained,
            meetings=n_meetings, last_meeting=last,
        )
    return out


def council_members(locality_id: int, county_id: int, *, on: dt.date | None = None) -> list[dict[str, Any]]:
    """The members of one locality's councils (read-only, for the county's drill-down): one query."""
    on = on or dt.date.today()
    with read_scope([locality_id, county_id]):
        rows = db.session.execute(
            sa.select(CouncilMember)
            .where(CouncilMember.tenant_id == locality_id)
            .order_by(CouncilMember.council_id, CouncilMember.position)
        ).scalars().all()
        return [
            {
                "name": m.name,
                "role": m.role.value if m.role is not None else None,
                "institution": m.institution,
                "function": m.function,
                "trained_on": m.trained_on,
                "current": (m.valid_from is None or m.valid_from <= on) and (m.valid_to is None or m.valid_to >= on),
            }
            for m in rows
        ]


def as_date(value: Any) -> dt.date | None:
    """A date from what the database or a plugin gave (SQLite may answer aggregates as text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def ids_of(tenants: Iterable[Any]) -> list[int]:
    """The ids of tenants."""
    return [t.id for t in tenants]
