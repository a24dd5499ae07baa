"""Romanian and Hungarian alphabetical order, in Python and in SQL, the same.

PyICU has no binary wheel for this platform (only a source archive that needs
a C++ toolchain and the ICU headers at install time), so the Python side is a
sort key built from the two alphabets as CLDR defines them (what ICU, and so
PostgreSQL's ``"ro-RO-x-icu"`` / ``"hu-HU-x-icu"`` collations, implement):

* ro: ``a ă â b c … i î j … s ș t ț u …`` — ă, â, î, ș, ț are letters of
  their own, right after their base letter (ş and ţ with cedilla are the
  same letters as ș and ț);
* hu: ``a á … c cs d dz dzs e é … g gy … l ly … n ny o ó ö ő … s sz t ty u ú ü ű
  … z zs`` — the digraphs are letters, ö/ő and ü/ű follow o and u, the
  acute accents only break ties (as do ă, â, î, ș, ț);

then, as ICU does, the whole string is compared letter by letter on the base
letters first (space < hyphen < full stop < digits < letters), then on the
accents, then on the case. ``tests/tenants/test_collation.py`` checks on the
real PostgreSQL that this key orders the whole SIRUTA catalog exactly as
``ORDER BY … COLLATE "ro-RO-x-icu"`` (and hu) does.

Names sort without their unit prefix: "Municipiul Slatina" is filed under S
(:func:`sort_name`, :func:`sort_name_sql`).
"""

from __future__ import annotations

import functools
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import sqlalchemy as sa

T = TypeVar("T")

PREFIXES = ("Municipiul ", "Orașul ", "Oraşul ", "Oraș ", "Oraş ", "Comuna ", "Județul ", "Judeţul ")
"""Unit prefixes of display names that are not part of the sort key (longest first where one starts another)."""

COLLATIONS = {"ro": "ro-RO-x-icu", "hu": "hu-HU-x-icu"}
"""The PostgreSQL ICU collation of each reader language (others sort as Romanian)."""

_PUNCTUATION = " _-,;:!?.'\"()[]{}/&#%+<=>|~$"
# secondary weights (accents) in ICU's root order; 0 is "no accent"
_ACCENTS = {
    "\u0301": 1,  # acute
    "\u0300": 2,  # grave
    "\u0306": 3,  # breve
    "\u0302": 4,  # circumflex
    "\u030c": 5,  # caron
    "\u030a": 6,  # ring
    "\u0308": 7,  # diaeresis
    "\u030b": 8,  # double acute
    "\u0303": 9,  # tilde
    "\u0307": 10,  # dot above
    "\u0327": 11,  # cedilla
    "\u0326": 12,  # comma below
    "\u0328": 13,  # ogonek
    "\u0304": 14,  # macron
}

# (letter sequence, the base letter it follows, its secondary weight within that letter)
_RO_LETTERS = {"ă": "a", "â": "ă", "î": "i", "ș": "s", "ț": "t"}
_RO_SAME = {"ş": "ș", "ţ": "ț"}
_HU_LETTERS = {
    "cs": "c", "dz": "d", "dzs": "dz", "gy": "g", "ly": "l", "ny": "n", "ö": "o", "sz": "s", "ty": "t",
    "ü": "u", "zs": "z",
}
_HU_VARIANTS = {"ő": ("ö", 8), "ű": ("ü", 8)}  # ő is ö with a double acute, a tie-breaker only
_HU_DIGRAPHS = ("dzs", "cs", "dz", "gy", "ly", "ny", "sz", "ty", "zs")


def _alphabet(extra: dict[str, str]) -> dict[str, int]:
    """Primary weights: punctuation, digits, a–z, with ``extra`` letters right after the one each follows."""
    order: list[str] = list(_PUNCTUATION) + list("0123456789")
    letters = list("abcdefghijklmnopqrstuvwxyz")
    for letter, after in extra.items():
        letters.insert(letters.index(after) + 1, letter)
    order += letters
    return {ch: i + 1 for i, ch in enumerate(order)}


_PRIMARY = {"ro": _alphabet(_RO_LETTERS), "hu": _alphabet(_HU_LETTERS)}
_UNKNOWN = 10_000


def sort_name(name: str) -> str:
    """``name`` without its unit prefix: "Municipiul Slatina" → "Slatina", "Județul Olt" → "Olt"."""
    for prefix in PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):]
    return name


def _elements(text: str, lang: str) -> Iterable[tuple[int, int, int]]:
    """(primary, secondary, tertiary) of each collation element of ``text`` in ``lang``.

    The text is decomposed (NFD) so that a letter's accents follow it; as in
    ICU, a Hungarian digraph is formed by base letters even when the second
    carries an accent ("cș" in Bucșani is "cs" with a comma below).
    """
    chars = unicodedata.normalize("NFD", text)
    i = 0
    while i < len(chars):
        found = _hu_digraph(chars, i) if lang == "hu" else None
        if found is not None:
            base, used, doubled = found
            case = _case(chars[i:i + used])
        else:
            base, used, doubled = chars[i].lower(), 1, False
            case = 0 if chars[i] == base else 1
        i += used
        start = i
        while i < len(chars) and unicodedata.combining(chars[i]):
            i += 1
        marks = chars[start:i]
        weight, accent = _weigh(base, marks, lang)
        if weight is None:
            continue
        for _ in range(2 if doubled else 1):
            yield weight, accent, case


def _weigh(base: str, marks: str, lang: str) -> tuple[int | None, int]:
    """The primary and secondary weight of ``base`` (a letter or a digraph) with its combining ``marks``."""
    primary = _PRIMARY[lang]
    composed = unicodedata.normalize("NFC", base + marks) if marks else base
    if lang == "ro":
        composed = _RO_SAME.get(composed, composed)
        if composed in primary:
            return primary[composed], 0
    else:
        if composed in ("ö", "ü"):
            return primary[composed], 0
        if composed in _HU_VARIANTS:
            letter, accent = _HU_VARIANTS[composed]
            return primary[letter], accent
    if base in primary:
        return primary[base], _accent(marks)
    if unicodedata.combining(base):
        return None, 0
    return _UNKNOWN + ord(base), _accent(marks)


def _accent(marks: str) -> int:
    return sum(_ACCENTS.get(m, 15) * 16 ** n for n, m in enumerate(reversed(marks)))


def _hu_digraph(text: str, i: int) -> tuple[str, int, bool] | None:
    """The Hungarian digraph at ``text[i]`` (longest first), how many characters it takes and whether doubled."""
    low = text[i:i + 4].lower()
    for digraph in _HU_DIGRAPHS:
        if low.startswith(digraph):
            return digraph, len(digraph), False
        if low[:1] == digraph[0] and low[1:].startswith(digraph) and digraph[0] != "d":
            return digraph, len(digraph) + 1, True  # "ssz" is "sz" twice, "nny" is "ny" twice
    return None


def _case(chars: str) -> int:
    return 0 if chars == chars.lower() else 1 if chars[1:] == chars[1:].lower() else 2


@functools.lru_cache(maxsize=16_384)  # the country's names in both languages: a page sorts from memory
def sort_key(text: str, lang: str = "ro") -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The key that orders ``text`` as ICU's ``lang`` collation does (``ro`` or ``hu``; others as ``ro``)."""
    lang = lang if lang in _PRIMARY else "ro"
    elements = list(_elements(text, lang))
    return (
        tuple(p for p, _s, _t in elements),
        tuple(s for _p, s, _t in elements),
        tuple(t for _p, _s, t in elements),
    )


def name_key(name: str, lang: str = "ro") -> tuple[tuple[int, ...], ...]:
    """The sort key of a locality's or county's name: its :func:`sort_name` in ``lang``."""
    return sort_key(sort_name(name), lang)


def sorted_by_name(items: Iterable[T], name: Callable[[T], str], lang: str = "ro") -> list[T]:
    """``items`` in alphabetical order of ``name(item)`` without the unit prefix, in ``lang``."""
    return sorted(items, key=lambda item: name_key(name(item), lang))


def collation(lang: str) -> str:
    """The PostgreSQL collation for ``lang`` (Romanian unless it is Hungarian)."""
    return COLLATIONS.get(lang, COLLATIONS["ro"])


def sort_name_sql(column: Any) -> sa.ColumnElement[str]:
    """SQL for :func:`sort_name` of ``column`` (the prefixes cut with ``substr``, in SQLite and PostgreSQL)."""
    whens = [(column.like(f"{prefix}_%"), sa.func.substr(column, len(prefix) + 1)) for prefix in PREFIXES]
    return sa.case(*whens, else_=column)


def name_order(column: Any, lang: str = "ro") -> sa.ColumnElement[str]:
    """An ``ORDER BY`` term: ``column`` without its prefix, collated for ``lang``."""
    return sort_name_sql(column).collate(collation(lang))


def install_sqlite_collations(connection: sqlite3.Connection) -> None:
    """Give a SQLite connection the two ICU collations' names, backed by :func:`sort_key`.

    The embedded default (SQLite) then runs the same ``COLLATE "ro-RO-x-icu"``
    SQL as PostgreSQL.
    """
    for lang, name in COLLATIONS.items():
        connection.create_collation(name, _comparer(lang))


def _comparer(lang: str) -> Callable[[str, str], int]:
    def compare(a: str, b: str) -> int:
        ka, kb = sort_key(a, lang), sort_key(b, lang)
        return (ka > kb) - (ka < kb) or (a > b) - (a < b)

    return compare


def reader_lang() -> str:
    """The reader's language for sorting: ``hu`` for a Hungarian page, else ``ro`` (also outside a request)."""
    try:
        from flask_babel import get_locale

        locale = get_locale()
    except (ImportError, RuntimeError, KeyError, AttributeError):
        return "ro"
    return "hu" if locale is not None and locale.language == "hu" else "ro"
