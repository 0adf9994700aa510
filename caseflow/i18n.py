"""Locale selection (Chinese by default, English on request) and template helpers."""
from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, session
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from caseflow import clock
from caseflow.extensions import babel


def select_locale() -> str:
    """The user's saved choice, else the session's, else zh_CN."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands, background work: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    for candidate in (getattr(g, "forced_locale", None), user_locale, session.get("lang")):
        if candidate in languages:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def is_english() -> bool:
    """True when the current locale is English."""
    return str(get_locale()).startswith("en")


def label(pair: tuple[str, str] | str) -> str:
    """Pick the zh or en side of a (zh, en) label pair; translate a plain msgid."""
    if isinstance(pair, tuple | list):
        return pair[1] if is_english() else pair[0]
    return _(pair)


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and expose formatting helpers to templates."""
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")

    @app.context_processor
    def _helpers() -> dict:
        return {
            "current_locale": str(get_locale()),
            "label": label,
            "fmt_date": lambda d: format_date(d, "yyyy-MM-dd") if d else "",
            "fmt_dt": lambda dt: format_datetime(clock.local(dt), "yyyy-MM-dd HH:mm") if dt else "",
            "today": clock.today,
        }
