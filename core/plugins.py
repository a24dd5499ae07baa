"""The plugin host: one pluggy manager per app, discovery, enablement.

Plugins are found through the ``vatra.plugins`` entry-point group (the
built-in ones are declared in setup.cfg exactly like a third-party one), can
be limited with the ``VATRA_PLUGINS`` allow-list and are enabled per tenant.
A plugin that fails to import is reported with its name and error and the
platform starts without it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

import pluggy
import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Mapped, mapped_column

from core import hookspecs
from core.auth.permissions import PermissionRegistry
from core.contrib import IndicatorDef, JobSpec, PluginInfo, add_indicator
from core.db import IdMixin, TimestampMixin, db
from core.hooks import PROJECT

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "vatra.plugins"


class TenantPlugin(IdMixin, TimestampMixin, db.Model):
    """An operator's decision to enable or disable a plugin for one tenant."""

    __tablename__ = "tenant_plugin"

    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    plugin: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)

    __table_args__ = (sa.UniqueConstraint("tenant_id", "plugin"),)


@dataclass
class LoadedPlugin:
    """A plugin the host registered."""

    info: PluginInfo
    module: Any
    source: str  # "entry point <dist>" or "in-process"
    hooks: list[str] = field(default_factory=list)
    blueprints: list[str] = field(default_factory=list)


@dataclass
class FailedPlugin:
    """A plugin that could not be loaded, and why."""

    name: str
    error: str


class PluginHost:
    """The plugins of one app: their manager, metadata and per-tenant state."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, LoadedPlugin] = {}
        self.failed: list[FailedPlugin] = []
        self.permissions = PermissionRegistry()
        self.indicators: dict[str, IndicatorDef] = {}
        self.jobs: dict[str, JobSpec] = {}
        self.blueprint_owner: dict[str, str] = {}

    # -- discovery ---------------------------------------------------------------------

    def load(self, allow: Iterable[str] | None = None, extra: Iterable[ModuleType | object] = ()) -> None:
        """Load the entry-point plugins (filtered by ``allow``) and ``extra`` in-process ones."""
        allowed = {a.strip() for a in allow} if allow is not None else None
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if allowed is not None and ep.name not in allowed:
                continue
            try:
                module = ep.load()
            except Exception as exc:  # noqa: BLE001 - any import error must not stop the platform
                self.failed.append(FailedPlugin(ep.name, f"{type(exc).__name__}: {exc}"))
                log.error("plugin %s failed to load: %s", ep.name, exc)
                continue
            dist = getattr(ep, "dist", None)
            self.register(module, source=f"entry point ({dist.name if dist else ep.value})")
        for module in extra:
            self.register(module, source="in-process")

    def register(self, module: Any, *, source: str = "in-process") -> LoadedPlugin | None:
        """Register one plugin object or module; report it as failed when it is malformed."""
        name_hint = getattr(module, "__name__", repr(module))
        try:
            self.pm.register(module, name=name_hint)
            infos = [
                hi.function() for hi in self.pm.hook.vatra_plugin_info.get_hookimpls() if hi.plugin is module
            ]
            if not infos:
                raise TypeError("it does not implement vatra_plugin_info")
            info: PluginInfo = infos[0]
            if info.name in self.plugins:
                raise ValueError(f"a plugin named {info.name!r} is already registered")
        except Exception as exc:  # noqa: BLE001
            if self.pm.is_registered(module):
                self.pm.unregister(module)
            self.failed.append(FailedPlugin(name_hint, f"{type(exc).__name__}: {exc}"))
            log.error("plugin %s rejected: %s", name_hint, exc)
            return None
        hooks = sorted(h.name for h in self.pm.get_hookcallers(module) or [])
        loaded = LoadedPlugin(info=info, module=module, source=source, hooks=hooks)
        self.plugins[info.name] = loaded
        return loaded

    def _call_one(self, loaded: LoadedPlugin, hook: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation with the arguments it asks for (pluggy's rule)."""
        for hi in getattr(self.pm.hook, hook).get_hookimpls():
            if hi.plugin is loaded.module:
                return hi.function(**{name: kwargs[name] for name in hi.argnames})
        return None

    def call(self, name: str, hook: str, **kwargs: Any) -> Any:
        """Call ``hook`` on the plugin called ``name`` only (``None`` when it does not implement it)."""
        return self._call_one(self.plugins[name], hook, **kwargs)

    def collect(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``hook`` on every plugin: ``[(plugin name, item), ...]`` flattened."""
        out: list[tuple[str, Any]] = []
        for name, loaded in self.plugins.items():
            result = self._call_one(loaded, hook, **kwargs)
            if result is None:
                continue
            items = result if isinstance(result, list | tuple) else [result]
            out.extend((name, item) for item in items)
        return out

    def collect_enabled(self, hook: str, tenant: Any, /, **kwargs: Any) -> list[tuple[str, Any]]:
        """Like :meth:`collect`, only for the plugins enabled for ``tenant``."""
        enabled = self.enabled_for(tenant)
        out: list[tuple[str, Any]] = []
        for name in enabled:
            result = self._call_one(self.plugins[name], hook, **kwargs)
            if result is None:
                continue
            items = result if isinstance(result, list | tuple) else [result]
            out.extend((name, item) for item in items)
        return out

    # -- start-up wiring ---------------------------------------------------------------

    def init_app(self, app: Flask) -> None:
        """Gather permissions, indicators and jobs; keep the host on the app."""
        app.extensions["vatra_plugins"] = self
        for _, perm in self.collect("vatra_permissions"):
            self.permissions.add([perm])
        for name, ind in self.collect("vatra_indicator_catalog"):
            add_indicator(self.indicators, ind, name)
        for name, spec in self.collect("vatra_jobs"):
            if spec.kind in self.jobs:
                raise ValueError(f"job kind {spec.kind!r} declared twice (by {name})")
            self.jobs[spec.kind] = spec

    # -- per-tenant enablement -------------------------------------------------------------

    def default_enabled(self, name: str, tenant: Any) -> bool:
        """Whether ``name`` is on for ``tenant`` when no operator decided."""
        kind = getattr(tenant.kind, "value", tenant.kind)
        return kind in self.plugins[name].info.default_kinds

    def decisions(self, tenant_id: int) -> dict[str, bool]:
        """The operator's explicit choices for one tenant."""
        rows = db.session.execute(
            sa.select(TenantPlugin.plugin, TenantPlugin.enabled).where(TenantPlugin.tenant_id == tenant_id)
        )
        return {plugin: enabled for plugin, enabled in rows}

    def enabled_for(self, tenant: Any) -> list[str]:
        """Names of the plugins enabled for ``tenant``, in registration order."""
        decided = self.decisions(tenant.id)
        return [n for n in self.plugins if decided.get(n, self.default_enabled(n, tenant))]

    def is_enabled(self, name: str, tenant: Any) -> bool:
        """Whether plugin ``name`` is enabled for ``tenant``."""
        if name not in self.plugins:
            return False
        decided = self.decisions(tenant.id)
        return decided.get(name, self.default_enabled(name, tenant))

    def set_enabled(self, name: str, tenant: Any, enabled: bool) -> None:
        """Record an operator's choice (audited like every write); the data stays."""
        if name not in self.plugins:
            raise KeyError(f"unknown plugin {name!r}")
        row = db.session.execute(
            sa.select(TenantPlugin).where(TenantPlugin.tenant_id == tenant.id, TenantPlugin.plugin == name)
        ).scalar_one_or_none()
        if row is None:
            db.session.add(TenantPlugin(tenant_id=tenant.id, plugin=name, enabled=enabled))
        else:
            row.enabled = enabled


def host() -> PluginHost:
    """The plugin host of the current app."""
    return current_app.extensions["vatra_plugins"]
