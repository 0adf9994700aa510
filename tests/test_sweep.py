"""The deadline sweep: overdue escalation via ``caseflow sweep --now``, reminders once, idempotence."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from caseflow import clock
from caseflow.extensions import db as _db
from caseflow.models import Case, CaseEvent, Notification, SweepMark
from caseflow.services import sweep as sweep_service
from caseflow.services.audit import verify_chain
from caseflow.services.calendar import get_calendar
from caseflow.services.sweep import sweep_run
from tests import factories
from tests.factories_cases import leader_of, make_case, sweeps_at_once


def _iso(day, hour=8) -> str:
    return datetime.combine(day, time(hour, 0)).isoformat()


def _escalations(case_id: int) -> list[CaseEvent]:
    return list(_db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id,
                                                            CaseEvent.trigger == "escalate")))


def test_overdue_acknowledgement_is_escalated_by_the_cli(db, runner):
    case = make_case(state="notice_issued")
    supervisor = factories.user(role="supervisor")
    due = case.ack_due
    on_due_day = runner.invoke(args=["sweep", "--now", _iso(due, 20)])
    assert on_due_day.exit_code == 0, on_due_day.output
    assert _db.session.get(Case, case.id).state == "notice_issued"  # due at the end of the day
    result = runner.invoke(args=["sweep", "--now", _iso(due + timedelta(days=1))])
    assert result.exit_code == 0, result.output
    assert "1 escalated" in result.output and case.number in result.output
    _db.session.expire_all()
    case = _db.session.get(Case, case.id)
    assert case.state == "escalated" and case.ack_due is None
    [event] = _escalations(case.id)
    assert (event.actor_id, event.actor_role, event.data["reason"]) == (None, "system", "overdue_acknowledgement")
    assert clock.local(event.at).date() == due + timedelta(days=1)
    assert _db.session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.user_id == supervisor.id, Notification.kind == "escalated")) == 1
    again = runner.invoke(args=["sweep", "--now", _iso(due + timedelta(days=2))])
    assert "0 escalated" in again.output
    assert len(_escalations(case.id)) == 1 and verify_chain(case.id) == []


def test_overdue_rectification_is_escalated(db):
    case = make_case(state="rectifying", rectify_workdays=3)
    with clock.frozen(datetime.combine(case.rectify_due + timedelta(days=1), time(9))):
        report = sweep_run()
    assert report.escalated == [case.number]
    [event] = _escalations(case.id)
    assert event.data["reason"] == "overdue_rectification"


def test_the_sweep_batches_run_without_cyclic_collection_and_restore_it(db, monkeypatch):
    """Reminders and escalations run with the cyclic collector paused (their rows are freed batch by batch);
    it is on again afterwards."""
    import gc

    case = make_case(state="rectifying", rectify_workdays=3)
    seen = []
    for name in ("_notify_all", "_escalate_all"):
        job = getattr(sweep_service, name)
        monkeypatch.setattr(sweep_service, name, lambda *a, job=job: (seen.append(gc.isenabled()), job(*a)))
    assert gc.isenabled()
    with clock.frozen(datetime.combine(case.rectify_due + timedelta(days=1), time(9))):
        assert sweep_run().escalated == [case.number]
    assert seen == [False, False] and gc.isenabled()


def test_overdue_verification_alerts_the_officer_but_does_not_escalate(db):
    officer = factories.user(role="officer")
    case = make_case(state="verifying", officer=officer)
    with clock.frozen(datetime.combine(case.verify_due + timedelta(days=1), time(9))):
        first, second = sweep_run(), sweep_run()
    assert first.alerted == [case.number] and second.alerted == [] and first.escalated == []
    assert _db.session.get(Case, case.id).state == "verifying"
    assert _db.session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.user_id == officer.id, Notification.kind == "overdue")) == 1


def test_reminder_before_the_deadline_once(db, app):
    case = make_case(state="rectifying", rectify_workdays=10)
    leader = leader_of(case.unit)
    calendar = get_calendar()
    day = case.rectify_due
    while calendar.workdays_between(day, case.rectify_due) < app.config["REMINDER_WORKDAYS"]:
        day -= timedelta(days=1)
    early = day - timedelta(days=7)
    with clock.frozen(datetime.combine(early, time(9))):
        assert sweep_run().reminded == []
    with clock.frozen(datetime.combine(day, time(9))):
        assert sweep_run().reminded == [case.number]
        assert sweep_run().reminded == []
    with clock.frozen(datetime.combine(case.rectify_due, time(9))):
        assert sweep_run().reminded == []
    reminders = _db.session.scalars(select(Notification).where(Notification.user_id == leader.id,
                                                               Notification.kind == "reminder")).all()
    assert len(reminders) == 1 and reminders[0].params["due"] == case.rectify_due.isoformat()
    assert _db.session.scalar(select(func.count()).select_from(SweepMark)) == 1


def test_one_failing_case_is_logged_and_skipped(db, monkeypatch, caplog):
    bad = make_case(state="notice_issued")
    good = make_case(state="notice_issued")
    real_one, real_many = sweep_service.case_transition, sweep_service.case_transitions

    def flaky_one(*, case, **kwargs):
        if case.id == bad.id:
            raise RuntimeError("disk on fire")
        return real_one(case=case, **kwargs)

    def flaky_many(*, cases, **kwargs):  # the batch fails as a whole, then goes case by case
        if any(c.id == bad.id for c in cases):
            raise RuntimeError("disk on fire")
        return real_many(cases=cases, **kwargs)

    monkeypatch.setattr(sweep_service, "case_transition", flaky_one)
    monkeypatch.setattr(sweep_service, "case_transitions", flaky_many)
    with clock.frozen(datetime.combine(bad.ack_due + timedelta(days=2), time(9))):
        report = sweep_run()
    assert report.escalated == [good.number]
    assert [n for n, _why in report.failed] == [bad.number]
    assert "retrying its 2 cases one by one" in caplog.text
    assert "sweep failed" in caplog.text
    _db.session.expire_all()
    assert _db.session.get(Case, good.id).state == "escalated"
    assert verify_chain() == []
    _db.session.expire_all()
    assert _db.session.get(Case, bad.id).state == "notice_issued"
    assert _db.session.scalar(select(func.count()).select_from(SweepMark).where(SweepMark.case_id == bad.id)) == 0


def test_sweep_cli_rejects_a_bad_date(db, runner):
    result = runner.invoke(args=["sweep", "--now", "next tuesday"])
    assert result.exit_code != 0 and "ISO" in result.output


def test_two_sweeps_at_once_escalate_each_case_once(app, db):
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (FOR UPDATE SKIP LOCKED); SQLite serialises writers")
    cases = [make_case(state="notice_issued") for _ in range(6)]
    ids = [c.id for c in cases]
    at = datetime.combine(cases[0].ack_due + timedelta(days=3), time(9))
    reports, errors = sweeps_at_once(app, at, 2)
    assert errors == []
    escalated = [n for r in reports for n in r.escalated]
    assert sorted(escalated) == sorted(c.number for c in cases)
    _db.session.expire_all()
    for case_id in ids:
        assert len(_escalations(case_id)) == 1
        assert _db.session.get(Case, case_id).state == "escalated"
    assert verify_chain() == []


# --- set-based sweep: batch results equal the one-by-one rules, queries do not grow with cases ---------
def _due_soon_cases():
    """Open deadlines of every kind and every kind of recipient, all due within the reminder horizon
    on the acknowledgement due day."""
    busy = factories.unit()
    first, second = leader_of(busy), factories.user(role="unit_leader", unit=busy)
    factories.user(role="unit_leader", unit=busy, active=False)
    officer, gone = factories.user(role="officer"), factories.user(role="officer")
    factories.user(role="officer", active=False)
    cases = [make_case(state="notice_issued", unit=busy), make_case(state="notice_issued"),
             make_case(state="verifying", officer=officer), make_case(state="verifying", officer=gone),
             make_case(state="verifying", officer=officer)]
    gone.active = False
    cases[4].handler_id = None  # no case officer: every active officer is reminded
    _db.session.commit()
    return cases, {first.id, second.id}


def _queries(run):
    from sqlalchemy import event

    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        result = run()
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    return result, seen


def test_batched_reminders_reach_whom_the_one_by_one_rules_name(db, monkeypatch):
    cases, leaders = _due_soon_cases()
    at = datetime.combine(cases[0].ack_due, time(9))
    with clock.frozen(at):
        expected = {}
        for case in cases:
            kind = "acknowledge" if case.state == "notice_issued" else "verify"
            due = case.ack_due if kind == "acknowledge" else case.verify_due
            users = sweep_service.REMINDED[kind](case)
            expected[case.id] = ([u.id for u in users], sweep_service.case_params(
                case, deadline=sweep_service.DEADLINE_NAMES[kind], due=due.isoformat(), kind=kind))
        assert set(expected[cases[0].id][0]) == leaders and len(expected[cases[4].id][0]) > 1
        assert expected[cases[3].id][0] == []
        _db.session.rollback()
        monkeypatch.setattr(sweep_service, "BATCH", 3)  # two batches
        report, statements = _queries(sweep_run)
    assert sorted(report.reminded) == sorted(c.number for c in cases) and report.failed == []
    for case in cases:
        rows = _db.session.scalars(select(Notification).where(Notification.case_id == case.id,
                                                              Notification.kind == "reminder")
                                   .order_by(Notification.id)).all()
        assert ([r.user_id for r in rows], rows[0].params if rows else expected[case.id][1]) == expected[case.id]
    # Reading, marking and notifying is per batch, not per case: 5 reminders cost no more than a few queries.
    assert len(statements) <= 25, statements
    with clock.frozen(at):
        again, statements = _queries(sweep_run)
    assert (again.reminded, again.alerted, again.escalated) == ([], [], [])
    assert len(statements) <= 8, statements  # the steady state: the candidate queries only


def test_query_count_of_the_reminders_does_not_grow_with_cases(db):
    def run(n: int) -> int:
        cases = [make_case(state="verifying") for _ in range(n)]
        with clock.frozen(datetime.combine(cases[-1].verify_due, time(9))):
            report, statements = _queries(sweep_run)
        assert len(report.reminded) == n
        _db.session.execute(SweepMark.__table__.delete())
        for case in cases:
            case.verify_due = None
        _db.session.commit()
        # The sweep's own reads and writes; notification rows go through the channels (``notify_many``).
        return len([s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))
                    and "INSERT INTO notification" not in s])

    assert run(2) == run(7)


def test_a_failing_reminder_is_skipped_and_the_rest_of_its_batch_sent(db, monkeypatch, caplog):
    cases = [make_case(state="verifying") for _ in range(4)]
    bad = cases[1]
    real = sweep_service.notify_many

    def flaky(calls):
        if any(call["case"].id == bad.id for call in calls):
            raise RuntimeError("mail queue on fire")
        return real(calls)

    monkeypatch.setattr(sweep_service, "notify_many", flaky)
    with clock.frozen(datetime.combine(cases[0].verify_due, time(9))):
        report = sweep_run()
    assert sorted(report.reminded) == sorted(c.number for c in cases if c is not bad)
    assert [n for n, _why in report.failed] == [bad.number] and "sweep failed" in caplog.text
    assert _db.session.scalar(select(func.count()).select_from(SweepMark).where(SweepMark.case_id == bad.id)) == 0
    assert _db.session.scalar(select(func.count()).select_from(SweepMark)) == 3
