"""Numbers people type: what a number is (its kind) and the ONE parser of every form and import.

A text is read in the reader's language only: ASCII digits, that language's
group and decimal separators (``1.234,56`` in Romanian, ``1 234,56`` in
Hungarian, ``1,234.56`` in English) and a leading minus, then Babel's strict
:func:`babel.numbers.parse_decimal`. So ``1.000`` is one thousand for a
Romanian reader and refused as a count for an English one (a count has no
decimals), never silently 1. Numbers that arrive as numbers (JSON, numeric
Excel cells) go through :func:`check_number`, which enforces the same kind and
maximum.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal, get_args

from babel.numbers import NumberFormatError, format_decimal, get_decimal_symbol, get_group_symbol, parse_decimal

from core.text import N_

NumberKind = Literal["count", "decimal", "money", "percent"]
KINDS: tuple[str, ...] = get_args(NumberKind)

PLACES: dict[str, int] = {"count": 0, "decimal": 4, "money": 2, "percent": 2}
"""How many decimals each kind may have."""

CEILING: dict[str, Decimal] = {
    "count": Decimal(10**12 - 1),
    "decimal": Decimal(10**12 - 1),
    "money": Decimal(10**12 - 1),  # a Money column is Numeric(14, 2)
    "percent": Decimal(100),
}
"""The largest value of a kind when the caller names no plausible maximum."""

_DIGITS = frozenset("0123456789")
_SPACES = frozenset(" \u00a0\u202f")
_EXAMPLE = {
    "count": Decimal(1234),
    "decimal": Decimal("1234.5"),
    "money": Decimal("1234.56"),
    "percent": Decimal("12.5"),
}
_PATTERN = {"count": "#,##0", "money": "#,##0.00"}


class NumberError(ValueError):
    """A number that cannot be accepted; ``message`` says why (a :class:`core.text.Message`, Romanian msgid)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown number kind {kind!r} (one of {', '.join(KINDS)})")
    return kind


def number_text(value: Decimal | int | None, locale: str, kind: str = "decimal") -> str:
    """``value`` written the way a reader of ``locale`` types it: ``1.000``, ``2,5``, ``1 234,56``.

    What :func:`parse_number` reads back to the same value (no currency, no
    percent sign); empty for ``None``.
    """
    if value is None:
        return ""
    number = Decimal(value)
    pattern = _PATTERN.get(_kind(kind))
    if pattern is None:
        normal = number.normalize()
        pattern = "#,##0" if normal == normal.to_integral_value() else "#,##0." + "#" * max(PLACES[kind], 1)
        number = number.to_integral_value() if pattern == "#,##0" else normal
    if not number:
        number = abs(number)
    return format_decimal(number, format=pattern, locale=locale, decimal_quantization=kind != "decimal")


def number_example(locale: str, kind: str = "decimal") -> str:
    """An example of the kind as typed in ``locale`` (``1.234,56`` for money in Romanian, ``1,234.56`` in English)."""
    return number_text(_EXAMPLE[_kind(kind)], locale, kind)


def parse_number(
    text: str, locale: str, kind: str = "decimal", *, max: Decimal | int | None = None, negative: bool = False
) -> Decimal:
    """Read ``text`` typed by a reader of ``locale`` as a number of ``kind``; :class:`NumberError` says why not.

    Only ASCII digits, the locale's group and decimal separators and a leading
    ``-`` are accepted (a typed space is read as the Hungarian non-breaking
    group separator; ``1_000``, other scripts' digits and letters are
    refused); a count refuses any decimal separator; then the value must fit
    the kind (:func:`check_number`).
    """
    _kind(kind)
    raw = str(text)
    cleaned = raw.strip()
    example = number_example(locale, kind)
    if not cleaned:
        raise NumberError(N_("Scrieți un număr (exemplu: %(example)s).", example=example))
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
    if group in _SPACES:
        cleaned = "".join(group if ch in _SPACES else ch for ch in cleaned)
    body = cleaned[1:] if cleaned[0] in "-\u2212" else cleaned
    if cleaned[0] == "\u2212":
        cleaned = "-" + body
    if any(ch.isalpha() for ch in body):
        raise NumberError(
            N_(
                "„%(value)s” nu este un număr: conține litere (exemplu: %(example)s).",
                value=raw.strip(),
                example=example,
            )
        )
    strange = sorted({ch for ch in body if ch not in _DIGITS and ch not in (group, decimal)})
    if strange:
        shown = " ".join(f"„{ch}”" for ch in strange)
        raise NumberError(
            N_(
                "„%(value)s” nu este un număr: conține %(chars)s; folosiți doar cifre (exemplu: %(example)s).",
                value=raw.strip(),
                chars=shown,
                example=example,
            )
        )
    if kind == "count" and decimal in body:
        raise NumberError(
            N_(
                "„%(value)s” are zecimale; aici se scrie un număr întreg (exemplu: %(example)s).",
                value=raw.strip(),
                example=example,
            )
        )
    if not any(ch in _DIGITS for ch in body):
        raise NumberError(
            N_("„%(value)s” nu este un număr (exemplu: %(example)s).", value=raw.strip(), example=example)
        )
    try:
        number = parse_decimal(cleaned, locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation):
        raise NumberError(
            N_(
                "„%(value)s” nu este scris corect: miile se despart cu „%(group)s”, zecimalele cu „%(decimal)s” "
                "(exemplu: %(example)s).",
                value=raw.strip(),
                group=group,
                decimal=decimal,
                example=example,
            )
        ) from None
    return check_number(number, kind, max=max, negative=negative, locale=locale)


def check_number(
    value: Any, kind: str = "decimal", *, max: Decimal | int | None = None, negative: bool = False, locale: str = "ro"
) -> Decimal:
    """Check a number that arrived as a number (JSON, a numeric Excel cell) against ``kind`` and ``max``.

    Returns it as a ``Decimal``; floats are read through their shortest text
    (``0.1`` is ``Decimal("0.1")``); booleans, texts and non-finite values are
    refused with :class:`NumberError`. ``locale`` writes the maximum in the
    message.
    """
    _kind(kind)
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise NumberError(N_("Nu este un număr."))
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise NumberError(N_("Nu este un număr."))
    if number < 0 and not negative:
        raise NumberError(N_("Valoarea nu poate fi negativă."))
    places = PLACES[kind]
    if number != number.to_integral_value() and -number.normalize().as_tuple().exponent > places:  # type: ignore[operator]
        if places == 0:
            raise NumberError(N_("Aici se scrie un număr întreg, fără zecimale."))
        raise NumberError(N_("Cel mult %(count)s zecimale.", count=places))
    limit = CEILING[kind] if max is None else Decimal(max)
    if abs(number) > limit:
        raise NumberError(
            N_("Valoarea depășește maximul plauzibil (%(max)s).", max=number_text(limit, locale, kind))
        )
    return number
