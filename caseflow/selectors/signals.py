"""Read queries for signals: the triage queue, one signal, counts, station statistics, the access log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Integer, and_, cast, func, or_, select
from sqlalchemy.orm import joinedload

from caseflow import clock
from caseflow.errors import Forbidden, NotFound
from caseflow.extensions import db
from caseflow.models import AccessLog, Attachment, Case, Signal, SignalReply, Station, User
from caseflow.permissions import can, require
from caseflow.selectors import units as unit_selectors
from caseflow.selectors.common import Page, paginate
from caseflow.selectors.units import unit_search

QUEUES = ("new", "mine", "overdue", "all")
UNTRIAGED = ("new", "assigned")


def _scope(stmt, user):
    """Limit a signal query to what ``user`` may read: monitors see only their own reports."""
    require(user, "signals.read")
    if user.role == "monitor":
        stmt = stmt.where(Signal.reporter_id == user.id)
    return stmt


def day_start(day: date) -> datetime:
    """The first instant of a CST day, as UTC."""
    return datetime.combine(day, time.min, tzinfo=clock.CST)


@dataclass
class SignalFilters:
    """The filters of the queue and of ``GET /api/v1/signals``."""

    queue: str = "all"
    status: str | None = None
    channel: str | None = None
    category: str | None = None
    unit_id: int | None = None
    station_id: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    unit_q: str | None = None
    station_q: str | None = None


def signals_page(user, filters: SignalFilters, *, page: int = 1, per_page: int = 50) -> Page:
    """Signals for the queue or the API, filtered and paginated, units/officers/stations loaded eagerly."""
    stmt = _scope(select(Signal), user).options(joinedload(Signal.officer),
                                                joinedload(Signal.station).lazyload(Station.area))
    today = clock.today()
    if filters.queue == "new":
        stmt = stmt.where(Signal.status == "new")
    elif filters.queue == "mine":
        stmt = stmt.where(Signal.officer_id == user.id, Signal.status.in_(UNTRIAGED))
    elif filters.queue == "overdue":
        stmt = stmt.where(Signal.status.in_(UNTRIAGED), Signal.handling_due < today)
    for column, value in ((Signal.status, filters.status), (Signal.channel, filters.channel),
                          (Signal.category, filters.category), (Signal.unit_id, filters.unit_id),
                          (Signal.station_id, filters.station_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.unit_q:
        stmt = stmt.where(or_(Signal.unit_id.in_(unit_search(filters.unit_q)),
                              Signal.unit_name_given.contains(filters.unit_q, autoescape=True)))
    if filters.station_q:
        stations_ = select(Station.id).where(or_(Station.name.contains(filters.station_q, autoescape=True),
                                                 Station.code == filters.station_q))
        stmt = stmt.where(Signal.station_id.in_(stations_))
    if filters.received_from:
        stmt = stmt.where(Signal.received_at >= day_start(filters.received_from))
    if filters.received_to:
        stmt = stmt.where(Signal.received_at < day_start(filters.received_to + timedelta(days=1)))
    if filters.queue == "overdue":
        stmt = stmt.order_by(Signal.handling_due, Signal.id)
    else:
        stmt = stmt.order_by(Signal.received_at.desc(), Signal.id.desc())
    return paginate(stmt, page, per_page)


def signal_get(user, signal_id: int) -> Signal:
    """One signal the user may read (monitors: their own), or NotFound / Forbidden."""
    require(user, "signals.read")
    signal = db.session.get(Signal, signal_id)
    if signal is None:
        raise NotFound()
    if user.role == "monitor" and signal.reporter_id != user.id:
        raise Forbidden()
    return signal


def triage_counts(user) -> dict[str, int]:
    """The triage backlog for the dashboard: new signals, overdue handling, and those assigned to ``user``."""
    if not can(user, "signals.read"):
        return {"new": 0, "overdue": 0, "assigned": 0}
    today = clock.today()

    def count(*where):  # COUNT(*) over an index each (status; status and due; officer), not a scan of every signal
        return _scope(select(func.count()).select_from(Signal), user).where(*where).scalar_subquery()

    new, overdue, assigned = db.session.execute(select(
        count(Signal.status == "new"),
        count(Signal.status.in_(UNTRIAGED), Signal.handling_due < today),
        count(Signal.status.in_(UNTRIAGED), Signal.officer_id == user.id),
    )).one()
    return {"new": int(new), "overdue": int(overdue), "assigned": int(assigned)}


def signal_attachments(signal_id: int) -> list[Attachment]:
    """The files uploaded with a signal."""
    return list(db.session.scalars(select(Attachment).where(Attachment.signal_id == signal_id).order_by(Attachment.id)))


def signal_replies(signal_id: int) -> list[SignalReply]:
    """The conversation with the reporter, oldest first."""
    return list(db.session.scalars(select(SignalReply).where(SignalReply.signal_id == signal_id)
                                   .order_by(SignalReply.created_at, SignalReply.id)))


def signals_for_case(case_id: int) -> list[Signal]:
    """The signals a case gathers (for the case page)."""
    return list(db.session.scalars(select(Signal).where(Signal.case_id == case_id).order_by(Signal.received_at)))


def case_of(signal: Signal) -> Case | None:
    """The case a signal opened or joined."""
    return db.session.get(Case, signal.case_id) if signal.case_id else None


def handlers() -> list[User]:
    """Active officers and supervisors who can handle signals."""
    return list(db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(("officer", "supervisor")))
                                   .order_by(User.role, User.display_name)))


@dataclass
class StationStats:
    station: Station
    reports: int
    late: int

    @property
    def on_time_rate(self) -> float | None:
        return (self.reports - self.late) / self.reports if self.reports else None


def station_stats(user, *, date_from: date, date_to: date) -> list[StationStats]:
    """Per station: rapid reports received in the period, how many late, the on-time rate."""
    if not can(user, "signals.triage") and user.role != "auditor":
        raise Forbidden()
    joined = and_(Signal.station_id == Station.id, Signal.channel == "monitoring_station",
                  Signal.received_at >= day_start(date_from), Signal.received_at < day_start(date_to + timedelta(days=1)))
    rows = db.session.execute(
        select(Station, func.count(Signal.id), func.coalesce(func.sum(cast(Signal.late, Integer)), 0))
        .outerjoin(Signal, joined).group_by(Station.id).order_by(Station.code)
    )
    return [StationStats(station, int(n), int(late)) for station, n, late in rows]


def station_options(limit: int | None = None) -> list | None:
    """The stations for a filter (rows of id, code, name, by code), or None when there are more than
    ``limit`` (default units.SELECT_MAX) — then the page shows a station search field. One query either way."""
    limit = unit_selectors.SELECT_MAX if limit is None else limit
    rows = db.session.execute(select(Station.id, Station.code, Station.name).order_by(Station.code)
                              .limit(limit + 1)).all()
    return None if len(rows) > limit else rows


def access_log_page(user, *, action: str | None = None, user_id: int | None = None, page: int = 1,
                    per_page: int = 50) -> Page:
    """The access log of sensitive reads, newest first (supervisors)."""
    require(user, "access_log.read")
    stmt = select(AccessLog).order_by(AccessLog.at.desc(), AccessLog.id.desc())
    if action:
        stmt = stmt.where(AccessLog.action == action)
    if user_id:
        stmt = stmt.where(AccessLog.user_id == user_id)
    return paginate(stmt, page, per_page)


def signal_numbers(ids: list[int]) -> dict[int, str]:
    """Signal numbers by id, for lists that reference signals."""
    if not ids:
        return {}
    return {row.id: row.number for row in db.session.execute(select(Signal.id, Signal.number).where(Signal.id.in_(ids)))}

