"""Chinese working days: weekends and official holidays off, make-up days (调休) on.

The official tables come from the maintained ``chinesecalendar`` package for the years it
covers; an administrator can load later years (the State Council publishes each autumn),
which are passed in as ``extra``. A year covered by neither falls back to Monday–Friday and
``covers(year)`` says so, so the UI can warn.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from chinese_calendar import constants as _official

_OFFICIAL_YEARS = frozenset(d.year for d in (*_official.holidays, *_official.workdays))
# The package's tables cover a year only when that year has holiday entries.
OFFICIAL_YEARS = frozenset(y for y in _OFFICIAL_YEARS if any(d.year == y for d in _official.holidays))
# The package's tables as sets: ``chinese_calendar.is_workday`` gives the same answers but scans
# the whole holiday table for its supported range on every call (a deadline checks ~30 days).
_OFFICIAL_HOLIDAYS = frozenset(_official.holidays)
_OFFICIAL_WORKDAYS = frozenset(_official.workdays)


def official_workday(day: date) -> bool:
    """``chinese_calendar.is_workday`` for a day of an official year: make-up days on, holidays off."""
    if isinstance(day, datetime):
        day = day.date()
    return day in _OFFICIAL_WORKDAYS or (day.weekday() < 5 and day not in _OFFICIAL_HOLIDAYS)


class WorkCalendar:
    """A working-day calendar: official tables plus administrator-loaded days."""

    def __init__(self, extra: Mapping[date, bool] | None = None) -> None:
        self.extra: dict[date, bool] = dict(extra or {})
        self.loaded_years = frozenset(d.year for d in self.extra)
        # year → working days from 1 January up to each day of the year, inclusive (built on first use)
        self._running: dict[int, list[int]] = {}

    def covers(self, year: int) -> bool:
        """Whether an official table (bundled or loaded) exists for ``year``."""
        return year in self.loaded_years or year in OFFICIAL_YEARS

    def is_workday(self, day: date) -> bool:
        """True when ``day`` is a working day."""
        if day in self.extra:
            return self.extra[day]
        if day.year in OFFICIAL_YEARS and day.year not in self.loaded_years:
            return official_workday(day)
        return day.weekday() < 5

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself not counted); n ≥ 0."""
        if n < 0:
            raise ValueError("n must be non-negative")
        day = start
        while n > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day

    def _running_count(self, year: int) -> list[int]:
        running = self._running.get(year)
        if running is None:
            running, count, day = [], 0, date(year, 1, 1)
            while day.year == year:
                count += self.is_workday(day)
                running.append(count)
                day += timedelta(days=1)
            self._running[year] = running
        return running

    def _upto(self, day: date) -> int:
        """Working days from 1 January of ``day``'s year up to ``day``, inclusive."""
        return self._running_count(day.year)[day.toordinal() - date(day.year, 1, 1).toordinal()]

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when end < start.

        Constant time per call: each year's running count of working days is built once (a case list
        counts the days left of every deadline it shows)."""
        if isinstance(start, datetime):
            start = start.date()
        if isinstance(end, datetime):
            end = end.date()
        if end == start:
            return 0
        sign, lo, hi = (1, start, end) if end > start else (-1, end, start)
        count = self._upto(hi) - self._upto(lo)
        for year in range(lo.year, hi.year):  # the whole years in between: each one's total
            count += self._running_count(year)[-1]
        return sign * count

    def uncovered_years(self, *days: date) -> list[int]:
        """The years among ``days`` that fall back to Monday–Friday."""
        return sorted({d.year for d in days if d is not None and not self.covers(d.year)})


def parse_table(text: str) -> dict[date, bool]:
    """Parse an administrator's table: one ``YYYY-MM-DD,holiday|workday[,name]`` per line."""
    from caseflow.errors import InvalidField

    table: dict[date, bool] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",")]
        try:
            day = date.fromisoformat(parts[0])
            kind = parts[1].lower()
        except (ValueError, IndexError):
            raise InvalidField(
                "Line %(line)s: expected YYYY-MM-DD,holiday|workday.", field="table", line=lineno
            ) from None
        if kind not in ("holiday", "workday"):
            raise InvalidField(
                "Line %(line)s: expected YYYY-MM-DD,holiday|workday.", field="table", line=lineno
            )
        table[day] = kind == "workday"
    if not table:
        raise InvalidField("The table is empty.", field="table")
    return table
