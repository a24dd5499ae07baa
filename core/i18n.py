"""Languages: Romanian by default, Hungarian and English selectable (Flask-Babel)."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

from babel import dates, numbers
from babel.dates import get_month_names
from flask import Flask, current_app, request, session
from flask_babel import format_date, get_locale, gettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from core import numbers as numbers_typed
from core.translation_domains import VatraBabel

babel = VatraBabel()


def select_locale() -> str:
    """``?lang=`` (remembered in the session), then the user's choice, then Romanian."""
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    try:
        if current_user and current_user.is_authenticated and current_user.locale in languages:
            return current_user.locale
    except SQLAlchemyError:  # the database is down: the 503 page still renders, in the default language
        pass
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    """Install Flask-Babel with the core's catalog (the plugins' join in :mod:`core.translation_domains`)."""
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    init_jinja(app)


# -- numbers, money and dates in the reader's language ------------------------------------------------

MONEY_FORMAT = "#,##0.00"


@functools.lru_cache(maxsize=8192)
def _decimal_text(number: Decimal | int, pattern: str | None, locale: str) -> str:
    # a county page formats thousands of cells, most of them the same few small numbers: Babel's formatting
    # showed as a fifth of the page's time in the profile (equal decimals format alike for a fixed pattern)
    return numbers.format_decimal(number, format=pattern, locale=locale)


def _format_decimal(number: Decimal | int, pattern: str | None) -> str:
    if not number:
        number = abs(number)  # -0 equals 0 for the cache but Babel writes it "-0": one zero for both
    return _decimal_text(number, pattern, str(get_locale()))


def _number_filter(value: Any) -> str:
    """Flask-Babel's ``numberformat`` filter, cached like the rest."""
    return _format_decimal(value, None)


def _decimal_filter(value: Any, format: str | None = None) -> str:
    """Flask-Babel's ``decimalformat`` filter, cached like the rest."""
    return _format_decimal(value, format)


def _date_filter(value: Any, format: str | None = None) -> str:
    """Flask-Babel's ``dateformat`` filter: a calendar day through the cache, a moment rebased as Flask-Babel does."""
    if value is None or isinstance(value, dt.datetime):  # a moment: shown on the reader's calendar
        return format_date(value, format)
    return _day_text(value, format or "medium", str(get_locale()))


def format_amount(value: Any) -> str:
    """An amount with two decimals in the current language: ``1.234,56`` (ro), ``1 234,56`` (hu), ``1,234.56``."""
    if value is None or value == "":
        return ""
    return _format_decimal(Decimal(str(value)), MONEY_FORMAT)


def format_money(value: Any) -> str:
    """An amount in lei in the current language: ``1.234,56 lei`` in Romanian."""
    if value is None or value == "":
        return "—"
    return gettext("%(amount)s lei", amount=format_amount(value))


def format_number(value: Any) -> str:
    """A quantity without useless decimals, in the current language (``1.234``, ``2,5``)."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return _format_decimal(number.to_integral_value(), "#,##0")
    return _format_decimal(number.normalize(), "#,##0.##########")


def format_percent(value: Any, digits: int = 1) -> str:
    """A percentage given in points (``12.5`` → ``12,5%`` in Romanian)."""
    if value is None or value == "":
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return gettext("%(value)s%%", value=_format_decimal(Decimal(str(value)), pattern))


DAY_PATTERNS = {"ro": "dd.MM.y", "hu": "y. MM. dd.", "en": "d MMM y"}


def format_day(day: Any) -> str:
    """A calendar day as people of the current language write it: ``15.11.2009``, ``2009. 11. 15.``, ``15 Nov 2009``."""
    if not day:
        return ""
    return _date_filter(day, DAY_PATTERNS.get(str(get_locale()), "medium"))


@functools.lru_cache(maxsize=4096)
def _day_text(day: Any, pattern: str, locale: str) -> str:
    return dates.format_date(day, pattern, locale=locale)


def month_name(month: int) -> str:
    """The month's name in the current language (``3`` → ``martie``, ``március``, ``March``)."""
    return get_month_names("wide", locale=get_locale())[int(month)]


def translate(message: Any) -> str:
    """Show a message of the domain layer in the current language.

    A :class:`core.text.Message` carries its Romanian msgid and parameters (numbers
    among them are formatted for the reader); any other string is looked up as a
    msgid as it is (the Romanian text itself when the catalog lacks it).
    """
    if not message:
        return message
    msgid = getattr(message, "msgid", None)
    if msgid is None:
        return gettext(str(message))
    params = {k: format_amount(v) if isinstance(v, Decimal) else v for k, v in message.params.items()}
    return gettext(msgid, **params)


def number_example(kind: str = "decimal") -> str:
    """How a reader of the current language types a number of ``kind`` (``1.234,56`` in Romanian): form hints."""
    return numbers_typed.number_example(str(get_locale()), kind)


def init_jinja(app: Flask) -> None:
    """The templates' filters for money, numbers, percentages and month names; ``number_example()`` for hints."""
    app.jinja_env.globals["number_example"] = number_example
    app.jinja_env.filters.update(
        money=format_money,
        amount=format_amount,
        number=format_number,
        percent=format_percent,
        month_name=month_name,
        day=format_day,
        translate=translate,
        numberformat=_number_filter,
        decimalformat=_decimal_filter,
        dateformat=_date_filter,
    )
