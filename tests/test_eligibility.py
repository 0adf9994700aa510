"""Award eligibility after publication: "may X be nominated for award A in year Y, and why not"."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from caseflow import clock
from caseflow.services import grading, ledger
from caseflow.services.eligibility import eligibility
from tests import factories
from tests import factories_scoring as fs
from tests.factories_cases import make_case

JANUARY = datetime(2026, 1, 20, 10, 0, tzinfo=clock.CST)


@pytest.fixture()
def units(db):
    with clock.frozen(JANUARY):
        good = factories.unit(principal_leader="周好")
        bad = factories.unit(principal_leader="吴差")
        fs.sanction(bad, 2025, 2, kind="criminal", subject="staff", person="郑某", conduct_on=date(2025, 4, 1))
        ledger.recompute(2025)
        yield good, bad


def publish():
    first, second = factories.user(role="supervisor"), factories.user(role="supervisor")
    with clock.frozen(JANUARY):
        grading.grades_compute(year=2025, actor=first)
        grading.grades_approve(year=2025, actor=second)
        grading.grades_publish(year=2025, actor=first)


def test_pending_until_published(units):
    answer = eligibility(year=2025, award="excellent_team", unit_id=units[0].id)
    assert answer["status"] == "pending" and answer["eligible"] is None


def test_a_unit_team_is_eligible_and_c_unit_team_is_not(units):
    publish()
    good = eligibility(year=2025, award="excellent_team", unit_id=units[0].id)
    assert good["eligible"] is True
    bad = eligibility(year=2025, award="excellent_team", unit_id=units[1].id)
    assert bad["eligible"] is False and "Grade C" in bad["reasons"][0]["reason"]


def test_persons_of_a_c_unit_are_barred_with_reasons(units):
    publish()
    leader = eligibility(year=2025, award="commendation", person="吴差")
    assert leader["eligible"] is False
    assert "Principal leader of a grade C unit" in leader["reasons"][0]["reason"]
    sanctioned = eligibility(year=2025, award="commendation", person="郑某")
    assert sanctioned["eligible"] is False and "Sanctioned" in sanctioned["reasons"][0]["reason"]
    assert eligibility(year=2025, award="commendation", person="周好")["eligible"] is True


def test_eligibility_api(units, client, api_token):
    publish()
    headers = api_token("officer")
    body = client.get(f"/api/v1/eligibility?year=2025&award=excellent_team&unit_id={units[0].id}",
                      headers=headers).get_json()
    assert body["eligible"] is True and body["status"] == "published"
    body = client.get("/api/v1/eligibility?year=2025&award=commendation&person=吴差", headers=headers).get_json()
    assert body["eligible"] is False and body["reasons"]
    assert client.get("/api/v1/eligibility?year=2025&award=nobel&person=x", headers=headers).status_code == 422
    leader = api_token("unit_leader", unit=units[0])
    own = client.get(f"/api/v1/eligibility?year=2025&award=excellent_team&unit_id={units[0].id}", headers=leader)
    assert own.status_code == 200
    other = client.get(f"/api/v1/eligibility?year=2025&award=excellent_team&unit_id={units[1].id}", headers=leader)
    assert other.status_code == 403


def test_eligibility_page(units, login_as):
    publish()
    client = login_as("supervisor")
    html = client.get(f"/eligibility?year=2025&award=excellent_team&unit={units[1].code}").get_data(as_text=True)
    assert 'id="answer"' in html and "2025年度等次为C：仅等次为A的单位具备资格" in html
    listing = client.get("/eligibility?year=2025&award=commendation").get_data(as_text=True)
    assert "吴差" in listing and "郑某" in listing
    assert "2025年度等次为C的单位主要负责人" in listing and "2025年受到处分或处理：追究刑事责任" in listing
    assert "Principal leader" not in listing and "Sanctioned" not in listing
    with client.session_transaction() as session:
        session["lang"] = "en"
    listing = client.get("/eligibility?year=2025&award=commendation").get_data(as_text=True)
    assert "Principal leader of a grade C unit in 2025" in listing and "Sanctioned (criminal) in 2025" in listing


def test_eligibility_page_opens_on_the_latest_published_year(units, login_as):
    publish()
    client = login_as("supervisor")
    with clock.frozen(datetime(2027, 11, 20, 10, 0, tzinfo=clock.CST)):  # 2026 not graded yet
        html = client.get("/eligibility").get_data(as_text=True)
    assert 'name="year" min="2000" max="2100" value="2025"' in html and 'id="records"' in html


def test_unit_page_names_the_award_and_gives_the_reason_in_chinese(units, login_as):
    publish()
    html = login_as("supervisor").get(f"/units/{units[1].id}").get_data(as_text=True)
    assert "党风廉政建设责任制优秀班子" in html and "excellent_team" not in html
    assert "2025年度等次为C：仅等次为A的单位具备资格" in html


def test_a_reason_names_its_case_by_number_with_a_link(units, login_as):
    _, bad = units
    with clock.frozen(datetime(2025, 9, 10, 10, 0, tzinfo=clock.CST)):
        case = make_case(unit=bad, state="talk", with_whom="孙某")
    publish()
    html = login_as("supervisor").get("/eligibility?year=2025&award=commendation&person=孙某").get_data(as_text=True)
    assert "2025年度等次为C的单位升级处置案件的责任人" in html
    assert f'<a href="/cases/{case.id}">案件 {case.number}</a>' in html and "case #" not in html
