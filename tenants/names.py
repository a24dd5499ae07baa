"""Romanian names: spelling-insensitive search keys, slugs and display forms.

Official SIRUTA names are upper case with comma-below diacritics (Ș, Ț);
people type cedilla forms (ş, ţ), no diacritics at all, or the pre-1993
spelling with î inside words ("Tîrgu" for "Târgu"). Two keys per name make
all of these meet: one folds â/î to ``a``, the other to ``i``.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")
_PREFIXES = ("MUNICIPIUL ", "ORAȘ ", "ORAŞ ", "JUDEȚUL ", "JUDEŢUL ")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_keys(text: str) -> tuple[str, str]:
    """Two lower-case ASCII keys of ``text``: â/î read as ``a``, then as ``i``."""
    lowered = text.casefold()
    as_a = _strip_marks(lowered.replace("â", "a").replace("î", "a"))
    as_i = _strip_marks(lowered.replace("â", "i").replace("î", "i"))
    return _squash(as_a), _squash(as_i)


def _squash(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", text).split())


def slugify(text: str) -> str:
    """A URL slug: ASCII, lower case, words joined by hyphens."""
    return _NON_WORD.sub("-", _strip_marks(text.casefold())).strip("-")


def short_name(official: str) -> str:
    """The name without its unit prefix: "MUNICIPIUL TÂRGU SECUIESC" → "TÂRGU SECUIESC"."""
    for prefix in _PREFIXES:
        if official.startswith(prefix):
            return official[len(prefix) :]
    return official


def display_name(official: str) -> str:
    """Title-cased official name: "MUNICIPIUL TÂRGU SECUIESC" → "Municipiul Târgu Secuiesc"."""
    words = re.split(r"([ \-])", official.lower())
    small = {"de", "din", "pe", "la", "cu", "și", "sub"}
    out = []
    for i, word in enumerate(words):
        out.append(word if (i > 0 and word in small) else word[:1].upper() + word[1:])
    return "".join(out)
