"""The case state machine: definition as data, the one Machine, checks and diagrams."""
from caseflow.states.definition import (
    CHOICE_LABELS,
    DEADLINE_CLEARS,
    DEADLINE_KINDS,
    DEADLINES,
    FIELD_LABELS,
    INITIAL,
    OVERDUE_ESCALATION,
    ROLES,
    STATE_LABELS,
    STATES,
    SWEEP_TRIGGER,
    SYSTEM_ROLE,
    TERMINAL,
    TRIGGER_LABELS,
    TRIGGERS,
    Branch,
    DeadlineRule,
    FieldSpec,
    Guard,
    TriggerSpec,
)
from caseflow.states.machine import (
    MACHINE,
    allowed_triggers,
    check_permission,
    destination,
    fire,
    validate,
)

__all__ = [
    "CHOICE_LABELS", "DEADLINE_CLEARS", "DEADLINE_KINDS", "DEADLINES", "FIELD_LABELS", "INITIAL", "MACHINE",
    "OVERDUE_ESCALATION", "ROLES", "STATE_LABELS", "STATES", "SWEEP_TRIGGER", "SYSTEM_ROLE",
    "TERMINAL", "TRIGGER_LABELS", "TRIGGERS", "Branch", "DeadlineRule", "FieldSpec", "Guard",
    "TriggerSpec", "allowed_triggers", "check_permission", "destination", "fire", "validate",
]
