"""The deadline sweep: escalate overdue acknowledgements/rectifications, remind before deadlines.

Timers are rows (STYLE rule 5): candidates are selected by their indexed due dates, each case
is handled in its own transaction (locked ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), and every
reminder is marked by a unique ``SweepMark`` row, so a re-run or a parallel run does nothing twice.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from caseflow import clock
from caseflow.errors import N_, CaseflowError
from caseflow.extensions import db
from caseflow.models import Case, SweepMark
from caseflow.notifications import case_params, handlers, notify, unit_leaders
from caseflow.services.calendar import get_calendar
from caseflow.services.cases import case_transition
from caseflow.services.deadlines import COLUMNS
from caseflow.states import DEADLINES, OVERDUE_ESCALATION, SWEEP_TRIGGER

log = logging.getLogger(__name__)

# The state in which each kind of deadline runs.
STATE_OF: dict[str, str] = {rule.kind: state for state, rule in DEADLINES.items()}
DEADLINE_NAMES: dict[str, str] = {"acknowledge": N_("acknowledgement"), "rectify": N_("rectification"),
                                  "verify": N_("verification")}
# Who is reminded of each kind of deadline.
REMINDED: dict[str, Callable] = {"acknowledge": unit_leaders, "rectify": unit_leaders, "verify": handlers}


@dataclass
class SweepReport:
    """What one sweep did."""

    today: date
    escalated: list[str] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    alerted: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as printable lines."""
        out = [f"sweep for {self.today.isoformat()}: {len(self.escalated)} escalated, "
               f"{len(self.reminded)} reminded, {len(self.alerted)} overdue alerts, {len(self.failed)} failed"]
        out += [f"  escalated {n}" for n in self.escalated]
        out += [f"  reminded  {n}" for n in self.reminded]
        out += [f"  overdue   {n}" for n in self.alerted]
        out += [f"  FAILED    {n}: {why}" for n, why in self.failed]
        return out


def _locked(case_id: int, kind: str, today: date, overdue: bool) -> Case | None:
    """The case, re-checked and row-locked (PostgreSQL: skipped when another sweep holds it)."""
    column = getattr(Case, COLUMNS[kind])
    stmt = select(Case).where(Case.id == case_id, Case.state == STATE_OF[kind], column.is_not(None))
    stmt = stmt.where(column < today) if overdue else stmt
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=Case)
    return db.session.scalar(stmt.execution_options(populate_existing=True))


def _mark(case: Case, kind: str, due: date, action: str) -> bool:
    """Insert the unique mark for (case, kind, due, action); False when it already existed."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (insert(SweepMark).values(case_id=case.id, kind=kind, due=due, action=action, at=clock.now())
            .on_conflict_do_nothing().returning(SweepMark.id))
    return db.session.scalar(stmt) is not None


def _candidates(today: date, horizon: date) -> list[tuple[int, str]]:
    """(case id, deadline kind) pairs with a deadline on or before ``horizon``."""
    pairs: list[tuple[int, str]] = []
    for kind, state in STATE_OF.items():
        column = getattr(Case, COLUMNS[kind])
        stmt = select(Case.id).where(Case.state == state, column.is_not(None), column <= horizon)
        pairs += [(cid, kind) for cid in db.session.scalars(stmt.order_by(column, Case.id))]
    return pairs


def _one(case_id: int, kind: str, today: date, report: SweepReport) -> None:
    """Handle one deadline of one case in its own transaction."""
    case = _locked(case_id, kind, today, overdue=False)
    if case is None:
        db.session.rollback()
        return
    due = getattr(case, COLUMNS[kind])
    after: list[Callable[[], None]] = []
    if due < today and kind in OVERDUE_ESCALATION:
        _mark(case, kind, due, "escalate")
        case_transition(case=case, trigger=SWEEP_TRIGGER, actor=None,
                        data={"reason": OVERDUE_ESCALATION[kind], "note": f"{kind} due {due.isoformat()}"})
        report.escalated.append(case.number)
        return
    action, kind_name = ("overdue", "overdue") if due < today else ("remind", "reminder")
    if _mark(case, kind, due, action):
        users = REMINDED[kind](case)
        notify(users=users, kind=kind_name, case=case, after_commit=after,
               params=case_params(case, deadline=DEADLINE_NAMES[kind], due=due.isoformat(), kind=kind))
        (report.alerted if action == "overdue" else report.reminded).append(case.number)
    db.session.commit()
    for callback in after:
        try:
            callback()
        except Exception:  # noqa: BLE001
            log.exception("reminder delivery failed")


def sweep_case(*, case_id: int, kind: str, report: SweepReport | None = None) -> SweepReport:
    """Apply the sweep to one deadline of one case as of ``clock.now()`` (the demo replays history with it)."""
    report = report or SweepReport(today=clock.today())
    _one(case_id, kind, report.today, report)
    return report


def sweep_run() -> SweepReport:
    """Run the sweep as of ``clock.now()`` and return what it did; one failing case does not stop the rest."""
    today = clock.today()
    workdays = int(current_app.config.get("REMINDER_WORKDAYS", 3))
    horizon = get_calendar().add_workdays(today, workdays)
    report = SweepReport(today=today)
    candidates = _candidates(today, horizon)
    db.session.rollback()
    for case_id, kind in candidates:
        try:
            _one(case_id, kind, today, report)
        except Exception as error:  # noqa: BLE001 - log, skip, carry on with the next case
            db.session.rollback()
            log.exception("sweep failed for case %s", case_id)
            number = db.session.scalar(select(Case.number).where(Case.id == case_id)) or str(case_id)
            db.session.rollback()
            report.failed.append((number, error.render() if isinstance(error, CaseflowError) else str(error)))
    return report
