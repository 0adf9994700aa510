"""The six kinds of assessment input as data: fields, choices and how a raw value is cleaned.

One registry (``KINDS``) drives the forms, the Excel templates and import, the list pages
and the service, so a rule (a range, a choice) is written once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from caseflow import scoring as s
from caseflow.errors import N_, InvalidField
from caseflow.extensions import db
from caseflow.models import Unit
from caseflow.models import inputs as m

RESULTS = {"pass": N_("Pass"), "partial": N_("Partial pass"), "fail": N_("Fail")}
SEVERITIES = {"minor": N_("Minor"), "moderate": N_("Moderate"), "serious": N_("Serious")}
SURVEY_PROJECTS = {k: s.LABELS[k][1] for k in s.DEFAULT_SCHEME["stakeholder"]["surveys"]}
SOURCES = {k: s.LABELS[k][1] for k in s.DEFAULT_SCHEME["stakeholder"]["supervision"]}
SUBJECTS = {k: s.LABELS[k][1] for k in s.DEFAULT_SCHEME["integrity"]["subjects"]}
SANCTION_KINDS = {k: s.LABELS[k][1] for k in s.DEFAULT_SCHEME["integrity"]["kinds"]}
AWARD_KINDS = {k: s.LABELS[k][1] for k in s.DEFAULT_SCHEME["incentive"]["awards"]}


@dataclass(frozen=True)
class Field:
    """One column of an input kind."""

    name: str
    label: str
    type: str  # unit, year, quarter, int, decimal, date, choice, item, text
    required: bool = True
    choices: dict[str, str] | None = None
    lo: Decimal | None = None
    hi: Decimal | None = None


@dataclass(frozen=True)
class InputKind:
    """An input kind: its model, label, fields and the date field that decides its quarter (if any)."""

    key: str
    model: Any
    label: str
    fields: tuple[Field, ...]
    dated_by: str | None = None  # the quarter comes from this date field
    per_year: bool = False  # cost records: one per unit and year, no quarter


_UNIT = Field("unit_code", N_("Unit code"), "unit")
_YEAR = Field("year", N_("Year"), "year")
_QUARTER = Field("quarter", N_("Quarter"), "quarter")

KINDS: dict[str, InputKind] = {k.key: k for k in (
    InputKind("control_checks", m.ControlCheck, N_("Control checks"), (
        _UNIT, _YEAR, _QUARTER, Field("item", N_("Risk point"), "item"),
        Field("result", N_("Result"), "choice", choices=RESULTS),
        Field("weight", N_("Weight"), "decimal", required=False, lo=Decimal("0.01"), hi=Decimal(100)),
        Field("note", N_("Note"), "text", required=False))),
    InputKind("surveys", m.SurveyResult, N_("Surveys"), (
        _UNIT, _YEAR, _QUARTER, Field("project", N_("Survey project"), "choice", choices=SURVEY_PROJECTS),
        Field("rate", N_("Satisfaction rate (0–1)"), "decimal", lo=Decimal(0), hi=Decimal(1)),
        Field("respondents", N_("Respondents"), "int", required=False, lo=Decimal(0), hi=Decimal(10**6)))),
    InputKind("findings", m.SupervisionFinding, N_("Supervision findings"), (
        _UNIT, Field("source", N_("Supervision source"), "choice", choices=SOURCES),
        Field("severity", N_("Severity"), "choice", choices=SEVERITIES),
        Field("found_on", N_("Found on"), "date"), Field("summary", N_("Summary"), "text", required=False)),
        dated_by="found_on"),
    InputKind("sanctions", m.Sanction, N_("Sanctions"), (
        _UNIT, Field("person", N_("Person"), "text"), Field("subject", N_("Role in the unit"), "choice", choices=SUBJECTS),
        Field("kind", N_("Kind"), "choice", choices=SANCTION_KINDS), Field("conduct_on", N_("Date of conduct"), "date"),
        Field("decided_on", N_("Date of decision"), "date"), Field("summary", N_("Summary"), "text", required=False)),
        dated_by="decided_on"),
    InputKind("awards", m.IncentiveAward, N_("Incentive awards"), (
        _UNIT, _YEAR, _QUARTER, Field("kind", N_("Kind"), "choice", choices=AWARD_KINDS),
        Field("summary", N_("Summary"), "text", required=False))),
    InputKind("costs", m.CostRecord, N_("Cost records"), (
        _UNIT, _YEAR, Field("admin_cost", N_("Administrative cost (yuan)"), "decimal", lo=Decimal(0), hi=Decimal(10**12)),
        Field("budget", N_("Budget (yuan)"), "decimal", lo=Decimal("0.01"), hi=Decimal(10**12)),
        Field("headcount", N_("Headcount"), "int", lo=Decimal(1), hi=Decimal(10**6))), per_year=True),
)}

# The default risk-point catalogue per unit kind, from the seed documents' risk categories.
_COMMON = [("finance", "财务收支审批与报销"), ("procurement", "物资采购与验收"), ("conduct", "工作作风与廉洁自律")]
DEFAULT_CATALOGUE: dict[str, list[tuple[str, str]]] = {
    "village": [("three_assets", "村集体资金、资产、资源（三资）管理"), ("tendering", "村级工程建设招投标"),
                ("agri_funds", "惠农资金发放"), ("land", "征地拆迁补偿"), ("village_affairs", "村务公开与民主决策"),
                *_COMMON],
    "community": [("three_assets", "社区集体资产管理"), ("relief", "低保救助资格审核"), ("affairs", "居务公开"),
                  ("housing", "保障性住房资格审核"), *_COMMON],
    "town": [("tendering", "工程建设招投标"), ("land", "征地拆迁"), ("appointments", "选人用人"),
             ("approval", "行政审批"), ("agri_funds", "惠农资金监管"), ("three_assets", "农村三资监管"), *_COMMON],
    "agency": [("approval", "行政审批与许可"), ("enforcement", "行政执法与处罚"), ("appointments", "选人用人"),
               ("tendering", "政府投资项目招投标"), ("funds", "专项资金分配"), *_COMMON],
    "station": [("charges", "收费与罚没"), ("enforcement", "执法检查"), ("approval", "审批服务"), *_COMMON],
    "enterprise": [("tendering", "工程招投标与分包"), ("assets", "国有资产处置"), ("appointments", "选人用人"),
                   ("contracts", "合同签订与履行"), *_COMMON],
}


def catalogue(unit_kind: str) -> list[tuple[str, str, Decimal]]:
    """The risk points of a unit kind (code, name, weight): the stored catalogue, else the default."""
    rows = list(db.session.scalars(select(m.RiskPoint).where(m.RiskPoint.unit_kind == unit_kind)
                                   .order_by(m.RiskPoint.id)))
    if rows:
        return [(r.code, r.name, r.weight) for r in rows]
    return [(code, name, Decimal(1)) for code, name in DEFAULT_CATALOGUE.get(unit_kind, _COMMON)]


def catalogue_seed() -> int:
    """Store the default catalogue for every unit kind that has none yet (no commit); return rows added."""
    have = set(db.session.scalars(select(m.RiskPoint.unit_kind).distinct()))
    added = 0
    for kind, items in DEFAULT_CATALOGUE.items():
        if kind in have:
            continue
        for code, name in items:
            db.session.add(m.RiskPoint(unit_kind=kind, code=code, name=name, weight=Decimal(1)))
            added += 1
    return added


def _decimal(raw: Any, f: Field) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise InvalidField(field=f.name) from None
    if not value.is_finite() or (f.lo is not None and value < f.lo) or (f.hi is not None and value > f.hi):
        raise InvalidField(N_("%(field)s is out of range."), field=f.name)
    return value


def _date(raw: Any, f: Field) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip()[:10])
    except ValueError:
        raise InvalidField(N_("%(field)s needs a date like 2026-03-31."), field=f.name) from None


def clean_value(f: Field, raw: Any, units: dict[str, Unit]) -> Any:
    """One field's raw value (form or spreadsheet cell) as stored, or InvalidField naming it."""
    empty = raw is None or (isinstance(raw, str) and not raw.strip())
    if empty:
        if f.required:
            raise InvalidField(N_("%(field)s is required."), field=f.name)
        return None
    if f.type == "unit":
        unit = units.get(str(raw).strip())
        if unit is None:
            raise InvalidField(N_("Unknown unit code %(code)s."), field=f.name, code=str(raw).strip())
        return unit
    if f.type in ("year", "quarter", "int"):
        value = _decimal(raw, f)
        if value != value.to_integral_value():
            raise InvalidField(field=f.name)
        lo, hi = {"year": (2000, 2100), "quarter": (1, 4)}.get(f.type, (f.lo, f.hi))
        if not lo <= value <= hi:
            raise InvalidField(N_("%(field)s is out of range."), field=f.name)
        return int(value)
    if f.type == "decimal":
        return _decimal(raw, f)
    if f.type == "date":
        return _date(raw, f)
    if f.type == "choice":
        value = str(raw).strip()
        if value not in f.choices:
            raise InvalidField(N_("%(field)s must be one of %(choices)s."), field=f.name, choices=", ".join(f.choices))
        return value
    return str(raw).strip()[:400]


def units_by_code(codes) -> dict[str, Unit]:
    """Units by code, in one query."""
    codes = {str(c).strip() for c in codes if c is not None}
    if not codes:
        return {}
    return {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(codes)))}


def clean_row(kind: InputKind, raw: dict[str, Any], units: dict[str, Unit]) -> dict[str, Any]:
    """A whole row cleaned: field values, ``unit``, and the ``year``/``quarter`` it is booked in."""
    values = {f.name: clean_value(f, raw.get(f.name), units) for f in kind.fields}
    if kind.dated_by:
        values["year"], values["quarter"] = s.quarter_of(values[kind.dated_by])
    if kind.key == "sanctions" and values["conduct_on"] > values["decided_on"]:
        raise InvalidField(N_("The conduct cannot come after the decision."), field="conduct_on")
    if kind.key == "control_checks":
        items = {code: (name, weight) for code, name, weight in catalogue(values["unit_code"].kind)}
        item = values["item"]
        match = items.get(item) or next(((n, w) for c, (n, w) in items.items() if n == item), None)
        if match is None:
            raise InvalidField(N_("%(item)s is not in the risk-point catalogue of this kind of unit."),
                               field="item", item=item)
        values["item"] = match[0]
        values["weight"] = values["weight"] or match[1]
    return values
