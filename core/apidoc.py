"""The REST API root: flask-smorest under ``/api/v1``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Flask
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from core import errors


class VatraApi(Api):
    """flask-smorest's ``Api`` whose errors use the core's one shape everywhere.

    flask-smorest registers its handler for every HTTP error of the app; this
    subclass sends page errors back to the web's templates.
    """

    def handle_http_exception(self, error: HTTPException) -> Any:  # type: ignore[override]
        return errors.handle_http_exception(error)

    def _register_error_handlers(self) -> None:  # the core registers its own
        return None


DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


def decimal_as_string(self: Any, field: ma.fields.Field, ret: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Document a ``Decimal(as_string=True)`` as what it is on the wire: a string of digits.

    apispec calls it a number and writes its bounds as strings, which is no
    valid JSON Schema and does not match the ``"1234.50"`` the API sends.
    """
    if isinstance(field, ma.fields.Decimal) and field.as_string:
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            ret.pop(key, None)
        return {"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN}
    return {}


def make_api(app: Flask) -> VatraApi:
    """Create the API of ``app`` with a bearer-token security scheme documented."""
    api = VatraApi(app, spec_kwargs={"info": {"description": "API-ul platformei Vatra (asistență socială locală)."}})
    api.ma_plugin.converter.add_attribute_function(decimal_as_string)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]
    api.spec.components.security_scheme("cookieAuth", {"type": "apiKey", "in": "cookie", "name": "session"})
    return api
