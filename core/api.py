"""The core's public facade for plugins: one import for everything a plugin needs.

    from core.api import hookimpl, require, PluginInfo, Permission, ...

Plugins import only this module, :mod:`core.db`, :mod:`core.audit`,
:mod:`core.hooks` and :mod:`tenants`.
"""

from __future__ import annotations

from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest import abort

from core import aggregation
from core.access import current_roles, has_permission, require
from core.auth.models import Role, User
from core.auth.permissions import ALL_ROLES, STAFF, Permission
from core.contrib import (
    DemoContext,
    ExportFormat,
    IndicatorDef,
    IndicatorValue,
    JobSpec,
    NavItem,
    Period,
    PluginInfo,
    Widget,
)
from core.hooks import hookimpl
from core.jobs import JobContext, enqueue
from core.tenancy import current_tenant_id, read_scope, tenant_context
from tenants.resolution import current_tenant

__all__ = [
    "ALL_ROLES",
    "STAFF",
    "ApiBlueprint",
    "DemoContext",
    "ExportFormat",
    "IndicatorDef",
    "IndicatorValue",
    "JobContext",
    "JobSpec",
    "NavItem",
    "Period",
    "Permission",
    "PluginInfo",
    "Role",
    "User",
    "Widget",
    "abort",
    "aggregation",
    "current_roles",
    "current_tenant",
    "current_tenant_id",
    "enqueue",
    "has_permission",
    "hookimpl",
    "read_scope",
    "require",
    "tenant_context",
]
