"""The ledger in the database: the transition hook, recompute, the worked example, colour overrides."""
from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from caseflow import clock
from caseflow.errors import CaseflowError
from caseflow.models import PeriodResult, ScoreEntry
from caseflow.selectors.scoring import unit_index, what_if
from caseflow.services import ledger
from caseflow.services.cases import case_transition
from caseflow.services.hooks import HOOK_MODULES
from tests import factories
from tests import factories_scoring as fs
from tests.factories_cases import fire, make_case

MAY = datetime(2026, 5, 15, 10, 0, tzinfo=clock.CST)


@pytest.fixture()
def may(db):
    """The clock frozen in 2026 Q2."""
    with clock.frozen(MAY):
        yield


def entries(unit, year=2026, quarter=2):
    return list(ScoreEntry.query.filter_by(unit_id=unit.id, year=year, quarter=quarter))


def case_points(unit, trigger_reason):
    return [e.points for e in entries(unit) if e.reason == trigger_reason]


def test_ledger_hook_runs_first():
    assert HOOK_MODULES[0] == "caseflow.services.ledger"


def test_worked_example_through_the_database_is_86_7_green(may):
    unit, peer = factories.unit(), factories.unit()
    fs.worked_example(unit, peer, 2026, 2)
    ledger.recompute(2026, 2)  # the inputs' entries; the notice is then booked live by the hook
    make_case(unit=unit, state="notice_issued", severity="moderate")
    breakdown = unit_index(unit.id, 2026, 2)
    assert breakdown["index"] == 86.7
    assert breakdown["colour"] == "green"
    assert breakdown["dimensions"] == {"control": 36.0, "stakeholder": 36.0, "performance": 19.5,
                                       "incentive": 0.0, "integrity": 4.8}
    assert sum(e["points"] for e in breakdown["entries"]) == pytest.approx(86.7)
    assert ledger.recompute(2026, 2).reproduced


def test_notice_books_control_deduction_in_the_transaction(may):
    unit = factories.unit()
    case = make_case(unit=unit, state="notice_issued", severity="serious")
    assert case_points(unit, "control.case.issue_notice") == [Decimal("-4.0000")]
    assert case.notice_deduction == Decimal("4.0000")
    result = PeriodResult.query.filter_by(unit_id=unit.id, year=2026, quarter=2).one()
    assert result.index == Decimal("96.0000")


def test_self_report_halves_the_notice_and_on_time_accept_gives_half_back(may):
    unit = factories.unit()
    make_case(unit=unit, state="closed", severity="moderate", origin="self_report")
    assert case_points(unit, "control.case.issue_notice") == [Decimal("-1.0000")]
    assert case_points(unit, "incentive.case.accept") == [Decimal("0.5000")]


def test_each_scored_trigger_books_its_entry(may):
    unit = factories.unit()
    supervisor = factories.user(role="supervisor")
    case = make_case(unit=unit, state="talk")
    fire(case, "record_talk", supervisor)
    case2 = make_case(unit=unit, state="inquiry")
    case3 = make_case(unit=unit, state="referred")
    reasons = sorted(e.reason for e in entries(unit) if e.source_kind == "case_event")
    assert reasons == sorted(["control.case.issue_notice"] * 3 + ["control.case.escalate"] * 3
                             + ["integrity.case.order_talk", "integrity.case.order_inquiry", "integrity.case.refer"])
    assert case2.state == "inquiry" and case3.state == "referred"
    refer = [e for e in entries(unit) if e.reason == "integrity.case.refer"][0]
    assert refer.points == Decimal("-8.0000")
    result = PeriodResult.query.filter_by(unit_id=unit.id, year=2026, quarter=2).one()
    assert result.colour == "red"  # a referral forces red whatever the index


def test_reject_and_reopen_deduct_control(may):
    unit = factories.unit()
    officer, supervisor = factories.user(role="officer"), factories.user(role="supervisor")
    case = make_case(unit=unit, state="verifying", officer=officer)
    fire(case, "reject", officer)
    assert case_points(unit, "control.case.reject") == [Decimal("-1.0000")]
    closed = make_case(unit=unit, state="closed", officer=officer)
    fire(closed, "reopen", supervisor)
    assert case_points(unit, "control.case.reopen") == [Decimal("-2.0000")]


def test_overdue_open_case_caps_colour_at_orange(db):
    unit = factories.unit()
    with clock.frozen(datetime(2026, 4, 1, 9, 0, tzinfo=clock.CST)):
        make_case(unit=unit, state="notice_issued", severity="minor")
    with clock.frozen(MAY):  # the 3-working-day acknowledgement deadline has long passed
        ledger.recompute(2026, 2)
        result = PeriodResult.query.filter_by(unit_id=unit.id, year=2026, quarter=2).one()
        assert result.index == Decimal("99.0000")
        assert result.colour == "orange"
        assert unit_index(unit.id, 2026, 2)["colour"] == "orange"


def test_overdue_at_a_past_quarter_end_is_the_state_the_case_had_then(db):
    """At a closed quarter's end a case counts by its last event by then, not by what it is now."""
    units = [factories.unit() for _ in range(3)]
    officer = factories.user(role="officer")
    with clock.frozen(datetime(2026, 3, 2, 9, 0, tzinfo=clock.CST)):
        # Acknowledgement due within 3 working days: overdue at 31 March, acknowledged only in April.
        waiting = make_case(unit=units[0], state="notice_issued", officer=officer, rectify_workdays=60)
        escalated = make_case(unit=units[1], state="escalated", officer=officer)
    with clock.frozen(datetime(2026, 4, 10, 9, 0, tzinfo=clock.CST)):
        fire(waiting, "acknowledge", officer)
        fire(escalated, "refer", factories.user(role="supervisor"))  # closed since: it was open at Q1's end
        later = make_case(unit=units[2], state="escalated", officer=officer)  # opened after Q1
    with clock.frozen(MAY):
        assert ledger.src.overdue_open_cases(2026, 1) == {waiting.id: units[0].id, escalated.id: units[1].id}
        assert ledger.src.overdue_open_cases(2026, 2) == {later.id: units[2].id}


def test_criminal_liability_forces_red(may):
    unit = factories.unit()
    fs.sanction(unit, 2026, 2, kind="criminal", subject="staff")
    ledger.recompute(2026, 2)
    result = PeriodResult.query.filter_by(unit_id=unit.id, year=2026, quarter=2).one()
    assert result.index == Decimal("80.0000") and result.colour == "red"


def test_failed_transition_books_nothing(may):
    unit = factories.unit()
    case = make_case(unit=unit, state="detected")
    leader = factories.user(role="unit_leader", unit=unit)
    with pytest.raises(CaseflowError):
        case_transition(case=case, trigger="issue_notice", actor=leader, data={"severity": "minor"})
    assert entries(unit) == []


def test_what_if_changes_nothing(may):
    unit = factories.unit()
    case = make_case(unit=unit, state="rectifying", severity="serious")
    before = db_count()
    closing = what_if(unit.id, case.id, "close_on_time")
    escalating = what_if(unit.id, case.id, "escalate")
    assert closing["current"]["index"] == 96.0
    assert closing["after"]["index"] == 98.0
    assert escalating["after"]["index"] == 94.0 and escalating["after"]["colour"] == "orange"
    assert db_count() == before


def db_count() -> int:
    from caseflow.extensions import db

    return db.session.scalar(select(func.count(ScoreEntry.id)))


def test_recompute_reproduces_the_ledger_after_random_activity(db):
    rng = random.Random(7)
    units = [factories.unit() for _ in range(4)]
    officer, supervisor = factories.user(role="officer"), factories.user(role="supervisor")
    for month in (1, 2, 4, 5):
        with clock.frozen(datetime(2026, month, 10, 10, 0, tzinfo=clock.CST)):
            quarter = (month - 1) // 3 + 1
            for unit in units:
                for _ in range(rng.randint(0, 3)):
                    fs.check(unit, 2026, quarter, rng.choice(["pass", "partial", "fail"]))
                if rng.random() < 0.5:
                    fs.survey(unit, 2026, quarter, "public_opinion", rng.choice(["0.6", "0.85", "1"]))
                if rng.random() < 0.3:
                    fs.finding(unit, 2026, quarter, rng.choice(["audit", "media"]), rng.choice(["minor", "serious"]))
                if rng.random() < 0.3:
                    fs.award(unit, 2026, quarter, rng.choice(["innovation", "self_discovery"]))
                ledger.refresh_unit(unit.id, 2026, quarter)
                from caseflow.extensions import db as _db

                _db.session.commit()
                state = rng.choice(["notice_issued", "closed", "talk", "referred", "verifying"])
                case = make_case(unit=unit, state=state, officer=officer,
                                 severity=rng.choice(["minor", "moderate", "serious"]),
                                 origin=rng.choice(["signal", "self_report"]))
                if state == "verifying":
                    fire(case, "reject", officer)
                if state == "closed" and rng.random() < 0.5:
                    fire(case, "reopen", supervisor)
    with clock.frozen(MAY):
        for quarter in (1, 2):
            report = ledger.recompute(2026, quarter)
            assert report.reproduced, report.differences
            assert report.stored == report.computed > 0


def test_score_cli_reports_reproduction(may, runner):
    unit = factories.unit()
    fs.survey(unit, 2026, 1, "public_opinion", "0.5")
    first = runner.invoke(args=["score", "--year", "2026"])
    assert first.exit_code == 0, first.output
    assert "NOT reproduced" in first.output  # the survey was never booked
    again = runner.invoke(args=["score", "--year", "2026", "--quarter", "2"])
    assert "stored ledger reproduced exactly" in again.output
    assert PeriodResult.query.filter_by(unit_id=unit.id, year=2026, quarter=2).one().index == Decimal("97.5000")


def _statements(fn) -> int:
    """How many SQL statements ``fn`` runs."""
    from sqlalchemy import event

    from caseflow.extensions import db as _db

    count = [0]

    def seen(*_args, **_kwargs):
        count[0] += 1

    event.listen(_db.engine, "before_cursor_execute", seen)
    try:
        fn()
    finally:
        event.remove(_db.engine, "before_cursor_execute", seen)
    return count[0]


def test_batch_recompute_equals_unit_by_unit_and_its_queries_do_not_grow_with_units(may):
    from caseflow.services.schemes import scheme_for_year

    rng = random.Random(11)
    officer = factories.user(role="officer")
    units = [factories.unit() for _ in range(6)]
    for unit in units:
        for quarter in (1, 2):
            for _ in range(rng.randint(0, 4)):
                fs.check(unit, 2026, quarter, rng.choice(["pass", "partial", "fail"]), weight=rng.choice([1, 2, 3]))
            fs.survey(unit, 2026, quarter, rng.choice(PROJECTS), rng.choice(["0.6", "0.85", "1"]))
            if rng.random() < 0.5:
                fs.finding(unit, 2026, quarter, "audit", rng.choice(["minor", "serious"]))
            if rng.random() < 0.5:
                fs.award(unit, 2026, quarter, "innovation")
        fs.sanction(unit, 2026, 1, kind=rng.choice(["warning", "criminal"]), subject="staff")
        fs.cost(unit, 2025, rng.choice([100, 120]), 1000)
        fs.cost(unit, 2026, rng.choice([90, 130]), 1000)
        make_case(unit=unit, state=rng.choice(["notice_issued", "closed", "talk"]), officer=officer,
                  severity=rng.choice(["minor", "serious"]))
    scheme = scheme_for_year(2026).data
    batch = ledger.compute(2026, [1, 2], scheme)
    for unit in units:
        alone = ledger.compute(2026, [1, 2], scheme, [unit.id])
        for quarter in (1, 2):
            assert batch[(unit.id, quarter)] == alone[(unit.id, quarter)]
            assert batch[(unit.id, quarter)]
    assert ledger.recompute(2026).reproduced is False  # the inputs were never booked
    assert ledger.recompute(2026).reproduced
    report = ledger.recompute_in_session(2026)
    assert report.reproduced and report.rewritten == 0  # a reproduced ledger is kept as it is

    def one_more_unit_each():  # each measured recompute has the same kind of work: new units to write
        unit = factories.unit()
        fs.check(unit, 2026, 1, "pass")
        fs.survey(unit, 2026, 2, "public_opinion", "0.9")
        return unit

    one_more_unit_each()
    six = _statements(lambda: ledger.recompute_in_session(2026))
    for _ in range(5):
        one_more_unit_each()
    assert _statements(lambda: ledger.recompute_in_session(2026)) == six


PROJECTS = ["economic_subject", "public_opinion", "service_object", "internal_staff"]
