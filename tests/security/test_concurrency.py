"""Races on PostgreSQL, through the HTTP API as real clients would race.

- Conflicting transitions: rounds of N threads firing different triggers (and the same one)
  on one case at the same version; exactly one wins per state, every other gets 409, the
  event chain stays valid (``caseflow.services.audit.verify_chain``).
- Concurrent notice issuing over the API never duplicates a document number.
- Four sweeps at once escalate each overdue case once.

Service-level races already covered (referenced, not repeated): tests/test_case_service.py::
test_concurrent_transitions_one_wins_the_others_conflict, tests/test_documents_service.py::
test_concurrent_notices_get_distinct_gap_free_numbers, tests/test_sweep.py::
test_two_sweeps_at_once_escalate_each_case_once. Skipped on SQLite (it serialises writers).
"""
from __future__ import annotations

import threading
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from caseflow import clock
from caseflow.extensions import db as _db
from caseflow.models import Case, CaseEvent, Document
from caseflow.services.audit import verify_chain
from tests import factories
from tests.factories_cases import DEFAULT_DATA, leader_of, make_case, sweeps_at_once
from tests.security.conftest import bearer, is_postgres

pytestmark = pytest.mark.usefixtures("db")
THREADS = 8

# Rounds: the state the case is in, and the (trigger, role) of each racing thread.
ROUNDS = [
    ("notice_issued", [("escalate", "officer"), ("acknowledge", "unit_leader"), ("escalate", "supervisor"),
                       ("acknowledge", "officer")] * 2),
    ("escalated", [("order_talk", "supervisor"), ("order_inquiry", "supervisor"), ("refer", "supervisor"),
                   ("order_talk", "supervisor")] * 2),
]


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if not is_postgres():
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to lose")


def _race(app, jobs):
    """Run ``jobs`` (callables returning a response) at once behind a barrier; return the responses."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        client = app.test_client()
        with app.app_context():  # the test client expires this thread's session after each request
            barrier.wait(timeout=60)
            try:
                results[i] = job(client)
            except BaseException as error:  # noqa: BLE001 - reported by the caller
                results[i] = error
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    return results


def _events(case_id: int) -> int:
    return _db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id))


@pytest.mark.parametrize("round_index", range(len(ROUNDS)))
def test_conflicting_transitions_one_winner_per_state(app, round_index):
    state, plan = ROUNDS[round_index]
    case = make_case(state=state)
    case_id, version = case.id, case.version
    headers = {"officer": bearer(factories.user(role="officer")),
               "supervisor": bearer(factories.user(role="supervisor")),
               "unit_leader": bearer(leader_of(case.unit))}
    events_before = _events(case_id)

    def job(trigger, role):
        body = {"trigger": trigger, "version": version, **DEFAULT_DATA.get(trigger, {})}
        return lambda client: client.post(f"/api/v1/cases/{case_id}/transitions", json=body, headers=headers[role])

    responses = _race(app, [job(t, r) for t, r in plan])
    errors = [r for r in responses if isinstance(r, BaseException)]
    assert errors == []
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 1 and statuses.count(409) == len(plan) - 1, statuses
    codes = {r.get_json()["error"]["code"] for r in responses if r.status_code == 409}
    assert codes <= {"version_conflict", "invalid_transition", "conflict"}, codes
    _db.session.expire_all()
    fresh = _db.session.get(Case, case_id)
    assert fresh.version == version + 1
    assert _events(case_id) == events_before + 1
    assert verify_chain(case_id) == []


def test_concurrent_notices_over_the_api_never_share_a_number(app):
    officer = factories.user(role="officer")
    make_case(officer=officer, state="notice_issued")  # the year's scheme and counter exist before the race
    cases = [make_case(officer=officer) for _ in range(THREADS)]
    headers = bearer(officer)

    def job(case_id, version):
        body = {"trigger": "issue_notice", "version": version, **DEFAULT_DATA["issue_notice"]}
        return lambda client: client.post(f"/api/v1/cases/{case_id}/transitions", json=body, headers=headers)

    responses = _race(app, [job(c.id, c.version) for c in cases])
    assert [getattr(r, "status_code", r) for r in responses] == [200] * THREADS
    _db.session.expire_all()
    numbers = [d.number for d in _db.session.scalars(select(Document).where(Document.kind == "notice"))]
    year = clock.today().year
    assert sorted(numbers) == sorted(f"镇纪预告〔{year}〕{n}号" for n in range(1, THREADS + 2))


def test_four_sweeps_at_once_escalate_each_case_once(app):
    cases = [make_case(state="notice_issued") for _ in range(6)]
    ids = [c.id for c in cases]
    at = datetime.combine(cases[0].ack_due + timedelta(days=3), time(9))
    reports, errors = sweeps_at_once(app, at, 4)
    assert errors == []
    escalated = sorted(n for r in reports for n in r.escalated)
    assert escalated == sorted(c.number for c in cases)
    _db.session.expire_all()
    for case_id in ids:
        triggers = list(_db.session.scalars(select(CaseEvent.trigger).where(CaseEvent.case_id == case_id)))
        assert triggers.count("escalate") == 1
        assert verify_chain(case_id) == []
