"""The REST API of funded projects, mounted at ``/api/v1/t/<tenant>/projects``.

Every body goes through a schema of :mod:`plugins.pin_project.schemas`; a
refused domain rule answers 422 in the same shape as a schema error, e.g.
``{"errors": {"json": {"amount": ["Depășește suma rămasă pe linia …"]}}}``.
Editable objects carry a ``version``: send it back with every change (in
the body or as ``If-Match``; without it 422) and a concurrent change answers
409. Another tenant's ids
answer 404.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
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
from plugins.pin_project import schemas as s
from plugins.pin_project import services
from plugins.pin_project.jobs import REPORT_KINDS
from plugins.pin_project.models import Project

blp = ApiBlueprint(
    "pin_project_api",
    __name__,
    url_prefix="/projects",
    description="Proiecte finanțate (PIN): buget, cheltuieli, activități, rezultate și indicatori.",
)


# --------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def domain_errors() -> Iterator[None]:
    """Turn domain refusals into API errors: 422 with the field, 403, 409; roll back on any of them."""
    try:
        yield
    except services.OverrideForbidden as exc:
        db.session.rollback()
        abort(403, message=exc.reason, errors={"json": exc.errors})
    except services.RuleViolation as exc:
        db.session.rollback()
        abort(422, message="Datele trimise nu respectă regulile proiectului.", errors={"json": exc.errors})
    except (services.StaleVersion, StaleDataError):
        db.session.rollback()
        abort(409)
    except IntegrityError:
        db.session.rollback()
        abort(409, message="Operațiunea intră în conflict cu datele existente.")


def _commit() -> None:
    """Write now (refusals become API errors); commit once the answer is built."""
    with domain_errors():
        db.session.flush()
    commit_on_response()


def _locked(obj: Any, data: dict[str, Any]) -> None:
    with domain_errors():
        services.check_version(obj, client_version(data))


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


def project_or_404(project_id: int) -> Project:
    """The current tenant's project or a 404."""
    project = services.get_project(project_id)
    if project is None:
        abort(404)
    return project


def _found(obj: Any) -> Any:
    if obj is None:
        abort(404)
    return obj


# --------------------------------------------------------------------------- programmes


@blp.route("/programmes")
class Programmes(MethodView):
    @blp.response(200, s.PinProgrammeSchema(many=True))
    @require("pin.view")
    def get(self) -> Any:
        """The tenant's programmes."""
        return services.list_programmes()

    @blp.arguments(s.PinProgrammeSchema)
    @blp.response(201, s.PinProgrammeSchema)
    @require("pin.edit")
    def post(self, data: dict[str, Any]) -> Any:
        """Record a programme (e.g. PIN 2/2008) and its funder."""
        data.pop("version", None)
        with domain_errors():
            programme = services.create_programme(**data)
        _commit()
        return programme


@blp.route("/programmes/<int:programme_id>")
class ProgrammeItem(MethodView):
    @blp.response(200, s.PinProgrammeSchema)
    @require("pin.view")
    def get(self, programme_id: int) -> Any:
        """One programme."""
        return _found(services.get_programme(programme_id))

    @blp.arguments(s.PinProgrammePatchSchema)
    @blp.response(200, s.PinProgrammeSchema)
    @require("pin.edit")
    def patch(self, data: dict[str, Any], programme_id: int) -> Any:
        """Change a programme."""
        programme = _found(services.get_programme(programme_id))
        _locked(programme, data)
        services.apply(programme, data, ("code", "name", "funder_name", "funder_acronym"))
        _commit()
        return programme


# --------------------------------------------------------------------------- projects


@blp.route("/")
class Projects(MethodView):
    @blp.response(200, s.PinProjectListSchema(many=True))
    @require("pin.view")
    def get(self) -> Any:
        """The tenant's projects."""
        return services.list_projects()

    @blp.arguments(s.PinProjectSchema)
    @blp.response(201, s.PinProjectSchema)
    @require("pin.edit")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a project under one of the tenant's programmes."""
        data.pop("version", None)
        programme = services.get_programme(data.pop("programme_id"))
        if programme is None:
            abort(422, errors={"json": {"programme_id": ["Programul nu există."]}})
        with domain_errors():
            project = services.create_project(programme, **data)
        _commit()
        return project


@blp.route("/<int:project_id>")
class ProjectItem(MethodView):
    @blp.response(200, s.PinProjectSchema)
    @require("pin.view")
    def get(self, project_id: int) -> Any:
        """One project."""
        return project_or_404(project_id)

    @blp.arguments(s.PinProjectPatchSchema)
    @blp.response(200, s.PinProjectSchema)
    @require("pin.edit")
    def patch(self, data: dict[str, Any], project_id: int) -> Any:
        """Change a project (send ``version``)."""
        project = project_or_404(project_id)
        _locked(project, data)
        with domain_errors():
            services.update_project(project, data)
        _commit()
        return project

    @blp.response(204)
    @require("pin.edit")
    def delete(self, project_id: int) -> None:
        """Delete a project and everything in it."""
        project = project_or_404(project_id)
        db.session.delete(project)
        _commit()


# --------------------------------------------------------------------------- objectives and target groups


def _text_items(kind: str) -> tuple[Any, Any]:
    adder = services.add_objective if kind == "objectives" else services.add_target_group
    getter = services.get_objective if kind == "objectives" else services.get_target_group
    attr = "objectives" if kind == "objectives" else "target_groups"

    class Collection(MethodView):
        @blp.response(200, s.PinTextItemSchema(many=True))
        @require("pin.view")
        def get(self, project_id: int) -> Any:
            return getattr(project_or_404(project_id), attr)

        @blp.arguments(s.PinTextItemSchema)
        @blp.response(201, s.PinTextItemSchema)
        @require("pin.edit")
        def post(self, data: dict[str, Any], project_id: int) -> Any:
            item = adder(project_or_404(project_id), data["text"], data.get("position"))
            _commit()
            return item

    class Item(MethodView):
        @blp.arguments(s.PinTextItemPatchSchema)
        @blp.response(200, s.PinTextItemSchema)
        @require("pin.edit")
        def patch(self, data: dict[str, Any], project_id: int, item_id: int) -> Any:
            item = _found(getter(project_or_404(project_id), item_id))
            services.apply(item, data, ("text", "position"))
            _commit()
            return item

        @blp.response(204)
        @require("pin.edit")
        def delete(self, project_id: int, item_id: int) -> None:
            db.session.delete(_found(getter(project_or_404(project_id), item_id)))
            _commit()

    Collection.__name__ = f"{attr.title().replace('_', '')}Collection"
    Item.__name__ = f"{attr.title().replace('_', '')}Item"
    return Collection, Item


for _kind, _path in (("objectives", "objectives"), ("target_groups", "target-groups")):
    _collection, _item = _text_items(_kind)
    blp.route(f"/<int:project_id>/{_path}", endpoint=f"{_kind}_collection")(_collection)
    blp.route(f"/<int:project_id>/{_path}/<int:item_id>", endpoint=f"{_kind}_item")(_item)


# --------------------------------------------------------------------------- localities


@blp.route("/<int:project_id>/localities")
class Localities(MethodView):
    @blp.response(200, s.PinLocalitySchema(many=True))
    @require("pin.view")
    def get(self, project_id: int) -> Any:
        """The participating localities and their roles."""
        return project_or_404(project_id).localities

    @blp.arguments(s.PinLocalitySchema)
    @blp.response(201, s.PinLocalitySchema)
    @require("pin.edit")
    def post(self, data: dict[str, Any], project_id: int) -> Any:
        """Add a participating locality (a locality tenant of the owner's county)."""
        project = project_or_404(project_id)
        with domain_errors():
            link = services.add_locality(project, data.pop("locality_tenant_id"), **data)
        _commit()
        return link


@blp.route("/<int:project_id>/localities/<int:link_id>")
class LocalityItem(MethodView):
    @blp.arguments(s.PinLocalityPatchSchema)
    @blp.response(200, s.PinLocalitySchema)
    @require("pin.edit")
    def patch(self, data: dict[str, Any], project_id: int, link_id: int) -> Any:
        """Change a locality's roles."""
        link = _found(services.get_project_locality(project_or_404(project_id), link_id))
        services.apply(link, data, ("employs_staff", "creates_council", "note"))
        _commit()
        return link

    @blp.response(204)
    @require("pin.edit")
    def delete(self, project_id: int, link_id: int) -> None:
        """Remove a locality from the project."""
        db.session.delete(_found(services.get_project_locality(project_or_404(project_id), link_id)))
        _commit()


# --------------------------------------------------------------------------- budget


@blp.route("/<int:project_id>/budget")
class Budget(MethodView):
    @blp.response(200, s.PinBudgetSummarySchema)
    @require("pin.view")
    def get(self, project_id: int) -> Any:
        """Planned vs spent vs remaining per line and in total, unallocated, spending per month."""
        project = project_or_404(project_id)
        summary = services.budget_summary(project)
        return {
            "total": summary.total,
            "allocated": summary.allocated,
            "unallocated": summary.unallocated,
            "spent": summary.spent,
            "remaining": summary.remaining,
            "spent_pct": summary.spent_pct,
            "lines": summary.lines,
            "months": services.monthly_spending(project),
        }


@blp.route("/<int:project_id>/budget-lines")
class BudgetLines(MethodView):
    @blp.response(200, s.PinBudgetLineSchema(many=True))
    @require("pin.view")
    def get(self, project_id: int) -> Any:
        """The budget lines with their original and revised amounts."""
        return project_or_404(project_id).budget_lines

    @blp.arguments(s.PinBudgetLineSchema)
    @blp.response(201, s.PinBudgetLineSchema)
    @require("pin.edit")
    def post(self, data: dict[str, Any], project_id: int) -> Any:
        """Add a line; the lines together may not exceed the total budget."""
        project = project_or_404(project_id)
        with domain_errors():
            line = services.add_budget_line(
                project, category=data["category"], planned=data["planned"], position=data.get("position")
            )
        _commit()
        return line


@blp.route("/<int:project_id>/budget-lines/<int:line_id>")
class BudgetLineItem(MethodView):
    @blp.response(200, s.PinBudgetLineSchema)
    @require("pin.view")
    def get(self, project_id: int, line_id: int) -> Any:
        """One line and its revisions."""
        return _found(services.get_budget_line(project_or_404(project_id), line_id))

    @blp.arguments(s.PinBudgetLinePatchSchema)
    @blp.response(200, s.PinBudgetLineSchema)
    @require("pin.edit")
    def patch(self, data: dict[str, Any], project_id: int, line_id: int) -> Any:
        """Rename or reorder a line (amounts change through ``/revise``)."""
        line = _found(services.get_budget_line(project_or_404(project_id), line_id))
        _locked(line, data)
        services.apply(line, data, ("category", "position"))
        _commit()
        return line

    @blp.response(204)
    @require("pin.edit")
    def delete(self, project_id: int, line_id: int) -> None:
        """Delete a line without expenditures."""
        line = _found(services.get_budget_line(project_or_404(project_id), line_id))
        with domain_errors():
            services.delete_budget_line(line)
        _commit()


@blp.route("/<int:project_id>/budget-lines/<int:line_id>/revise")
class BudgetLineRevise(MethodView):
    @blp.arguments(s.PinReviseSchema)
    @blp.response(200, s.PinBudgetLineSchema)
    @require("pin.edit")
    def post(self, data: dict[str, Any], project_id: int, line_id: int) -> Any:
        """Revise a line's amount; the original and every revision are kept."""
        line = _found(services.get_budget_line(project_or_404(project_id), line_id))
        _locked(line, data)
        with domain_errors():
            services.revise_budget_line(line, planned=data["planned"], reason=data.get("reason"), user_id=_user_id())
        _commit()
        return line


@blp.route("/<int:project_id>/expenditures")
class Expenditures(MethodView):
    @blp.response(200, s.PinExpenditureSchema(many=True))
    @require("pin.view")
    def get(self, project_id: int) -> Any:
        """The project's expenditures in date order."""
        project = project_or_404(project_id)
        return services.expenditures_between(project, dt.date.min, dt.date.max)

    @blp.arguments(s.PinExpenditureSchema)
    @blp.response(201, s.PinExpenditureSchema)
    @require("pin.spend")
    def post(self, data: dict[str, Any], project_id: int) -> Any:
        """Record an expenditure; refused (422, field + reason) outside the period or beyond its line.

        A user with ``pin.override`` may send ``override: true`` with an
        ``override_justification`` to record it anyway (marked and audited).
        """
        project = project_or_404(project_id)
        with domain_errors():
            expenditure = services.record_expenditure(
                project,
                line_id=data["line_id"],
                spent_on=data["spent_on"],
                amount=data["amount"],
                supplier=data.get("supplier"),
                document_number=data.get("document_number"),
                description=data.get("description"),
                override=data.get("override", False),
                justification=data.get("override_justification"),
                may_override=has_permission("pin.override"),
                user_id=_user_id(),
            )
        _commit()
        return expenditure


@blp.route("/<int:project_id>/expenditures/<int:expenditure_id>")
class ExpenditureItem(MethodView):
    @blp.response(200, s.PinExpenditureSchema)
    @require("pin.view")
    def get(self, project_id: int, expenditure_id: int) -> Any:
        """One expenditure."""
        return _found(services.get_expenditure(project_or_404(project_id), expenditure_id))

    @blp.response(204)
    @require("pin.spend")
    def delete(self, project_id: int, expenditure_id: int) -> None:
        """Delete an expenditure recorded by mistake (audited)."""
        expenditure = _found(services.get_expenditure(project_or_404(project_id), expenditure_id))
        services.delete_expenditure(expenditure)
        _commit()


@blp.route("/<int:project_id>/expenditures/<int:expenditure_id>/attachment")
class ExpenditureAttachment(MethodView):
    @blp.response(200)
    @require("pin.view")
    def get(self, project_id: int, expenditure_id: int) -> Any:
        """Download the supporting document."""
        expenditure = _found(services.get_expenditure(project_or_404(project_id), expenditure_id))
        if not expenditure.attachment_path:
            abort(404)
        try:
            path = services.attachment_file(
                current_app.config["VATRA_FILES"], expenditure.tenant_id, expenditure.attachment_path
            )
        except FileNotFoundError:
            abort(404)
        return send_attachment(path, expenditure.attachment_name)

    @blp.response(200, s.PinExpenditureSchema)
    @require("pin.spend")
    def put(self, project_id: int, expenditure_id: int) -> Any:
        """Upload the supporting document (multipart field ``file``), stored in the tenant's folder."""
        expenditure = _found(services.get_expenditure(project_or_404(project_id), expenditure_id))
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            abort(422, errors={"files": {"file": ["Alegeți un fișier."]}})
        try:
            services.attach_to_expenditure(
                expenditure, current_app.config["VATRA_FILES"], upload.filename, upload.read()
            )
        except services.RuleViolation as exc:
            db.session.rollback()
            abort(422, errors={"files": exc.errors})
        _commit()
        return expenditure


# --------------------------------------------------------------------------- activities


@blp.route("/<int:project_id>/activities")
class Activities(MethodView):
    @blp.response(200, s.PinActivitySchema(many=True))
    @require("pin.view")
    def get(self, project_id: int) -> Any:
        """The activities with their steps, localities and budget lines."""
        return project_or_404(project_id).activities

    @blp.arguments(s.PinActivitySchema)
    @blp.response(201, s.PinActivitySchema)
    @require("pin.edit")
    def post(self, data: dict[str, Any], project_id: int) -> Any:
        """Add an activity."""
        project = project_or_404(project_id)
        data.pop("version", None)
        localities = data.pop("locality_tenant_ids", None)
        lines = data.pop("budget_line_ids", None)
        with domain_errors():
            activity = services.add_activity(project, **data)
            services.update_activity(activity, {"locality_tenant_ids": localities, "budget_line_ids": lines})
        _commit()
        return activity


@blp.route("/<int:project_id>/activities/<int:activity_id>")
class ActivityItem(MethodView):
    @blp.response(200, s.PinActivitySchema)
    @require("pin.view")
    def get(self, project_id: int, activity_id: int) -> Any:
        """One activity."""
        return _found(services.get_activity(project_or_404(project_id), activity_id))

    @blp.arguments(s.PinActivityPatchSchema)
    @blp.response(200, s.PinActivitySchema)
    @require("pin.edit")
    def patch(self, data: dict[str, Any], project_id: int, activity_id: int) -> Any:
        """Change an activity: schedule, status, responsible, localities, budget lines."""
        activity = _found(services.get_activity(project_or_404(project_id), activity_id))
        _locked(activity, data)
        with domain_errors():
            services.update_activity(activity, data)
        _commit()
        return activity

    @blp.response(204)
    @require("pin.edit")
    def delete(self, project_id: int, activity_id: int) -> None:
        """Delete an activity and its steps."""
        db.session.delete(_found(services.get_activity(project_or_404(project_id), activity_id)))
        _commit()


@blp.route("/<int:project_id>/activities/<int:activity_id>/steps")
class Steps(MethodView):
    @blp.arguments(s.PinStepSchema)
    @blp.response(201, s.PinStepSchema)
    @require("pin.edit")
    def post(self, data: dict[str, Any], project_id: int, activity_id: int) -> Any:
        """Add a sub-step to an activity."""
        activity = _found(services.get_activity(project_or_404(project_id), activity_id))
        step = services.add_step(activity, data["text"], done=data.get("done", False))
        _commit()
        return step


@blp.route("/<int:project_id>/activities/<int:activity_id>/steps/<int:step_id>")
class StepItem(MethodView):
    @blp.arguments(s.PinStepPatchSchema)
    @blp.response(200, s.PinStepSchema)
    @require("pin.edit")
    def patch(self, data: dict[str, Any], project_id: int, activity_id: int, step_id: int) -> Any:
        """Change a step (text, done)."""
        activity = _found(services.get_activity(project_or_404(project_id), activity_id))
        step = _found(services.get_step(activity, step_id))
        services.apply(step, data, ("text", "done"))
        _commit()
        return step

    @blp.response(204)
    @require("pin.edit")
    def delete(self, project_id: int, activity_id: int, step_id: int) -> None:
        """Delete a step."""
        activity = _found(services.get_activity(project_or_404(project_id), activity_id))
        db.session.delete(_found(services.get_step(activity, step_id)))
        _commit()


# --------------------------------------------------------------------------- results and indicators


@blp.route("/<int:project_id>/results")
class Results(MethodView):
    @blp.response(200, s.PinResultSchema(many=True))
    @require("pin.view")
    def get(self, project_id: int) -> Any:
        """The expected results with their indicators and breakdowns."""
        return project_or_404(project_id).results

    @blp.arguments(s.PinResultSchema)
    @blp.response(201, s.PinResultSchema)
    @require("pin.edit")
    def post(self, data: dict[str, Any], project_id: int) -> Any:
        """Add an expected result."""
        result = services.add_result(project_or_404(project_id), data["text"], data.get("position"))
        _commit()
        return result


@blp.route("/<int:project_id>/results/<int:result_id>")
class ResultItem(MethodView):
    @blp.arguments(s.PinResultPatchSchema)
    @blp.response(200, s.PinResultSchema)
    @require("pin.edit")
    def patch(self, data: dict[str, Any], project_id: int, result_id: int) -> Any:
        """Change a result's text or position."""
        result = _found(services.get_result(project_or_404(project_id), result_id))
        services.apply(result, data, ("text", "position"))
        _commit()
        return result

    @blp.response(204)
    @require("pin.edit")
    def delete(self, project_id: int, result_id: int) -> None:
        """Delete a result and its indicators."""
        db.session.delete(_found(services.get_result(project_or_404(project_id), result_id)))
        _commit()


@blp.route("/<int:project_id>/results/<int:result_id>/indicators")
class Indicators(MethodView):
    @blp.arguments(s.PinIndicatorSchema)
    @blp.response(201, s.PinIndicatorSchema)
    @require("pin.edit")
    def post(self, data: dict[str, Any], project_id: int, result_id: int) -> Any:
        """Add a performance indicator (its breakdown parts must add up to the target)."""
        result = _found(services.get_result(project_or_404(project_id), result_id))
        data.pop("version", None)
        delivered_on = data.pop("delivered_on", None)
        breakdown = [(p["label"], p["target"]) for p in data.pop("breakdown", [])]
        with domain_errors():
            indicator = services.add_indicator(result, breakdown=breakdown, **data)
            indicator.delivered_on = delivered_on
        _commit()
        return indicator


@blp.route("/<int:project_id>/indicators/<int:indicator_id>")
class IndicatorItem(MethodView):
    @blp.response(200, s.PinIndicatorSchema)
    @require("pin.view")
    def get(self, project_id: int, indicator_id: int) -> Any:
        """One indicator."""
        return _found(services.get_indicator(project_or_404(project_id), indicator_id))

    @blp.arguments(s.PinIndicatorPatchSchema)
    @blp.response(200, s.PinIndicatorSchema)
    @require("pin.edit")
    def patch(self, data: dict[str, Any], project_id: int, indicator_id: int) -> Any:
        """Change an indicator; a new target must match its breakdown (send both together)."""
        indicator = _found(services.get_indicator(project_or_404(project_id), indicator_id))
        _locked(indicator, data)
        with domain_errors():
            services.update_indicator(indicator, data)
        _commit()
        return indicator

    @blp.response(204)
    @require("pin.edit")
    def delete(self, project_id: int, indicator_id: int) -> None:
        """Delete an indicator and its progress entries."""
        db.session.delete(_found(services.get_indicator(project_or_404(project_id), indicator_id)))
        _commit()


@blp.route("/<int:project_id>/indicators/<int:indicator_id>/breakdown")
class Breakdown(MethodView):
    @blp.arguments(s.PinBreakdownSchema)
    @blp.response(200, s.PinIndicatorSchema)
    @require("pin.edit")
    def put(self, data: dict[str, Any], project_id: int, indicator_id: int) -> Any:
        """Replace the breakdown; the parts must add up to the indicator's target (or be empty)."""
        indicator = _found(services.get_indicator(project_or_404(project_id), indicator_id))
        with domain_errors():
            services.set_breakdown(indicator, [(p["label"], p["target"]) for p in data["parts"]])
        _commit()
        return indicator


@blp.route("/<int:project_id>/indicators/<int:indicator_id>/progress")
class Progress(MethodView):
    @blp.response(200, s.PinProgressSchema(many=True))
    @require("pin.view")
    def get(self, project_id: int, indicator_id: int) -> Any:
        """The progress entries of an indicator, in date order."""
        return _found(services.get_indicator(project_or_404(project_id), indicator_id)).entries

    @blp.arguments(s.PinProgressSchema)
    @blp.response(201, s.PinProgressSchema)
    @require("pin.progress")
    def post(self, data: dict[str, Any], project_id: int, indicator_id: int) -> Any:
        """Record a measured value (optionally for a participating locality and a part)."""
        indicator = _found(services.get_indicator(project_or_404(project_id), indicator_id))
        with domain_errors():
            entry = services.record_progress(
                indicator,
                entry_date=data["entry_date"],
                value=data["value"],
                locality_tenant_id=data.get("locality_tenant_id"),
                part_id=data.get("part_id"),
                evidence=data.get("evidence"),
                user_id=_user_id(),
            )
        _commit()
        return entry


@blp.route("/<int:project_id>/indicators/<int:indicator_id>/progress/<int:entry_id>")
class ProgressItem(MethodView):
    @blp.response(204)
    @require("pin.progress")
    def delete(self, project_id: int, indicator_id: int, entry_id: int) -> None:
        """Delete a progress entry recorded by mistake."""
        indicator = _found(services.get_indicator(project_or_404(project_id), indicator_id))
        db.session.delete(_found(services.get_progress_entry(indicator, entry_id)))
        _commit()


@blp.route("/<int:project_id>/indicators/<int:indicator_id>/progress/<int:entry_id>/attachment")
class ProgressAttachment(MethodView):
    @blp.response(200)
    @require("pin.view")
    def get(self, project_id: int, indicator_id: int, entry_id: int) -> Any:
        """Download the evidence file of a progress entry."""
        indicator = _found(services.get_indicator(project_or_404(project_id), indicator_id))
        entry = _found(services.get_progress_entry(indicator, entry_id))
        if not entry.attachment_path:
            abort(404)
        try:
            path = services.attachment_file(current_app.config["VATRA_FILES"], entry.tenant_id, entry.attachment_path)
        except FileNotFoundError:
            abort(404)
        return send_attachment(path, entry.attachment_name)

    @blp.response(200, s.PinProgressSchema)
    @require("pin.progress")
    def put(self, project_id: int, indicator_id: int, entry_id: int) -> Any:
        """Upload the evidence file (multipart field ``file``), stored in the tenant's folder."""
        indicator = _found(services.get_indicator(project_or_404(project_id), indicator_id))
        entry = _found(services.get_progress_entry(indicator, entry_id))
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            abort(422, errors={"files": {"file": ["Alegeți un fișier."]}})
        try:
            services.attach_to_progress(entry, current_app.config["VATRA_FILES"], upload.filename, upload.read())
        except services.RuleViolation as exc:
            db.session.rollback()
            abort(422, errors={"files": exc.errors})
        _commit()
        return entry


@blp.route("/<int:project_id>/indicator-status")
class IndicatorStatus(MethodView):
    @blp.arguments(s.PinAtQuerySchema, location="query")
    @blp.response(200, s.PinIndicatorStatusSchema(many=True))
    @require("pin.view")
    def get(self, args: dict[str, Any], project_id: int) -> Any:
        """Each indicator's value and status (achieved / on_track / at_risk / behind) at ``?at=YYYY-MM-DD``."""
        project = project_or_404(project_id)
        return services.indicator_statuses(project, args.get("at") or dt.date.today())


# --------------------------------------------------------------------------- reports


@blp.route("/<int:project_id>/reports")
class Reports(MethodView):
    @blp.arguments(s.PinReportRequestSchema)
    @blp.response(202, s.PinJobSchema)
    @require("pin.view")
    def post(self, data: dict[str, Any], project_id: int) -> Any:
        """Start a report job: ``progress_docx`` (Word) or ``financial_xlsx`` (Excel) for a date range."""
        project = project_or_404(project_id)
        job = enqueue(
            REPORT_KINDS[data["kind"]],
            tenant=current_tenant(),
            user=current_user if current_user.is_authenticated else None,
            project_id=project.id,
            start=data["start"].isoformat(),
            end=data["end"].isoformat(),
        )
        return {"id": job.id, "kind": job.kind, "status": getattr(job.status, "value", job.status)}
