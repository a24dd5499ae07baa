"""Languages: Romanian by default, Hungarian and English selectable (Flask-Babel)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.dates import get_month_names
from flask import Flask, current_app, request, session
from flask_babel import Babel, format_date, format_decimal, get_locale, gettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

babel = Babel()


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
    """Install Flask-Babel with the core's and the plugins' translation folders."""
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    init_jinja(app)


# -- numbers, money and dates in the reader's language ------------------------------------------------

MONEY_FORMAT = "#,##0.00"


def format_amount(value: Any) -> str:
    """An amount with two decimals in the current language: ``1.234,56`` (ro), ``1 234,56`` (hu), ``1,234.56``."""
    if value is None or value == "":
        return ""
    return format_decimal(Decimal(str(value)), format=MONEY_FORMAT)


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
        return format_decimal(number.to_integral_value(), format="#,##0")
    return format_decimal(number.normalize(), format="#,##0.##########")


def format_percent(value: Any, digits: int = 1) -> str:
    """A percentage given in points (``12.5`` → ``12,5%`` in Romanian)."""
    if value is None or value == "":
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return gettext("%(value)s%%", value=format_decimal(Decimal(str(value)), format=pattern))


DAY_PATTERNS = {"ro": "dd.MM.y", "hu": "y. MM. dd.", "en": "d MMM y"}


def format_day(day: Any) -> str:
    """A calendar day as people of the current language write it: ``15.11.2009``, ``2009. 11. 15.``, ``15 Nov 2009``."""
    if not day:
        return ""
    return format_date(day, DAY_PATTERNS.get(str(get_locale()), "medium"))


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


def init_jinja(app: Flask) -> None:
    """The templates' filters for money, numbers, percentages and month names."""
    app.jinja_env.filters.update(
        money=format_money,
        amount=format_amount,
        number=format_number,
        percent=format_percent,
        month_name=month_name,
        day=format_day,
        translate=translate,
    )
