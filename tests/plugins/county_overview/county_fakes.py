"""An in-process plugin for the county overview's tests, and helpers to build a county.

:class:`CountySource` implements ``vatra_indicator_catalog``,
``vatra_indicator_values`` and ``vatra_locality_status`` from dictionaries the
test fills, plus one real set-based query per call (council members per
locality), so the tests see the read scope and count statements honestly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from core.api import IndicatorDef, IndicatorValue, Period, PluginInfo, hookimpl
from core.db import db
from core.tenancy import Scope, current_scope, system_context
from tenants.models import Council, CouncilMeeting, CouncilMember, CouncilRole, Tenant


class CountySource:
    """A fake programme: indicator values and plan statuses per locality, set by the test."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.values: dict[int, dict[str, Decimal]] = {}
        self.status: dict[int, dict[str, Any]] = {}
        self.value_calls: list[tuple[list[int], Period]] = []
        self.status_calls: list[tuple[list[int], int]] = []
        self.scopes: list[Scope] = []
        self.counselled_rows: list[tuple[int, int]] = []

    @hookimpl
    def vatra_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="county_source", label="Sursă de test", version="1.0",
                          default_kinds=frozenset({"locality"}))

    @hookimpl
    def vatra_indicator_catalog(self) -> list[IndicatorDef]:
        return [
            IndicatorDef("children_identified", "Copii identificați", unit="copii", sensitive=True),
            IndicatorDef("persons_trained", "Persoane formate", unit="persoane"),
            IndicatorDef("persons_counselled", "Persoane consiliate", unit="persoane"),
            IndicatorDef("coverage", "Acoperire", unit="%", aggregation="avg"),
        ]

    @hookimpl
    def vatra_indicator_values(self, tenant_ids: list[int], period: Period) -> list[IndicatorValue]:
        self.value_calls.append((list(tenant_ids), period))
        self.scopes.append(current_scope())
        counted = db.session.execute(
            sa.select(CouncilMember.tenant_id, sa.func.count(CouncilMember.id))
            .where(CouncilMember.tenant_id.in_(list(tenant_ids)))
            .group_by(CouncilMember.tenant_id)
        ).all()
        self.counselled_rows = [(int(t), int(n)) for t, n in counted]
        out = [IndicatorValue(int(t), "persons_counselled", Decimal(n), int(n)) for t, n in counted]
        for tid, codes in self.values.items():
            if tid in tenant_ids:
                out.extend(IndicatorValue(tid, code, value) for code, value in codes.items())
        return out

    @hookimpl
    def vatra_locality_status(self, tenant_ids: list[int], year: int) -> dict[int, dict[str, Any]]:
        self.status_calls.append((list(tenant_ids), year))
        return {tid: dict(s) for tid, s in self.status.items() if tid in tenant_ids}


def add_council(app: Any, locality: Tenant, *, members: int = 3, trained: int = 0,
                meetings: tuple[dt.date, ...] = (), trained_on: dt.date | None = None,
                name: str = "Consiliul Comunitar Consultativ") -> None:
    """Give ``locality`` a council with members (the first ``trained`` of them trained) and meetings."""
    with app.app_context(), system_context():
        council = Council(tenant_id=locality.id, name=name, established_on=dt.date(2025, 3, 1), trained_on=trained_on)
        db.session.add(council)
        db.session.flush()
        for i in range(members):
            db.session.add(CouncilMember(
                tenant_id=locality.id, council_id=council.id, position=i + 1, name=f"Membru {i + 1}",
                role=CouncilRole.CHAIR if i == 0 else CouncilRole.MEMBER,
                trained_on=dt.date(2025, 5, 1) if i < trained else None,
            ))
        for day in meetings:
            db.session.add(CouncilMeeting(tenant_id=locality.id, council_id=council.id, held_on=day))
        db.session.commit()


def make_county(make_tenant: Callable[..., Tenant], localities: int, *, name: str | None = None,
                inactive: int = 0) -> tuple[Tenant, list[Tenant]]:
    """A county with ``localities`` localities, the last ``inactive`` of them not active."""
    county = make_tenant("county", name=name)
    children = [
        make_tenant("locality", parent=county, active=i < localities - inactive) for i in range(localities)
    ]
    return county, children
