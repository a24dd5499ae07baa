"""``/api/v1/t/<tenant>/tokens``: the caller's API tokens (list, create with the secret shown once, revoke)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest import abort

from core.access import require
from core.db import db
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
        """Create a token; the answer holds its secret, shown this one time."""
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
