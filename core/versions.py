"""Optimistic locking over the API: the version of an object the client read, so a concurrent change answers 409."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_smorest import abort


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
