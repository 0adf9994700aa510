"""Annual grades: compute, approve by a second supervisor, publish; consequences, freeze, revisions."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from caseflow import clock
from caseflow.errors import Conflict, Forbidden
from caseflow.extensions import db
from caseflow.models import Case, EligibilityRecord, PeriodResult, Revision, ScoreEntry, YearStatus
from caseflow.services import grading, ledger
from caseflow.services.inputs import input_add
from tests import factories
from tests import factories_scoring as fs

JANUARY = datetime(2026, 1, 20, 10, 0, tzinfo=clock.CST)


@pytest.fixture()
def year(db):
    """2025 with three units heading for A, B (one red quarter) and C (criminal liability); clock in 2026."""
    with clock.frozen(JANUARY):
        units = {g: factories.unit(name=f"单位{g}", principal_leader=f"书记{g}") for g in "ABC"}
        fs.sanction(units["B"], 2025, 1, kind="expulsion", subject="principal", person="王五",
                    conduct_on=date(2025, 1, 2))
        fs.sanction(units["B"], 2025, 1, kind="probation", subject="principal", person="王五",
                    conduct_on=date(2025, 1, 2))
        fs.sanction(units["C"], 2025, 3, kind="criminal", subject="staff", person="李四",
                    conduct_on=date(2025, 6, 1))
        ledger.recompute(2025)
        yield units


def grade_of(unit):
    return PeriodResult.query.filter_by(unit_id=unit.id, year=2025, quarter=0).one()


def test_compute_approve_publish_with_two_supervisors(year):
    first, second = factories.user(role="supervisor"), factories.user(role="supervisor")
    with clock.frozen(JANUARY):
        status = grading.grades_compute(year=2025, actor=first)
        assert status.status == "computed"
        assert {u: grade_of(unit).grade for u, unit in year.items()} == {"A": "A", "B": "B", "C": "C"}
        assert grade_of(year["A"]).index == Decimal("100.0000")
        with pytest.raises(Forbidden):
            grading.grades_approve(year=2025, actor=first)
        with pytest.raises(Conflict):
            grading.grades_publish(year=2025, actor=first)
        assert grading.grades_approve(year=2025, actor=second).status == "approved"
        assert grading.grades_publish(year=2025, actor=first).status == "published"
    assert db.session.get(YearStatus, 2025).published_by_id == first.id


def test_officer_cannot_compute(year):
    with clock.frozen(JANUARY), pytest.raises(Forbidden):
        grading.grades_compute(year=2025, actor=factories.user(role="officer"))


def test_the_current_year_cannot_be_graded(year):
    with clock.frozen(JANUARY), pytest.raises(Conflict):
        grading.grades_compute(year=2026, actor=factories.user(role="supervisor"))


def publish(units):
    first, second = factories.user(role="supervisor"), factories.user(role="supervisor")
    with clock.frozen(JANUARY):
        grading.grades_compute(year=2025, actor=first)
        grading.grades_approve(year=2025, actor=second)
        grading.grades_publish(year=2025, actor=first)
    return first


def test_consequences_of_a_and_c(year):
    publish(year)
    a_team = EligibilityRecord.query.filter_by(year=2025, award="excellent_team", unit_id=year["A"].id).one()
    assert a_team.eligible
    b_team = EligibilityRecord.query.filter_by(year=2025, award="excellent_team", unit_id=year["B"].id).one()
    assert not b_team.eligible
    annual = Case.query.filter_by(unit_id=year["C"].id, origin="annual").one()
    assert annual.state == "escalated" and annual.annual_year == 2025
    barred = {r.person for r in EligibilityRecord.query.filter_by(year=2025, award="commendation", eligible=False)}
    assert {"书记C", "李四", "王五"} <= barred
    assert "书记A" not in barred
    assert Case.query.filter_by(unit_id=year["A"].id).count() == 0


def test_publication_freezes_the_year_and_corrections_are_revisions(year):
    supervisor = publish(year)
    stored = ScoreEntry.query.filter_by(year=2025).count()
    with clock.frozen(JANUARY):
        report = ledger.recompute(2025)
        assert report.reproduced and not report.written
        with pytest.raises(Conflict):
            input_add(kind="awards", data={"unit_code": year["B"].code, "year": 2025, "quarter": 2,
                                           "kind": "innovation"}, actor=supervisor)
        assert ScoreEntry.query.filter_by(year=2025).count() == stored
        input_add(kind="awards", data={"unit_code": year["B"].code, "year": 2025, "quarter": 1,
                                       "kind": "innovation"}, actor=supervisor,
                  revision_reason="Award of Q1 was missed")
    revision = Revision.query.filter_by(year=2025, unit_id=year["B"].id).one()
    assert revision.reason.startswith("Award of Q1 was missed — index 91.7500 → 92.2500, grade B → B")
    assert grade_of(year["B"]).index > Decimal("91.7500")
    booked = ScoreEntry.query.filter_by(year=2025, unit_id=year["B"].id, reason="incentive.award").one()
    assert booked.revision_id == revision.id


def test_the_revision_history_gives_the_change_in_the_readers_language(year, login_as):
    supervisor = publish(year)
    with clock.frozen(JANUARY):
        input_add(kind="awards", data={"unit_code": year["B"].code, "year": 2025, "quarter": 1,
                                       "kind": "innovation"}, actor=supervisor, revision_reason="漏报一季度加分")
        client = login_as("supervisor")
        html = client.get("/grades?year=2025").get_data(as_text=True)
        assert "漏报一季度加分 — 廉情指数 91.7500 → 92.2500，等次 B → B" in html and "grade B" not in html
        with client.session_transaction() as session:
            session["lang"] = "en"
        html = client.get("/grades?year=2025").get_data(as_text=True)
        assert "漏报一季度加分 — index 91.7500 → 92.2500, grade B → B" in html


def test_grades_page_shows_status_and_refuses_same_supervisor(year, login_as):
    client = login_as("supervisor")
    with clock.frozen(JANUARY):
        from tests.conftest import csrf_token

        token = csrf_token(client, "/grades?year=2025")
        client.post("/lang", data={"lang": "en", "next": "/", "csrf_token": token})
        response = client.post("/grades/2025/compute", data={"csrf_token": token})
        assert response.status_code == 302
        page = client.get("/grades?year=2025").get_data(as_text=True)
        assert "a different supervisor must approve" in page.lower()
        client.post("/grades/2025/approve", data={"csrf_token": token})
        page = client.get("/grades?year=2025").get_data(as_text=True)
        assert "A different supervisor must approve the grades you computed." in page
    assert db.session.get(YearStatus, 2025).status == "computed"


def test_a_draft_year_tells_the_supervisor_to_compute_and_others_to_wait(year, login_as):
    with clock.frozen(JANUARY):
        supervisor = login_as("supervisor").get("/grades?year=2025").get_data(as_text=True)
        assert "本年度等次尚未评定：请先评定等次（预览）后查看。" in supervisor
        compute = supervisor[supervisor.index('action="/grades/2025/compute"'):]
        assert compute.index('data-busy="正在重新计算本年度全部单位得分并评定等次') < compute.index(">")  # app.js
        assert "您暂时无法查看本年度等次" not in supervisor
        auditor = login_as("auditor").get("/grades?year=2025").get_data(as_text=True)
        assert "您暂时无法查看本年度等次" in auditor and "尚未评定" not in auditor


def test_the_grades_page_opens_on_the_year_each_reader_needs(year, login_as):
    publish(year)
    with clock.frozen(datetime(2027, 3, 1, 10, 0, tzinfo=clock.CST)):  # 2026 to grade, 2025 the latest published
        supervisor = login_as("supervisor").get("/grades").get_data(as_text=True)
        assert "年度等次 2026" in supervisor
        leader = login_as("unit_leader", unit=year["B"]).get("/grades").get_data(as_text=True)
        assert "年度等次 2025" in leader and "单位B" in leader


def test_publication_issues_a_recommendation_per_unit(year):
    from caseflow.models import Document

    publish(year)
    docs = Document.query.filter_by(kind="recommendation").all()
    assert len(docs) == 3
    c_doc = next(d for d in docs if d.unit_id == year["C"].id)
    assert c_doc.context["grade"] == "C" and c_doc.context["warning_level"] == "红色预警"
    assert any("刑事责任" in p for p in c_doc.context["problems"])
    assert c_doc.number and "2026" in c_doc.number
