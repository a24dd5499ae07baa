"""The pages of funded projects, mounted at ``/t/<tenant>/projects`` (Romanian, Flask-Babel).

* ``/`` — the tenant's projects;
* ``/<id>`` — the project: purpose, objectives, target groups, localities,
  activities with their steps and status, report buttons;
* ``/<id>/budget`` — lines planned/spent/remaining, totals, unallocated,
  expenditures and a spending-over-time chart (server-side SVG);
* ``/<id>/expenditures/new`` — record an expenditure; a refused one shows
  the reason next to the field and keeps what was typed;
* ``/<id>/indicators`` — status badges and progress bars at a date, and
  the form to record progress.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileSize
from markupsafe import Markup, escape
from sqlalchemy.orm.exc import StaleDataError
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from core.toolkit import (
    DocumentDateRange,
    NumberError,
    PeriodDateRange,
    current_tenant,
    db,
    enqueue,
    format_amount,
    format_day,
    format_number,
    format_percent,
    has_permission,
    number_text,
    parse_number,
    require,
    send_attachment,
    translate,
)
from plugins.pin_project import services
from plugins.pin_project.catalog import CATALOG_BY_CODE
from plugins.pin_project.jobs import REPORT_KINDS
from plugins.pin_project.models import ActivityStatus, Comparator, Project, ProjectStatus

bp = Blueprint("pin_project", __name__, url_prefix="/projects", template_folder="templates")

MAX_ATTACHMENT = 10 * 1024 * 1024

# The words of the pages, translatable (the reports use the Romanian ones of services).
ACTIVITY_TEXT = {
    ActivityStatus.PLANNED: _l("planificată"),
    ActivityStatus.IN_PROGRESS: _l("în desfășurare"),
    ActivityStatus.DONE: _l("realizată"),
    ActivityStatus.CANCELLED: _l("anulată"),
}
PROJECT_TEXT = {
    ProjectStatus.PLANNED: _l("planificat"),
    ProjectStatus.RUNNING: _l("în derulare"),
    ProjectStatus.CLOSED: _l("încheiat"),
}
COMPARATOR_TEXT = {Comparator.AT_LEAST: _l("cel puțin"), Comparator.EXACTLY: _l("exact")}
STATUS_TEXT = {
    "achieved": _l("atins"),
    "on_track": _l("în grafic"),
    "at_risk": _l("în risc"),
    "behind": _l("în întârziere"),
}


# --------------------------------------------------------------------------- forms


class AmountField(StringField):
    """A number typed the reader's way (``1.234,56`` in Romanian, ``1,234.56`` in English), by the one parser."""

    def __init__(self, *args: Any, kind: str = "money", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        if self.raw and str(self.raw).strip():
            try:
                self.data = parse_number(str(self.raw), str(get_locale()), self.kind)
            except NumberError as exc:
                raise ValueError(translate(exc.message)) from exc

    def _value(self) -> str:
        if getattr(self, "raw", None):
            return str(self.raw)
        return number_text(self.data, str(get_locale()), self.kind) if self.data is not None else ""


class ExpenditureForm(FlaskForm):
    """An expenditure, with the override fields for users holding ``pin.override``."""

    budget_line_id = SelectField(_l("Linia bugetară"), coerce=int, validators=[InputRequired()])
    date = DateField(_l("Data"), validators=[InputRequired(), DocumentDateRange()])
    amount = AmountField(_l("Suma (lei)"), validators=[InputRequired()])
    supplier = StringField(_l("Furnizor"), validators=[Optional(), Length(max=300)])
    document_number = StringField(_l("Număr document"), validators=[Optional(), Length(max=100)])
    description = TextAreaField(_l("Descriere"), validators=[Optional(), Length(max=5000)])
    attachment = FileField(_l("Document justificativ"), validators=[Optional(), FileSize(MAX_ATTACHMENT)])
    override = BooleanField(_l("Înregistrez cheltuiala deși încalcă regulile bugetului"))
    override_justification = TextAreaField(_l("Justificare"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Înregistrează cheltuiala"))

    def validate_amount(self, field: AmountField) -> None:
        """Amounts are positive, to the ban."""
        if field.data is not None and (field.data <= 0 or field.data != field.data.quantize(services.CENT)):
            raise ValidationError(_("Suma trebuie să fie pozitivă, cu cel mult două zecimale."))


class ProgressForm(FlaskForm):
    """A measured value of an indicator.

    One form per indicator on the same page, told apart by a prefix; the
    request's CSRF token is checked by the core for every POST, so the
    template renders the plain ``csrf_token`` field instead of a prefixed one.
    """

    class Meta:
        csrf = False

    date = DateField(_l("Data"), validators=[InputRequired(), DocumentDateRange()])
    value = StringField(_l("Valoare"), validators=[InputRequired()])
    value_kind = "money"  # at most two decimals; a catalog code's own kind once the indicator is known
    value_max: Any = None

    def validate_value(self, field: StringField) -> None:
        """The value typed the reader's way, of the indicator's kind (a count refuses decimals)."""
        try:
            field.data = parse_number(field.data or "", str(get_locale()), self.value_kind, max=self.value_max)
        except NumberError as exc:
            raise ValidationError(translate(exc.message)) from exc
    locality_tenant_id = SelectField(_l("Localitatea"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    part_id = SelectField(_l("Partea"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    evidence = TextAreaField(_l("Dovada (descriere)"), validators=[Optional(), Length(max=5000)])
    attachment = FileField(_l("Fișier doveditor"), validators=[Optional(), FileSize(MAX_ATTACHMENT)])
    submit = SubmitField(_l("Înregistrează"))


def to_the_ban(form: FlaskForm, field: AmountField) -> None:
    """Budget amounts are not negative and have at most two decimals."""
    if field.data is not None and (field.data < 0 or field.data != field.data.quantize(services.CENT)):
        raise ValidationError(_("Suma nu poate fi negativă și are cel mult două zecimale."))


class BudgetLineForm(FlaskForm):
    """A new budget line."""

    category = StringField(_l("Categoria"), validators=[DataRequired(), Length(max=300)])
    planned = AmountField(_l("Suma planificată (lei)"), validators=[InputRequired(), to_the_ban])
    submit = SubmitField(_l("Adaugă linia"))


class ReviseForm(FlaskForm):
    """A revision of a budget line (one form per line, told apart by a prefix; CSRF checked by the core)."""

    class Meta:
        csrf = False

    planned = AmountField(_l("Suma în vigoare (lei)"), validators=[InputRequired(), to_the_ban])
    reason = StringField(_l("Motivul revizuirii"), validators=[Optional(), Length(max=1000)])
    version = HiddenField()  # the line's version when the page was shown: a change saved meanwhile answers 409
    submit = SubmitField(_l("Revizuiește"))


class DeliveredForm(FlaskForm):
    """Whether a deliverable (manual, leaflet) was printed, and when (CSRF checked by the core)."""

    class Meta:
        csrf = False

    delivered_on = DateField(_l("Tipărit la data"), validators=[Optional(), DocumentDateRange()])
    submit = SubmitField(_l("Salvează"))


class ReportForm(FlaskForm):
    """A report for the funder over a date range."""

    kind = SelectField(
        _l("Raportul"),
        choices=[
            SelectChoice("progress_docx", _l("Raport de progres (Word)")),
            SelectChoice("financial_xlsx", _l("Raport financiar (Excel)")),
        ],
        validators=[DataRequired()],
    )
    start = DateField(_l("De la"), validators=[InputRequired(), PeriodDateRange()])
    end = DateField(_l("Până la"), validators=[InputRequired(), PeriodDateRange()])
    submit = SubmitField(_l("Generează raportul"))

    def validate_end(self, field: DateField) -> None:
        """The range must not end before it starts."""
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_("Sfârșitul perioadei este înaintea începutului."))


# --------------------------------------------------------------------------- helpers


@bp.context_processor
def _formatting() -> dict[str, Any]:
    return {
        "money": format_amount,  # in the reader's notation: 1.234,56 (ro), 1 234,56 (hu), 1,234.56 (en)
        "pct": lambda value: format_percent(value).rstrip("%"),
        "qty": format_number,
        "ro_date": format_day,
        "activity_label": lambda a: str(ACTIVITY_TEXT[a.status]),
        "project_label": lambda p: str(PROJECT_TEXT[p.status]),
        "comparator_label": lambda c: str(COMPARATOR_TEXT[c]),
        "roles_of": services.locality_roles,
        "can": has_permission,
    }


def _project_or_404(project_id: int) -> Project:
    project = services.get_project(project_id)
    if project is None:
        abort(404)
    return project


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


def _default_at(project: Project) -> dt.date:
    return min(dt.date.today(), project.end_date)


@dataclass(frozen=True)
class Bar:
    """One month of the spending chart."""

    x: float
    y: float
    width: float
    height: float
    label: str
    amount: str
    show_label: bool


@dataclass(frozen=True)
class Chart:
    """The geometry of the spending-over-time chart (drawn as SVG by the template)."""

    width: int
    height: int
    top: int
    baseline: float
    bars: list[Bar]
    line: str
    ticks: list[tuple[float, str]]
    max_amount: str


def spending_chart(months: list[services.MonthSpending], width: int = 720, height: int = 260) -> Chart:
    """Bars per month (amount spent) and a line for the cumulative total, scaled to the larger of the two."""
    left, right, top, bottom = 70, 10, 10, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([Decimal(0), *(m.cumulative for m in months), *(m.amount for m in months)])
    scale = float(peak) if peak > 0 else 1.0
    step = plot_w / max(len(months), 1)
    every = max(1, len(months) // 12 + (1 if len(months) % 12 else 0))
    bars, points = [], []
    for i, m in enumerate(months):
        h = float(m.amount) / scale * plot_h
        x = left + i * step
        bars.append(
            Bar(round(x + step * 0.15, 1), round(top + plot_h - h, 1), round(step * 0.7, 1), round(h, 1), m.label,
                format_amount(m.amount), i % every == 0)
        )  # fmt: skip
        points.append(f"{x + step / 2:.1f},{top + plot_h - float(m.cumulative) / scale * plot_h:.1f}")
    ticks = [(round(top + plot_h - plot_h * k / 4, 1), format_amount(Decimal(scale) * k / 4)) for k in range(5)]
    return Chart(width, height, top, top + plot_h, bars, " ".join(points), ticks, format_amount(peak))


def indicator_chart(statuses: list[services.IndicatorStatus], width: int = 720) -> Markup:
    """One bar per indicator: the share of its target reached (capped at 100%), drawn on the server.

    The SVG's ``<title>``/``<desc>`` carry every figure as text for screen readers and print.
    """
    row, bar_x, bar_w = 34, 0, 520
    parts: list[str] = []
    lines: list[str] = []
    for i, s in enumerate(statuses):
        y = 4 + i * row
        share = max(Decimal(0), min(Decimal(s.pct), Decimal(100)))
        label = s.indicator.label if len(s.indicator.label) <= 95 else s.indicator.label[:94] + "…"
        figure = f"{format_number(s.value)} / {format_number(s.indicator.target)} ({format_percent(s.pct)})"
        lines.append(f"{s.indicator.label}: {figure}, {STATUS_TEXT[s.status]}")
        parts.append(f'<text x="0" y="{y + 11}" font-size="12" fill="#1f2933">{escape(label)}</text>')
        parts.append(f'<rect x="{bar_x}" y="{y + 15}" width="{bar_w}" height="12" fill="#e4e7eb" rx="2"/>')
        parts.append(
            f'<rect x="{bar_x}" y="{y + 15}" width="{int(bar_w * share / 100)}" height="12" '
            f'fill="{"#1e6b34" if s.status in ("achieved", "on_track") else "#a4161a"}" rx="2">'
            f"<title>{escape(lines[-1])}</title></rect>"
        )
        parts.append(f'<text x="{bar_w + 8}" y="{y + 25}" font-size="12" fill="#1f2933">{escape(figure)}</text>')
    height = max(4 + len(statuses) * row, 30)
    title = _("Progresul indicatorilor față de țintă")
    return Markup(  # noqa: S704 - every text is escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" class="indicator-chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="indicator-chart-title indicator-chart-desc">'
        f'<title id="indicator-chart-title">{escape(title)}</title>'
        f'<desc id="indicator-chart-desc">{escape("; ".join(lines))}</desc>' + "".join(parts) + "</svg>"
    )


def _apply_errors(form: FlaskForm, errors: dict[str, list[str]]) -> None:
    for name, reasons in errors.items():
        target = form._fields.get(name)
        if target is None:
            form.form_errors.extend(map(translate, reasons))
            continue
        target.errors = [*target.errors, *reasons]


# --------------------------------------------------------------------------- pages


@bp.get("/")
@require("pin.view")
def projects() -> str:
    """The tenant's projects."""
    items = services.list_projects()
    summaries = {p.id: services.budget_summary(p) for p in items}
    return render_template("pin_project/projects.html", projects=items, summaries=summaries)


@bp.get("/<int:project_id>")
@require("pin.view")
def project(project_id: int) -> str:
    """A project: purpose, objectives, target groups, localities, activities."""
    item = _project_or_404(project_id)
    report_form = ReportForm(start=item.start_date, end=min(dt.date.today(), item.end_date))
    return render_template(
        "pin_project/project.html",
        project=item,
        summary=services.budget_summary(item),
        report_form=report_form,
        chart=spending_chart(services.monthly_spending(item)),
        indicators_svg=indicator_chart(services.indicator_statuses(item, _default_at(item))),
        indicators_at=_default_at(item),
    )


def _budget_page(
    item: Project,
    line_form: BudgetLineForm | None = None,
    revise_forms: dict[int, ReviseForm] | None = None,
    status: int = 200,
) -> Any:
    months = services.monthly_spending(item)
    expenditures = services.expenditures_between(item, dt.date.min, dt.date.max)
    categories = {line.id: line.category for line in item.budget_lines}
    if has_permission("pin.edit"):
        line_form = line_form or BudgetLineForm(formdata=None)
        revise_forms = {line.id: _revise_form(line) for line in item.budget_lines} | (revise_forms or {})
    return render_template(
        "pin_project/budget.html",
        project=item,
        summary=services.budget_summary(item),
        months=months,
        chart=spending_chart(months),
        expenditures=expenditures,
        categories=categories,
        line_form=line_form,
        revise_forms=revise_forms or {},
    ), status


def _revise_form(line: Any, *, submitted: bool = False) -> ReviseForm:
    prefix = f"l{line.id}"
    form = ReviseForm(prefix=prefix) if submitted else ReviseForm(formdata=None, prefix=prefix)
    if not submitted:
        form.planned.data = line.planned
        form.planned.raw = number_text(line.planned, str(get_locale()), "money")
        form.version.data = str(line.version)
    return form


@bp.get("/<int:project_id>/budget")
@require("pin.view")
def budget(project_id: int) -> Any:
    """The budget: lines, totals, unallocated, expenditures, spending over time."""
    return _budget_page(_project_or_404(project_id))


@bp.post("/<int:project_id>/budget-lines")
@require("pin.edit")
def add_budget_line(project_id: int) -> Any:
    """Add a budget line (the lines together may not exceed the total)."""
    item = _project_or_404(project_id)
    form = BudgetLineForm()
    if form.validate_on_submit():
        try:
            services.add_budget_line(item, category=form.category.data, planned=form.planned.data)
            db.session.commit()
        except services.RuleViolation as exc:
            db.session.rollback()
            _apply_errors(form, exc.errors)
        else:
            flash(_("Linia bugetară a fost adăugată."), "success")
            return redirect(url_for("pin_project.budget", project_id=item.id))
    return _budget_page(item, line_form=form, status=422)


@bp.post("/<int:project_id>/budget-lines/<int:line_id>/revise")
@require("pin.edit")
def revise_budget_line(project_id: int, line_id: int) -> Any:
    """Revise the amount of a line; the original amount and the history are kept."""
    item = _project_or_404(project_id)
    line = services.get_budget_line(item, line_id)
    if line is None:
        abort(404)
    form = _revise_form(line, submitted=True)
    if form.validate():
        version = (form.version.data or "").strip()
        try:
            services.check_version(line, int(version) if version.isdigit() else None)
            services.revise_budget_line(line, planned=form.planned.data, reason=form.reason.data, user_id=_user_id())
            db.session.commit()
        except (services.StaleVersion, StaleDataError):
            db.session.rollback()
            flash(_("Obiectul a fost modificat între timp de altcineva. Reîncărcați și încercați din nou."), "error")
            return _budget_page(item, status=409)
        except services.RuleViolation as exc:
            db.session.rollback()
            _apply_errors(form, exc.errors)
        else:
            flash(_("Linia bugetară a fost revizuită."), "success")
            return redirect(url_for("pin_project.budget", project_id=item.id))
    return _budget_page(item, revise_forms={line.id: form}, status=422)


@bp.route("/<int:project_id>/expenditures/new", methods=["GET", "POST"])
@require("pin.spend")
def new_expenditure(project_id: int) -> Any:
    """Record an expenditure; a refused one is shown again with the reason next to the field."""
    item = _project_or_404(project_id)
    may_override = has_permission("pin.override")
    form = ExpenditureForm()
    form.budget_line_id.choices = [SelectChoice(line.id, line.category) for line in item.budget_lines]
    if not may_override:
        del form.override
        del form.override_justification
    if not item.budget_lines:
        flash(_("Adăugați întâi o linie bugetară; cheltuielile se înregistrează pe linii."), "error")
    if form.validate_on_submit():
        try:
            expenditure = services.record_expenditure(
                item,
                line_id=form.budget_line_id.data,
                spent_on=form.date.data,
                amount=form.amount.data,
                supplier=form.supplier.data,
                document_number=form.document_number.data,
                description=form.description.data,
                override=bool(may_override and form.override.data),
                justification=form.override_justification.data if may_override else None,
                may_override=may_override,
                user_id=_user_id(),
            )
            upload = form.attachment.data
            if upload and upload.filename:
                services.attach_to_expenditure(
                    expenditure, current_app.config["VATRA_FILES"], upload.filename, upload.read(), field="attachment"
                )
            db.session.commit()
        except services.RuleViolation as exc:
            db.session.rollback()
            _apply_errors(form, exc.errors)
        else:
            if expenditure.override:
                flash(_("Cheltuiala a fost înregistrată peste regulile bugetului, cu justificarea dată."), "warning")
            else:
                flash(_("Cheltuiala a fost înregistrată."), "success")
            return redirect(url_for("pin_project.budget", project_id=item.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "pin_project/expenditure_form.html",
        project=item,
        form=form,
        may_override=may_override,
        summary=services.budget_summary(item),
    ), status


@bp.get("/<int:project_id>/expenditures/<int:expenditure_id>/attachment")
@require("pin.view")
def expenditure_attachment(project_id: int, expenditure_id: int) -> Any:
    """Download an expenditure's supporting document."""
    expenditure = services.get_expenditure(_project_or_404(project_id), expenditure_id)
    if expenditure is None or not expenditure.attachment_path:
        abort(404)
    try:
        path = services.attachment_file(
            current_app.config["VATRA_FILES"], expenditure.tenant_id, expenditure.attachment_path
        )
    except FileNotFoundError:
        abort(404)
    return send_attachment(path, expenditure.attachment_name)


def _progress_form(item: Project, indicator: Any, *, submitted: bool = False) -> ProgressForm:
    form = (
        ProgressForm(prefix=f"i{indicator.id}") if submitted else ProgressForm(formdata=None, prefix=f"i{indicator.id}")
    )
    form.locality_tenant_id.choices = [SelectChoice("", _("— întreg proiectul —"))] + [
        SelectChoice(str(link.locality_tenant_id), link.locality.display_name)
        for link in services.attributable_links(item)
    ]
    form.part_id.choices = [SelectChoice("", _("— fără defalcare —"))] + [
        SelectChoice(str(p.id), p.label) for p in indicator.breakdown
    ]
    definition = CATALOG_BY_CODE.get(indicator.code or "")
    if definition is not None:
        form.value_kind, form.value_max = definition.kind, definition.max
    if not submitted:
        form.date.data = min(dt.date.today(), item.end_date)
    return form


def _indicators_page(item: Project, at: dt.date, forms: dict[int, ProgressForm], status: int = 200) -> Any:
    statuses = services.indicator_statuses(item, at)
    counts = {key: sum(1 for s in statuses if s.status == key) for key in services.STATUS_LABELS}
    return render_template(
        "pin_project/indicators.html",
        project=item,
        at=at,
        statuses=statuses,
        counts=counts,
        status_labels={k: str(v) for k, v in STATUS_TEXT.items()},
        forms=forms,
        delivered_forms={
            i.id: DeliveredForm(formdata=None, prefix=f"d{i.id}", delivered_on=i.delivered_on)
            for i in services.project_indicators(item)
            if i.deliverable
        }
        if forms
        else {},
        consistent=services.breakdown_consistent,
    ), status


@bp.get("/<int:project_id>/indicators")
@require("pin.view")
def indicators(project_id: int) -> Any:
    """Indicators at a date (``?at=YYYY-MM-DD``): value, target, progress bar, status badge."""
    item = _project_or_404(project_id)
    try:
        at = dt.date.fromisoformat(request.args["at"]) if request.args.get("at") else _default_at(item)
    except ValueError:
        at = _default_at(item)
        flash(_("Data nu este validă; se arată situația la zi."), "error")
    forms = {}
    if has_permission("pin.progress"):
        forms = {i.id: _progress_form(item, i) for i in services.project_indicators(item)}
    return _indicators_page(item, at, forms)


@bp.post("/<int:project_id>/indicators/<int:indicator_id>/progress")
@require("pin.progress")
def record_progress(project_id: int, indicator_id: int) -> Any:
    """Record a measured value of an indicator."""
    item = _project_or_404(project_id)
    indicator = services.get_indicator(item, indicator_id)
    if indicator is None:
        abort(404)
    form = _progress_form(item, indicator, submitted=True)
    if form.validate():
        try:
            entry = services.record_progress(
                indicator,
                entry_date=form.date.data,
                value=form.value.data,
                locality_tenant_id=form.locality_tenant_id.data,
                part_id=form.part_id.data,
                evidence=form.evidence.data,
                user_id=_user_id(),
            )
            upload = form.attachment.data
            if upload and upload.filename:
                services.attach_to_progress(
                    entry, current_app.config["VATRA_FILES"], upload.filename, upload.read(), field="attachment"
                )
            db.session.commit()
        except services.RuleViolation as exc:
            db.session.rollback()
            _apply_errors(form, exc.errors)
        else:
            flash(_("Valoarea a fost înregistrată."), "success")
            return redirect(url_for("pin_project.indicators", project_id=item.id, _anchor=f"indicator-{indicator.id}"))
    forms = {i.id: _progress_form(item, i) for i in services.project_indicators(item)}
    forms[indicator.id] = form
    return _indicators_page(item, _default_at(item), forms, status=422)


@bp.post("/<int:project_id>/indicators/<int:indicator_id>/delivered")
@require("pin.progress")
def mark_delivered(project_id: int, indicator_id: int) -> Any:
    """Record when a deliverable was printed (an empty date: not printed)."""
    item = _project_or_404(project_id)
    indicator = services.get_indicator(item, indicator_id)
    if indicator is None or not indicator.deliverable:
        abort(404)
    form = DeliveredForm(prefix=f"d{indicator.id}")
    if form.validate():
        services.update_indicator(indicator, {"delivered_on": form.delivered_on.data})
        db.session.commit()
        flash(_("Starea produsului a fost salvată."), "success")
    else:
        flash(_("Data nu este validă."), "error")
    return redirect(url_for("pin_project.indicators", project_id=item.id, _anchor=f"indicator-{indicator.id}"))


@bp.get("/<int:project_id>/indicators/<int:indicator_id>/progress/<int:entry_id>/attachment")
@require("pin.view")
def progress_attachment(project_id: int, indicator_id: int, entry_id: int) -> Any:
    """Download the evidence file of a progress entry."""
    indicator = services.get_indicator(_project_or_404(project_id), indicator_id)
    entry = services.get_progress_entry(indicator, entry_id) if indicator is not None else None
    if entry is None or not entry.attachment_path:
        abort(404)
    try:
        path = services.attachment_file(current_app.config["VATRA_FILES"], entry.tenant_id, entry.attachment_path)
    except FileNotFoundError:
        abort(404)
    return send_attachment(path, entry.attachment_name)


@bp.post("/<int:project_id>/reports")
@require("pin.view")
def start_report(project_id: int) -> Any:
    """Start a report job (Word or Excel) for a date range."""
    item = _project_or_404(project_id)
    form = ReportForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("pin_project.project", project_id=item.id))
    job = enqueue(
        REPORT_KINDS[form.kind.data],
        tenant=current_tenant(),
        user=current_user._get_current_object(),
        project_id=item.id,
        start=form.start.data.isoformat(),
        end=form.end.data.isoformat(),
    )
    db.session.commit()
    flash(_("Raportul se generează (lucrarea %(id)s). Îl găsiți în pagina lucrărilor.", id=job.id), "success")
    if "jobs.show" in current_app.view_functions:
        return redirect(url_for("jobs.show", job_id=job.id))
    return redirect(url_for("pin_project.project", project_id=item.id))
