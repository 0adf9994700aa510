"""Chinese working days: official tables, make-up days, loaded years and the Mon–Fri fallback."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from caseflow.calendar import OFFICIAL_YEARS, WorkCalendar, official_workday, parse_table
from caseflow.errors import InvalidField

CAL = WorkCalendar()


def test_spring_festival_2026_example_from_the_issue():
    # 2026-02-14 (Saturday) is a make-up working day; 2026-02-15..23 are off.
    assert CAL.is_workday(date(2026, 2, 14))
    assert not any(CAL.is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert CAL.add_workdays(date(2026, 2, 12), 5) == date(2026, 2, 26)


def test_the_start_day_is_not_counted_and_zero_is_the_same_day():
    assert CAL.add_workdays(date(2026, 3, 2), 1) == date(2026, 3, 3)  # Monday → Tuesday
    assert CAL.add_workdays(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday → Monday
    assert CAL.add_workdays(date(2026, 3, 6), 0) == date(2026, 3, 6)
    with pytest.raises(ValueError):
        CAL.add_workdays(date(2026, 3, 6), -1)


def test_national_day_2025():
    assert not CAL.is_workday(date(2025, 10, 1)) and not CAL.is_workday(date(2025, 10, 8))
    assert CAL.is_workday(date(2025, 9, 28)) and CAL.is_workday(date(2025, 10, 11))


def test_workdays_between_is_signed_and_matches_add():
    start = date(2026, 1, 30)
    end = CAL.add_workdays(start, 17)
    assert CAL.workdays_between(start, end) == 17
    assert CAL.workdays_between(end, start) == -17
    assert CAL.workdays_between(start, start) == 0


def test_official_years_answer_exactly_as_the_package():
    day, last = date(min(OFFICIAL_YEARS), 1, 1), date(max(OFFICIAL_YEARS), 12, 31)
    while day <= last:
        if day.year in OFFICIAL_YEARS:
            assert CAL.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
    assert official_workday(datetime(2026, 2, 14, 9, 30)) and not official_workday(datetime(2026, 2, 16, 9, 30))


def test_uncovered_year_falls_back_to_monday_to_friday():
    assert not CAL.covers(2031)
    assert CAL.uncovered_years(date(2031, 1, 1), date(2026, 1, 1)) == [2031]
    assert not CAL.is_workday(date(2031, 1, 4))  # Saturday
    assert CAL.is_workday(date(2031, 1, 1))  # a Wednesday: no table, so a working day


def test_a_loaded_year_replaces_the_fallback():
    table = parse_table("# 2031\n2031-01-01,holiday,元旦\n2031-01-04,workday,调休\n")
    cal = WorkCalendar(table)
    assert cal.covers(2031)
    assert not cal.is_workday(date(2031, 1, 1)) and cal.is_workday(date(2031, 1, 4))
    assert cal.add_workdays(date(2030, 12, 31), 1) == date(2031, 1, 2)


@pytest.mark.parametrize("text", ["", "2031-13-01,holiday", "2031-01-01,party", "garbage"])
def test_bad_tables_are_refused_naming_the_line(text):
    with pytest.raises(InvalidField) as error:
        parse_table(text)
    assert error.value.field == "table"


def test_workdays_between_counts_as_the_day_by_day_walk():
    """The running counts give what walking day by day gives, across years, holidays and loaded days."""
    import random

    extra = {date(2031, 1, 1): False, date(2031, 1, 4): True, date(2031, 10, 1): False}
    calendar = WorkCalendar(extra)

    def walk(start: date, end: date) -> int:
        sign, lo, hi = (1, start, end) if end >= start else (-1, end, start)
        count, day = 0, lo
        while day < hi:
            day += timedelta(days=1)
            count += calendar.is_workday(day)
        return sign * count

    rng = random.Random(7)
    base = date(2024, 1, 1)
    for _ in range(400):
        a = base + timedelta(days=rng.randint(0, 3000))
        b = a + timedelta(days=rng.randint(-400, 400))
        assert calendar.workdays_between(a, b) == walk(a, b), (a, b)
    assert calendar.workdays_between(date(2030, 12, 31), date(2031, 1, 5)) == walk(date(2030, 12, 31), date(2031, 1, 5))
