"""Background exports of the county overview's pages (kind ``county_overview.export``, queue ``exports``).

The job runs in the tenant that asked (the county, or the platform for the
national page), reads through the same read-only surface as the pages, saves
one file and records the export in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from core.toolkit import N_, JobSpec, Period, Tenant, db, record_event
from plugins.county_overview import exports
from plugins.county_overview.councils import councils_overview
from plugins.county_overview.national import national_overview
from plugins.county_overview.services import county_overview, not_endorsed_by

EXPORT_KIND = "county_overview.export"
PAGES = ("county", "councils", "national")
FORMATS = ("xlsx", "csv")
COUNTY_PAGES = frozenset({"county", "councils"})


class ExportRefusedError(ValueError):
    """The export asked does not exist for this tenant (a county page in the platform, …)."""


def build_export(tenant: Tenant, page: str, fmt: str, period: Period, *, by: dt.date | None = None,
                 sort: str = "name", q: str = "", status: str = "") -> tuple[str, bytes, str]:
    """``(file name, bytes, MIME type)`` of one page in one format (no Flask, no job needed).

    A file leaves the county: it holds every locality whatever ``q`` and
    ``status`` say, so no one can subtract a filtered total from a full one
    (filtered totals are shown only on the county's own page).
    """
    if page in COUNTY_PAGES and not tenant.is_county:
        raise ExportRefusedError(f"the {page} page exists for counties only")
    if page == "national" and not tenant.is_platform:
        raise ExportRefusedError("the national page exists for the platform only")
    if (page, fmt) == ("councils", "csv"):
        raise ExportRefusedError("the councils page has no open-data file")
    if page == "county":
        overview = county_overview(tenant, period, sort=sort)
        stem = f"Judet {tenant.display_name} {period.label}"
        if fmt == "csv":
            return f"{stem} date deschise.csv", exports.county_csv(overview), exports.CSV_MIMETYPE
        day = by or dt.date.today()
        data = exports.county_xlsx(overview, not_endorsed_by(overview.all_rows, day), day)
        return f"{stem}.xlsx", data, exports.XLSX_MIMETYPE
    if page == "councils":
        data = exports.councils_xlsx(councils_overview(tenant, period.year))
        return f"Consilii {tenant.display_name} {period.year}.xlsx", data, exports.XLSX_MIMETYPE
    national = national_overview(tenant, period)
    if fmt == "csv":
        return f"Situatia nationala {period.label}.csv", exports.national_csv(national), exports.CSV_MIMETYPE
    return f"Situatia nationala {period.label}.xlsx", exports.national_xlsx(national), exports.XLSX_MIMETYPE


def record_export(tenant_id: int, page: str, fmt: str, period: Period, user_id: int | None) -> None:
    """An audit entry for a file that left the platform."""
    record_event(
        "export",
        tenant_id=tenant_id,
        entity="county_overview",
        entity_id=None,
        details={"page": page, "format": fmt, "period": period.label, "user_id": user_id},
    )


def export_page(ctx: Any, page: str, fmt: str = "xlsx", year: int | None = None, quarter: int | None = None,
                by: str | None = None, sort: str = "name", q: str = "", status: str = "") -> None:
    """Job ``county_overview.export``: one page as Excel or open-data CSV."""
    if page not in PAGES or fmt not in FORMATS:
        raise ExportRefusedError(f"unknown export {page}/{fmt}")
    tenant = db.session.get(Tenant, ctx.tenant_id)
    if tenant is None:
        raise ExportRefusedError("unknown tenant")
    period = Period(year or dt.date.today().year, quarter)
    ctx.progress(10, "Se citesc datele localităților")
    name, data, mimetype = build_export(
        tenant, page, fmt, period, by=dt.date.fromisoformat(by) if by else None, sort=sort, q=q, status=status
    )
    ctx.progress(90, "Se salvează fișierul")
    ctx.save_file(name, data, mimetype)
    record_export(tenant.id, page, fmt, period, ctx.user_id)


def file_permission(params: Mapping[str, Any]) -> str:
    """The permission an export's file needs: the one its page needs (the national page, or the county's)."""
    return "national.view" if params.get("page") == "national" else "county.view"


JOBS = [
    JobSpec(kind=EXPORT_KIND, func=export_page, queue="exports", timeout=900, retries=2,
            label=N_("Export al situației județene"), file_permission=file_permission),
]
