"""Signals (廉情信息): what comes in from stations and complaint channels."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.errors import N_
from caseflow.extensions import db
from caseflow.models.types import UTCDateTime
from caseflow.models.units import Station, Unit
from caseflow.models.users import User

# Pinned channel codes (SPEC §4), with the source details each channel records.
CHANNELS = {
    "monitoring_station": (N_("Monitoring station rapid report"), ()),
    "complaint_centre": (N_("96178 complaint centre"), ("call_time",)),
    "petition_letter": (N_("Petition / report letter"), ("letter_number",)),
    "leader_visit": (N_("Leader visit"), ("visit_record",)),
    "duty_phone": (N_("District-head duty phone"), ("call_time",)),
    "mailbox": (N_("District-head mailbox"), ("letter_number",)),
    "citizen_hotline": (N_("Citizen hotline"), ("call_time",)),
    "online_forum": (N_("Online forum"), ("post_url",)),
    "audit": (N_("Audit"), ("audit_reference",)),
    "public_web": (N_("Anonymous web complaint"), ()),
    "other": (N_("Other"), ("source_note",)),
}

CATEGORIES = {
    "three_assets": "三资管理",
    "tendering": "工程建设招投标",
    "procurement": "物资采购",
    "finance": "财务管理",
    "agri_funds": "惠农资金",
    "land_demolition": "征地拆迁",
    "appointments": "选人用人",
    "approval": "行政审批",
    "conduct": "作风问题",
    "other": "其他",
}

SIGNAL_STATUSES = {
    "new": N_("New"),
    "assigned": N_("Assigned"),
    "case_opened": N_("Case opened"),
    "linked": N_("Linked to a case"),
    "rejected": N_("Rejected"),
}


class Signal(db.Model):
    """One piece of information about a possible problem at a unit."""

    __table_args__ = (Index("ix_signal_status_due", "status", "handling_due"),
                      Index("ix_signal_officer_status", "officer_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(24), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    unit_name_given: Mapped[str | None] = mapped_column(String(120))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"), index=True)
    discovered_on: Mapped[date | None] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    category: Mapped[str] = mapped_column(String(24), index=True)
    summary: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="")
    source_details: Mapped[dict] = mapped_column(JSON, default=dict)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(default=False)
    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    reporter_contact: Mapped[str | None] = mapped_column(String(400))
    late: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    department: Mapped[str | None] = mapped_column(String(80))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    handling_due: Mapped[date | None] = mapped_column(Date)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    unit: Mapped[Unit | None] = relationship(lazy="joined")
    station: Mapped[Station | None] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])


class SignalReply(db.Model):
    """A message on a signal: an officer's reply to the reporter, or the reporter's addition."""

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signal.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    from_reporter: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
