"""Administration pages: a tenant's members and plugins; the platform's tenants."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from core import audit, mail
from core.access import csrf_rerenders, require
from core.auth import invitations
from core.auth.grants import may_grant, may_manage
from core.auth.models import User
from core.db import clamp_page, db
from core.plugins import host
from core.web import members as member_service
from core.web import tenant_search
from core.web.forms import ActionForm, MemberForm, TenantSearchForm, role_label
from core.web.shell import is_safe_redirect
from tenants.models import Tenant

bp = Blueprint("admin", __name__)

TENANTS_PAGE_SIZE = 50


# -- members ---------------------------------------------------------------------------------


def _me() -> User:
    return current_user._get_current_object()


def _member_context(tenant: Tenant) -> dict[str, Any]:
    me = _me()
    rows = member_service.memberships(tenant)
    return {
        "action_form": ActionForm(),
        "memberships": rows,
        "invitations": invitations.pending(tenant),
        "resettable": {ms.id for ms in rows if may_manage(me, ms.user)},
        "removable": {ms.id for ms in rows if ms.user_id != me.id and may_grant(me, tenant, ms.role)},
        "role_label": role_label,
        "mail_configured": mail.configured(),
    }


def _members_page(form: MemberForm, status: int = 200, **notice: Any) -> Any:
    response = make_response(
        render_template("admin/members.html", form=form, **_member_context(g.tenant), **notice), status
    )
    response.headers["Cache-Control"] = "no-store"  # an invitation code or a password link may be on it
    return response


def _member_form(tenant: Tenant, **kwargs: Any) -> MemberForm:
    return MemberForm(roles=member_service.roles_for(tenant, _me()), **kwargs)


def _invite_from(form: MemberForm, tenant: Tenant) -> member_service.Invited:
    return member_service.invite(tenant, form.email.data or "", form.role.data, form.name.data, _me())


def _form_error(form: MemberForm, exc: member_service.MemberError) -> None:
    db.session.rollback()
    if exc.field and hasattr(form, exc.field):
        getattr(form, exc.field).errors = [exc.message]
    else:
        flash(exc.message, "error")


@bp.get("/admin/members")
@require("tenant.admin")
def members() -> Any:
    """The tenant's members, open invitations and the form to invite someone."""
    return _members_page(_member_form(g.tenant))


@bp.post("/admin/members")
@require("tenant.admin")
@csrf_rerenders
def add_member() -> Any:
    """Invite a person to a role here: the same answer whether or not the e-mail has an account."""
    form = _member_form(g.tenant)
    if not form.validate_on_submit():
        return _members_page(form, 422)
    try:
        invited = _invite_from(form, g.tenant)
    except member_service.MemberError as exc:
        _form_error(form, exc)
        return _members_page(form, exc.status)
    # shown once, on this response only; never stored nor redirected through the session
    return _members_page(_member_form(g.tenant, formdata=None), 201, invited=invited)


@bp.post("/admin/members/<int:membership_id>/remove")
@require("tenant.admin")
def remove_member(membership_id: int) -> Any:
    """Remove one membership; the person's sessions end and their tokens here are revoked."""
    membership = member_service.find_membership(g.tenant, membership_id)
    if membership is None:
        abort(404)
    if ActionForm().validate_on_submit():
        email, role = membership.user.email, role_label(membership.role)
        try:
            member_service.remove_member(g.tenant, membership, _me())
        except member_service.MemberError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("admin.members"))
        db.session.commit()
        flash(_("%(email)s nu mai are rolul „%(role)s”.", email=email, role=role), "success")
    return redirect(url_for("admin.members"))


@bp.post("/admin/members/<int:membership_id>/reset-password")
@require("tenant.admin")
def reset_member_password(membership_id: int) -> Any:
    """A one-hour password link for a member whose every role this administrator could grant."""
    membership = member_service.find_membership(g.tenant, membership_id)
    if membership is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("admin.members"))
    holder = membership.user
    try:
        made = member_service.reset_link(holder, _me())
    except member_service.MemberError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.members"))
    audit.record_event("password_reset_link", tenant_id=g.tenant.id, entity="user_account", entity_id=holder.id,
                       details={"email": holder.email, "mailed": made.mailed})
    db.session.commit()
    return _members_page(_member_form(g.tenant, formdata=None), reset=(holder.email, made))


@bp.post("/admin/invitations/<int:invitation_id>/revoke")
@require("tenant.admin")
def revoke_invitation(invitation_id: int) -> Any:
    """Withdraw an open invitation of this tenant."""
    invitation = invitations.find_pending(g.tenant, invitation_id)
    if invitation is None:
        abort(404)
    if ActionForm().validate_on_submit():
        if not may_grant(_me(), g.tenant, invitation.role):
            flash(_("Nu puteți retrage acest rol."), "error")
            return redirect(url_for("admin.members"))
        invitations.revoke(invitation)
        db.session.commit()
        flash(_("Invitația pentru %(email)s a fost retrasă.", email=invitation.email), "success")
    return redirect(url_for("admin.members"))


# -- plugins ---------------------------------------------------------------------------------


def plugin_rows(tenant: Tenant) -> list[dict[str, Any]]:
    """Every installed plugin with its metadata and whether it is on for ``tenant``."""
    plugins = host()
    enabled = set(plugins.enabled_for(tenant))
    return [
        {
            "name": name,
            "label": loaded.info.label,
            "version": loaded.info.version,
            "description": loaded.info.description,
            "enabled": name in enabled,
        }
        for name, loaded in sorted(plugins.plugins.items(), key=lambda nl: nl[1].info.label)
    ]


@bp.get("/admin/plugins")
@require("tenant.admin")
def plugins() -> Any:
    """The installed plugins, on or off for this tenant."""
    return render_template(
        "admin/plugins.html", plugins=plugin_rows(g.tenant), failed=host().failed, action_form=ActionForm()
    )


@bp.post("/admin/plugins/<name>")
@require("tenant.admin")
def toggle_plugin(name: str) -> Any:
    """Switch a plugin on or off for this tenant (its data stays)."""
    plugins = host()
    if name not in plugins.plugins:
        abort(404)
    if ActionForm().validate_on_submit():
        enable = request.form.get("enabled") == "1"
        plugins.set_enabled(name, g.tenant, enable)
        db.session.commit()
        label = plugins.plugins[name].info.label
        message = _("Modulul „%(label)s” este activat.", label=label) if enable else _(
            "Modulul „%(label)s” este dezactivat.", label=label
        )
        flash(message, "success")
    return redirect(url_for("admin.plugins"))


# -- tenants of the platform ----------------------------------------------------------------------


def _platform_only() -> None:
    if not g.tenant.is_platform:
        abort(404)


def _page_number() -> int:
    try:
        return clamp_page(int(request.args.get("page", "1")))
    except ValueError:
        return 1


@bp.get("/admin/tenants")
@require("platform.admin")
def tenants() -> Any:
    """Search the counties and localities; filter by county, kind and state."""
    _platform_only()
    counties = tenant_search.counties()
    form = TenantSearchForm(formdata=MultiDict(request.args), counties=[(str(c.id), c.display_name) for c in counties])
    status = 200
    flt = tenant_search.TenantFilter()
    if request.args and not form.validate():
        status = 422
    else:
        flt = tenant_search.TenantFilter(
            q=form.q.data or None,
            county_id=int(form.county.data) if form.county.data else None,
            kind=form.kind.data or None,
            active={"1": True, "0": False}.get(form.active.data or ""),
        )
    query = tenant_search.tenant_select(flt)
    number = _page_number()
    page = db.paginate(query, page=number, per_page=TENANTS_PAGE_SIZE, error_out=False)
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in {"page", "lang", "submit"}]
    return (
        render_template(
            "admin/tenants.html", form=form, page=page, kept_args=kept, action_form=ActionForm(),
            next_url=request.full_path if request.query_string else request.path,
        ),
        status,
    )


@bp.post("/admin/tenants/<int:tenant_id>/active")
@require("platform.admin")
def set_tenant_active(tenant_id: int) -> Any:
    """Activate or deactivate a tenant (never the platform itself)."""
    _platform_only()
    target = db.session.get(Tenant, tenant_id)
    if target is None:
        abort(404)
    back = request.form.get("next") or ""
    back = back if is_safe_redirect(back) else url_for("admin.tenants")
    if not ActionForm().validate_on_submit():
        return redirect(back)
    if target.is_platform:
        flash(_("Platforma nu poate fi dezactivată."), "error")
        return redirect(back)
    activate = request.form.get("active") == "1"
    tenant_search.set_active(target, activate)
    db.session.commit()
    current_app.logger.info("tenant %s %s", target.slug, "activated" if activate else "deactivated")
    message = _("%(name)s este activă.", name=target.display_name) if activate else _(
        "%(name)s este inactivă.", name=target.display_name
    )
    flash(message, "success")
    return redirect(back)


def _target_or_404(tenant_id: int) -> Tenant:
    _platform_only()
    target = db.session.get(Tenant, tenant_id)
    if target is None:
        abort(404)
    return target


def _tenant_page(target: Tenant, form: MemberForm | None = None, status: int = 200, **notice: Any) -> Any:
    response = make_response(
        render_template(
            "admin/tenant.html",
            target=target,
            form=form or _member_form(target, formdata=None),
            plugins=plugin_rows(target),
            **_member_context(target),
            **notice,
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/admin/tenants/<int:tenant_id>")
@require("platform.admin")
def tenant_detail(tenant_id: int) -> Any:
    """One tenant as the operator manages it: state, plugins, people."""
    return _tenant_page(_target_or_404(tenant_id))


@bp.post("/admin/tenants/<int:tenant_id>/members")
@require("platform.admin")
@csrf_rerenders
def tenant_add_member(tenant_id: int) -> Any:
    """Invite a person to a role in the tenant (typically its first administrator)."""
    target = _target_or_404(tenant_id)
    form = _member_form(target)
    if not form.validate_on_submit():
        return _tenant_page(target, form, 422)
    try:
        invited = _invite_from(form, target)
    except member_service.MemberError as exc:
        _form_error(form, exc)
        return _tenant_page(target, form, exc.status)
    return _tenant_page(target, status=201, invited=invited)


@bp.post("/admin/tenants/<int:tenant_id>/members/<int:membership_id>/remove")
@require("platform.admin")
def tenant_remove_member(tenant_id: int, membership_id: int) -> Any:
    """Remove one membership of the tenant (the operator may remove its last administrator)."""
    target = _target_or_404(tenant_id)
    membership = member_service.find_membership(target, membership_id)
    if membership is None:
        abort(404)
    if ActionForm().validate_on_submit():
        email, role = membership.user.email, role_label(membership.role)
        try:
            member_service.remove_member(target, membership, _me(), keep_last_admin=False)
        except member_service.MemberError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("admin.tenant_detail", tenant_id=target.id))
        db.session.commit()
        flash(_("%(email)s nu mai are rolul „%(role)s”.", email=email, role=role), "success")
    return redirect(url_for("admin.tenant_detail", tenant_id=target.id))


@bp.post("/admin/tenants/<int:tenant_id>/plugins/<name>")
@require("platform.admin")
def tenant_toggle_plugin(tenant_id: int, name: str) -> Any:
    """Switch a plugin on or off for the tenant."""
    target = _target_or_404(tenant_id)
    plugins = host()
    if name not in plugins.plugins:
        abort(404)
    if ActionForm().validate_on_submit():
        enable = request.form.get("enabled") == "1"
        plugins.set_enabled(name, target, enable)
        db.session.commit()
        label = plugins.plugins[name].info.label
        message = _("Modulul „%(label)s” este activat.", label=label) if enable else _(
            "Modulul „%(label)s” este dezactivat.", label=label
        )
        flash(message, "success")
    return redirect(url_for("admin.tenant_detail", tenant_id=target.id))
