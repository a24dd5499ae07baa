"""Demo data of the embedded default: Covasna and Olt, the two seed documents.

``vatra demo load`` loads the SIRUTA catalog, activates Covasna and Olt with
Târgu Secuiesc and 20 communes of Olt, creates one user per role (passwords
generated and printed, never written in the docs) and asks every plugin to
load its own demo data (``vatra_load_demo``). Running it twice changes
nothing but the printed passwords.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

from core import tenancy
from core.auth.models import Membership, Role, User
from core.auth.passwords import hash_password
from core.contrib import DemoContext
from core.db import db
from core.plugins import host
from tenants import catalog, services
from tenants.models import Tenant

TARGU_SECUIESC = 63740
COVASNA_COUNTY = 145
OLT_COUNTY = 289
OLT_DEMO_LOCALITIES = 20


@dataclass(frozen=True)
class DemoUser:
    """A demo account: e-mail, name, tenant (SIRUTA, or None for the platform) and role."""

    email: str
    name: str
    siruta: int | None
    role: Role


DEMO_USERS = (
    DemoUser("admin@vatra.test", "Operator Platformă", None, Role.PLATFORM_ADMIN),
    DemoUser("coordonator.olt@vatra.test", "Coordonator DGASPC Olt", OLT_COUNTY, Role.COUNTY_COORDINATOR),
    DemoUser("proiect.olt@vatra.test", "Manager proiect DGASPC Olt", OLT_COUNTY, Role.TENANT_ADMIN),
    DemoUser("coordonator.covasna@vatra.test", "Coordonator DGASPC Covasna", COVASNA_COUNTY, Role.COUNTY_COORDINATOR),
    DemoUser("admin.tgsecuiesc@vatra.test", "Administrator DAS Târgu Secuiesc", TARGU_SECUIESC, Role.TENANT_ADMIN),
    DemoUser(
        "asistent.tgsecuiesc@vatra.test", "Asistent social DAS Târgu Secuiesc", TARGU_SECUIESC, Role.SOCIAL_WORKER
    ),
    DemoUser("secretar.ccc@vatra.test", "Secretar CCC Târgu Secuiesc", TARGU_SECUIESC, Role.COUNCIL_MEMBER),
    DemoUser("vizitator.tgsecuiesc@vatra.test", "Vizitator Târgu Secuiesc", TARGU_SECUIESC, Role.VIEWER),
)


def olt_demo_localities() -> list[int]:
    """SIRUTA codes of the 20 Olt communes active in the demo: the first 20 of the catalog."""
    communes = [u.siruta for u in catalog.read_catalog() if u.county_number == 28 and u.uat_type == 3]
    return communes[:OLT_DEMO_LOCALITIES]


def load(app: Flask, password: str | None = None) -> dict[str, str]:
    """Load the demo data; returns ``{email: password}`` of the demo users."""
    with tenancy.system_context():
        catalog.load_catalog()
        platform = catalog.ensure_platform()
        active_siruta = [COVASNA_COUNTY, OLT_COUNTY, TARGU_SECUIESC, *olt_demo_localities()]
        found = db.session.execute(sa.select(Tenant).where(Tenant.siruta.in_(active_siruta))).scalars()
        tenants = {t.siruta: t for t in found}
        for siruta in active_siruta:
            services.activate(tenants[siruta])
        credentials: dict[str, str] = {}
        users: dict[str, User] = {}
        for spec in DEMO_USERS:
            tenant = platform if spec.siruta is None else tenants[spec.siruta]
            user = db.session.execute(sa.select(User).where(User.email == spec.email)).scalar_one_or_none()
            secret = password or secrets.token_urlsafe(9)
            if user is None:
                user = User(email=spec.email, name=spec.name, password_hash=hash_password(secret), locale="ro")
                db.session.add(user)
                db.session.flush()
            else:
                user.password_hash = hash_password(secret)
            if not any(m.tenant_id == tenant.id and m.role == spec.role for m in user.memberships):
                db.session.add(Membership(user_id=user.id, tenant_id=tenant.id, role=spec.role))
            credentials[spec.email] = secret
            users[spec.email] = user
        db.session.flush()
        context = DemoContext(
            tenants={t.slug: t for t in tenants.values()} | {platform.slug: platform},
            users=users,
            enter=tenancy.tenant_context,
        )
        plugins = host()
        for name in plugins.plugins:
            plugins.call(name, "vatra_load_demo", app=app, demo=context)
            db.session.flush()
        db.session.commit()
    return credentials
