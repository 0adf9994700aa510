"""Who may do what: role capabilities and object-level scope, in one table.

Views, the API and services ask here; nothing else compares role names for access.
The case state machine keeps its own trigger permissions in ``caseflow.states``.
"""
from __future__ import annotations

from caseflow.errors import Forbidden

# capability -> roles holding it
CAPABILITIES: dict[str, frozenset[str]] = {
    "units.read": frozenset({"admin", "officer", "supervisor", "unit_leader", "auditor"}),
    "units.manage": frozenset({"admin"}),
    "users.manage": frozenset({"admin"}),
    "stations.manage": frozenset({"admin"}),
    "calendar.manage": frozenset({"admin"}),
    "schemes.manage": frozenset({"admin"}),
    "signals.read": frozenset({"officer", "supervisor", "auditor", "monitor"}),
    "signals.record": frozenset({"officer", "supervisor"}),
    "signals.file_rapid": frozenset({"monitor"}),
    "signals.triage": frozenset({"officer", "supervisor"}),
    "cases.read": frozenset({"officer", "supervisor", "unit_leader", "auditor"}),
    "cases.upload": frozenset({"officer", "supervisor", "unit_leader"}),
    "cases.open": frozenset({"officer", "supervisor"}),
    "notifications.read": frozenset({"admin", "officer", "supervisor", "unit_leader", "monitor", "auditor"}),
    "scores.read": frozenset({"officer", "supervisor", "unit_leader", "auditor", "admin"}),
    "inputs.manage": frozenset({"officer", "supervisor"}),
    "grades.compute": frozenset({"supervisor"}),
    "grades.approve": frozenset({"supervisor"}),
    "grades.publish": frozenset({"supervisor"}),
    "grades.preview": frozenset({"officer", "supervisor", "auditor"}),
    "scores.what_if": frozenset({"officer", "supervisor", "unit_leader"}),
    "board.read": frozenset({"officer", "supervisor", "auditor", "admin"}),
    "reports.read": frozenset({"officer", "supervisor", "auditor"}),
    "documents.read": frozenset({"admin", "officer", "supervisor", "unit_leader", "auditor"}),
    "documents.issue": frozenset({"officer", "supervisor"}),
    "reporter.identity": frozenset({"officer", "supervisor"}),
    "access_log.read": frozenset({"supervisor"}),
}

# Roles whose view of units, cases and scores is limited to their own unit.
UNIT_SCOPED = frozenset({"unit_leader"})


def can(user, capability: str) -> bool:
    """True when ``user`` (or None for anonymous) holds ``capability``."""
    return role_can(getattr(user, "role", None), capability)


def role_can(role: str | None, capability: str) -> bool:
    """True when the role ``role`` (None: anonymous) holds ``capability``."""
    return role is not None and role in CAPABILITIES.get(capability, frozenset())


def require(user, capability: str) -> None:
    """Raise Forbidden unless ``user`` holds ``capability``."""
    if not can(user, capability):
        raise Forbidden()


def unit_scope(user) -> int | None:
    """The only unit id the user may see, or None when not unit-scoped."""
    return user.unit_id if getattr(user, "role", None) in UNIT_SCOPED else None


def can_see_unit(user, unit_id: int | None) -> bool:
    """Object-level check: may ``user`` see details of the unit ``unit_id``?"""
    if not can(user, "units.read"):
        return False
    scope = unit_scope(user)
    if scope is None and getattr(user, "role", None) in UNIT_SCOPED:
        return False  # a unit leader not tied to a unit sees no unit, not every unit
    return scope is None or (unit_id is not None and unit_id == scope)


def require_unit(user, unit_id: int | None) -> None:
    """Raise Forbidden unless ``user`` may see the unit."""
    if not can_see_unit(user, unit_id):
        raise Forbidden()
