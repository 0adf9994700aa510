"""The unit page: trend, breakdown, open cases, signals, documents, eligibility, access."""
from __future__ import annotations

import json
import re

from tests import factories
from tests import factories_display as fd


def _unit():
    unit = factories.unit(name="趋势村", principal_leader="王主任", leaders="甲、乙")
    fd.result(unit, 2025, 3, 91.25)
    fd.result(unit, 2025, 4, 68.5)
    fd.result(unit, 2025, 0, 79.9, grade="B")
    case = fd.case(unit, state="rectifying", number="C-OPEN", rectify_due=None)
    fd.case(unit, state="closed", number="C-CLOSED")
    fd.signal(unit=unit, summary="关于趋势村的反映", number="XS-UNIT")
    fd.document(case_row=case, title="关于趋势村的预警告知书")
    fd.eligibility(unit, 2025, reason="存在逾期整改")
    return unit


def test_unit_page_shows_trend_breakdown_cases_documents_eligibility(app, login_as):
    unit = _unit()
    html = login_as("supervisor").get(f"/units/{unit.id}").get_data(as_text=True)
    spec = json.loads(re.search(r'<script type="application/json">(.*?)</script>', html, re.S).group(1))
    assert spec["labels"] == ["2025Q3", "2025Q4"] and spec["series"][0]["values"] == [91.25, 68.5]
    assert spec["series"][0]["pointColours"] == ["green", "red"]
    assert "<td class=\"num\">91.25</td>" in html    # the chart's table alternative
    assert "王主任" in html and "甲、乙" in html
    assert "C-OPEN" in html and "C-CLOSED" not in html
    assert "XS-UNIT" in html and "关于趋势村的预警告知书" in html and "存在逾期整改" in html
    assert "2025: <strong>B</strong>" in html
    # Breakdown of a chosen quarter.
    html = login_as("officer").get(f"/units/{unit.id}?period=2025-3").get_data(as_text=True)
    assert "91.25</strong>" in html
    if "scoring.unit_index_page" in app.view_functions:  # the ledger breakdown of the scoring area
        assert f"/units/{unit.id}/index?" in html


def test_unit_page_never_shows_reporter_contact(login_as):
    unit = _unit()
    html = login_as("officer").get(f"/units/{unit.id}").get_data(as_text=True)
    assert "举报人联系方式" not in html


def test_unit_leader_sees_only_own_unit_and_no_signals(login_as):
    unit = _unit()
    leader = login_as("unit_leader", unit=unit)
    response = leader.get(f"/units/{unit.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "C-OPEN" in html
    assert "XS-UNIT" not in html
    other = factories.unit()
    assert leader.get(f"/units/{other.id}").status_code == 403


def test_unit_page_without_results(login_as):
    unit = factories.unit(name="新单位")
    html = login_as("auditor", locale="en").get(f"/units/{unit.id}").get_data(as_text=True)
    assert "新单位" in html and "Not scored yet." in html
    assert login_as("auditor").get("/units/999999").status_code == 404
