"""The dashboard and the navigation gather what enabled plugins contribute, filtered by permission."""

from __future__ import annotations

import pytest
from flask import Blueprint

from core.api import NavItem, Permission, PluginInfo, Role, Widget, hookimpl
from core.testing import login

assets = Blueprint("webwidgets", __name__, template_folder="templates")


class Widgets:
    """An in-process plugin with widgets and navigation entries, some of them broken."""

    @hookimpl
    def vatra_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="webwidgets", label="Widgeturi", version="0.1", default_kinds=frozenset({"locality"}))

    @hookimpl
    def vatra_permissions(self) -> list[Permission]:
        return [Permission("webwidgets.secret", "Vede secretul", frozenset({Role.TENANT_ADMIN}))]

    @hookimpl
    def vatra_blueprints(self) -> list[Blueprint]:
        return [assets]

    @hookimpl
    def vatra_dashboard_widgets(self, tenant, user) -> list[Widget]:  # type: ignore[no-untyped-def]
        return [
            Widget("Cifre pentru toți", "web_widget.html", "tenant.view", {"n": 12345}, order=2),
            Widget("Doar administratorul", "web_widget.html", "webwidgets.secret", {"n": 1}, order=1),
            Widget("Stricat", "nu_exista.html", "tenant.view", order=3),
        ]

    @hookimpl
    def vatra_navigation(self, tenant) -> list[NavItem]:  # type: ignore[no-untyped-def]
        return [
            NavItem("Intrare fără pagină", "webwidgets.nowhere", "tenant.view"),
            NavItem("Intrare fără drept", "dashboard.index", "nimeni.nu"),
        ]


pytestmark = pytest.mark.plugins(Widgets())


def test_dashboard_shows_the_widgets_the_user_may_see_in_order(app, place, admin_client, as_role):
    html = admin_client.get("/t/targu-secuiesc/").get_data(as_text=True)
    assert html.index("Doar administratorul") < html.index("Cifre pentru toți") < html.index("Stricat")
    assert "Valoare: 12.345" in html  # numbers in the page's language
    assert "Această secțiune nu poate fi afișată acum." in html  # a broken widget does not break the page
    viewer = as_role(Role.VIEWER, place.locality).get("/t/targu-secuiesc/").get_data(as_text=True)
    assert "Cifre pentru toți" in viewer and "Doar administratorul" not in viewer


def test_navigation_skips_broken_and_forbidden_entries(admin_client):
    html = admin_client.get("/t/targu-secuiesc/").get_data(as_text=True)
    assert "Intrare fără pagină" not in html and "Intrare fără drept" not in html
    assert "Panou" in html


def test_disabled_plugin_contributes_nothing(app, place, admin_client, post_form):
    post_form(admin_client, "/t/targu-secuiesc/admin/plugins/webwidgets", {"enabled": "0"})
    html = admin_client.get("/t/targu-secuiesc/").get_data(as_text=True)
    assert "Cifre pentru toți" not in html


def test_dashboard_of_a_person_in_two_tenants_offers_the_switch(app, place, make_user):
    user = make_user(roles={place.locality: Role.VIEWER, place.county: Role.COUNTY_COORDINATOR})
    html = login(app.test_client(), user).get("/t/targu-secuiesc/").get_data(as_text=True)
    assert '<a href="/t/targu-secuiesc/" aria-current="page">Municipiul Târgu Secuiesc</a>' in html
    assert '<a href="/t/covasna/">Județul Covasna</a>' in html
