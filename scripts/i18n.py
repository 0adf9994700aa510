#!/usr/bin/env python
"""Message catalogue maintenance for caseflow (English msgids, zh_CN translations).

Usage::

    python scripts/i18n.py extract   # source -> caseflow/translations/messages.pot
    python scripts/i18n.py update    # extract, then merge into zh_Hans_CN/LC_MESSAGES/messages.po
    python scripts/i18n.py compile   # messages.po -> messages.mo (committed: no build step needed)
    python scripts/i18n.py check     # exit 1 on untranslated msgids, bad placeholders, stale .mo
    python scripts/i18n.py all       # update + compile + check

Equivalent to ``pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -k ngettext:1,2
--sort-output --no-location``, ``pybabel update --no-fuzzy-matching --ignore-obsolete`` and
``pybabel compile``, but done through Babel's Python API so that the same functions serve
``tests/test_translations.py`` (which imports this file) and so that files are only rewritten
when their messages actually change (no date-only churn in the repository).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
MAPPING_FILE = ROOT / "babel.cfg"
TRANSLATIONS = ROOT / "caseflow" / "translations"
POT_FILE = TRANSLATIONS / "messages.pot"
LOCALES = ("zh_CN",)
DOMAIN = "messages"

PROJECT = "caseflow"
COPYRIGHT_HOLDER = "caseflow"
MSGID_BUGS_ADDRESS = ""

#: Babel's defaults (_, gettext, ngettext, N_, pgettext, ...) plus Flask-Babel's lazy variants.
KEYWORDS: dict = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "N_": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}

#: ``%(name)s`` style, plain ``%s``/``%d`` style and ``{name}`` style placeholders.
_NAMED_RE = re.compile(r"%\((\w+)\)[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")
_POSITIONAL_RE = re.compile(r"%(?!\()[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")
_BRACE_RE = re.compile(r"(?<!\{)\{(\w*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


# --------------------------------------------------------------------------- paths


def locale_dir(locale: str) -> Path:
    """Directory of a locale's catalogue, named as Flask-Babel looks it up at run time.

    Flask-Babel turns the selected locale into a ``babel.Locale`` and loads
    ``<dir>/<str(Locale)>/LC_MESSAGES/messages.mo``; Babel adds the likely script to Chinese,
    so the app's ``zh_CN`` is looked up as ``zh_Hans_CN`` (then ``zh``). A catalogue in a
    plain ``zh_CN`` directory would never be found.
    """
    from babel import Locale

    return TRANSLATIONS / str(Locale.parse(locale)) / "LC_MESSAGES"


def po_path(locale: str) -> Path:
    return locale_dir(locale) / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return locale_dir(locale) / f"{DOMAIN}.mo"


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- extraction


def _mapping():
    """Parse babel.cfg into (method_map, options_map) across Babel versions."""
    from babel.messages import frontend

    with MAPPING_FILE.open(encoding="utf-8") as fh:
        parser = getattr(frontend, "parse_mapping_cfg", None)
        if parser is not None:
            return parser(fh, filename=str(MAPPING_FILE))
        return frontend.parse_mapping(fh)  # Babel < 2.14


class ExtractionError(RuntimeError):
    pass


def extract_catalog() -> Catalog:
    """Extract every marked string from the source tree into a fresh template catalogue.

    Duplicate msgids (the same text marked in several places) are merged into one entry; a
    msgid used both as a singular and as the singular of a plural keeps the plural form.
    """
    method_map, options_map = _mapping()
    catalog = Catalog(
        project=PROJECT,
        version="0.1.0",
        copyright_holder=COPYRIGHT_HOLDER,
        msgid_bugs_address=MSGID_BUGS_ADDRESS,
        charset="utf-8",
        fuzzy=False,
    )
    try:
        extracted = list(
            extract_from_dir(
                str(ROOT),
                method_map,
                options_map,
                keywords=KEYWORDS,
                comment_tags=("TRANSLATORS:",),
                strip_comment_tags=True,
            )
        )
    except Exception as exc:  # a broken source file must not produce a silently short catalogue
        raise ExtractionError(f"extraction failed: {exc!r}") from exc

    for filename, lineno, message, comments, context in extracted:
        if isinstance(message, tuple | list):
            if not message[0]:
                continue
            message = tuple(message)
        elif not message:
            continue
        key = message[0] if isinstance(message, tuple) else message
        existing = catalog.get(key, context)
        if existing is not None and isinstance(message, tuple) and not existing.pluralizable:
            # singular seen first, plural later: re-add as the plural form
            catalog.delete(key, context)
            existing = None
        if existing is not None and not isinstance(message, tuple) and existing.pluralizable:
            message = existing.id  # keep the plural form
        catalog.add(
            message,
            None,
            [(filename, lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def _entries(catalog: Catalog) -> dict:
    """Comparable view of a catalogue: {(id, context): (string, fuzzy)}, header excluded."""
    out = {}
    for msg in catalog:
        if not msg.id:
            continue
        msgid = tuple(msg.id) if isinstance(msg.id, tuple | list) else msg.id
        string = tuple(msg.string) if isinstance(msg.string, tuple | list) else msg.string
        out[(msgid, msg.context)] = (string, msg.fuzzy)
    return out


def _write_po_file(catalog: Catalog, path: Path, **kwargs) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, no_location=True, sort_output=True, **kwargs)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(buf.getvalue())
    tmp.replace(path)


def _read_po_file(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale, domain=DOMAIN)


def extract(verbose: bool = True) -> Catalog:
    """Write messages.pot (sorted, no locations); rewrite it only when its msgids change."""
    template = extract_catalog()
    if POT_FILE.exists():
        try:
            old = _read_po_file(POT_FILE)
        except Exception:
            old = None
        if old is not None and set(_entries(old)) == set(_entries(template)):
            if verbose:
                print(f"{_rel(POT_FILE)}: unchanged ({len(_entries(template))} msgids)")
            return template
    template.creation_date = datetime.now(UTC)
    _write_po_file(template, POT_FILE)
    if verbose:
        print(f"{_rel(POT_FILE)}: written ({len(_entries(template))} msgids)")
    return template


# --------------------------------------------------------------------------- update


def update(verbose: bool = True) -> None:
    """Extract, then merge the template into every locale's .po (no fuzzy, no obsolete)."""
    template = extract(verbose=verbose)
    for locale in LOCALES:
        path = po_path(locale)
        if path.exists():
            catalog = _read_po_file(path, locale=locale)
        else:
            catalog = Catalog(
                locale=locale,
                domain=DOMAIN,
                project=PROJECT,
                version="0.1.0",
                copyright_holder=COPYRIGHT_HOLDER,
                msgid_bugs_address=MSGID_BUGS_ADDRESS,
                charset="utf-8",
                fuzzy=False,
            )
            catalog.language_team = f"{locale} <LL@li.org>"
        before = _entries(catalog)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False, keep_user_comments=True)
        catalog.obsolete.clear()
        after = _entries(catalog)
        if path.exists() and before == after:
            if verbose:
                print(f"{_rel(path)}: unchanged")
            continue
        _write_po_file(catalog, path, ignore_obsolete=True, include_previous=False)
        if verbose:
            added = sorted(k[0] if isinstance(k[0], str) else k[0][0] for k in set(after) - set(before))
            removed = len(set(before) - set(after))
            print(f"{_rel(path)}: {len(added)} new, {removed} removed, {len(after)} total")
            for msgid in added:
                print(f"  + {msgid}")


# --------------------------------------------------------------------------- compile


def compile_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def compile_catalogs(verbose: bool = True) -> None:
    """Compile each .po into its .mo; rewrite only when the bytes change."""
    for locale in LOCALES:
        catalog = _read_po_file(po_path(locale), locale=locale)
        data = compile_bytes(catalog)
        path = mo_path(locale)
        if path.exists() and path.read_bytes() == data:
            if verbose:
                print(f"{_rel(path)}: unchanged")
            continue
        tmp = path.with_suffix(".mo.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        if verbose:
            print(f"{_rel(path)}: written")


# --------------------------------------------------------------------------- checks


def _translated(msg: Message) -> bool:
    if msg.fuzzy:
        return False
    if isinstance(msg.string, tuple | list):
        return bool(msg.string) and all(s for s in msg.string)
    return bool(msg.string)


def _display(msgid) -> str:
    return msgid[0] if isinstance(msgid, tuple | list) else msgid


def untranslated(locale: str, template: Catalog | None = None) -> list[str]:
    """Msgids of a fresh extraction that have no usable translation in ``locale``'s .po."""
    if template is None:
        template = extract_catalog()
    path = po_path(locale)
    catalog = _read_po_file(path, locale=locale) if path.exists() else Catalog(locale=locale)
    missing = []
    for msg in template:
        if not msg.id:
            continue
        key = _display(msg.id)
        found = catalog.get(key, msg.context)
        if found is None or not _translated(found):
            missing.append(key)
        elif isinstance(msg.id, tuple) and not isinstance(found.id, tuple):
            missing.append(key + "  (now a plural message)")
    return sorted(missing)


def placeholders(text: str) -> dict:
    """Placeholders in ``text``: named %(x)s, count of positional %s, and {x} fields."""
    text = text.replace("%%", "")
    named = sorted(set(_NAMED_RE.findall(text)))
    positional = len(_POSITIONAL_RE.findall(text))
    brace = sorted(set(_BRACE_RE.findall(text)))
    return {"named": named, "positional": positional, "brace": brace}


def placeholder_problems(locale: str) -> list[str]:
    """Translations whose placeholders differ from their msgid's."""
    catalog = _read_po_file(po_path(locale), locale=locale)
    problems = []
    for msg in catalog:
        if not msg.id or not _translated(msg):
            continue
        if isinstance(msg.id, tuple):
            expected = [placeholders(i) for i in msg.id]
            strings = list(msg.string)
        else:
            expected = [placeholders(msg.id)]
            strings = [msg.string]
        for s in strings:
            got = placeholders(s)
            if got not in expected:
                problems.append(f"{_display(msg.id)!r}: expected {expected[-1]}, translation has {got}")
    return problems


def _mo_entries(data: bytes) -> dict:
    return _entries(read_mo(io.BytesIO(data)))


def mo_mismatch(locale: str) -> list[str]:
    """Differences between the committed .mo and the .po compiled now (empty when in sync)."""
    path = mo_path(locale)
    if not path.exists():
        return [f"{_rel(path)} is missing"]
    catalog = _read_po_file(po_path(locale), locale=locale)
    want = _mo_entries(compile_bytes(catalog))
    try:
        have = _mo_entries(path.read_bytes())
    except Exception as exc:  # truncated or corrupt file
        return [f"{_rel(path)} is unreadable ({exc!r})"]
    problems = []
    for key in sorted(set(want) | set(have), key=lambda k: (str(k[0]), str(k[1]))):
        if want.get(key) != have.get(key):
            problems.append(
                f"{_display(key[0])!r}: .po {want.get(key, (None,))[0]!r} vs .mo {have.get(key, (None,))[0]!r}"
            )
    return problems


def runtime_problems(locale: str) -> list[str]:
    """Load the catalogue the way Flask-Babel does; report if it would not be found."""
    from babel import Locale
    from babel.support import Translations

    translations = Translations.load(str(TRANSLATIONS), [Locale.parse(locale)], DOMAIN)
    if not isinstance(translations, Translations) or not getattr(translations, "_catalog", None):
        return [f"Flask-Babel would find no {DOMAIN}.mo for {locale} under {_rel(TRANSLATIONS)}"]
    return []


class Report:
    """Findings of :func:`check`, per locale (a plain class so the file imports without sys.modules)."""

    def __init__(self) -> None:
        self.untranslated: dict[str, list[str]] = {}
        self.placeholders: dict[str, list[str]] = {}
        self.mo: dict[str, list[str]] = {}

    @property
    def ok(self) -> bool:
        return not any(v for d in (self.untranslated, self.placeholders, self.mo) for v in d.values())


def check(verbose: bool = True) -> bool:
    template = extract_catalog()
    report = Report()
    for locale in LOCALES:
        report.untranslated[locale] = untranslated(locale, template)
        report.placeholders[locale] = placeholder_problems(locale) if po_path(locale).exists() else []
        report.mo[locale] = (mo_mismatch(locale) if po_path(locale).exists() else []) + runtime_problems(
            locale
        )
    if verbose:
        total = len([m for m in template if m.id])
        for locale in LOCALES:
            _print_list(f"{locale}: msgids without a translation", report.untranslated[locale])
            _print_list(f"{locale}: placeholder mismatches", report.placeholders[locale])
            _print_list(
                f"{locale}: {_rel(mo_path(locale))} out of date (run: python scripts/i18n.py compile)",
                report.mo[locale],
            )
        print(("OK" if report.ok else "FAILED") + f": {total} msgids extracted")
    return report.ok


def _print_list(title: str, items: Iterable[str]) -> None:
    items = list(items)
    if not items:
        return
    print(f"{title} ({len(items)}):")
    for item in items:
        print(f"  {item}")


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["extract", "update", "compile", "check", "all"])
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    verbose = not args.quiet
    try:
        if args.command == "extract":
            extract(verbose)
        elif args.command == "update":
            update(verbose)
        elif args.command == "compile":
            compile_catalogs(verbose)
        elif args.command == "check":
            return 0 if check(verbose) else 1
        elif args.command == "all":
            update(verbose)
            compile_catalogs(verbose)
            return 0 if check(verbose) else 1
    except ExtractionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
