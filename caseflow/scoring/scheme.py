"""The yearly scoring scheme: every weight, threshold, deduction and multiplier of SPEC §5.

A scheme is a plain JSON-serialisable dict so it can be stored per year and edited by an
administrator. Numbers are JSON numbers or strings holding a decimal (``"0.5"``) or an
exact fraction (``"10/3"``); they are read through :func:`num`, which returns ``Decimal``.
Case-outcome points are *signed contributions to the index* (a control or integrity
deduction is negative, an incentive bonus positive); every other number is a magnitude.
"""
from __future__ import annotations

import copy
import json
import math
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from functools import lru_cache
from typing import Any

from caseflow.errors import InvalidField

DIMENSIONS: tuple[str, ...] = ("control", "stakeholder", "performance", "incentive", "integrity")
INDEX_MIN, INDEX_MAX = Decimal(0), Decimal(100)
Q4 = Decimal("0.0001")
ZERO = Decimal("0.0000")
# Enough digits that 10/3 summed six times still rounds to exactly 20.0000.
CONTEXT = Context(prec=34, rounding=ROUND_HALF_UP)

DEFAULT_SCHEME: dict[str, Any] = {
    "version": 1,
    "control": {"max": 40, "partial_weight": 0.5, "new_unit_share": 1},
    "stakeholder": {
        "surveys": {"economic_subject": 5, "public_opinion": 5, "service_object": 5, "internal_staff": 5},
        "survey_default_rate": 1,
        "supervision": {
            "audit": "10/3", "social": "10/3", "media": "10/3",
            "people_congress": "10/3", "cppcc": "10/3", "inspection": "10/3",
        },
        "finding_deductions": {"minor": 1, "moderate": 2, "serious": 4},
    },
    "performance": {
        "cost": {"max": 10, "percent_per_point": 5},
        "saving": {"max": 10, "pp_per_point": 2},
    },
    "incentive": {"awards": {"innovation": 2, "self_discovery": 1, "cooperation": 2}, "cap": 5},
    "integrity": {
        "kinds": {
            "admin_finding": 2, "warning": 4, "serious_warning": 6, "removal": 8,
            "probation": 10, "expulsion": 12, "criminal": 20,
        },
        "subjects": {"principal": 1.5, "team_member": 1.2, "staff": 1},
        "recency": {"years": 2, "recent": 1, "older": 0.5},
    },
    "case_outcomes": {
        "issue_notice": {"dimension": "control", "points": {"minor": -1, "moderate": -2, "serious": -4},
                         "self_report_factor": 0.5},
        "accept": {"dimension": "incentive", "notice_share": 0.5},
        "reject": {"dimension": "control", "points": -1},
        "escalate": {"dimension": "control", "points": -2},
        "order_talk": {"dimension": "integrity", "points": -3},
        "order_inquiry": {"dimension": "integrity", "points": -5},
        "refer": {"dimension": "integrity", "points": -8},
        "reopen": {"dimension": "control", "points": -2},
    },
    "colour": {"green": 85, "orange": 70},
    "grade": {"a_min_mean": 85, "a_max_red_quarters": 0, "c_below_mean": 70, "c_min_red_quarters": 2},
}

LABELS: dict[str, tuple[str, str]] = {
    "control": ("控制性", "Control"), "stakeholder": ("主体性", "Stakeholder"),
    "performance": ("绩效", "Performance"), "incentive": ("激励性", "Incentive"),
    "integrity": ("廉勤性", "Integrity and diligence"),
    "economic_subject": ("经济主体调查", "Economic-subject survey"),
    "public_opinion": ("民意调查", "Public-opinion survey"),
    "service_object": ("服务对象调查", "Service-recipient survey"),
    "internal_staff": ("内部职工调查", "Internal-staff survey"),
    "audit": ("审计监督", "Audit supervision"), "social": ("社会监督", "Social supervision"),
    "media": ("舆论监督", "Media supervision"), "people_congress": ("人大监督", "People's Congress supervision"),
    "cppcc": ("政协监督", "CPPCC supervision"), "inspection": ("巡察监督", "Inspection supervision"),
    "minor": ("轻微", "Minor"), "moderate": ("一般", "Moderate"), "serious": ("严重", "Serious"),
    "innovation": ("创新工作获认可", "Recognised innovation"),
    "self_discovery": ("自查自纠主动报告", "Problem self-discovered and reported"),
    "cooperation": ("积极配合调查", "Active cooperation with an investigation"),
    "admin_finding": ("行政监察", "Administrative supervision finding"), "warning": ("警告", "Warning"),
    "serious_warning": ("严重警告", "Serious warning"), "removal": ("撤销职务", "Removal from post"),
    "probation": ("留党（留用）察看", "Probation"), "expulsion": ("开除", "Expulsion"),
    "criminal": ("追究刑事责任", "Criminal liability"),
    "principal": ("主要负责人", "Principal leader"), "team_member": ("班子成员", "Leadership-team member"),
    "staff": ("一般工作人员", "Staff"),
    "issue_notice": ("发出预警告知书", "Warning notice issued"), "accept": ("整改验收通过", "Rectification accepted"),
    "reject": ("整改验收不通过", "Rectification rejected"), "escalate": ("升级处置", "Escalated"),
    "order_talk": ("廉政谈话", "Integrity talk ordered"), "order_inquiry": ("询问质询", "Inquiry ordered"),
    "refer": ("移送立案", "Referred for disciplinary review"), "reopen": ("重新整改", "Reopened"),
    "green": ("绿", "Green"), "orange": ("橙", "Orange"), "red": ("红", "Red"),
}

# Values that must be strictly positive, or lie within 0..1 (dotted paths).
_POSITIVE = {"performance.cost.percent_per_point", "performance.saving.pp_per_point", "integrity.recency.years"}
_UNIT_INTERVAL = {"control.partial_weight", "control.new_unit_share", "stakeholder.survey_default_rate",
                  "case_outcomes.issue_notice.self_report_factor", "case_outcomes.accept.notice_share"}
_INTEGERS = {"version", "integrity.recency.years", "grade.a_max_red_quarters", "grade.c_min_red_quarters"}
_SIGN = {"control": -1, "stakeholder": -1, "integrity": -1, "incentive": 1}


def q(value: Decimal) -> Decimal:
    """Quantise to 4 decimal places, half up, never returning a negative zero."""
    result = value.quantize(Q4, rounding=ROUND_HALF_UP)
    return result if result else ZERO


@lru_cache(maxsize=1024)
def _parse(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("bool is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not finite")
        return Decimal(repr(value))
    if isinstance(value, str):
        with localcontext(CONTEXT):
            if "/" in value:
                top, bottom = value.split("/", 1)
                return Decimal(top.strip()) / Decimal(bottom.strip())
            result = Decimal(value.strip())
        if not result.is_finite():
            raise ValueError("not finite")
        return result
    raise ValueError(f"unsupported type {type(value).__name__}")


def num(value: Any) -> Decimal:
    """Read a scheme number (int, float, decimal string or ``"a/b"`` fraction) as a Decimal."""
    if isinstance(value, Decimal):
        return value
    return _parse(value)


def _number(value: Any, path: str) -> Decimal:
    try:
        return num(value)
    except (ValueError, ArithmeticError, InvalidOperation, TypeError) as exc:
        raise InvalidField(field=path) from exc


def _walk(template: Any, value: Any, path: str) -> None:
    if isinstance(template, dict):
        if not isinstance(value, dict):
            raise InvalidField(field=path or "scheme")
        for key in template:
            if key not in value:
                raise InvalidField(field=f"{path}.{key}" if path else key)
        for key in value:
            child = f"{path}.{key}" if path else str(key)
            if key not in template:
                raise InvalidField(field=child)
            _walk(template[key], value[key], child)
    elif path.endswith(".dimension"):
        if not isinstance(value, str) or value not in DIMENSIONS:
            raise InvalidField(field=path)
    elif path in _INTEGERS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0 or path in _POSITIVE and value == 0:
            raise InvalidField(field=path)
    else:
        _check_number(path, _number(value, path))


def _check_number(path: str, value: Decimal) -> None:
    if path.startswith("case_outcomes.") and ".points" in path:
        return  # signed; checked against the row's dimension in _check_relations
    if value < 0 or path in _POSITIVE and value <= 0 or path in _UNIT_INTERVAL and value > 1:
        raise InvalidField(field=path)


def _check_relations(data: dict[str, Any]) -> None:
    for trigger, row in data["case_outcomes"].items():
        sign = _SIGN.get(row["dimension"])
        if sign is None:
            raise InvalidField(field=f"case_outcomes.{trigger}.dimension")
        points = row.get("points", {})
        items = points.items() if isinstance(points, dict) else [("", points)]
        for key, value in items:
            path = f"case_outcomes.{trigger}.points" + (f".{key}" if key else "")
            if _number(value, path) * sign < 0:
                raise InvalidField(field=path)
    if num(data["colour"]["orange"]) > num(data["colour"]["green"]):
        raise InvalidField(field="colour.orange")
    if num(data["grade"]["c_below_mean"]) > num(data["grade"]["a_min_mean"]):
        raise InvalidField(field="grade.c_below_mean")
    stake = data["stakeholder"]
    with localcontext(CONTEXT):
        base = (num(data["control"]["max"]) + sum(num(v) for v in stake["surveys"].values())
                + sum(num(v) for v in stake["supervision"].values())
                + num(data["performance"]["cost"]["max"]) + num(data["performance"]["saving"]["max"]))
    # Only the incentive bonus may push the raw index above 100; see ledger.apply_limits.
    if q(base) > INDEX_MAX:
        raise InvalidField(field="control.max")


def validate_scheme(data: Any) -> dict[str, Any]:
    """Check a scheme's shape, types and ranges; return a deep copy or raise InvalidField."""
    _walk(DEFAULT_SCHEME, data, "")
    _check_relations(data)
    return copy.deepcopy(data)


def scheme_to_json(scheme: dict[str, Any]) -> str:
    """Serialise a valid scheme to JSON text (key order kept, Chinese unescaped)."""
    return json.dumps(validate_scheme(scheme), ensure_ascii=False, indent=2)


def scheme_from_json(text: str | bytes) -> dict[str, Any]:
    """Parse and validate a scheme from JSON text."""
    try:
        data = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise InvalidField(field="scheme") from exc
    return validate_scheme(data)


# The names of a scheme's parameters (its keys that are not codes of ``LABELS``), for the readable page.
PARAMETER_LABELS: dict[str, tuple[str, str]] = {
    "version": ("版本", "Version"), "max": ("满分", "Maximum"),
    "partial_weight": ("部分通过的计分比例", "Share for a partial pass"),
    "new_unit_share": ("新单位默认得分比例", "Share assumed for a new unit"),
    "surveys": ("满意度调查", "Surveys"), "survey_default_rate": ("未开展调查时的默认满意率", "Rate assumed before a survey"),
    "supervision": ("监督来源基础分", "Supervision sources"),
    "finding_deductions": ("监督发现问题扣分", "Finding deductions"),
    "cost": ("人均行政成本偏离度", "Per-capita cost deviation"),
    "percent_per_point": ("每扣1分对应的偏离百分比", "Percent of deviation per point"),
    "saving": ("行政成本节约率偏离度", "Saving-rate deviation"),
    "pp_per_point": ("每扣1分对应的百分点", "Percentage points per point"),
    "awards": ("激励加分项目", "Awards"), "cap": ("加分上限", "Cap"), "kinds": ("处分种类", "Kinds"),
    "subjects": ("责任主体系数", "Subject multipliers"), "recency": ("时效", "Recency"), "years": ("年限", "Years"),
    "recent": ("年限以内系数", "Factor within the years"), "older": ("年限以前系数", "Factor for older conduct"),
    "case_outcomes": ("案件处置计分", "Case outcomes"), "dimension": ("计入维度", "Dimension"),
    "points": ("分值", "Points"), "self_report_factor": ("自查报告系数", "Self-report factor"),
    "notice_share": ("按期整改返还告知书扣分的比例", "Share of the notice deduction returned"),
    "colour": ("三色阈值", "Colour thresholds"), "grade": ("年度等次规则", "Grade rules"),
    "a_min_mean": ("A等最低年均指数", "Lowest mean index for A"),
    "a_max_red_quarters": ("A等最多红色季度数", "Most red quarters for A"),
    "c_below_mean": ("年均指数低于此值为C等", "Mean index below which C"),
    "c_min_red_quarters": ("红色季度数达到此值为C等", "Red quarters that make C"),
}


def parameter_label(key: str, lang: str = "en") -> str:
    """The name of a scheme key in ``lang``: a parameter's (``PARAMETER_LABELS``) or a code's (``label``)."""
    return _in(PARAMETER_LABELS[key], lang) if key in PARAMETER_LABELS else label(key, lang)


def label(code: str, lang: str = "en") -> str:
    """Return the Chinese (``zh``) or English label of a scheme code, or the code itself."""
    return _in(LABELS[code], lang) if code in LABELS else code


def _in(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang.startswith("zh") else pair[1]
