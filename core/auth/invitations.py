"""Invitations: the only way a person is given a role through the pages or the API.

Adding a member always answers the same way, whether or not the e-mail has
an account: an invitation code valid :data:`VALID_HOURS` hours (only its
SHA-256 is stored). The membership exists once the invitation is accepted:

* a person without an account sets their own password with the code
  (:func:`accept_as_new`);
* a person with an account signs in with their own password and accepts it
  (:func:`accept_as_user`) — the code alone never opens an existing account.

So no administrator ever learns or sets the password of an account that
exists, and an account created through one tenant's invitation gains no
right from another tenant's invitation unless its holder has that code too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from core.auth.grants import may_grant, roles_of_kind
from core.auth.models import Invitation, Membership, Role, User
from core.auth.passwords import hash_password
from core.db import db, utcnow
from tenants.models import Tenant

VALID_HOURS = 72


class InvitationError(ValueError):
    """An invitation that cannot be made or accepted; ``field`` names the culprit (or None)."""

    def __init__(self, message: str, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


@dataclass
class Issued:
    """A new invitation and its code (shown once; only its hash is kept)."""

    invitation: Invitation
    code: str


def hash_code(code: str) -> str:
    """SHA-256 of an invitation code (codes are random, so a fast hash is enough)."""
    return hashlib.sha256(code.strip().encode()).hexdigest()


def normalise_email(email: str) -> str:
    """How e-mail addresses are compared and stored."""
    return email.strip().lower()


def find_user(email: str) -> User | None:
    """The account of an e-mail address, if any."""
    return db.session.execute(
        sa.select(User).where(sa.func.lower(User.email) == normalise_email(email))
    ).scalar_one_or_none()


def issue(tenant: Tenant, email: str, role: str, name: str | None, granter: User) -> Issued:
    """Invite ``email`` to hold ``role`` in ``tenant``, on behalf of ``granter``. Does not commit.

    Raises :class:`InvitationError` for an inactive tenant (409), a role the
    tenant's kind does not have (422), a role ``granter`` may not grant (403),
    one's own e-mail (403: nobody changes their own memberships) or a role
    the person already holds here (409, as the members list shows anyway).
    An earlier open invitation for the same e-mail and role is replaced.
    """
    if not tenant.active:
        raise InvitationError(_("Doar instituțiile active pot avea utilizatori."), status=409)
    if role not in {r.value for r in roles_of_kind(tenant.kind)}:
        raise InvitationError(_("Rolul nu există pentru acest tip de instituție."), "role")
    if not may_grant(granter, tenant, role):
        raise InvitationError(_("Nu puteți acorda acest rol."), "role", status=403)
    email = normalise_email(email)
    if email == normalise_email(granter.email):
        raise InvitationError(_("Nu vă puteți modifica propriile roluri."), "email", status=403)
    holder = find_user(email)
    if holder is not None and Role(role) in holder.roles_in(tenant.id):
        raise InvitationError(_("Persoana are deja acest rol în instituție."), "role", status=409)
    now = utcnow()
    earlier = db.session.execute(
        sa.select(Invitation).where(
            Invitation.tenant_id == tenant.id,
            Invitation.email == email,
            Invitation.role == Role(role),
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ).scalars()
    for old in earlier:
        old.revoked_at = now
    code = secrets.token_urlsafe(24)
    invitation = Invitation(
        tenant_id=tenant.id,
        email=email,
        name=(name or "").strip() or None,
        role=Role(role),
        code_hash=hash_code(code),
        invited_by_id=granter.id,
        created_at=now,
        expires_at=now + dt.timedelta(hours=VALID_HOURS),
    )
    db.session.add(invitation)
    db.session.flush()
    return Issued(invitation, code)


def find_usable(code: str) -> Invitation | None:
    """The open invitation of ``code`` (None when unknown, used, revoked or expired).

    An invitation also lapses when the person who made it may no longer grant
    its role (their own role was taken away in the meantime).
    """
    if not code or len(code) > 200:
        return None
    invitation = db.session.execute(
        sa.select(Invitation).where(Invitation.code_hash == hash_code(code))
    ).scalar_one_or_none()
    if invitation is None or not invitation.usable() or not invitation.tenant.active:
        return None
    inviter = db.session.get(User, invitation.invited_by_id) if invitation.invited_by_id is not None else None
    if inviter is None or not inviter.active or not may_grant(inviter, invitation.tenant, invitation.role):
        return None
    return invitation


def pending(tenant: Tenant) -> list[Invitation]:
    """The tenant's open invitations, newest first."""
    return list(
        db.session.execute(
            sa.select(Invitation)
            .where(
                Invitation.tenant_id == tenant.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        ).scalars()
    )


def find_pending(tenant: Tenant, invitation_id: int) -> Invitation | None:
    """One open invitation of ``tenant`` by id."""
    invitation = db.session.execute(
        sa.select(Invitation).where(Invitation.id == invitation_id, Invitation.tenant_id == tenant.id)
    ).scalar_one_or_none()
    return invitation if invitation is not None and invitation.usable() else None


def revoke(invitation: Invitation) -> None:
    """Withdraw an open invitation. Does not commit."""
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()


def _grant(invitation: Invitation, user: User) -> Membership:
    membership = db.session.execute(
        sa.select(Membership).where(
            Membership.tenant_id == invitation.tenant_id,
            Membership.user_id == user.id,
            Membership.role == invitation.role,
        )
    ).scalar_one_or_none()
    if membership is None:
        membership = Membership(user_id=user.id, tenant_id=invitation.tenant_id, role=invitation.role)
        db.session.add(membership)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    db.session.flush()
    return membership


def accept_as_user(invitation: Invitation, user: User) -> Membership:
    """A signed-in person accepts an invitation addressed to their own e-mail. Does not commit."""
    if normalise_email(user.email) != invitation.email:
        raise InvitationError(_("Invitația este pentru altă adresă de e-mail."), status=403)
    return _grant(invitation, user)


def accept_as_new(invitation: Invitation, name: str, password: str) -> User:
    """Create the invited person's account with the password they chose, and the membership. Does not commit.

    Refused (409) when the e-mail has an account by now: its holder signs in
    and accepts instead.
    """
    if find_user(invitation.email) is not None:
        raise InvitationError(
            _("Există deja un cont cu această adresă: intrați în cont cu parola dumneavoastră, apoi acceptați."),
            status=409,
        )
    user = User(email=invitation.email, name=name.strip() or invitation.email.split("@", 1)[0],
                password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    _grant(invitation, user)
    return user
