"""Plain-text helpers shared by the core and the plugins (no Flask, no database), and translatable messages."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

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


class Message(str):
    """A message of the domain layer (no Flask there): its Romanian text, and what a page needs to translate it.

    It *is* the Romanian string (APIs, logs and the audit use it as such);
    ``msgid`` and ``params`` let :func:`core.i18n.translate` show it in the
    reader's language. Decimal parameters are written the Romanian way here and
    in the reader's way on a page.
    """

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Message:
        """Build the message ``msgid % params``."""
        shown = {k: _romanian(v) for k, v in params.items()}
        message = super().__new__(cls, msgid % shown if params else msgid)
        message.msgid = msgid
        message.params = params
        return message

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.msgid, self.params))


def _rebuild(msgid: str, params: dict[str, Any]) -> Message:
    return Message(msgid, **params)


def _romanian(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_decimal(value, format="#,##0.00", locale="ro")
    return value


def N_(msgid: str, **params: Any) -> str:  # noqa: N802 - gettext's conventional "mark for translation" name
    """Mark a Romanian msgid for the catalogs; with ``params``, a :class:`Message` translated when shown."""
    return Message(msgid, **params) if params else msgid
