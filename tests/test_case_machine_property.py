"""Property-based: random triggers as random roles through ``case_transition`` on the database.

After every step the case is in a declared state, its event chain verifies, and every trigger the
definition allows from the current state really succeeds (tried on a copy of the case).
"""
from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from caseflow import clock
from caseflow.errors import Forbidden, InvalidTransition
from caseflow.extensions import db
from caseflow.models import Case, CaseEvent
from caseflow.services.audit import verify_chain
from caseflow.services.cases import case_open, case_transition
from caseflow.states import ROLES, STATES, SYSTEM_ROLE, TRIGGERS, allowed_triggers
from tests import factories
from tests.factories_cases import DEFAULT_DATA, evidence

WHO = (*ROLES, "stranger_leader", SYSTEM_ROLE)
_copies = itertools.count(1)


class CaseLifecycle(RuleBasedStateMachine):
    """One case, driven by random (trigger, who) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.unit = factories.unit()
        self.users = {role: factories.user(role=role, **({"unit": self.unit} if role == "unit_leader" else {}))
                      for role in ROLES}
        self.users["stranger_leader"] = factories.user(role="unit_leader")
        self.case = case_open(unit=self.unit, title="property", category="other", actor=self.users["officer"])
        # Success depends only on the state and whether the case was rejected before, so each such
        # configuration is tried once per run.
        self.proven: set[tuple[str, bool, str]] = set()

    def _actor(self, who: str):
        return None if who == SYSTEM_ROLE else self.users[who]

    def _data(self, trigger: str, case: Case) -> dict:
        data = dict(DEFAULT_DATA.get(trigger, {}))
        if trigger == "submit_report":
            data["attachment_ids"] = [evidence(case, self.users["unit_leader"]).id]
        return data

    @staticmethod
    def _predicted(state: str, who: str) -> list[str]:
        role = "unit_leader" if who == "stranger_leader" else who
        return allowed_triggers(state, role, same_unit=who == "unit_leader")

    @rule(trigger=st.sampled_from(list(TRIGGERS)), who=st.sampled_from(WHO))
    def fire(self, trigger: str, who: str) -> None:
        case = self.case
        state, version = case.state, case.version
        events = db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case.id))
        allowed = trigger in self._predicted(state, who)
        try:
            case_transition(case=case, trigger=trigger, actor=self._actor(who), data=self._data(trigger, case))
        except (Forbidden, InvalidTransition):
            assert not allowed, f"{trigger} as {who} from {state} should have worked"
            db.session.expire_all()
            assert (case.state, case.version) == (state, version)
            assert db.session.scalar(select(func.count()).select_from(CaseEvent)
                                     .where(CaseEvent.case_id == case.id)) == events
        else:
            assert allowed, f"{trigger} as {who} from {state} should have been refused"
            assert case.state in TRIGGERS[trigger].dests and case.version > version

    @invariant()
    def declared_state(self) -> None:
        assert self.case.state in STATES

    @invariant()
    def chain_verifies(self) -> None:
        assert verify_chain(self.case.id) == []

    @invariant()
    def allowed_triggers_really_succeed(self) -> None:
        case = self.case
        tried: set[str] = set()
        for who in ("officer", "supervisor", "unit_leader", SYSTEM_ROLE):
            for trigger in self._predicted(case.state, who):
                key = (case.state, bool(case.reject_count), trigger)
                if trigger in tried or key in self.proven:
                    continue
                tried.add(trigger)
                self.proven.add(key)
                copy = Case(number=f"COPY-{next(_copies)}", unit_id=case.unit_id, title=case.title,
                            category=case.category, severity=case.severity, origin=case.origin, state=case.state,
                            reject_count=case.reject_count, rectify_workdays=case.rectify_workdays,
                            ack_due=case.ack_due, rectify_due=case.rectify_due, verify_due=case.verify_due,
                            opened_at=clock.now(), updated_at=clock.now())
                db.session.add(copy)
                db.session.commit()
                case_transition(case=copy, trigger=trigger, actor=self._actor(who), data=self._data(trigger, copy))
                assert copy.state in TRIGGERS[trigger].dests


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_random_walks_through_the_machine(db):
    run_state_machine_as_test(CaseLifecycle, settings=settings(
        max_examples=15, stateful_step_count=12, deadline=None, database=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow]))
