"""The scoring ledger, period results, yearly schemes, year status and eligibility."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import db
from caseflow.models.types import UTCDateTime

DIMENSIONS = ("control", "stakeholder", "performance", "incentive", "integrity")


class ScoringScheme(db.Model):
    """Every number of the scoring rules for one year, versioned."""

    __table_args__ = (UniqueConstraint("year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class ScoreEntry(db.Model):
    """One line of the ledger: a signed contribution to a unit's index in a quarter.

    Derived data, written only by ``services/ledger.py`` and checked by its recompute: the unit and
    scheme columns carry no foreign keys, whose per-row checks dominated a full-year rewrite
    (migration 0003)."""

    __table_args__ = (Index("ix_score_entry_period", "year", "quarter", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    dimension: Mapped[str] = mapped_column(String(16))
    points: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    reason: Mapped[str] = mapped_column(String(48))
    detail: Mapped[str] = mapped_column(String(400), default="")
    source_kind: Mapped[str | None] = mapped_column(String(24))
    source_id: Mapped[int | None] = mapped_column(Integer)
    scheme_id: Mapped[int | None] = mapped_column(Integer)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id"))


class PeriodResult(db.Model):
    """A unit's derived result for a quarter (1–4) or a year (quarter 0), cached from the ledger.

    Like the ledger, derived data without foreign keys on its unit and scheme columns (migration 0005)."""

    __table_args__ = (
        UniqueConstraint("unit_id", "year", "quarter"),
        Index("ix_period_result_period_colour", "year", "quarter", "colour"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    index: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    control: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    stakeholder: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    performance: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    incentive: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    integrity: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    colour: Mapped[str] = mapped_column(String(8))
    grade: Mapped[str | None] = mapped_column(String(1))
    scheme_id: Mapped[int | None] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class YearStatus(db.Model):
    """Where a year's grading stands: draft → computed → approved → published."""

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    scheme_id: Mapped[int | None] = mapped_column(ForeignKey("scoring_scheme.id"))
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Revision(db.Model):
    """An explicit correction of a published year's results, with its reason."""

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class EligibilityRecord(db.Model):
    """Whether a unit or a person may be nominated for an award in a year, and why not."""

    __table_args__ = (Index("ix_eligibility_lookup", "year", "award", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    award: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    person: Mapped[str | None] = mapped_column(String(60))
    eligible: Mapped[bool] = mapped_column()
    reason: Mapped[str] = mapped_column(String(200))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
