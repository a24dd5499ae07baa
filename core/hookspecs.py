"""Hook specifications: what a Vatra plugin can contribute.

Each docstring here is the integrator's documentation; ``docs/plugins.md`` is
generated from this file (``vatra plugins docs``) and a test fails when the
two drift.

A plugin is a module (usually ``yourpackage.plugin``) declared in the
``vatra.plugins`` entry-point group and holding functions decorated with
``core.toolkit.hookimpl``; it imports nothing of the platform but
:mod:`core.toolkit` (see ``docs/toolkit.md``). Only the hooks a plugin
implements are called on it.

How hooks are called. The host calls pluggy as designed: every
implementation of a hook is called (for the per-tenant hooks, only those of
the plugins enabled for the tenant) and the results are concatenated, lists
flattened and ``None`` skipped. ``@hookimpl(tryfirst=True)`` /
``@hookimpl(trylast=True)`` order a plugin's implementation before or after
the others (otherwise the plugin registered last is called first), and
``@hookimpl(wrapper=True)`` wraps everyone's implementations: the wrapper
runs up to its ``yield``, receives from it the implementations' results
(one entry per plugin that answered, each usually a list) and returns what
the caller gets (it may filter an entry, drop or reorder entries, or add
one; an entry it adds belongs to no plugin, so a blueprint or CLI command
added that way is not registered).

What the host refuses or isolates:

* a plugin that implements a hook named here under another name (a
  misspelling such as ``vatra_navigaton``), lacks ``vatra_plugin_info``,
  fails to import (e.g. ``requires_vatra`` refused the running version) or
  whose ``vatra_permissions``, ``vatra_indicator_catalog`` or ``vatra_jobs``
  raises is rejected as a whole: ``vatra plugins list`` and the plugins page
  report it by name with the reason, and the platform starts without it;
* an exception raised by one plugin's (non-wrapper) implementation is
  logged and only that plugin's contribution is missing (its navigation
  entries, its widgets, its indicator values...). Two kinds of error are
  never swallowed, because the transaction cannot go on after them: the
  database's own (a lost connection, a failed statement) and a tenant
  violation. Nor are the errors of the hooks that write,
  ``vatra_tenant_provisioned`` and ``vatra_load_demo``: the whole operation
  fails and nothing half-written is kept;
* a wrapper wraps the other plugins' contributions, so an exception raised
  by a wrapper fails the call (the page answers 500): keep wrappers small.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.hooks import hookspec

if TYPE_CHECKING:
    import click
    from flask import Blueprint, Flask
    from flask_smorest import Blueprint as ApiBlueprint

    from core.auth.models import User
    from core.auth.permissions import Permission
    from core.contrib import (
        DemoContext,
        ExportFormat,
        IndicatorDef,
        IndicatorValue,
        JobSpec,
        NavItem,
        Period,
        PluginInfo,
        Widget,
    )
    from tenants.models import Tenant


@hookspec
def vatra_plugin_info() -> PluginInfo:
    """Describe the plugin.

    Called once when the plugin host starts. Return a
    :class:`core.toolkit.PluginInfo` with the plugin's ``name`` (the identifier
    used for enablement, URLs and the CLI), a human ``label`` (Romanian), its
    ``version``, a one-line ``description`` and ``default_kinds``: the tenant
    kinds (``"locality"``, ``"county"``, ``"platform"``) for which it is
    enabled until an operator says otherwise. Every plugin must implement it.
    """


@hookspec
def vatra_permissions() -> list[Permission]:
    """Declare the permissions the plugin's handlers require.

    Called once at start-up. Return :class:`core.toolkit.Permission` objects:
    ``name`` (dotted, prefixed with the plugin name, e.g. ``"plan.edit"``),
    a Romanian ``label`` and the ``roles`` that grant it by default. Handlers
    then declare ``@require("plan.edit")``. A name declared twice with a
    different meaning stops the start-up.
    """


@hookspec
def vatra_blueprints() -> list[Blueprint]:
    """Give the Flask blueprints of the plugin's web pages.

    Called once per app. Each blueprint is mounted under
    ``/t/<tenant>/<its url_prefix>``; the core resolves ``<tenant>``, checks
    the membership and the plugin's enablement (404 when disabled) before
    any handler runs, and sets the tenant scope. Every view must declare its
    permission with ``core.toolkit.require``. Blueprints are registered, never
    modified, so a module-level blueprint can serve several apps.
    """


@hookspec
def vatra_api_blueprints() -> list[ApiBlueprint]:
    """Give the flask-smorest blueprints of the plugin's REST API.

    Called once per app. Each is mounted under ``/api/v1/t/<tenant>/<its
    url_prefix>`` and documented in ``/api/v1/openapi.json``. The same rules
    as for :func:`vatra_blueprints` apply; request bodies go through
    marshmallow schemas (``@blp.arguments``) so bad input answers 422 with the
    field and the reason and writes nothing.
    """


@hookspec
def vatra_navigation(tenant: Tenant, user: User) -> list[NavItem]:
    """Give the navigation entries for ``user`` in ``tenant``.

    Called on every page render, only for plugins enabled for ``tenant``.
    Return :class:`core.toolkit.NavItem` objects (label, endpoint, permission,
    order); entries whose permission the user lacks are hidden by the core.
    """


@hookspec
def vatra_dashboard_widgets(tenant: Tenant, user: User) -> list[Widget]:
    """Give the dashboard widgets for ``user`` in ``tenant``.

    Called when the tenant's home page renders, only for enabled plugins.
    Return :class:`core.toolkit.Widget` objects: a title, a template name and its
    context (keep it cheap: one or two queries), a permission and an order.
    """


@hookspec
def vatra_indicator_catalog() -> list[IndicatorDef]:
    """Contribute entries to the national indicator catalog.

    Called once at start-up. Return :class:`core.toolkit.IndicatorDef` objects:
    ``code`` (e.g. ``"persons_counselled"``), label, unit, how values add up
    (``"sum"``, ``"count"``, ``"avg"``, ``"max"``) and whether the figure
    counts children or families (``sensitive``: small counts are suppressed
    in exports that leave the county). Say also what a value is: ``kind``
    (``count``, ``decimal``, ``money``, ``percent``), a plausible ``max`` for
    one locality and year (forms, imports and the API refuse more), a
    ``summable_group`` shared by codes that count the same people (never added
    together) and ``shown_by_default``. Definitions are checked when the app
    starts: the same code may be declared by several plugins only alike
    (aggregation, kind, max, group).
    """


@hookspec
def vatra_indicator_values(tenant_ids: list[int], period: Period) -> list[IndicatorValue]:
    """Return the catalog indicator values of many tenants for one period.

    Called by the aggregation engine inside a read-only scope over
    ``tenant_ids`` (a county's localities, or the whole country). Answer with
    one set-based query per source — never one query per tenant — and return
    :class:`core.toolkit.IndicatorValue` rows (tenant_id, code, value) already
    summed over ``period`` (a year or a quarter).
    """


@hookspec
def vatra_locality_status(tenant_ids: list[int], year: int) -> dict[int, dict[str, Any]]:
    """Describe where each locality stands in this plugin's programme for ``year``.

    Called by the county overview inside a read-only scope over
    ``tenant_ids``, with one set-based query. Return ``{tenant_id: {key:
    value}}``; the keys are the plugin's own (e.g. ``{"plan_status":
    "endorsed"}``) and are shown as columns of the county page.
    """


@hookspec
def vatra_locality_detail(tenant_id: int, year: int) -> list[Widget]:
    """Give read-only blocks about one locality for its county's drill-down page.

    Called by the county overview inside a read-only scope over the locality
    and its county (so a county coordinator reads the locality's data without
    ever entering its tenant). Return :class:`core.toolkit.Widget` objects whose
    ``context`` holds plain values only (dicts, lists, strings, numbers): the
    template renders after the scope is left. ``permission`` is checked in the
    county (e.g. ``"county.view"``).
    """


@hookspec
def vatra_snapshot_summary(scope: Tenant, period: Period) -> dict[str, Any] | None:
    """Precompute, at refresh time, what a page of ``scope`` shows from its new snapshot.

    Called by the aggregation refresh (the job, the CLI, the nightly run)
    once per snapshot it writes, in the same transaction and in the
    refresh's scope (the platform's or the county's: read the localities
    through :mod:`core.toolkit.aggregation` as the pages do): for the platform
    once every snapshot of the country is written, for a county after its
    own. :func:`core.toolkit.aggregation.latest_snapshot` already answers the
    new snapshot. Return plain JSON values (dicts, lists, strings, numbers,
    booleans, ``None``) or ``None``; the result is stored on the snapshot
    under the plugin's name and read back with
    :func:`core.toolkit.aggregation.snapshot_summary`, so a page that depends on
    the snapshot only reads one row instead of recomputing on every view.
    """


@hookspec
def vatra_jobs() -> list[JobSpec]:
    """Declare the background jobs the plugin can run.

    Called once at start-up. Return :class:`core.toolkit.JobSpec` objects: a
    ``kind`` (unique, prefixed with the plugin name), the function, the rq
    queue (``default``, ``exports`` or ``aggregation``), a timeout and a
    retry count. The function receives a :class:`core.toolkit.JobContext` and the
    keyword arguments given to ``enqueue``; it runs inside the job's tenant
    scope, reports progress with ``ctx.progress(percent, message)`` and may
    save one result file with ``ctx.save_file(name, data, mimetype)``.
    Declare ``file_permission`` — the permission the file's content needs on
    the pages (a name, or a function of the job's parameters); without it
    only the user who started the job may download the file. The jobs of a
    plugin disabled for a tenant disappear from its pages and API (404).
    """


@hookspec
def vatra_tenant_provisioned(tenant: Tenant) -> None:
    """React to a tenant becoming active (e.g. create its empty structures).

    Called inside the new tenant's scope, in the same transaction as the
    activation, for plugins enabled for the tenant. Must be idempotent. Not
    isolated: an exception fails the activation, which is rolled back.
    """


@hookspec
def vatra_cli_commands() -> list[click.Command]:
    """Add commands to the ``vatra`` command line.

    Called once when the CLI starts. Return click commands or groups; they
    are added under the plugin's name (``vatra <plugin> <command>``) and run
    inside an application context.
    """


@hookspec
def vatra_export_formats() -> list[ExportFormat]:
    """Declare the export formats the plugin offers (Word, Excel, CSV...).

    Called once at start-up. Return :class:`core.toolkit.ExportFormat` objects:
    what is exported (``subject``, e.g. ``"plan"``), the format name and
    MIME type, a label and the job ``kind`` that produces the file. Pages list
    them so a user can start an export and download the result.
    """


@hookspec
def vatra_load_demo(app: Flask, demo: DemoContext) -> None:
    """Load the plugin's demo data into the embedded default.

    Called by ``vatra demo load`` after the catalog and the demo tenants and
    users exist. ``demo`` gives the demo tenants by slug and a way to enter a
    tenant's scope. Must be idempotent (running it twice changes nothing).
    Not isolated: an exception stops ``vatra demo load``.
    """
