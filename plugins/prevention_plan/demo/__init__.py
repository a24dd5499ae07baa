"""Demo data: the seed plan of Târgu Secuiesc for 2026, endorsed by its council.

The seed (``demo/plan_targu_secuiesc_2026.json``, structured from the text
next to it) loads as the tenant's 2026 plan with its signatories; the
council's six members fill the tenant's Consiliul Comunitar Consultativ. The
document is "Avizat de Consiliul Comunitar Consultativ" but gives neither the
aviz number nor its date, so the aviz is recorded with the six members present
and a note saying so — the demo is the only caller allowed to do that.
Running the loader twice changes nothing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from core.toolkit import DemoContext, db
from plugins.prevention_plan import services
from plugins.prevention_plan.models import Plan, PlanStatus

SIRUTA = 63740
DEMO_NOTE = (
    "Date demonstrative: documentul sursă poartă mențiunea „Avizat de Consiliul Comunitar Consultativ” "
    "fără numărul și data avizului."
)


def find_tenant(demo: DemoContext) -> Any | None:
    """The demo tenant of Târgu Secuiesc (SIRUTA 63740), if the core created it."""
    return next((t for t in demo.tenants.values() if getattr(t, "siruta", None) == SIRUTA), None)


def _user_id(demo: DemoContext, email: str) -> int | None:
    user = demo.users.get(email)
    return getattr(user, "id", None)


def load_council(seed: dict[str, Any]) -> Any:
    """The tenant's council with the seed's members, their roles, functions and institutions."""
    council = services.ensure_council(seed["council"]["name"])
    for member in seed["council"]["members"]:
        services.ensure_member(
            council,
            position=member["position"],
            name=member["name"],
            role=member["role"],
            function=member["description"],
            institution=member["institution"],
        )
    db.session.flush()
    return council


def load_plan(seed: dict[str, Any], council: Any, demo: DemoContext | None = None) -> Plan:
    """The seed's plan as the current 2026 plan, submitted and endorsed (done once)."""
    existing = db.session.execute(sa.select(Plan).where(Plan.year == seed["year"])).scalars().first()
    if existing is not None:
        return existing
    plan = services.build_plan(seed, seed["year"])
    worker = _user_id(demo, "asistent.tgsecuiesc@vatra.test") if demo else None
    secretary = _user_id(demo, "secretar.ccc@vatra.test") if demo else None
    services.transition(plan, PlanStatus.SUBMITTED, user_id=worker)
    services.transition(
        plan,
        PlanStatus.ENDORSED,
        {"members_present": [m.id for m in council.members], "note": DEMO_NOTE},
        user_id=secretary,
        demo_without_aviz_number=True,
    )
    return plan


def load(demo: DemoContext) -> Plan | None:
    """Load the council and the plan into the Târgu Secuiesc tenant; ``None`` when it is not a demo tenant."""
    tenant = find_tenant(demo)
    if tenant is None:
        return None
    seed = services.load_seed()
    with demo.enter(tenant.id):
        council = load_council(seed)
        plan = load_plan(seed, council, demo)
        db.session.flush()
    return plan
