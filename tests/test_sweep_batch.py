"""The batched escalations of the sweep (``case_transitions``) leave exactly the rows the one-by-one path
(``case_transition`` per case) leaves: the same sweep runs twice from the same database state and every
table is compared (surrogate ids aside, references to new events compared by (case, seq))."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import delete, insert, select, text

from caseflow import clock
from caseflow.extensions import db as _db
from caseflow.models import Case, CaseEvent, Notification
from caseflow.services import sweep as sweep_service
from caseflow.services.audit import verify_chain
from caseflow.services.cases import case_transition
from caseflow.services.ledger import recompute_in_session
from caseflow.services.ledger_sources import event_quarter
from caseflow.services.sweep import sweep_run
from tests import factories
from tests.factories_cases import DEFAULT_DATA, leader_of, make_case


def _dataset() -> datetime:
    """Overdue acknowledgements and rectifications (several per unit, so several share a unit-quarter) at
    three units, an overdue verification (an alert), supervisors and leaders; the instant to sweep at."""
    for active in (True, True, False):
        factories.user(role="supervisor", active=active)
    units = [factories.unit() for _ in range(3)]
    for unit in units:
        leader_of(unit)
    cases = []
    for i, unit in enumerate(units):
        cases += [make_case(state="notice_issued", unit=unit) for _ in range(2 + i)]
        cases.append(make_case(state="rectifying", unit=unit, rectify_workdays=3))
    cases.append(make_case(state="verifying", unit=units[0]))
    _db.session.commit()
    last = max(d for c in cases for d in (c.ack_due, c.rectify_due, c.verify_due) if d is not None)
    return datetime.combine(last + timedelta(days=2), time(9))


def _one_by_one(pairs, today, report) -> None:
    """The sweep's escalations before batching: ``_escalate`` (``case_transition``) per deadline."""
    for case_id, kind in pairs:
        sweep_service._guarded(lambda c=case_id, k=kind: sweep_service._escalate(c, k, today, report),
                               case_id, report)


def _snapshot() -> dict[str, list[dict]]:
    conn = _db.session.connection()
    return {t.name: [dict(r._mapping) for r in conn.execute(select(t))] for t in _db.metadata.sorted_tables}


def _restore(snapshot: dict[str, list[dict]]) -> None:
    """Put every table back as ``snapshot`` had it (same ids); new rows get new ids."""
    conn = _db.session.connection()
    for table in reversed(_db.metadata.sorted_tables):
        conn.execute(delete(table))
    for table in _db.metadata.sorted_tables:
        if snapshot[table.name]:
            conn.execute(insert(table), snapshot[table.name])
    if conn.dialect.name == "postgresql":  # past the restored ids, so the sweep's rows do not collide
        for table in _db.metadata.sorted_tables:
            if "id" in table.c and snapshot[table.name]:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                                  f"(SELECT max(id) FROM \"{table.name}\"))"))
    _db.session.commit()
    _db.session.expire_all()


def _normalised(snapshot: dict[str, list[dict]]) -> dict[str, list[str]]:
    """Each table as a sorted list of rows without surrogate ids; event ids as (case id, seq)."""
    event_key = {r["id"]: (r["case_id"], r["seq"]) for r in snapshot["case_event"]}
    kept_ids = {"case", "unit", "user", "station"}  # rows the sweep never inserts keep their (restored) ids
    out = {}
    for name, rows in snapshot.items():
        norm = []
        for row in rows:
            row = dict(row)
            if name not in kept_ids:
                row.pop("id", None)
            if "event_id" in row and row["event_id"] is not None:
                row["event_id"] = event_key[row["event_id"]]
            if row.get("source_kind") == "case_event":
                row["source_id"] = event_key[row["source_id"]]
            norm.append(repr(sorted(row.items())))
        out[name] = sorted(norm)
    return out


def test_batched_escalations_leave_the_rows_of_the_one_by_one_path(db, monkeypatch):
    at = _dataset()
    before = _snapshot()
    _db.session.rollback()
    with clock.frozen(at):
        monkeypatch.setattr(sweep_service, "_escalate_all", _one_by_one)
        single = sweep_run()
    one_by_one = _snapshot()
    _db.session.rollback()
    _restore(before)
    monkeypatch.undo()
    monkeypatch.setattr(sweep_service, "ESCALATE_BATCH", 4)  # several batches, a unit's cases split across two
    calls = []
    real = sweep_service.case_transitions
    monkeypatch.setattr(sweep_service, "case_transitions", lambda **kw: calls.append(len(kw["cases"])) or real(**kw))
    with clock.frozen(at):
        batched = sweep_run()
    assert calls and max(calls) > 1 and sum(calls) == len(batched.escalated)
    assert (batched.escalated, batched.alerted, batched.reminded, batched.failed) == (
        single.escalated, single.alerted, single.reminded, [])
    assert len(single.escalated) == 12 and len(single.alerted) == 1
    after = _snapshot()
    _db.session.rollback()
    expected, got = _normalised(one_by_one), _normalised(after)
    for name in expected:
        assert got[name] == expected[name], name
    assert len(after["notification"]) > len(before["notification"])
    assert len(after["score_entry"]) > len(before["score_entry"])
    assert verify_chain() == []
    with clock.frozen(at):
        year, quarter = event_quarter(clock.now())
        assert recompute_in_session(year, quarter, write=False).reproduced
        _db.session.rollback()


def test_a_batch_reads_the_supervisors_once(db):
    from sqlalchemy import event

    for _ in range(3):
        factories.user(role="supervisor")
    cases = [make_case(state="notice_issued") for _ in range(5)]
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        with clock.frozen(datetime.combine(cases[-1].ack_due + timedelta(days=2), time(9))):
            report = sweep_run()
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    assert sorted(report.escalated) == sorted(c.number for c in cases)
    assert len([s for s in seen if "user.role = " in s and "FROM \"user\"" in s]) <= 1, seen
    assert _db.session.scalar(select(_db.func.count()).select_from(Notification)
                              .where(Notification.kind == "escalated")) == 15
    assert _db.session.scalar(select(_db.func.count()).select_from(CaseEvent)
                              .where(CaseEvent.trigger == "escalate")) == 5


def test_a_batch_books_notices_as_one_by_one(db):
    """``issue_notice`` also records the case's notice deduction: the batch ledger hook books it case by case."""
    from caseflow.services.cases import case_transitions

    officer = factories.user(role="officer")
    unit = factories.unit()
    batch = [make_case(unit=unit), make_case(unit=unit, origin="self_report")]
    alone = make_case(unit=unit)
    case_transition(case=alone, trigger="issue_notice", actor=officer, data=dict(DEFAULT_DATA["issue_notice"]))
    case_transitions(cases=batch, trigger="issue_notice", actor=officer,
                     data_of=lambda c: dict(DEFAULT_DATA["issue_notice"]))
    _db.session.expire_all()
    deductions = [_db.session.get(Case, c.id).notice_deduction for c in (alone, *batch)]
    assert deductions[0] == deductions[1] == 2 * deductions[2] > 0
    year, quarter = event_quarter(clock.now())
    assert recompute_in_session(year, quarter, write=False).reproduced
    _db.session.rollback()
