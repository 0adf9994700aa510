"""Numbers for the per-role dashboards on the home page; each function is a fixed number of queries."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, case, func, literal_column, select
from sqlalchemy.orm import aliased

from caseflow import clock
from caseflow.extensions import db
from caseflow.models import Case, PeriodResult, Signal, Station, Unit, User
from caseflow.selectors.board import COLOUR_RANK, COLOURS, previous_quarter
from caseflow.services.calendar import get_calendar

OPEN_STATES = ("detected", "notice_issued", "rectifying", "verifying", "escalated", "talk", "inquiry")
DUE_SOON_WORKDAYS = 3
MONTHS = 12
# Aliases built once (a fresh alias per call re-derives its column adaptations on every request).
_NOW, _BEFORE, _TOWN = aliased(PeriodResult), aliased(PeriodResult), aliased(Unit)


def active_due():
    """SQL expression: the deadline that is running in the case's current state."""
    return case(
        (Case.state == "notice_issued", Case.ack_due),
        (Case.state == "rectifying", Case.rectify_due),
        (Case.state == "verifying", Case.verify_due),
        else_=None,
    )


def town_of_unit():
    """SQL expression: the town id of a unit (itself when a town)."""
    return case((Unit.kind == "town", Unit.id), else_=Unit.parent_id)


def officer_queue(user) -> dict:
    """My open cases by state, due-soon and overdue counts, and the cases due next (2 queries: the counts
    per state carry each state's overdue and due-soon counts, which add up to the totals)."""
    today = clock.today()
    soon = get_calendar().add_workdays(today, DUE_SOON_WORKDAYS)
    due = active_due()
    mine = and_(Case.handler_id == user.id, Case.state.in_(OPEN_STATES))
    by_state, overdue, due_soon = {}, 0, 0
    for state, n, late, soon_n in db.session.execute(
            select(Case.state, func.count(), func.sum(case((due < today, 1), else_=0)),
                   func.sum(case((and_(due >= today, due <= soon), 1), else_=0)))
            .where(mine).group_by(Case.state)):
        by_state[state] = n
        overdue += int(late or 0)
        due_soon += int(soon_n or 0)
    upcoming = db.session.execute(
        select(Case, due.label("due")).where(mine, due.is_not(None), due <= soon).order_by(due, Case.id).limit(10)
    ).all()
    return {"by_state": by_state, "open": sum(by_state.values()), "overdue": overdue,
            "due_soon": due_soon, "upcoming": upcoming, "today": today, "soon": soon}


def triage_backlog(user) -> dict[str, int]:
    """New, overdue and assigned-to-me signals: the signals area's ``triage_counts`` when present."""
    try:
        from caseflow.selectors.signals import triage_counts  # provided by the signals area
    except ImportError:
        triage_counts = None
    if triage_counts is not None:
        return dict(triage_counts(user))
    today = clock.today()
    waiting = Signal.status.in_(("new", "assigned"))
    row = db.session.execute(select(
        func.sum(case((Signal.status == "new", 1), else_=0)),
        func.sum(case((and_(waiting, Signal.handling_due < today), 1), else_=0)),
        func.sum(case((and_(Signal.status == "assigned", Signal.officer_id == user.id), 1), else_=0)),
    )).one()
    return {"new": int(row[0] or 0), "overdue": int(row[1] or 0), "assigned": int(row[2] or 0)}


def colour_distribution(year: int, quarter: int) -> dict:
    """Colour counts of a quarter and the previous one, and how many units went up or down (2 queries)."""
    prev = previous_quarter(year, quarter)
    rows = db.session.execute(
        select(PeriodResult.year, PeriodResult.quarter, PeriodResult.colour, func.count())
        .where(((PeriodResult.year == year) & (PeriodResult.quarter == quarter))
               | ((PeriodResult.year == prev[0]) & (PeriodResult.quarter == prev[1])))
        .group_by(PeriodResult.year, PeriodResult.quarter, PeriodResult.colour)
    ).all()
    now = dict.fromkeys(COLOURS, 0)
    before = dict.fromkeys(COLOURS, 0)
    for y, q, colour, n in rows:
        if colour in now:
            (now if (y, q) == (year, quarter) else before)[colour] = n
    a, b = _NOW, _BEFORE
    moves = db.session.execute(
        select(a.colour, b.colour, func.count())
        .join(b, and_(b.unit_id == a.unit_id, b.year == prev[0], b.quarter == prev[1]))
        .where(a.year == year, a.quarter == quarter, a.colour != b.colour)
        .group_by(a.colour, b.colour)
    ).all()
    up = sum(n for to, frm, n in moves if COLOUR_RANK.get(to, 0) > COLOUR_RANK.get(frm, 0))
    down = sum(n for to, frm, n in moves if COLOUR_RANK.get(to, 0) < COLOUR_RANK.get(frm, 0))
    return {"year": year, "quarter": quarter, "previous": prev, "now": now, "before": before,
            "up": up, "down": down, "moves": [(frm, to, n) for to, frm, n in moves]}


def red_units(year: int, quarter: int, limit: int = 10) -> list:
    """Red units of the quarter, lowest index first."""
    return db.session.execute(
        select(Unit.id, Unit.code, Unit.name, PeriodResult.index)
        .join(PeriodResult, PeriodResult.unit_id == Unit.id)
        .where(PeriodResult.year == year, PeriodResult.quarter == quarter, PeriodResult.colour == "red")
        .order_by(PeriodResult.index, Unit.code).limit(limit)
    ).all()


def escalations(limit: int = 10) -> dict:
    """Cases in ``escalated`` awaiting a supervisor's decision, oldest first, and their count."""
    rows = list(db.session.scalars(
        select(Case).where(Case.state == "escalated").order_by(Case.updated_at, Case.id).limit(limit)))
    total = db.session.scalar(select(func.count()).select_from(Case).where(Case.state == "escalated")) or 0
    return {"items": rows, "total": total}


def overdue_by_town() -> list[tuple[str, int]]:
    """Open cases past their running deadline, counted per town (agencies etc. under '')."""
    today = clock.today()
    due = active_due()
    town = _TOWN
    rows = db.session.execute(
        select(town.name, func.count())
        .select_from(Case).join(Unit, Unit.id == Case.unit_id)
        .outerjoin(town, town.id == town_of_unit())
        .where(Case.state.in_(OPEN_STATES), due < today)
        .group_by(town.name).order_by(func.count().desc())
    ).all()
    return [(name or "", n) for name, n in rows]


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    """First days of the last ``months`` months up to and including today's, plus the next month's."""
    y, m = today.year, today.month
    starts = []
    for _ in range(months + 1):
        starts.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    starts.reverse()
    ny, nm = (today.year, today.month + 1) if today.month < 12 else (today.year + 1, 1)
    return starts[1:] + [date(ny, nm, 1)]


def _instant(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=clock.CST)


def signals_monthly(today: date | None = None, months: int = MONTHS) -> dict:
    """Signals per month (China time) of the last ``months`` months, by channel and by category (1 query)."""
    bounds = month_starts(today or clock.today(), months)
    edges = [_instant(d) for d in bounds]
    # Literal columns, not bound parameters: PostgreSQL must see the same expression in GROUP BY.
    bucket = case(*[(Signal.received_at < edges[i + 1], literal_column(str(i))) for i in range(months)], else_=None)
    rows = db.session.execute(
        select(bucket.label("b"), Signal.channel, Signal.category, func.count())
        .where(Signal.received_at >= edges[0], Signal.received_at < edges[-1])
        .group_by(bucket, Signal.channel, Signal.category)
    ).all()
    labels = [d.strftime("%Y-%m") for d in bounds[:-1]]
    by_channel: dict[str, list[int]] = {}
    by_category: dict[str, list[int]] = {}
    for b, channel, category, n in rows:
        by_channel.setdefault(channel, [0] * months)[b] += n
        by_category.setdefault(category, [0] * months)[b] += n
    return {"months": labels, "by_channel": by_channel, "by_category": by_category}


def unit_leader_view(user) -> dict:
    """The leader's unit: this and last quarter's result and its open notices (2 queries)."""
    from caseflow.selectors.common import current_quarter

    year, quarter = current_quarter()
    prev = previous_quarter(year, quarter)
    results = {(r.year, r.quarter): r for r in db.session.scalars(
        select(PeriodResult).where(PeriodResult.unit_id == user.unit_id,
                                   ((PeriodResult.year == year) & (PeriodResult.quarter == quarter))
                                   | ((PeriodResult.year == prev[0]) & (PeriodResult.quarter == prev[1]))))}
    cases = db.session.execute(
        select(Case, active_due().label("due")).where(Case.unit_id == user.unit_id, Case.state.in_(OPEN_STATES))
        .order_by(active_due(), Case.id).limit(20)
    ).all()
    return {"year": year, "quarter": quarter, "current": results.get((year, quarter)),
            "previous": results.get(prev), "cases": cases}


def monitor_view(user, limit: int = 10) -> dict:
    """A monitor's most recent signals and how many are in each status (2 queries)."""
    recent = list(db.session.scalars(
        select(Signal).where(Signal.reporter_id == user.id).order_by(Signal.received_at.desc()).limit(limit)))
    by_status = dict(db.session.execute(
        select(Signal.status, func.count()).where(Signal.reporter_id == user.id).group_by(Signal.status)).all())
    return {"recent": recent, "by_status": by_status}


def admin_counts() -> dict:
    """Totals for an administrator: users by role, units, stations, signals, cases (1 query)."""
    row = db.session.execute(select(
        select(func.count()).select_from(Unit).where(Unit.active.is_(True)).scalar_subquery(),
        select(func.count()).select_from(Station).scalar_subquery(),
        select(func.count()).select_from(Signal).scalar_subquery(),
        select(func.count()).select_from(Case).scalar_subquery(),
        select(func.count()).select_from(Case).where(Case.state.in_(OPEN_STATES)).scalar_subquery(),
    )).one()
    roles = dict(db.session.execute(
        select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)).all())
    return {"units": row[0], "stations": row[1], "signals": row[2], "cases": row[3], "open_cases": row[4],
            "users_by_role": roles}


def time_to_rectify(start: date, end: date) -> dict:
    """Working days from acknowledgement to acceptance of cases closed in [start, end) (see analysis)."""
    from caseflow.selectors.analysis import rectify_times

    return rectify_times(_instant(start), _instant(end))


def quarter_start(year: int, quarter: int) -> date:
    """First day of a quarter."""
    return date(year, 3 * quarter - 2, 1)

