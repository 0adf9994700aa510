"""The case state machine (SPEC §3, §7): transitions, permissions, guards and fields."""
from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from caseflow.errors import Forbidden, InvalidField, InvalidTransition
from caseflow.states import (
    CHOICE_LABELS,
    DEADLINE_CLEARS,
    DEADLINES,
    MACHINE,
    OVERDUE_ESCALATION,
    ROLES,
    STATE_LABELS,
    STATES,
    SWEEP_TRIGGER,
    SYSTEM_ROLE,
    TERMINAL,
    TRIGGERS,
    FieldSpec,
    TriggerSpec,
    allowed_triggers,
    check_permission,
    destination,
    fire,
    validate,
)

OF, SU, UL = "officer", "supervisor", "unit_leader"
# SPEC §3, written out independently of the definition: trigger -> (from, to, who).
SPEC_TABLE: dict[str, tuple[set[str], str, set[str]]] = {
    "issue_notice": ({"detected"}, "notice_issued", {OF}),
    "dismiss": ({"detected"}, "dismissed", {OF}),
    "acknowledge": ({"notice_issued"}, "rectifying", {UL, OF}),
    "submit_report": ({"rectifying"}, "verifying", {UL}),
    "accept": ({"verifying"}, "closed", {OF}),
    "reject": ({"verifying"}, "rectifying", {OF}),
    "escalate": ({"notice_issued", "rectifying"}, "escalated", {OF, SU, SYSTEM_ROLE}),
    "order_talk": ({"escalated"}, "talk", {SU}),
    "order_inquiry": ({"escalated"}, "inquiry", {SU}),
    "record_talk": ({"talk"}, "rectifying", {OF, SU}),
    "record_inquiry": ({"inquiry"}, "rectifying", {OF, SU}),
    "refer": ({"escalated", "talk", "inquiry"}, "referred", {SU}),
    "reopen": ({"closed"}, "rectifying", {SU}),
}
SAME_UNIT_ONLY = {("acknowledge", UL), ("submit_report", UL)}
SPEC_FIELDS = {
    "issue_notice": {"severity", "findings", "requirements", "rectify_workdays"},
    "dismiss": {"reason"}, "acknowledge": {"delivered_at"}, "submit_report": {"report", "attachment_ids"},
    "accept": {"note"}, "reject": {"reason", "rectify_workdays"}, "escalate": {"reason"},
    "order_talk": {"kind", "with_whom", "scheduled_on"}, "order_inquiry": {"kind", "whom", "working_group"},
    "record_talk": {"minutes", "rectify_workdays"}, "record_inquiry": {"minutes", "rectify_workdays"},
    "refer": {"reason"}, "reopen": {"reason", "rectify_workdays"},
}
VALID: dict[str, dict[str, object]] = {
    "issue_notice": {"severity": "moderate", "findings": "Late tendering", "requirements": "Fix it"},
    "dismiss": {"reason": "duplicate"},
    "acknowledge": {"delivered_at": "2026-03-02T09:30:00", "method": "paper"},
    "submit_report": {"report": "Done", "attachment_ids": "3, 5"},
    "accept": {"note": "Checked on site"},
    "reject": {"reason": "Evidence missing", "rectify_workdays": "10"},
    "escalate": {"reason": "manual"},
    "order_talk": {"kind": "integrity_talk", "with_whom": "Party secretary", "scheduled_on": "2026-04-01"},
    "order_inquiry": {"kind": "questioning", "whom": "Leadership team"},
    "record_talk": {"minutes": "Talked", "rectify_workdays": 15, "participants": "A, B"},
    "record_inquiry": {"minutes": "Asked", "rectify_workdays": 15},
    "refer": {"reason": "Serious"},
    "reopen": {"reason": "Recurred", "rectify_workdays": 20},
}
ALL_ROLES = (*ROLES, SYSTEM_ROLE)


def case(state: str, reject_count: int = 0) -> SimpleNamespace:
    """A plain object standing in for a Case row."""
    return SimpleNamespace(state=state, reject_count=reject_count)


def test_pinned_states_and_triggers():
    assert STATES == ("detected", "notice_issued", "rectifying", "verifying", "escalated", "talk",
                      "inquiry", "closed", "dismissed", "referred")
    assert TERMINAL == {"dismissed", "referred"}
    assert list(TRIGGERS) == list(SPEC_TABLE)
    for name, (sources, dest, _) in SPEC_TABLE.items():
        assert set(TRIGGERS[name].sources) == sources and TRIGGERS[name].dest == dest
    assert TRIGGERS["issue_notice"].document == "notice" and TRIGGERS["acknowledge"].document == "receipt"


@pytest.mark.parametrize("trigger", SPEC_FIELDS)
def test_pinned_fields_and_labels(trigger):
    spec = TRIGGERS[trigger]
    assert SPEC_FIELDS[trigger] <= {f.name for f in spec.fields}
    assert spec.label_zh and spec.label_en
    for field in spec.fields:
        assert field.label_zh and field.label_en
        assert all(choice in CHOICE_LABELS for choice in field.choices)
    assert all(STATE_LABELS[s][0] and STATE_LABELS[s][1] for s in STATES)


@pytest.mark.parametrize(("trigger", "source"), [(t, s) for t, (srcs, _, _) in SPEC_TABLE.items() for s in sorted(srcs)])
def test_every_trigger_reaches_its_destination(trigger, source):
    c = case(source)
    assert fire(c, trigger, validate(trigger, VALID[trigger])) == SPEC_TABLE[trigger][1] == c.state
    assert destination(source, trigger, case(source)) == SPEC_TABLE[trigger][1]


@pytest.mark.parametrize("trigger", SPEC_TABLE)
def test_trigger_not_allowed_elsewhere_changes_nothing(trigger):
    for state in (s for s in STATES if s not in SPEC_TABLE[trigger][0]):
        c = case(state)
        with pytest.raises(InvalidTransition) as err:
            fire(c, trigger, VALID[trigger])
        assert c.state == state and vars(c) == {"state": state, "reject_count": 0}
        assert err.value.code == "invalid_transition" and trigger in str(err.value)
        with pytest.raises(InvalidTransition):
            destination(state, trigger, c)


@pytest.mark.parametrize("trigger", SPEC_TABLE)
@pytest.mark.parametrize("role", ALL_ROLES)
def test_permissions_match_spec(trigger, role):
    allowed = role in SPEC_TABLE[trigger][2]
    for same_unit in (True, False):
        ok = allowed and (same_unit or (trigger, role) not in SAME_UNIT_ONLY)
        if ok:
            check_permission(trigger, role, same_unit=same_unit)
        else:
            with pytest.raises(Forbidden):
                check_permission(trigger, role, same_unit=same_unit)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("same_unit", [True, False])
def test_allowed_triggers_per_role(role, same_unit):
    for state in STATES:
        expected = [t for t, (srcs, _, roles) in SPEC_TABLE.items() if state in srcs and role in roles
                    and (same_unit or (t, role) not in SAME_UNIT_ONLY)]
        assert allowed_triggers(state, role, same_unit=same_unit) == expected
    assert allowed_triggers("rectifying", SYSTEM_ROLE, same_unit=False) == ["escalate"]


def test_second_reject_escalates():
    first, second = case("verifying", 0), case("verifying", 1)
    assert destination("verifying", "reject", second) == "escalated"
    assert fire(first, "reject", VALID["reject"]) == "rectifying"
    assert fire(second, "reject", VALID["reject"]) == "escalated"
    assert fire(case("verifying", 3), "reject", {}) == "escalated"


def test_submit_report_needs_an_attachment():
    c = case("rectifying")
    with pytest.raises(InvalidTransition):
        fire(c, "submit_report", {"report": "Done", "attachment_ids": []})
    assert c.state == "rectifying"
    with pytest.raises(InvalidField) as err:
        validate("submit_report", {"report": "Done", "attachment_ids": " , "})
    assert err.value.field == "attachment_ids" and err.value.status == 422
    assert destination("rectifying", "submit_report", c) == "verifying"  # preview without data
    with pytest.raises(InvalidTransition):
        destination("rectifying", "submit_report", c, {"attachment_ids": []})


def test_validate_coerces_and_fills_defaults():
    got = validate("issue_notice", {"severity": " serious ", "findings": "  a  ", "requirements": "b", "x": 1})
    assert got == {"severity": "serious", "findings": "a", "requirements": "b", "rectify_workdays": 20}
    assert validate("submit_report", VALID["submit_report"])["attachment_ids"] == [3, 5]
    assert validate("submit_report", {"report": "r", "attachment_ids": [7, "8", 7]})["attachment_ids"] == [7, 8]
    assert validate("acknowledge", VALID["acknowledge"])["delivered_at"] == datetime(2026, 3, 2, 9, 30)
    assert validate("acknowledge", {}) == {"delivered_at": None, "method": None}
    assert validate("order_talk", VALID["order_talk"])["scheduled_on"] == date(2026, 4, 1)
    assert validate("reject", VALID["reject"])["rectify_workdays"] == 10
    assert validate("reject", {"reason": "r"})["rectify_workdays"] is None  # the notice's period applies
    assert validate("dismiss", {"reason": "unfounded"}) == {"reason": "unfounded", "note": None}


@pytest.mark.parametrize(("trigger", "data", "field"), [
    ("issue_notice", {"severity": "huge", "findings": "f", "requirements": "r"}, "severity"),
    ("issue_notice", {"severity": "minor", "requirements": "r"}, "findings"),
    ("issue_notice", {"severity": "minor", "findings": "   ", "requirements": "r"}, "findings"),
    ("issue_notice", {"severity": "minor", "findings": "f" * 5001, "requirements": "r"}, "findings"),
    ("issue_notice", {"severity": "minor", "findings": 12, "requirements": "r"}, "findings"),
    ("issue_notice", {"severity": "minor", "findings": "f", "requirements": "r", "rectify_workdays": 0},
     "rectify_workdays"),
    ("issue_notice", {"severity": "minor", "findings": "f", "requirements": "r", "rectify_workdays": 121},
     "rectify_workdays"),
    ("reject", {"reason": "r", "rectify_workdays": "ten"}, "rectify_workdays"),
    ("reject", {"reason": "r", "rectify_workdays": True}, "rectify_workdays"),
    ("dismiss", {"reason": "bored"}, "reason"),
    ("acknowledge", {"delivered_at": "yesterday"}, "delivered_at"),
    ("acknowledge", {"method": "pigeon"}, "method"),
    ("order_talk", {"kind": "integrity_talk", "with_whom": "w", "scheduled_on": "2026-13-01"}, "scheduled_on"),
    ("order_talk", {"kind": "chat", "with_whom": "w", "scheduled_on": "2026-01-01"}, "kind"),
    ("submit_report", {"report": "r", "attachment_ids": "1,x"}, "attachment_ids"),
    ("submit_report", {"report": "r", "attachment_ids": [0]}, "attachment_ids"),
    ("submit_report", {"report": "r"}, "attachment_ids"),
    ("escalate", {}, "reason"),
])
def test_validate_names_the_bad_field(trigger, data, field):
    with pytest.raises(InvalidField) as err:
        validate(trigger, data)
    assert err.value.field == field and err.value.code == "invalid_field"
    assert field in str(err.value)


def test_validate_bool_and_native_values(monkeypatch):
    flag = TriggerSpec("flag", ("detected",), "detected", frozenset({OF}), "标记", "Flag",
                       (FieldSpec("urgent", "bool", False), FieldSpec("on", "date"), FieldSpec("at", "datetime")))
    monkeypatch.setitem(TRIGGERS, "flag", flag)
    got = validate("flag", {"urgent": "Yes", "on": datetime(2026, 1, 2, 8), "at": date(2026, 1, 2)})
    assert got == {"urgent": True, "on": date(2026, 1, 2), "at": datetime(2026, 1, 2)}
    assert validate("flag", {"on": "2026-01-02", "at": "2026-01-02T08:00"})["urgent"] is False
    with pytest.raises(InvalidField) as err:
        validate("flag", {"urgent": "perhaps", "on": "2026-01-02", "at": "2026-01-02"})
    assert err.value.field == "urgent"


def test_unknown_trigger_or_state():
    for call in (lambda: fire(case("detected"), "explode", {}), lambda: validate("explode", {}),
                 lambda: check_permission("explode", OF, same_unit=True)):
        with pytest.raises(InvalidTransition):
            call()
    with pytest.raises(InvalidTransition):
        fire(case("limbo"), "issue_notice", VALID["issue_notice"])
    assert allowed_triggers("limbo", OF, same_unit=True) == []


def test_firing_registers_nothing_on_the_machine():
    before = len(MACHINE.models)
    c, data = case("detected"), dict(VALID["issue_notice"])
    fire(c, "issue_notice", data)
    assert len(MACHINE.models) == before == 0
    assert data == VALID["issue_notice"] and not hasattr(c, "trigger") and not hasattr(c, "is_detected")
    assert MACHINE.auto_transitions is False and MACHINE.send_event is True


def test_deadlines_are_declared_as_data():
    assert DEADLINES["notice_issued"].kind == "acknowledge" and DEADLINES["notice_issued"].default_workdays == 3
    assert DEADLINES["rectifying"].kind == "rectify" and DEADLINES["rectifying"].workdays_field == "rectify_workdays"
    assert DEADLINES["verifying"].kind == "verify" and DEADLINES["verifying"].default_workdays == 5
    for state in ("escalated", "talk", "inquiry", "closed", "dismissed", "referred"):
        assert set(DEADLINE_CLEARS[state]) == {"acknowledge", "rectify", "verify"}
    assert "rectify" not in DEADLINE_CLEARS["rectifying"] and "acknowledge" in DEADLINE_CLEARS["rectifying"]
    reasons = next(f for f in TRIGGERS[SWEEP_TRIGGER].fields if f.name == "reason").choices
    assert OVERDUE_ESCALATION == {"acknowledge": "overdue_acknowledgement", "rectify": "overdue_rectification"}
    for kind, reason in OVERDUE_ESCALATION.items():
        state = next(s for s, rule in DEADLINES.items() if rule.kind == kind)
        assert reason in reasons and SWEEP_TRIGGER in allowed_triggers(state, SYSTEM_ROLE, same_unit=False)


class CaseLifecycle(RuleBasedStateMachine):
    """Random triggers with valid data against a plain object."""

    def __init__(self) -> None:
        super().__init__()
        self.case = case("detected")

    @rule(trigger=st.sampled_from(list(TRIGGERS)))
    def fire_one(self, trigger: str) -> None:
        before, data = self.case.state, validate(trigger, VALID[trigger])
        if before not in SPEC_TABLE[trigger][0]:
            with pytest.raises(InvalidTransition):
                fire(self.case, trigger, data)
            assert self.case.state == before
            return
        expected = "escalated" if trigger == "reject" and self.case.reject_count else SPEC_TABLE[trigger][1]
        assert fire(self.case, trigger, data) == expected
        self.case.reject_count += trigger == "reject"

    @invariant()
    def state_is_known(self) -> None:
        assert self.case.state in STATES

    @invariant()
    def terminal_accepts_nothing(self) -> None:
        if self.case.state in TERMINAL:
            assert not any(allowed_triggers(self.case.state, r, same_unit=True) for r in ALL_ROLES)
            for trigger in TRIGGERS:
                with pytest.raises(InvalidTransition):
                    fire(self.case, trigger, VALID[trigger])


TestCaseLifecycle = CaseLifecycle.TestCase
TestCaseLifecycle.settings = settings(max_examples=60, stateful_step_count=25, database=None, deadline=None)
