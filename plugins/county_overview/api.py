"""``/api/v1/t/<county>/county``: the county overview's pages as JSON (read-only but for exports and refreshes).

Every method declares its permission; a county resource in a tenant that is
not a county answers 404, the national ones outside the platform too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.views import MethodView
from flask_login import current_user

from core.toolkit import ApiBlueprint, Period, Tenant, abort, aggregation, current_tenant, enqueue, require
from plugins.county_overview.councils import councils_overview
from plugins.county_overview.jobs import EXPORT_KIND
from plugins.county_overview.national import national_overview
from plugins.county_overview.schemas import (
    ComplianceArgs,
    ComplianceSchema,
    CouncilsOverviewSchema,
    CountyArgs,
    CountyOverviewSchema,
    ExportArgs,
    JobStartedSchema,
    LocalityDetailSchema,
    NationalOverviewSchema,
    PeriodArgs,
    RefreshArgs,
)
from plugins.county_overview.services import (
    build_rows,
    county_overview,
    locality_detail,
    not_endorsed_by,
    valid_sort,
)

blp = ApiBlueprint(
    "county_overview_api", __name__, url_prefix="/county",
    description="Situația județului: localitățile, consiliile lor, indicatorii; situația națională.",
)


def _county() -> Tenant:
    tenant = current_tenant()
    if tenant is None or not tenant.is_county:
        abort(404, message="Pagina există doar pentru un județ.")
    return tenant


def _platform() -> Tenant:
    tenant = current_tenant()
    if tenant is None or not tenant.is_platform:
        abort(404, message="Pagina există doar pentru platformă.")
    return tenant


def _period(args: dict[str, Any]) -> Period:
    return Period(args["year"], args.get("quarter"))


@blp.route("/")
class CountyResource(MethodView):
    """The county page."""

    @blp.arguments(CountyArgs, location="query")
    @blp.response(200, CountyOverviewSchema)
    @require("county.view")
    def get(self, args: dict[str, Any]) -> Any:
        """Every locality with its plan, council, indicators and projects; sorted, filtered, with totals."""
        county = _county()
        if not valid_sort(args["sort"], aggregation.catalog()):
            abort(422, errors={"query": {"sort": ["Coloană de sortare necunoscută."]}})
        return county_overview(county, _period(args), sort=args["sort"], query=args["q"], status=args["status"])


@blp.route("/compliance")
class ComplianceResource(MethodView):
    """The compliance list."""

    @blp.arguments(ComplianceArgs, location="query")
    @blp.response(200, ComplianceSchema)
    @require("county.view")
    def get(self, args: dict[str, Any]) -> Any:
        """The localities without a plan endorsed on or before ``by`` (default today)."""
        county = _county()
        by = args.get("by") or dt.date.today()
        rows, figures = build_rows(county, _period(args))
        return {"by": by, "year": args["year"], "localities": not_endorsed_by(rows, by),
                "computed_at": figures.computed_at, "live": figures.live}


@blp.route("/councils")
class CouncilsResource(MethodView):
    """The councils page."""

    @blp.arguments(PeriodArgs, location="query")
    @blp.response(200, CouncilsOverviewSchema)
    @require("county.view")
    def get(self, args: dict[str, Any]) -> Any:
        """The county's consultative councils and the progress toward the targets."""
        return councils_overview(_county(), args["year"])


@blp.route("/localities/<slug>")
class LocalityResource(MethodView):
    """One locality, read-only."""

    @blp.arguments(PeriodArgs, location="query")
    @blp.response(200, LocalityDetailSchema)
    @require("county.view")
    def get(self, args: dict[str, Any], slug: str) -> Any:
        """A locality of the county with live figures (404 for a locality of another county)."""
        detail = locality_detail(_county(), slug, _period(args))
        if detail is None:
            abort(404, message="Localitatea nu aparține județului.")
        return detail


@blp.route("/national")
class NationalResource(MethodView):
    """The national page."""

    @blp.arguments(PeriodArgs, location="query")
    @blp.response(200, NationalOverviewSchema)
    @require("national.view")
    def get(self, args: dict[str, Any]) -> Any:
        """The counties side by side, small counts suppressed."""
        return national_overview(_platform(), _period(args))


def _export(tenant: Tenant, args: dict[str, Any]) -> Any:
    return enqueue(
        EXPORT_KIND, tenant=tenant, user=current_user.id, page=args["page"], fmt=args["format"], year=args["year"],
        quarter=args.get("quarter"), by=args["by"].isoformat() if args.get("by") else None, sort=args["sort"],
        q=args["q"], status=args["status"],
    )


@blp.route("/exports")
class ExportsResource(MethodView):
    """Exports of the county's pages."""

    @blp.arguments(ExportArgs)
    @blp.response(202, JobStartedSchema)
    @require("county.export")
    def post(self, args: dict[str, Any]) -> Any:
        """Start an export (``page``: county or councils; ``format``: xlsx, or csv for the county's open data)."""
        county = _county()
        if args["page"] == "national":
            abort(422, errors={"json": {"page": ["Situația națională se exportă din spațiul platformei."]}})
        if (args["page"], args["format"]) == ("councils", "csv"):
            abort(422, errors={"json": {"format": ["Pagina consiliilor se exportă doar în Excel."]}})
        return _export(county, args)


@blp.route("/national/exports")
class NationalExportsResource(MethodView):
    """Exports of the national page."""

    @blp.arguments(ExportArgs)
    @blp.response(202, JobStartedSchema)
    @require("national.view")
    def post(self, args: dict[str, Any]) -> Any:
        """Start an export of the national page (xlsx or csv, suppressed)."""
        platform = _platform()
        if args["page"] != "national":
            abort(422, errors={"json": {"page": ["Din spațiul platformei se exportă doar situația națională."]}})
        return _export(platform, args)


@blp.route("/refresh")
class RefreshResource(MethodView):
    """The county's snapshot."""

    @blp.arguments(RefreshArgs)
    @blp.response(202, JobStartedSchema)
    @require("county.view")
    def post(self, args: dict[str, Any]) -> Any:
        """Recompute the county's figures now (job ``core.aggregation.refresh``)."""
        county = _county()
        return enqueue(aggregation.REFRESH_KIND, tenant=county, user=current_user.id, year=args["year"],
                       quarter=args.get("quarter"))


@blp.route("/national/refresh")
class NationalRefreshResource(MethodView):
    """The national snapshot."""

    @blp.arguments(RefreshArgs)
    @blp.response(202, JobStartedSchema)
    @require("national.view")
    def post(self, args: dict[str, Any]) -> Any:
        """Recompute the national figures (and every active county's) now."""
        platform = _platform()
        return enqueue(aggregation.REFRESH_KIND, tenant=platform, user=current_user.id, year=args["year"],
                       quarter=args.get("quarter"))
