"""One DomainError hierarchy, mapped once: 422/404/409 with field and reason for the API, the error page or
form errors for pages, and nothing half-written."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, IntegerField, StringField
from wtforms import Form as PlainForm

from core import tenancy
from core.plugins import PluginHost
from core.testing import login
from core.toolkit import (
    N_,
    ApiBlueprint,
    Conflict,
    Invalid,
    NotFound,
    Permission,
    PluginInfo,
    Role,
    StaleVersion,
    apply_form_errors,
    check_version,
    current_tenant,
    db,
    hookimpl,
    require,
)

pages = Blueprint("refusals", __name__, url_prefix="/refusals")
api = ApiBlueprint("refusals_api", __name__, url_prefix="/refusals")


class _Versioned:
    version = 3


def _refuse(kind: str) -> None:
    if kind == "invalid":
        raise Invalid(budget=N_("Câmp obligatoriu."), rows={"0": {"value": [N_("Nu este un număr.")]}})
    if kind == "missing":
        raise NotFound()
    if kind == "conflict":
        raise Conflict(N_("Operațiunea nu este posibilă în starea actuală a obiectului."))
    if kind == "stale":
        check_version(_Versioned(), 2)


@pages.get("/<kind>")
@require("refusals.view")
def page(kind: str) -> str:
    _refuse(kind)
    return "nimic refuzat"


@api.route("/<kind>", methods=["POST"])
@api.response(200)
@require("refusals.view")
def api_refuse(kind: str) -> dict[str, Any]:
    tenant = current_tenant()
    with tenancy.system_context():
        plugins: PluginHost = api_refuse.host  # type: ignore[attr-defined]
        plugins.set_enabled("hello", tenant, False)  # a write before the refusal
        db.session.flush()
    _refuse(kind)
    return {"ok": True}


class Refusals:
    @hookimpl
    def vatra_plugin_info(self) -> PluginInfo:
        return PluginInfo("refusals", "Refuzuri", "0.1", "Modul de test", frozenset({"locality"}))

    @hookimpl
    def vatra_permissions(self) -> list[Permission]:
        return [Permission("refusals.view", "Vede refuzurile", frozenset({Role.SOCIAL_WORKER}))]

    @hookimpl
    def vatra_blueprints(self) -> list[Blueprint]:
        return [pages]

    @hookimpl
    def vatra_api_blueprints(self) -> list[ApiBlueprint]:
        return [api]


pytestmark = pytest.mark.plugins(Refusals())


@pytest.fixture
def worker(app, make_tenant, make_user, api_headers):  # type: ignore[no-untyped-def]
    api_refuse.host = app.extensions["vatra_plugins"]  # type: ignore[attr-defined]
    tenant = make_tenant()
    user = make_user(tenant, Role.SOCIAL_WORKER)
    return tenant, login(app.test_client(), user), api_headers(user, tenant)


@pytest.mark.parametrize(
    ("kind", "status", "message", "errors"),
    [
        (
            "invalid",
            422,
            "Datele trimise nu sunt valide.",
            {"json": {"budget": ["Câmp obligatoriu."], "rows": {"0": {"value": ["Nu este un număr."]}}}},
        ),
        ("missing", 404, "Pagina sau obiectul cerut nu există.", None),
        ("conflict", 409, "Operațiunea nu este posibilă în starea actuală a obiectului.", None),
        ("stale", 409, "Obiectul a fost modificat între timp de altcineva. Reîncărcați și încercați din nou.", None),
    ],
)
def test_the_api_answers_a_refusal_with_its_status_and_writes_nothing(app, worker, kind, status, message, errors):
    tenant, _client, headers = worker
    response = app.test_client().post(f"/api/v1/t/{tenant.slug}/refusals/{kind}", headers=headers)
    assert response.status_code == status
    body = response.get_json()
    assert body["code"] == status and body["message"] == message
    assert body.get("errors") == errors
    with app.app_context():
        assert app.extensions["vatra_plugins"].is_enabled("hello", tenant)  # the write before was rolled back


def test_the_reasons_are_in_the_readers_language(app, worker):
    tenant, _client, headers = worker
    response = app.test_client().post(f"/api/v1/t/{tenant.slug}/refusals/invalid?lang=en", headers=headers)
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["budget"] == ["Required field."]


def test_a_page_shows_the_refusal_on_the_error_page(worker):
    tenant, client, _headers = worker
    invalid = client.get(f"/t/{tenant.slug}/refusals/invalid")
    assert invalid.status_code == 422
    assert "Câmp obligatoriu." in invalid.data.decode() and "Nu este un număr." in invalid.data.decode()
    conflict = client.get(f"/t/{tenant.slug}/refusals/conflict")
    assert conflict.status_code == 409
    assert "Operațiunea nu este posibilă în starea actuală a obiectului." in conflict.data.decode()
    assert client.get(f"/t/{tenant.slug}/refusals/missing").status_code == 404
    assert client.get(f"/t/{tenant.slug}/refusals/none").data.decode() == "nimic refuzat"


class Row(PlainForm):
    value = IntegerField()


class Address(PlainForm):
    street = StringField()


class EditForm(FlaskForm):
    title = StringField()
    rows = FieldList(FormField(Row), min_entries=2)
    address = FormField(Address)


def test_a_form_gets_the_field_errors_next_to_its_fields(app):
    with app.test_request_context("/?lang=en"):
        form = EditForm(meta={"csrf": False})
        refusal = Invalid(
            {"title": [N_("Câmp obligatoriu.")], "rows.1.value": [N_("Nu este un număr.")], "nowhere": ["Altceva"]},
        )
        left = apply_form_errors(form, refusal)
        address_left = apply_form_errors(form, Invalid({"where.street": ["Strada lipsește"]}), {"where": "address"})
        assert form.title.errors == ["Required field."]
        assert form.rows.entries[1].form.value.errors == ["Not a number."]
        assert form.rows.entries[0].form.value.errors in ([], ())
        assert form.address.form.street.errors == ["Strada lipsește"]
        assert left == ["Altceva"] and address_left == []
        assert apply_form_errors(form, Conflict()) == ["The operation is not possible in the object's current state."]


def test_check_version_refuses_another_version_with_the_current_one():
    check_version(_Versioned(), 3)
    check_version(_Versioned(), None)
    with pytest.raises(StaleVersion) as refused:
        check_version(_Versioned(), 2)
    assert refused.value.current == 3 and refused.value.status == 409
