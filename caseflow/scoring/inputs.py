"""Plain, frozen input records for the scoring engine and the ledger ``Entry`` it produces.

The records mirror database rows but carry only what scoring needs; ``year``/``quarter``
is always the period the record is booked in. Numbers are coerced to ``Decimal`` on
construction (ints, decimal strings and floats via ``repr``) so callers may pass ORM values.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from caseflow.errors import InvalidField

from .scheme import DIMENSIONS

RESULTS = ("pass", "partial", "fail")
SEVERITIES = ("minor", "moderate", "serious")
SUBJECTS = ("principal", "team_member", "staff")
SOURCE_KINDS = ("control_check", "survey", "finding", "sanction", "award", "cost_record", "case_event")


def quarter_of(day: date) -> tuple[int, int]:
    """Return the (year, quarter) a date falls in."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_end(year: int, quarter: int) -> date:
    """Return the last day of a quarter."""
    _check_quarter(quarter)
    return date(year, 3 * quarter, 31 if quarter in (1, 4) else 30)


def _check_quarter(quarter: Any) -> None:
    if isinstance(quarter, bool) or not isinstance(quarter, int) or not 1 <= quarter <= 4:
        raise InvalidField(field="quarter")


def _decimal(obj: Any, name: str) -> Decimal:
    value = getattr(obj, name)
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            if isinstance(value, bool):
                raise TypeError(name)
            result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except (TypeError, ValueError, InvalidOperation) as exc:
            raise InvalidField(field=name) from exc
        object.__setattr__(obj, name, result)
    if not result.is_finite():
        raise InvalidField(field=name)
    return result


def _choice(value: Any, choices: tuple[str, ...], name: str) -> None:
    if value not in choices:
        raise InvalidField(field=name)


T = TypeVar("T")


def records(cls: type[T], rows: Iterable[Sequence[Any]]) -> Iterator[T]:
    """``cls(*row)`` for many rows holding every field in order (database rows): the same fields and
    the same ``__post_init__`` checks, without the frozen ``__init__``'s per-field ``object.__setattr__``
    (several times the cost of the checks for a province's hundreds of thousands of records)."""
    setters = [getattr(cls, f.name).__set__ for f in fields(cls)]
    new, check = object.__new__, cls.__post_init__
    for row in rows:
        record = new(cls)
        for put, value in zip(setters, row, strict=True):
            put(record, value)
        check(record)
        yield record


@dataclass(frozen=True, slots=True)
class ControlCheck:
    """One check of a unit's risk point or internal control in a quarter."""

    id: int
    unit_id: int
    year: int
    quarter: int
    item: str
    weight: Decimal
    result: str

    def __post_init__(self) -> None:
        _check_quarter(self.quarter)
        if _decimal(self, "weight") <= 0:
            raise InvalidField(field="weight")
        _choice(self.result, RESULTS, "result")


@dataclass(frozen=True, slots=True)
class SurveyResult:
    """The satisfaction rate (0–1) of one survey project run for a unit in a quarter."""

    id: int
    unit_id: int
    year: int
    quarter: int
    project: str
    rate: Decimal

    def __post_init__(self) -> None:
        _check_quarter(self.quarter)
        if not 0 <= _decimal(self, "rate") <= 1:
            raise InvalidField(field="rate")


@dataclass(frozen=True, slots=True)
class SupervisionFinding:
    """A finding of one supervision source against a unit, booked in a quarter."""

    id: int
    unit_id: int
    year: int
    quarter: int
    source: str
    severity: str

    def __post_init__(self) -> None:
        _check_quarter(self.quarter)
        _choice(self.severity, SEVERITIES, "severity")


@dataclass(frozen=True, slots=True)
class Sanction:
    """An integrity deduction (finding, sanction or criminal liability) booked in a quarter."""

    id: int
    unit_id: int
    year: int
    quarter: int
    person: str
    subject: str
    kind: str
    conduct_on: date

    def __post_init__(self) -> None:
        _check_quarter(self.quarter)
        _choice(self.subject, SUBJECTS, "subject")
        if not isinstance(self.conduct_on, date):
            raise InvalidField(field="conduct_on")


@dataclass(frozen=True, slots=True)
class IncentiveAward:
    """A bonus (innovation, self-discovery, cooperation) booked in a quarter."""

    id: int
    unit_id: int
    year: int
    quarter: int
    kind: str

    def __post_init__(self) -> None:
        _check_quarter(self.quarter)


@dataclass(frozen=True, slots=True)
class CostRecord:
    """A unit's administrative cost, budget and headcount for one year."""

    id: int
    unit_id: int
    year: int
    admin_cost: Decimal
    budget: Decimal
    headcount: int

    def __post_init__(self) -> None:
        if _decimal(self, "admin_cost") < 0:
            raise InvalidField(field="admin_cost")
        if _decimal(self, "budget") <= 0:
            raise InvalidField(field="budget")
        if isinstance(self.headcount, bool) or not isinstance(self.headcount, int) or self.headcount <= 0:
            raise InvalidField(field="headcount")


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """A case event with a scoring consequence; ``id`` is the event's id."""

    id: int
    case_id: int
    unit_id: int
    year: int
    quarter: int
    trigger: str
    severity: str | None = None
    self_reported: bool = False
    on_time: bool | None = None
    notice_deduction: Decimal | None = None

    def __post_init__(self) -> None:
        _check_quarter(self.quarter)
        if self.severity is not None:
            _choice(self.severity, SEVERITIES, "severity")
        if self.notice_deduction is not None:
            _decimal(self, "notice_deduction")


@dataclass(frozen=True, slots=True)
class Entry:
    """One ledger line: a signed contribution of ``points`` to a unit's quarterly index."""

    unit_id: int
    year: int
    quarter: int
    dimension: str
    points: Decimal
    reason: str
    detail: str
    source_kind: str | None = None
    source_id: int | None = None

    def __post_init__(self) -> None:
        _choice(self.dimension, DIMENSIONS, "dimension")
        if self.source_kind is not None:
            _choice(self.source_kind, SOURCE_KINDS, "source_kind")
        _decimal(self, "points")
