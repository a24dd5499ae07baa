"""The plugin host: discovery, in-process plugins, per-tenant enablement, the docs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Blueprint
from flask.cli import ScriptInfo

from core import aggregation, demo, hookspecs, tenancy
from core.api import (
    ApiBlueprint,
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
    require,
)
from core.cli import cli
from core.db import db
from core.plugin_docs import hook_functions, render
from core.plugins import PluginHost, host
from core.testing import login
from tenants import services

ROOT = Path(__file__).resolve().parents[2]

pages = Blueprint("throwaway", __name__, url_prefix="/throwaway", template_folder="templates")
api = ApiBlueprint("throwaway_api", __name__, url_prefix="/throwaway")


@pages.get("/")
@require("throwaway.view")
def index() -> str:
    return "pagina de unică folosință"


@api.route("/")
@api.response(200)
@require("throwaway.view")
def api_index() -> dict[str, str]:
    return {"ok": "da"}


@click.command("salut")
def salut() -> None:
    click.echo("salut din modulul de unică folosință")


class Throwaway:
    """A plugin implementing every hook, registered in-process by the tests."""

    def __init__(self) -> None:
        self.provisioned: list[str] = []
        self.demo_loaded = 0

    @hookimpl
    def vatra_plugin_info(self) -> PluginInfo:
        return PluginInfo("throwaway", "De unică folosință", "9.9.9", "Modul de test", frozenset({"locality"}))

    @hookimpl
    def vatra_permissions(self) -> list[Permission]:
        return [Permission("throwaway.view", "Vede modulul de test", frozenset({Role.SOCIAL_WORKER}))]

    @hookimpl
    def vatra_blueprints(self) -> list[Blueprint]:
        return [pages]

    @hookimpl
    def vatra_api_blueprints(self) -> list[ApiBlueprint]:
        return [api]

    @hookimpl
    def vatra_navigation(self, tenant, user) -> list[NavItem]:  # type: ignore[no-untyped-def]
        return [NavItem("Modulul de unică folosință", "throwaway.index", "throwaway.view")]

    @hookimpl
    def vatra_dashboard_widgets(self, tenant, user) -> list[Widget]:  # type: ignore[no-untyped-def]
        return [Widget("Widget de test", "throwaway_widget.html", "throwaway.view", {"n": 42})]

    @hookimpl
    def vatra_indicator_catalog(self) -> list[IndicatorDef]:
        return [IndicatorDef("throwaway_count", "Număr de test", sensitive=True)]

    @hookimpl
    def vatra_indicator_values(self, tenant_ids: list[int], period: Period) -> list[IndicatorValue]:
        return [IndicatorValue(t, "throwaway_count", Decimal(period.year % 100)) for t in tenant_ids]

    @hookimpl
    def vatra_locality_status(self, tenant_ids: list[int], year: int) -> dict[int, dict[str, object]]:
        return {t: {"throwaway": year} for t in tenant_ids}

    @hookimpl
    def vatra_locality_detail(self, tenant_id: int, year: int) -> list[Widget]:
        return [Widget("Detaliu de test", "throwaway_widget.html", "county.view", {"n": tenant_id})]

    @hookimpl
    def vatra_snapshot_summary(self, scope, period: Period) -> dict[str, object] | None:  # type: ignore[no-untyped-def]
        return {"scope": scope.slug, "year": period.year} if scope.is_county else None

    @hookimpl
    def vatra_jobs(self) -> list[JobSpec]:
        return [JobSpec("throwaway.noop", lambda ctx: None, label="Nimic")]

    @hookimpl
    def vatra_tenant_provisioned(self, tenant) -> None:  # type: ignore[no-untyped-def]
        self.provisioned.append(tenant.slug)

    @hookimpl
    def vatra_cli_commands(self) -> list[click.Command]:
        return [salut]

    @hookimpl
    def vatra_export_formats(self) -> list[ExportFormat]:
        return [ExportFormat("throwaway", "csv", "text/csv", "CSV de test", "throwaway.noop")]

    @hookimpl
    def vatra_load_demo(self, app, demo) -> None:  # type: ignore[no-untyped-def]
        self.demo_loaded += 1


THROWAWAY = Throwaway()


@pytest.fixture
def worker_and_tenant(app, make_tenant, make_user):  # type: ignore[no-untyped-def]
    tenant = make_tenant()
    return tenant, login(app.test_client(), make_user(tenant, Role.SOCIAL_WORKER))


@pytest.mark.plugins(THROWAWAY)
def test_in_process_plugin_contributes_routes_permissions_indicators_jobs(app, worker_and_tenant):
    tenant, client = worker_and_tenant
    assert client.get(f"/t/{tenant.slug}/throwaway/").data.decode() == "pagina de unică folosință"
    assert client.get(f"/api/v1/t/{tenant.slug}/throwaway/").get_json() == {"ok": "da"}
    plugins: PluginHost = app.extensions["vatra_plugins"]
    assert "throwaway.view" in plugins.permissions
    assert plugins.indicators["throwaway_count"].sensitive
    assert "throwaway.noop" in plugins.jobs
    with app.app_context():
        values = plugins.collect("vatra_indicator_values", tenant_ids=[tenant.id], period=Period(2026))
        status = plugins.collect("vatra_locality_status", tenant_ids=[tenant.id], year=2026)
        exports = plugins.collect("vatra_export_formats")
        details = plugins.collect("vatra_locality_detail", tenant_id=tenant.id, year=2026)
    assert ("throwaway", IndicatorValue(tenant.id, "throwaway_count", Decimal(26))) in values
    assert ("throwaway", {tenant.id: {"throwaway": 2026}}) in status
    assert dict(exports)["throwaway"].job_kind == "throwaway.noop"
    assert dict(details)["throwaway"].context == {"n": tenant.id}
    assert "/api/v1/t/{tenant}/throwaway/" in client.get("/api/v1/openapi.json").get_json()["paths"]


@pytest.mark.plugins(THROWAWAY)
def test_a_refresh_stores_what_a_plugin_precomputed_from_the_snapshot(app, make_tenant):
    county = make_tenant("county")
    make_tenant(parent=county)
    with app.app_context(), tenancy.tenant_context(county.id):
        aggregation.refresh_county(db.session.get(type(county), county.id), Period(2026))
        db.session.commit()
        snapshot = aggregation.latest_snapshot(county.id, Period(2026))
        assert aggregation.snapshot_summary(snapshot, "throwaway") == {"scope": county.slug, "year": 2026}
        assert aggregation.snapshot_summary(snapshot, "another") is None


class ListSummary:
    """A plugin whose summary is not a dict."""

    @hookimpl
    def vatra_plugin_info(self) -> PluginInfo:
        return PluginInfo("list_summary", "Rezumat greșit", "0.1", "Modul de test", frozenset({"county"}))

    @hookimpl
    def vatra_snapshot_summary(self, scope, period: Period) -> list[int]:  # type: ignore[no-untyped-def]
        return [1, 2]


@pytest.mark.plugins(ListSummary())
def test_a_summary_that_is_not_a_dict_is_refused_by_name(app, make_tenant):
    county = make_tenant("county")
    with app.app_context(), tenancy.tenant_context(county.id):
        with pytest.raises(TypeError, match="list_summary"):
            aggregation.refresh_county(db.session.get(type(county), county.id), Period(2026))
        db.session.rollback()


@pytest.mark.plugins(THROWAWAY)
def test_navigation_and_widgets_follow_enablement(app, worker_and_tenant):
    tenant, client = worker_and_tenant
    home = client.get(f"/t/{tenant.slug}/").data.decode()
    assert "Modulul de unică folosință" in home and "Widget de test" in home
    with app.app_context(), tenancy.system_context():
        host().set_enabled("throwaway", tenant, False)
        db.session.commit()
    home = client.get(f"/t/{tenant.slug}/").data.decode()
    assert "Modulul de unică folosință" not in home and "Widget de test" not in home
    assert client.get(f"/t/{tenant.slug}/throwaway/").status_code == 404
    assert client.get(f"/api/v1/t/{tenant.slug}/throwaway/").status_code == 404


def test_no_leak_between_apps(app):
    # the previous tests registered Throwaway in their own apps; this one has none of it
    plugins: PluginHost = app.extensions["vatra_plugins"]
    assert "throwaway" not in plugins.plugins
    assert "throwaway.view" not in plugins.permissions
    assert "throwaway.index" not in app.view_functions


@pytest.mark.plugins(THROWAWAY)
def test_permission_of_a_plugin_is_enforced(app, make_tenant, make_user):
    tenant = make_tenant()
    viewer = login(app.test_client(), make_user(tenant, Role.VIEWER))
    assert viewer.get(f"/t/{tenant.slug}/throwaway/").status_code == 403


@pytest.mark.plugins(THROWAWAY)
def test_provisioning_hook_runs_on_activation(app, make_tenant):
    tenant = make_tenant(active=False)
    with app.app_context(), tenancy.system_context():
        services.activate(services.get_by_slug(tenant.slug))
        db.session.commit()
    assert tenant.slug in THROWAWAY.provisioned


@pytest.mark.plugins(THROWAWAY)
def test_plugin_cli_commands_are_added_under_the_plugin_name(app):
    result = CliRunner().invoke(cli, ["throwaway", "salut"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "salut din modulul de unică folosință" in result.output


@pytest.mark.plugins(THROWAWAY)
def test_demo_hook_is_called(app):
    before = THROWAWAY.demo_loaded
    with app.app_context():
        demo.load(app, password="parola-demo-123")
    assert THROWAWAY.demo_loaded == before + 1


def test_plugins_list_shows_versions_hooks_and_enablement(app, make_tenant):
    make_tenant()
    result = CliRunner().invoke(cli, ["plugins", "list"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "hello 1.2.0" in result.output  # the third-party test plugin, installed with pip
    assert "vatra_blueprints" in result.output
    assert "enabled for" in result.output


def test_third_party_plugin_is_discovered_by_entry_point(app, make_tenant, make_user):
    plugins: PluginHost = app.extensions["vatra_plugins"]
    assert plugins.plugins["hello"].source.startswith("entry point")
    tenant = make_tenant()
    client = login(app.test_client(), make_user(tenant, Role.VIEWER))
    assert client.get(f"/t/{tenant.slug}/hello/").data.decode() == "Salut din modulul terț!"


class Broken:
    @hookimpl
    def vatra_blueprints(self) -> list[Blueprint]:
        return []


@pytest.mark.plugins(Broken())
def test_a_malformed_plugin_is_reported_and_the_platform_starts(app, client):
    failed = app.extensions["vatra_plugins"].failed
    assert any("vatra_plugin_info" in f.error for f in failed)
    assert client.get("/healthz").status_code == 200


def test_a_plugin_that_fails_to_import_is_reported(monkeypatch, tmp_path):
    from importlib.metadata import EntryPoint

    from core import plugins as plugins_module

    bad = EntryPoint(name="stricat", value="nu_exista_modulul.plugin", group="vatra.plugins")
    monkeypatch.setattr(plugins_module, "entry_points", lambda group: [bad])
    plugin_host = PluginHost()
    plugin_host.load()
    assert [(f.name, f.error.split(":")[0]) for f in plugin_host.failed] == [("stricat", "ModuleNotFoundError")]


@pytest.mark.config(VATRA_PLUGINS=["hello"])
def test_allow_list_limits_the_plugins(app):
    assert list(app.extensions["vatra_plugins"].plugins) == ["hello"]


def test_docs_are_generated_from_the_hookspecs():
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert text == render(), "docs/plugins.md is out of date: run `vatra plugins docs`"


def test_every_hook_has_a_docstring_and_a_test():
    tests_text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))
    for name, fn in hook_functions():
        assert (fn.__doc__ or "").strip(), f"{name} has no docstring"
        assert f"def {name}(" in tests_text, f"no test implements {name}"
    assert len(hook_functions()) == len([n for n in vars(hookspecs) if n.startswith("vatra_")])


# -- pluggy as designed: validation, isolation, ordering, wrappers, enablement per request ------------------


class Misspelt:
    """A plugin whose navigation hook is misspelt: pluggy alone would register it silently."""

    @hookimpl
    def vatra_plugin_info(self) -> PluginInfo:
        return PluginInfo("misspelt", "Scris greșit", "0.1", "Modul de test", frozenset({"locality"}))

    @hookimpl
    def vatra_navigaton(self, tenant, user) -> list[NavItem]:  # type: ignore[no-untyped-def]
        return [NavItem("Meniu scris greșit", "dashboard.index", "tenant.view")]


@pytest.mark.plugins(Misspelt(), THROWAWAY)
def test_a_misspelt_hook_rejects_its_plugin_by_name_and_the_others_load(app, worker_and_tenant):
    plugins: PluginHost = app.extensions["vatra_plugins"]
    assert "misspelt" not in plugins.plugins
    assert [f.name for f in plugins.failed] == ["misspelt"]
    assert "vatra_navigaton" in plugins.failed[0].error
    assert {"throwaway", "hello", "prevention_plan", "pin_project", "county_overview"} <= set(plugins.plugins)
    assert not plugins.pm.is_registered(Misspelt)
    result = CliRunner().invoke(cli, ["plugins", "list"], obj=ScriptInfo(create_app=lambda: app))
    assert "misspelt — FAILED TO LOAD: LookupError: unknown hook vatra_navigaton" in result.output
    assert "vatra_navigaton" not in result.output.split("misspelt —")[0]  # not listed among anyone's hooks
    tenant, client = worker_and_tenant
    home = client.get(f"/t/{tenant.slug}/")
    assert home.status_code == 200
    assert "Modulul de unică folosință" in home.data.decode() and "Meniu scris greșit" not in home.data.decode()


class Failing:
    """A plugin whose per-page hooks raise."""

    @hookimpl
    def vatra_plugin_info(self) -> PluginInfo:
        return PluginInfo("failing", "Defect", "0.1", "Modul de test", frozenset({"locality"}))

    @hookimpl
    def vatra_navigation(self, tenant, user) -> list[NavItem]:  # type: ignore[no-untyped-def]
        raise RuntimeError("navigația modulului defect")

    @hookimpl
    def vatra_dashboard_widgets(self, tenant, user) -> list[Widget]:  # type: ignore[no-untyped-def]
        raise RuntimeError("widgetul modulului defect")

    @hookimpl
    def vatra_locality_status(self, tenant_ids: list[int], year: int) -> dict[int, dict[str, object]]:
        raise RuntimeError("starea modulului defect")


@pytest.mark.plugins(Failing(), THROWAWAY)
def test_a_failing_plugin_hides_only_its_own_contribution(app, worker_and_tenant, caplog):
    tenant, client = worker_and_tenant
    home = client.get(f"/t/{tenant.slug}/")
    assert home.status_code == 200
    page = home.data.decode()
    assert "Modulul de unică folosință" in page and "Widget de test" in page  # the other plugin's contributions
    assert "Consiliul consultativ" in page  # the core's own entries
    failures = [r for r in caplog.records if "plugin failing failed in" in r.getMessage()]
    assert {r.getMessage().split(" in ")[1].split(";")[0] for r in failures} == {
        "vatra_navigation",
        "vatra_dashboard_widgets",
    }
    with app.app_context():
        status = aggregation.locality_status([tenant.id], 2026, county_ids=[])
    assert status[tenant.id]["throwaway"] == 2026  # the others' statuses are there


class StartupFailing:
    @hookimpl
    def vatra_plugin_info(self) -> PluginInfo:
        return PluginInfo("startup_failing", "Pornire defectă", "0.1", "Modul de test", frozenset({"locality"}))

    @hookimpl
    def vatra_permissions(self) -> list[Permission]:
        raise RuntimeError("permisiunile modulului defect")

    @hookimpl
    def vatra_blueprints(self) -> list[Blueprint]:
        return [Blueprint("startup_failing", __name__, url_prefix="/startup-failing")]


@pytest.mark.plugins(StartupFailing(), THROWAWAY)
def test_a_plugin_whose_startup_hook_fails_is_rejected_as_a_whole(app, client):
    plugins: PluginHost = app.extensions["vatra_plugins"]
    assert "startup_failing" not in plugins.plugins and "throwaway" in plugins.plugins
    assert [(f.name, f.error) for f in plugins.failed] == [
        ("startup_failing", "RuntimeError: permisiunile modulului defect")
    ]
    assert "startup_failing" not in app.blueprints  # no pages left without their permissions
    assert client.get("/healthz").status_code == 200


class Ordered:
    """Implementations that ask to run first, last, and a wrapper over everyone's navigation."""

    def __init__(self) -> None:
        self.wrapped = 0

    @hookimpl
    def vatra_plugin_info(self) -> PluginInfo:
        return PluginInfo("ordered", "Ordonat", "0.1", "Modul de test", frozenset({"locality"}))

    @hookimpl(tryfirst=True)
    def vatra_locality_status(self, tenant_ids: list[int], year: int) -> dict[int, dict[str, object]]:
        return {t: {"first": True} for t in tenant_ids}

    @hookimpl(trylast=True)
    def vatra_indicator_values(self, tenant_ids: list[int], period: Period) -> list[IndicatorValue]:
        return [IndicatorValue(t, "throwaway_count", Decimal(0)) for t in tenant_ids]

    @hookimpl(wrapper=True)
    def vatra_navigation(self, tenant, user):  # type: ignore[no-untyped-def]
        self.wrapped += 1
        results = yield
        kept = [[item for item in items if "unică" not in item.label] for items in results]
        return [*kept, [NavItem("Adăugat de wrapper", "dashboard.index", "tenant.view", order=5)]]


ORDERED = Ordered()


@pytest.mark.plugins(THROWAWAY, ORDERED)
def test_tryfirst_trylast_and_wrappers_are_honoured(app, worker_and_tenant):
    tenant, client = worker_and_tenant
    plugins: PluginHost = app.extensions["vatra_plugins"]
    with app.app_context():
        status = plugins.collect("vatra_locality_status", tenant_ids=[tenant.id], year=2026)
        values = plugins.collect("vatra_indicator_values", tenant_ids=[tenant.id], period=Period(2026))
    assert status[0] == ("ordered", {tenant.id: {"first": True}})  # registered last, asked to run first
    assert values[-1] == ("ordered", IndicatorValue(tenant.id, "throwaway_count", Decimal(0)))
    page = client.get(f"/t/{tenant.slug}/").data.decode()
    assert "Adăugat de wrapper" in page  # what the wrapper added
    assert "Modulul de unică folosință" not in page  # what it took out of another plugin's entries
    assert "Widget de test" in page  # other hooks are not wrapped
    with app.app_context(), tenancy.system_context():
        host().set_enabled("ordered", tenant, False)
        db.session.commit()
    before = ORDERED.wrapped
    page = client.get(f"/t/{tenant.slug}/").data.decode()
    assert "Modulul de unică folosință" in page and "Adăugat de wrapper" not in page  # disabled: not wrapping
    assert ORDERED.wrapped == before


class FailingWrapper:
    @hookimpl
    def vatra_plugin_info(self) -> PluginInfo:
        return PluginInfo("failing_wrapper", "Înveliș defect", "0.1", "Modul de test", frozenset({"locality"}))

    @hookimpl(wrapper=True)
    def vatra_locality_status(self, tenant_ids: list[int], year: int):  # type: ignore[no-untyped-def]
        yield
        raise RuntimeError("învelișul a căzut")


@pytest.mark.plugins(THROWAWAY, FailingWrapper())
def test_a_failing_wrapper_fails_the_call(app, make_tenant):
    tenant = make_tenant()
    with app.app_context(), pytest.raises(RuntimeError, match="învelișul a căzut"):
        aggregation.locality_status([tenant.id], 2026, county_ids=[])


@pytest.mark.plugins(THROWAWAY)
@pytest.mark.parametrize("page", ["/", "/plan/"])
def test_enablement_is_read_once_per_request(app, worker_and_tenant, page):
    tenant, client = worker_and_tenant
    client.get(f"/t/{tenant.slug}/")  # warm-up
    statements: list[str] = []

    def _count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", _count)
    try:
        response = client.get(f"/t/{tenant.slug}{page}")
    finally:
        sa.event.remove(engine, "before_cursor_execute", _count)
    assert response.status_code == 200
    assert len([s for s in statements if "FROM tenant_plugin" in s]) == 1


@pytest.mark.plugins(THROWAWAY)
def test_an_enablement_changed_in_the_request_is_seen_in_the_same_request(app, make_tenant):
    tenant = make_tenant()
    plugins: PluginHost = app.extensions["vatra_plugins"]
    with app.test_request_context("/"), tenancy.system_context():
        assert plugins.is_enabled("throwaway", tenant)
        plugins.set_enabled("throwaway", tenant, False)
        db.session.flush()
        assert not plugins.is_enabled("throwaway", tenant)
        assert "throwaway" not in plugins.enabled_for(tenant)
        db.session.rollback()
