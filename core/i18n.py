"""Languages: Romanian by default, Hungarian and English selectable (Flask-Babel)."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import Babel
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
