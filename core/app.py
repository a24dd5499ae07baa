"""The application factory."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_migrate import Migrate
from werkzeug.routing import IntegerConverter

from core import access, errors, i18n, migrations, translation_domains
from core.apidoc import make_api
from core.config import load_config
from core.db import MAX_ID, db
from core.plugins import PluginHost
from core.ratelimit import limiter

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
migrate = Migrate(directory=MIGRATIONS, compare_type=True, render_as_batch=True)


@migrate.configure
def _plugin_branches(config: Any) -> Any:
    """Alembic sees the core's line and the branch of every installed (and in-process) plugin."""
    from flask import current_app

    host = current_app.extensions.get("vatra_plugins")
    return migrations.configure_alembic(config, host.plugins.values() if host else ())


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class IdConverter(IntegerConverter):
    """``<int:…>`` in URLs: an id the database's integer columns can hold, otherwise the route does not match (404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def create_app(config: dict[str, Any] | None = None, plugins: Iterable[Any] = ()) -> Flask:
    """Build a Vatra app.

    ``config`` overrides the environment (see :mod:`core.config`);
    ``plugins`` are extra plugin modules or objects registered in-process,
    besides those found through the ``vatra.plugins`` entry points.
    """
    app = Flask("core", instance_relative_config=True)
    app.url_map.converters["int"] = IdConverter
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(app.instance_path, config))

    db.init_app(app)
    migrate.init_app(app, db)
    i18n.init_app(app)
    limiter.init_app(app)
    errors.init_app(app)
    access.init_app(app)

    host = PluginHost()
    host.load(allow=app.config.get("VATRA_PLUGINS"), extra=plugins)
    host.init_app(app)

    api = make_api(app)
    app.extensions["vatra_api"] = api
    _register_core(app, api)
    _register_plugins(app, api, host)
    translation_domains.install(app, _plugin_folders(host))

    @app.after_request
    def _security_headers(response: Any) -> Any:
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        if not app.debug and not app.testing:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    with app.app_context():
        _configure_engine(db.engine)
    return app


def _register_core(app: Flask, api: Any) -> None:
    import core.aggregation  # noqa: F401 - its tables and its refresh job belong to every app
    from core.jobs_web import register as register_jobs
    from core.web import register as register_web

    register_web(app, api)
    register_jobs(app, api)


def _register_plugins(app: Flask, api: Any, host: PluginHost) -> None:
    for name, bp in host.collect("vatra_blueprints"):
        if name not in host.plugins:  # put in place by a wrapper: no plugin owns it
            app.logger.error("blueprint %s comes from no plugin: not registered", bp.name)
            continue
        prefix = f"/t/<tenant>{bp.url_prefix or '/' + name}"
        app.register_blueprint(bp, url_prefix=prefix)
        host.blueprint_owner[bp.name] = name
        host.plugins[name].blueprints.append(bp.name)
    for name, bp in host.collect("vatra_api_blueprints"):
        if name not in host.plugins:
            app.logger.error("API blueprint %s comes from no plugin: not registered", bp.name)
            continue
        prefix = f"/api/v1/t/<tenant>{bp.url_prefix or '/' + name}"
        api.register_blueprint(bp, url_prefix=prefix)
        host.blueprint_owner[bp.name] = name
        host.plugins[name].blueprints.append(bp.name)


def _plugin_folders(host: PluginHost) -> list[tuple[str, Path]]:
    folders = []
    for name, loaded in host.plugins.items():
        folder = migrations.package_dir(getattr(loaded.module, "__name__", ""))
        if folder is not None:
            folders.append((name, folder))
    return folders


def _configure_engine(engine: sa.Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    from tenants.collation import install_sqlite_collations

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        install_sqlite_collations(dbapi_connection)  # COLLATE "ro-RO-x-icu" as on PostgreSQL
