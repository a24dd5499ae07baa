"""The grant table: one in code (core.auth.grants), the same in SECURITY.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.auth.grants import OPERATOR_GRANTS, OWN_ADMIN_GRANTS, grantable, may_manage
from core.auth.models import Role
from core.db import db
from tenants.models import TenantKind

SECURITY_MD = Path(__file__).resolve().parents[3] / "SECURITY.md"


def _documented() -> dict[tuple[str, str], set[str]]:
    """The rows of SECURITY.md's grant table: (granter, tenant kind) → roles."""
    text = SECURITY_MD.read_text(encoding="utf-8")
    section = text.split("<!-- grant-table -->", 2)[1]
    rows: dict[tuple[str, str], set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows[(cells[0].strip("`"), cells[1].strip("`"))] = set(re.findall(r"`([a-z_]+)`", cells[2]))
    return rows


def test_security_md_shows_the_table_the_code_enforces():
    documented = _documented()
    expected = {("tenant_admin" if k != TenantKind.PLATFORM else "platform_admin", k.value): {r.value for r in v}
                for k, v in OWN_ADMIN_GRANTS.items()}
    expected |= {("operator", k.value): {r.value for r in v} for k, v in OPERATOR_GRANTS.items()}
    assert documented == expected


def test_a_county_admin_never_grants_county_coordinator():
    assert Role.COUNTY_COORDINATOR not in OWN_ADMIN_GRANTS[TenantKind.COUNTY]
    assert Role.COUNTY_COORDINATOR in OPERATOR_GRANTS[TenantKind.COUNTY]


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.COUNCIL_MEMBER, Role.VIEWER, Role.COUNTY_COORDINATOR])
def test_only_admins_grant(app, make_tenant, make_user, role):
    county = make_tenant("county")
    locality = make_tenant(parent=county)
    with app.app_context():
        holder = db.session.merge(make_user(locality, role) if role != Role.COUNTY_COORDINATOR
                                  else make_user(county, role))
        assert grantable(holder, locality) == frozenset()
        assert grantable(holder, county) == frozenset()


def test_grants_by_who_and_where(app, make_tenant, make_user):
    county = make_tenant("county")
    locality = make_tenant(parent=county)
    other = make_tenant(parent=county)
    with app.app_context():
        local_admin = db.session.merge(make_user(locality, Role.TENANT_ADMIN))
        county_admin = db.session.merge(make_user(county, Role.TENANT_ADMIN))
        worker = db.session.merge(make_user(locality, Role.SOCIAL_WORKER))
        assert grantable(local_admin, locality) == {
            Role.TENANT_ADMIN, Role.SOCIAL_WORKER, Role.COUNCIL_MEMBER, Role.VIEWER}
        assert grantable(local_admin, other) == frozenset()
        assert grantable(local_admin, county) == frozenset()
        assert grantable(county_admin, county) == {Role.TENANT_ADMIN, Role.SOCIAL_WORKER, Role.VIEWER}
        assert grantable(county_admin, locality) == frozenset()
        assert may_manage(local_admin, worker)
        assert not may_manage(local_admin, local_admin), "nobody manages their own account"
        assert not may_manage(county_admin, worker)
