"""The proof that every row that changes is audited (SECURITY.md, *Every write is audited*).

A walk of the API and of the form routes, as the most privileged role of a
locality, a county and the platform, in their own tenants with their own
objects' ids — every method, the deletions last — on PostgreSQL: for every
transaction that committed, the rows PostgreSQL counted as inserted, updated
or deleted in the audited tables (``pg_stat_xact_user_tables``, read inside
the transaction just before COMMIT) equal the rows the audit accounted for,
and no statement wrote an audited table outside the session.
"""

from __future__ import annotations

from core.auth.models import Role
from tests.security.audit_ledger import audit_ledger
from tests.security.test_isolation_sweep import Sweep
from tests.security.world import kind_of, object_args, openapi, rule_methods, tenant_rules

WALKERS = (("a1", Role.TENANT_ADMIN), ("county_a", Role.COUNTY_COORDINATOR), ("platform", Role.PLATFORM_ADMIN))
SPARED = {"admin.toggle_plugin", "api_plugins.PluginByName"}  # switching a plugin off would hide the rest


def _calls(app, own):  # type: ignore[no-untyped-def]
    calls = []
    for rule in tenant_rules(app):
        args = object_args(rule)
        kinds = [kind_of(app, rule, a) for a in args]
        if not all(k in own for k in kinds):
            continue
        values = {a: own[k] for a, k in zip(args, kinds, strict=True)}
        for method in rule_methods(rule):
            if rule.endpoint in SPARED and method != "GET":
                continue
            calls.append(({"GET": 0, "DELETE": 2}.get(method, 1), rule.rule, method, rule, values))
    return [(rule, method, values) for _, _, method, rule, values in sorted(calls, key=lambda c: c[:3])]


def test_every_row_a_walk_of_the_api_and_the_forms_changes_is_audited(pg_world):
    world = pg_world
    app = world.app
    spec = openapi(app)
    answered: dict[str, int] = {}
    with audit_ledger(app) as ledger:
        for name, role in WALKERS:
            tenant = getattr(world, name)
            sweep = Sweep(app, world, spec, tenant, role)
            for rule, method, values in _calls(app, world.objects[tenant.id]):
                response = sweep.send(rule, method, sweep.url(rule, values))
                assert response.status_code < 500, f"{method} {rule.rule}: {response.status_code}"
                if method != "GET" and response.status_code < 400:
                    answered[f"{method} {rule.rule}"] = response.status_code
    assert not ledger.refused, ledger.refused
    assert not ledger.mismatches, "\n".join(ledger.mismatches)
    # the walk did write: insertions, updates and deletions, through the API and the forms
    assert ledger.transactions >= 40 and ledger.rows >= 100, (ledger.transactions, ledger.rows)
    assert any(k.startswith("DELETE /api/") for k in answered) and any(k.startswith("POST /t/") for k in answered)
    assert {"plan_indicator", "plan_principle", "plan_activity", "pin_expenditure"} <= set(ledger.tables)
