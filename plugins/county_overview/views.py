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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from core.toolkit import (
    PLATFORM_SLUG,
    NumberError,
    Period,
    Tenant,
    aggregation,
    current_tenant,
    db,
    enqueue,
    get_by_slug,
    number_text,
    parse_number,
    reader_lang,
    require,
)
from plugins.county_overview import charts
from plugins.county_overview.councils import council_progress, councils_overview
from plugins.county_overview.jobs import EXPORT_KIND, build_export, record_export
from plugins.county_overview.national import national_overview
from plugins.county_overview.schemas import CountyArgs, CountyPageArgs, ExportArgs, PeriodArgs
from plugins.county_overview.services import (
    NO_PLAN,
    PER_PAGE,
    PLAN_CHAIN,
    PLAN_STATUS_LABELS,
    county_overview,
    key_codes,
    locality_detail,
    not_endorsed_by,
    paginate,
    status_counts,
)
from plugins.county_overview.targets import (
    COUNCIL_TARGETS,
    MAX_TARGET,
    allowed_keys,
    indicator_key,
    save_targets,
    target_fields,
    targets_of,
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


def _chart_values(rows: list[Any], metric: str) -> list[tuple[str, Any]]:
    if metric.startswith("ind:"):
        code = metric[4:]
        return [(r.name, r.indicators.get(code)) for r in rows]
    attr = {"members": "members", "trained": "members_trained", "meetings": "meetings"}[metric]
    return [(r.name, getattr(r.council, attr) if r.council else None) for r in rows]


def _chart_label(overview: Any, metric: str) -> str:
    if metric.startswith("ind:"):
        return overview.defs[metric[4:]].label
    return {"members": _("Membri ai consiliului"), "trained": _("Membri instruiți"),
            "meetings": _("Ședințe ale consiliului")}[metric]


PAGE_ARGS = ("year", "quarter", "q", "status", "council", "sort", "per", "page", "chart", "by")


def page_url(args: dict[str, Any], **changes: Any) -> str:
    """The county page with ``args`` changed by ``changes`` (empty values left out of the URL)."""
    values = {k: args.get(k) for k in PAGE_ARGS} | changes
    if isinstance(values.get("by"), dt.date):
        values["by"] = values["by"].isoformat()
    kept = {k: v for k, v in values.items() if v not in (None, "") and not (k == "page" and v == 1)
            and not (k == "per" and v == "50") and not (k == "sort" and v == "name")}
    return url_for(".county_page", **kept)


def sort_url(args: dict[str, Any], key: str) -> str:
    """The county page sorted by ``key`` (descending when it is already sorted ascending by it), first page."""
    current = args.get("sort", "name")
    wanted = f"-{key}" if current == key else key
    return page_url(args, sort=wanted, page=1)


def project_badges(rows: list[Any]) -> dict[Any, tuple[str, str]]:
    """A short badge per county project (its code when the plugin gives one, else P1, P2…) and its full name.

    Numbered over every locality of the county, so a filter does not renumber them.
    """
    badges: dict[Any, tuple[str, str]] = {}
    for r in rows:
        for p in r.projects:
            ident = p.get("project_id", p.get("title"))
            if ident not in badges:
                badges[ident] = (p.get("code") or f"P{len(badges) + 1}", p.get("title", ""))
    return badges


def _metric(args: dict[str, Any], overview: Any) -> str:
    metric = args.get("chart") or ""
    if metric in CHART_METRICS or (metric.startswith("ind:") and metric[4:] in overview.defs):
        return metric
    return f"ind:{overview.key_codes[0]}" if overview.key_codes else "trained"


def dashboard(overview: Any, county: Tenant) -> dict[str, Any]:
    """The key figures and the charts at the top of the county page, over the filtered rows."""
    t = overview.totals
    targets = targets_of(county)
    labels = status_labels()
    councils = council_progress([r.council for r in overview.rows if r.council is not None])
    stages = charts.bar_chart([(labels(s), n) for s, n in status_counts(overview.rows)],
                              title=_("Planurile anului, pe stadii"), ident="stages", layout=charts.NARROW)
    council_chart = charts.progress_chart(
        [(_(label), councils[key], targets.get(key)) for key, label in COUNCIL_TARGETS.items()],
        title=_("Consiliile față de țintele județului"), ident="councils", no_target=_("fără țintă"),
        layout=charts.NARROW,
    )
    indicators = [(overview.defs[c].label, t.indicators.get(c) or 0, targets.get(indicator_key(c)))
                  for c in overview.key_codes]
    indicator_chart = charts.progress_chart(indicators, title=_("Indicatorii față de țintele județului"),
                                            ident="indicators", no_target=_("fără țintă"), layout=charts.NARROW)
    return {"targets": targets, "councils": councils, "stages": stages, "council_chart": council_chart,
            "indicator_chart": indicator_chart, "has_targets": bool(targets)}


def _job_link() -> str | None:
    try:
        return url_for("jobs.index")
    except BuildError:
        return None


@bp.get("/")
@require("county.view")
def county_page() -> str:
    """The county as a dashboard: key figures and charts, then the localities, a page at a time.

    The filters choose the rows of every section (figures, charts, table,
    the no-plan list); the totals of a filter are shown only here, inside
    the county (the open data ignores the filters).
    """
    county = _county()
    args = page_args(CountyPageArgs())
    lang = reader_lang()
    overview = county_overview(county, _period(args), sort=args["sort"], query=args["q"], status=args["status"],
                               council=args["council"], lang=lang)
    page = paginate(overview.rows, args["page"], 0 if args["per"] == "all" else int(args["per"]))
    by = args.get("by") or dt.date.today()
    metric = _metric(args, overview)
    ranked = charts.ranked_bar_chart(_chart_values(page.rows, metric), title=_chart_label(overview, metric),
                                     ident="ranked")
    filtered = bool(args["q"] or args["status"] or args["council"])
    return render_template(
        "county_overview/county.html", o=overview, by=by, page=page, filtered=filtered,
        compliance=not_endorsed_by(overview.rows, by, lang), d=dashboard(overview, county),
        ranked=ranked, metric=metric, chart_metrics=CHART_METRICS, chart_label=_chart_label,
        status_label=status_labels(), status_choices=(NO_PLAN, *PLAN_CHAIN), args=args,
        per_choices=[str(n) if n else "all" for n in PER_PAGE], badges=project_badges(overview.all_rows),
        sort_url=lambda key: sort_url(args, key), page_url=lambda **kw: page_url(args, **kw),
        locality_url=link_maker(".locality_page", "slug", year=args["year"], quarter=args.get("quarter")),
    )


@bp.get("/summary")
@require("county.view")
def summary_page() -> str:
    """The county on one printable A4 page: key figures, the three charts, the localities behind."""
    county = _county()
    args = page_args(PeriodArgs())
    lang = reader_lang()
    overview = county_overview(county, _period(args), lang=lang)
    today = dt.date.today()
    late = not_endorsed_by(overview.rows, today, lang)
    return render_template("county_overview/summary.html", o=overview, d=dashboard(overview, county), args=args,
                           late=late, printed_at=dt.datetime.now(dt.UTC), today=today)


@bp.get("/country")
@require("county.view")
def county_national_page() -> str:
    """The national page for a county coordinator: the same suppressed figures, the reader's county marked."""
    county = _county()
    platform = get_by_slug(PLATFORM_SLUG)
    if platform is None:
        abort(404)
    args = page_args(PeriodArgs())
    national = national_overview(platform, _period(args))
    return render_template("county_overview/national.html", n=national, args=args, own=county,
                           own_url=url_for(".county_page", year=args["year"], quarter=args.get("quarter")))


def _parse_target(text: str) -> int | None:
    """A target typed in the reader's locale ("1.000" in ro); blank clears it. Raises ValueError with the reason."""
    if not text.strip():
        return None
    try:  # the platform's one parser; the reasons stay those of a target
        number = parse_number(text, str(get_locale() or "ro"), "count", negative=True)
    except NumberError as exc:
        raise ValueError(_("Scrieți un număr întreg, de exemplu 20.")) from exc
    if number < 0 or number > MAX_TARGET:
        shown = number_text(MAX_TARGET, str(get_locale() or "ro"), "count")
        raise ValueError(_("Ținta trebuie să fie între 0 și %(max)s.", max=shown))
    return int(number)


@bp.route("/targets", methods=["GET", "POST"])
@require("county.targets")
def targets_page() -> Any:
    """The county coordinator sets the county's own targets (a blank field: no target)."""
    county = _county()
    defs = aggregation.catalog()
    codes = key_codes(defs, county)
    fields = target_fields(county, codes, defs)
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        wanted: dict[str, int | None] = {}
        for f in fields:
            typed[f.key] = request.form.get(f"target-{f.key}", "")
            try:
                wanted[f.key] = _parse_target(typed[f.key])
            except ValueError as exc:
                errors[f.key] = str(exc)
        source = request.form.get("source", "").strip()[:300] or None
        if not errors:
            changed = save_targets(county, {k: v for k, v in wanted.items() if k in allowed_keys(codes)},
                                   source=source)
            db.session.commit()
            flash(_("Țintele județului au fost salvate (%(n)s modificări).", n=len(changed)), "success")
            return redirect(url_for(".targets_page"))
        flash(_("Țintele nu au fost salvate: corectați câmpurile marcate."), "error")
    body = render_template("county_overview/targets.html", county=county, fields=fields, errors=errors, typed=typed)
    return (body, 422) if errors else body


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
