"""Quarterly analysis and half-yearly review: the data the pages and the report documents use."""
from __future__ import annotations

from datetime import date

from caseflow import clock
from caseflow.selectors.analysis import period_analysis, period_bounds
from tests import factories
from tests import factories_display as fd


def _data():
    a = factories.unit(name="转红村", code="V1")
    b = factories.unit(name="转绿村", code="V2")
    c = factories.unit(name="不变村", code="V3")
    fd.result(a, 2025, 1, 80)
    fd.result(a, 2025, 2, 60)
    fd.result(b, 2025, 1, 72)
    fd.result(b, 2025, 2, 90)
    fd.result(c, 2025, 1, 90)
    fd.result(c, 2025, 2, 91)
    # Signals: two in Q2 (China time), one in Q1; the one at 2025-03-31 23:30 CST is still Q1.
    fd.signal(unit=a, channel="audit", category="tendering", received_at=fd.at(date(2025, 4, 2)))
    fd.signal(unit=a, channel="audit", category="finance", received_at=fd.at(date(2025, 5, 2)))
    fd.signal(unit=b, channel="mailbox", category="finance", received_at=fd.at(date(2025, 3, 31), 23))
    # Cases: opened in Q2, closed in Q2 after 5 working days of rectification, escalated by the sweep.
    closed = fd.case(a, state="closed", category="tendering", opened_at=fd.at(date(2025, 4, 1)),
                     closed_at=fd.at(date(2025, 4, 14)))
    fd.event(closed, "acknowledge", "rectifying", fd.at(date(2025, 4, 7)))
    escalated = fd.case(b, state="escalated", opened_at=fd.at(date(2025, 1, 10)))
    fd.event(escalated, "escalate", "escalated", fd.at(date(2025, 5, 6)), actor_role="system")
    return a, b, c


def test_quarterly_analysis_numbers(db):
    a, b, c = _data()
    data = period_analysis(2025, quarter=2)
    assert data["period"]["start"] == "2025-04-01" and data["period"]["end"] == "2025-07-01"
    assert data["colours"] == {"green": 2, "orange": 0, "red": 1}
    assert data["previous_colours"] == {"green": 1, "orange": 2, "red": 0}
    changes = {ch["code"]: ch for ch in data["changes"]}
    assert set(changes) == {"V1", "V2"}
    assert changes["V1"]["after"] == "red" and changes["V1"]["direction"] == "down"
    assert changes["V2"]["direction"] == "up"
    assert [r["code"] for r in data["turned_red"]] == ["V1"] and data["turned_red"][0]["index"] == 60.0
    assert data["signals"]["total"] == 2 and data["signals"]["previous_total"] == 1
    assert data["signals"]["by_channel"] == {"audit": 2}
    assert data["signals"]["by_category"] == {"tendering": 1, "finance": 1}
    assert data["cases"]["opened"] == 1 and data["cases"]["closed"] == 1
    assert data["cases"]["escalated"] == 1 and data["cases"]["overdue"] == 1
    assert data["top_categories"][0] == {"category": "tendering", "signals": 1, "cases": 1}
    # 2025-04-07 (Mon) to 2025-04-14 (Mon): 5 working days.
    assert data["time_to_rectify"] == {"count": 1, "mean": 5.0, "median": 5.0}


def test_half_year_bounds_and_data(db):
    _data()
    bounds = period_bounds(2025, half=1)
    assert (bounds["start"], bounds["end"]) == (date(2025, 1, 1), date(2025, 7, 1))
    assert bounds["colour_quarter"] == (2025, 2) and bounds["previous"]["colour_quarter"] == (2024, 4)
    data = period_analysis(2025, half=1)
    assert data["signals"]["total"] == 3 and data["cases"]["opened"] == 2
    assert period_bounds(2025, half=2)["previous"]["colour_quarter"] == (2025, 2)


def test_analysis_data_is_plain(db):
    import json

    _data()
    json.dumps(period_analysis(2025, quarter=2))
    json.dumps(period_analysis(2025))


def test_analysis_pages(login_as):
    _data()
    client = login_as("supervisor")
    html = client.get("/analysis/quarterly?period=2025-2").get_data(as_text=True)
    assert "转红村" in html and "vendor/echarts/echarts.min.js" in html and "<details" in html
    assert client.get("/analysis/half-year?year=2025&half=1").status_code == 200
    assert login_as("auditor").get("/analysis/quarterly").status_code == 200
    assert login_as("unit_leader").get("/analysis/quarterly").status_code == 403
    assert login_as("monitor").get("/analysis/half-year").status_code == 403
    assert clock.today()  # the default period is today's quarter
    assert client.get("/analysis/quarterly").status_code == 200


def test_workday_counter_matches_calendar(db):
    from caseflow.selectors.analysis import workday_counter
    from caseflow.services.calendar import get_calendar

    calendar = get_calendar()
    count = workday_counter(calendar)
    for start, end in ((date(2025, 9, 26), date(2025, 10, 13)), (date(2024, 1, 1), date(2026, 2, 20)),
                       (date(2026, 4, 30), date(2026, 5, 6))):
        assert count(end) - count(start) == calendar.workdays_between(start, end)
