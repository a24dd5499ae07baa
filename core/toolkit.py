"""The one module a plugin imports: everything the platform offers a programme.

    from core.toolkit import hookimpl, require, TenantScoped, tenant_fk, Money, ...

A plugin imports nothing else of the platform (no ``core.*`` module but this
one, no ``tenants.*``) and no name starting with ``_``; the import contracts
(``lint-imports``, run by ``make lint``) check it in CI. :mod:`core.api` is
an alias of this module while older plugins move here. ``docs/toolkit.md``
is generated from :data:`SECTIONS` and the docstrings (``vatra plugins docs``).
"""

from __future__ import annotations

from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest import abort

from core import aggregation
from core.access import current_roles, has_permission, require
from core.aggregation_models import AggSnapshot
from core.audit import record_event
from core.auth.models import Role, User
from core.auth.permissions import ALL_ROLES, STAFF, Permission
from core.bounds import (
    DocumentDate,
    DocumentDateRange,
    PeriodDate,
    PeriodDateRange,
    PlanYear,
    PlanYearRange,
    year_range,
)
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
from core.db import (
    MAX_ID,
    Money,
    TenantScoped,
    TimestampMixin,
    UTCDateTime,
    db,
    in_ids,
    tenant_fk,
    tenant_table_args,
    utcnow,
)
from core.domain_errors import Conflict, DomainError, Invalid, NotFound, StaleVersion
from core.errors import apply_form_errors, commit_on_response, shown_errors
from core.hooks import hookimpl
from core.i18n import format_amount, format_day, format_money, format_number, format_percent, month_name, translate
from core.jobs import JobContext, PermanentJobError, enqueue
from core.numbers import KINDS, NumberError, NumberKind, check_number, number_example, number_text, parse_number
from core.release import VERSION, IncompatibleVatraError, requires_vatra
from core.spreadsheets import FORMULA_TRIGGERS, append_row, csv_row, csv_text, put, set_value
from core.storage import ALLOWED_TYPES, DOCUMENT_TYPES, CheckedFile, UploadRefusedError, check_upload, send_attachment
from core.tenancy import current_tenant_id, read_scope, tenant_context
from core.text import N_, Message, normalise_whitespace
from core.translation_domains import translation_domain
from core.versions import check_version, client_version
from tenants.catalog import PLATFORM_SLUG
from tenants.collation import name_key, name_order, reader_lang
from tenants.models import Council, CouncilMeeting, CouncilMember, CouncilRole, Tenant, TenantKind
from tenants.names import search_keys
from tenants.resolution import current_tenant
from tenants.services import get_by_slug, localities_of

__version__ = VERSION

#: The toolkit by theme, in the order of its reference (``docs/toolkit.md``).
SECTIONS: dict[str, list[str]] = {
    "Version": ["VERSION", "__version__", "requires_vatra", "IncompatibleVatraError"],
    "Hooks and what they return": [
        "hookimpl",
        "PluginInfo",
        "Permission",
        "NavItem",
        "Widget",
        "IndicatorDef",
        "IndicatorValue",
        "Period",
        "JobSpec",
        "ExportFormat",
        "DemoContext",
    ],
    "Access": ["require", "has_permission", "current_roles", "Role", "ALL_ROLES", "STAFF", "User"],
    "Tenants and scopes": [
        "current_tenant",
        "current_tenant_id",
        "tenant_context",
        "read_scope",
        "Tenant",
        "TenantKind",
        "get_by_slug",
        "localities_of",
        "search_keys",
        "PLATFORM_SLUG",
        "name_key",
        "name_order",
        "reader_lang",
    ],
    "Consultative councils": ["Council", "CouncilMember", "CouncilMeeting", "CouncilRole"],
    "Database primitives": [
        "db",
        "TenantScoped",
        "tenant_fk",
        "tenant_table_args",
        "TimestampMixin",
        "UTCDateTime",
        "Money",
        "MAX_ID",
        "in_ids",
        "utcnow",
    ],
    "Audit": ["record_event"],
    "Errors": [
        "DomainError",
        "Invalid",
        "NotFound",
        "Conflict",
        "StaleVersion",
        "apply_form_errors",
        "shown_errors",
        "abort",
        "commit_on_response",
    ],
    "Optimistic versions": ["client_version", "check_version"],
    "Messages and formatting": [
        "N_",
        "Message",
        "translate",
        "normalise_whitespace",
        "format_amount",
        "format_money",
        "format_number",
        "format_percent",
        "format_day",
        "month_name",
        "translation_domain",
    ],
    "REST API": ["ApiBlueprint"],
    "Jobs": ["enqueue", "JobContext", "PermanentJobError"],
    "Read-only aggregation": ["aggregation", "AggSnapshot"],
    "Spreadsheets and CSV": ["FORMULA_TRIGGERS", "append_row", "csv_row", "csv_text", "put", "set_value"],
    "Input checks and files": [
        "ALLOWED_TYPES",
        "DOCUMENT_TYPES",
        "CheckedFile",
        "DocumentDate",
        "DocumentDateRange",
        "PeriodDate",
        "PeriodDateRange",
        "PlanYear",
        "PlanYearRange",
        "UploadRefusedError",
        "check_upload",
        "send_attachment",
        "year_range",
    ],
    "Numbers typed by people": [
        "KINDS",
        "NumberError",
        "NumberKind",
        "check_number",
        "number_example",
        "number_text",
        "parse_number",
    ],
}

#: What the names without a docstring of their own are (constants and instances).
NOTES: dict[str, str] = {
    "VERSION": "The running platform's version, e.g. ``\"0.1.0\"``.",
    "__version__": "The same as :data:`VERSION`.",
    "NumberKind": "What a number is: ``\"count\"``, ``\"decimal\"``, ``\"money\"`` or ``\"percent\"``.",
    "KINDS": "The four :data:`NumberKind` values, in that order.",
    "hookimpl": (
        "pluggy's marker of project ``vatra``: decorate a function named after a hook of ``docs/plugins.md`` "
        "(``@hookimpl``, ``@hookimpl(tryfirst=True)``, ``@hookimpl(wrapper=True)``)."
    ),
    "ALL_ROLES": "Every role, for a permission anyone with a membership holds.",
    "STAFF": "The roles of a locality's or county's staff (not viewers, not council members).",
    "db": (
        "The Flask-SQLAlchemy instance: ``db.Model`` to declare tables, ``db.session`` to query and write "
        "(the session applies the tenant filter and, on PostgreSQL, Row-Level Security)."
    ),
    "MAX_ID": "The largest id the integer columns hold; a larger id in a URL or a body is refused, never sent on.",
}

__all__ = [  # the names of SECTIONS (a test keeps the two equal); a literal list, for linters and IDEs
    "ALLOWED_TYPES",
    "ALL_ROLES",
    "DOCUMENT_TYPES",
    "FORMULA_TRIGGERS",
    "KINDS",
    "MAX_ID",
    "N_",
    "PLATFORM_SLUG",
    "STAFF",
    "VERSION",
    "AggSnapshot",
    "ApiBlueprint",
    "CheckedFile",
    "Conflict",
    "Council",
    "CouncilMeeting",
    "CouncilMember",
    "CouncilRole",
    "DemoContext",
    "DocumentDate",
    "DocumentDateRange",
    "DomainError",
    "ExportFormat",
    "IncompatibleVatraError",
    "IndicatorDef",
    "IndicatorValue",
    "Invalid",
    "JobContext",
    "JobSpec",
    "Message",
    "Money",
    "NavItem",
    "NotFound",
    "NumberError",
    "NumberKind",
    "Period",
    "PeriodDate",
    "PeriodDateRange",
    "PermanentJobError",
    "Permission",
    "PlanYear",
    "PlanYearRange",
    "PluginInfo",
    "Role",
    "StaleVersion",
    "Tenant",
    "TenantKind",
    "TenantScoped",
    "TimestampMixin",
    "UTCDateTime",
    "UploadRefusedError",
    "User",
    "Widget",
    "__version__",
    "abort",
    "aggregation",
    "append_row",
    "apply_form_errors",
    "check_number",
    "check_upload",
    "check_version",
    "client_version",
    "commit_on_response",
    "csv_row",
    "csv_text",
    "current_roles",
    "current_tenant",
    "current_tenant_id",
    "db",
    "enqueue",
    "format_amount",
    "format_day",
    "format_money",
    "format_number",
    "format_percent",
    "get_by_slug",
    "has_permission",
    "hookimpl",
    "in_ids",
    "localities_of",
    "month_name",
    "name_key",
    "name_order",
    "normalise_whitespace",
    "number_example",
    "number_text",
    "parse_number",
    "put",
    "read_scope",
    "reader_lang",
    "record_event",
    "require",
    "requires_vatra",
    "search_keys",
    "send_attachment",
    "set_value",
    "shown_errors",
    "tenant_context",
    "tenant_fk",
    "tenant_table_args",
    "translate",
    "translation_domain",
    "utcnow",
    "year_range",
]
