"""Inputs: the add form rescoring live, Excel templates, imports all-or-nothing with a row-by-row report."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook

from caseflow import clock
from caseflow.models import ControlCheck, CostRecord, PeriodResult, Sanction, ScoreEntry, SurveyResult
from tests import factories
from tests.conftest import csrf_token

MAY = datetime(2026, 5, 15, 10, 0, tzinfo=clock.CST)


@pytest.fixture()
def may(db):
    with clock.frozen(MAY):
        yield


def english(client, path):
    token = csrf_token(client, path)
    client.post("/lang", data={"lang": "en", "next": "/", "csrf_token": token})
    return token


def xlsx(header, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_adding_a_survey_rescores_the_unit_at_once(may, login_as):
    unit = factories.unit()
    client = login_as("officer")
    token = english(client, "/inputs/surveys/new")
    response = client.post("/inputs/surveys/new", data={
        "csrf_token": token, "unit_code": unit.code, "year": "2026", "quarter": "2",
        "project": "public_opinion", "rate": "0.6"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert SurveyResult.query.filter_by(unit_id=unit.id).count() == 1
    result = PeriodResult.query.filter_by(unit_id=unit.id, year=2026, quarter=2).one()
    assert float(result.index) == 98.0  # 5 × 0.6 = 3 instead of 5
    listing = client.get("/inputs/surveys?q=" + unit.code).get_data(as_text=True)
    assert unit.name in listing and "0.6" in listing


def test_form_errors_are_shown_and_nothing_is_saved(may, login_as):
    unit = factories.unit()
    client = login_as("officer")
    token = english(client, "/inputs/surveys/new")
    response = client.post("/inputs/surveys/new", data={
        "csrf_token": token, "unit_code": unit.code, "year": "2026", "quarter": "2",
        "project": "public_opinion", "rate": "1.7"})
    assert response.status_code == 200
    assert "out of range" in response.get_data(as_text=True)
    assert SurveyResult.query.count() == 0


def test_control_check_item_must_come_from_the_unit_kinds_catalogue(may, login_as):
    unit = factories.unit(kind="village")
    client = login_as("supervisor")
    token = english(client, "/inputs/control_checks/new")
    page = client.get(f"/inputs/control_checks/new?unit_code={unit.code}").get_data(as_text=True)
    assert "惠农资金发放" in page
    bad = client.post("/inputs/control_checks/new", data={
        "csrf_token": token, "unit_code": unit.code, "year": "2026", "quarter": "2", "item": "不存在的风险点",
        "result": "pass"})
    assert "catalogue" in bad.get_data(as_text=True)
    good = client.post("/inputs/control_checks/new", data={
        "csrf_token": token, "unit_code": unit.code, "year": "2026", "quarter": "2", "item": "agri_funds",
        "result": "fail"})
    assert good.status_code == 302
    check = ControlCheck.query.one()
    assert check.item == "惠农资金发放" and check.result == "fail"


def test_template_download_has_the_columns(may, login_as):
    client = login_as("officer")
    response = client.get("/inputs/sanctions/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    header = [c.value for c in book["data"][1]]
    assert header == ["unit_code", "person", "subject", "kind", "conduct_on", "decided_on", "summary"]
    assert "guide" in book.sheetnames


def test_import_happy_path_books_every_row(may, login_as):
    units = [factories.unit(), factories.unit()]
    client = login_as("officer")
    token = english(client, "/inputs/sanctions/import")
    data = xlsx(["unit_code", "person", "subject", "kind", "conduct_on", "decided_on"],
                [[units[0].code, "张三", "team_member", "warning", "2026-01-05", "2026-04-20"],
                 [units[1].code, "李四", "principal", "serious_warning", datetime(2025, 3, 1), "2026-05-02"]])
    response = client.post("/inputs/sanctions/import", data={"csrf_token": token,
                                                             "file": (io.BytesIO(data), "s.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert Sanction.query.count() == 2
    entry = ScoreEntry.query.filter_by(unit_id=units[1].id, reason="integrity.sanction").one()
    assert float(entry.points) == -9.0 and entry.quarter == 2


def test_import_with_a_bad_row_imports_nothing_and_reports_each_error(may, login_as):
    unit = factories.unit()
    client = login_as("officer")
    token = english(client, "/inputs/costs/import")
    data = xlsx(["unit_code", "year", "admin_cost", "budget", "headcount"],
                [[unit.code, 2025, 100000, 120000, 10],
                 ["NOPE", 2025, 100000, 120000, 10],
                 [unit.code, 2026, -5, 120000, 0]])
    response = client.post("/inputs/costs/import", data={"csrf_token": token, "file": (io.BytesIO(data), "c.xlsx")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "nothing was imported" in page
    assert "Unknown unit code NOPE" in page
    assert "<td class=\"num\">4</td><td>admin_cost</td>" in page
    assert CostRecord.query.count() == 0


def test_unreadable_file_is_refused(may, login_as):
    client = login_as("officer")
    token = english(client, "/inputs/awards/import")
    response = client.post("/inputs/awards/import", data={"csrf_token": token,
                                                          "file": (io.BytesIO(b"not a workbook"), "a.xlsx")},
                           content_type="multipart/form-data")
    assert "not a readable .xlsx file" in response.get_data(as_text=True)


def test_unit_leader_and_auditor_cannot_enter_inputs(may, login_as):
    assert login_as("unit_leader").get("/inputs/surveys").status_code == 403
    assert login_as("auditor").get("/inputs/surveys/new").status_code == 403
