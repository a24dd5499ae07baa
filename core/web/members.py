"""Memberships of a tenant: inviting people, removing roles, password resets by an administrator.

Shared by the members pages and the members API. Who may grant what is
:mod:`core.auth.grants`; adding a person is an invitation
(:mod:`core.auth.invitations`) answered the same way whether or not the
e-mail has an account. A removal bites at once: the person's sessions end
and their API tokens for the tenant are revoked.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from core import mail
from core.auth import invitations
from core.auth.grants import OWN_ADMIN_ROLE, grantable, may_grant, may_manage, roles_of_kind
from core.auth.invitations import InvitationError as MemberError
from core.auth.models import Membership, User
from core.auth.resets import MAX_AGE_SECONDS, make_token, revoke_tokens
from core.auth.sessions import end_user_sessions
from core.db import db
from tenants.models import Tenant, TenantKind

__all__ = ["Invited", "MemberError", "invite", "remove_member", "reset_link", "roles_for"]


@dataclass
class Invited:
    """An invitation made: its code (shown once), the link and whether it was e-mailed."""

    invitation: invitations.Invitation
    code: str
    link: str
    mailed: bool


def roles_for(tenant: Tenant, granter: User) -> list[str]:
    """The roles ``granter`` may give in ``tenant``, in the usual order."""
    allowed = grantable(granter, tenant)
    return [r.value for r in roles_of_kind(tenant.kind) if r in allowed]


def memberships(tenant: Tenant) -> list[Membership]:
    """The tenant's memberships, by user name then role."""
    return list(
        db.session.execute(
            sa.select(Membership)
            .join(User, Membership.user_id == User.id)
            .where(Membership.tenant_id == tenant.id)
            .order_by(User.name, User.email, Membership.role)
        ).scalars()
    )


def invitation_link(code: str) -> str:
    """The public page where an invitation is accepted."""
    return url_for("auth.invitation", code=code, _external=True)


def _mail_invitation(invited: invitations.Invitation, link: str, code: str) -> bool:
    if not mail.configured():
        return False
    from core.web.forms import role_label

    with force_locale("ro"):
        body = render_template(
            "mail/invitation.txt", invitation=invited, role=role_label(invited.role), link=link, code=code,
            hours=invitations.VALID_HOURS,
        )
        subject = _("Invitație în Vatra: %(tenant)s", tenant=invited.tenant.display_name)
    return mail.send(invited.email, subject, body)


def invite(tenant: Tenant, email: str, role: str, name: str | None, granter: User) -> Invited:
    """Invite a person to ``role`` in ``tenant`` and e-mail the code when SMTP is configured.

    Commits the invitation before sending, so a mail server's delay never holds a transaction.
    Raises :class:`MemberError` (nothing written).
    """
    issued = invitations.issue(tenant, email, role, name, granter)
    db.session.commit()
    link = invitation_link(issued.code)
    return Invited(issued.invitation, issued.code, link, _mail_invitation(issued.invitation, link, issued.code))


def find_membership(tenant: Tenant, membership_id: int) -> Membership | None:
    """A membership of ``tenant`` by id (None when it belongs elsewhere)."""
    return db.session.execute(
        sa.select(Membership).where(Membership.id == membership_id, Membership.tenant_id == tenant.id)
    ).scalar_one_or_none()


def remove_member(tenant: Tenant, membership: Membership, remover: User, *, keep_last_admin: bool = True) -> None:
    """Remove one membership; the holder's sessions end and their tokens for the tenant are revoked.

    Refused for one's own membership (403), a role ``remover`` could not
    grant (403) and, with ``keep_last_admin``, the tenant's last
    administrator (409). Does not commit.
    """
    if membership.user_id == remover.id:
        raise MemberError(_("Nu vă puteți modifica propriile roluri."), status=403)
    if not may_grant(remover, tenant, membership.role):
        raise MemberError(_("Nu puteți retrage acest rol."), status=403)
    admin = OWN_ADMIN_ROLE[TenantKind(tenant.kind)]
    if keep_last_admin and membership.role == admin:
        admins = db.session.execute(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.tenant_id == tenant.id, Membership.role == admin)
        ).scalar_one()
        if admins <= 1:
            raise MemberError(_("Nu puteți elimina ultimul administrator al instituției."), status=409)
    user_id = membership.user_id
    db.session.delete(membership)
    db.session.flush()
    end_user_sessions(user_id, "membership")
    revoke_tokens(user_id, tenant.id)


@dataclass
class ResetLink:
    """A password link made by an administrator: shown to them once, e-mailed when possible."""

    link: str
    mailed: bool


def reset_link(holder: User, admin: User) -> ResetLink:
    """A one-hour password link for ``holder``, when ``admin`` could grant every one of their memberships.

    Raises :class:`MemberError` (403) otherwise: the holder then uses the
    "forgot password" link, or the operator ``vatra users reset-password``.
    No password is ever shown or set by the administrator.
    """
    if not may_manage(admin, holder):
        raise MemberError(
            _("Nu puteți reseta parola acestui cont: are și roluri pe care nu le puteți acorda."), status=403
        )
    link = url_for("auth.reset", token=make_token(holder), _external=True)
    return ResetLink(link, send_reset_mail(holder, link))


def send_reset_mail(holder: User, link: str, *, in_background: bool = False) -> bool:
    """E-mail a password link to its holder (False when SMTP is not configured or fails).

    ``in_background`` sends from a thread and answers at once (True when a
    message is on its way): the "forgot password" page must take as long for
    an unknown address as for a known one.
    """
    if not mail.configured():
        return False
    with force_locale(holder.locale or "ro"):
        body = render_template("mail/reset.txt", user=holder, link=link, minutes=MAX_AGE_SECONDS // 60)
        subject = _("Vatra: setați o parolă nouă")
    if in_background:
        return mail.send_later(holder.email, subject, body) is not None
    return mail.send(holder.email, subject, body)
