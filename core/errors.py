"""One error shape for the API; friendly pages for the web.

API errors (any path under ``/api/``) answer JSON::

    {"code": 422, "status": "Unprocessable Entity",
     "message": "Datele trimise nu sunt valide.",
     "errors": {"json": {"field": ["reason"]}}}

The same keys are used for 401, 403, 404, 409 and 422 (``errors`` only when
there are field errors).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict, HTTPException, InternalServerError, NotFound, ServiceUnavailable

from core.db import db


def _messages() -> dict[int, str]:
    return {
        400: _("Cererea nu este validă."),
        401: _("Trebuie să vă autentificați."),
        403: _("Nu aveți dreptul să faceți această operațiune."),
        404: _("Pagina sau obiectul cerut nu există."),
        405: _("Metoda nu este permisă."),
        409: _("Obiectul a fost modificat între timp de altcineva. Reîncărcați și încercați din nou."),
        413: _("Fișierul este prea mare."),
        422: _("Datele trimise nu sunt valide."),
        429: _("Prea multe încercări. Așteptați puțin și încercați din nou."),
        500: _("A apărut o eroare neașteptată. Echipa tehnică a fost anunțată."),
        503: _("Serviciul este temporar indisponibil. Încercați din nou în câteva momente."),
    }


def wants_json() -> bool:
    """Whether the current request should get a JSON error."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_body(code: int, message: str | None = None, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    """The API error document."""
    from http import HTTPStatus

    body: dict[str, Any] = {
        "code": code,
        "status": HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else "Error",
        "message": message or _messages().get(code, ""),
    }
    if errors:
        body["errors"] = errors
    return body


def handle_http_exception(exc: HTTPException) -> Any:
    """Render any HTTP error in the API shape or as a page."""
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    errors = data.get("messages") or data.get("errors")
    message = data.get("message") or (exc.description if code in {409, 422} and exc.description else None)
    if code >= 500:
        db.session.rollback()
    if wants_json():
        response = jsonify(error_body(code, message, errors))
        response.status_code = code
        for header, value in (exc.get_headers() if hasattr(exc, "get_headers") else []):
            if header.lower() not in {"content-type", "content-length"}:
                response.headers[header] = value
        return response
    return (
        render_template("errors/error.html", code=code, message=message or _messages().get(code, "")),
        code,
    )


def handle_database_down(exc: DBAPIError) -> Any:
    """A lost database connection answers 503, never a half-done 500."""
    db.session.rollback()
    if "_login_user" not in g:  # the user could not be loaded: render the error page as anonymous
        g._login_user = AnonymousUserMixin()
    if isinstance(exc, OperationalError) or getattr(exc, "connection_invalidated", False):
        return handle_http_exception(ServiceUnavailable())
    return handle_http_exception(InternalServerError())


def handle_stale(exc: StaleDataError) -> Any:
    """Optimistic locking: someone saved the object first; nothing is overwritten."""
    db.session.rollback()
    return handle_http_exception(Conflict())


def handle_tenant_violation(exc: Exception) -> Any:
    """A write aimed outside the request's tenant: refused, never half-done."""
    db.session.rollback()
    return handle_http_exception(NotFound())


def init_app(app: Flask) -> None:
    """Register the handlers on ``app``."""
    from core.tenancy import TenantViolation

    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DBAPIError, handle_database_down)
    app.register_error_handler(StaleDataError, handle_stale)
    app.register_error_handler(TenantViolation, handle_tenant_violation)
