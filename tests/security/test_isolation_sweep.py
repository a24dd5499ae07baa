"""The isolation sweep: every tenant route, every role, with the ids of another tenant's objects.

``tests/core/test_route_isolation.py`` checks that another tenant's *slug*
answers 404. This sweep goes further: the user asks in their OWN tenant, but
for the objects of another one (a sibling locality, their own county, a
locality or a county they do not coordinate). Every rule of the URL map —
pages and API, core and every plugin, every method — must answer 403 or
404: never 200 with the other tenant's data, never a 500, and nothing of the
other tenants changes (a checksum of their rows, read as the owner, is the
same before and after).

Every URL argument must have a sweep mapping (``ARGUMENTS`` in ``world.py`` for
the ids of objects, ``PARAMETERS`` for the rest): a new route with a new
argument fails the sweep until it is mapped, so new routes are swept
automatically.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask

from core.auth.models import Role
from core.testing import api_headers, csrf_token, login
from tests.security.world import (
    NON_TENANT_RULES,
    PARAMETERS,
    PDF,
    TENANT_ARG,
    World,
    changed_tables,
    json_body,
    kind_of,
    object_args,
    openapi,
    rule_methods,
    snapshot,
    tenant_rules,
)

PRIVILEGED = {"locality": Role.TENANT_ADMIN, "county": Role.COUNTY_COORDINATOR, "platform": Role.PLATFORM_ADMIN}
"""The role of each group that holds the most permissions: it reaches the handlers, so it asks with the ids of
every source (and runs the routes without ids); the other roles, mostly refused earlier, ask with one source each."""

OPERATOR_ONLY = {"tenant"}
"""Kinds the platform operator may address in any tenant (managing tenants is the operator's job)."""


@dataclass
class Sweep:
    """One user's requests and what came back."""

    app: Flask
    world: World
    spec: dict[str, Any]
    tenant: Any
    role: Role
    failures: list[str] = field(default_factory=list)
    requests: int = 0

    def __post_init__(self) -> None:
        user = self.world.user(self.tenant, self.role)
        self.client = login(self.app.test_client(), user)
        with self.app.app_context():
            self.headers = api_headers(user, self.tenant)

    def url(self, rule: Any, values: dict[str, Any]) -> str:
        return rule.build({TENANT_ARG: self.tenant.slug, **PARAMETERS, **values}, append_unknown=False)[1]

    def send(self, rule: Any, method: str, url: str) -> Any:
        self.requests += 1
        if url.startswith("/api/"):
            if rule.endpoint.endswith(("Documents", "Imports", "Attachment")) and method in {"POST", "PUT"}:
                data = {"file": (io.BytesIO(PDF), "doc.pdf"), "step": "endorsed"}
                return self.client.open(url, method=method, headers=self.headers, data=data)
            body = json_body(self.spec, rule, method)
            return self.client.open(url, method=method, headers=self.headers, json=body if body is not None else {})
        data: dict[str, Any] = {}
        if method != "GET":
            data = {"csrf_token": csrf_token(self.client), "file": (io.BytesIO(PDF), "doc.pdf")}
        return self.client.open(url, method=method, data=data)

    def foreign(self, rule: Any, source: Any, *, own_first: bool = False) -> dict[str, Any] | None:
        """Values of the rule's object arguments taken from ``source`` (``None``: not foreign for this user)."""
        own = self.world.objects[self.tenant.id]
        theirs = self.world.objects[source.id]
        args = object_args(rule)
        values = {}
        for i, arg in enumerate(args):
            kind = kind_of(self.app, rule, arg)
            if self.role == Role.PLATFORM_ADMIN and kind in OPERATOR_ONLY:
                return None  # the operator manages every tenant by design (tests/core/web/test_web_tenants.py)
            if kind == "locality_slug" and theirs["locality_parent"] == self.tenant.id:
                return None  # a county reads its own localities by design
            pick = own if own_first and i == 0 else theirs
            if kind not in pick:
                return None
            values[arg] = pick[kind]
        return values

    def expect_refused(self, rule: Any, method: str, values: dict[str, Any], what: str) -> None:
        url = self.url(rule, values)
        response = self.send(rule, method, url)
        if response.status_code not in {403, 404}:
            body = response.get_data(as_text=True)[:200].replace("\n", " ")
            self.failures.append(f"{self.role.value}: {method} {url} ({what}) answered {response.status_code}: {body}")


def sweep_user(app: Flask, world: World, spec: dict[str, Any], tenant: Any, role: Role, sources: list[Any]) -> Sweep:
    """Every rule with another tenant's object ids, for one user; checks the other tenants are untouched."""
    sweep = Sweep(app, world, spec, tenant, role)
    others = [t.id for t in world.tenants if t.id != tenant.id]
    before = snapshot(app, others)
    for rule in tenant_rules(app):
        if not object_args(rule):
            continue
        for method in rule_methods(rule):
            for source in sources:
                values = sweep.foreign(rule, source)
                if values is not None:
                    sweep.expect_refused(rule, method, values, f"ids of {source.slug}")
            if len(object_args(rule)) > 1:
                values = sweep.foreign(rule, sources[-1], own_first=True)
                if values is not None:
                    sweep.expect_refused(rule, method, values, f"own parent, children of {sources[-1].slug}")
    after = snapshot(app, others)
    changed = changed_tables(before, after)
    assert not changed, f"{role.value} changed other tenants' rows in {changed}"
    return sweep


def own_requests(app: Flask, world: World, spec: dict[str, Any], tenant: Any, role: Role) -> set[str]:
    """The routes without object ids, in the user's own tenant: no 5xx, the other tenants untouched.

    Returns the endpoints of GET rules with object ids that answered 2xx/3xx
    with the user's own ids (proof that the sweep's mapping names real objects).
    """
    sweep = Sweep(app, world, spec, tenant, role)
    others = [t.id for t in world.tenants if t.id != tenant.id]
    before = snapshot(app, others, audit=False)
    reached = set()
    own = world.objects[tenant.id]
    for rule in tenant_rules(app):
        args = object_args(rule)
        if args:
            if "GET" not in rule_methods(rule):
                continue
            kinds = [kind_of(app, rule, a) for a in args]
            if not all(k in own for k in kinds):
                continue
            response = sweep.send(rule, "GET", sweep.url(rule, {a: own[k] for a, k in zip(args, kinds, strict=True)}))
            assert response.status_code < 500, f"GET {rule.rule} with own ids: {response.status_code}"
            if response.status_code < 400:
                reached.add(rule.endpoint)
            continue
        for method in rule_methods(rule):
            if rule.endpoint in {"admin.toggle_plugin", "api_plugins.PluginByName"} and method != "GET":
                continue  # switching a plugin off here would hide the routes the sweep still has to reach
            response = sweep.send(rule, method, sweep.url(rule, {}))
            assert response.status_code < 500, f"{method} {rule.rule} in own tenant: {response.status_code}"
    after = snapshot(app, others, audit=False)
    changed = changed_tables(before, after)
    assert not changed, f"{role.value} changed other tenants' rows in {changed}"
    return reached


def test_every_rule_is_mapped_or_outside_tenants(app):
    rules = list(app.url_map.iter_rules())
    outside = {r.rule for r in rules if TENANT_ARG not in r.arguments}
    assert outside <= set(NON_TENANT_RULES), f"new routes outside a tenant: {outside - set(NON_TENANT_RULES)}"
    swept = 0
    for rule in tenant_rules(app):
        for arg in object_args(rule):
            kind_of(app, rule, arg)
            swept += 1
    assert swept > 60


GROUPS = {
    # whose users, asking with the ids of which tenants
    "locality": ("a1", ("a2", "county_a", "b1")),
    "county": ("county_a", ("a1", "county_b", "b1")),
    "platform": ("platform", ("a1", "county_b")),
}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_no_route_reaches_another_tenants_objects(any_world, group):
    world = any_world
    app = world.app
    spec = openapi(app)
    home_name, source_names = GROUPS[group]
    home = getattr(world, home_name)
    sources = [getattr(world, name) for name in source_names]
    roles = sorted((role for (tid, role) in world.users if tid == home.id), key=lambda r: r.value)
    failures: list[str] = []
    requests = 0
    for i, role in enumerate(roles):
        # the roles that reach the handlers ask with every source; the others, refused earlier, with one each
        asked = sources if role == PRIVILEGED[group] else [sources[i % len(sources)]]
        sweep = sweep_user(app, world, spec, home, role, asked)
        failures += sweep.failures
        requests += sweep.requests
    assert not failures, f"{len(failures)} of {requests} requests were not refused:\n" + "\n".join(failures[:60])
    reached: set[str] = set()
    for role in {PRIVILEGED[group], Role.TENANT_ADMIN} & set(roles):
        reached |= own_requests(app, world, spec, home, role)
    if group != "platform":
        expected = set()
        for r in tenant_rules(app):
            kinds = {kind_of(app, r, a) for a in object_args(r)}
            if kinds and "GET" in rule_methods(r) and "tenant" not in kinds and (
                group == "county" or "locality_slug" not in kinds
            ):
                expected.add(r.endpoint)
        assert expected <= reached, f"GET routes the sweep's mapping did not reach with own ids: {expected - reached}"
    print(f"isolation sweep [{group}]: {requests} requests refused, {len(roles)} roles")


@pytest.mark.parametrize("huge", [2**31, 10**30])
def test_ids_beyond_the_databases_integers_are_not_found(world, huge):
    app = world.app
    spec = openapi(app)
    sweep = Sweep(app, world, spec, world.a1, Role.TENANT_ADMIN)
    for rule in tenant_rules(app):
        args = object_args(rule)
        if not args:
            continue
        own = world.objects[world.a1.id]
        values = {a: (huge if kind_of(app, rule, a) != "locality_slug" else "x" * 300) for a in args}
        if len(args) > 1:  # the parent is real: only the last id is out of range
            values = {a: own[kind_of(app, rule, a)] for a in args[:-1]} | {args[-1]: values[args[-1]]}
        # built by hand: the URL map itself refuses to build an id it would not match
        path = rule.rule.replace("<tenant>", world.a1.slug)
        for name in rule.arguments - {TENANT_ARG}:
            value = values.get(name, PARAMETERS.get(name))
            path = path.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
        for method in rule_methods(rule):
            response = sweep.send(rule, method, path)
            assert response.status_code in {403, 404}, f"{method} {path}: {response.status_code}"
