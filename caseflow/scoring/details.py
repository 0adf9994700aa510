"""Ledger entry details in the reader's language.

The engine writes each entry's ``detail`` once, in English (``ledger``, ``performance``): it is stored
with the entry and frozen with a published year, so it never changes with the language of whoever
reads it. :func:`detail_text` renders a stored detail in Chinese by recognising which of the engine's
formats it is and re-wording it, with the scheme's own Chinese labels (``LABELS``) for survey projects,
supervision sources, sanction kinds, subjects, awards, severities and case triggers. A detail none of
the formats matches (a format added to the engine without a rendering here) is shown as stored;
``tests/unit/test_detail_text.py`` runs the engine through every reason and checks each is rendered.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from .scheme import LABELS, label

_NUM = r"[-+]?\d+(?:\.\d+)?"  # a number as the engine prints it (sign, decimals)
_PCT = _NUM + "%"
_EN_TO_CODE = {en: code for code, (_, en) in LABELS.items()}
_EN_LOWER_TO_CODE = {en.lower(): code for code, (_, en) in LABELS.items()}
_RESULTS = {"pass": "通过", "partial": "部分通过", "fail": "未通过"}


def _named(text: str) -> str | None:
    """The Chinese label of an English label (or its lower-case form), or None."""
    code = _EN_TO_CODE.get(text) or _EN_LOWER_TO_CODE.get(text.lower())
    return None if code is None else label(code, "zh")


Render = Callable[[re.Match], "str | None"]
_FORMATS: list[tuple[re.Pattern, Render]] = []


def _format(pattern: str) -> Callable[[Render], Render]:
    def register(render: Render) -> Render:
        _FORMATS.append((re.compile(pattern), render))
        return render
    return register


@_format(rf"^Case #(?P<case>\d+): (?P<what>[a-z][a-z -]*?)(?P<rest> on time: .*| \(.*|: {_NUM})$")
def _case(m: re.Match) -> str | None:
    what = _named(m["what"])
    rest = m["rest"]
    if what is None:
        return None
    if ok := re.fullmatch(rf" on time: (?P<share>{_NUM}) × notice deduction (?P<d>{_NUM}) = (?P<p>{_NUM})", rest):
        rest = f"（按期）：{ok['share']} × 告知书扣分 {ok['d']} = {ok['p']}"
    elif ok := re.fullmatch(rf" \((?P<sev>[a-z]+)\): (?P<pts>{_NUM})(?: × (?P<f>{_NUM}) \(self-reported by the unit\)"
                            rf" = (?P<p>{_NUM}))?", rest):
        severity = _named(ok["sev"])
        if severity is None:
            return None
        rest = f"（{severity}）：{ok['pts']}"
        if ok["f"]:
            rest += f" × {ok['f']}（单位自查主动报告）= {ok['p']}"
    elif ok := re.fullmatch(rf": (?P<p>{_NUM})", rest):
        rest = f"：{ok['p']}"
    else:
        return None
    return f"案件 #{m['case']}：{what}{rest}"


@_format(rf"^Control check '(?P<item>.*)' (?P<result>pass|partial|fail) \(weight (?P<w>{_NUM}) of (?P<t>{_NUM})\): "
         rf"(?P<p>{_NUM}) of (?P<top>{_NUM})$")
def _check(m: re.Match) -> str:
    return (f"内控检查“{m['item']}”{_RESULTS[m['result']]}（权重 {m['w']}，合计 {m['t']}）："
            f"{m['p']}，满分 {m['top']}")


@_format(rf"^(?P<name>[^:]+): base (?P<b>{_NUM})(?: \((?P<w>[^ ]+) rounded so the sources add up exactly\))?$")
def _supervision_base(m: re.Match) -> str | None:
    name = _named(m["name"])
    rounded = f"（{m['w']} 经舍入，使各来源合计准确）" if m["w"] else ""
    return name and f"{name}：基础分 {m['b']}{rounded}"


@_format(rf"^(?P<kind>[^,]+), (?P<subject>[^,]+), conduct (?P<day>[\d-]+) \((?:within (?P<n>\d+) years|more than "
         rf"(?P<m>\d+) years ago)\): (?P<calc>{_NUM} × {_NUM} × {_NUM}) = (?P<p>{_NUM}) deducted$")
def _sanction(m: re.Match) -> str | None:
    kind, subject = _named(m["kind"]), _named(m["subject"])
    age = f"{m['n']}年以内" if m["n"] else f"{m['m']}年以前"
    return kind and subject and f"{kind}，{subject}，行为发生于 {m['day']}（{age}）：{m['calc']} = 扣 {m['p']}"


@_format(rf"^(?P<y>\d{{4}}) per-capita cost (?P<c>{_NUM}) vs peer mean (?P<mc>{_NUM}) \(h (?P<h>{_PCT})\); "
         rf"(?:growth (?P<g>{_PCT}) vs peer mean (?P<mg>{_PCT}) \(t (?P<t>{_PCT})\)|no previous-year record \(t 0\)); "
         rf"d (?P<d>{_PCT}) → (?P<p>{_NUM}) of (?P<top>{_NUM})$")
def _cost(m: re.Match) -> str:
    trend = (f"增长率 {m['g']}，同类均值 {m['mg']}（纵向 t {m['t']}）" if m["g"] is not None
             else "无上年记录（纵向 t 计 0）")
    return (f"{m['y']}年人均行政成本 {m['c']}，同类均值 {m['mc']}（横向 h {m['h']}）；{trend}；"
            f"d {m['d']} → {m['p']}，满分 {m['top']}")


@_format(rf"^(?P<y>\d{{4}}) saving rate (?P<s>{_PCT}) vs peer mean (?P<ms>{_PCT}); "
         rf"(?:change (?P<c>{_NUM}) pp vs peer mean (?P<mc>{_NUM}) pp|no previous-year record \(change term 0\)); "
         rf"d_s (?P<d>{_NUM}) pp → (?P<p>{_NUM}) of (?P<top>{_NUM})$")
def _saving(m: re.Match) -> str:
    trend = (f"变化 {m['c']} 个百分点，同类均值 {m['mc']} 个百分点" if m["c"] is not None
             else "无上年记录（变化项计 0）")
    return (f"{m['y']}年行政成本节约率 {m['s']}，同类均值 {m['ms']}；{trend}；"
            f"d_s {m['d']} 个百分点 → {m['p']}，满分 {m['top']}")


# The formats worded by a template: (pattern, wording with the groups). The groups ``name``, ``sev`` and
# ``kind`` are English labels, given in Chinese (a label the scheme does not know: not this format).
_LABELLED = ("name", "sev", "kind")
_SIMPLE = [
    (rf"^(?P<name>[^:]+): not run yet, rate (?P<r>{_NUM}) assumed → (?P<p>{_NUM}) of (?P<top>{_NUM})$",
     "{name}：尚未开展，按满意率 {r} 计 → {p}，满分 {top}"),
    (rf"^(?P<name>[^:]+): not run this quarter, rate (?P<r>{_NUM}) of (?P<y>\d{{4}})Q(?P<q>[1-4]) carried over → "
     rf"(?P<p>{_NUM}) of (?P<top>{_NUM})$", "{name}：本季度未开展，沿用{y}年第{q}季度满意率 {r} → {p}，满分 {top}"),
    (rf"^(?P<name>[^:]+): rate (?P<r>{_NUM}) × (?P<top>{_NUM}) = (?P<p>{_NUM})$", "{name}：满意率 {r} × {top} = {p}"),
    (rf"^(?P<name>[^:]+): (?P<sev>[a-z]+) finding (?P<p>{_NUM})$", "{name}：{sev}问题 {p}"),
    (rf"^(?P<name>[^:]+): (?P<v>{_NUM}) raised to 0 \(a source does not go below 0\)$",
     "{name}：{v} 调整为 0（单一监督来源得分不低于 0）"),
    (rf"^(?P<kind>[^:]+): \+(?P<p>{_NUM})$", "{kind}：+{p}"),
    (rf"^No control checks recorded yet: share (?P<s>{_NUM}) assumed → (?P<p>{_NUM}) of (?P<top>{_NUM})$",
     "尚无内控检查记录：按得分比例 {s} 计 → {p}，满分 {top}"),
    (rf"^No control checks this quarter: share (?P<s>{_NUM}) of (?P<y>\d{{4}})Q(?P<q>[1-4]) carried over → "
     rf"(?P<p>{_NUM}) of (?P<top>{_NUM})$", "本季度无内控检查：沿用{y}年第{q}季度得分比例 {s} → {p}，满分 {top}"),
    (rf"^Control (?P<s>{_NUM}) raised to 0 \(control does not go below 0\)$", "控制性得分 {s} 调整为 0（控制性不低于 0）"),
    (rf"^Bonus (?P<s>{_NUM}) capped at (?P<cap>{_NUM})$", "激励加分 {s} 超过上限，按 {cap} 计"),
    (rf"^Index (?P<t>{_NUM}) raised to (?P<lim>{_NUM}): deductions limited to the points the unit had$",
     "指数 {t} 调整为 {lim}：扣分以单位已有得分为限"),
    (rf"^Index (?P<t>{_NUM}) capped at (?P<lim>{_NUM}): bonus trimmed$", "指数 {t} 超过 {lim}，按 {lim} 计：加分相应核减"),
    (r"^No cost records yet: full points$", "尚无行政成本记录：得满分"),
    (r"^No cost records: full points$", "无行政成本记录：得满分"),
    (r"^No cost record for (?P<y>\d{4}): full points$", "{y}年无行政成本记录：得满分"),
]


def _worded(wording: str) -> Render:
    def render(m: re.Match) -> str | None:
        groups = m.groupdict()
        for key in _LABELLED:
            if key in groups:
                groups[key] = _named(groups[key])
                if groups[key] is None:
                    return None
        return wording.format(**groups)
    return render


for _pattern, _wording in _SIMPLE:
    _format(_pattern)(_worded(_wording))


@lru_cache(maxsize=4096)
def detail_zh(detail: str) -> str | None:
    """The Chinese wording of an engine detail, or None if it is none of the engine's formats."""
    for pattern, render in _FORMATS:
        match = pattern.match(detail)
        if match is not None and (text := render(match)) is not None:
            return text
    return None


_CASE_ID = re.compile(r"^(Case |案件 )#\d+(?=[:：])")


def detail_text(detail: str, lang: str = "zh", case_number: str | None = None) -> str:
    """A stored entry detail as a reader in ``lang`` sees it: Chinese when recognised, else as stored; a case
    entry's "Case #<id>" as the case's number when it is given."""
    text = (detail_zh(detail) or detail) if lang.startswith("zh") else detail
    return _CASE_ID.sub(lambda m: m[1] + case_number, text, count=1) if case_number else text
