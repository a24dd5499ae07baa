"""The web shell and the core's own pages and API.

Pages (Flask blueprints, server-rendered Jinja):

* :mod:`core.web.auth` — login, logout, lost passwords, invitations, the home page (``/``);
* :mod:`core.web.dashboard` — a tenant's home, ``/t/<tenant>/``;
* :mod:`core.web.audit_pages` — the audit log, ``/t/<tenant>/audit``;
* :mod:`core.web.tokens` — a user's API tokens, ``/t/<tenant>/tokens``;
* :mod:`core.web.admin` — members and plugins of a tenant, tenants of the platform;
* :mod:`core.web.council` — the consultative council, ``/t/<tenant>/council``;
* :mod:`core.web.health` — ``/healthz``;
* :mod:`core.web.swagger` — Swagger UI served from the installed ``swagger-ui-bundle``.

API (flask-smorest, under ``/api/v1/t/<tenant>/``): ``core.web.api_*``.
The layout's navigation, tenant switcher and language links come from
:mod:`core.web.shell`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

TENANT_PREFIX = "/t/<tenant>"
API_PREFIX = "/api/v1/t/<tenant>"


def register(app: Flask, api: Any) -> None:
    """Register the core's blueprints (pages and API) on ``app``."""
    from core.web import (
        admin,
        api_audit,
        api_council,
        api_me,
        api_members,
        api_plugins,
        api_tenants,
        api_tokens,
        audit_pages,
        auth,
        council,
        dashboard,
        health,
        shell,
        swagger,
        tokens,
    )

    shell.init_app(app)
    swagger.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(health.bp)
    for bp in (dashboard.bp, audit_pages.bp, tokens.bp, admin.bp, council.bp):
        app.register_blueprint(bp, url_prefix=TENANT_PREFIX)
    for module in (api_me, api_audit, api_tokens, api_members, api_plugins, api_council, api_tenants):
        api.register_blueprint(module.blp, url_prefix=f"{API_PREFIX}{module.URL_PREFIX}")

