"""The web shell and the core's own pages and API."""

from __future__ import annotations

from typing import Any

from flask import Flask


def register(app: Flask, api: Any) -> None:
    """Register the core's blueprints (pages and API) on ``app``."""
