"""The one module a plugin imports: everything the platform offers a programme.

    from core.toolkit import hookimpl, require, TenantScoped, tenant_fk, Money, ...

A plugin imports nothing else of the platform (`core.*`, `tenants.*`); the
import contracts in setup.cfg check it in CI. :mod:`core.api` stays as an
alias while plugins move here.
"""

from __future__ import annotations

from core.aggregation_models import AggSnapshot
from core.api import *  # noqa: F403 - the toolkit is a facade over the public API
from core.api import __all__ as _api_all
from core.audit import record_event
from core.bounds import (
    DocumentDate,
    DocumentDateRange,
    PeriodDate,
    PeriodDateRange,
    PlanYear,
    PlanYearRange,
    year_range,
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
from core.storage import ALLOWED_TYPES, DOCUMENT_TYPES, CheckedFile, UploadRefusedError, check_upload, send_attachment
from tenants.models import Council, CouncilMeeting, CouncilMember, CouncilRole, Tenant, TenantKind
from tenants.names import search_keys
from tenants.services import get_by_slug, localities_of

__all__ = [
    *_api_all,
    "ALLOWED_TYPES",
    "DOCUMENT_TYPES",
    "MAX_ID",
    "AggSnapshot",
    "CheckedFile",
    "Council",
    "CouncilMeeting",
    "CouncilMember",
    "CouncilRole",
    "DocumentDate",
    "DocumentDateRange",
    "Money",
    "PeriodDate",
    "PeriodDateRange",
    "PlanYear",
    "PlanYearRange",
    "Tenant",
    "TenantKind",
    "TenantScoped",
    "TimestampMixin",
    "UTCDateTime",
    "UploadRefusedError",
    "check_upload",
    "db",
    "get_by_slug",
    "in_ids",
    "localities_of",
    "record_event",
    "search_keys",
    "send_attachment",
    "tenant_fk",
    "tenant_table_args",
    "utcnow",
    "year_range",
]
