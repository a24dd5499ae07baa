"""Swagger UI served from this server (no CDN).

The files come from the installed ``swagger-ui-bundle`` package and are served
at ``OPENAPI_SWAGGER_UI_URL`` (``/static/vendor/swagger-ui/``). The page
itself is ``templates/swagger_ui.html`` (it replaces flask-smorest's), which
starts Swagger UI from ``static/js/swagger-init.js`` so the site's strict CSP
(``script-src 'self'``, no inline script) holds on the docs page too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, abort, send_from_directory

from core.access import require

CACHE_SECONDS = 7 * 24 * 3600


def swagger_ui_folder() -> Path | None:
    """Where the installed ``swagger-ui-bundle`` keeps Swagger UI's dist files."""
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    return Path(swagger_ui_bundle.swagger_ui_path)


@require("public")
def swagger_ui_file(filename: str) -> Any:
    """One file of Swagger UI's dist folder."""
    folder = swagger_ui_folder()
    if folder is None:
        abort(404)
    return send_from_directory(folder, filename, max_age=CACHE_SECONDS)


def init_app(app: Flask) -> None:
    """Serve Swagger UI's files at ``OPENAPI_SWAGGER_UI_URL``."""
    base = app.config.get("OPENAPI_SWAGGER_UI_URL")
    if not base or "://" in base:
        return
    app.add_url_rule(f"{base.rstrip('/')}/<path:filename>", endpoint="swagger_ui_file", view_func=swagger_ui_file)
