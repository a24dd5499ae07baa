"""One error shape for the API; friendly pages for the web.

API errors (any path under ``/api/``) answer JSON::

    {"code": 422, "status": "Unprocessable Entity",
     "message": "Datele trimise nu sunt valide.",
     "errors": {"json": {"field": ["reason"]}}}

The same keys are used for 401, 403, 404, 409 and 422 (``errors`` only when
there are field errors).

The refusals of the domain layers (:mod:`core.domain_errors`: ``Invalid``,
``NotFound``, ``Conflict``, ``StaleVersion``) are mapped here once: the API
answers their status with that document, a page the error page, and a view
that keeps its form on screen puts the field errors next to the fields with
:func:`apply_form_errors`.
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
from core.domain_errors import DomainError

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


def shown_errors(errors: Any) -> Any:
    """Field errors (a mapping of lists, possibly nested) with every message in the reader's language."""
    from core.i18n import translate

    if isinstance(errors, dict):
        return {key: shown_errors(value) for key, value in errors.items()}
    if isinstance(errors, list | tuple):
        return [shown_errors(value) for value in errors]
    if isinstance(errors, str):
        return translate(errors)
    return errors


def handle_domain_error(exc: DomainError) -> Any:
    """A refusal of the domain: its status with the message and field errors (API) or the error page.

    The transaction is rolled back first, so nothing the request wrote before
    the refusal is kept.
    """
    from core.i18n import translate

    rollback_quietly()
    message = translate(exc.message)
    errors = shown_errors(exc.errors)
    if wants_json():
        response = jsonify(error_body(exc.status, message, {exc.location: errors} if errors else None))
        response.status_code = exc.status
        return response
    details = [reason for reasons in errors.values() for reason in _reasons(reasons)]
    return render_template("errors/error.html", code=exc.status, message=message, details=details), exc.status


def _reasons(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [r for v in value.values() for r in _reasons(v)]
    if isinstance(value, list | tuple):
        return [r for v in value for r in _reasons(v)]
    return [str(value)]


def apply_form_errors(form: Any, exc: DomainError, aliases: dict[str, str] | None = None) -> list[str]:
    """Put ``exc``'s field errors (translated) next to the fields of a WTForms ``form``; return the rest.

    A dotted key walks into the form (``"rows.0.value"``: entry 0 of the
    field list ``rows``, its field ``value``); ``aliases`` renames a key's
    first part (``{"values": "rows"}``). What matches no field is returned,
    for the view to flash: the reasons of unknown fields, and the message of
    the refusal when it has no field errors at all.
    """
    from core.i18n import translate

    if not exc.errors:
        return [translate(exc.message)]
    leftovers: list[str] = []
    for key, reasons in exc.errors.items():
        shown = [str(r) for r in _reasons(shown_errors(reasons))]
        for alias, real in (aliases or {}).items():
            if key == alias or key.startswith(alias + "."):
                key = real + key[len(alias) :]
        target: Any = form
        for part in key.split("."):
            if target is None:
                break
            entries = getattr(target, "entries", None)
            if entries is not None:  # a FieldList
                target = entries[int(part)] if part.isdigit() and int(part) < len(entries) else None
            else:  # a form, or a FormField (whose subform holds the fields)
                target = getattr(getattr(target, "form", target), "_fields", {}).get(part)
        if target is None or not hasattr(target, "errors"):
            leftovers.extend(shown)
            continue
        if not isinstance(target.errors, list):
            target.errors = list(target.errors)
        target.errors.extend(shown)
    return leftovers


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
    app.register_error_handler(DomainError, handle_domain_error)
