"""The API tokens page: a user's own tokens for this tenant; the secret is shown once."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import require
from core.db import db
from core.web import token_store
from core.web.forms import ActionForm, TokenForm

bp = Blueprint("tokens", __name__)


def _page(form: TokenForm, secret: str | None = None, status: int = 200) -> Any:
    response = make_response(
        render_template(
            "tokens/index.html",
            form=form,
            action_form=ActionForm(),
            tokens=token_store.own_tokens(current_user, g.tenant),
            secret=secret,
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/tokens")
@require("tokens.manage")
def index() -> Any:
    """The user's tokens and the form for a new one."""
    return _page(TokenForm())


@bp.post("/tokens")
@require("tokens.manage")
def create() -> Any:
    """Create a token and show its secret this one time."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    _token, secret = token_store.create_token(current_user, g.tenant, form.name.data or "", form.expires_days.data)
    db.session.commit()
    return _page(TokenForm(formdata=None), secret=secret, status=201)


@bp.post("/tokens/<int:token_id>/revoke")
@require("tokens.manage")
def revoke(token_id: int) -> Any:
    """Revoke one of the user's tokens."""
    token = token_store.find_own_token(current_user, g.tenant, token_id)
    if token is None:
        abort(404)
    if ActionForm().validate_on_submit():
        token_store.revoke(token)
        db.session.commit()
        flash(_("Cheia „%(name)s” a fost revocată.", name=token.name), "success")
    return redirect(url_for("tokens.index"))
