"""The home page dashboards per role."""
from __future__ import annotations

import json
import re
from datetime import timedelta

from caseflow import clock
from caseflow.selectors.common import current_quarter
from caseflow.services.calendar import get_calendar
from tests import factories
from tests import factories_display as fd


def _charts(html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r'<script type="application/json">(.*?)</script>', html, re.S)]


def test_officer_sees_queue_due_soon_overdue_and_triage(login_as):
    client = login_as("officer", locale="en")
    me = client.user
    unit = factories.unit(name="待办村")
    today = clock.today()
    soon = get_calendar().add_workdays(today, 2)
    fd.case(unit, state="rectifying", handler=me, rectify_due=today - timedelta(days=3), number="C-LATE")
    fd.case(unit, state="notice_issued", handler=me, ack_due=soon, number="C-SOON")
    fd.case(unit, state="detected", handler=me, number="C-NEW")
    fd.case(unit, state="closed", handler=me, number="C-DONE")
    fd.case(unit, state="rectifying", number="C-OTHER", rectify_due=today - timedelta(days=3))
    fd.signal(unit=unit, status="new")
    fd.signal(unit=unit, status="assigned", officer_id=me.id, handling_due=today - timedelta(days=1))
    html = client.get("/").get_data(as_text=True)
    kpis = {k: int(n) for k, n in re.findall(r'data-kpi="(\w+)"><span class="kpi-n">(\d+)</span>', html)}
    assert kpis == {"open": 3, "overdue": 1, "due_soon": 1, "triage_new": 1, "triage_overdue": 1,
                    "triage_assigned": 1}
    assert "C-LATE" in html and "C-SOON" in html and "C-OTHER" not in html and "C-DONE" not in html
    spec = _charts(html)[0]
    assert spec["type"] == "bar" and sum(spec["series"][0]["values"]) == 3
    assert "Numbers as a table" in html and "vendor/echarts/echarts.min.js" in html


def test_supervisor_sees_colours_changes_escalations_red_units(login_as):
    year, quarter = current_quarter()
    prev = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    a = factories.unit(name="上升村")
    b = factories.unit(name="下降村")
    c = factories.unit(name="稳定村")
    fd.result(a, year, quarter, 90)
    fd.result(a, *prev, 60)
    fd.result(b, year, quarter, 55)
    fd.result(b, *prev, 80)
    fd.result(c, year, quarter, 88)
    fd.result(c, *prev, 88)
    fd.case(b, state="escalated", number="C-ESC")
    fd.signal(unit=a, channel="audit", category="tendering")
    client = login_as("supervisor", locale="en")
    html = client.get("/").get_data(as_text=True)
    assert "↑ 1 · ↓ 1" in html
    assert "C-ESC" in html and "下降村" in html
    specs = _charts(html)
    colours = specs[0]
    assert colours["series"][1]["values"] == [2, 0, 1]   # green, orange, red now
    assert colours["series"][0]["values"] == [1, 1, 1]   # previous quarter
    channel = next(s for s in specs if any(x["name"] == "Audit" for x in s.get("series", [])))
    assert sum(channel["series"][0]["values"]) == 1
    assert login_as("auditor").get("/").status_code == 200


def test_unit_leader_sees_own_unit_and_notices(login_as):
    year, quarter = current_quarter()
    client = login_as("unit_leader")
    unit = client.user.unit
    other = factories.unit(name="别人村")
    fd.result(unit, year, quarter, 72.5)
    fd.case(unit, state="notice_issued", number="C-MINE", title="我的告知书")
    fd.case(other, state="notice_issued", number="C-THEIRS")
    html = client.get("/").get_data(as_text=True)
    assert "72.5" in html and "c-orange" in html
    assert "C-MINE" in html and "C-THEIRS" not in html and "别人村" not in html


def test_monitor_sees_recent_reports(login_as):
    client = login_as("monitor")
    fd.signal(reporter_id=client.user.id, summary="站点直报一", channel="monitoring_station")
    fd.signal(summary="别人的信息")
    html = client.get("/").get_data(as_text=True)
    assert "站点直报一" in html and "别人的信息" not in html


def test_admin_sees_counts(login_as):
    factories.unit()
    html = login_as("admin", locale="en").get("/").get_data(as_text=True)
    assert "Users by role" in html and "Monitoring stations" in html


def test_display_cache_reuses_heavy_aggregates(app, db):
    from caseflow.selectors.cache import cached

    calls = []
    app.config["DISPLAY_CACHE_SECONDS"] = 60
    try:
        assert cached("t", (1,), lambda: calls.append(1) or 5) == 5
        assert cached("t", (1,), lambda: calls.append(1) or 6) == 5
        assert cached("t", (2,), lambda: calls.append(1) or 7) == 7
    finally:
        app.config["DISPLAY_CACHE_SECONDS"] = 0
    assert len(calls) == 2
    assert cached("t", (1,), lambda: 8) == 8  # off again
