"""Schemathesis against the app's own API description, in-process (WSGI).

Every operation of ``/api/v1/openapi.json`` gets generated requests — valid
ones and odd ones (wrong types, missing fields, strings where numbers go,
unknown enum values) — sent with a bearer token of a user who may use it, on
the world's real objects (every path id is one of the user's own), on
PostgreSQL. The app must never answer 5xx, every answer must match the
schema the API documents for its status, and every job the requests start
must finish.
"""

from __future__ import annotations

import time
from typing import Any

import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from core import tenancy
from core.auth.models import Role
from core.db import db
from core.jobs import Job, JobStatus
from core.testing import api_headers
from tests.security.world import PARAMETERS, TENANT_ARG, kind_of, object_args, openapi, openapi_path, tenant_rules

EXAMPLES = {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 3}
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
LAST = ("DELETE", "PUT /api/v1/t/{tenant}/plugins/{name}")
"""Operations that remove what the others still need run last."""


def path_values(world: Any, tenant: Any) -> dict[str, dict[str, Any]]:
    """The path parameters of every API path: the tenant's own objects (``name``: the example plugin)."""
    own = world.objects[tenant.id]
    out = {}
    for rule in tenant_rules(world.app):
        values = {TENANT_ARG: tenant.slug, **PARAMETERS, "name": "hello"}
        for arg in object_args(rule):
            kind = kind_of(world.app, rule, arg)
            if kind in own:
                values[arg] = own[kind]
        out[openapi_path(rule)] = {k: v for k, v in values.items() if k in rule.arguments}
    return out


def operations(schema: Any) -> list[Any]:
    ops = []
    for result in schema.get_all_operations():
        ops.append(result.ok())  # an invalid operation in the description fails here, naming it
    return sorted(ops, key=lambda op: (op.label.startswith(LAST), op.label))


def run_operation(
    app: Any, operation: Any, mode: GenerationMode, count: int, fixed: dict[str, Any], headers: dict[str, str],
    failures: list[str],
) -> int:
    """``count`` generated requests of one operation; failures are collected, not raised."""
    sent = 0

    @settings(max_examples=count, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    def run(case: Any) -> None:
        nonlocal sent
        sent += 1
        try:
            response = case.call(app=app, headers=headers)
        except Exception as exc:  # the test client re-raises what would be a 500
            failures.append(f"{mode.value} {operation.label}: 500 {type(exc).__name__}: {exc} {case.as_curl_command()}")
            return
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # one failure, or a group of them
            failures.append(f"{mode.value} {operation.label}: {' '.join(str(exc).split())[:700]}")

    run()
    return sent


def fuzz(world: Any, tenant: Any, role: Role, wanted: Any) -> tuple[int, list[str]]:
    app = world.app
    schema = schemathesis.openapi.from_dict(openapi(app))
    with app.app_context():
        headers = api_headers(world.user(tenant, role), tenant)
    values = path_values(world, tenant)
    sent = 0
    failures: list[str] = []
    for operation in operations(schema):
        if not wanted(operation.path):
            continue
        fixed = values[operation.path]
        for mode, count in EXAMPLES.items():
            sent += run_operation(app, operation, mode, count, fixed, headers, failures)
    return sent, failures


def test_the_api_never_fails_and_answers_as_documented(pg_world):
    world = pg_world  # PostgreSQL is the stricter: 32-bit integers, no NUL in text, numeric precision
    started = time.monotonic()
    sent, failures = fuzz(world, world.a1, Role.TENANT_ADMIN, lambda path: "/county" not in path)
    county_sent, county_failures = fuzz(world, world.county_a, Role.COUNTY_COORDINATOR, lambda p: "/county" in p)
    failures += county_failures
    print(f"API fuzzing: {sent + county_sent} requests in {time.monotonic() - started:.0f} s")
    # the jobs the requests started (exports, reports, imports) ran to the end, whatever the text they read
    with world.app.app_context(), tenancy.system_context():
        failed = db.session.execute(sa.select(Job.kind, Job.error).where(Job.status == JobStatus.FAILED)).all()
    failures += [f"job {kind} failed: {(error or '').splitlines()[-1:]}" for kind, error in failed]
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(sorted(set(failures))[:40])
