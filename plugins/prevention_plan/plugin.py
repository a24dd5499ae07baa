"""The prevention-plan plugin: its hook implementations (the only module the host imports).

The annual plan of a locality for the services that prevent the separation
of children from their families (Law 156/2023 amending Law 272/2004, art. 14
(3); model-cadru of Order 1040/6296/2024): sections, strategic objectives →
activities → responsible bodies → indicators, quarterly values, the approval
chain (council's aviz, local council's HCL), the annual evaluation, Word and
Excel exports.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

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
from plugins.prevention_plan import jobs, services
from plugins.prevention_plan.api import blp
from plugins.prevention_plan.catalog import CATALOG
from plugins.prevention_plan.demo import load as load_demo
from plugins.prevention_plan.exports import DOCX_MIME, XLSX_MIME
from plugins.prevention_plan.views import bp

NAME = "prevention_plan"
VERSION = "1.0.0"

STAFF = frozenset({Role.SOCIAL_WORKER, Role.TENANT_ADMIN})

PERMISSIONS = (
    Permission("plan.view", N_("Vede planul de prevenire a separării copilului de familie"), ALL_ROLES),
    Permission("plan.edit", N_("Redactează planul de prevenire"), STAFF),
    Permission("plan.transition", N_("Trimite planul mai departe pe circuitul de aprobare"), STAFF),
    Permission(
        "plan.endorse",
        N_("Înregistrează avizul consiliului comunitar consultativ"),
        frozenset({Role.COUNCIL_MEMBER, Role.TENANT_ADMIN}),
    ),
    Permission("plan.approve", N_("Înregistrează aprobarea planului prin HCL"), frozenset({Role.TENANT_ADMIN})),
    Permission("plan.values", N_("Înregistrează valorile indicatorilor"), STAFF),
    Permission("plan.export", N_("Exportă planul în Word și Excel"), ALL_ROLES - {Role.VIEWER}),
    Permission(
        "plan.templates",
        N_("Publică șabloane de plan pentru localități"),
        frozenset({Role.COUNTY_COORDINATOR, Role.TENANT_ADMIN}),
    ),
)


@hookimpl
def vatra_plugin_info() -> PluginInfo:
    return PluginInfo(
        name=NAME,
        label=N_("Plan de prevenire"),
        version=VERSION,
        description=N_("Planul anual de dezvoltare a serviciilor de prevenire a separării copilului de familie."),
        default_kinds=frozenset({"locality", "county"}),
    )


@hookimpl
def vatra_permissions() -> list[Permission]:
    return list(PERMISSIONS)


@hookimpl
def vatra_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def vatra_api_blueprints() -> list[ApiBlueprint]:
    return [blp]


@hookimpl
def vatra_navigation(tenant: Any, user: Any) -> list[NavItem]:
    return [NavItem(N_("Plan de prevenire"), "prevention_plan.index", "plan.view", order=20)]


@hookimpl
def vatra_dashboard_widgets(tenant: Any, user: Any) -> list[Widget]:
    if not getattr(tenant, "is_locality", False):
        return []
    year = services.local_year()
    return [
        Widget(
            title=N_("Planul de prevenire al anului"),
            template="prevention_plan/_widget.html",
            permission="plan.view",
            context={"summary": services.dashboard_summary(year)},
            order=20,
        )
    ]


@hookimpl
def vatra_indicator_catalog() -> list[IndicatorDef]:
    return list(CATALOG)


@hookimpl
def vatra_indicator_values(tenant_ids: list[int], period: Period) -> list[IndicatorValue]:
    return services.catalog_indicator_values(tenant_ids, period)


@hookimpl
def vatra_locality_status(tenant_ids: list[int], year: int) -> dict[int, dict[str, Any]]:
    return services.locality_status(tenant_ids, year)


@hookimpl
def vatra_locality_detail(tenant_id: int, year: int) -> list[Widget]:
    summary = services.readonly_summary(tenant_id, year)
    if summary is None:
        return []
    return [
        Widget(N_("Planul de prevenire"), "prevention_plan/_county_readonly.html", "county.view", {"plan": summary})
    ]


@hookimpl
def vatra_jobs() -> list[JobSpec]:
    return [
        JobSpec("prevention_plan.export_docx", jobs.export_docx, queue="exports", label=N_("Plan de prevenire (Word)"),
                file_permission="plan.view"),
        JobSpec("prevention_plan.export_xlsx", jobs.export_xlsx, queue="exports", label=N_("Indicatori (Excel)"),
                file_permission="plan.view"),
        JobSpec(
            "prevention_plan.import_xlsx",
            jobs.import_xlsx,
            queue="default",
            retries=0,
            label=N_("Import valori (Excel)"),
            file_permission="plan.values",  # the rejected rows' report
        ),
    ]


@hookimpl
def vatra_export_formats() -> list[ExportFormat]:
    return [
        ExportFormat("plan", "docx", DOCX_MIME, N_("Planul în format Word"), "prevention_plan.export_docx"),
        ExportFormat("plan", "xlsx", XLSX_MIME, N_("Indicatorii și valorile în Excel"), "prevention_plan.export_xlsx"),
    ]


@hookimpl
def vatra_load_demo(app: Flask, demo: DemoContext) -> None:
    load_demo(demo)
