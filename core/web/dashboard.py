"""A tenant's home page: who the tenant is and the widgets of its enabled plugins."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, g, render_template
from flask_login import current_user
from markupsafe import Markup

from core.access import require
from core.web.forms import role_label
from core.web.shell import allowed, plugin_contributions

log = logging.getLogger(__name__)

bp = Blueprint("dashboard", __name__)


@dataclass(frozen=True)
class RenderedWidget:
    """A widget's title and its HTML (or None when it failed)."""

    plugin: str
    title: str
    html: Markup | None


def widgets(tenant: Any, user: Any) -> list[RenderedWidget]:
    """The enabled plugins' widgets the user may see, rendered, in order."""
    found = plugin_contributions("vatra_dashboard_widgets", tenant, user=user)  # one plugin's failure: its own
    out = []
    for name, widget in sorted(found, key=lambda nw: (nw[1].order, nw[0])):
        if not allowed(widget.permission):
            continue
        try:
            html: Markup | None = Markup(render_template(widget.template, **widget.context))  # noqa: S704
        except Exception:
            log.exception("widget %r of plugin %s failed to render", widget.title, name)
            html = None
        out.append(RenderedWidget(name, widget.title, html))
    return out


@bp.get("/")
@require("tenant.view")
def index() -> str:
    """The tenant's dashboard."""
    tenant = g.tenant
    roles = sorted(role_label(r) for r in g.roles)
    return render_template(
        "dashboard/index.html", tenant=tenant, roles=roles, widgets=widgets(tenant, current_user._get_current_object())
    )
