"""The plugin host: one pluggy manager per app, discovery, validation, isolation, enablement.

Plugins are found through the ``vatra.plugins`` entry-point group (the
built-in ones are declared in setup.cfg exactly like a third-party one), can
be limited with the ``VATRA_PLUGINS`` allow-list and are enabled per tenant.

Every call goes through pluggy (``pm.hook.<name>(...)``, or
``pm.subset_hook_caller`` for the plugins enabled in a tenant or for one
plugin), so ``tryfirst``/``trylast`` and wrappers are honoured. Three rules
keep one plugin's mistake its own:

* a plugin that fails to import, lacks ``vatra_plugin_info``, implements a
  hook with no specification (a misspelling such as ``vatra_navigaton``) or
  whose start-up hooks fail is rejected: reported with its name and error
  (``vatra plugins list``, the plugins page) and the platform starts without it;
* each non-wrapper hook implementation is wrapped when its plugin registers:
  an exception is logged and only that plugin's contribution is missing.
  Errors of the database itself and tenant violations are never swallowed
  (the transaction cannot go on), nor are the hooks that write
  (:data:`UNISOLATED_HOOKS`): a half-done write must fail the whole operation;
* a wrapper (``wrapper=True`` or ``hookwrapper=True``) wraps everyone's
  contribution, so a failing wrapper fails the call.

Which plugins a tenant has on is read once per request (memoised on
``flask.g``).
"""

from __future__ import annotations

import contextvars
import functools
import logging
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

import pluggy
import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column

from core import hookspecs
from core.auth.permissions import PermissionRegistry
from core.contrib import IndicatorDef, JobSpec, PluginInfo, add_indicator
from core.db import IdMixin, TimestampMixin, db
from core.hooks import PROJECT
from core.tenancy import TenantViolation

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "vatra.plugins"

#: Hooks that write: their implementations are not isolated, a failure fails the operation (and rolls it back).
UNISOLATED_HOOKS = frozenset({"vatra_tenant_provisioned", "vatra_load_demo"})

#: Hooks called once at start-up: a plugin whose implementation fails is rejected as a whole.
STARTUP_HOOKS = ("vatra_permissions", "vatra_indicator_catalog", "vatra_jobs")

_NEVER_SWALLOWED = (DBAPIError, TenantViolation)


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


@dataclass
class _Call:
    """What the guarded implementations of one hook call returned or raised, by plugin."""

    results: list[tuple[str, Any]] = field(default_factory=list)
    failures: list[tuple[str, BaseException]] = field(default_factory=list)


_current_call: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("vatra_hook_call", default=None)


def _guarded(function: Callable[..., Any], plugin: str, hook: str) -> Callable[..., Any]:
    """``function`` whose exception is logged and turned into "no contribution"; its result is attributed."""

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        call = _current_call.get()
        try:
            result = function(*args, **kwargs)
        except _NEVER_SWALLOWED:
            raise
        except Exception as exc:  # one plugin's failure must not hide the others' contributions
            log.exception("plugin %s failed in %s; its contribution is left out", plugin, hook)
            if call is not None:
                call.failures.append((plugin, exc))
            return None
        if call is not None and result is not None:
            call.results.append((plugin, result))
        return result

    return guarded


def _recorded(function: Callable[..., Any], plugin: str) -> Callable[..., Any]:
    """``function`` (an unisolated hook) whose result is attributed to ``plugin``; exceptions propagate."""

    @functools.wraps(function)
    def recorded(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        call = _current_call.get()
        if call is not None and result is not None:
            call.results.append((plugin, result))
        return result

    return recorded


def _flatten(results: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name, result in results:
        items = result if isinstance(result, list | tuple) else [result]
        out.extend((name, item) for item in items)
    return out


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
        self.job_owner: dict[str, str] = {}  # job kind -> the plugin that declares it
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
                self._fail(ep.name, exc)
                continue
            dist = getattr(ep, "dist", None)
            self.register(module, source=f"entry point ({dist.name if dist else ep.value})", name=ep.name)
        for module in extra:
            self.register(module, source="in-process")

    def register(self, module: Any, *, source: str = "in-process", name: str | None = None) -> LoadedPlugin | None:
        """Register one plugin object or module; reject it (reported by name) when it is malformed.

        Malformed: no ``vatra_plugin_info``, a name already taken, a hook
        implementation whose arguments pluggy refuses, or one with no hook
        specification (a misspelt hook name).
        """
        shown = name or getattr(module, "__name__", None) or repr(module)
        try:
            self.pm.register(module, name=getattr(module, "__name__", None) or repr(module))
            infos = self.pm.subset_hook_caller("vatra_plugin_info", self._others(module))()
            if not infos:
                raise TypeError("it does not implement vatra_plugin_info")
            info: PluginInfo = infos[0]
            shown = info.name
            if info.name in self.plugins:
                raise ValueError(f"a plugin named {info.name!r} is already registered")
            unknown = sorted(
                hc.name
                for hc in self.pm.get_hookcallers(module) or []
                if not hc.has_spec() and any(hi.plugin is module and not hi.optionalhook for hi in hc.get_hookimpls())
            )
            if unknown:
                raise LookupError(
                    f"unknown hook {', '.join(unknown)}: no such hook specification (misspelt? see docs/plugins.md)"
                )
        except Exception as exc:  # noqa: BLE001
            if self.pm.is_registered(module):
                self.pm.unregister(module)
            self._fail(shown, exc, verb="rejected")
            return None
        self._guard(module, info.name)
        hooks = sorted(h.name for h in self.pm.get_hookcallers(module) or [])
        loaded = LoadedPlugin(info=info, module=module, source=source, hooks=hooks)
        self.plugins[info.name] = loaded
        return loaded

    def _fail(self, name: str, exc: BaseException, verb: str = "failed to load") -> None:
        self.failed.append(FailedPlugin(name, f"{type(exc).__name__}: {exc}"))
        log.error("plugin %s %s: %s", name, verb, exc)

    def reject(self, name: str, exc: BaseException) -> None:
        """Take a registered plugin out again (its start-up hooks failed), reporting it like an import failure."""
        loaded = self.plugins.pop(name)
        if self.pm.is_registered(loaded.module):
            self.pm.unregister(loaded.module)
        self._fail(name, exc, verb="rejected")

    def _guard(self, module: Any, plugin: str) -> None:
        """Wrap each of the plugin's non-wrapper implementations (see the module's docstring)."""
        for caller in self.pm.get_hookcallers(module) or []:
            for impl in caller.get_hookimpls():
                if impl.plugin is not module or impl.wrapper or impl.hookwrapper:
                    continue
                if caller.name in UNISOLATED_HOOKS:
                    impl.function = _recorded(impl.function, plugin)
                else:
                    impl.function = _guarded(impl.function, plugin, caller.name)

    def _others(self, module: Any) -> list[Any]:
        return [p for p in self.pm.get_plugins() if p is not module]

    # -- calling -------------------------------------------------------------------------

    def hook_caller(self, hook: str, tenant: Any = None) -> pluggy.HookCaller:
        """pluggy's caller of ``hook``: every plugin's, or only those enabled for ``tenant``."""
        if tenant is None:
            return getattr(self.pm.hook, hook)
        enabled = set(self.enabled_for(tenant))
        disabled = [loaded.module for name, loaded in self.plugins.items() if name not in enabled]
        return self.pm.subset_hook_caller(hook, disabled) if disabled else getattr(self.pm.hook, hook)

    def run(self, caller: pluggy.HookCaller, /, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``caller`` and answer ``[(plugin name, its result)]`` in pluggy's order, ``None`` skipped.

        A result a wrapper put in place of the implementations' ones is
        attributed to no plugin (``""``).
        """
        return self._invoke(caller, kwargs)[0]

    def _invoke(
        self, caller: pluggy.HookCaller, kwargs: dict[str, Any]
    ) -> tuple[list[tuple[str, Any]], list[tuple[str, BaseException]]]:
        call = _Call()
        token = _current_call.set(call)
        try:
            results = caller(**kwargs)
        finally:
            _current_call.reset(token)
        owners: dict[int, deque[str]] = defaultdict(deque)
        for name, value in call.results:
            owners[id(value)].append(name)
        attributed: list[tuple[str, Any]] = []
        for value in results or []:
            queue = owners.get(id(value))
            attributed.append((queue.popleft() if queue else "", value))
        return attributed, call.failures

    def collect(self, hook: str, /, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``hook`` on every plugin: ``[(plugin name, item), ...]``, list results flattened."""
        return _flatten(self.run(self.hook_caller(hook), **kwargs))

    def collect_enabled(self, hook: str, tenant: Any, /, **kwargs: Any) -> list[tuple[str, Any]]:
        """Like :meth:`collect`, only for the plugins enabled for ``tenant``."""
        return _flatten(self.run(self.hook_caller(hook, tenant), **kwargs))

    def call(self, name: str, hook: str, /, **kwargs: Any) -> Any:
        """Call ``hook`` on the plugin called ``name`` only (``None`` when it does not implement it)."""
        caller = self.pm.subset_hook_caller(hook, self._others(self.plugins[name].module))
        results = caller(**kwargs)
        return results[0] if results else None

    # -- start-up wiring ---------------------------------------------------------------

    def init_app(self, app: Flask) -> None:
        """Gather permissions, indicators and jobs (rejecting a plugin whose hooks fail); keep the host on the app."""
        app.extensions["vatra_plugins"] = self
        gathered: dict[str, list[tuple[str, Any]]] = {}
        for hook in STARTUP_HOOKS:
            gathered[hook], failures = self._invoke(self.hook_caller(hook), {})
            for name, exc in failures:
                if name in self.plugins:
                    self.reject(name, exc)
        gathered = {hook: [(n, r) for n, r in found if n in self.plugins] for hook, found in gathered.items()}
        for _, perm in _flatten(gathered["vatra_permissions"]):
            self.permissions.add([perm])
        for name, ind in _flatten(gathered["vatra_indicator_catalog"]):
            add_indicator(self.indicators, ind, name)
        for name, spec in _flatten(gathered["vatra_jobs"]):
            if spec.kind in self.jobs:
                raise ValueError(f"job kind {spec.kind!r} declared twice (by {name})")
            self.jobs[spec.kind] = spec
            self.job_owner[spec.kind] = name

    # -- per-tenant enablement -------------------------------------------------------------

    def default_enabled(self, name: str, tenant: Any) -> bool:
        """Whether ``name`` is on for ``tenant`` when no operator decided."""
        kind = getattr(tenant.kind, "value", tenant.kind)
        return kind in self.plugins[name].info.default_kinds

    def decisions(self, tenant_id: int) -> dict[str, bool]:
        """The operator's explicit choices for one tenant (read once per request)."""
        memo: dict[int, dict[str, bool]] | None = (
            g.setdefault("_vatra_plugin_decisions", {}) if has_request_context() else None
        )
        if memo is not None and tenant_id in memo:
            return memo[tenant_id]
        rows = db.session.execute(
            sa.select(TenantPlugin.plugin, TenantPlugin.enabled).where(TenantPlugin.tenant_id == tenant_id)
        )
        decided = {plugin: enabled for plugin, enabled in rows}
        if memo is not None:
            memo[tenant_id] = decided
        return decided

    def enabled_for(self, tenant: Any) -> list[str]:
        """Names of the plugins enabled for ``tenant``, in registration order."""
        decided = self.decisions(tenant.id)
        return [n for n in self.plugins if decided.get(n, self.default_enabled(n, tenant))]

    def is_enabled(self, name: str, tenant: Any) -> bool:
        """Whether plugin ``name`` is enabled for ``tenant``."""
        if name not in self.plugins:
            return False
        return self.decisions(tenant.id).get(name, self.default_enabled(name, tenant))

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
        if has_request_context():
            g.get("_vatra_plugin_decisions", {}).pop(tenant.id, None)


def host() -> PluginHost:
    """The plugin host of the current app."""
    return current_app.extensions["vatra_plugins"]
