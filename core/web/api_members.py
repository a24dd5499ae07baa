"""``/api/v1/t/<tenant>/members``: who holds which role here (tenant.admin)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest import abort

from core.access import require
from core.db import db
from core.web import members as member_service
from core.web.schemas import MemberCreatedSchema, MemberCreateSchema, MembershipSchema, WithExtra

URL_PREFIX = "/members"

blp = ApiBlueprint("api_members", __name__, description="Membrii instituției și rolurile lor.")


@blp.route("")
class Members(MethodView):
    """The tenant's memberships."""

    @blp.response(200, MembershipSchema(many=True))
    @require("tenant.admin")
    def get(self) -> list[Any]:
        """List the memberships."""
        return member_service.memberships(g.tenant)

    @blp.arguments(MemberCreateSchema)
    @blp.response(201, MemberCreatedSchema)
    @require("tenant.admin")
    def post(self, data: dict[str, Any]) -> WithExtra:
        """Give a person a role; a new user gets a one-time password in this answer only."""
        try:
            added = member_service.add_member(g.tenant, data["email"], data["role"], data.get("name"))
        except member_service.MemberError as exc:
            db.session.rollback()
            if exc.field:
                abort(exc.status, errors={"json": {exc.field: [exc.message]}}, message=exc.message)
            abort(exc.status, message=exc.message)
        db.session.commit()
        return WithExtra(added.membership, new_user=added.new_user, temporary_password=added.temporary_password)


@blp.route("/<int:membership_id>")
class MemberById(MethodView):
    """One membership."""

    @blp.response(200, MembershipSchema)
    @require("tenant.admin")
    def get(self, membership_id: int) -> Any:
        """One membership."""
        membership = member_service.find_membership(g.tenant, membership_id)
        if membership is None:
            abort(404)
        return membership

    @blp.response(204)
    @require("tenant.admin")
    def delete(self, membership_id: int) -> None:
        """Remove the membership; the person loses access on their next request."""
        membership = member_service.find_membership(g.tenant, membership_id)
        if membership is None:
            abort(404)
        try:
            member_service.remove_member(g.tenant, membership)
        except member_service.MemberError as exc:
            db.session.rollback()
            abort(exc.status, message=exc.message)
        db.session.commit()
