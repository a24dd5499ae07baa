"""Configuration from the environment.

| variable | meaning | default |
| --- | --- | --- |
| ``DATABASE_URL`` | the application's database (PostgreSQL as the non-owner role) | SQLite file in ``instance/`` |
| ``DATABASE_OWNER_URL`` | the owner's connection, for migrations | ``DATABASE_URL`` |
| ``DATABASE_MAINT_URL`` | the maintenance role (``vatra_maint``): the CLI's system scope | ``DATABASE_OWNER_URL`` |
| ``VATRA_AUDIT_KEY`` (``_FILE``) | the audit HMAC key, on app hosts only | ``instance/audit.key`` |
| ``REDIS_URL`` | Redis for rq jobs and rate limits | unset: in-process jobs |
| ``SECRET_KEY`` | session signing key; required outside debug | a development key in debug only |
| ``VATRA_PLUGINS`` | comma-separated allow-list of plugins | all installed |
| ``VATRA_FILES`` | where attachments and job results are stored | ``instance/files`` |
| ``VATRA_DEBUG`` | ``1`` for the development server | off |
| ``MAIL_SERVER`` | SMTP server for invitations and password links | unset: no e-mail |
| ``MAIL_PORT`` / ``MAIL_USE_TLS`` | its port; ``1`` for STARTTLS | ``25`` / off |
| ``MAIL_USERNAME`` / ``MAIL_PASSWORD`` | SMTP login, when the server needs one | unset |
| ``MAIL_DEFAULT_SENDER`` | the ``From`` address | ``vatra@localhost`` |
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

SESSION_IDLE_SECONDS = 8 * 3600
"""A session unused this long ends (and so does its forms' CSRF token)."""
DEV_SECRET_KEY = "vatra-development-key-do-not-use-in-production"  # noqa: S105 - refused outside debug


class ConfigError(RuntimeError):
    """The configuration cannot run the platform safely."""


def _normalise_db_url(url: str) -> str:
    # psycopg 3 is the driver; accept the plain scheme people copy from elsewhere
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask configuration from the environment and ``overrides``."""
    env = os.environ
    overrides = dict(overrides or {})
    debug = overrides.get("DEBUG", env.get("VATRA_DEBUG", "") in {"1", "true", "yes"})
    testing = overrides.get("TESTING", False)
    default_db = f"sqlite:///{Path(instance_path) / 'vatra.sqlite3'}"
    database_url = _normalise_db_url(overrides.pop("DATABASE_URL", env.get("DATABASE_URL", default_db)))
    owner_url = _normalise_db_url(
        overrides.pop("DATABASE_OWNER_URL", env.get("DATABASE_OWNER_URL", database_url))
    )
    maint_url = _normalise_db_url(overrides.pop("DATABASE_MAINT_URL", env.get("DATABASE_MAINT_URL", owner_url)))
    secret = overrides.get("SECRET_KEY", env.get("SECRET_KEY"))
    if not secret or secret == DEV_SECRET_KEY:
        if not (debug or testing):
            raise ConfigError(
                "SECRET_KEY is missing or is the development default; set a long random SECRET_KEY "
                "(e.g. python -c 'import secrets; print(secrets.token_hex(32))') or VATRA_DEBUG=1 for development."
            )
        secret = DEV_SECRET_KEY
    redis_url = overrides.pop("REDIS_URL", env.get("REDIS_URL")) or None
    plugins = overrides.pop("VATRA_PLUGINS", env.get("VATRA_PLUGINS"))
    config: dict[str, Any] = {
        "DEBUG": debug,
        "TESTING": testing,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATABASE_OWNER_URL": owner_url,
        "DATABASE_MAINT_URL": maint_url,
        "VATRA_AUDIT_KEY": env.get("VATRA_AUDIT_KEY") or None,
        "VATRA_AUDIT_KEY_FILE": env.get("VATRA_AUDIT_KEY_FILE") or None,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "VATRA_PLUGINS": [p for p in plugins.split(",") if p.strip()] if isinstance(plugins, str) else plugins,
        "VATRA_FILES": env.get("VATRA_FILES", str(Path(instance_path) / "files")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not (debug or testing),
        "REMEMBER_COOKIE_SECURE": not (debug or testing),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_CHECK_DEFAULT": False,  # the core decides: forms and cookie-authenticated API writes
        "WTF_CSRF_TIME_LIMIT": SESSION_IDLE_SECONDS,  # a form's token lives as long as an idle session
        "SESSION_IDLE_SECONDS": SESSION_IDLE_SECONDS,
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT") or 25),
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "") in {"1", "true", "yes"},
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER") or None,
        "BABEL_DEFAULT_LOCALE": "ro",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Bucharest",
        "LANGUAGES": ["ro", "hu", "en"],
        "LOGIN_RATE_LIMIT": "5 per minute",  # failed sign-ins per (account, address); successes never count
        "LOGIN_ADDRESS_RATE_LIMIT": "30 per 10 minutes",  # failed sign-ins per address, whatever the account
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "API_TITLE": "Vatra API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/static/vendor/swagger-ui/",
        "API_TOKEN_DAYS": 90,
        "AUDIT_ENABLED": True,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "JOBS_INLINE": redis_url is None,
    }
    if database_url.startswith("sqlite"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    config.update(overrides)
    return config
