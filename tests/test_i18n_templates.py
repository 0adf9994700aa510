"""Template translations follow the request's locale, also when ``force_locale`` switches it mid-request
(the per-request catalogue cache in ``caseflow.i18n`` must notice the switch)."""
from datetime import UTC, date, datetime

from flask import render_template_string
from flask_babel import force_locale

from caseflow.i18n import is_english

TEMPLATE = "{{ _('Cases') }}|{{ fmt_date(d) }}|{{ fmt_dt(t) }}"
VALUES = {"d": date(2026, 2, 9), "t": datetime(2026, 2, 9, 16, 30, tzinfo=UTC)}


def test_templates_translate_per_locale_and_follow_force_locale(app):
    with app.test_request_context("/"):
        zh = render_template_string(TEMPLATE, **VALUES)
        assert not is_english()
        with force_locale("en"):
            en = render_template_string(TEMPLATE, **VALUES)
            assert is_english()
        again = render_template_string(TEMPLATE, **VALUES)
    assert zh == "案件|2026-02-09|2026-02-10 00:30"  # Beijing time
    assert en == "Cases|2026-02-09|2026-02-10 00:30"
    assert again == zh


def test_each_request_gets_its_own_locale(app):
    with app.test_request_context("/", headers={}):
        from flask import session

        session["lang"] = "en"
        assert render_template_string("{{ _('Cases') }}") == "Cases"
    with app.test_request_context("/"):
        assert render_template_string("{{ _('Cases') }}") == "案件"


def test_empty_dates_render_empty(app):
    with app.test_request_context("/"):
        assert render_template_string("[{{ fmt_date(None) }}][{{ fmt_dt(None) }}]") == "[][]"
