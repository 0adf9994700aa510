"""Locale selection (Chinese by default, English on request) and template helpers."""
from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, session
from flask_babel import get_locale, get_translations
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
    locale = get_locale()
    return locale is not None and locale.language == "en"


def _request_translations():
    """The catalogue of the current locale, looked up once per request (and again when ``force_locale``
    changes the locale): Flask-Babel's own lookup costs several context-local reads and a locale-to-string
    conversion per string, and a page translates hundreds of strings."""
    try:
        globals_ = g._get_current_object()  # one context lookup instead of one per attribute
    except RuntimeError:  # no application context
        return get_translations()
    # Flask-Babel keeps the request's (or the forced) locale on ``g._flask_babel``; get_locale() selects it once.
    locale = getattr(getattr(globals_, "_flask_babel", None), "babel_locale", None) or get_locale()
    cached = getattr(globals_, "_caseflow_translations", None)
    if cached is None or cached[0] is not locale:
        cached = globals_._caseflow_translations = (locale, get_translations())
    return cached[1]


def translate(msgid: str) -> str:
    """``gettext(msgid)`` through the request's cached catalogue, for a msgid without parameters."""
    return _request_translations().ugettext(msgid)


def _fmt_date(d) -> str:
    """A date as yyyy-MM-dd (numeric, the same in every locale)."""
    return d.strftime("%Y-%m-%d") if d else ""


def _fmt_dt(dt) -> str:
    """An instant in Beijing time as yyyy-MM-dd HH:mm."""
    return clock.local(dt).strftime("%Y-%m-%d %H:%M") if dt else ""


def label(pair: tuple[str, str] | str) -> str:
    """Pick the zh or en side of a (zh, en) label pair; translate a plain msgid."""
    if isinstance(pair, tuple | list):
        return pair[1] if is_english() else pair[0]
    return _(pair)


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and expose formatting helpers to templates."""
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
        newstyle=True)

    @app.context_processor
    def _helpers() -> dict:
        return {
            "current_locale": str(get_locale()),
            "label": label,
            "fmt_date": _fmt_date,
            "fmt_dt": _fmt_dt,
            "today": clock.today,
        }
