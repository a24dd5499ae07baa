"""One error shape for the API; friendly pages for the web.

API errors (any path under ``/api/``) answer JSON::

    {"code": 422, "status": "Unprocessable Entity",
     "message": "Datele trimise nu sunt valide.",
     "errors": {"json": {"field": ["reason"]}}}

The same keys are used for 401, 403, 404, 409 and 422 (``errors`` only when
there are field errors).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, after_this_request, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict, HTTPException, InternalServerError, NotFound, ServiceUnavailable

from core.db import db

log = logging.getLogger(__name__)


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


def rollback_quietly() -> None:
    """Roll the session back; a connection lost with the database is dropped, never raised.

    psycopg finds out only on the ROLLBACK that the server went away; the
    connection is invalidated by then and the second attempt succeeds.
    """
    for _attempt in range(2):
        try:
            db.session.rollback()
            return
        except DBAPIError as exc:
            log.warning("rollback on a lost database connection: %s", exc.orig)
    db.session.registry.clear()


def handle_http_exception(exc: HTTPException) -> Any:
    """Render any HTTP error in the API shape or as a page."""
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    errors = data.get("messages") or data.get("errors")
    described = exc.description and exc.description != type(exc).description  # werkzeug's English default: ours
    message = data.get("message") or (exc.description if code in {409, 422} and described else None)
    if code >= 500:
        rollback_quietly()
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
    rollback_quietly()
    if "_login_user" not in g:  # the user could not be loaded: render the error page as anonymous
        g._login_user = AnonymousUserMixin()
    if isinstance(exc, OperationalError) or getattr(exc, "connection_invalidated", False):
        return handle_http_exception(ServiceUnavailable())
    if isinstance(exc, IntegrityError):  # a concurrent write took the unique slot first (e.g. a value in force)
        return handle_http_exception(Conflict())
    return handle_http_exception(InternalServerError())


def handle_stale(exc: StaleDataError) -> Any:
    """Optimistic locking: someone saved the object first; nothing is overwritten."""
    rollback_quietly()
    return handle_http_exception(Conflict())


def handle_tenant_violation(exc: Exception) -> Any:
    """A write aimed outside the request's tenant: refused, never half-done."""
    rollback_quietly()
    return handle_http_exception(NotFound())


def commit_on_response() -> None:
    """Commit the request's writes once its answer is built, not before.

    Flushes the writes and expires the session's objects, so the answer is
    serialised from what the database now holds (inside the still open
    transaction); the commit follows. Were it the other way round, a
    database lost between the commit and the serialising would answer 503 for
    a write that was saved — and the client's retry would save it twice. A
    failed commit answers 503 with nothing written; an error answer rolls back.
    """
    db.session.flush()
    db.session.expire_all()

    @after_this_request
    def _commit(response: Any) -> Any:
        if response.status_code >= 400:
            rollback_quietly()
            return response
        try:
            db.session.commit()
        except DBAPIError as exc:
            return current_app.make_response(handle_database_down(exc))
        except StaleDataError as exc:  # a change made after the flush above met a concurrent save
            return current_app.make_response(handle_stale(exc))
        return response


def _close_session(exc: BaseException | None) -> None:
    """End the request's session; a connection that died with the database must not turn into a 500."""
    try:
        db.session.remove()
    except DBAPIError as error:
        log.warning("database session closed on a lost connection: %s", error.orig)
        db.session.registry.clear()


def init_app(app: Flask) -> None:
    """Register the handlers on ``app``."""
    from core.tenancy import TenantViolation

    # runs before Flask-SQLAlchemy's own teardown (last registered, first run), which then finds nothing to close
    app.teardown_appcontext(_close_session)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DBAPIError, handle_database_down)
    app.register_error_handler(StaleDataError, handle_stale)
    app.register_error_handler(TenantViolation, handle_tenant_violation)
