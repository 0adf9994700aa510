"""The zh_CN message catalogue is complete, compiled and keeps every placeholder.

Pure and fast: no app, no database. The catalogue tools live in ``scripts/i18n.py``;
this module loads that file directly. When a test here fails, run::

    python scripts/i18n.py update    # new msgids appear in caseflow/translations/zh_Hans_CN/LC_MESSAGES/messages.po
    # ... translate them in the .po ...
    python scripts/i18n.py compile   # refresh messages.mo (committed)
    python scripts/i18n.py check
"""

from __future__ import annotations

import gettext
import importlib.util
import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo

_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "i18n.py"
_spec = importlib.util.spec_from_file_location("caseflow_i18n_script", _SCRIPT)
i18n = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(i18n)

HINT = "\nRun `python scripts/i18n.py update`, translate them in {po}, then `python scripts/i18n.py compile`."


@pytest.fixture(scope="module")
def template() -> Catalog:
    return i18n.extract_catalog()


@pytest.fixture(scope="module", params=i18n.LOCALES)
def locale(request) -> str:
    return request.param


def _po(locale: str) -> Catalog:
    return i18n._read_po_file(i18n.po_path(locale), locale=locale)


def test_extraction_finds_messages(template):
    ids = {m.id for m in template if m.id}
    assert len(ids) > 50
    # one msgid from each kind of source: N_ in errors.py, _l in forms, _() in templates
    assert "Not found." in ids
    assert "Log in" in ids
    assert "Log out" in ids


def test_every_msgid_has_a_translation(template, locale):
    missing = i18n.untranslated(locale, template)
    assert not missing, (
        f"{len(missing)} msgid(s) without a {locale} translation:\n  "
        + "\n  ".join(missing)
        + HINT.format(po=i18n._rel(i18n.po_path(locale)))
    )


def test_committed_mo_matches_po(locale):
    mo_file = i18n.mo_path(locale)
    assert mo_file.exists(), f"{i18n._rel(mo_file)} is missing; run `python scripts/i18n.py compile`"
    committed = mo_file.read_bytes()
    fresh = i18n.compile_bytes(_po(locale))

    def entries(data: bytes) -> dict:
        def frozen(value):
            return tuple(value) if isinstance(value, tuple | list) else value

        return {(frozen(m.id), m.context): frozen(m.string) for m in read_mo(io.BytesIO(data)) if m.id}

    want, have = entries(fresh), entries(committed)
    stale = sorted(str(k[0]) for k in set(want) | set(have) if want.get(k) != have.get(k))
    assert not stale, (
        f"{i18n._rel(mo_file)} is out of date for {len(stale)} msgid(s):\n  "
        + "\n  ".join(stale[:50])
        + "\nRun `python scripts/i18n.py compile`."
    )
    # and the standard library (what Flask-Babel uses underneath) can load it
    translations = gettext.GNUTranslations(io.BytesIO(committed))
    sample = next(m for m in _po(locale) if m.id and isinstance(m.id, str) and m.string)
    assert translations.gettext(sample.id) == sample.string


def test_flask_babel_finds_the_catalogue(locale):
    """Flask-Babel loads <dir>/<str(Locale.parse(locale))>/LC_MESSAGES (zh_CN -> zh_Hans_CN)."""
    from babel import Locale
    from babel.support import Translations

    loaded = Translations.load(str(i18n.TRANSLATIONS), [Locale.parse(locale)], i18n.DOMAIN)
    assert isinstance(loaded, Translations), f"no catalogue found for {locale} under {i18n.TRANSLATIONS}"
    assert loaded.gettext("Log in") != "Log in"
    assert i18n.runtime_problems(locale) == []


def test_translations_keep_placeholders(locale):
    problems = []
    for msg in _po(locale):
        if not msg.id or not msg.string:
            continue
        ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
        strings = msg.string if isinstance(msg.string, tuple | list) else (msg.string,)
        expected = [i18n.placeholders(i) for i in ids]
        for s in strings:
            if s and i18n.placeholders(s) not in expected:
                problems.append(f"{ids[0]!r} -> {s!r}: expected {expected[-1]}, got {i18n.placeholders(s)}")
    assert not problems, "translations with different placeholders:\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------- the tools themselves


def test_placeholder_parser():
    p = i18n.placeholders
    assert p("The field %(field)s must be at least %(min)s.")["named"] == ["field", "min"]
    assert p("100%% done")["named"] == [] and p("100%% done")["positional"] == 0
    assert p("%s of %d")["positional"] == 2
    assert p("Hello {name}")["brace"] == ["name"]
    assert p("第 %(page)s 页，共 %(pages)s 页") == p("Page %(page)s of %(pages)s")
    assert p("%(a)s") != p("%(b)s")


def test_untranslated_detects_a_new_msgid(locale):
    fake = Catalog()
    fake.add("A string nobody has translated yet 7f3a", locations=[("x.py", 1)])
    fake.add("Log in", locations=[("y.py", 1)])
    assert i18n.untranslated(locale, fake) == ["A string nobody has translated yet 7f3a"]
