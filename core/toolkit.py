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
from core.numbers import KINDS, NumberError, NumberKind, check_number, number_example, number_text, parse_number
from tenants.models import Council, CouncilMeeting, CouncilMember, CouncilRole, Tenant, TenantKind
from tenants.names import search_keys
from tenants.services import get_by_slug, localities_of

__all__ = [
    *_api_all,
    "KINDS",
    "MAX_ID",
    "AggSnapshot",
    "Council",
    "CouncilMeeting",
    "CouncilMember",
    "CouncilRole",
    "Money",
    "NumberError",
    "NumberKind",
    "Tenant",
    "TenantKind",
    "TenantScoped",
    "TimestampMixin",
    "UTCDateTime",
    "db",
    "get_by_slug",
    "check_number",
    "in_ids",
    "localities_of",
    "number_example",
    "number_text",
    "parse_number",
    "record_event",
    "search_keys",
    "tenant_fk",
    "tenant_table_args",
    "utcnow",
]
