"""Plain-text helpers shared by the core and the plugins (no Flask, no database)."""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"\s+")


def normalise_whitespace(text: str) -> str:
    """Return ``text`` with every run of whitespace collapsed to one space.

    Tabs, newlines, carriage returns, non-breaking spaces and any other
    Unicode whitespace count as whitespace. Leading and trailing whitespace
    is removed. Nothing else is changed: case, diacritics and punctuation are
    kept as they are, so the result can be compared with ``in`` / ``==``
    against other normalised text.

    >>> normalise_whitespace("  Număr de copii\\tidentificați\\n")
    'Număr de copii identificați'
    """
    return _WHITESPACE.sub(" ", text).strip()
