"""The working-day calendar with administrator-loaded years, cached per process."""
from __future__ import annotations

from datetime import date

from flask import g, has_app_context
from sqlalchemy import delete, func, select

from caseflow import clock
from caseflow.calendar import WorkCalendar, parse_table
from caseflow.extensions import db
from caseflow.models import HolidayEntry

_cache: dict[str, tuple[tuple, WorkCalendar]] = {}


def _fingerprint() -> tuple:
    return tuple(db.session.execute(select(func.count(), func.max(HolidayEntry.loaded_at))).one())


def get_calendar() -> WorkCalendar:
    """The calendar: official tables plus the loaded years; rebuilt only when the table changes.

    Checked once per request (or CLI command): the answer is kept on ``flask.g``, so a page
    listing many deadlines costs one query, not one per row.
    """
    if has_app_context() and "work_calendar" in g:
        return g.work_calendar
    calendar = _load_calendar()
    if has_app_context():
        g.work_calendar = calendar
    return calendar


def _load_calendar() -> WorkCalendar:
    key = str(db.engine.url)
    stamp = _fingerprint()
    cached = _cache.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    extra = {row.day: row.is_workday for row in db.session.scalars(select(HolidayEntry))}
    calendar = WorkCalendar(extra)
    _cache[key] = (stamp, calendar)
    return calendar


def calendar_load(text: str) -> list[int]:
    """Load an official table (replacing what was loaded for the same years); return the years."""
    table = parse_table(text)
    years = sorted({d.year for d in table})
    now = clock.now()
    for year in years:
        db.session.execute(delete(HolidayEntry).where(HolidayEntry.day.between(date(year, 1, 1), date(year, 12, 31))))
    for day, is_workday in sorted(table.items()):
        db.session.add(HolidayEntry(day=day, is_workday=is_workday, loaded_at=now))
    db.session.commit()
    if has_app_context():
        g.pop("work_calendar", None)
    return years
