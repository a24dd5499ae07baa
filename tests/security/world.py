"""A realistic two-county world for the security tests.

County A with localities A1 and A2, county B with locality B1, the platform.
Every one of the five tenants gets the same kinds of data through the
plugins' own services and demo loaders: the seed prevention plan (endorsed by
its council) with values, a document and a template; the seed PIN project
with a budget line, an expenditure with its attachment, progress with its
evidence file, a locality link; council members and a meeting; an export job
with its result file; people in every role the tenant's kind allows, and an
API token of the tenant's first role.

``World.objects[tenant_id]`` names the id of one object of each kind, so a
test can ask for another tenant's objects by kind.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from core import tenancy
from core.auth.models import Invitation, Membership, Role, User
from core.auth.passwords import hash_password
from core.db import db, utcnow
from core.jobs import enqueue
from core.testing import TEST_PASSWORD
from core.web import council_store, token_store
from plugins.pin_project import services as pin
from plugins.pin_project.demo import _load_into_scope as load_pin_seed
from plugins.pin_project.demo import seed_data as pin_seed
from plugins.prevention_plan import demo as plan_demo
from plugins.prevention_plan import services as plan
from tenants.models import Tenant, TenantKind

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROLES_BY_KIND = {
    TenantKind.LOCALITY: (Role.TENANT_ADMIN, Role.SOCIAL_WORKER, Role.COUNCIL_MEMBER, Role.VIEWER),
    TenantKind.COUNTY: (Role.COUNTY_COORDINATOR, Role.TENANT_ADMIN, Role.SOCIAL_WORKER, Role.VIEWER),
    TenantKind.PLATFORM: (Role.PLATFORM_ADMIN,),
}
# columns that change on their own (a token's last use is written by the request that uses it)
VOLATILE_COLUMNS = {"last_used_at", "last_login_at"}


@dataclass
class World:
    """The tenants, their people and one object of each kind per tenant."""

    app: Flask
    platform: Tenant
    county_a: Tenant
    a1: Tenant
    a2: Tenant
    county_b: Tenant
    b1: Tenant
    users: dict[tuple[int, Role], User] = field(default_factory=dict)
    objects: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def tenants(self) -> list[Tenant]:
        return [self.platform, self.county_a, self.a1, self.a2, self.county_b, self.b1]

    def user(self, tenant: Tenant, role: Role) -> User:
        return self.users[(tenant.id, role)]


def _populate(app: Flask, tenant: Tenant, link_locality: Tenant, people: dict[Role, User], n: int) -> dict[str, Any]:
    """One tenant's data; returns the id of one object of each kind."""
    files = app.config["VATRA_FILES"]
    author = people.get(Role.SOCIAL_WORKER) or next(iter(people.values()))
    ids: dict[str, Any] = {"tenant": tenant.id, "slug": tenant.slug}
    with tenancy.tenant_context(tenant.id):
        seed = plan.load_seed()
        council = plan_demo.load_council(seed)
        meeting = council_store.add_meeting(council, {"held_on": dt.date(2026, 2, 1), "topic": "Ședința de aviz"})
        the_plan = plan_demo.load_plan(seed, council)
        objective = the_plan.objectives[0]
        activity = objective.activities[0]
        indicator = activity.indicators[0]
        plan.record_values(the_plan, the_plan.year, 1, [plan.ValueEntry(indicator.id, "12", "primul trimestru")])
        document = plan.store_document(the_plan, files, "aviz.pdf", PDF, step="endorsed", user_id=author.id)
        template = plan.template_from_plan(the_plan, f"Șablon {n}")

        data = pin_seed()
        project = load_pin_seed(data)
        locality = tenant if TenantKind(tenant.kind) == TenantKind.LOCALITY else link_locality
        # a locality's project may only name the locality itself (a county's, any of its localities)
        link = pin.add_locality(project, locality.id, employs_staff=True, creates_council=True, note="notă")
        line = pin.add_budget_line(project, category="Formare", planned=Decimal("100000.00"))
        pin.revise_budget_line(line, planned=Decimal("90000.00"), reason="rectificare", user_id=author.id)
        expenditure = pin.record_expenditure(
            project, line_id=line.id, spent_on=project.start_date, amount=Decimal("1234.56"),
            supplier="Tipografia SRL", document_number=f"F-{n}", description="Manuale", user_id=author.id,
        )
        pin.attach_to_expenditure(expenditure, files, "factura.pdf", PDF)
        pin_activity = project.activities[0]
        step = pin_activity.steps[0] if pin_activity.steps else pin.add_step(pin_activity, "Pas")
        result = project.results[0]
        pin_indicator = result.indicators[0]
        entry = pin.record_progress(
            pin_indicator, entry_date=project.start_date, value=3, locality_tenant_id=locality.id,
            evidence="listă de prezență", user_id=author.id,
        )
        pin.attach_to_progress(entry, files, "prezenta.pdf", PDF)
        db.session.flush()
        ids.update(
            locality_slug=locality.slug, locality_parent=locality.parent_id,
            plan=the_plan.id, plan_objective=objective.id, plan_activity=activity.id, plan_indicator=indicator.id,
            plan_document=document.id, plan_template=template.id, council=council.id,
            council_member=council.members[0].id, council_meeting=meeting.id,
            pin_programme=project.programme_id, pin_project=project.id, pin_objective=project.objectives[0].id,
            pin_target_group=project.target_groups[0].id, pin_project_locality=link.id, pin_budget_line=line.id,
            pin_expenditure=expenditure.id, pin_activity=pin_activity.id, pin_activity_step=step.id,
            pin_result=result.id, pin_indicator=pin_indicator.id, pin_progress=entry.id,
        )
        db.session.commit()
        job = enqueue("prevention_plan.export_xlsx", tenant=tenant.id, user=author.id, plan_id=the_plan.id)
        assert job.result_path, f"the export job of {tenant.slug} left no file: {job.error}"
        ids["job"] = job.id
        db.session.commit()
    return ids


@functools.cache
def password_hash() -> str:
    """The argon2 hash of the test password, computed once (hashing is slow on purpose)."""
    return hash_password(TEST_PASSWORD)


def build_world(app: Flask, make_tenant: Callable[..., Tenant], make_user: Callable[..., User]) -> World:
    """Two counties, three localities, their people and data (the platform has people only)."""
    from tenants.catalog import ensure_platform

    with app.app_context(), tenancy.system_context():
        platform_id = ensure_platform().id
        db.session.commit()
    county_a = make_tenant("county", name="JUDEȚUL COVASNA TEST")
    a1 = make_tenant(parent=county_a, name="MUNICIPIUL TÂRGU SECUIESC TEST")
    a2 = make_tenant(parent=county_a, name="COMUNA ZAGON TEST")
    county_b = make_tenant("county", name="JUDEȚUL OLT TEST")
    b1 = make_tenant(parent=county_b, name="COMUNA BALȘ TEST")
    with app.app_context(), tenancy.system_context():
        platform = db.session.get(Tenant, platform_id)
        db.session.expunge(platform)
    world = World(app, platform, county_a, a1, a2, county_b, b1)
    with app.app_context(), tenancy.system_context():
        for tenant in world.tenants:
            for role in ROLES_BY_KIND[TenantKind(tenant.kind)]:
                user = User(email=f"{role.value}@{tenant.slug}.test", name=f"{role.value} {tenant.slug}",
                            password_hash=password_hash(), locale="ro")
                db.session.add(user)
                db.session.flush()
                db.session.add(Membership(user_id=user.id, tenant_id=tenant.id, role=role))
                world.users[(tenant.id, role)] = user
        db.session.commit()
        for user in world.users.values():
            db.session.refresh(user)
            db.session.expunge(user)
    links = {county_a.id: a1, a1.id: a2, a2.id: a1, county_b.id: b1, b1.id: b1}
    with app.app_context():
        for n, tenant in enumerate(world.tenants[1:], start=1):
            people = {role: world.users[(tenant.id, role)] for role in ROLES_BY_KIND[TenantKind(tenant.kind)]}
            world.objects[tenant.id] = _populate(app, tenant, links[tenant.id], people, n)
        with tenancy.system_context():
            for tenant in world.tenants:
                user = world.users[(tenant.id, ROLES_BY_KIND[TenantKind(tenant.kind)][0])]
                token, _secret = token_store.create_token(user, tenant, "sweep", 30)
                membership = db.session.execute(
                    sa.select(Membership).where(Membership.tenant_id == tenant.id, Membership.user_id == user.id)
                ).scalar_one()
                invitation = Invitation(
                    tenant_id=tenant.id, email=f"invitat-{tenant.id}@example.ro", role=Role.VIEWER,
                    code_hash=hashlib.sha256(f"sweep-{tenant.id}".encode()).hexdigest(),
                    expires_at=utcnow() + dt.timedelta(hours=72),
                )
                db.session.add(invitation)
                db.session.flush()
                entry = world.objects.setdefault(tenant.id, {"tenant": tenant.id, "slug": tenant.slug})
                entry.update(api_token=token.id, membership=membership.id, invitation=invitation.id)
            db.session.commit()
    return world


_built: dict[str, tuple[Path, World]] = {}


def _close(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def sqlite_world(
    app: Flask, make_tenant: Callable[..., Tenant], make_user: Callable[..., User], keep_dir: Callable[[], Path]
) -> World:
    """The world in ``app`` (SQLite): built once per test process, then copied (database file and files)."""
    database = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    files = Path(app.config["VATRA_FILES"])
    if "sqlite" not in _built:
        built = build_world(app, make_tenant, make_user)
        _close(app)
        keep = keep_dir()
        shutil.copyfile(database, keep / "vatra.sqlite3")
        shutil.copytree(files, keep / "files")
        _built["sqlite"] = (keep, built)
        return dataclasses.replace(built, objects=copy.deepcopy(built.objects))
    keep, built = _built["sqlite"]
    _close(app)
    shutil.copyfile(keep / "vatra.sqlite3", database)
    shutil.rmtree(files, ignore_errors=True)
    shutil.copytree(keep / "files", files)
    return dataclasses.replace(built, app=app, objects=copy.deepcopy(built.objects))


# -- what a tenant owns, as one checksum ---------------------------------------------------------


def tenant_tables() -> list[sa.Table]:
    """Every table with a ``tenant_id`` column (tenant-scoped data, memberships, tokens, plugins, audit)."""
    return [t for t in db.metadata.sorted_tables if "tenant_id" in t.c]


DERIVED_TABLES = {"agg_snapshot", "agg_value"}
"""The counties' snapshots: the platform's national refresh rewrites every county's by design."""


def _rows(conn: sa.Connection, tenant_ids: list[int], *, audit: bool) -> Iterator[tuple[str, list[Any]]]:
    for table in tenant_tables():
        if table.name in {"audit_entry", "audit_chain"} and not audit:
            continue
        if table.name in DERIVED_TABLES:
            continue
        cols = [c for c in table.c if c.name not in VOLATILE_COLUMNS]
        order = [c for c in table.primary_key.columns] or cols
        rows = conn.execute(sa.select(*cols).where(table.c.tenant_id.in_(tenant_ids)).order_by(*order))
        yield table.name, [list(r) for r in rows]
    tenant = Tenant.__table__
    cols = [c for c in tenant.c if c.name not in VOLATILE_COLUMNS]
    yield "tenant", [list(r) for r in conn.execute(sa.select(*cols).where(tenant.c.id.in_(tenant_ids)))]
    users = User.__table__
    member_users = sa.select(Membership.__table__.c.user_id).where(Membership.__table__.c.tenant_id.in_(tenant_ids))
    cols = [c for c in users.c if c.name not in VOLATILE_COLUMNS]
    yield "user_account", [list(r) for r in conn.execute(sa.select(*cols).where(users.c.id.in_(member_users)))]


def snapshot(app: Flask, tenant_ids: list[int], *, audit: bool = True) -> dict[str, str]:
    """``{table: sha256 of its rows}`` for ``tenant_ids``, read as the owner (every row, RLS aside)."""
    engine = sa.create_engine(app.config["DATABASE_OWNER_URL"], poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return {
                name: hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()
                for name, rows in _rows(conn, tenant_ids, audit=audit)
            }
    finally:
        engine.dispose()


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Names of the tables whose rows differ."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


# -- the URL map --------------------------------------------------------------------------------

TENANT_ARG = "tenant"
NON_TENANT_RULES = {
    "/": "the home page (redirects to the user's tenant)",
    "/login": "signing in",
    "/logout": "signing out",
    "/account/language": "the signed-in person's interface language",
    "/account/password": "the signed-in person's own password",
    "/account/forgot": "asking for a password link by e-mail (same answer for any address)",
    "/account/reset/<token>": "setting a password with a signed, single-use, one-hour link",
    "/invitation": "accepting an invitation with its code (the code is the credential)",
    "/healthz": "the health check",
    "/api/v1/openapi.json": "the API description",
    "/api/v1/docs": "the API browser",
    "/static/<path:filename>": "static files",
    "/static/jobs/<path:filename>": "static files of the jobs pages",
    "/static/vendor/swagger-ui/<path:filename>": "static files of the API browser",
}
"""Every rule outside ``/t/<tenant>`` and ``/api/v1/t/<tenant>``: none names an object of a tenant."""


def tenant_rules(app: Flask) -> list[Any]:
    """The rules under a tenant, sorted."""
    rules = (r for r in app.url_map.iter_rules() if TENANT_ARG in r.arguments)
    return sorted(rules, key=lambda r: (r.rule, r.endpoint))


def rule_methods(rule: Any) -> list[str]:
    """The rule's methods but HEAD and OPTIONS."""
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def owner_of(app: Flask, rule: Any) -> str:
    """The plugin that owns the rule's blueprint, ``core`` for the platform's own."""
    blueprint = rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else ""
    return app.extensions["vatra_plugins"].blueprint_owner.get(blueprint, "core")


# -- what each URL argument names -------------------------------------------------------------

ARGUMENTS: dict[str, str | dict[str, str]] = {
    # core
    "tenant_id": "tenant",
    "membership_id": "membership",
    "invitation_id": "invitation",
    "token_id": "api_token",
    "member_id": "council_member",
    "meeting_id": "council_meeting",
    "job_id": "job",
    # prevention_plan
    "plan_id": "plan",
    "objective_id": "plan_objective",
    "document_id": "plan_document",
    "template_id": "plan_template",
    # pin_project
    "programme_id": "pin_programme",
    "project_id": "pin_project",
    "line_id": "pin_budget_line",
    "expenditure_id": "pin_expenditure",
    "step_id": "pin_activity_step",
    "result_id": "pin_result",
    "entry_id": "pin_progress",
    "link_id": "pin_project_locality",
    # names shared by plugins: by owner, or by endpoint
    "activity_id": {"prevention_plan": "plan_activity", "pin_project": "pin_activity"},
    "indicator_id": {"prevention_plan": "plan_indicator", "pin_project": "pin_indicator"},
    "item_id": {
        "pin_project_api.objectives_item": "pin_objective",
        "pin_project_api.target_groups_item": "pin_target_group",
    },
    # county_overview: a locality of a county the user does not coordinate
    "slug": "locality_slug",
}
"""URL argument → the kind of object whose id (or slug) it carries."""

PARAMETERS = {"name": "pin_project", "fmt": "docx", "target": "approved"}
"""URL arguments that name no object of a tenant: a valid value."""


def kind_of(app: Flask, rule: Any, arg: str) -> str:
    """The object kind of ``arg`` in ``rule``; fails the sweep for an unmapped argument."""
    spec = ARGUMENTS.get(arg)
    if isinstance(spec, dict):
        spec = spec.get(rule.endpoint) or spec.get(owner_of(app, rule))
    assert spec is not None, (
        f"{rule.rule} ({rule.endpoint}): the URL argument <{arg}> has no sweep mapping; add it to ARGUMENTS "
        "(an object id) or PARAMETERS (anything else) in tests/security/world.py"
    )
    return spec


def object_args(rule: Any) -> list[str]:
    """The rule's arguments that carry the id of an object (sorted)."""
    return sorted(a for a in rule.arguments if a != TENANT_ARG and a not in PARAMETERS)


# -- request bodies from the API description ------------------------------------------------------


def openapi(app: Flask) -> dict[str, Any]:
    """The app's OpenAPI document."""
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def sample(spec: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> Any:
    """A small valid instance of ``schema``: required properties only, the first enum value, minimal sizes."""
    schema = _resolve(spec, schema)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = sample(spec, part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return sample(spec, schema[key][0], depth + 1)
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {
            name: sample(spec, props[name], depth + 1)
            for name in schema.get("required", [])
            if name in props and not _resolve(spec, props[name]).get("readOnly")
        }
    if kind == "array":
        return [sample(spec, schema.get("items", {}), depth + 1) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1) if "maximum" not in schema else int(schema.get("minimum", 1))
    if kind == "number":
        return max(float(schema.get("minimum", 1)), 1.0)
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-03-02"
    if fmt == "date-time":
        return "2026-03-02T10:00:00+00:00"
    if fmt == "email":
        return "persoana.noua@example.ro"
    if fmt == "decimal":
        return "1.00"
    return "a" * max(1, int(schema.get("minLength", 1)))


def openapi_path(rule: Any) -> str:
    """The rule as the API description writes it (``/plans/{plan_id}``)."""
    import re

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def json_body(spec: dict[str, Any], rule: Any, method: str) -> Any:
    """A valid JSON body for the operation, ``None`` when it takes none."""
    operation = spec["paths"].get(openapi_path(rule), {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return sample(spec, content["application/json"].get("schema", {}))
