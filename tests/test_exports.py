"""Excel exports: they open, apply the filters, scope unit leaders and never carry reporter data."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from caseflow.selectors.common import current_quarter
from tests import factories
from tests import factories_display as fd


def _rows(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment;" in response.headers["Content-Disposition"]
    data = response.get_data()
    response.close()
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _units():
    year, quarter = current_quarter()
    town = factories.unit(kind="town", peer_group="town", name="导出街道", code="T1")
    a = factories.unit(name="红村", code="V1", parent_id=town.id)
    b = factories.unit(name="绿村", code="V2", parent_id=town.id)
    fd.result(a, year, quarter, 61.5)
    fd.result(b, year, quarter, 93)
    return town, a, b


def test_units_export_with_index_colour_and_filters(login_as):
    _town, a, b = _units()
    client = login_as("supervisor", locale="en")
    with client.get("/exports/units.xlsx") as response:
        rows = _rows(response)
    assert rows[0][:6] == ["Code", "Unit", "Kind", "Town / street", "Index", "Colour"]
    body = {r[0]: r for r in rows[1:]}
    assert body["V1"][4] == 61.5 and body["V1"][5] == "Red" and body["V1"][3] == "导出街道"
    assert body["V2"][5] == "Green" and "T1" in body
    with client.get("/exports/units.xlsx?colour=red") as response:
        rows = _rows(response)
    assert [r[0] for r in rows[1:]] == ["V1"]
    with client.get("/exports/units.xlsx?q=绿") as response:
        assert [r[0] for r in _rows(response)[1:]] == ["V2"]


def test_unit_leader_exports_only_own_unit(login_as):
    _town, a, b = _units()
    fd.case(a, number="C-A")
    fd.case(b, number="C-B")
    client = login_as("unit_leader", unit=a)
    with client.get("/exports/units.xlsx") as response:
        assert [r[0] for r in _rows(response)[1:]] == ["V1"]
    with client.get(f"/exports/cases.xlsx?unit_id={b.id}") as response:
        assert _rows(response)[1:] == []
    with client.get("/exports/cases.xlsx") as response:
        assert [r[0] for r in _rows(response)[1:]] == ["C-A"]
    assert client.get("/exports/signals.xlsx").status_code == 403


def test_cases_export_filters(login_as):
    _town, a, b = _units()
    fd.case(a, number="C-1", state="escalated", category="tendering")
    fd.case(b, number="C-2", state="closed")
    client = login_as("officer")
    with client.get("/exports/cases.xlsx?state=escalated") as response:
        assert [r[0] for r in _rows(response)[1:]] == ["C-1"]
    with client.get(f"/exports/cases.xlsx?unit_id={b.id}") as response:
        assert [r[0] for r in _rows(response)[1:]] == ["C-2"]
    with client.get("/exports/cases.xlsx?category=tendering") as response:
        assert [r[0] for r in _rows(response)[1:]] == ["C-1"]


def test_signals_export_has_no_reporter_data(login_as):
    _town, a, _b = _units()
    reporter = factories.user(role="monitor", display_name="举报人本名")
    fd.signal(unit=a, number="XS-1", channel="audit", reporter_contact="13900001111 秘密地址",
              reporter_id=reporter.id, anonymous=False)
    fd.signal(unit=a, number="XS-2", channel="mailbox", summary="=HYPERLINK(\"http://x\")")
    client = login_as("supervisor")
    with client.get("/exports/signals.xlsx") as response:
        rows = _rows(response)
    flat = " ".join(str(v) for r in rows for v in r)
    assert "XS-1" in flat and "XS-2" in flat
    assert "13900001111" not in flat and "秘密地址" not in flat and "举报人本名" not in flat
    # A summary that looks like a formula stays text.
    assert any(v == '=HYPERLINK("http://x")' for r in rows for v in r)
    with client.get("/exports/signals.xlsx?channel=audit") as response:
        assert [r[0] for r in _rows(response)[1:]] == ["XS-1"]


def test_monitor_exports_only_own_signals(login_as):
    client = login_as("monitor")
    fd.signal(number="XS-MINE", reporter_id=client.user.id)
    fd.signal(number="XS-OTHER")
    with client.get("/exports/signals.xlsx") as response:
        assert [r[0] for r in _rows(response)[1:]] == ["XS-MINE"]


def test_grades_export(login_as):
    _town, a, b = _units()
    fd.result(a, 2025, 0, 66.1, grade="C")
    fd.result(a, 2025, 1, 60)
    fd.result(b, 2025, 0, 90.0, grade="A")
    client = login_as("supervisor")
    with client.get("/exports/grades.xlsx?year=2025") as response:
        rows = _rows(response)
    body = {r[0]: r for r in rows[1:]}
    assert body["V1"][4] == 66.1 and body["V1"][5] == "C" and body["V2"][5] == "A"
    with client.get("/exports/grades.xlsx?year=2025&grade=A") as response:
        assert [r[0] for r in _rows(response)[1:]] == ["V2"]
    assert login_as("monitor").get("/exports/grades.xlsx").status_code == 403
    with client.get("/exports/units.xlsx") as response:
        assert response.status_code == 200


def test_exports_need_login(client):
    assert client.get("/exports/units.xlsx").status_code == 302


def test_unit_leader_grades_export_only_published_years(login_as):
    _town, a, _b = _units()
    fd.result(a, 2024, 0, 88, grade="A")
    fd.result(a, 2025, 0, 66, grade="C")
    fd.year_status(2024, "published")
    fd.year_status(2025, "computed")
    client = login_as("unit_leader", unit=a)
    with client.get("/exports/grades.xlsx?year=2024") as response:
        assert [r[5] for r in _rows(response)[1:]] == ["A"]
    with client.get("/exports/grades.xlsx?year=2025") as response:
        assert _rows(response)[1:] == []


def test_cases_export_cells_keep_their_types_and_labels(login_as):
    from datetime import UTC, date, datetime

    _town, a, _b = _units()
    officer = factories.user(role="officer", display_name="承办人甲")
    fd.case(a, number="C-T", state="rectifying", category="tendering", handler=officer, title="=1+1",
            opened_at=datetime(2026, 3, 1, 2, 30, tzinfo=UTC), rectify_due=date(2026, 4, 1))
    client = login_as("supervisor", locale="en")
    with client.get("/exports/cases.xlsx") as response:
        rows = _rows(response)
    assert rows[0] == ["Number", "Unit code", "Unit", "Title", "Category", "Severity", "State", "Officer", "Opened",
                       "Acknowledge by", "Rectify by", "Verify by", "Closed"]
    [row] = [r for r in rows[1:] if r[0] == "C-T"]
    assert row == ["C-T", "V1", "红村", "=1+1", "工程建设招投标", "moderate", "Rectifying", "承办人甲",
                   datetime(2026, 3, 1, 10, 30), None, datetime(2026, 4, 1), None, None]


def test_export_labels_are_translated_once_not_per_row(login_as, monkeypatch):
    from caseflow.services import exports

    _town, a, b = _units()
    calls = {"n": 0}
    real = exports.label

    def counting(pair):
        calls["n"] += 1
        return real(pair)

    monkeypatch.setattr(exports, "label", counting)
    client = login_as("supervisor")

    def export() -> int:
        calls["n"] = 0
        with client.get("/exports/cases.xlsx") as response:
            assert response.status_code == 200
            response.get_data()
        return calls["n"]

    fd.case(a, state="escalated")
    few = export()
    for _i in range(6):
        fd.case(b, state="closed")
    assert export() == few
