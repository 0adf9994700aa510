"""The sandbox that turns a document template and a plain context into block XML.

Templates are files maintainers edit, so they run in Jinja's immutable sandbox with
XML autoescaping, no globals, strict undefined names, and only the templates folder
to load from.  The context is copied into plain dicts, lists, strings and numbers
first: no application object is ever reachable from a template.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, Template, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from caseflow.errors import InvalidField

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_ISO_TIME = re.compile(r"[T ](\d{1,2}):(\d{2})")
_ZH_DATETIME = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 ?\d{1,2}时\d{2}分")
_ZH_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
_CN_DIGITS = "〇一二三四五六七八九"
_UNDEFINED_NAME = re.compile(r"'([^']+)' is undefined")


def zh_date(value: Any) -> str:
    """``2026-09-24`` (or a date, or ``2026年9月24日 10:30``) -> ``2026年9月24日``."""
    text = str(value or "")
    if match := _ZH_DATE.search(text):
        return match.group(0)
    if match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
        return f"{year}年{month}月{day}日"
    return text


def zh_datetime(value: Any) -> str:
    """``2026-09-25 10:32`` (or ``…T10:32:00``) -> ``2026年9月25日 10时32分``."""
    text = str(value or "")
    if done := _ZH_DATETIME.search(text):
        return done.group(0)
    time = _ISO_TIME.search(text)
    day = zh_date(text)
    return f"{day} {int(time.group(1))}时{time.group(2)}分" if time else day


def paragraphs(value: Any) -> list[str]:
    """Split user text into its non-empty lines, one paragraph each."""
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def cn_number(value: int) -> str:
    """1 -> 一, 12 -> 十二, 24 -> 二十四 (numbers below 100, for headings)."""
    n = int(value)
    if not 0 <= n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _CN_DIGITS[ones]
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return head + "十" + (_CN_DIGITS[ones] if ones else "")


def num(value: Any, digits: int = 1) -> str:
    """Integers as they are; other numbers with ``digits`` decimals (55.0 stays 55.0)."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int) or (isinstance(value, str) and value.strip().lstrip("-").isdigit()):
        return str(value).strip()
    try:
        return f"{float(value):.{digits}f}"
    except (TypeError, ValueError):
        return str(value)


def percent(part: Any, whole: Any, digits: int = 1) -> str:
    """``part`` as a percentage of ``whole`` (``—`` when the whole is zero)."""
    try:
        return num(100.0 * float(part) / float(whole), digits) + "%"
    except (TypeError, ValueError, ZeroDivisionError):
        return "—"


def plain(value: Any, path: str = "context") -> Any:
    """Copy ``value`` as plain data; dates become ``2026年9月24日``; refuse objects."""
    if isinstance(value, str):
        return _XML_INVALID.sub("", value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return f"{value.year}年{value.month}月{value.day}日 {value.hour}时{value.minute:02d}分"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise InvalidField(field=path)
        return {k: plain(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, f"{path}[{i}]") for i, v in enumerate(value)]
    raise InvalidField(field=path)


@cache
def environment() -> ImmutableSandboxedEnvironment:
    """The one sandboxed environment (built on first use)."""
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals.clear()  # no cycler, joiner, namespace, lipsum, dict, range
    env.filters.update(zh_date=zh_date, zh_datetime=zh_datetime, paragraphs=paragraphs, cn=cn_number, num=num, percent=percent)
    return env


def render_template(template: str | Template, context: Mapping[str, Any]) -> str:
    """Render a template (name in the folder, or compiled) with a plain copy of ``context``."""
    env = environment()
    compiled = env.get_template(template) if isinstance(template, str) else template
    try:
        return compiled.render(plain(dict(context)))
    except UndefinedError as exc:  # a context key the template needs is missing
        missing = _UNDEFINED_NAME.search(str(exc))
        raise InvalidField(field=missing.group(1) if missing else "context") from exc
