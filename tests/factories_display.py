"""Factories for the display pages: period results, year status, cases, signals, documents.

Scoring and lifecycle fill these tables in production; the display tests write rows directly.
"""
from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

from caseflow import clock
from caseflow.extensions import db
from caseflow.models import (
    Case,
    CaseEvent,
    Document,
    EligibilityRecord,
    PeriodResult,
    Signal,
    Unit,
    YearStatus,
)

_seq = itertools.count(1)


def colour_of(index: float) -> str:
    """The default colour thresholds."""
    return "green" if index >= 85 else "orange" if index >= 70 else "red"


def result(unit: Unit, year: int, quarter: int, index: float, *, colour: str | None = None,
           grade: str | None = None, commit: bool = True) -> PeriodResult:
    """A period result whose dimensions add up to ``index``."""
    value = Decimal(str(index))
    row = PeriodResult(unit_id=unit.id, year=year, quarter=quarter, index=value, control=Decimal("36"),
                       stakeholder=Decimal("36"), performance=value - Decimal("72") + Decimal("4"),
                       incentive=Decimal("0"), integrity=Decimal("4"), colour=colour or colour_of(index),
                       grade=grade, computed_at=clock.now())
    db.session.add(row)
    if commit:
        db.session.commit()
    return row


def year_status(year: int, status: str) -> YearStatus:
    """The grading status of a year."""
    row = db.session.get(YearStatus, year) or YearStatus(year=year)
    row.status = status
    db.session.add(row)
    db.session.commit()
    return row


def case(unit: Unit, *, state: str = "rectifying", handler=None, commit: bool = True, **fields) -> Case:
    """A case at ``unit`` in ``state`` (no events unless added)."""
    n = next(_seq)
    now = clock.now()
    values = {"number": f"T-{n:06d}", "unit_id": unit.id, "title": f"问题{n}", "category": "finance",
              "severity": "moderate", "state": state, "handler_id": getattr(handler, "id", None),
              "opened_at": now, "updated_at": now}
    values.update(fields)
    row = Case(**values)
    db.session.add(row)
    if commit:
        db.session.commit()
    return row


def event(case_row: Case, trigger: str, to_state: str, at: datetime, *, actor_role: str = "officer") -> CaseEvent:
    """An event of a case (hashes are not chained: the display pages do not verify them)."""
    seq = next(_seq)
    row = CaseEvent(case_id=case_row.id, seq=seq, trigger=trigger, from_state=None, to_state=to_state,
                    actor_role=actor_role, at=at, data={}, prev_hash="0" * 64, hash=f"{seq:064d}")
    db.session.add(row)
    db.session.commit()
    return row


def signal(*, unit: Unit | None = None, channel: str = "complaint_centre", category: str = "finance",
           status: str = "new", commit: bool = True, **fields) -> Signal:
    """A signal, by default anonymous with protected contact data."""
    n = next(_seq)
    values = {"number": f"XS-{n:06d}", "channel": channel, "unit_id": getattr(unit, "id", None),
              "received_at": clock.now(), "category": category, "summary": f"反映{n}", "details": "详情",
              "status": status, "anonymous": True, "reporter_contact": f"139{n:08d} 举报人联系方式"}
    values.update(fields)
    row = Signal(**values)
    db.session.add(row)
    if commit:
        db.session.commit()
    return row


def document(*, unit: Unit | None = None, case_row: Case | None = None, title: str = "预警告知书") -> Document:
    """An issued document of a unit or a case."""
    n = next(_seq)
    row = Document(kind="notice", number=f"镇纪预告〔2026〕{n}号", year=2026, title=title,
                   unit_id=getattr(unit, "id", None), case_id=getattr(case_row, "id", None), context={},
                   created_at=clock.now())
    db.session.add(row)
    db.session.commit()
    return row


def eligibility(unit: Unit, year: int, *, eligible: bool = False, reason: str = "年度评定为C级") -> EligibilityRecord:
    """An eligibility record of a unit."""
    row = EligibilityRecord(year=year, award="excellent_team", unit_id=unit.id, eligible=eligible, reason=reason,
                            created_at=clock.now())
    db.session.add(row)
    db.session.commit()
    return row


def at(day: date, hour: int = 10) -> datetime:
    """An aware instant on ``day`` (China time)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=clock.CST)
