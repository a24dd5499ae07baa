"""``/api/v1/t/<tenant>/council``: the consultative council, its members and meetings.

Reading needs ``council.view``; every change ``council.edit``. The council
and its members carry a ``version``: send back the one you read (in the body
or as ``If-Match``) and a change someone saved meanwhile answers 409.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest import abort

from core.access import require
from core.db import db
from core.errors import commit_on_response
from core.web import council_store
from core.web.schemas import CouncilMeetingSchema, CouncilMemberSchema, CouncilSchema

URL_PREFIX = "/council"

blp = ApiBlueprint("api_council", __name__, description="Consiliul comunitar consultativ al instituției.")


def _check_version(obj: Any, data: dict[str, Any]) -> None:
    """409 when the client read another version of ``obj`` than the one saved now (body ``version`` or If-Match)."""
    expected = data.pop("version", None)
    if expected is None:
        header = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
        expected = int(header) if header.isdigit() else None
    if obj is not None and expected is not None and expected != obj.version:
        abort(409)


def _council_or_404() -> Any:
    council = council_store.current_council()
    if council is None:
        abort(404, message="Instituția nu are încă un consiliu consultativ.")
    return council


@blp.route("")
class CouncilResource(MethodView):
    """The tenant's council."""

    @blp.response(200, CouncilSchema)
    @require("council.view")
    def get(self) -> Any:
        """The council with its members and meetings (404 when there is none yet)."""
        return _council_or_404()

    @blp.arguments(CouncilSchema)
    @blp.response(200, CouncilSchema)
    @require("council.edit")
    def put(self, data: dict[str, Any]) -> Any:
        """Create the council or replace its fields (send the ``version`` you read)."""
        _check_version(council_store.current_council(), data)
        council = council_store.save_council(data)
        commit_on_response()
        return council


@blp.route("/members")
class CouncilMembers(MethodView):
    """The council's members."""

    @blp.response(200, CouncilMemberSchema(many=True))
    @require("council.view")
    def get(self) -> Any:
        """List the members in their order."""
        return _council_or_404().members

    @blp.arguments(CouncilMemberSchema)
    @blp.response(201, CouncilMemberSchema)
    @require("council.edit")
    def post(self, data: dict[str, Any]) -> Any:
        """Add a member."""
        data.pop("version", None)
        member = council_store.add_member(_council_or_404(), data)
        commit_on_response()
        return member


@blp.route("/members/<int:member_id>")
class CouncilMemberById(MethodView):
    """One member of the council."""

    @blp.response(200, CouncilMemberSchema)
    @require("council.view")
    def get(self, member_id: int) -> Any:
        """One member."""
        member = council_store.find_member(member_id)
        if member is None:
            abort(404)
        return member

    @blp.arguments(CouncilMemberSchema)
    @blp.response(200, CouncilMemberSchema)
    @require("council.edit")
    def put(self, data: dict[str, Any], member_id: int) -> Any:
        """Replace a member's fields (send the ``version`` you read)."""
        member = council_store.find_member(member_id)
        if member is None:
            abort(404)
        _check_version(member, data)
        council_store.update_member(member, data)
        commit_on_response()
        return member

    @blp.response(204)
    @require("council.edit")
    def delete(self, member_id: int) -> None:
        """Remove a member."""
        member = council_store.find_member(member_id)
        if member is None:
            abort(404)
        db.session.delete(member)
        db.session.commit()


@blp.route("/meetings")
class CouncilMeetings(MethodView):
    """The council's meetings."""

    @blp.response(200, CouncilMeetingSchema(many=True))
    @require("council.view")
    def get(self) -> Any:
        """List the meetings by date."""
        return _council_or_404().meetings

    @blp.arguments(CouncilMeetingSchema)
    @blp.response(201, CouncilMeetingSchema)
    @require("council.edit")
    def post(self, data: dict[str, Any]) -> Any:
        """Record a meeting."""
        meeting = council_store.add_meeting(_council_or_404(), data)
        commit_on_response()
        return meeting


@blp.route("/meetings/<int:meeting_id>")
class CouncilMeetingById(MethodView):
    """One meeting."""

    @blp.response(204)
    @require("council.edit")
    def delete(self, meeting_id: int) -> None:
        """Remove a recorded meeting."""
        meeting = council_store.find_meeting(meeting_id)
        if meeting is None:
            abort(404)
        db.session.delete(meeting)
        db.session.commit()
