"""The consultative council's pages: read with council.view, change with council.edit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from core.access import require
from core.db import db
from core.web import council_store
from core.web.forms import ActionForm, CouncilForm, CouncilMemberForm, MeetingForm, council_role_label

bp = Blueprint("council", __name__)


def _stale(form: Any, obj: Any) -> bool:
    """Whether ``obj`` was saved by someone else since ``form`` was shown (its hidden ``version``)."""
    raw = str(form.version.data or "").strip()
    if obj is None or not raw.isdigit() or int(raw) == obj.version:
        return False
    flash(_("Obiectul a fost modificat între timp de altcineva. Reîncărcați și încercați din nou."), "error")
    return True


def _council_or_404() -> Any:
    council = council_store.current_council()
    if council is None:
        abort(404)
    return council


@bp.get("/council")
@require("council.view")
def show() -> str:
    """The council, its members and meetings."""
    return render_template(
        "council/show.html",
        council=council_store.current_council(),
        action_form=ActionForm(),
        role_label=council_role_label,
    )


@bp.route("/council/edit", methods=["GET", "POST"])
@require("council.edit")
def edit() -> Any:
    """Create or change the council."""
    council = council_store.current_council()
    form = CouncilForm(obj=council)
    if form.validate_on_submit():
        if _stale(form, council):
            return render_template("council/edit.html", form=form, council=council), 409
        council_store.save_council({k: getattr(form, k).data for k in council_store.COUNCIL_FIELDS})
        db.session.commit()
        flash(_("Datele consiliului au fost salvate."), "success")
        return redirect(url_for("council.show"))
    status = 422 if form.is_submitted() else 200
    return render_template("council/edit.html", form=form, council=council), status


@bp.route("/council/members/new", methods=["GET", "POST"])
@require("council.edit")
def new_member() -> Any:
    """Add a member to the council."""
    council = _council_or_404()
    form = CouncilMemberForm()
    if form.validate_on_submit():
        council_store.add_member(council, {k: getattr(form, k).data for k in council_store.MEMBER_FIELDS})
        db.session.commit()
        flash(_("Membrul a fost adăugat."), "success")
        return redirect(url_for("council.show"))
    status = 422 if form.is_submitted() else 200
    return render_template("council/member.html", form=form, member=None), status


@bp.route("/council/members/<int:member_id>/edit", methods=["GET", "POST"])
@require("council.edit")
def edit_member(member_id: int) -> Any:
    """Change a member of the council."""
    member = council_store.find_member(member_id)
    if member is None:
        abort(404)
    form = CouncilMemberForm(obj=member)
    if not form.is_submitted():
        form.role.data = member.role.value
    if form.validate_on_submit():
        if _stale(form, member):
            return render_template("council/member.html", form=form, member=member), 409
        council_store.update_member(member, {k: getattr(form, k).data for k in council_store.MEMBER_FIELDS})
        db.session.commit()
        flash(_("Datele membrului au fost salvate."), "success")
        return redirect(url_for("council.show"))
    status = 422 if form.is_submitted() else 200
    return render_template("council/member.html", form=form, member=member), status


@bp.post("/council/members/<int:member_id>/delete")
@require("council.edit")
def delete_member(member_id: int) -> Any:
    """Remove a member from the council."""
    member = council_store.find_member(member_id)
    if member is None:
        abort(404)
    if ActionForm().validate_on_submit():
        db.session.delete(member)
        db.session.commit()
        flash(_("Membrul a fost eliminat din consiliu."), "success")
    return redirect(url_for("council.show"))


@bp.route("/council/meetings/new", methods=["GET", "POST"])
@require("council.edit")
def new_meeting() -> Any:
    """Record a meeting of the council."""
    council = _council_or_404()
    form = MeetingForm()
    if form.validate_on_submit():
        council_store.add_meeting(council, {k: getattr(form, k).data for k in council_store.MEETING_FIELDS})
        db.session.commit()
        flash(_("Ședința a fost înregistrată."), "success")
        return redirect(url_for("council.show"))
    status = 422 if form.is_submitted() else 200
    return render_template("council/meeting.html", form=form), status


@bp.post("/council/meetings/<int:meeting_id>/delete")
@require("council.edit")
def delete_meeting(meeting_id: int) -> Any:
    """Remove a recorded meeting."""
    meeting = council_store.find_meeting(meeting_id)
    if meeting is None:
        abort(404)
    if ActionForm().validate_on_submit():
        db.session.delete(meeting)
        db.session.commit()
        flash(_("Ședința a fost ștearsă."), "success")
    return redirect(url_for("council.show"))
