"""case_open and case_transition: every trigger, every role, paths, deadlines, atomicity."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from caseflow import clock
from caseflow.errors import Forbidden, InvalidField, InvalidTransition, VersionConflict
from caseflow.models import Case, CaseEvent, DeadlineChange, Notification, ScoreEntry
from caseflow.services import cases as case_service
from caseflow.services.audit import verify_chain
from caseflow.services.cases import TransitionFailed, case_open, case_transition
from caseflow.states import ROLES, STATES, SYSTEM_ROLE, TRIGGERS
from tests import factories
from tests.factories_cases import DEFAULT_DATA, evidence, fire, leader_of, make_case

PAIRS = [(name, src) for name, spec in TRIGGERS.items() for src in spec.sources]


def _count(model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return db_scalar(stmt)


def db_scalar(stmt):
    from caseflow.extensions import db

    return db.session.scalar(stmt)


def _actor_for(role: str, case: Case, *, own_unit: bool = True):
    if role == SYSTEM_ROLE:
        return None
    if role == "unit_leader":
        return leader_of(case.unit) if own_unit else factories.user(role="unit_leader")
    return factories.user(role=role)


def _data(trigger: str, case: Case, actor) -> dict:
    data = dict(DEFAULT_DATA.get(trigger, {}))
    if trigger == "submit_report":
        data["attachment_ids"] = [evidence(case, actor).id]
    return data


@pytest.mark.parametrize(("trigger", "source"), PAIRS, ids=[f"{t}-from-{s}" for t, s in PAIRS])
def test_every_trigger_from_every_allowed_state(db, trigger, source):
    case = make_case(state=source)
    role = sorted(TRIGGERS[trigger].roles - {SYSTEM_ROLE})[0]
    actor = _actor_for(role, case)
    events_before = _count(CaseEvent, case_id=case.id)
    case_transition(case=case, trigger=trigger, actor=actor, data=_data(trigger, case, actor))
    assert case.state in TRIGGERS[trigger].dests
    assert _count(CaseEvent, case_id=case.id) == events_before + 1
    assert verify_chain(case.id) == []


NOT_ALLOWED = [(name, next(s for s in STATES if s not in spec.sources and s not in ("referred",)))
               for name, spec in TRIGGERS.items()]


@pytest.mark.parametrize(("trigger", "state"), NOT_ALLOWED, ids=[f"{t}-in-{s}" for t, s in NOT_ALLOWED])
def test_trigger_refused_where_not_allowed(db, trigger, state):
    case = make_case(state=state)
    role = sorted(TRIGGERS[trigger].roles - {SYSTEM_ROLE})[0]
    actor = _actor_for(role, case)
    version, events = case.version, _count(CaseEvent, case_id=case.id)
    with pytest.raises(InvalidTransition):
        case_transition(case=case, trigger=trigger, actor=actor, data=_data(trigger, case, actor))
    assert (case.state, case.version, _count(CaseEvent, case_id=case.id)) == (state, version, events)


ROLE_PAIRS = [(name, role) for name in TRIGGERS for role in (*ROLES, SYSTEM_ROLE)]


@pytest.mark.parametrize(("trigger", "role"), ROLE_PAIRS, ids=[f"{t}-as-{r}" for t, r in ROLE_PAIRS])
def test_every_role_against_every_trigger(db, trigger, role):
    spec = TRIGGERS[trigger]
    case = make_case(state=spec.sources[0])
    actor = _actor_for(role, case)
    data = _data(trigger, case, leader_of(case.unit))
    if role in spec.roles:
        case_transition(case=case, trigger=trigger, actor=actor, data=data)
        assert case.state in spec.dests
    else:
        with pytest.raises(Forbidden):
            case_transition(case=case, trigger=trigger, actor=actor, data=data)
        assert case.state == spec.sources[0]


def test_unit_leader_only_for_own_unit(db):
    case = make_case(state="notice_issued")
    stranger = _actor_for("unit_leader", case, own_unit=False)
    with pytest.raises(Forbidden):
        case_transition(case=case, trigger="acknowledge", actor=stranger, data={})
    case_transition(case=case, trigger="acknowledge", actor=leader_of(case.unit), data={})
    assert case.state == "rectifying"


def test_happy_path_with_working_day_deadlines(db):
    unit = factories.unit()
    officer = factories.user(role="officer")
    leader = leader_of(unit)
    with clock.frozen(datetime(2026, 9, 29, 10, 0)):
        case = case_open(unit=unit, title="惠农补贴发放不规范", category="agri_funds", actor=officer)
    with clock.frozen(datetime(2026, 9, 30, 10, 0)):
        fire(case, "issue_notice", officer, severity="serious", rectify_workdays=5)
    # 3 working days after 30 Sep 2026: 1–7 Oct are National Day, Sat 10 Oct is a make-up day.
    assert (case.state, case.ack_due, case.severity) == ("notice_issued", date(2026, 10, 10), "serious")
    with clock.frozen(datetime(2026, 10, 9, 16, 0)):
        fire(case, "acknowledge", leader, delivered_at="2026-10-08T09:00")
    assert case.ack_due is None
    assert case.rectify_due == date(2026, 10, 14)  # 5 working days after 8 Oct: 9, 10 (make-up), 12, 13, 14
    with clock.frozen(datetime(2026, 10, 14, 9, 0)):
        fire(case, "submit_report", leader)
    assert case.verify_due is not None and case.rectify_due is None
    with clock.frozen(datetime(2026, 10, 16, 9, 0)):
        fire(case, "accept", officer)
    assert case.state == "closed" and case.closed_at is not None
    events = list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)))
    assert [e.trigger for e in events] == ["open", "issue_notice", "acknowledge", "submit_report", "accept"]
    assert events[0].from_state is None and events[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert events[-1].data["on_time"] is True
    assert events[2].actor_id == leader.id and events[2].actor_role == "unit_leader"
    kinds = [(c.kind, c.new_due) for c in db.session.scalars(select(DeadlineChange).where(DeadlineChange.case_id == case.id)
                                                              .order_by(DeadlineChange.id))]
    assert kinds[0] == ("acknowledge", date(2026, 10, 10))
    assert ("acknowledge", None) in kinds and ("rectify", date(2026, 10, 14)) in kinds


def test_late_report_is_accepted_as_late(db):
    case = make_case(state="rectifying", rectify_workdays=2)
    leader = leader_of(case.unit)
    with clock.frozen(datetime.combine(case.rectify_due + timedelta(days=9), time(12, 0))):
        fire(case, "submit_report", leader)
        fire(case, "accept", factories.user(role="officer"))
    last = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq.desc())).first()
    assert last.trigger == "accept" and last.data["on_time"] is False


def test_double_reject_escalates(db):
    case = make_case(state="verifying")
    officer, leader = factories.user(role="officer"), leader_of(case.unit)
    fire(case, "reject", officer, rectify_workdays=7)
    assert (case.state, case.reject_count) == ("rectifying", 1)
    assert case.rectify_due is not None
    fire(case, "submit_report", leader)
    fire(case, "reject", officer)
    assert (case.state, case.reject_count) == ("escalated", 2)
    assert case.rectify_due is None and case.verify_due is None


def test_escalation_to_talk_and_back(db):
    case = make_case(state="escalated")
    supervisor = factories.user(role="supervisor")
    fire(case, "order_talk", supervisor, kind="admonishment_talk")
    assert case.state == "talk"
    fire(case, "record_talk", supervisor, rectify_workdays=10)
    assert case.state == "rectifying" and case.rectify_due is not None
    fire(case, "submit_report", leader_of(case.unit))
    fire(case, "accept", factories.user(role="officer"))
    fire(case, "reopen", supervisor)
    assert case.state == "rectifying" and case.closed_at is None
    assert verify_chain(case.id) == []


def test_stale_version_is_a_conflict_and_changes_nothing(db):
    case = make_case(state="notice_issued")
    version = case.version
    with pytest.raises(VersionConflict):
        case_transition(case=case, trigger="escalate", actor=factories.user(role="officer"),
                        data={"reason": "manual"}, expected_version=version - 1)
    assert (case.state, case.version) == ("notice_issued", version)
    case_transition(case=case, trigger="escalate", actor=factories.user(role="officer"),
                    data={"reason": "manual"}, expected_version=version)
    assert case.version == version + 1


def test_bad_field_names_the_field(db):
    case = make_case(state="detected")
    officer = factories.user(role="officer")
    with pytest.raises(InvalidField) as info:
        case_transition(case=case, trigger="issue_notice", actor=officer,
                        data={"severity": "catastrophic", "findings": "x", "requirements": "y"})
    assert info.value.field == "severity"
    with pytest.raises(InvalidField) as info:
        case_transition(case=case, trigger="issue_notice", actor=officer, data={"severity": "minor", "findings": "x"})
    assert info.value.field == "requirements"
    assert case.state == "detected"


def test_report_needs_evidence_of_this_case(db):
    case, other = make_case(state="rectifying"), make_case(state="rectifying")
    leader = leader_of(case.unit)
    foreign = evidence(other, leader_of(other.unit))
    with pytest.raises(InvalidField) as info:
        case_transition(case=case, trigger="submit_report", actor=leader,
                        data={"report": "done", "attachment_ids": [foreign.id]})
    assert info.value.field == "attachment_ids"
    with pytest.raises(InvalidField):
        case_transition(case=case, trigger="submit_report", actor=leader, data={"report": "done", "attachment_ids": []})
    assert case.state == "rectifying"


def test_failure_after_state_change_leaves_everything_untouched(db, monkeypatch):
    case = make_case(state="verifying")
    officer = factories.user(role="officer")
    before = (case.state, case.version, case.verify_due, _count(CaseEvent, case_id=case.id),
              _count(Notification), _count(ScoreEntry), _count(DeadlineChange, case_id=case.id))
    real = case_service.run_transition_hooks

    def exploding(ctx):
        real(ctx)  # ledger, documents, notifications all ran and added rows …
        assert ctx.case.state == "rectifying"
        raise RuntimeError("document rendering failed")  # … then rendering fails

    monkeypatch.setattr(case_service, "run_transition_hooks", exploding)
    with pytest.raises(TransitionFailed):
        fire(case, "reject", officer)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    after = (case.state, case.version, case.verify_due, _count(CaseEvent, case_id=case.id),
             _count(Notification), _count(ScoreEntry), _count(DeadlineChange, case_id=case.id))
    assert after == before
    assert verify_chain(case.id) == []


def test_after_commit_failure_does_not_reach_the_caller(db, monkeypatch):
    case = make_case(state="detected")
    real = case_service.run_transition_hooks

    def with_bad_mail(ctx):
        real(ctx)
        ctx.after_commit.append(lambda: 1 / 0)

    monkeypatch.setattr(case_service, "run_transition_hooks", with_bad_mail)
    fire(case, "issue_notice", factories.user(role="officer"))
    assert db.session.get(Case, case.id).state == "notice_issued"


def test_open_numbers_and_first_event(db):
    unit = factories.unit()
    with clock.frozen(datetime(2026, 3, 1, 10, 0)):
        first = case_open(unit=unit, title="一", category="finance")
        second = case_open(unit=unit, title="二", category="finance", origin="self_report")
    assert (first.number, second.number) == ("YJ2026-0001", "YJ2026-0002")
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == first.id))
    assert (event.trigger, event.from_state, event.to_state, event.seq) == ("open", None, "detected", 1)
    with pytest.raises(InvalidField):
        case_open(unit=unit, title="  ", category="finance")


def test_annual_case_opens_escalated_and_books_the_escalation(db):
    unit = factories.unit()
    supervisor = factories.user(role="supervisor")
    case = case_open(unit=unit, title="2025年度评定为C级", category="other", origin="annual", annual_year=2025,
                     initial_state="escalated")
    assert case.state == "escalated" and case.annual_year == 2025
    assert _count(Notification, user_id=supervisor.id, kind="escalated") == 1
    fire(case, "order_inquiry", supervisor)
    assert case.state == "inquiry"


def test_concurrent_transitions_one_wins_the_others_conflict(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to lose")
    import threading

    from caseflow.models import User

    case = make_case(state="notice_issued")
    case_id, version = case.id, case.version
    officers = [factories.user(role="officer").id for _ in range(2)] + [factories.user(role="supervisor").id]
    leader_id = leader_of(case.unit).id
    plan = [("escalate", officers[0], {"reason": "manual"}), ("acknowledge", leader_id, {}),
            ("escalate", officers[2], {"reason": "manual"}), ("acknowledge", officers[1], {"method": "paper"})]
    barrier = threading.Barrier(len(plan))
    outcomes: list[object] = []

    def attempt(trigger, user_id, data):
        with app.app_context():
            try:
                mine = db.session.get(Case, case_id)
                actor = db.session.get(User, user_id)
                barrier.wait()
                case_transition(case=mine, trigger=trigger, actor=actor, data=data, expected_version=version)
                outcomes.append(trigger)
            except VersionConflict as error:
                outcomes.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=step) for step in plan]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if isinstance(o, str)]
    losers = [o for o in outcomes if isinstance(o, VersionConflict)]
    assert len(winners) == 1 and len(losers) == len(plan) - 1
    assert all(e.status == 409 and e.code == "version_conflict" for e in losers)
    db.session.expire_all()
    fresh = db.session.get(Case, case_id)
    assert fresh.version == version + 1
    assert db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id)) == 3
    assert verify_chain() == []
