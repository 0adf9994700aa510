"""Cases, their append-only hash-chained events, and deadline history."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.errors import N_
from caseflow.extensions import db
from caseflow.models.types import UTCDateTime
from caseflow.models.units import Unit
from caseflow.models.users import User

SEVERITIES = {"minor": N_("Minor"), "moderate": N_("Moderate"), "serious": N_("Serious")}
ORIGINS = {
    "signal": N_("From a signal"),
    "self_report": N_("Self-reported by the unit"),
    "annual": N_("Annual C grade"),
    "manual": N_("Opened by an officer"),
}


class Case(db.Model):
    """One problem at one unit, moving through the state machine in ``caseflow.states``."""

    __table_args__ = (
        Index("ix_case_state_ack_due", "state", "ack_due"),
        Index("ix_case_state_rectify_due", "state", "rectify_due"),
        Index("ix_case_state_verify_due", "state", "verify_due"),
        Index("ix_case_unit_state", "unit_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(24), index=True)
    severity: Mapped[str | None] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(16), default="signal")
    annual_year: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="detected", index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    reject_count: Mapped[int] = mapped_column(Integer, default=0)
    rectify_workdays: Mapped[int | None] = mapped_column(Integer)
    notice_deduction: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    ack_due: Mapped[date | None] = mapped_column(Date)
    rectify_due: Mapped[date | None] = mapped_column(Date)
    verify_due: Mapped[date | None] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship(lazy="joined", innerjoin=True)
    handler: Mapped[User | None] = relationship(lazy="joined")  # shown in every case list and on the case page

    __mapper_args__ = {"version_id_col": version}


class CaseEvent(db.Model):
    """One transition of a case; never updated or deleted; chained by SHA-256."""

    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_role: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship(lazy="joined")


class DeadlineChange(db.Model):
    """The history of a case's deadlines: which one, from what, to what, why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_event.id"))
    kind: Mapped[str] = mapped_column(String(16))
    old_due: Mapped[date | None] = mapped_column(Date)
    new_due: Mapped[date | None] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(40))


class SweepMark(db.Model):
    """A reminder or escalation the sweep has done for one deadline; makes the sweep idempotent."""

    __table_args__ = (UniqueConstraint("case_id", "kind", "due", "action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    due: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Attachment(db.Model):
    """An uploaded file, stored outside the web root under its content hash."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signal.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_event.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Notification(db.Model):
    """An in-app notification; e-mail delivery state is kept beside it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_status: Mapped[str | None] = mapped_column(String(16))
    email_error: Mapped[str | None] = mapped_column(Text)
