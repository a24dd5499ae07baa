"""The tenant of the current request, resolved from the URL by the core."""

from __future__ import annotations

from flask import g

from tenants.models import Tenant


def current_tenant() -> Tenant | None:
    """The tenant named in the URL of the current request, once checked."""
    return g.get("tenant")
