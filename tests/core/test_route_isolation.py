"""Every tenant route of the app answers 404 to a user of another tenant."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from core.auth.models import Role
from core.testing import csrf_token, login

SAMPLE = {"int": "1", "default": "x", "string": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}


def tenant_rules(app) -> list[Rule]:  # type: ignore[no-untyped-def]
    return [r for r in app.url_map.iter_rules() if "tenant" in r.arguments]


def fill(rule: Rule, slug: str) -> str:
    values = {}
    for name in rule.arguments:
        if name == "tenant":
            values[name] = slug
            continue
        converter = type(rule._converters[name]).__name__.lower().replace("converter", "")
        values[name] = SAMPLE.get(converter, "1")
    return rule.build(values, append_unknown=False)[1]


def test_the_app_has_tenant_routes_to_sweep(app):
    # guards the sweep below against an empty url map
    assert len(tenant_rules(app)) > 10


@pytest.mark.parametrize("role", [Role.TENANT_ADMIN, Role.SOCIAL_WORKER, Role.VIEWER, Role.COUNTY_COORDINATOR])
def test_every_route_of_another_tenant_is_404(any_app, make_tenant, make_user, api_headers, role):
    mine, theirs = make_tenant(), make_tenant()
    user = make_user(mine, role)
    client = login(any_app.test_client(), user)
    token_headers = api_headers(user, mine)
    for rule in tenant_rules(any_app):
        url = fill(rule, theirs.slug)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if url.startswith("/api/"):
                response = client.open(url, method=method, headers=token_headers, json={})
            else:
                data = {"csrf_token": csrf_token(client)} if method != "GET" else None
                response = client.open(url, method=method, data=data)
            assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
