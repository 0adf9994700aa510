"""Load the source records of a period into the pure scoring engine's input records.

The same loaders serve the live hook (one unit) and ``recompute`` (every unit), so both
produce the same ledger. Each kind of record is one query per period, never one per unit,
selecting plain table columns read as plain rows (``db_bulk.plain_rows``: no ORM objects, no Core row
processing; each distinct value of a column converted once).
"""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select

from caseflow import clock
from caseflow import scoring as s
from caseflow.db_bulk import plain_rows
from caseflow.extensions import db
from caseflow.models import Case, CaseEvent, DeadlineChange, Unit
from caseflow.models import inputs as m

SCORED_TRIGGERS = ("issue_notice", "accept", "reject", "escalate", "order_talk", "order_inquiry", "refer", "reopen")
OPEN_STATES = ("notice_issued", "rectifying", "verifying", "escalated", "talk", "inquiry")
ESCALATED_STATES = ("escalated", "talk", "inquiry")


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    """The UTC instants a quarter (China Standard Time) starts and ends (exclusive)."""
    start = datetime.combine(date(year, 3 * quarter - 2, 1), time(0), tzinfo=clock.CST)
    end_day = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start.astimezone(UTC), datetime.combine(end_day, time(0), tzinfo=clock.CST).astimezone(UTC)


def event_quarter(at: datetime) -> tuple[int, int]:
    """The (year, quarter) in China Standard Time of an event instant."""
    return s.quarter_of(clock.local(at).date())


@dataclass
class Sources:
    """Every input record of a year's quarters, grouped by unit."""

    checks: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    surveys: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    findings: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    sanctions: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    awards: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    outcomes: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    performance: dict[int, s.PerformanceResult] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitRange:
    """The units with ``low <= id <= high`` (None: unbounded): a slice of the province for one worker
    of a parallel recompute, selected with the unit index instead of a list of ids."""

    low: int | None
    high: int | None


ID_MAX = 2 ** 31 - 1  # the largest id an integer column holds (ids start at 1)


def unit_cond(column, unit_ids):
    """``column`` restricted to ``unit_ids``: None (every unit), a list of ids or a ``UnitRange``."""
    if unit_ids is None:
        return True
    if isinstance(unit_ids, UnitRange):
        # Always two-sided (an open end as the widest bound), so that SQLite's planner, which has no
        # statistics, prefers this range on a unit index to a date range on another table of a join.
        low = unit_ids.low if unit_ids.low is not None else 0
        high = unit_ids.high if unit_ids.high is not None else ID_MAX
        return column.between(low, high)
    return column.in_(unit_ids)


def _unit_filter(model, unit_ids):
    return unit_cond(model.unit_id, unit_ids)


_COLUMNS = {
    "ControlCheck": ("id", "unit_id", "year", "quarter", "item", "weight", "result"),
    "SurveyResult": ("id", "unit_id", "year", "quarter", "project", "rate"),
    "SupervisionFinding": ("id", "unit_id", "year", "quarter", "source", "severity"),
    "Sanction": ("id", "unit_id", "year", "quarter", "person", "subject", "kind", "conduct_on"),
    "IncentiveAward": ("id", "unit_id", "year", "quarter", "kind"),
}


def _cols(model) -> list:
    return [model.__table__.c[c] for c in _COLUMNS[model.__name__]]


def _period_rows(model, year: int, last_quarter: int, unit_ids):
    """The select of the records booked in the year."""
    t = model.__table__
    return select(*_cols(model)).where(t.c.year == year, t.c.quarter <= last_quarter, _unit_filter(t.c, unit_ids))


def _carry_in(model, year: int, unit_ids, keys: tuple[str, ...]):
    """The select of each unit's (and key's) records of its latest period before ``year``: what carries
    over into it."""
    t = model.__table__
    cols = [t.c.unit_id, *(t.c[k] for k in keys)]
    latest = (select(*cols, func.max(t.c.year * 10 + t.c.quarter).label("p"))
              .where(t.c.year < year, _unit_filter(t.c, unit_ids)).group_by(*cols).subquery())
    # Equality on the model's own columns, so the (unit_id, year, quarter) index is used.
    join = and_(t.c.unit_id == latest.c.unit_id, t.c.year == latest.c.p // 10, t.c.quarter == latest.c.p % 10,
                *(t.c[k] == latest.c[k] for k in keys))
    return select(*_cols(model)).join(latest, join)


def _group(into: dict[int, list], cls, stmt) -> None:
    # Plain rows (no ORM objects or Core row processing: a year of a province is hundreds of thousands).
    for record in s.records(cls, plain_rows(stmt)):
        into[record.unit_id].append(record)


def _checks(src: Sources, year: int, last_q: int, unit_ids) -> None:
    for stmt in (_carry_in(m.ControlCheck, year, unit_ids, ()), _period_rows(m.ControlCheck, year, last_q, unit_ids)):
        _group(src.checks, s.ControlCheck, stmt)


def _surveys(src: Sources, year: int, last_q: int, unit_ids) -> None:
    for stmt in (_carry_in(m.SurveyResult, year, unit_ids, ("project",)),
                 _period_rows(m.SurveyResult, year, last_q, unit_ids)):
        _group(src.surveys, s.SurveyResult, stmt)


def _booked(src: Sources, year: int, last_q: int, unit_ids) -> None:
    _group(src.findings, s.SupervisionFinding, _period_rows(m.SupervisionFinding, year, last_q, unit_ids))
    _group(src.sanctions, s.Sanction, _period_rows(m.Sanction, year, last_q, unit_ids))
    _group(src.awards, s.IncentiveAward, _period_rows(m.IncentiveAward, year, last_q, unit_ids))


_DC = DeadlineChange.__table__.c
_RECTIFY_DUES = (select(_DC.case_id, _DC.event_id, _DC.new_due)
                 .where(_DC.case_id.in_(bindparam("case_ids", expanding=True)), _DC.kind == "rectify",
                        _DC.new_due.is_not(None))
                 .order_by(_DC.id))


def rectify_due_before(case_ids: list[int], before_event: dict[int, int]) -> dict[int, date | None]:
    """For each case, the last rectification deadline set before the given event (accept): the
    deadline the unit had to meet. The history is read from ``DeadlineChange``."""
    if not case_ids:
        return {}
    rows = db.session.execute(_RECTIFY_DUES, {"case_ids": list(case_ids)}).all()
    due: dict[int, date | None] = {}
    for case_id, event_id, new_due in rows:
        limit = before_event.get(case_id)
        if event_id is None or limit is None or event_id < limit:
            due[case_id] = new_due
    return due


def accept_on_time(at: datetime, due: date | None) -> bool:
    """An acceptance is on time when the verification happened by the end of the rectification deadline (CST)."""
    return due is not None and at <= clock.end_of_day(due)


def outcome_of(event: Any, case: Any, due: date | None) -> s.CaseOutcome:
    """The engine's record of one scored case event (``event``/``case``: rows or objects)."""
    data = event.data or {}
    return s.CaseOutcome(*_outcome_values(event.id, case.id, case.unit_id, event.trigger, event_quarter(event.at),
                                          event.at, data.get("severity"), data.get("on_time"), case.severity,
                                          case.origin, case.notice_deduction, due))


def _outcome_values(event_id: int, case_id: int, unit_id: int, trigger: str, period: tuple[int, int], at: datetime,
                    recorded_severity: str | None, recorded_on_time: Any, severity: str | None, origin: str,
                    notice_deduction, due: date | None) -> tuple:
    """A ``CaseOutcome``'s fields in order: the severity the event recorded (else the case's), and for an
    acceptance whether it was on time (as the lifecycle recorded it, else by the deadline it had)."""
    severity = recorded_severity or severity
    if severity not in ("minor", "moderate", "serious"):
        severity = None
    on_time = None
    if trigger == "accept":  # the lifecycle derives it (report submitted by the deadline); else ours
        on_time = bool(recorded_on_time) if recorded_on_time is not None else accept_on_time(at, due)
    return (event_id, case_id, unit_id, *period, trigger, severity, origin == "self_report", on_time,
            notice_deduction)


def case_outcomes(year: int, last_q: int, unit_ids=None) -> dict[int, list]:
    """The scored case events of quarters 1..``last_q`` of ``year`` (``unit_ids``: see ``unit_cond``), by unit."""
    out: dict[int, list] = defaultdict(list)
    start, _ = quarter_bounds(year, 1)
    _, end = quarter_bounds(year, last_q)
    ends = [quarter_bounds(year, qq)[1] for qq in range(1, last_q)]  # an event's quarter: bisected from these
    ev, case = CaseEvent.__table__.c, Case.__table__.c
    # Only the two keys of the event's data that scoring reads, extracted by the database as plain values
    # (not every event's whole document decoded).
    # Each slice of a parallel recompute reads its units' cases: SQLite's planner takes the unit index (then
    # each case's events), PostgreSQL's hashes those cases against the period's events read by date (for a
    # 1,250-unit slice of a province both take 0.1–0.3 s; a lateral join per case is planned the same way).
    stmt = (select(ev.id, ev.case_id, case.unit_id, ev.trigger, ev.at, ev.data["severity"].as_string(),
                   ev.data["on_time"].as_boolean(), case.severity, case.origin, case.notice_deduction)
            .join_from(CaseEvent.__table__, Case.__table__, case.id == ev.case_id)
            .where(ev.at >= start, ev.at < end, ev.trigger.in_(SCORED_TRIGGERS), _unit_filter(case, unit_ids)))
    rows = db.session.execute(stmt).all()
    accepts = {r[1]: r[0] for r in rows if r[3] == "accept"}
    due = rectify_due_before(list(accepts), accepts)
    values = (_outcome_values(event_id, case_id, unit_id, trigger, (year, bisect_right(ends, at) + 1), at,
                              *rest, due.get(case_id))
              for event_id, case_id, unit_id, trigger, at, *rest in rows)
    for outcome in s.records(s.CaseOutcome, values):
        out[outcome.unit_id].append(outcome)
    return out


def cost_year(year: int) -> int | None:
    """The latest year not after ``year`` with any cost record."""
    return db.session.scalar(select(func.max(m.CostRecord.year)).where(m.CostRecord.year <= year))


def performance(year: int, scheme: dict, unit_ids=None) -> dict[int, s.PerformanceResult]:
    """The performance indicators of ``year`` (from its latest cost year), for the peer groups of ``unit_ids``."""
    unit = Unit.__table__.c
    peers_stmt = select(unit.id, unit.peer_group).where(unit.active.is_(True))
    if unit_ids is not None:
        groups = select(unit.peer_group).where(unit_cond(unit.id, unit_ids)).scalar_subquery()
        peers_stmt = select(unit.id, unit.peer_group).where(
            (unit.active.is_(True) & unit.peer_group.in_(groups)) | unit_cond(unit.id, unit_ids))
    peer_of = dict(db.session.execute(peers_stmt).all())
    cy = cost_year(year)
    if cy is None:
        return {u: s.full_performance(scheme, "No cost records yet: full points") for u in peer_of}
    cost = m.CostRecord.__table__.c
    stmt = select(cost.id, cost.unit_id, cost.year, cost.admin_cost, cost.budget, cost.headcount).where(
        cost.year.in_((cy, cy - 1)))
    if unit_ids is not None:
        stmt = stmt.where(cost.unit_id.in_(list(peer_of)))
    records = list(s.records(s.CostRecord, db.session.execute(stmt).all()))
    return s.performance_for_year(records, peer_of, cy, scheme)


def load_sources(year: int, last_quarter: int, scheme: dict, unit_ids=None,
                 performance_of: dict[int, s.PerformanceResult] | None = None) -> Sources:
    """Every record that scores quarters 1..``last_quarter`` of ``year`` for ``unit_ids`` (see ``unit_cond``);
    ``performance_of``: the year's performance indicators when the caller has them already (they compare a
    unit with its peers, so a slice of the units cannot compute its own)."""
    src = Sources()
    _checks(src, year, last_quarter, unit_ids)
    _surveys(src, year, last_quarter, unit_ids)
    _booked(src, year, last_quarter, unit_ids)
    src.outcomes = case_outcomes(year, last_quarter, unit_ids)
    src.performance = performance(year, scheme, unit_ids) if performance_of is None else performance_of
    return src


def overdue_open_units(year: int, quarter: int, unit_ids=None) -> set[int]:
    """Units with an overdue case open at the quarter's end (now, for the current quarter)."""
    return set(overdue_open_cases(year, quarter, unit_ids).values())


_CASE = Case.__table__.c
_OPEN_OF_UNITS = select(_CASE.unit_id, _CASE.state, _CASE.ack_due, _CASE.rectify_due).where(
    _CASE.unit_id.in_(bindparam("unit_ids", expanding=True)), _CASE.state.in_(OPEN_STATES))


def _overdue(state: str, ack_due: date | None, rectify_due: date | None, today: date) -> bool:
    if state in ESCALATED_STATES:
        return True
    due = ack_due if state == "notice_issued" else rectify_due if state == "rectifying" else None
    return due is not None and due < today


def overdue_now_units(unit_ids: list[int]) -> set[int]:
    """The units with an overdue open case right now (the current quarter; the cases' own columns)."""
    today, found = clock.today(), set()
    for start in range(0, len(unit_ids), 1000):
        rows = db.session.execute(_OPEN_OF_UNITS, {"unit_ids": unit_ids[start:start + 1000]})
        found.update(unit_id for unit_id, *row in rows if _overdue(*row, today))
    return found


def overdue_open_cases(year: int, quarter: int, unit_ids=None) -> dict[int, int]:
    """Overdue cases open at the quarter's end (now, for the current quarter): case id → unit id.

    A case counts when, at that instant, it is in escalation (escalated/talk/inquiry), or is
    waiting for acknowledgement or rectification past the deadline in force at that instant.
    """
    _, end = quarter_bounds(year, quarter)
    at = min(end, clock.now())
    day = clock.local(at).date()
    # Only cases opened by then and not closed by then can be open then: ``closed_at`` is the instant
    # of the latest transition into a final state, cleared by a reopening, so a case closed at or
    # before ``at`` was closed at ``at`` (this leaves out most of a province's history).
    # Each such case's state then: its last event by then, found through the (case, seq) key.
    case, ev = Case.__table__.c, CaseEvent.__table__.c
    state_then = (select(ev.to_state).where(ev.case_id == case.id, ev.at <= at).order_by(ev.seq.desc()).limit(1)
                  .scalar_subquery())
    stmt = select(case.id, case.unit_id, state_then).where(
        case.opened_at <= at, or_(case.closed_at.is_(None), case.closed_at > at))
    if unit_ids is not None:
        stmt = stmt.where(unit_cond(case.unit_id, unit_ids))
    waiting: dict[int, int] = {}
    found: dict[int, int] = {}
    for case_id, unit_id, state in db.session.execute(stmt):
        if state in ESCALATED_STATES:
            found[case_id] = unit_id
        elif state in ("notice_issued", "rectifying"):
            waiting[case_id] = unit_id
    if waiting:
        changes = db.session.execute(
            select(DeadlineChange.case_id, DeadlineChange.new_due)
            .where(DeadlineChange.case_id.in_(list(waiting)), DeadlineChange.kind.in_(("acknowledge", "rectify")),
                   DeadlineChange.at <= at).order_by(DeadlineChange.id))
        due: dict[int, date | None] = {}
        for case_id, new_due in changes:
            due[case_id] = new_due
        found.update({c: waiting[c] for c, d in due.items() if d is not None and d < day})
    return found


__all__ = ["SCORED_TRIGGERS", "Sources", "UnitRange", "case_outcomes", "unit_cond", "accept_on_time", "event_quarter", "load_sources", "outcome_of",
           "overdue_now_units", "overdue_open_cases", "overdue_open_units", "performance", "quarter_bounds", "rectify_due_before"]
