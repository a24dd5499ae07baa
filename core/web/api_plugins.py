"""``/api/v1/t/<tenant>/plugins``: the installed plugins, on or off for this tenant (tenant.admin)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest import abort

from core.access import require
from core.db import db
from core.plugins import host
from core.web.admin import plugin_rows
from core.web.schemas import PluginSchema, PluginUpdateSchema

URL_PREFIX = "/plugins"

blp = ApiBlueprint("api_plugins", __name__, description="Modulele instalate și starea lor în instituție.")


@blp.route("")
class Plugins(MethodView):
    """Every installed plugin."""

    @blp.response(200, PluginSchema(many=True))
    @require("tenant.admin")
    def get(self) -> list[dict[str, Any]]:
        """List the plugins with their ``enabled`` flag for this tenant."""
        return plugin_rows(g.tenant)


@blp.route("/<name>")
class PluginByName(MethodView):
    """One plugin."""

    @blp.response(200, PluginSchema)
    @require("tenant.admin")
    def get(self, name: str) -> dict[str, Any]:
        """One plugin and whether it is on."""
        for row in plugin_rows(g.tenant):
            if row["name"] == name:
                return row
        abort(404)

    @blp.arguments(PluginUpdateSchema)
    @blp.response(200, PluginSchema)
    @require("tenant.admin")
    def put(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        """Switch the plugin on or off for this tenant (its data stays)."""
        if name not in host().plugins:
            abort(404)
        host().set_enabled(name, g.tenant, data["enabled"])
        db.session.commit()
        return next(row for row in plugin_rows(g.tenant) if row["name"] == name)
