"""The event hash chain: verify passes on honest history and finds the first altered or removed link."""
from __future__ import annotations

from sqlalchemy import select, text

from caseflow.models import CaseEvent
from caseflow.services.audit import GENESIS, event_hash, verify_chain
from tests.factories_cases import make_case


def test_honest_history_verifies(db, runner):
    make_case(state="closed")
    make_case(state="talk")
    assert verify_chain() == []
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "verifies" in result.output


def test_chain_links_each_event_to_its_predecessor(db):
    case = make_case(state="verifying")
    events = list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)))
    assert events[0].prev_hash == GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert all(event_hash(e) == e.hash for e in events)


def test_altered_event_row_is_detected(db, runner):
    honest = make_case(state="closed")
    case = make_case(state="closed")
    # Someone edits the database directly: the notice's severity is toned down.
    db.session.execute(text("UPDATE case_event SET data = :d WHERE case_id = :c AND seq = 2"),
                       {"d": '{"severity": "minor", "findings": "x", "requirements": "y", "rectify_workdays": 20}',
                        "c": case.id})
    db.session.commit()
    problems = verify_chain()
    assert [(p.case_id, p.seq) for p in problems] == [(case.id, 2)]
    assert "altered" in problems[0].problem
    assert verify_chain(honest.id) == []
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN {case.number}" in result.output and "event 2" in result.output


def test_removed_event_is_detected(db, runner):
    case = make_case(state="verifying")
    db.session.execute(text("DELETE FROM attachment WHERE case_id = :c"), {"c": case.id})
    db.session.execute(text("DELETE FROM deadline_change WHERE case_id = :c"), {"c": case.id})
    db.session.execute(text("DELETE FROM document WHERE case_id = :c"), {"c": case.id})
    db.session.execute(text("DELETE FROM notification WHERE case_id = :c"), {"c": case.id})
    db.session.execute(text("DELETE FROM score_entry WHERE 1 = 1"))
    db.session.execute(text("DELETE FROM case_event WHERE case_id = :c AND seq = 3"), {"c": case.id})
    db.session.commit()
    problems = verify_chain(case.id)
    assert len(problems) == 1 and problems[0].seq == 4
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1


def test_rehashed_forgery_is_still_detected(db):
    case = make_case(state="rectifying")
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.seq == 2))
    # A forger who recomputes the altered event's own hash still breaks the next link.
    db.session.execute(text("UPDATE case_event SET actor_role = 'supervisor' WHERE id = :i"), {"i": event.id})
    db.session.commit()
    db.session.expire_all()
    event = db.session.get(CaseEvent, event.id)
    db.session.execute(text("UPDATE case_event SET hash = :h WHERE id = :i"), {"h": event_hash(event), "i": event.id})
    db.session.commit()
    problems = verify_chain(case.id)
    assert problems and problems[0].seq == 3 and "previous-hash" in problems[0].problem
