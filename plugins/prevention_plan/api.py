"""The prevention plan's REST API, mounted at ``/api/v1/t/<tenant>/plans``.

Every body goes through a marshmallow schema (422 naming the field, nothing
written); domain refusals of :mod:`.services` answer 404/409/422; objects
people edit carry a ``version`` (in the body or ``If-Match``) and a stale one
answers 409.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app, request
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from core.toolkit import (
    ApiBlueprint,
    abort,
    client_version,
    commit_on_response,
    current_tenant,
    db,
    enqueue,
    has_permission,
    require,
    send_attachment,
)
from plugins.prevention_plan import exports, services
from plugins.prevention_plan.jobs import import_limits
from plugins.prevention_plan.messages import shown, shown_errors
from plugins.prevention_plan.models import PlanStatus, PlanTemplate
from plugins.prevention_plan.schemas import (
    ActivityInSchema,
    ActivityOutSchema,
    ActivityPatchSchema,
    CopySchema,
    DocumentFormSchema,
    DocumentOutSchema,
    EvaluationInSchema,
    EvaluationOutSchema,
    ExportInSchema,
    FileSchema,
    IndicatorInSchema,
    IndicatorOutSchema,
    IndicatorPatchSchema,
    JobOutSchema,
    ObjectiveInSchema,
    ObjectiveOutSchema,
    ObjectivePatchSchema,
    PlanCreateSchema,
    PlanQuerySchema,
    PlanSummarySchema,
    PlanTreeSchema,
    SectionsSchema,
    TemplateInSchema,
    TemplateOutSchema,
    TemplatePatchSchema,
    TemplateRowSchema,
    TransitionInSchema,
    TransitionOutSchema,
    ValueOutSchema,
    ValuesInSchema,
    ValuesQuerySchema,
)
from plugins.prevention_plan.tree import read_plan_tree

F = TypeVar("F", bound=Callable[..., Any])

blp = ApiBlueprint(
    "prevention_plan_api",
    __name__,
    url_prefix="/plans",
    description="Planul anual de prevenire a separării copilului de familie: conținut, valori, aviz, HCL, evaluare.",
)

UPLOAD_FOLDER = "imports"


def domain(view: F) -> F:
    """Turn the domain's refusals into API errors and commit a successful write (once its answer is built)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = view(*args, **kwargs)
            if request.method not in {"GET", "HEAD"}:
                commit_on_response()
            return result
        except services.PlanError as exc:
            db.session.rollback()
            if exc.errors:
                abort(exc.status, message=shown(exc.message), errors={"json": shown_errors(exc.errors)})
            abort(exc.status, message=shown(exc.message))
        except StaleDataError:
            db.session.rollback()
            abort(
                409, message=_("Obiectul a fost modificat între timp de altcineva. Reîncărcați și încercați din nou.")
            )

    return wrapper  # type: ignore[return-value]


def _user_id() -> int | None:
    return getattr(current_user, "id", None) if current_user and current_user.is_authenticated else None


def _require_any(*permissions: str) -> None:
    if not any(has_permission(p) for p in permissions):
        abort(403, message=_("Nu aveți dreptul să faceți această operațiune."))


# ---------------------------------------------------------------- plans


@blp.route("/")
class Plans(MethodView):
    @blp.arguments(PlanQuerySchema, location="query")
    @blp.response(200, PlanSummarySchema(many=True))
    @require("plan.view")
    def get(self, query: dict[str, Any]) -> Any:
        """The tenant's plans (current revisions; ``all_revisions`` for the older ones too)."""
        return services.list_plans(query.get("year"), include_old_revisions=query["all_revisions"])

    @blp.arguments(PlanCreateSchema)
    @blp.response(201, PlanTreeSchema)
    @require("plan.edit")
    @domain
    def post(self, data: dict[str, Any]) -> Any:
        """Start a plan for a year: empty, or from a template (``builtin``, ``own:<id>``, ``county:<id>``)."""
        if data.get("template"):
            plan = services.from_template(current_tenant(), data["year"], data["template"])
            if data.get("title"):
                plan.title = data["title"]
        else:
            plan = services.create_plan(data["year"], title=data.get("title"), institution=data.get("institution"))
        return plan


@blp.route("/<int:plan_id>")
class PlanResource(MethodView):
    @blp.response(200, PlanTreeSchema)
    @require("plan.view")
    @domain
    def get(self, plan_id: int) -> Any:
        """The plan as a tree: objectives → activities → responsible bodies and indicators."""
        return read_plan_tree(plan_id)

    @blp.arguments(SectionsSchema(partial=True))
    @blp.response(200, PlanTreeSchema)
    @require("plan.edit")
    @domain
    def patch(self, data: dict[str, Any], plan_id: int) -> Any:
        """Change the sections (title, introduction, principles, objectives text, signatories)."""
        plan = services.get_plan(plan_id, tree=True)
        version = client_version(data)
        return services.update_sections(plan, data, version=version)


@blp.route("/<int:plan_id>/revisions")
class Revisions(MethodView):
    @blp.response(200, PlanSummarySchema(many=True))
    @require("plan.view")
    @domain
    def get(self, plan_id: int) -> Any:
        """Every revision of the plan's year, newest first."""
        return services.revisions(services.get_plan(plan_id))

    @blp.response(201, PlanTreeSchema)
    @require("plan.edit")
    @domain
    def post(self, plan_id: int) -> Any:
        """Open the next revision (a draft with the same content) of a plan locked after the aviz."""
        return services.new_revision(services.get_plan(plan_id, tree=True))


@blp.route("/<int:plan_id>/copy")
class Copy(MethodView):
    @blp.arguments(CopySchema)
    @blp.response(201, PlanTreeSchema)
    @require("plan.edit")
    @domain
    def post(self, data: dict[str, Any], plan_id: int) -> Any:
        """Start another year's plan (default: the next) from this one, without values."""
        return services.copy_to_next_year(services.get_plan(plan_id, tree=True), data.get("year"))


# ---------------------------------------------------------------- objectives, activities, indicators


@blp.route("/<int:plan_id>/objectives")
class Objectives(MethodView):
    @blp.arguments(ObjectiveInSchema)
    @blp.response(201, ObjectiveOutSchema)
    @require("plan.edit")
    @domain
    def post(self, data: dict[str, Any], plan_id: int) -> Any:
        """Add a strategic objective."""
        plan = services.get_plan(plan_id, tree=True)
        return services.add_objective(plan, data["title"], data.get("number"))


@blp.route("/<int:plan_id>/objectives/<int:objective_id>")
class ObjectiveResource(MethodView):
    @blp.arguments(ObjectivePatchSchema(partial=True))
    @blp.response(200, ObjectiveOutSchema)
    @require("plan.edit")
    @domain
    def patch(self, data: dict[str, Any], plan_id: int, objective_id: int) -> Any:
        """Change an objective's number or title."""
        plan = services.get_plan(plan_id, tree=True)
        objective = services.get_objective(plan, objective_id)
        services.update_objective(objective, data, version=client_version(data))
        return objective

    @blp.response(204)
    @require("plan.edit")
    @domain
    def delete(self, plan_id: int, objective_id: int) -> None:
        """Remove an objective (refused once values were recorded under it)."""
        plan = services.get_plan(plan_id, tree=True)
        services.delete_objective(services.get_objective(plan, objective_id))


@blp.route("/<int:plan_id>/objectives/<int:objective_id>/activities")
class Activities(MethodView):
    @blp.arguments(ActivityInSchema)
    @blp.response(201, ActivityOutSchema)
    @require("plan.edit")
    @domain
    def post(self, data: dict[str, Any], plan_id: int, objective_id: int) -> Any:
        """Add an activity to an objective, with its responsible bodies, schedule and budget."""
        plan = services.get_plan(plan_id, tree=True)
        objective = services.get_objective(plan, objective_id)
        return services.add_activity(
            objective,
            data["text"],
            responsible=data["responsible"],
            schedule_months=data["schedule_months"],
            budget_estimate=data.get("budget_estimate"),
        )


@blp.route("/<int:plan_id>/activities/<int:activity_id>")
class ActivityResource(MethodView):
    @blp.arguments(ActivityPatchSchema(partial=True))
    @blp.response(200, ActivityOutSchema)
    @require("plan.edit")
    @domain
    def patch(self, data: dict[str, Any], plan_id: int, activity_id: int) -> Any:
        """Change an activity (``responsible`` replaces the ordered list)."""
        plan = services.get_plan(plan_id, tree=True)
        activity = services.get_activity(plan, activity_id)
        services.update_activity(activity, data, version=client_version(data))
        return activity

    @blp.response(204)
    @require("plan.edit")
    @domain
    def delete(self, plan_id: int, activity_id: int) -> None:
        """Remove an activity (refused once values were recorded for it)."""
        plan = services.get_plan(plan_id, tree=True)
        services.delete_activity(services.get_activity(plan, activity_id))


@blp.route("/<int:plan_id>/activities/<int:activity_id>/indicators")
class Indicators(MethodView):
    @blp.arguments(IndicatorInSchema)
    @blp.response(201, IndicatorOutSchema)
    @require("plan.edit")
    @domain
    def post(self, data: dict[str, Any], plan_id: int, activity_id: int) -> Any:
        """Add an indicator of achievement (target and baseline optional, catalog code optional)."""
        plan = services.get_plan(plan_id, tree=True)
        return services.add_indicator(services.get_activity(plan, activity_id), data)


@blp.route("/<int:plan_id>/indicators/<int:indicator_id>")
class IndicatorResource(MethodView):
    @blp.arguments(IndicatorPatchSchema(partial=True))
    @blp.response(200, IndicatorOutSchema)
    @require("plan.edit")
    @domain
    def patch(self, data: dict[str, Any], plan_id: int, indicator_id: int) -> Any:
        """Change an indicator."""
        plan = services.get_plan(plan_id, tree=True)
        indicator = services.get_indicator(plan, indicator_id)
        services.update_indicator(indicator, data, version=client_version(data))
        return indicator

    @blp.response(204)
    @require("plan.edit")
    @domain
    def delete(self, plan_id: int, indicator_id: int) -> None:
        """Remove an indicator (refused once values were recorded for it)."""
        plan = services.get_plan(plan_id, tree=True)
        services.delete_indicator(services.get_indicator(plan, indicator_id))


# ---------------------------------------------------------------- values


@blp.route("/<int:plan_id>/values")
class Values(MethodView):
    @blp.arguments(ValuesQuerySchema, location="query")
    @blp.response(200, ValueOutSchema(many=True))
    @require("plan.view")
    @domain
    def get(self, query: dict[str, Any], plan_id: int) -> Any:
        """The values in force (a correction replaces the value it corrects)."""
        plan = services.get_plan(plan_id)
        rows = [r for by_q in services.live_values(plan, query.get("year")).values() for r in by_q.values()]
        if "quarter" in query:
            rows = [r for r in rows if r.quarter == query["quarter"]]
        return sorted(rows, key=lambda r: (r.indicator_id, r.year, r.quarter or 0))

    @blp.arguments(ValuesInSchema)
    @blp.response(201, ValueOutSchema(many=True))
    @require("plan.values")
    @domain
    def post(self, data: dict[str, Any], plan_id: int) -> Any:
        """Record a period's values for many indicators in one request; all or nothing."""
        plan = services.get_plan(plan_id, tree=True)
        entries = [services.ValueEntry(v["indicator_id"], v["value"], v.get("note")) for v in data["values"]]
        result = services.record_values(plan, data["year"], data["quarter"], entries, user_id=_user_id())
        return result.written


@blp.route("/<int:plan_id>/indicators/<int:indicator_id>/values")
class ValueHistory(MethodView):
    @blp.response(200, ValueOutSchema(many=True))
    @require("plan.view")
    @domain
    def get(self, plan_id: int, indicator_id: int) -> Any:
        """Every value recorded for the indicator, corrected ones included."""
        plan = services.get_plan(plan_id)
        return services.value_history(services.get_indicator(plan, indicator_id))


# ---------------------------------------------------------------- approval chain


@blp.route("/<int:plan_id>/transitions")
class Transitions(MethodView):
    @blp.response(200, TransitionOutSchema(many=True))
    @require("plan.view")
    @domain
    def get(self, plan_id: int) -> Any:
        """The steps the plan went through."""
        return services.get_plan(plan_id).transitions

    @blp.arguments(TransitionInSchema)
    @blp.response(201, TransitionOutSchema)
    @require("plan.view")
    @domain
    def post(self, data: dict[str, Any], plan_id: int) -> Any:
        """Move the plan one step along the chain with the step's fields.

        submitted → endorsed needs ``aviz_number``, ``aviz_date``, ``members_present``;
        endorsed → approved needs the HCL, referat and raport numbers and dates;
        submitted → draft (sent back) needs a ``note``. Each step has its permission.
        """
        plan = services.get_plan(plan_id, tree=True)
        target = data.pop("to")
        step = services.step_for(plan, target)
        _require_any(*step.permissions)
        version = data.pop("version", None)
        return services.transition(plan, target, data, user_id=_user_id(), version=version)


# ---------------------------------------------------------------- evaluation


def _evaluation_body(plan: services.Plan) -> dict[str, Any]:
    body = services.evaluation_figures(plan)
    evaluation = plan.evaluation
    body.update(
        narrative=evaluation.narrative if evaluation else None,
        evaluated_at=evaluation.evaluated_at if evaluation else None,
        version=evaluation.version if evaluation else None,
    )
    return body


@blp.route("/<int:plan_id>/evaluation")
class Evaluation(MethodView):
    @blp.response(200, EvaluationOutSchema)
    @require("plan.view")
    @domain
    def get(self, plan_id: int) -> Any:
        """The evaluation computed now (values, % of target, activities without values) and the narrative."""
        return _evaluation_body(services.get_plan(plan_id, tree=True))

    @blp.arguments(EvaluationInSchema)
    @blp.response(200, EvaluationOutSchema)
    @require("plan.values")
    @domain
    def put(self, data: dict[str, Any], plan_id: int) -> Any:
        """Write the evaluation's narrative (the figures are stored as computed now)."""
        plan = services.get_plan(plan_id, tree=True)
        services.evaluate(plan, data["narrative"], user_id=_user_id(), version=data.get("version"))
        return _evaluation_body(plan)


# ---------------------------------------------------------------- documents


def _files_root() -> Path:
    return Path(current_app.config["VATRA_FILES"])


@blp.route("/<int:plan_id>/documents")
class Documents(MethodView):
    @blp.response(200, DocumentOutSchema(many=True))
    @require("plan.view")
    @domain
    def get(self, plan_id: int) -> Any:
        """The documents attached to the plan's steps."""
        return services.get_plan(plan_id).documents

    @blp.arguments(FileSchema, location="files")
    @blp.arguments(DocumentFormSchema, location="form")
    @blp.response(201, DocumentOutSchema)
    @require("plan.view")
    @domain
    def post(self, files: dict[str, Any], form: dict[str, Any], plan_id: int) -> Any:
        """Attach a PDF or DOCX (a scan of the aviz, the HCL...) to a step."""
        _require_any("plan.transition", "plan.endorse", "plan.approve")
        plan = services.get_plan(plan_id)
        upload = files["file"]
        return services.store_document(
            plan,
            _files_root(),
            upload.filename or "document",
            upload.read(),
            step=form.get("step"),
            title=form.get("title"),
            transition_id=form.get("transition_id"),
            user_id=_user_id(),
        )


@blp.route("/<int:plan_id>/documents/<int:document_id>")
class DocumentFile(MethodView):
    @blp.response(200, description="Fișierul documentului")
    @require("plan.view")
    @domain
    def get(self, plan_id: int, document_id: int) -> Any:
        """Download a document."""
        plan = services.get_plan(plan_id)
        document = services.get_document(plan, document_id)
        path = services.document_path(_files_root(), document)
        return send_attachment(path, document.filename)


# ---------------------------------------------------------------- exports and imports (jobs)


def _job_body(job: Any) -> dict[str, Any]:
    status = getattr(job, "status", None)
    return {"id": job.id, "kind": job.kind, "status": getattr(status, "value", status)}


@blp.route("/<int:plan_id>/exports")
class Exports(MethodView):
    @blp.arguments(ExportInSchema)
    @blp.response(202, JobOutSchema)
    @require("plan.export")
    @domain
    def post(self, data: dict[str, Any], plan_id: int) -> Any:
        """Start a Word (``docx``) or Excel (``xlsx``) export job; its result is downloaded from the jobs API."""
        plan = services.get_plan(plan_id)
        job = enqueue(
            f"prevention_plan.export_{data['format']}",
            tenant=current_tenant(),
            user=current_user._get_current_object(),
            plan_id=plan.id,
        )
        return _job_body(job)


def save_upload(plan: services.Plan, data: bytes) -> str:
    """Keep an uploaded workbook under the tenant's folder; the path relative to VATRA_FILES."""
    relative = Path(str(plan.tenant_id)) / "plans" / str(plan.id) / UPLOAD_FOLDER / f"{uuid.uuid4().hex}.xlsx"
    target = _files_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return relative.as_posix()


@blp.route("/<int:plan_id>/imports")
class Imports(MethodView):
    @blp.arguments(FileSchema, location="files")
    @blp.response(202, JobOutSchema)
    @require("plan.values")
    @domain
    def post(self, files: dict[str, Any], plan_id: int) -> Any:
        """Import values from the Excel export: checked at once (422 with the bad rows), then written by a job.

        A file over ``PLAN_IMPORT_INLINE_BYTES`` is checked by the job instead (its errors are the job's
        result file); over ``PLAN_IMPORT_MAX_BYTES``, or with more rows than ``PLAN_IMPORT_MAX_ROWS``, it is
        refused; at most ``PLAN_IMPORT_MAX_ERRORS`` errors are listed, the others counted.
        """
        plan = services.get_plan(plan_id, tree=True)
        services.ensure_current(plan)
        limits = import_limits()
        data = files["file"].read(limits.max_bytes + 1)
        exports.check_size(data, limits)
        if len(data) <= limits.inline_bytes:  # a larger file is checked by the job, not while the client waits
            exports.check_values_xlsx(plan, data, limits, locale=str(get_locale()))
        upload = save_upload(plan, data)
        job = enqueue(
            "prevention_plan.import_xlsx",
            tenant=current_tenant(),
            user=current_user._get_current_object(),
            plan_id=plan.id,
            upload=upload,
            user_id=_user_id(),
            locale=str(get_locale()),
        )
        return _job_body(job)


# ---------------------------------------------------------------- templates


@blp.route("/templates")
class Templates(MethodView):
    @blp.response(200, TemplateOutSchema(many=True))
    @require("plan.view")
    def get(self) -> Any:
        """Templates this tenant can start a plan from: built-in, its own, its county's published ones."""
        return services.available_templates(current_tenant())

    @blp.arguments(TemplateInSchema)
    @blp.response(201, TemplateRowSchema)
    @require("plan.templates")
    @domain
    def post(self, data: dict[str, Any]) -> Any:
        """Save a template of this tenant (a county publishes it for its localities with ``published``)."""
        if data.get("plan_id") is not None:
            plan = services.get_plan(data["plan_id"], tree=True)
            content = services.plan_content(plan, with_signatories=False)
        elif data["builtin"]:
            content = services.builtin_template_content()
        else:
            content = _jsonable_content(data["content"])
        return services.save_template(
            data["name"], content, description=data.get("description"), published=data["published"]
        )


def _jsonable_content(content: dict[str, Any]) -> dict[str, Any]:
    out = dict(content)
    for objective in out.get("strategic_objectives", []):
        for activity in objective.get("activities", []):
            if activity.get("budget_estimate") is not None:
                activity["budget_estimate"] = str(activity["budget_estimate"])
            for indicator in activity.get("indicators", []):
                for key in ("target", "baseline"):
                    if indicator.get(key) is not None:
                        indicator[key] = str(indicator[key])
    return out


@blp.route("/templates/<int:template_id>")
class TemplateResource(MethodView):
    @blp.arguments(TemplatePatchSchema(partial=True))
    @blp.response(200, TemplateRowSchema)
    @require("plan.templates")
    @domain
    def patch(self, data: dict[str, Any], template_id: int) -> Any:
        """Rename, describe, publish or withdraw a template of this tenant."""
        template = db.session.get(PlanTemplate, template_id)
        if template is None or template.tenant_id != current_tenant().id:
            abort(404)
        services.check_version(template, client_version(data))
        for key in ("name", "description", "published"):
            if key in data:
                setattr(template, key, data[key])
        db.session.flush()
        return template


__all__ = ["PlanStatus", "blp"]
