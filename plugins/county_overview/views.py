"""Pages under ``/t/<county>/county`` (and ``/t/platform/county/national``).

A county coordinator reads the county's localities through the read-only
aggregation surface; nothing here writes a locality's data. A county page in
a tenant that is not a county answers 404.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import marshmallow as ma
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from core.toolkit import Period, Tenant, aggregation, current_tenant, db, enqueue, require
from plugins.county_overview import charts
from plugins.county_overview.councils import councils_overview
from plugins.county_overview.jobs import EXPORT_KIND, build_export, record_export
from plugins.county_overview.national import national_overview
from plugins.county_overview.schemas import CountyArgs, ExportArgs, PeriodArgs
from plugins.county_overview.services import (
    NO_PLAN,
    PLAN_CHAIN,
    PLAN_STATUS_LABELS,
    county_overview,
    locality_detail,
    not_endorsed_by,
)

bp = Blueprint("county_overview", __name__, url_prefix="/county", template_folder="templates")

CHART_METRICS = ("members", "trained", "meetings")


def _county() -> Tenant:
    tenant = current_tenant()
    if tenant is None or not tenant.is_county:
        abort(404)
    return tenant


def _platform() -> Tenant:
    tenant = current_tenant()
    if tenant is None or not tenant.is_platform:
        abort(404)
    return tenant


def page_args(schema: ma.Schema) -> dict[str, Any]:
    """The query arguments through ``schema``; on a page a bad one falls back to its default."""
    raw = {k: v for k, v in request.args.items() if k in schema.fields}
    try:
        return schema.load(raw)
    except ma.ValidationError as err:
        kept = {k: v for k, v in raw.items() if k not in err.messages}
        return schema.load(kept)


def _period(args: dict[str, Any]) -> Period:
    return Period(args["year"], args.get("quarter"))


def status_label(status: str) -> str:
    """A plan status in the page's language."""
    return _(PLAN_STATUS_LABELS.get(status, status))


def status_labels() -> Callable[[str], str]:
    """:func:`status_label` translated once per page rather than once per locality."""
    known = {s: status_label(s) for s in PLAN_STATUS_LABELS}
    return lambda status: known.get(status) or status_label(status)


def link_maker(endpoint: str, arg: str, **values: Any) -> Callable[[Any], str]:
    """``url_for(endpoint, **{arg: x}, **values)`` for many ``x``, the URL built once.

    A page with one link per locality spent a tenth of its time in Werkzeug's
    URL building; the value (a slug) is quoted as a path segment.
    """
    marker = "__vatra_link_value__"
    template = url_for(endpoint, **{arg: marker}, **values)
    return lambda value: template.replace(marker, quote(str(value), safe=""))


def _chart_values(overview: Any, metric: str) -> list[tuple[str, Any]]:
    if metric.startswith("ind:"):
        code = metric[4:]
        return [(r.name, r.indicators.get(code)) for r in overview.rows]
    attr = {"members": "members", "trained": "members_trained", "meetings": "meetings"}[metric]
    return [(r.name, getattr(r.council, attr) if r.council else 0) for r in overview.rows]


def _chart_label(overview: Any, metric: str) -> str:
    if metric.startswith("ind:"):
        return overview.defs[metric[4:]].label
    return {"members": _("Membri ai consiliului"), "trained": _("Membri instruiți"),
            "meetings": _("Ședințe ale consiliului")}[metric]


def sort_url(args: dict[str, Any], key: str) -> str:
    """The county page sorted by ``key`` (descending when it is already sorted ascending by it)."""
    current = args.get("sort", "name")
    wanted = f"-{key}" if current == key else key
    kept = {k: v for k, v in args.items() if v not in (None, "") and k != "sort"}
    return url_for(".county_page", **kept, sort=wanted)


def _job_link() -> str | None:
    try:
        return url_for("jobs.index")
    except BuildError:
        return None


@bp.get("/")
@require("county.view")
def county_page() -> str:
    """Every locality of the county with its plan, council, indicators and projects."""
    county = _county()
    args = page_args(CountyArgs())
    period = _period(args)
    overview = county_overview(county, period, sort=args["sort"], query=args["q"], status=args["status"])
    by = args.get("by") or dt.date.today()
    metric = request.args.get("chart", "")
    if metric not in CHART_METRICS and not (metric.startswith("ind:") and metric[4:] in overview.defs):
        metric = f"ind:{overview.key_codes[0]}" if overview.key_codes else "trained"
    bars = charts.bar_chart(_chart_values(overview, metric), title=_chart_label(overview, metric), ident="bars")
    t = overview.totals
    progress = charts.progress_chart(
        [(_("Planuri avizate"), t.endorsed, t.localities), (_("Consilii"), t.councils, t.localities),
         (_("Consilii instruite"), t.councils_trained, t.localities)],
        title=_("Progres față de numărul localităților"), ident="progress",
    )
    return render_template(
        "county_overview/county.html", o=overview, by=by, compliance=not_endorsed_by(overview.all_rows, by),
        bars=bars, progress=progress, metric=metric, chart_metrics=CHART_METRICS, chart_label=_chart_label,
        status_label=status_labels(), status_choices=(NO_PLAN, *PLAN_CHAIN), args=args,
        sort_url=lambda key: sort_url(args, key),
        locality_url=link_maker(".locality_page", "slug", year=args["year"], quarter=args.get("quarter")),
    )


@bp.get("/councils")
@require("county.view")
def councils_page() -> str:
    """The county's consultative councils and the progress toward the project's targets."""
    county = _county()
    args = page_args(PeriodArgs())
    overview = councils_overview(county, args["year"])
    progress = charts.progress_chart(
        [(_(p.label), p.value, p.target) for p in overview.progress],
        title=_("Progres față de țintele proiectului"), ident="targets",
    )
    return render_template("county_overview/councils.html", o=overview, progress=progress,
                           status_label=status_label, args=args)


@bp.get("/locality/<slug>")
@require("county.view")
def locality_page(slug: str) -> str:
    """One locality read-only: its plan's status, council, live figures and project part."""
    county = _county()
    args = page_args(PeriodArgs())
    detail = locality_detail(county, slug, _period(args))
    if detail is None:
        abort(404)
    return render_template("county_overview/locality.html", county=county, d=detail, status_label=status_label,
                           args=args)


@bp.get("/national")
@require("national.view")
def national_page() -> str:
    """The counties side by side, small counts suppressed."""
    platform = _platform()
    args = page_args(PeriodArgs())
    national = national_overview(platform, _period(args))
    return render_template("county_overview/national.html", n=national, args=args)


def _file(tenant: Tenant, page: str, fmt: str, args: dict[str, Any]) -> Response:
    period = _period(args)
    name, data, mimetype = build_export(tenant, page, fmt, period, by=args.get("by"), sort=args.get("sort", "name"),
                                        q=args.get("q", ""), status=args.get("status", ""))
    # RFC 6266: an ASCII ``filename`` and the UTF-8 ``filename*`` (a raw "Județul" is no latin-1 header for gunicorn);
    # the answer is whole before the export is audited, so a failed download leaves no "export" entry
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
    record_export(tenant.id, page, fmt, period, current_user.id)
    db.session.commit()
    return response


@bp.get("/open-data.csv")
@require("county.export")
def county_csv() -> Response:
    """The county's open data (CSV, small counts suppressed)."""
    county = _county()
    return _file(county, "county", "csv", page_args(CountyArgs()))


@bp.get("/national.csv")
@require("national.view")
def national_csv() -> Response:
    """The national open data (CSV, small counts suppressed)."""
    platform = _platform()
    return _file(platform, "national", "csv", page_args(PeriodArgs()))


def _start_export(tenant: Tenant, back: str) -> Any:
    try:
        args = ExportArgs().load({k: v for k, v in request.form.items() if k in ExportArgs().fields})
    except ma.ValidationError:
        flash(_("Exportul cerut nu este valid."), "error")
        return redirect(url_for(back))
    job = enqueue(EXPORT_KIND, tenant=tenant, user=current_user.id, page=args["page"], fmt=args["format"],
                  year=args["year"], quarter=args.get("quarter"), by=args["by"].isoformat() if args.get("by") else None,
                  sort=args["sort"], q=args["q"], status=args["status"])
    flash(_("Exportul a fost pornit (lucrarea nr. %(id)s); îl găsiți în pagina lucrărilor.", id=job.id), "success")
    link = _job_link()
    return redirect(link or url_for(back))


@bp.post("/export")
@require("county.export")
def start_export() -> Any:
    """Start an Excel export of the county page or the councils page (a job)."""
    county = _county()
    if request.form.get("page") not in {"county", "councils"}:
        flash(_("Exportul cerut nu este valid."), "error")
        return redirect(url_for(".county_page"))
    return _start_export(county, ".county_page")


@bp.post("/national/export")
@require("national.view")
def start_national_export() -> Any:
    """Start an Excel export of the national page (a job)."""
    platform = _platform()
    if request.form.get("page") != "national":
        flash(_("Exportul cerut nu este valid."), "error")
        return redirect(url_for(".national_page"))
    return _start_export(platform, ".national_page")


def _refresh(tenant: Tenant, back: str) -> Any:
    form = {k: v for k, v in request.form.items() if k in ("year", "quarter") and v}
    try:
        args = PeriodArgs().load(form)
    except ma.ValidationError:
        args = PeriodArgs().load({})
    job = enqueue(aggregation.REFRESH_KIND, tenant=tenant, user=current_user.id, year=args["year"],
                  quarter=args.get("quarter"))
    flash(_("Recalcularea cifrelor a fost pornită (lucrarea nr. %(id)s).", id=job.id), "success")
    return redirect(url_for(back, year=args["year"], quarter=args.get("quarter")))


@bp.post("/refresh")
@require("county.view")
def refresh() -> Any:
    """Recompute the county's snapshot now (a job on the ``aggregation`` queue)."""
    return _refresh(_county(), ".county_page")


@bp.post("/national/refresh")
@require("national.view")
def refresh_national() -> Any:
    """Recompute the national snapshot (and every county's) now."""
    return _refresh(_platform(), ".national_page")
