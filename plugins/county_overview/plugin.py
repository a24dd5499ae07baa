"""The county overview plugin's hook implementations (the only module the host imports).

Enabled by default for counties (the county page, the councils page) and for
the platform (the national page). Localities never have it: a locality user
reaching ``/t/<locality>/county`` lacks ``county.view`` and gets 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from core.toolkit import (
    N_,
    ApiBlueprint,
    DemoContext,
    ExportFormat,
    JobSpec,
    NavItem,
    Period,
    Permission,
    PluginInfo,
    Role,
    hookimpl,
)
from plugins.county_overview import NAME
from plugins.county_overview import models as _models  # noqa: F401 - the plugin's table joins the metadata
from plugins.county_overview.exports import CSV_MIMETYPE, XLSX_MIMETYPE
from plugins.county_overview.jobs import EXPORT_KIND, JOBS


@hookimpl
def vatra_plugin_info() -> PluginInfo:
    return PluginInfo(
        name=NAME,
        label=N_("Situația județului"),
        version="0.1.0",
        description=N_("Localitățile unui județ: planuri, consilii consultative, indicatori; situația națională."),
        default_kinds=frozenset({"county", "platform"}),
    )


@hookimpl
def vatra_permissions() -> list[Permission]:
    return [
        Permission(
            "county.export",
            N_("Exportă situația județului (Excel, date deschise)"),
            frozenset({Role.COUNTY_COORDINATOR}),
        ),
        Permission("county.targets", N_("Stabilește țintele județului"), frozenset({Role.COUNTY_COORDINATOR})),
        Permission("national.view", N_("Vede situația națională a județelor"), frozenset({Role.PLATFORM_ADMIN})),
    ]


@hookimpl
def vatra_blueprints() -> list[Blueprint]:
    from plugins.county_overview.views import bp

    return [bp]


@hookimpl
def vatra_api_blueprints() -> list[ApiBlueprint]:
    from plugins.county_overview.api import blp

    return [blp]


@hookimpl
def vatra_navigation(tenant: Any, user: Any) -> list[NavItem]:
    if tenant.is_county:
        return [
            NavItem(N_("Situația județului"), "county_overview.county_page", "county.view", order=20),
            NavItem(N_("Consiliile județului"), "county_overview.councils_page", "county.view", order=21),
        ]
    if tenant.is_platform:
        return [NavItem(N_("Situația națională"), "county_overview.national_page", "national.view", order=20)]
    return []


@hookimpl
def vatra_snapshot_summary(scope: Any, period: Period) -> dict[str, Any] | None:
    from plugins.county_overview.national import national_summary
    from plugins.county_overview.services import county_summary

    if scope.is_platform:
        return national_summary(scope, period)
    if scope.is_county:
        return county_summary(scope, period)
    return None


@hookimpl
def vatra_jobs() -> list[JobSpec]:
    return list(JOBS)


@hookimpl
def vatra_export_formats() -> list[ExportFormat]:
    return [
        ExportFormat("county", "xlsx", XLSX_MIMETYPE, N_("Situația județului (Excel)"), EXPORT_KIND),
        ExportFormat("county", "csv", CSV_MIMETYPE, N_("Date deschise ale județului (CSV)"), EXPORT_KIND),
        ExportFormat("councils", "xlsx", XLSX_MIMETYPE, N_("Consiliile județului (Excel)"), EXPORT_KIND),
        ExportFormat("national", "xlsx", XLSX_MIMETYPE, N_("Situația națională (Excel)"), EXPORT_KIND),
        ExportFormat("national", "csv", CSV_MIMETYPE, N_("Situația națională, date deschise (CSV)"), EXPORT_KIND),
    ]


OLT_SLUG = "olt"


@hookimpl
def vatra_load_demo(app: Flask, demo: DemoContext) -> None:
    """Olt's targets: the PIN 2/2008 project's expected results (the seed document); other counties get none."""
    from plugins.county_overview.targets import OLT_DEMO_SOURCE, OLT_DEMO_TARGETS, save_targets, targets_of

    olt = demo.tenants.get(OLT_SLUG)
    if olt is None:
        return
    with demo.enter(olt.id):
        if not targets_of(olt):  # a coordinator's own targets are never overwritten by a second load
            save_targets(olt, OLT_DEMO_TARGETS, source=OLT_DEMO_SOURCE)
