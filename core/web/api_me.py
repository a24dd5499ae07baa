"""``GET /api/v1/t/<tenant>/me``: the user, their roles and permissions in the tenant."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_login import current_user
from flask_smorest import Blueprint as ApiBlueprint

from core.access import require
from core.plugins import host
from core.web.schemas import MeSchema

URL_PREFIX = "/me"

blp = ApiBlueprint("api_me", __name__, description="Utilizatorul curent în instituție.")


@blp.route("")
@blp.response(200, MeSchema)
@require("tenant.view")
def me() -> dict[str, Any]:
    """Who I am here: user, roles, permissions."""
    roles = sorted(r.value for r in g.roles)
    return {
        "user": current_user,
        "tenant": g.tenant,
        "roles": roles,
        "permissions": sorted(host().permissions.granted(g.roles)),
        "via_token": g.get("api_token") is not None,
    }
