"""Assessment inputs entered by the office: checks, surveys, findings, sanctions, awards, costs."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import db
from caseflow.models.types import UTCDateTime


def _period_index(table: str) -> Index:
    return Index(f"ix_{table}_period", "unit_id", "year", "quarter")


class RiskPoint(db.Model):
    """An item of the per-unit-kind risk-point catalogue that control checks test."""

    __table_args__ = (UniqueConstraint("unit_kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    weight: Mapped[Decimal] = mapped_column(Numeric(8, 4), default=Decimal(1))


class ControlCheck(db.Model):
    """A check of one risk point of a unit in a quarter: pass, partial or fail."""

    __table_args__ = (_period_index("control_check"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(120))
    weight: Mapped[Decimal] = mapped_column(Numeric(8, 4), default=Decimal(1))
    result: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SurveyResult(db.Model):
    """The satisfaction rate (0–1) of one of the four survey projects for a unit in a quarter."""

    __table_args__ = (_period_index("survey_result"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    project: Mapped[str] = mapped_column(String(24))
    rate: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    respondents: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SupervisionFinding(db.Model):
    """A finding by one of the six supervision sources, with its severity."""

    __table_args__ = (_period_index("supervision_finding"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(16))
    found_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Sanction(db.Model):
    """An integrity deduction: administrative finding, disciplinary sanction or criminal liability."""

    __table_args__ = (_period_index("sanction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    person: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(24))
    conduct_on: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    summary: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IncentiveAward(db.Model):
    """A bonus: recognised innovation, a self-discovered problem, cooperation with an investigation."""

    __table_args__ = (_period_index("incentive_award"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))
    summary: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CostRecord(db.Model):
    """A unit's administrative cost, budget and headcount for a year."""

    __table_args__ = (UniqueConstraint("unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(Integer, index=True)
    admin_cost: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    budget: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    headcount: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HolidayEntry(db.Model):
    """A day of an administrator-loaded official calendar: holiday or make-up working day."""

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column()
    name: Mapped[str | None] = mapped_column(String(40))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
