"""Case deadlines in Chinese working days: which a state starts, which it clears, and history."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app

from caseflow import clock
from caseflow.models import Case, DeadlineChange
from caseflow.services.calendar import get_calendar
from caseflow.states import DEADLINE_CLEARS, DEADLINE_KINDS, DEADLINES, DeadlineRule

# The Case column holding each kind of deadline.
COLUMNS: dict[str, str] = {"acknowledge": "ack_due", "rectify": "rectify_due", "verify": "verify_due"}


def rule_workdays(rule: DeadlineRule, case: Case, data: dict[str, Any]) -> int:
    """The period of ``rule`` for this transition: the trigger's field, the notice's, or config."""
    if rule.workdays_field and data.get(rule.workdays_field):
        return int(data[rule.workdays_field])
    if rule.kind == "rectify" and case.rectify_workdays:
        return int(case.rectify_workdays)
    config = current_app.config
    fallback = config.get(rule.config_key.removeprefix("CASEFLOW_"), rule.default_workdays)
    return int(config.get(rule.config_key, fallback))


def _start_day(rule: DeadlineRule, data: dict[str, Any], at: datetime) -> date:
    """The day a period runs from: the trigger's ``from_field`` if given, else the event's day (CST)."""
    value = data.get(rule.from_field) if rule.from_field else None
    if isinstance(value, datetime):
        return clock.local(value if value.tzinfo else value.replace(tzinfo=clock.CST)).date()
    if isinstance(value, date):
        return value
    return clock.local(at).date()


def _change(case: Case, kind: str, new: date | None, at: datetime, reason: str) -> DeadlineChange | None:
    column = COLUMNS[kind]
    old = getattr(case, column)
    if old == new:
        return None
    setattr(case, column, new)
    return DeadlineChange(case_id=case.id, kind=kind, old_due=old, new_due=new, at=at, reason=reason[:40])


def deadlines_apply(*, case: Case, to_state: str, data: dict[str, Any], at: datetime,
                    trigger: str) -> list[DeadlineChange]:
    """Clear the deadlines ``to_state`` ends and start the one it begins; return the history rows
    (not yet added to the session, so the caller can link them to the event)."""
    changes = [_change(case, kind, None, at, trigger) for kind in DEADLINE_CLEARS.get(to_state, DEADLINE_KINDS)]
    rule = DEADLINES.get(to_state)
    if rule is not None:
        due = get_calendar().add_workdays(_start_day(rule, data, at), rule_workdays(rule, case, data))
        changes.append(_change(case, rule.kind, due, at, trigger))
    return [c for c in changes if c is not None]


@dataclass
class DeadlineView:
    """One deadline as a page shows it."""

    kind: str
    due: date
    left: int  # working days left; negative when overdue
    overdue: bool
    covered: bool  # the calendar has an official table for the due year


def deadlines_of(case: Case, today: date | None = None) -> list[DeadlineView]:
    """The open deadlines of ``case`` with working days left or overdue."""
    today = today or clock.today()
    calendar = get_calendar()
    out = []
    for kind in DEADLINE_KINDS:
        due = getattr(case, COLUMNS[kind])
        if due is None:
            continue
        out.append(DeadlineView(kind, due, calendar.workdays_between(today, due), today > due,
                                calendar.covers(due.year) and calendar.covers(today.year)))
    return out


def is_overdue(case: Case, today: date | None = None) -> bool:
    """Whether any open deadline of ``case`` has passed."""
    today = today or clock.today()
    return any(getattr(case, c) is not None and getattr(case, c) < today for c in COLUMNS.values())
