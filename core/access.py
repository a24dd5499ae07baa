"""Per-request access: who is asking, in which tenant, with which permission.

Order of checks, before any handler runs:

1. ``<tenant>`` is taken out of the URL values (``/t/<tenant>/…``,
   ``/api/v1/t/<tenant>/…``);
2. the user is known (session or ``Authorization: Bearer`` API token; a
   token only opens its own tenant);
3. the tenant exists, is active and the user holds a membership there —
   otherwise **404**, whatever the reason, so nothing leaks about other
   tenants;
4. the endpoint declared a permission (``@require``) and one of the user's
   roles in the tenant grants it — otherwise 403 (and an audited denial);
   checked before the plugin's enablement, so a locality user who reaches a
   county-only page in their own tenant is told 403, not 404;
5. the endpoint's plugin is enabled for the tenant — otherwise 404.

Then the tenant scope of :mod:`core.tenancy` is entered for the request.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, abort, current_app, g, has_request_context, request
from flask_babel import gettext
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import BadRequest

from core import audit, tenancy
from core.auth.models import ApiToken, Role, User
from core.db import db, utcnow
from core.plugins import host
from tenants.models import Tenant

F = TypeVar("F", bound=Callable[..., Any])

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None
csrf = CSRFProtect()

PERMISSION_ATTR = "_vatra_permission"
CSRF_RERENDER_ATTR = "_vatra_csrf_rerenders"
TENANT_ARG = "tenant"


def require(permission: str) -> Callable[[F], F]:
    """Declare the permission a handler needs in the current tenant.

    ``@require("public")`` marks a handler that needs none (login, health).
    The check itself runs before the handler (see the module docstring); the
    decorator also checks again at call time so a handler cannot be reached
    around the core's ``before_request``.
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if permission != "public":
                check_permission(permission)
            return view(*args, **kwargs)

        setattr(wrapper, PERMISSION_ATTR, permission)
        return wrapper  # type: ignore[return-value]

    return decorate


def csrf_rerenders(view: F) -> F:
    """Mark a page whose form, posted with an expired or missing CSRF token, is shown again with its input.

    Only for a view that validates a Flask-WTF form (``validate_on_submit``)
    before it writes anything: the form's own CSRF check then fails, and the
    view re-renders it (422) with the fields as sent and a fresh token. As a
    safety net, such a request can commit nothing.
    """
    setattr(view, CSRF_RERENDER_ATTR, True)
    return view


def declared_permission(view: Callable[..., Any]) -> str | None:
    """The permission a view function (or each method of a MethodView) declared.

    For a class-based view, the strictest rule is: every HTTP method must
    declare one; the first found is returned and ``None`` when any is missing.
    """
    if hasattr(view, PERMISSION_ATTR):
        return getattr(view, PERMISSION_ATTR)
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return None
    found = None
    for method in getattr(view_class, "methods", None) or []:
        func = getattr(view_class, method.lower(), None)
        perm = getattr(func, PERMISSION_ATTR, None)
        if perm is None:
            return None
        found = found or perm
    return found


def _method_permission() -> str | None:
    if (request.endpoint or "").endswith(".static"):
        return "tenant.view"  # a plugin's own static files: any member of the tenant
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        func = getattr(view_class, request.method.lower(), None)
        if func is None and request.method == "HEAD":
            func = getattr(view_class, "get", None)
        return getattr(func, PERMISSION_ATTR, None)
    return getattr(view, PERMISSION_ATTR, None)


def current_roles() -> set[Role]:
    """The current user's roles in the request's tenant."""
    return set(g.get("roles", set()))


def has_permission(permission: str) -> bool:
    """Whether the current user holds ``permission`` in the request's tenant."""
    if permission == "public":
        return True
    return host().permissions.allows(current_roles(), permission)


def check_permission(permission: str) -> None:
    """Abort with 403 (audited) unless the current user holds ``permission``."""
    if not has_permission(permission):
        deny(403, f"missing permission {permission}")


def deny(status: int, reason: str) -> None:
    """Record a denial in the audit log (committed on its own) and abort."""
    tenant = g.get("tenant")
    user = current_user if current_user and current_user.is_authenticated else None
    try:
        audit.record_event(
            "denied",
            tenant_id=tenant.id if tenant is not None else audit.platform_tenant_id(),
            entity="request",
            entity_id=None,
            details={
                "status": status,
                "reason": reason,
                "path": request.path,
                "method": request.method,
                "user_id": getattr(user, "id", None),
            },
            own_transaction=True,
        )
    finally:
        abort(status)


# -- API tokens ----------------------------------------------------------------------------


def hash_token(secret: str) -> str:
    """SHA-256 of a token secret (tokens are random, so a fast hash is enough)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_secret() -> str:
    """A new token secret, shown once to its owner."""
    return "vt_" + secrets.token_urlsafe(32)


@login_manager.user_loader
def _load_user(session_value: str) -> User | None:
    """The user of a live server-side session (:func:`core.auth.sessions.load_user`)."""
    from core.auth.sessions import load_user

    return load_user(session_value)


def _authenticate_bearer() -> None:
    """A bearer token, when sent, is the only credential of the request (the session is ignored)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return
    token = db.session.execute(
        sa.select(ApiToken)
        .options(joinedload(ApiToken.user).joinedload(User.memberships))
        .where(ApiToken.token_hash == hash_token(header[7:].strip()))
    ).unique().scalar_one_or_none()
    if token is None or not token.usable() or not token.user.active:
        abort(401)
    g.api_token = token
    g._login_user = token.user  # what Flask-Login's current_user returns for this request


@login_manager.unauthorized_handler
def _unauthorized() -> Any:
    if request.path.startswith("/api/"):
        abort(401)
    from flask import redirect, url_for

    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


# -- the request pipeline ---------------------------------------------------------------------


def _pull_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and TENANT_ARG in values:
        g.tenant_slug = values.pop(TENANT_ARG)


def _add_tenant(endpoint: str, values: dict[str, Any]) -> None:
    if TENANT_ARG in values or "tenant" not in g:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, TENANT_ARG):
        values[TENANT_ARG] = g.tenant.slug


def _carries_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_carries_nul(k) or _carries_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_carries_nul(v) for v in value)
    return False


MAX_JSON_DEPTH = 32
"""How deeply a JSON body may nest (the deepest the API reads is a plan's tree, far below)."""

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
"""An ``X-Request-Id`` the platform keeps (what fits the audit's column); any other is replaced by a new one."""


def _request_id() -> str:
    given = request.headers.get("X-Request-Id", "")
    return given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _json_depth(value: Any) -> int:
    """How deeply ``value`` nests, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                break
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _refuse_deep_json() -> None:
    """A JSON body nested deeper than :data:`MAX_JSON_DEPTH`: 400 naming the body, before anything parses it."""
    if not request.is_json:
        return
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # the parser's own recursion limit: certainly too deep
        too_deep = True
    else:
        too_deep = _json_depth(body) > MAX_JSON_DEPTH
    if too_deep:
        message = gettext("Corpul JSON este imbricat prea adânc (cel mult %(depth)s niveluri).", depth=MAX_JSON_DEPTH)
        error = BadRequest(message)
        error.data = {"message": message, "errors": {"json": {"_schema": [message]}}}
        raise error


def _refuse_nul() -> None:
    """A NUL character is no text anyone types, and PostgreSQL refuses it in any string: 400 before it gets there."""
    fields = list(request.args.items(multi=True))
    if request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        fields += list(request.form.items(multi=True))
    if (
        "\x00" in request.path
        or any(_carries_nul(k) or _carries_nul(v) for k, v in fields)
        or (request.is_json and _carries_nul(request.get_json(silent=True)))
    ):
        abort(400, description="Cererea conține caracterul NUL, care nu este permis.")


def _protect_csrf() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, CSRF_RERENDER_ATTR, False):
        csrf.protect()
        return
    try:
        csrf.protect()
    except CSRFError:
        g.csrf_failed = True  # the view's form fails its own CSRF check and is shown again


@sa.event.listens_for(sa.orm.Session, "before_commit")
def _no_commit_without_csrf(session: sa.orm.Session) -> None:
    if has_request_context() and g.get("csrf_failed"):
        raise CSRFError("the form's CSRF token is missing or expired")


def _tenant_of(user: User, slug: str) -> Tenant | None:
    """The tenant ``slug``: from the user's memberships (already loaded with the user), else one query."""
    for membership in user.memberships:
        if membership.tenant.slug == slug:
            return membership.tenant
    return db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()


def _before_request() -> Any:
    g.request_id = _request_id()
    _refuse_deep_json()
    _refuse_nul()
    audit.set_enabled(current_app.config.get("AUDIT_ENABLED", True))  # off only for benchmarks
    _authenticate_bearer()
    user = current_user if current_user.is_authenticated else None
    token = g.get("api_token")
    audit.set_actor(
        audit.Actor(
            user_id=getattr(user, "id", None),
            token_id=getattr(token, "id", None),
            request_id=g.request_id,
            ip=request.remote_addr,
            label=(f"user:{user.email}" if user else "anonymous") + (f" token:{token.prefix}" if token else ""),
        )
    )
    if request.method not in {"GET", "HEAD", "OPTIONS"} and token is None:
        _protect_csrf()
    slug = g.get("tenant_slug")
    if slug is None:
        return None
    if user is None:
        return login_manager.unauthorized()
    tenant = _tenant_of(user, slug)
    if tenant is None or not tenant.active:
        deny(404, "unknown or inactive tenant")
    if token is not None and token.tenant_id != tenant.id:
        deny(404, "token of another tenant")
    roles = user.roles_in(tenant.id)
    if not roles:
        deny(404, "no membership")
    g.tenant = tenant
    g.roles = roles
    permission = _method_permission()
    if permission is None:
        deny(403, "handler declares no permission")
    elif permission != "public":
        check_permission(permission)
    plugins = host()
    owner = plugins.blueprint_owner.get(request.blueprint or "")
    if owner is not None and not plugins.is_enabled(owner, tenant):
        deny(404, f"plugin {owner} disabled")
    g.scope_token = tenancy._scope.set(tenancy.Scope(tenant.id, frozenset({tenant.id})))
    tenancy._apply_to_open_transaction(tenancy.current_scope())
    return None


def _teardown(exc: BaseException | None) -> None:
    token = g.pop("scope_token", None)
    if token is not None:
        tenancy._scope.reset(token)
    audit.set_actor(audit.Actor())  # the request's actor must not outlive it (same thread, next work)


def _mark_token_used(response: Any) -> Any:
    token = g.get("api_token")
    if token is None or response.status_code >= 400:
        return response
    now = utcnow()
    try:  # best effort: a database gone by now must not turn a done request into an error
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            db.session.execute(sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
            db.session.commit()
    except sa.exc.DBAPIError:
        from core.errors import rollback_quietly

        rollback_quietly()
    return response


def init_app(app: Flask) -> None:
    """Install login, CSRF and the tenant pipeline on ``app``."""
    login_manager.init_app(app)
    csrf.init_app(app)
    app.url_value_preprocessor(_pull_tenant)
    app.url_defaults(_add_tenant)
    app.before_request(_before_request)
    app.after_request(_mark_token_used)
    app.teardown_request(_teardown)
