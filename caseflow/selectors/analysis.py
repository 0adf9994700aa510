"""Quarterly analysis and half-yearly review: plain data for the analysis pages and the report documents.

``period_analysis`` returns only dicts, lists, str, int and float, so the documents area
can render it to DOCX/PDF and tests can compare it. A fixed number of queries per call.
"""
from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import date, datetime, timedelta
from weakref import WeakKeyDictionary

from sqlalchemy import and_, case, func, literal, literal_column, or_, select
from sqlalchemy.orm import aliased

from caseflow import clock
from caseflow.extensions import db
from caseflow.models import Case, CaseEvent, PeriodResult, Signal, Unit
from caseflow.selectors.board import COLOUR_RANK, COLOURS, previous_quarter
from caseflow.services.calendar import get_calendar

OPEN_STATES = ("detected", "notice_issued", "rectifying", "verifying", "escalated", "talk", "inquiry")
TOP_CATEGORIES = 5


def _qstart(year: int, quarter: int) -> date:
    return date(year, 3 * quarter - 2, 1) if quarter <= 4 else date(year + 1, 1, 1)


def _instant(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=clock.CST)


def period_bounds(year: int, quarter: int | None = None, half: int | None = None) -> dict:
    """The period's first day, the day after its last, its colour quarter, and the previous period's."""
    if quarter:
        first, last = quarter, quarter
        prev_first, prev_last = previous_quarter(year, quarter), previous_quarter(year, quarter)
        key = f"{year}Q{quarter}"
    elif half:
        first, last = (1, 2) if half == 1 else (3, 4)
        prev_first, prev_last = ((year - 1, 3), (year - 1, 4)) if half == 1 else ((year, 1), (year, 2))
        key = f"{year}H{half}"
    else:
        first, last = 1, 4
        prev_first, prev_last = (year - 1, 1), (year - 1, 4)
        key = f"{year}"
    return {
        "key": key, "year": year, "quarter": quarter, "half": half,
        "start": _qstart(year, first), "end": _qstart(year, last + 1) if last < 4 else date(year + 1, 1, 1),
        "colour_quarter": (year, last),
        "previous": {"start": _qstart(*prev_first),
                     "end": _qstart(prev_last[0], prev_last[1] + 1) if prev_last[1] < 4 else date(prev_last[0] + 1, 1, 1),
                     "colour_quarter": prev_last},
    }


def _colours(now_q: tuple[int, int], prev_q: tuple[int, int]) -> tuple[dict, dict, list[dict]]:
    """Colour counts of both quarters (1 query) and the units whose colour changed (1 query)."""
    rows = db.session.execute(
        select(PeriodResult.year, PeriodResult.quarter, PeriodResult.colour, func.count())
        .where(or_(and_(PeriodResult.year == now_q[0], PeriodResult.quarter == now_q[1]),
                   and_(PeriodResult.year == prev_q[0], PeriodResult.quarter == prev_q[1])))
        .group_by(PeriodResult.year, PeriodResult.quarter, PeriodResult.colour)
    ).all()
    now, before = dict.fromkeys(COLOURS, 0), dict.fromkeys(COLOURS, 0)
    for y, q, colour, n in rows:
        if colour in now:
            (now if (y, q) == tuple(now_q) else before)[colour] += n
    a, b = aliased(PeriodResult), aliased(PeriodResult)
    changed = db.session.execute(
        select(Unit.id, Unit.code, Unit.name, b.colour, a.colour, a.index)
        .join(a, a.unit_id == Unit.id)
        .join(b, and_(b.unit_id == Unit.id, b.year == prev_q[0], b.quarter == prev_q[1]))
        .where(a.year == now_q[0], a.quarter == now_q[1], a.colour != b.colour)
        .order_by(a.index, Unit.code)
    ).all()
    changes = [{"unit_id": uid, "code": code, "name": name, "before": frm, "after": to,
                "index": round(float(index), 2),
                "direction": "up" if COLOUR_RANK.get(to, 0) > COLOUR_RANK.get(frm, 0) else "down"}
               for uid, code, name, frm, to, index in changed]
    return now, before, changes


def _signals(bounds: dict) -> dict:
    """Signals of the period by channel and category, and the previous period's total (1 query)."""
    p0, p1 = _instant(bounds["previous"]["start"]), _instant(bounds["previous"]["end"])
    c0, c1 = _instant(bounds["start"]), _instant(bounds["end"])
    current = and_(Signal.received_at >= c0, Signal.received_at < c1)
    # Literal columns, not bound parameters: PostgreSQL must see the same expression in GROUP BY.
    cur = case((current, literal_column("1")), else_=literal_column("0"))
    rows = db.session.execute(
        select(cur.label("cur"), Signal.channel, Signal.category, func.count())
        .where(or_(current, and_(Signal.received_at >= p0, Signal.received_at < p1)))
        .group_by(cur, Signal.channel, Signal.category)
    ).all()
    by_channel: dict[str, int] = {}
    by_category: dict[str, int] = {}
    total = previous = 0
    for cur, channel, category, n in rows:
        if not cur:
            previous += n
            continue
        total += n
        by_channel[channel] = by_channel.get(channel, 0) + n
        by_category[category] = by_category.get(category, 0) + n
    return {"total": total, "previous_total": previous,
            "by_channel": dict(sorted(by_channel.items(), key=lambda kv: -kv[1])),
            "by_category": dict(sorted(by_category.items(), key=lambda kv: -kv[1]))}


def _cases(bounds: dict) -> dict:
    """Cases opened, closed, escalated and overdue in the period, and opened by category (2 queries)."""
    c0, c1 = _instant(bounds["start"]), _instant(bounds["end"])
    today = clock.today()
    in_period = bounds["start"] <= today < bounds["end"]
    due = case((Case.state == "notice_issued", Case.ack_due), (Case.state == "rectifying", Case.rectify_due),
               else_=None)
    opened = and_(Case.opened_at >= c0, Case.opened_at < c1)
    row = db.session.execute(select(
        func.sum(case((opened, 1), else_=0)),
        func.sum(case((and_(Case.closed_at >= c0, Case.closed_at < c1, Case.state == "closed"), 1), else_=0)),
        func.sum(case((and_(Case.state.in_(OPEN_STATES), due < today), 1), else_=0)) if in_period else literal(0),
        select(func.count(func.distinct(CaseEvent.case_id))).where(
            CaseEvent.to_state == "escalated", CaseEvent.at >= c0, CaseEvent.at < c1).scalar_subquery(),
        # The sweep (actor role "system") escalates only overdue acknowledgements and rectifications.
        select(func.count(func.distinct(CaseEvent.case_id))).where(
            CaseEvent.to_state == "escalated", CaseEvent.actor_role == "system",
            CaseEvent.at >= c0, CaseEvent.at < c1).scalar_subquery(),
    ).select_from(Case)).one()
    by_category = dict(db.session.execute(
        select(Case.category, func.count()).where(opened).group_by(Case.category)).all())
    return {"opened": int(row[0] or 0), "closed": int(row[1] or 0), "escalated": int(row[3] or 0),
            "overdue": int(row[2] or 0) + int(row[4] or 0), "by_category": by_category}


_COUNTERS: WeakKeyDictionary = WeakKeyDictionary()
_EPOCH = date(2000, 1, 1)


def workday_counter(calendar) -> Callable[[date], int]:
    """A function giving the number of working days from 2000-01-01 up to and including a day, so that
    ``count(end) - count(start) == calendar.workdays_between(start, end)``; memoized per calendar,
    because the dashboard measures thousands of cases per request."""
    table = _COUNTERS.get(calendar)
    if table is None:
        table = _COUNTERS.setdefault(calendar, {"last": _EPOCH, "n": {_EPOCH: 0}})

    def count(day: date) -> int:
        if day < _EPOCH:
            return -calendar.workdays_between(day, _EPOCH)
        while table["last"] < day:
            nxt = table["last"] + timedelta(days=1)
            table["n"][nxt] = table["n"][table["last"]] + (1 if calendar.is_workday(nxt) else 0)
            table["last"] = nxt
        return table["n"][day]

    return count


def rectify_times(start: datetime, end: datetime) -> dict:
    """Working days from acknowledgement to acceptance for cases closed in [start, end) (1 query)."""
    rows = db.session.execute(
        select(func.min(CaseEvent.at), Case.closed_at)
        .join(CaseEvent, and_(CaseEvent.case_id == Case.id, CaseEvent.trigger == "acknowledge"))
        .where(Case.state == "closed", Case.closed_at >= start, Case.closed_at < end)
        .group_by(Case.id, Case.closed_at)
    ).all()
    count = workday_counter(get_calendar())
    days = []
    for acked_at, closed_at in rows:
        a = clock.local(acked_at).date()
        c = clock.local(closed_at).date()
        days.append(count(c) - count(a) if c > a else 0)
    if not days:
        return {"count": 0, "mean": None, "median": None}
    return {"count": len(days), "mean": round(statistics.fmean(days), 1), "median": float(statistics.median(days))}


def period_analysis(year: int, quarter: int | None = None, half: int | None = None) -> dict:
    """Everything the quarterly analysis or half-yearly review shows, as plain data.

    Keys: period (key, year, quarter, half, start, end as ISO dates, colour_quarter,
    previous; end is exclusive, last inclusive), colours / previous_colours ({green, orange, red}), changes (units whose
    colour changed: unit_id, code, name, before, after, index, direction), turned_red,
    signals (total, previous_total, by_channel, by_category), cases (opened, closed,
    overdue, escalated, by_category), top_categories ([{category, signals, cases}]),
    time_to_rectify ({count, mean, median} in working days).
    """
    bounds = period_bounds(year, quarter, half)
    now, before, changes = _colours(bounds["colour_quarter"], bounds["previous"]["colour_quarter"])
    signals = _signals(bounds)
    cases = _cases(bounds)
    categories = set(signals["by_category"]) | set(cases["by_category"])
    top = sorted(({"category": c, "signals": signals["by_category"].get(c, 0), "cases": cases["by_category"].get(c, 0)}
                  for c in categories), key=lambda r: (-(r["signals"] + r["cases"]), r["category"]))[:TOP_CATEGORIES]
    return {
        "period": {
            "key": bounds["key"], "year": year, "quarter": quarter, "half": half,
            "start": bounds["start"].isoformat(), "end": bounds["end"].isoformat(),
            "last": (bounds["end"] - timedelta(days=1)).isoformat(),
            "colour_quarter": list(bounds["colour_quarter"]),
            "previous": {"start": bounds["previous"]["start"].isoformat(),
                         "end": bounds["previous"]["end"].isoformat(),
                         "colour_quarter": list(bounds["previous"]["colour_quarter"])},
        },
        "colours": now,
        "previous_colours": before,
        "changes": changes,
        "turned_red": [c for c in changes if c["after"] == "red"],
        "signals": signals,
        "cases": cases,
        "top_categories": top,
        "time_to_rectify": rectify_times(_instant(bounds["start"]), _instant(bounds["end"])),
    }
