"""One gettext domain per plugin: each plugin's catalog lives in its own ``translations/`` folder.

A plugin asks the toolkit for its domain::

    from core.toolkit import translation_domain

    _t = translation_domain(__name__)
    _t.gettext("Cantina socială")          # also ngettext, lazy_gettext, N_

Its pages (the templates rendered by its blueprints) translate ``_()`` and
``{% trans %}`` through the same domain. A plugin's domain reads the core's
catalog first and its own over it, so the shell (``base.html``, macros) keeps
its words; the core's own domain reads the core's catalog over every plugin's,
so labels a plugin declares with ``N_`` (navigation, permissions, job kinds,
domain messages) are translated where the core shows them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_babel import Babel, Domain, LazyString, get_babel
from jinja2 import pass_context
from markupsafe import Markup

from core.text import N_

CORE_TRANSLATIONS = Path(__file__).resolve().parent / "translations"
TRANSLATIONS = "translations"


class AppDomain(Domain):
    """The core's default domain, its catalogs cached per app (apps in one process may have other plugins)."""

    def get_translations_cache(self, ctx: Any) -> dict[Any, Any]:
        if not has_app_context():
            return self.cache
        return current_app.extensions.setdefault("vatra_translations_cache", {})


class VatraBabel(Babel):
    """Flask-Babel whose default domain caches per app."""

    @property
    def domain_instance(self) -> Domain:  # type: ignore[override]
        domains = current_app.extensions.setdefault("vatra_default_domain", {})
        if self.domain not in domains:
            domains[self.domain] = AppDomain(domain=self.domain)
        return domains[self.domain]


class PluginDomain(Domain):
    """A plugin's gettext domain: its own catalog over the core's."""

    def __init__(self, folder: Path) -> None:
        super().__init__(translation_directories=[str(CORE_TRANSLATIONS), str(folder)], domain="messages")
        self.folder = folder
        self.N_ = N_

    def lazy_gettext(self, string: str, **variables: Any) -> LazyString:  # type: ignore[override]
        """``gettext`` when the string is shown (module-level labels, form fields)."""
        return LazyString(self.gettext, string, **variables)

    def template_callables(self) -> dict[str, Any]:
        """``gettext`` and ``ngettext`` for Jinja's i18n extension (new style: autoescape, ``%`` formatting)."""
        domain = self

        @pass_context
        def gettext(__context: Any, __string: str, **variables: Any) -> str:
            text = domain.get_translations().ugettext(__string)
            if __context.eval_ctx.autoescape:
                text = Markup(text)  # noqa: S704 - the catalog's text; Markup % escapes the variables (as Jinja does)
            return text % variables

        @pass_context
        def ngettext(__context: Any, __singular: str, __plural: str, __num: int, **variables: Any) -> str:
            variables.setdefault("num", __num)
            text = domain.get_translations().ungettext(__singular, __plural, __num)
            if __context.eval_ctx.autoescape:
                text = Markup(text)  # noqa: S704 - the catalog's text; Markup % escapes the variables (as Jinja does)
            return text % variables

        return {"gettext": gettext, "ngettext": ngettext}


_domains: dict[Path, PluginDomain] = {}


def _package_folder(module_name: str) -> Path | None:
    """The folder of the innermost package of ``module_name`` that has a ``translations/`` folder."""
    parts = module_name.split(".")
    for end in range(len(parts), 0, -1):
        module = sys.modules.get(".".join(parts[:end]))
        paths = getattr(module, "__path__", None)
        if paths:
            folder = Path(next(iter(paths)))
            if (folder / TRANSLATIONS).is_dir():
                return folder
    return None


def translation_domain(module_name: str) -> PluginDomain:
    """The gettext domain of the plugin that holds module ``module_name`` (pass ``__name__``).

    The plugin's catalog is ``<package>/translations/<lang>/LC_MESSAGES/messages.mo``.
    """
    folder = _package_folder(module_name)
    if folder is None:
        raise LookupError(f"{module_name}: no package above it has a {TRANSLATIONS}/ folder")
    return domain_for(folder)


def domain_for(package_folder: Path) -> PluginDomain:
    """The domain of the plugin package in ``package_folder`` (made once per process)."""
    key = package_folder.resolve()
    if key not in _domains:
        _domains[key] = PluginDomain(key / TRANSLATIONS)
    return _domains[key]


def install(app: Flask, plugins: Iterable[tuple[str, Path]]) -> None:
    """Wire the plugins' catalogs into ``app``: the core's domain falls back on them, their pages use theirs.

    ``plugins`` are ``(plugin name, package folder)`` of the registered plugins.
    """
    owned: dict[str, PluginDomain] = {}
    folders = []
    for name, folder in plugins:
        if (folder / TRANSLATIONS).is_dir():
            owned[name] = domain_for(folder)
            folders.append(str(folder / TRANSLATIONS))
    config = get_babel(app)
    config.translation_directories = [*folders, *config.translation_directories]  # the core's last: it wins
    app.extensions["vatra_translation_domains"] = owned
    host = app.extensions["vatra_plugins"]

    @app.context_processor
    def _plugin_gettext() -> dict[str, Any]:
        owner = host.blueprint_owner.get(request.blueprint or "") if has_request_context() else None
        domain = owned.get(owner) if owner else None
        return domain.template_callables() if domain else {}
