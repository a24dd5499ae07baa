"""The prevention plan's web pages, mounted at ``/t/<tenant>/plan`` (Romanian, Flask-WTF forms with CSRF)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from core.toolkit import (
    NumberError,
    current_tenant,
    db,
    enqueue,
    format_number,
    format_percent,
    has_permission,
    number_example,
    number_text,
    parse_number,
    require,
    send_attachment,
)
from plugins.prevention_plan import exports, services
from plugins.prevention_plan.api import save_upload
from plugins.prevention_plan.catalog import catalog_choices, number_rules
from plugins.prevention_plan.charts import progress_svg
from plugins.prevention_plan.forms import (
    ActivityForm,
    ConfirmForm,
    CopyForm,
    DocumentForm,
    EvaluationForm,
    ImportForm,
    IndicatorForm,
    ObjectiveForm,
    PlanCreateForm,
    SectionsForm,
    TemplateForm,
    TransitionForm,
    ValuesForm,
    apply_errors,
    choices,
)
from plugins.prevention_plan.jobs import import_limits
from plugins.prevention_plan.messages import shown, shown_errors
from plugins.prevention_plan.models import Plan, PlanStatus, PlanTemplate, SignatoryRole

bp = Blueprint("prevention_plan", __name__, url_prefix="/plan", template_folder="templates")

Page = str | Response | tuple[str, int]


@bp.app_template_filter("plan_number")
def plan_number(value: Decimal | None) -> str:
    """A decimal without trailing zeros in the reader's notation (``1.234,5`` in Romanian), or an em dash."""
    return format_number(value)


def plan_chart(objectives: Any) -> str:
    """The progress chart of a plan, in the reader's language and number notation."""
    return progress_svg(
        objectives,
        title=_("Progresul pe obiective strategice"),
        with_values=_("indicatori cu valori"),
        of_target=_("din țintă"),
        empty=_("Planul nu are încă obiective."),
        fmt=format_percent,
    )


@bp.app_template_global("plan_status_label")
def plan_status_label(status: PlanStatus | str) -> str:
    """The Romanian label of a status."""
    return _(services.STATUS_LABELS[PlanStatus(status)])


@bp.context_processor
def _permissions() -> dict[str, Any]:
    return {"can": has_permission}


def local_year() -> int:
    """The current year in Romania."""
    return services.local_year()


def _plan(plan_id: int, *, tree: bool = True) -> Plan:
    try:
        return services.get_plan(plan_id, tree=tree)
    except services.NotFoundError:
        abort(404)
        raise


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _plan_url(plan: Plan, anchor: str | None = None) -> str:
    return url_for("prevention_plan.show", plan_id=plan.id, _anchor=anchor)


def _commit_or_report(action: Callable[[], Any], form: Any = None) -> tuple[bool, Any]:
    """Run a domain action; commit on success, otherwise put its errors on ``form`` or flash them."""
    try:
        result = action()
        db.session.commit()
        return True, result
    except services.InvalidInputError as exc:
        db.session.rollback()
        leftovers = apply_errors(form, exc) if form is not None else [shown(m) for v in exc.errors.values() for m in v]
        for message in leftovers or ([] if form is not None else [shown(exc.message)]):
            flash(message, "error")
        return False, None
    except services.NotFoundError:
        db.session.rollback()
        abort(404)
    except services.PlanError as exc:
        db.session.rollback()
        flash(shown(exc.message), "error")
        return False, None
    except StaleDataError:
        db.session.rollback()
        flash(_("Obiectul a fost modificat între timp de altcineva. Reîncărcați și încercați din nou."), "error")
        return False, None


def _form_version(form: Any) -> int | None:
    raw = (form.version.data or "").strip() if hasattr(form, "version") else ""
    return int(raw) if raw.isdigit() else None


def _lines(text: str | None) -> list[str]:
    return services.split_lines(text)


def _jobs_url(job: Any) -> str:
    for endpoint, args in (("jobs.show", {"job_id": job.id}), ("jobs.index", {})):
        if endpoint not in current_app.view_functions:
            continue
        try:
            return url_for(endpoint, **args)
        except BuildError:
            continue
    return request.referrer or url_for("prevention_plan.index")


# ---------------------------------------------------------------- list and creation


def _template_choices() -> list[tuple[str, str]]:
    out = [("", _("Un plan gol"))]
    for t in services.available_templates(current_tenant()):
        label = {"builtin": _("Model încorporat"), "own": _("Șablonul instituției"), "county": _("Șablonul județului")}
        out.append((t.key, f"{label[t.source]}: {t.name}"))
    return out


@bp.get("/")
@require("plan.view")
def index() -> Page:
    """The tenant's plans by year, the form to start one and (for counties) the templates."""
    plans = services.list_plans()
    form = PlanCreateForm(year=local_year())
    form.template.choices = choices(_template_choices())
    if any(p.year == local_year() for p in plans):
        form.year.data = max(p.year for p in plans) + 1
    return render_template("prevention_plan/index.html", plans=plans, form=form, **_templates_context())


@bp.post("/")
@require("plan.edit")
def create() -> Page:
    """Start a plan (empty or from a template)."""
    form = PlanCreateForm()
    form.template.choices = choices(_template_choices())
    if form.validate_on_submit():

        def action() -> Plan:
            if form.template.data:
                plan = services.from_template(current_tenant(), form.year.data, form.template.data)
                if form.title.data:
                    plan.title = form.title.data
                return plan
            return services.create_plan(form.year.data, title=form.title.data or None)

        ok, plan = _commit_or_report(action, form)
        if ok:
            flash(_("Planul pentru anul %(year)s a fost creat.", year=plan.year), "success")
            return redirect(_plan_url(plan))
    plans = services.list_plans()
    return render_template("prevention_plan/index.html", plans=plans, form=form, **_templates_context()), 422


# ---------------------------------------------------------------- the plan page


def _can(permission: str) -> bool:
    return has_permission(permission)


def _allowed_moves(plan: Plan) -> list[services.Step]:
    return [s for s in services.allowed_steps(plan) if any(_can(p) for p in s.permissions)]


@bp.get("/<int:plan_id>")
@require("plan.view")
def show(plan_id: int) -> Page:
    """The plan as a tree, its chain, documents, progress chart and actions."""
    plan = _plan(plan_id)
    figures = services.evaluation_figures(plan)
    return render_template(
        "prevention_plan/show.html",
        plan=plan,
        figures=figures,
        chart=Markup(plan_chart(figures["objectives"])),  # noqa: S704 - built from escaped parts
        moves=_allowed_moves(plan),
        revisions=services.revisions(plan),
        confirm=ConfirmForm(),
        copy_form=CopyForm(year=plan.year + 1),
        can_edit=_can("plan.edit") and not plan.locked,
        SignatoryRole=SignatoryRole,
        aviz=services.endorsement(plan),
        approval=services.approval(plan),
    )


CONTENT_FIELDS = (  # the fields of the sections form that the aviz locks
    "title",
    "institution",
    "language",
    "introduction",
    "legal_basis",
    "general_objective",
    "specific_objectives",
    "principles",
)


@bp.route("/<int:plan_id>/sections", methods=["GET", "POST"])
@require("plan.edit")
def edit_sections(plan_id: int) -> Page:
    """Edit the plan's sections and signatories."""
    plan = _plan(plan_id)
    form = SectionsForm()
    if request.method == "GET":
        form = SectionsForm(
            formdata=None,
            version=str(plan.version),
            title=plan.title,
            institution=plan.institution,
            language=plan.language,
            introduction=plan.introduction,
            legal_basis=plan.legal_basis,
            general_objective=plan.general_objective,
            specific_objectives="\n".join(s.text for s in plan.specific_objectives),
            principles=[{"title": p.title, "text": p.text} for p in plan.principles] + [{"title": "", "text": ""}],
            drawn_up_by_name=getattr(plan.signatory(SignatoryRole.DRAWN_UP_BY), "name", ""),
            drawn_up_by_function=getattr(plan.signatory(SignatoryRole.DRAWN_UP_BY), "function", ""),
            chair_of_session_name=getattr(plan.signatory(SignatoryRole.CHAIR_OF_SESSION), "name", ""),
            secretary_general_name=getattr(plan.signatory(SignatoryRole.SECRETARY_GENERAL), "name", ""),
        )
    if plan.locked:  # after the aviz only the signatories are on the form
        for name in CONTENT_FIELDS:
            delattr(form, name)
    if request.method == "POST" and form.validate_on_submit():
        signatories = {
            "drawn_up_by": {"name": form.drawn_up_by_name.data, "function": form.drawn_up_by_function.data},
            "chair_of_session": {"name": form.chair_of_session_name.data, "function": "Președinte de ședință"},
            "secretary_general": {"name": form.secretary_general_name.data, "function": "Secretar general"},
        }
        data: dict[str, Any] = {"signatories": signatories}
        if not plan.locked:
            data.update(
                title=form.title.data,
                institution=form.institution.data,
                language=form.language.data,
                introduction=form.introduction.data,
                legal_basis=form.legal_basis.data,
                general_objective=form.general_objective.data,
                specific_objectives=_lines(form.specific_objectives.data),
                principles=[
                    {"title": e.form.title.data, "text": e.form.text.data}
                    for e in form.principles.entries
                    if (e.form.title.data or "").strip()
                ],
            )
        ok, _result = _commit_or_report(lambda: services.update_sections(plan, data, version=_form_version(form)), form)
        if ok:
            flash(_("Secțiunile planului au fost salvate."), "success")
            return redirect(_plan_url(plan))
    status = 422 if request.method == "POST" else 200
    return render_template("prevention_plan/sections.html", plan=plan, form=form), status


def _edit_page(template: str, status: int, **context: Any) -> Page:
    return render_template(template, **context), status


@bp.route("/<int:plan_id>/objectives/new", methods=["GET", "POST"])
@bp.route("/<int:plan_id>/objectives/<int:objective_id>", methods=["GET", "POST"])
@require("plan.edit")
def edit_objective(plan_id: int, objective_id: int | None = None) -> Page:
    """Add or change a strategic objective."""
    plan = _plan(plan_id)
    objective = _child(services.get_objective, plan, objective_id)
    if request.method == "GET":
        form = ObjectiveForm(formdata=None, obj=objective)
        if objective is not None:
            form.version.data = str(objective.version)
        else:
            form.number.data = max((o.number for o in plan.objectives), default=0) + 1
    else:
        form = ObjectiveForm()
        if form.validate_on_submit():
            if objective is None:
                ok, _r = _commit_or_report(
                    lambda: services.add_objective(plan, form.title.data, form.number.data), form
                )
            else:
                data = {"title": form.title.data, "number": form.number.data}
                ok, _r = _commit_or_report(
                    lambda: services.update_objective(objective, data, version=_form_version(form)), form
                )
            if ok:
                flash(_("Obiectivul a fost salvat."), "success")
                return redirect(_plan_url(plan))
    return _edit_page(
        "prevention_plan/objective.html",
        422 if request.method == "POST" else 200,
        plan=plan,
        objective=objective,
        form=form,
        confirm=ConfirmForm(),
    )


def _child(getter: Callable[[Plan, int], Any], plan: Plan, child_id: int | None) -> Any:
    if child_id is None:
        return None
    try:
        return getter(plan, child_id)
    except services.NotFoundError:
        abort(404)


def _remove(plan: Any, remove: Callable[[Any], Any], part: Any, done: str) -> Page:
    """A confirmed removal of a part of the plan (objective, activity, indicator), then back to the plan."""
    if ConfirmForm().validate_on_submit():
        ok, _r = _commit_or_report(lambda: remove(part))
        if ok:
            flash(done, "success")
    return redirect(_plan_url(plan))


@bp.post("/<int:plan_id>/objectives/<int:objective_id>/delete")
@require("plan.edit")
def delete_objective(plan_id: int, objective_id: int) -> Page:
    """Remove an objective."""
    plan = _plan(plan_id)
    part = _child(services.get_objective, plan, objective_id)
    return _remove(plan, services.delete_objective, part, _("Obiectivul a fost șters."))


@bp.route("/<int:plan_id>/objectives/<int:objective_id>/activities/new", methods=["GET", "POST"])
@bp.route("/<int:plan_id>/activities/<int:activity_id>", methods=["GET", "POST"])
@require("plan.edit")
def edit_activity(plan_id: int, objective_id: int | None = None, activity_id: int | None = None) -> Page:
    """Add or change an activity."""
    plan = _plan(plan_id)
    activity = _child(services.get_activity, plan, activity_id)
    objective = activity.objective if activity is not None else _child(services.get_objective, plan, objective_id)
    if request.method == "GET":
        form = ActivityForm(formdata=None, obj=activity)
        if activity is not None:
            form.version.data = str(activity.version)
            form.responsible.data = "\n".join(r.name for r in activity.responsible)
            form.schedule_months.data = list(activity.schedule_months or [])
    else:
        form = ActivityForm()
        if form.validate_on_submit():
            data = {
                "text": form.text.data,
                "responsible": _lines(form.responsible.data),
                "schedule_months": form.schedule_months.data or [],
                "budget_estimate": form.budget_estimate.data,
            }
            if activity is None:
                ok, _r = _commit_or_report(
                    lambda: services.add_activity(
                        objective,
                        data["text"],
                        responsible=data["responsible"],
                        schedule_months=data["schedule_months"],
                        budget_estimate=data["budget_estimate"],
                    ),
                    form,
                )
            else:
                ok, _r = _commit_or_report(
                    lambda: services.update_activity(activity, data, version=_form_version(form)), form
                )
            if ok:
                flash(_("Activitatea a fost salvată."), "success")
                return redirect(_plan_url(plan))
    return _edit_page(
        "prevention_plan/activity.html",
        422 if request.method == "POST" else 200,
        plan=plan,
        objective=objective,
        activity=activity,
        form=form,
        confirm=ConfirmForm(),
    )


@bp.post("/<int:plan_id>/activities/<int:activity_id>/delete")
@require("plan.edit")
def delete_activity(plan_id: int, activity_id: int) -> Page:
    """Remove an activity."""
    plan = _plan(plan_id)
    part = _child(services.get_activity, plan, activity_id)
    return _remove(plan, services.delete_activity, part, _("Activitatea a fost ștearsă."))


def _code_choices() -> list[tuple[str, str]]:
    return [("", _("— fără cod —"))] + [(code, f"{label} ({code})") for code, label in catalog_choices()]


@bp.route("/<int:plan_id>/activities/<int:activity_id>/indicators/new", methods=["GET", "POST"])
@bp.route("/<int:plan_id>/indicators/<int:indicator_id>", methods=["GET", "POST"])
@require("plan.edit")
def edit_indicator(plan_id: int, activity_id: int | None = None, indicator_id: int | None = None) -> Page:
    """Add or change an indicator of achievement."""
    plan = _plan(plan_id)
    indicator = _child(services.get_indicator, plan, indicator_id)
    activity = indicator.activity if indicator is not None else _child(services.get_activity, plan, activity_id)
    if request.method == "GET":
        form = IndicatorForm(formdata=None, obj=indicator)
        if indicator is not None:
            form.version.data = str(indicator.version)
            form.code.data = indicator.code or ""
    else:
        form = IndicatorForm()
    form.code.choices = choices(_code_choices())
    if request.method == "POST" and form.validate_on_submit():
        data = {
            "label": form.label.data,
            "unit": form.unit.data,
            "target": form.target.data,
            "baseline": form.baseline.data,
            "code": form.code.data or None,
        }
        if indicator is None:
            ok, _r = _commit_or_report(lambda: services.add_indicator(activity, data), form)
        else:
            ok, _r = _commit_or_report(
                lambda: services.update_indicator(indicator, data, version=_form_version(form)), form
            )
        if ok:
            flash(_("Indicatorul a fost salvat."), "success")
            return redirect(_plan_url(plan))
    return _edit_page(
        "prevention_plan/indicator.html",
        422 if request.method == "POST" else 200,
        plan=plan,
        activity=activity,
        indicator=indicator,
        form=form,
        confirm=ConfirmForm(),
    )


@bp.post("/<int:plan_id>/indicators/<int:indicator_id>/delete")
@require("plan.edit")
def delete_indicator(plan_id: int, indicator_id: int) -> Page:
    """Remove an indicator."""
    plan = _plan(plan_id)
    part = _child(services.get_indicator, plan, indicator_id)
    return _remove(plan, services.delete_indicator, part, _("Indicatorul a fost șters."))


# ---------------------------------------------------------------- values


def _period(raw: str | None) -> int | None:
    return int(raw) if raw in {"1", "2", "3", "4"} else None


@bp.route("/<int:plan_id>/values", methods=["GET", "POST"])
@require("plan.values")
def values(plan_id: int) -> Page:
    """One screen to record a quarter's (or the year's) values of every indicator."""
    plan = _plan(plan_id)
    indicators = services.indicators_of(plan)
    live = services.live_values(plan, plan.year)
    raw_period = request.values.get("period", "1")
    quarter = _period(raw_period)
    locale = str(get_locale())
    if request.method == "GET":
        rows = []
        for indicator in indicators:
            current = live.get(indicator.id, {}).get(quarter)
            kind, _maximum = number_rules(indicator.code, indicator.unit)
            rows.append(
                {
                    "indicator_id": str(indicator.id),
                    "value": number_text(current.value, locale, kind) if current else "",
                    "note": current.note or "" if current else "",
                }
            )
        form = ValuesForm(formdata=None, period=raw_period if quarter else "an", rows=rows)
    else:
        form = ValuesForm()
        if form.validate_on_submit():
            by_id = {str(i.id): i for i in indicators}
            entries: list[services.ValueEntry] = []
            row_of_entry: list[int] = []
            bad = False
            for index, entry in enumerate(form.rows.entries):
                if entry.form.indicator_id.data not in by_id:
                    entry.form.value.errors = [_("Indicator necunoscut.")]
                    bad = True
                    continue
                if not (entry.form.value.data or "").strip():
                    continue
                indicator = by_id[entry.form.indicator_id.data]
                kind, maximum = number_rules(indicator.code, indicator.unit)
                try:  # read as the reader types it: 1.000 is a thousand in Romanian, refused as a count in English
                    number = parse_number(entry.form.value.data, locale, kind, max=maximum)
                except NumberError as exc:
                    entry.form.value.errors = [shown(exc.message)]
                    bad = True
                    continue
                entries.append(services.ValueEntry(indicator.id, number, entry.form.note.data))
                row_of_entry.append(index)
            if not bad and entries:
                try:
                    services.record_values(plan, plan.year, quarter, entries, user_id=_user_id())
                    db.session.commit()
                    flash(_("Valorile au fost înregistrate."), "success")
                    return redirect(url_for("prevention_plan.values", plan_id=plan.id, period=raw_period))
                except services.InvalidInputError as exc:
                    db.session.rollback()
                    remapped = {}
                    for key, messages in exc.errors.items():
                        match = re.match(r"^values\.(\d+)\.(\w+)$", key)
                        if match:
                            field_name = "value" if match.group(2) != "note" else "note"
                            remapped[f"rows.{row_of_entry[int(match.group(1))]}.{field_name}"] = messages
                        else:
                            remapped[key] = messages
                    for message in apply_errors(form, services.InvalidInputError(remapped)):
                        flash(message, "error")
                except services.PlanError as exc:
                    db.session.rollback()
                    flash(shown(exc.message), "error")
            elif not bad:
                flash(_("Nu ați completat nicio valoare."), "error")
    pairs = list(zip(indicators, form.rows.entries, strict=False))
    return render_template(
        "prevention_plan/values.html",
        plan=plan,
        form=form,
        pairs=pairs,
        quarter=quarter,
        raw_period=raw_period,
        live=live,
        examples={kind: number_example(locale, kind) for kind in ("count", "decimal")},
    ), (422 if request.method == "POST" else 200)


@bp.get("/<int:plan_id>/indicators/<int:indicator_id>/history")
@require("plan.view")
def history(plan_id: int, indicator_id: int) -> Page:
    """Every value recorded for an indicator, corrections included."""
    plan = _plan(plan_id)
    indicator = _child(services.get_indicator, plan, indicator_id)
    return render_template(
        "prevention_plan/history.html", plan=plan, indicator=indicator, rows=services.value_history(indicator)
    )


# ---------------------------------------------------------------- approval chain


def _members_choices() -> list[tuple[int, str]]:
    return [
        (m.id, f"{m.name} – {_(services.ROLE_LABELS.get(m.role.value, m.role.value))}")
        for m in services.council_members()
    ]


def _domain_errors_too(plan: Plan, status: PlanStatus, step: services.Step, form: TransitionForm) -> None:
    """The form refused a field (a date that is no date): add the chain's other refusals, so one pass shows all."""
    names = (*step.required, *step.fields, "note")
    data = {name: None if getattr(form, name).errors else getattr(form, name).data for name in names}
    try:
        services.transition(plan, status, data, user_id=_user_id())
    except services.InvalidInputError as exc:
        flagged = {name for name in names if getattr(form, name).errors}
        fresh = {key: msgs for key, msgs in exc.errors.items() if key.split(".")[0] not in flagged}
        for message in apply_errors(form, services.InvalidInputError(fresh)):
            flash(message, "error")
    except services.PlanError:
        pass
    finally:
        db.session.rollback()  # a check only: nothing of this pass is kept


@bp.route("/<int:plan_id>/transition/<target>", methods=["GET", "POST"])
@require("plan.view")
def move(plan_id: int, target: str) -> Page:
    """Move the plan one step along the chain, with the step's fields."""
    plan = _plan(plan_id)
    try:
        status = PlanStatus(target)
        step = services.step_for(plan, status)
    except ValueError:
        abort(404)
    except services.PlanError as exc:
        flash(shown(exc.message), "error")
        return redirect(_plan_url(plan))
    if not any(_can(p) for p in step.permissions):
        abort(403)
    form = TransitionForm() if request.method == "POST" else TransitionForm(formdata=None, version=str(plan.version))
    form.members_present.choices = choices(_members_choices())
    if request.method == "GET" and status == PlanStatus.ENDORSED:
        form.members_present.data = [c.value for c in form.members_present.choices]
    if request.method == "POST" and form.validate_on_submit():
        data = {name: getattr(form, name).data for name in (*step.required, *step.fields, "note")}
        ok, _r = _commit_or_report(
            lambda: services.transition(plan, status, data, user_id=_user_id(), version=_form_version(form)), form
        )
        if ok:
            flash(_("Planul este acum: %(status)s.", status=plan_status_label(status)), "success")
            return redirect(_plan_url(plan))
    elif request.method == "POST" and not form.csrf_token.errors:
        _domain_errors_too(plan, status, step, form)
    return render_template("prevention_plan/transition.html", plan=plan, step=step, form=form), (
        422 if request.method == "POST" else 200
    )


@bp.post("/<int:plan_id>/revision")
@require("plan.edit")
def revise(plan_id: int) -> Page:
    """Open the next revision of a plan locked after the aviz."""
    plan = _plan(plan_id)
    if ConfirmForm().validate_on_submit():
        ok, new = _commit_or_report(lambda: services.new_revision(plan))
        if ok:
            flash(_("Revizia %(rev)s a fost deschisă ca ciornă.", rev=new.revision), "success")
            return redirect(_plan_url(new))
    return redirect(_plan_url(plan))


@bp.post("/<int:plan_id>/copy")
@require("plan.edit")
def copy(plan_id: int) -> Page:
    """Start another year's plan from this one (without values)."""
    plan = _plan(plan_id)
    form = CopyForm()
    if form.validate_on_submit():
        ok, new = _commit_or_report(lambda: services.copy_to_next_year(plan, form.year.data), form)
        if ok:
            flash(_("Planul pentru %(year)s a fost creat din cel pe %(old)s.", year=new.year, old=plan.year), "success")
            return redirect(_plan_url(new))
    for message in form.year.errors:
        flash(message, "error")
    return redirect(_plan_url(plan))


# ---------------------------------------------------------------- evaluation


@bp.route("/<int:plan_id>/evaluation", methods=["GET", "POST"])
@require("plan.view")
def evaluation(plan_id: int) -> Page:
    """The computed evaluation, the chart per objective and the narrative."""
    plan = _plan(plan_id)
    current = plan.evaluation
    if request.method == "POST":
        if not _can("plan.values"):
            abort(403)
        form = EvaluationForm()
        if form.validate_on_submit():
            ok, _r = _commit_or_report(
                lambda: services.evaluate(plan, form.narrative.data, user_id=_user_id(), version=_form_version(form)),
                form,
            )
            if ok:
                flash(_("Evaluarea a fost salvată."), "success")
                return redirect(url_for("prevention_plan.evaluation", plan_id=plan.id))
    else:
        form = EvaluationForm(
            formdata=None,
            narrative=current.narrative if current else "",
            version=str(current.version) if current else "",
        )
    figures = services.evaluation_figures(plan)
    return render_template(
        "prevention_plan/evaluation.html",
        plan=plan,
        figures=figures,
        chart=Markup(plan_chart(figures["objectives"])),  # noqa: S704 - built from escaped parts
        form=form,
        can_write=_can("plan.values") and plan.status in services.EVALUATION_STATUSES and plan.is_current,
    ), (422 if request.method == "POST" else 200)


# ---------------------------------------------------------------- exports, import, documents


@bp.post("/<int:plan_id>/export/<fmt>")
@require("plan.export")
def export(plan_id: int, fmt: str) -> Page:
    """Start a Word or Excel export job."""
    plan = _plan(plan_id, tree=False)
    if fmt not in {"docx", "xlsx"}:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job = enqueue(
        f"prevention_plan.export_{fmt}",
        tenant=current_tenant(),
        user=current_user._get_current_object(),
        plan_id=plan.id,
    )
    db.session.commit()
    flash(_("Exportul a pornit; fișierul va putea fi descărcat din pagina lucrărilor."), "success")
    return redirect(_jobs_url(job))


def _import_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """A rejected workbook's errors for the page: the place (the file, ``rândul 4``) and the messages translated."""
    return {
        (_("Fișierul") if where == exports.FILE_KEY else shown(where)): shown_errors(messages)
        for where, messages in errors.items()
    }


@bp.route("/<int:plan_id>/import", methods=["GET", "POST"])
@require("plan.values")
def import_values(plan_id: int) -> Page:
    """Upload the Excel export with values filled in: checked at once, written by a job."""
    plan = _plan(plan_id)
    form = ImportForm()
    row_errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        limits = import_limits()
        data = form.file.data.read(limits.max_bytes + 1)
        try:
            services.ensure_current(plan)
            exports.check_size(data, limits)
            if len(data) <= limits.inline_bytes:  # a larger file is checked by the job, not while the page waits
                exports.check_values_xlsx(plan, data, limits, locale=str(get_locale()))
        except services.InvalidInputError as exc:
            row_errors = _import_errors(exc.errors)
            form.file.errors = [shown(exc.message)]
        except services.PlanError as exc:
            form.file.errors = [shown(exc.message)]
        else:
            job = enqueue(
                "prevention_plan.import_xlsx",
                tenant=current_tenant(),
                user=current_user._get_current_object(),
                plan_id=plan.id,
                upload=save_upload(plan, data),
                user_id=_user_id(),
                locale=str(get_locale()),
            )
            db.session.commit()
            if len(data) <= limits.inline_bytes:
                flash(_("Fișierul este corect; valorile se înregistrează."), "success")
            else:
                flash(_("Fișierul este mare: se verifică și se înregistrează în fundal; urmăriți lucrarea."), "success")
            return redirect(_jobs_url(job))
    return render_template("prevention_plan/import.html", plan=plan, form=form, row_errors=row_errors), (
        422 if request.method == "POST" else 200
    )


def _step_choices() -> list[tuple[str, str]]:
    return [(s.value, plan_status_label(s)) for s in PlanStatus]


@bp.route("/<int:plan_id>/documents", methods=["GET", "POST"])
@require("plan.view")
def documents(plan_id: int) -> Page:
    """The documents attached to the plan's steps, and the upload form."""
    plan = _plan(plan_id)
    can_upload = any(_can(p) for p in ("plan.transition", "plan.endorse", "plan.approve"))
    form = DocumentForm(step=plan.status.value) if request.method == "GET" else DocumentForm()
    form.step.choices = choices(_step_choices())
    if request.method == "POST":
        if not can_upload:
            abort(403)
        if form.validate_on_submit():
            upload = form.file.data
            ok, _r = _commit_or_report(
                lambda: services.store_document(
                    plan,
                    current_app.config["VATRA_FILES"],
                    upload.filename or "document",
                    upload.read(),
                    step=form.step.data,
                    title=form.title.data,
                    user_id=_user_id(),
                ),
                form,
            )
            if ok:
                flash(_("Documentul a fost atașat."), "success")
                return redirect(url_for("prevention_plan.documents", plan_id=plan.id))
    return render_template("prevention_plan/documents.html", plan=plan, form=form, can_upload=can_upload), (
        422 if request.method == "POST" else 200
    )


@bp.get("/<int:plan_id>/documents/<int:document_id>")
@require("plan.view")
def document(plan_id: int, document_id: int) -> Page:
    """Download an attached document."""
    plan = _plan(plan_id, tree=False)
    doc = _child(services.get_document, plan, document_id)
    try:
        path = services.document_path(current_app.config["VATRA_FILES"], doc)
    except services.NotFoundError:
        abort(404)
    return send_attachment(path, doc.filename)


# ---------------------------------------------------------------- templates (county)


def _templates_context() -> dict[str, Any]:
    tenant = current_tenant()
    own = list(
        db.session.execute(
            sa.select(PlanTemplate).where(PlanTemplate.tenant_id == tenant.id).order_by(PlanTemplate.name)
        ).scalars()
    )
    form = TemplateForm()
    form.source.choices = choices(_template_sources())
    return {"own_templates": own, "template_form": form, "can_templates": _can("plan.templates")}


def _template_sources() -> list[tuple[str, str]]:
    return [("builtin", _("Modelul încorporat (Târgu Secuiesc 2026)"))] + [
        (str(p.id), _("Planul %(year)s (revizia %(rev)s)", year=p.year, rev=p.revision)) for p in services.list_plans()
    ]


@bp.post("/templates")
@require("plan.templates")
def save_template() -> Page:
    """Save a template of this tenant (a county publishes it for its localities)."""
    form = TemplateForm()
    form.source.choices = choices(_template_sources())
    if form.validate_on_submit():

        def action() -> Any:
            if form.source.data == "builtin":
                content = services.builtin_template_content()
            else:
                content = services.plan_content(_plan(int(form.source.data)), with_signatories=False)
            return services.save_template(
                form.name.data, content, description=form.description.data or None, published=form.published.data
            )

        ok, _r = _commit_or_report(action, form)
        if ok:
            flash(_("Șablonul a fost salvat."), "success")
            return redirect(url_for("prevention_plan.index"))
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}: {message}", "error")
    return redirect(url_for("prevention_plan.index"))


@bp.post("/templates/<int:template_id>/publish")
@require("plan.templates")
def publish_template(template_id: int) -> Page:
    """Publish or withdraw a template."""
    template = db.session.get(PlanTemplate, template_id)
    if template is None or template.tenant_id != current_tenant().id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        template.published = not template.published
        db.session.commit()
        flash(_("Șablonul a fost publicat.") if template.published else _("Șablonul a fost retras."), "success")
    return redirect(url_for("prevention_plan.index"))
