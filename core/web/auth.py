"""Signing in and out, and the home page that leads to one's tenants.

The login form is throttled by Flask-Limiter (``LOGIN_RATE_LIMIT`` of the
app, read at request time so every app instance uses its own setting);
every attempt, good or bad, is written to the audit log. The password page
(``/account/password``) is throttled per address and per user (a stolen
session guessing the current password from many addresses) and audited the
same way.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from core import audit
from core.access import require
from core.auth.models import User
from core.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from core.db import db, utcnow
from core.ratelimit import limiter
from core.web.forms import ActionForm, LanguageForm, LoginForm, PasswordForm, role_label
from core.web.shell import is_safe_redirect

bp = Blueprint("auth", __name__)

# Verifying against this hash when the e-mail is unknown keeps the answer time the same.
_DUMMY_HASH: list[str] = []


def login_rate_limit() -> str:
    """The app's login throttle, e.g. ``"5 per minute"``."""
    return current_app.config["LOGIN_RATE_LIMIT"]


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
@limiter.limit(login_rate_limit, methods=["POST"])
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
            with audit.acting_as(_actor_for(user)):
                db.session.commit()
            _record_login(user)
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            login_user(user)
            target = form.next.data
            return redirect(target if is_safe_redirect(target) else url_for("auth.home"))
        flash(_("Adresa de e-mail sau parola nu este corectă."), "error")
        return render_template("auth/login.html", form=form), 200
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@require("public")
def logout() -> Any:
    """Sign out (a POST with a CSRF token, so no page can sign a user out by a link)."""
    form = ActionForm()
    if form.validate_on_submit():
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
@limiter.limit(login_rate_limit, methods=["POST"])
@limiter.limit(login_rate_limit, methods=["POST"], key_func=lambda: f"user:{current_user.id}")
def password() -> Any:
    """Change one's own password: the current one must verify, the new one is hashed with argon2.

    The change is audited by the ORM listener (``password_hash`` redacted);
    a wrong current password is audited as ``password_change_failed``.
    """
    form = PasswordForm()
    if form.validate_on_submit():
        user: User = current_user._get_current_object()
        if verify_password(user.password_hash, form.current_password.data or ""):
            user.password_hash = hash_password(form.new_password.data or "")
            db.session.commit()
            login_user(user)  # this session carries the new key; every other one of the user's is signed out
            flash(_("Parola a fost schimbată. Celelalte sesiuni deschise cu vechea parolă au fost închise."),
                  "success")
            return redirect(url_for("auth.password"))
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
