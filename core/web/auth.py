"""Signing in and out, lost passwords, invitations, and the home page that leads to one's tenants.

Failed sign-ins are throttled by Flask-Limiter per (account, address)
(``LOGIN_RATE_LIMIT``) and, more loosely, per address
(``LOGIN_ADDRESS_RATE_LIMIT``); a successful sign-in never counts, and no
account is ever locked for everyone (anyone could lock out a known e-mail).
Every attempt, good or bad, is written to the audit log. The password page
(``/account/password``) is throttled per address and per user (a stolen
session guessing the current password from many addresses) and audited the
same way. A signed-in browser is a server-side session record
(:mod:`core.auth.sessions`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user

from core import audit, mail
from core.access import csrf_rerenders, require
from core.auth import invitations
from core.auth.models import User
from core.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from core.auth.resets import make_token, set_password, user_for_token
from core.auth.sessions import current_session_id, end_session, sign_in
from core.db import db, utcnow
from core.ratelimit import limiter
from core.web import members as member_service
from core.web.forms import (
    AcceptInvitationForm,
    ActionForm,
    CodeForm,
    ForgotForm,
    LanguageForm,
    LoginForm,
    NewPasswordForm,
    PasswordForm,
    role_label,
)
from core.web.shell import is_safe_redirect

bp = Blueprint("auth", __name__)

# Verifying against this hash when the e-mail is unknown keeps the answer time the same.
_DUMMY_HASH: list[str] = []


def login_rate_limit() -> str:
    """The app's throttle of failed sign-ins per (account, address), e.g. ``"5 per minute"``."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def login_address_rate_limit() -> str:
    """The app's looser throttle of failed sign-ins per address, whatever the account."""
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _account_and_address() -> str:
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"{email}|{get_remote_address()}"


def _failed(response: Any) -> bool:
    """Only failures count against a throttle (set by the view: a good password never counts)."""
    return bool(g.get("attempt_failed"))


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password("vatra-no-such-user"))
    return _DUMMY_HASH[0]


def _actor_for(user: User) -> audit.Actor:
    return audit.Actor(
        user_id=user.id,
        request_id=g.get("request_id"),
        ip=request.remote_addr,
        label=f"user:{user.email}",
    )


def _record_login(user: User) -> None:
    tenant_ids = sorted({m.tenant_id for m in user.memberships}) or [audit.platform_tenant_id()]
    with audit.acting_as(_actor_for(user)):
        for tenant_id in tenant_ids:
            audit.record_event(
                "login",
                tenant_id=tenant_id,
                entity="user_account",
                entity_id=user.id,
                details={"email": user.email},
                own_transaction=True,
            )


def _record_failure(email: str, reason: str) -> None:
    audit.record_event(
        "login_failed",
        tenant_id=audit.platform_tenant_id(),
        entity="user_account",
        details={"email": email[:254], "reason": reason},
        own_transaction=True,
    )


def _authenticate(email: str, password: str) -> User | None:
    user = db.session.execute(
        sa.select(User).where(sa.func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        verify_password(_dummy_hash(), password)
        _record_failure(email, "unknown e-mail")
        return None
    if not verify_password(user.password_hash, password):
        _record_failure(email, "wrong password")
        return None
    if not user.active:
        _record_failure(email, "inactive user")
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
@require("public")
@limiter.limit(login_rate_limit, methods=["POST"], key_func=_account_and_address, deduct_when=_failed)
@limiter.limit(login_address_rate_limit, methods=["POST"], deduct_when=_failed)
@csrf_rerenders
def login() -> Any:
    """Show the login form; sign in on a good e-mail and password."""
    form = LoginForm()
    if request.method == "GET":
        target = request.args.get("next", "")
        if current_user.is_authenticated:
            return redirect(target if is_safe_redirect(target) else url_for("auth.home"))
        form.next.data = target
    if form.validate_on_submit():
        user = _authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data or "")
            user.last_login_at = utcnow()
            sign_in(user)
            with audit.acting_as(_actor_for(user)):
                db.session.commit()
            _record_login(user)
            target = form.next.data
            return redirect(target if is_safe_redirect(target) else url_for("auth.home"))
        g.attempt_failed = True
        flash(_("Adresa de e-mail sau parola nu este corectă."), "error")
        return render_template("auth/login.html", form=form), 200
    if request.method == "POST":
        g.attempt_failed = True
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@require("public")
def logout() -> Any:
    """Sign out (a POST with a CSRF token, so no page can sign a user out by a link); the session record ends."""
    form = ActionForm()
    if form.validate_on_submit():
        end_session(current_session_id(), "logout")
        db.session.commit()
        logout_user()
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_("V-ați deconectat."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/")
@require("public")
@login_required
def home() -> Any:
    """The user's tenants; straight to the tenant when there is only one."""
    rows: dict[int, dict[str, Any]] = {}
    for membership in current_user.memberships:
        tenant = membership.tenant
        if not tenant.active:
            continue
        row = rows.setdefault(tenant.id, {"tenant": tenant, "roles": []})
        row["roles"].append(role_label(membership.role))
    choices = sorted(rows.values(), key=lambda r: r["tenant"].display_name)
    if len(choices) == 1:
        return redirect(url_for("dashboard.index", tenant=choices[0]["tenant"].slug))
    return render_template("auth/home.html", choices=choices)


@bp.route("/account/language", methods=["GET", "POST"])
@require("public")
@login_required
def language() -> Any:
    """The user's language (Romanian, Hungarian or English), kept on the account.

    Saving it also drops the session's ``?lang=`` choice, so the account's
    language applies at once, here and on every later sign-in.
    """
    form = LanguageForm()
    if request.method == "GET":
        form.locale.data = current_user.locale if current_user.locale in current_app.config["LANGUAGES"] else "ro"
    elif form.validate_on_submit():
        current_user.locale = form.locale.data
        db.session.commit()
        session.pop("lang", None)
        flash(_("Limba a fost salvată."), "success")
        return redirect(url_for("auth.language"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/language.html", form=form), status


@bp.route("/account/password", methods=["GET", "POST"])
@require("public")
@login_required
@limiter.limit(login_rate_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(login_rate_limit, methods=["POST"], key_func=lambda: f"user:{current_user.id}", deduct_when=_failed)
@csrf_rerenders
def password() -> Any:
    """Change one's own password: the current one must verify, the new one is hashed with argon2.

    Every session of the user ends (this browser gets a new one) and their API
    tokens are revoked. The change is audited by the ORM listener
    (``password_hash`` redacted); a wrong current password is audited as
    ``password_change_failed``.
    """
    form = PasswordForm()
    if form.validate_on_submit():
        user: User = current_user._get_current_object()
        if verify_password(user.password_hash, form.current_password.data or ""):
            set_password(user, form.new_password.data or "")
            sign_in(user)
            db.session.commit()
            flash(_("Parola a fost schimbată. Celelalte sesiuni și cheile de acces API au fost închise."),
                  "success")
            return redirect(url_for("auth.password"))
        g.attempt_failed = True
        audit.record_event(
            "password_change_failed",
            tenant_id=audit.platform_tenant_id(),
            entity="user_account",
            entity_id=user.id,
            details={"email": user.email, "reason": "wrong current password"},
            own_transaction=True,
        )
        form.current_password.errors.append(_("Parola actuală nu este corectă."))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form, min_length=MIN_PASSWORD_LENGTH), status


# -- lost passwords --------------------------------------------------------------------------


@bp.route("/account/forgot", methods=["GET", "POST"])
@require("public")
@limiter.limit(login_rate_limit, methods=["POST"], key_func=_account_and_address)
@limiter.limit(login_address_rate_limit, methods=["POST"])
@csrf_rerenders
def forgot() -> Any:
    """Ask for a password link by e-mail: the same answer whether or not the address has an account."""
    form = ForgotForm()
    if not mail.configured():  # nothing to send: the page says whom to ask
        return render_template("auth/forgot.html", form=form, mail_configured=False), (
            422 if request.method == "POST" else 200
        )
    if form.validate_on_submit():
        user = invitations.find_user(form.email.data or "")
        if user is not None and user.active:
            link = url_for("auth.reset", token=make_token(user), _external=True)
            member_service.send_reset_mail(user, link, in_background=True)
            audit.record_event("password_reset_requested", tenant_id=audit.platform_tenant_id(),
                               entity="user_account", entity_id=user.id, details={"email": user.email},
                               own_transaction=True)
        flash(_("Dacă adresa are un cont, am trimis la ea o legătură pentru o parolă nouă, valabilă o oră."),
              "info")
        return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/forgot.html", form=form, mail_configured=True), status


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
@require("public")
@limiter.limit(login_address_rate_limit, methods=["POST"])
def reset(token: str) -> Any:
    """Set a new password with a one-hour, single-use link; every session and API token of the account ends."""
    user = user_for_token(token)
    if user is None:
        return render_template("auth/reset.html", form=None), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        set_password(user, form.new_password.data or "")
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
            session.clear()
        flash(_("Parola a fost setată. Intrați în cont cu parola nouă."), "success")
        return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/reset.html", form=form, user=user, min_length=MIN_PASSWORD_LENGTH), status


# -- invitations -----------------------------------------------------------------------------


@bp.route("/invitation", methods=["GET", "POST"])
@require("public")
@limiter.limit(login_address_rate_limit, methods=["POST"], deduct_when=_failed)
def invitation() -> Any:
    """Accept an invitation: a new person sets their own password; an account holder signs in first.

    The code travels in the query string of the e-mailed link (``?code=``) or
    is typed in. The code alone never opens an existing account.
    """
    code = (request.values.get("code") or "").strip()
    found = invitations.find_usable(code) if code else None
    if found is None:
        if code:
            g.attempt_failed = True
        status = 404 if code else 200
        return render_template("auth/invitation.html", invitation=None, code_form=CodeForm(formdata=None),
                               bad_code=bool(code)), status
    holder = invitations.find_user(found.email)
    me = current_user if current_user.is_authenticated else None
    context: dict[str, Any] = {"invitation": found, "code": code, "role": role_label(found.role)}
    if holder is not None or me is not None:
        form = ActionForm()
        if me is not None and form.validate_on_submit():
            try:
                invitations.accept_as_user(found, me)
            except invitations.InvitationError as exc:
                db.session.rollback()
                flash(exc.message, "error")
                return render_template("auth/invitation.html", **context, form=form, me=me), exc.status
            db.session.commit()
            flash(_("Aveți acum rolul „%(role)s” la %(tenant)s.", role=context["role"],
                    tenant=found.tenant.display_name), "success")
            return redirect(url_for("auth.home"))
        status = 422 if request.method == "POST" else 200
        return render_template("auth/invitation.html", **context, form=form, me=me), status
    form = AcceptInvitationForm()
    if request.method == "GET":
        form.name.data = found.name or ""
    if form.validate_on_submit():
        user = invitations.accept_as_new(found, form.name.data or "", form.new_password.data or "")
        sign_in(user)
        with audit.acting_as(_actor_for(user)):
            db.session.commit()
        _record_login(user)
        flash(_("Bun venit! Aveți acum rolul „%(role)s” la %(tenant)s.", role=context["role"],
                tenant=found.tenant.display_name), "success")
        return redirect(url_for("auth.home"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/invitation.html", **context, form=form, new_account=True,
                           min_length=MIN_PASSWORD_LENGTH), status
