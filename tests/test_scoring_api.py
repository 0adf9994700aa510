"""Scores API and pages: pinned shapes, unit-leader scoping, 403s, the explained index page."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from caseflow import clock
from caseflow.services import grading, ledger
from tests import factories
from tests import factories_scoring as fs
from tests.factories_cases import make_case

MAY = datetime(2026, 5, 15, 10, 0, tzinfo=clock.CST)
JANUARY = datetime(2026, 1, 20, 10, 0, tzinfo=clock.CST)


@pytest.fixture()
def may(db):
    with clock.frozen(MAY):
        yield


def test_index_has_the_pinned_shape(may, client, api_token):
    unit = factories.unit()
    fs.finding(unit, 2026, 2, "audit", "moderate")
    make_case(unit=unit, state="notice_issued", severity="minor")
    body = client.get(f"/api/v1/units/{unit.id}/index?year=2026&quarter=2", headers=api_token("officer")).get_json()
    assert set(body) >= {"index", "colour", "dimensions", "entries", "scheme", "detail"}
    assert set(body["dimensions"]) == {"control", "stakeholder", "performance", "incentive", "integrity"}
    assert body["index"] == 97.0 and body["colour"] == "green"
    assert body["scheme"] == "scheme 2026 v 1"
    assert all(set(e) >= {"dimension", "points", "reason", "source"} for e in body["entries"])
    assert sum(e["points"] for e in body["entries"]) == pytest.approx(97.0)
    notice = next(e for e in body["entries"] if e["reason"] == "control.case.issue_notice")
    assert notice["source"]["kind"] == "case_event" and notice["points"] == -1.0


def test_index_defaults_to_the_current_quarter(may, client, api_token):
    unit = factories.unit()
    body = client.get(f"/api/v1/units/{unit.id}/index", headers=api_token("auditor")).get_json()
    assert (body["year"], body["quarter"], body["index"]) == (2026, 2, 100.0)


def test_unit_leader_sees_only_their_unit(may, client, api_token):
    own, other = factories.unit(), factories.unit()
    headers = api_token("unit_leader", unit=own)
    assert client.get(f"/api/v1/units/{own.id}/index", headers=headers).status_code == 200
    response = client.get(f"/api/v1/units/{other.id}/index", headers=headers)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_monitor_and_anonymous_are_refused(may, client, api_token):
    unit = factories.unit()
    assert client.get(f"/api/v1/units/{unit.id}/index").status_code == 401
    assert client.get(f"/api/v1/units/{unit.id}/index", headers=api_token("monitor")).status_code == 403
    assert client.get("/api/v1/units/999/index", headers=api_token("officer")).status_code == 404
    bad = client.get(f"/api/v1/units/{unit.id}/index?quarter=7", headers=api_token("officer"))
    assert bad.status_code == 422


def test_what_if_api(may, client, api_token):
    unit = factories.unit()
    case = make_case(unit=unit, state="rectifying", severity="moderate")
    headers = api_token("unit_leader", unit=unit)
    body = client.get(f"/api/v1/units/{unit.id}/what-if?case_id={case.id}&outcome=close_on_time",
                      headers=headers).get_json()
    assert body["current"]["index"] == 98.0 and body["after"]["index"] == 99.0
    assert client.get(f"/api/v1/units/{unit.id}/what-if?case_id={case.id}&outcome=escalate",
                      headers=api_token("auditor")).status_code == 403


@pytest.fixture()
def graded(db):
    with clock.frozen(JANUARY):
        units = [factories.unit(), factories.unit()]
        fs.sanction(units[1], 2025, 2, kind="criminal", subject="staff", conduct_on=date(2025, 4, 1))
        ledger.recompute(2025)
        yield units


def test_grades_workflow_through_the_api(graded, client, api_token):
    first, second = api_token("supervisor"), api_token("supervisor")
    with clock.frozen(JANUARY):
        assert client.post("/api/v1/years/2025/grades/compute", headers=api_token("officer")).status_code == 403
        body = client.post("/api/v1/years/2025/grades/compute", headers=first).get_json()
        assert body["status"] == "computed"
        same = client.post("/api/v1/years/2025/grades/approve", headers=first)
        assert same.status_code == 403
        assert same.get_json()["error"]["code"] == "forbidden"
        early = client.post("/api/v1/years/2025/grades/publish", headers=first)
        assert early.status_code == 409
        assert client.post("/api/v1/years/2025/grades/approve", headers=second).get_json()["status"] == "approved"
        assert client.post("/api/v1/years/2025/grades/publish", headers=first).get_json()["status"] == "published"
        listing = client.get("/api/v1/years/2025/grades", headers=api_token("auditor")).get_json()
    assert listing["status"] == "published"
    assert {(i["unit_id"], i["grade"], i["colour"]) for i in listing["items"]} == {
        (graded[0].id, "A", "green"), (graded[1].id, "C", "red")}
    assert set(listing["items"][0]) == {"unit_id", "index", "grade", "colour"}


def test_grades_before_publication_are_for_the_commission_only(graded, client, api_token):
    with clock.frozen(JANUARY):
        grading.grades_compute(year=2025, actor=factories.user(role="supervisor"))
        officer = client.get("/api/v1/years/2025/grades", headers=api_token("officer")).get_json()
        assert officer["status"] == "computed" and len(officer["items"]) == 2
        leader = client.get("/api/v1/years/2025/grades", headers=api_token("unit_leader", unit=graded[0]))
        assert leader.status_code == 403
        admin = client.get("/api/v1/years/2025/grades", headers=api_token("admin")).get_json()
        assert admin["items"] == []


def test_unit_leader_sees_only_their_published_grade(graded, client, api_token):
    with clock.frozen(JANUARY):
        first, second = factories.user(role="supervisor"), factories.user(role="supervisor")
        grading.grades_compute(year=2025, actor=first)
        grading.grades_approve(year=2025, actor=second)
        grading.grades_publish(year=2025, actor=first)
        body = client.get("/api/v1/years/2025/grades", headers=api_token("unit_leader", unit=graded[0])).get_json()
    assert [i["unit_id"] for i in body["items"]] == [graded[0].id]


def test_index_page_explains_and_links_sources(may, login_as):
    unit = factories.unit()
    fs.award(unit, 2026, 2, "self_discovery")
    ledger.recompute(2026, 2)
    case = make_case(unit=unit, state="rectifying", severity="serious")
    client = login_as("unit_leader", unit=unit)
    page = client.get(f"/units/{unit.id}/index?year=2026&quarter=2&case_id={case.id}&outcome=close_on_time")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "97.0" in html and "激励加分" in html and "案件：发出预警告知书" in html  # readable reasons, not codes
    assert 'id="what-if-result"' in html and "99.0" in html
    other = factories.unit()
    assert client.get(f"/units/{other.id}/index").status_code == 403


def test_index_page_gives_each_entry_in_the_readers_language(may, login_as):
    unit = factories.unit()
    fs.check(unit, 2026, 2, "partial", item="工程招标")
    fs.finding(unit, 2026, 2, "audit", "moderate")
    fs.award(unit, 2026, 2, "innovation")
    ledger.recompute(2026, 2)
    case = make_case(unit=unit, state="notice_issued", severity="minor")
    client = login_as("officer")
    html = client.get(f"/units/{unit.id}/index?year=2026&quarter=2").get_data(as_text=True)
    assert f"案件 {case.number}：发出预警告知书（轻微）：-1.0000" in html  # the case by its number, not its id
    assert f'">案件 {case.number}</a>' in html and f"案件 #{case.id}" not in html
    assert "内控检查“工程招标”部分通过（权重 1.0000，合计 1.0000）：20.0000，满分 40.0000" in html
    assert "审计监督：一般问题 -2.0000" in html and "创新工作获认可：+2.0000" in html
    assert "发出预警告知书（轻微）：-1.0000" in html
    assert "Control check" not in html and "supervision" not in html  # no English detail left
    assert "内控检查 #" in html and "监督发现问题 #" in html and "control_check #" not in html
    assert "−0.00" not in html  # no deduction: shown without a sign
    with client.session_transaction() as session:
        session["lang"] = "en"
    html = client.get(f"/units/{unit.id}/index?year=2026&quarter=2").get_data(as_text=True)
    assert "Control check &#39;工程招标&#39; partial (weight 1.0000 of 1.0000): 20.0000 of 40.0000" in html
    assert "Control check #" in html and "Supervision finding #" in html


def test_scheme_page_lists_numbers_and_admin_saves_a_new_version(may, login_as):
    import json

    from caseflow.scoring import DEFAULT_SCHEME
    from tests.conftest import csrf_token

    client = login_as("admin")
    page = client.get("/schemes?year=2026").get_data(as_text=True)
    assert "case_outcomes.refer.points" in page
    assert "案件处置计分 › 移送立案 › 分值" in page and "控制性 › 满分" in page  # named in the reader's language
    assert "case_outcomes › " not in page and "Control › max" not in page
    assert 'enctype="multipart/form-data" data-busy="正在保存新版本并重新计算本年度全部单位得分' in page  # progress shown
    data = json.loads(json.dumps(DEFAULT_SCHEME))
    data["colour"]["green"] = 90
    token = csrf_token(client, "/schemes?year=2026")
    response = client.post("/schemes?year=2026", data={"csrf_token": token, "scheme_json": json.dumps(data)})
    assert response.status_code == 302
    exported = client.get("/schemes/2026.json").get_json()
    assert exported["colour"]["green"] == 90 and exported["version"] == 2
    bad = dict(data, colour={"green": 60, "orange": 70})
    response = client.post("/schemes?year=2026", data={"csrf_token": token, "scheme_json": json.dumps(bad)})
    assert response.status_code == 200
    assert client.get("/schemes/2026.json").get_json()["version"] == 2
    assert login_as("officer").get("/schemes").status_code == 403
