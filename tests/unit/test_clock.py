"""The clock honours CASEFLOW_NOW and frozen(); dates are China Standard Time."""
from __future__ import annotations

from datetime import UTC, date, datetime

from caseflow import clock


def test_caseflow_now_freezes_the_clock(monkeypatch):
    monkeypatch.setenv("CASEFLOW_NOW", "2026-09-24T09:30:00")
    assert clock.now() == datetime(2026, 9, 24, 1, 30, tzinfo=UTC)
    assert clock.today() == date(2026, 9, 24)


def test_frozen_overrides_and_today_is_cst(monkeypatch):
    monkeypatch.delenv("CASEFLOW_NOW", raising=False)
    with clock.frozen(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)):
        assert clock.today() == date(2027, 1, 1)  # 01:00 next day in Shanghai
    assert clock.now().year >= 2026


def test_end_of_day_is_midnight_cst():
    end = clock.end_of_day(date(2026, 2, 26))
    assert clock.local(end).date() == date(2026, 2, 26)
    assert end.tzinfo == UTC and end.hour == 15 and end.minute == 59
