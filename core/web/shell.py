"""What the base layout needs: navigation, tenant switcher, language links.

Everything is computed lazily (the layout calls :func:`layout`), so an error
page rendered while the database is down does not touch it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app, g, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from core.access import has_permission
from core.contrib import NavItem
from core.plugins import host

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"ro": "Română", "hu": "Magyar", "en": "English"}


@dataclass(frozen=True)
class NavLink:
    """A navigation entry ready for the template."""

    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class TenantChoice:
    """A tenant the user may switch to."""

    slug: str
    name: str
    url: str
    current: bool


@dataclass
class Layout:
    """The values of the base layout for one request."""

    tenant: Any = None
    user: Any = None
    docs_url: str | None = None
    navigation: list[NavLink] = field(default_factory=list)
    tenants: list[TenantChoice] = field(default_factory=list)
    languages: list[tuple[str, str, str, bool]] = field(default_factory=list)
    locale: str = "ro"


def N_(text: str) -> str:  # noqa: N802 - the conventional name of gettext's "mark only" keyword
    """Mark ``text`` for extraction; it is translated when shown."""
    return text


def core_navigation(tenant: Any) -> list[NavItem]:
    """The core's own navigation entries (labels are Romanian msgids)."""
    items = [
        NavItem(N_("Panou"), "dashboard.index", "tenant.view", order=0),
        NavItem(N_("Consiliul consultativ"), "council.show", "council.view", order=10),
        NavItem(N_("Lucrări în fundal"), "jobs.index", "jobs.view", order=790),  # shown once core.jobs_web is wired
        NavItem(N_("Jurnal de audit"), "audit_log.index", "audit.view", order=800),
        NavItem(N_("Chei API"), "tokens.index", "tokens.manage", order=810),
        NavItem(N_("Membri"), "admin.members", "tenant.admin", order=820),
        NavItem(N_("Module"), "admin.plugins", "tenant.admin", order=830),
    ]
    if tenant.is_platform:
        items.append(NavItem(N_("Instituții"), "admin.tenants", "platform.admin", order=840))
        items.append(NavItem(N_("Cozi de lucrări"), "jobs_admin.queues", "platform.admin", order=850))
    return items


def plugin_contributions(hook: str, tenant: Any, **kwargs: Any) -> list[tuple[str, Any]]:
    """``[(plugin name, item)]`` from ``hook`` of the plugins enabled for ``tenant``, flattened."""
    return host().collect_enabled(hook, tenant, tenant=tenant, **kwargs)


def allowed(permission: str) -> bool:
    """Whether the current user holds ``permission`` (False for a permission nobody declared)."""
    try:
        return has_permission(permission)
    except KeyError:  # a plugin names a permission nobody declared: hide the entry
        return False


def navigation(tenant: Any, user: Any) -> list[NavLink]:
    """Core and plugin entries for ``user`` in ``tenant``, filtered by permission, in order."""
    items = [(item.order, "", item) for item in core_navigation(tenant)]
    # one plugin's failure only leaves its entries out (the host isolates each implementation)
    contributed = plugin_contributions("vatra_navigation", tenant, user=user)
    items += [(item.order, name, item) for name, item in contributed]
    visible: list[tuple[NavItem, str]] = []
    for _order, _plugin, item in sorted(items, key=lambda t: (t[0], t[1])):
        if not allowed(item.permission):
            continue
        try:
            visible.append((item, url_for(item.endpoint)))
        except (BuildError, KeyError):  # KeyError: the url_defaults of core.access meet an unknown endpoint
            log.warning("navigation entry %s points to an unknown endpoint", item.endpoint)
    blueprints = [item.endpoint.rsplit(".", 1)[0] for item, _url in visible]
    links: list[NavLink] = []
    for (item, url), blueprint in zip(visible, blueprints, strict=True):
        # an entry is current on its own page, and on every page of its blueprint when it is the only entry there
        current = request.endpoint == item.endpoint or (
            request.blueprint == blueprint and blueprints.count(blueprint) == 1
        )
        links.append(NavLink(_(item.label), url, current))
    return links


def tenant_choices(user: Any, tenant: Any) -> list[TenantChoice]:
    """The active tenants where ``user`` holds a membership, by name."""
    seen: dict[int, Any] = {}
    for membership in user.memberships:
        if membership.tenant.active:
            seen.setdefault(membership.tenant_id, membership.tenant)
    current_id = tenant.id if tenant is not None else None
    return [
        TenantChoice(t.slug, t.display_name, url_for("dashboard.index", tenant=t.slug), t.id == current_id)
        for t in sorted(seen.values(), key=lambda t: t.display_name)
    ]


def url_with_lang(code: str) -> str:
    """The current URL with ``?lang=code`` (other query arguments kept)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", code))
    return f"{request.path}?{urlencode(args)}"


def layout(bare: bool = False) -> Layout:
    """Compute (once per request) the values the base layout shows.

    ``bare`` (error pages) leaves out everything that needs the database:
    navigation, tenant switcher and the signed-in user.
    """
    cached = g.get("_vatra_layout")
    if cached is not None:
        return cached
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    result = Layout(locale=locale)
    result.languages = [
        (code, LANGUAGE_NAMES.get(code, code), url_with_lang(code), code == locale)
        for code in current_app.config["LANGUAGES"]
    ]
    try:
        result.docs_url = url_for("api-docs.openapi_swagger_ui")
    except BuildError:
        result.docs_url = None
    if bare:
        return result
    tenant = g.get("tenant")
    result.tenant = tenant
    result.user = current_user if current_user.is_authenticated else None
    if result.user is not None:
        if tenant is not None and g.get("roles"):
            result.navigation = navigation(tenant, current_user)
        result.tenants = tenant_choices(current_user, tenant)
    g._vatra_layout = result
    return result


def is_safe_redirect(target: str | None) -> bool:
    """Whether ``target`` stays on this site: a local path, or an http(s) URL of this very host."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    if not parts.netloc and not parts.scheme:
        return target.startswith("/") and not target.startswith("//")
    return parts.scheme in {"http", "https"} and parts.netloc == request.host


def init_app(app: Flask) -> None:
    """Give the templates the layout and a few helpers."""

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {"layout": layout, "has_permission": allowed, "url_with_lang": url_with_lang}
