"""Optimistic locking: the version of an object the client read, checked so a concurrent change answers 409.

A model declares ``version: Mapped[int]`` and ``__mapper_args__ =
{"version_id_col": version}``; a handler takes the version the client read
with :func:`client_version` and compares it with :func:`check_version`.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_smorest import abort

from core.domain_errors import StaleVersion


def client_version(data: dict[str, Any]) -> int:
    """Take the version the client read: ``version`` of the body (removed from ``data``), else ``If-Match``.

    Answers 422 naming ``version`` when neither is sent: an edit that does not
    say which state it started from could silently overwrite someone else's.
    """
    sent = data.pop("version", None)
    if sent is not None:
        return int(sent)
    raw = (request.headers.get("If-Match") or "").strip().removeprefix("W/").strip('"')
    if raw.isascii() and raw.isdigit() and len(raw) < 19:
        return int(raw)
    abort(
        422,
        message=_("Lipsește versiunea citită."),
        errors={"json": {"version": [_("Câmp obligatoriu (sau antetul If-Match).")]}},
    )
    raise AssertionError  # unreachable: abort raises


def check_version(obj: Any, expected: int | None) -> None:
    """Refuse with :class:`~core.domain_errors.StaleVersion` when the client read another version of ``obj``.

    ``obj`` has an integer ``version`` (the mapper's ``version_id_col``);
    ``expected`` is what :func:`client_version` took from the request (``None``:
    nothing to compare, e.g. a form that predates versions). The flush then
    checks once more in the database, so a save racing this one answers 409 too.
    """
    if expected is not None and int(expected) != obj.version:
        raise StaleVersion(obj.version)
