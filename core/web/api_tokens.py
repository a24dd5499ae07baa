"""``/api/v1/t/<tenant>/tokens``: the caller's API tokens (list, create with the secret shown once, revoke)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import g
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest import abort

from core.access import require
from core.db import db, utcnow
from core.web import token_store
from core.web.schemas import TokenCreatedSchema, TokenCreateSchema, TokenSchema, WithExtra

URL_PREFIX = "/tokens"

blp = ApiBlueprint("api_tokens", __name__, description="Cheile de acces API ale utilizatorului curent.")


@blp.route("")
class Tokens(MethodView):
    """The caller's tokens for this tenant."""

    @blp.response(200, TokenSchema(many=True))
    @require("tokens.manage")
    def get(self) -> list[Any]:
        """List my tokens (never their secrets)."""
        return token_store.own_tokens(current_user, g.tenant)

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenCreatedSchema)
    @require("tokens.manage")
    def post(self, data: dict[str, Any]) -> WithExtra:
        """Create a token; the answer holds its secret, shown this one time.

        Made with a token, the new one may not outlive it (422 on ``expires_days``).
        """
        minting = g.get("api_token")
        if minting is not None:
            latest = minting.expires_at - utcnow()
            if dt.timedelta(days=data["expires_days"]) > latest:
                message = _("O cheie creată cu o cheie nu poate expira după ea: cel mult %(days)d zile.",
                            days=max(latest.days, 0))
                abort(422, errors={"json": {"expires_days": [message]}}, message=message)
        token, secret = token_store.create_token(current_user, g.tenant, data["name"], data["expires_days"])
        db.session.commit()
        return WithExtra(token, secret=secret)


@blp.route("/<int:token_id>")
class TokenById(MethodView):
    """One of the caller's tokens."""

    @blp.response(200, TokenSchema)
    @require("tokens.manage")
    def get(self, token_id: int) -> Any:
        """One of my tokens."""
        token = token_store.find_own_token(current_user, g.tenant, token_id)
        if token is None:
            abort(404)
        return token

    @blp.response(204)
    @require("tokens.manage")
    def delete(self, token_id: int) -> None:
        """Revoke one of my tokens (it answers 401 from then on)."""
        token = token_store.find_own_token(current_user, g.tenant, token_id)
        if token is None:
            abort(404)
        token_store.revoke(token)
        db.session.commit()
