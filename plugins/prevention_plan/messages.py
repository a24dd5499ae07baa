"""The domain's refusals in the reader's language (pages and API): :func:`core.api.translate` plus nested labels.

The services raise Romanian :class:`core.text.Message` objects (``N_(msgid, **params)``);
a parameter may itself be a message (a status label) or a :class:`services.Labels`
list of labels; those are translated as well before the message is filled in.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from core.toolkit import Message, translate
from plugins.prevention_plan.services import QUOTED, Labels


def _param(value: Any) -> Any:
    if isinstance(value, Labels):
        return ", ".join(gettext(QUOTED, label=gettext(item)) for item in value.items)
    if isinstance(value, Message):
        return shown(value)
    return value


def shown(message: Any) -> Any:
    """``message`` in the current language; a message without msgid is looked up as it is (Romanian fallback)."""
    params = getattr(message, "params", None)
    if params and any(isinstance(v, Message | Labels) for v in params.values()):
        filled = {k: _param(v) for k, v in params.items()}
        return translate(Message(message.msgid, **filled))
    return translate(message)


def shown_errors(errors: Any) -> Any:
    """Field errors (a mapping of lists, possibly nested) with every message in the current language."""
    if isinstance(errors, dict):
        return {key: shown_errors(value) for key, value in errors.items()}
    if isinstance(errors, list | tuple):
        return [shown_errors(value) for value in errors]
    if isinstance(errors, str):
        return shown(errors)
    return errors
