"""Jinja autoescape on every page: a ``<script>`` payload in every text field never comes back raw.

Every text column of the world's rows — plans and their sections,
principles, objectives, activities, responsible bodies, indicators, values'
notes, documents' titles, council members and meetings, PIN projects,
their lines, expenditures' suppliers, steps, results, tenants' names, users'
names, jobs' messages, audit labels — gets the payload; then every GET page
of the URL map is fetched as the people who see the most (a locality's
administrator, a county's coordinator and administrator, the operator).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import JSON, Enum, String

from core.auth.models import Role
from core.db import db
from core.testing import login
from tests.security.world import (
    PARAMETERS,
    TENANT_ARG,
    World,
    kind_of,
    object_args,
    rule_methods,
    tenant_rules,
)

PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
STRUCTURAL = {
    # what the platform itself reads back to find things: URLs, files, hashes, chain
    "slug", "password_hash", "token_hash", "prefix", "storage_path", "attachment_path", "result_path",
    "mimetype", "attachment_mimetype", "result_mimetype", "sha256", "search_key_a", "search_key_i",
    "rq_job_id", "prev_hash", "hash", "last_hash", "changes", "request_id", "ip", "queue", "kind",
    "plugin", "locale", "language", "currency", "county_code", "entity",
    "plan_indicator.code", "pin_indicator.code",  # codes of the national indicator catalog
}


def poison(world: World) -> int:
    """Put the payload in front of every text value of every table; returns how many columns got it."""
    engine = sa.create_engine(world.app.config["DATABASE_OWNER_URL"], poolclass=sa.pool.NullPool)
    columns = 0
    with engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            for column in table.c:
                kind = column.type
                if isinstance(kind, Enum | JSON) or not isinstance(kind, String):
                    continue
                if {column.name, f"{table.name}.{column.name}"} & STRUCTURAL:
                    continue
                if kind.length is not None and kind.length < len(PAYLOAD) + 2:
                    continue
                value = sa.literal(PAYLOAD + " ") + sa.func.coalesce(column, "")
                if kind.length is not None:
                    value = sa.func.substr(value, 1, kind.length)
                conn.execute(sa.update(table).values({column.name: value}))
                columns += 1
    engine.dispose()
    return columns


def pages(world: World, tenant: Any) -> list[str]:
    """Every GET page of the tenant, filled with its own objects."""
    own = world.objects[tenant.id]
    urls = []
    for rule in tenant_rules(world.app):
        if rule.rule.startswith("/api/") or "GET" not in rule_methods(rule):
            continue
        kinds = {a: kind_of(world.app, rule, a) for a in object_args(rule)}
        if not all(k in own for k in kinds.values()):
            continue
        values = {a: own[k] for a, k in kinds.items()}
        urls.append(rule.build({TENANT_ARG: tenant.slug, **PARAMETERS, **values}, append_unknown=False)[1])
    return urls


def test_no_page_shows_the_payload_unescaped(world):
    assert poison(world) > 60
    app = world.app
    viewers = [
        (world.a1, Role.TENANT_ADMIN),
        (world.a1, Role.COUNCIL_MEMBER),
        (world.county_a, Role.COUNTY_COORDINATOR),
        (world.county_a, Role.TENANT_ADMIN),
        (world.platform, Role.PLATFORM_ADMIN),
    ]
    fetched, escaped = 0, set()
    for tenant, role in viewers:
        client = login(app.test_client(), world.user(tenant, role))
        for url in ["/", *pages(world, tenant)]:
            for query in ("", "?lang=hu") if role == Role.TENANT_ADMIN else ("",):
                response = client.get(url + query, follow_redirects=True)
                assert response.status_code < 500, f"{role.value} GET {url}: {response.status_code}"
                if not response.mimetype.startswith("text/html"):
                    continue
                body = response.get_data(as_text=True)
                fetched += 1
                assert PAYLOAD not in body, f"{role.value} GET {url}{query} shows the payload unescaped"
                assert "<script>alert" not in body.lower(), f"{role.value} GET {url}{query}"
                if ESCAPED in body and response.status_code == 200:
                    escaped.add(url)
    # the payload did reach the pages: most pages show at least one poisoned field, escaped
    assert fetched > 80
    assert len(escaped) > 30, sorted(escaped)
    slug = world.a1.slug
    plan = world.objects[world.a1.id]["plan"]
    for must in (f"/t/{slug}/plan/{plan}", f"/t/{slug}/council", f"/t/{slug}/projects/", f"/t/{slug}/jobs"):
        assert must in escaped, must
