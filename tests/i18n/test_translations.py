"""Every string of the pages exists in Hungarian and English.

The test runs Babel's extractor over ``babel.cfg`` (the core's and the three
plugins' Python code and templates) and compares what it finds with the ONE
catalog in ``core/translations``: a msgid missing there, left empty or marked
fuzzy fails, as does a translation that drops or adds a ``%(name)s``
placeholder, or a compiled ``.mo`` older than its ``.po``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from core.app import create_app

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "core" / "translations"
LANGUAGES = ("hu", "en")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")


def _extracted() -> dict[str, list[str]]:
    """``{msgid: ["file:line", ...]}`` of every translatable string of the code and templates."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def extracted() -> dict[str, list[str]]:
    return _extracted()


def test_extraction_covers_the_core_and_every_plugin(extracted: dict[str, list[str]]) -> None:
    places = {place.split("/")[0] + "/" + place.split("/")[1] for places in extracted.values() for place in places}
    for folder in ("core/templates", "core/web", "plugins/prevention_plan", "plugins/pin_project"):
        assert folder in places, f"nothing extracted from {folder}: is babel.cfg complete?"
    assert "plugins/county_overview" in places
    assert "Plan de prevenire" in extracted  # a navigation label marked with N_()
    assert len(extracted) > 700


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_is_translated(extracted: dict[str, list[str]], lang: str) -> None:
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    problems = []
    for msgid, places in sorted(extracted.items()):
        message = catalog.get(msgid)
        where = places[0]
        if message is None:
            problems.append(f"missing: {msgid!r} ({where})")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where})")
        elif not message.string:
            problems.append(f"empty: {msgid!r} ({where})")
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(message.string)):
            problems.append(f"placeholders differ: {msgid!r} -> {message.string!r}")
    assert not problems, f"{len(problems)} untranslated {lang} strings; see babel.cfg for the commands:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_the_po(lang: str) -> None:
    folder = TRANSLATIONS / lang / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as fh:
        po = {m.id: m.string for m in read_po(fh) if m.id and m.string and not m.fuzzy}
    with (folder / "messages.mo").open("rb") as fh:
        mo = {m.id: m.string for m in read_mo(fh) if m.id}
    stale = sorted(k for k, v in po.items() if mo.get(k) != v)
    assert not stale, f"messages.mo of {lang} is stale (run pybabel compile -d core/translations): {stale[:5]}"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ro", "Autentificare"), ("hu", "Bejelentkezés"), ("en", "Sign in")],
)
def test_pages_speak_the_chosen_language(tmp_path: Path, lang: str, expected: str) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "i18n", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    html = app.test_client().get(f"/login?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert expected in html


def test_money_dates_and_months_follow_the_language(tmp_path: Path) -> None:
    import datetime as dt
    from decimal import Decimal

    from flask_babel import force_locale

    from core.i18n import format_day, format_money, month_name, translate
    from core.text import N_

    app = create_app({"TESTING": True, "SECRET_KEY": "i18n", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    refusal = N_(
        "Depășește suma rămasă pe linia „%(line)s” (rămas %(remaining)s lei)",
        line="Salarii",
        remaining=Decimal("1234.5"),
    )
    assert refusal == "Depășește suma rămasă pe linia „Salarii” (rămas 1.234,50 lei)"  # the Romanian text itself
    with app.test_request_context("/"):
        with force_locale("ro"):
            assert format_money(Decimal("1234.56")) == "1.234,56 lei"
            assert format_day(dt.date(2009, 11, 15)) == "15.11.2009"
            assert month_name(3) == "martie"
        with force_locale("hu"):
            assert format_money(Decimal("1234.56")) == "1\xa0234,56 lej"
            assert month_name(3) == "március"
            assert "Meghaladja" in translate(refusal) and "1\xa0234,50 lej" in translate(refusal)
        with force_locale("en"):
            assert format_money(Decimal("1234.56")) == "1,234.56 lei"
            assert format_day(dt.date(2009, 11, 15)) == "15 Nov 2009"
            assert translate(refusal) == "Exceeds what is left on the line “Salarii” (1,234.50 lei left)"


def test_cached_formatting_keeps_languages_and_zeros_apart(tmp_path: Path) -> None:
    from decimal import Decimal

    from flask import render_template_string
    from flask_babel import force_locale

    from core.i18n import format_number

    app = create_app({"TESTING": True, "SECRET_KEY": "i18n", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    with app.test_request_context("/"):
        for _ in range(2):  # the second round reads the cache
            with force_locale("ro"):
                assert format_number(Decimal("1234.5")) == "1.234,5"
                assert format_number(Decimal("-0")) == "0" and format_number(Decimal("0.0000")) == "0"
                assert render_template_string("{{ 12345|numberformat }} {{ 2.5|decimalformat('#,##0.##') }}") == (
                    "12.345 2,5")
            with force_locale("en"):
                assert format_number(Decimal("1234.5")) == "1,234.5"
                assert render_template_string("{{ 12345|numberformat }}") == "12,345"
