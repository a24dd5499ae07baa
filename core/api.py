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
from core.errors import commit_on_response
from core.hooks import hookimpl
from core.i18n import format_amount, format_day, format_money, format_number, format_percent, month_name, translate
from core.jobs import JobContext, PermanentJobError, enqueue
from core.tenancy import current_tenant_id, read_scope, tenant_context
from core.text import N_, Message
from core.versions import client_version
from tenants.resolution import current_tenant

__all__ = [
    "ALL_ROLES",
    "N_",
    "STAFF",
    "ApiBlueprint",
    "DemoContext",
    "ExportFormat",
    "IndicatorDef",
    "IndicatorValue",
    "JobContext",
    "JobSpec",
    "Message",
    "NavItem",
    "Period",
    "PermanentJobError",
    "Permission",
    "PluginInfo",
    "Role",
    "User",
    "Widget",
    "abort",
    "aggregation",
    "client_version",
    "commit_on_response",
    "current_roles",
    "current_tenant",
    "current_tenant_id",
    "enqueue",
    "format_amount",
    "format_day",
    "format_money",
    "format_number",
    "format_percent",
    "has_permission",
    "hookimpl",
    "month_name",
    "read_scope",
    "require",
    "tenant_context",
    "translate",
]
