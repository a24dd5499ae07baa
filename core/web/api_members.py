"""``/api/v1/t/<tenant>/members``: who holds which role here, and invitations to join (tenant.admin).

Adding a member is an invitation (``POST /members`` answers 201 with a code,
the same way whether or not the e-mail has an account); the membership
exists once the person accepts it. Who may grant what: :mod:`core.auth.grants`.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest import abort

from core import audit
from core.access import require
from core.auth import invitations
from core.db import db
from core.web import members as member_service
from core.web.schemas import (
    InvitationCreatedSchema,
    InvitationSchema,
    MemberCreateSchema,
    MembershipSchema,
    PasswordLinkSchema,
    WithExtra,
)

URL_PREFIX = "/members"

blp = ApiBlueprint("api_members", __name__, description="Membrii instituției, rolurile lor și invitațiile.")


def abort_member_error(exc: member_service.MemberError) -> None:
    """Answer a refused membership change (nothing written)."""
    db.session.rollback()
    if exc.field:
        abort(exc.status, errors={"json": {exc.field: [exc.message]}}, message=exc.message)
    abort(exc.status, message=exc.message)


def invite_answer(tenant: Any, data: dict[str, Any]) -> WithExtra:
    """Invite ``data['email']`` to ``data['role']`` in ``tenant`` on behalf of the caller."""
    try:
        invited = member_service.invite(tenant, data["email"], data["role"], data.get("name"),
                                        current_user._get_current_object())
    except member_service.MemberError as exc:
        abort_member_error(exc)
    return WithExtra(invited.invitation, code=invited.code, link=invited.link, mailed=invited.mailed)


@blp.route("")
class Members(MethodView):
    """The tenant's memberships."""

    @blp.response(200, MembershipSchema(many=True))
    @require("tenant.admin")
    def get(self) -> list[Any]:
        """List the memberships."""
        return member_service.memberships(g.tenant)

    @blp.arguments(MemberCreateSchema)
    @blp.response(201, InvitationCreatedSchema)
    @require("tenant.admin")
    def post(self, data: dict[str, Any]) -> WithExtra:
        """Invite a person to a role: a code valid 72 h, the same answer whether or not they have an account."""
        return invite_answer(g.tenant, data)


@blp.route("/invitations")
class Invitations(MethodView):
    """The tenant's open invitations."""

    @blp.response(200, InvitationSchema(many=True))
    @require("tenant.admin")
    def get(self) -> list[Any]:
        """List the open invitations."""
        return invitations.pending(g.tenant)


@blp.route("/invitations/<int:invitation_id>")
class InvitationById(MethodView):
    """One open invitation."""

    @blp.response(204)
    @require("tenant.admin")
    def delete(self, invitation_id: int) -> None:
        """Withdraw an open invitation."""
        invitation = invitations.find_pending(g.tenant, invitation_id)
        if invitation is None:
            abort(404)
        invitations.revoke(invitation)
        db.session.commit()


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
        """Remove the membership: the person's sessions end and their API tokens here are revoked."""
        membership = member_service.find_membership(g.tenant, membership_id)
        if membership is None:
            abort(404)
        try:
            member_service.remove_member(g.tenant, membership, current_user._get_current_object())
        except member_service.MemberError as exc:
            abort_member_error(exc)
        db.session.commit()


@blp.route("/<int:membership_id>/password-link")
class MemberPasswordLink(MethodView):
    """A password link for the holder of a membership."""

    @blp.response(201, PasswordLinkSchema)
    @require("tenant.admin")
    def post(self, membership_id: int) -> Any:
        """A one-hour, single-use link to set a new password (only for an account whose every role you could grant)."""
        membership = member_service.find_membership(g.tenant, membership_id)
        if membership is None:
            abort(404)
        holder = membership.user
        try:
            made = member_service.reset_link(holder, current_user._get_current_object())
        except member_service.MemberError as exc:
            abort_member_error(exc)
        audit.record_event("password_reset_link", tenant_id=g.tenant.id, entity="user_account", entity_id=holder.id,
                           details={"email": holder.email, "mailed": made.mailed})
        db.session.commit()
        return made
