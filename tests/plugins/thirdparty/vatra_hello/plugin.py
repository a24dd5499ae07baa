"""A minimal third-party plugin: installed with pip, found by entry point."""

from __future__ import annotations

from flask import Blueprint

from core.toolkit import ApiBlueprint, JobSpec, NavItem, Permission, PluginInfo, Role, hookimpl, require
from vatra_hello import models  # noqa: F401 - its table (the jobs' effect) is created with the others

pages = Blueprint("hello", __name__, url_prefix="/hello")
api = ApiBlueprint("hello_api", __name__, url_prefix="/hello", description="Salut de la un modul terț.")


@pages.get("/")
@require("hello.view")
def index() -> str:
    return "Salut din modulul terț!"


@api.route("/")
@api.response(200)
@require("hello.view")
def greet() -> dict[str, str]:
    return {"greeting": "Salut!"}


@hookimpl
def vatra_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="hello",
        label="Salut",
        version="1.2.0",
        description="Modul terț de test.",
        default_kinds=frozenset({"locality"}),
    )


@hookimpl
def vatra_permissions() -> list[Permission]:
    return [Permission("hello.view", "Vede salutul", frozenset(Role))]


@hookimpl
def vatra_blueprints() -> list[Blueprint]:
    return [pages]


@hookimpl
def vatra_api_blueprints() -> list[ApiBlueprint]:
    return [api]


@hookimpl
def vatra_navigation(tenant, user) -> list[NavItem]:  # type: ignore[no-untyped-def]
    return [NavItem("Salut", "hello.index", "hello.view", order=900)]


@hookimpl
def vatra_jobs() -> list[JobSpec]:
    from vatra_hello import jobs

    return [
        JobSpec("hello.slow", jobs.slow, queue="exports", timeout=120, retries=2, label="Salut lent"),
        JobSpec("hello.flaky", jobs.flaky, queue="default", timeout=60, retries=3, label="Salut cu eșecuri"),
        JobSpec("hello.crash", jobs.crash, queue="default", timeout=60, retries=2, label="Salut cu cădere"),
    ]
