"""The PIN-project plugin: funded projects with budget, activities, results and indicators.

This module holds only the hook implementations; it is the one file the
host imports (entry point ``pin_project`` of the ``vatra.plugins`` group).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, url_for

from core.toolkit import (
    ALL_ROLES,
    N_,
    ApiBlueprint,
    DemoContext,
    ExportFormat,
    IndicatorDef,
    IndicatorValue,
    JobSpec,
    NavItem,
    Period,
    Permission,
    PluginInfo,
    Role,
    Widget,
    hookimpl,
)
from plugins.pin_project import demo as demo_data
from plugins.pin_project import services
from plugins.pin_project.api import blp
from plugins.pin_project.catalog import CATALOG
from plugins.pin_project.exports import DOCX_MIMETYPE, XLSX_MIMETYPE
from plugins.pin_project.jobs import FINANCIAL_XLSX, JOB_SPECS, PROGRESS_DOCX
from plugins.pin_project.views import bp

EDITORS = frozenset({Role.TENANT_ADMIN, Role.SOCIAL_WORKER, Role.COUNTY_COORDINATOR})
OVERRIDERS = frozenset({Role.TENANT_ADMIN, Role.COUNTY_COORDINATOR})


@hookimpl
def vatra_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="pin_project",
        label=N_("Proiecte finanțate (PIN)"),
        version="1.0.0",
        description=N_("Proiecte finanțate: buget și cheltuieli, activități, rezultate și indicatori de performanță."),
        default_kinds=frozenset({"county", "locality"}),
    )


@hookimpl
def vatra_permissions() -> list[Permission]:
    return [
        Permission("pin.view", N_("Vede proiectele finanțate"), ALL_ROLES),
        Permission("pin.edit", N_("Modifică proiectele finanțate"), EDITORS),
        Permission("pin.spend", N_("Înregistrează cheltuieli în proiecte"), EDITORS),
        Permission("pin.override", N_("Înregistrează cheltuieli peste regulile bugetului, cu justificare"), OVERRIDERS),
        Permission("pin.progress", N_("Înregistrează progresul indicatorilor"), EDITORS),
    ]


@hookimpl
def vatra_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def vatra_api_blueprints() -> list[ApiBlueprint]:
    return [blp]


@hookimpl
def vatra_navigation(tenant: Any, user: Any) -> list[NavItem]:
    return [NavItem(N_("Proiecte finanțate"), "pin_project.projects", "pin.view", order=300)]


@hookimpl
def vatra_dashboard_widgets(tenant: Any, user: Any) -> list[Widget]:
    overview = services.tenant_overview()
    if not overview.projects:
        return []
    return [
        Widget(
            title=N_("Proiecte finanțate"),
            template="pin_project/widget.html",
            permission="pin.view",
            order=300,
            context={
                "projects": overview.projects,
                "spent_pct": overview.spent_pct,
                "spent_pct_text": services.format_pct(overview.spent_pct),
                "spent": services.format_money(overview.spent),
                "total": services.format_money(overview.budget_total),
                "at_risk": overview.at_risk,
                "behind": overview.behind,
                "url": url_for("pin_project.projects"),
            },
        )
    ]


@hookimpl
def vatra_indicator_catalog() -> list[IndicatorDef]:
    return list(CATALOG)


@hookimpl
def vatra_indicator_values(tenant_ids: list[int], period: Period) -> list[IndicatorValue]:
    return services.indicator_values(tenant_ids, period)


@hookimpl
def vatra_locality_status(tenant_ids: list[int], year: int) -> dict[int, dict[str, Any]]:
    return services.locality_status(tenant_ids, year)


@hookimpl
def vatra_jobs() -> list[JobSpec]:
    return list(JOB_SPECS)


@hookimpl
def vatra_export_formats() -> list[ExportFormat]:
    return [
        ExportFormat("project", "docx", DOCX_MIMETYPE, N_("Raport de progres (Word)"), PROGRESS_DOCX),
        ExportFormat("project", "xlsx", XLSX_MIMETYPE, N_("Raport financiar (Excel)"), FINANCIAL_XLSX),
    ]


@hookimpl
def vatra_load_demo(app: Flask, demo: DemoContext) -> None:
    demo_data.load(demo)
