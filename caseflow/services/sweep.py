"""The deadline sweep: escalate overdue acknowledgements/rectifications, remind before deadlines.

Timers are rows (STYLE rule 5). The sweep is set-based: "due within N working days" is one date
threshold computed once, and one query per deadline kind finds the cases to escalate, to remind
and to alert, leaving out the deadlines whose ``SweepMark`` already exists (so a second run reads
a few index entries and does nothing).

- Reminders and overdue alerts change no case: they are handled ``BATCH`` deadlines at a time in
  one transaction — the cases re-checked and row-locked (``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL), their marks inserted at once (``ON CONFLICT DO NOTHING RETURNING``: only a new mark
  notifies, so a re-run or a parallel run does nothing twice), recipients read once per batch.
- Escalations change a case's state: ``ESCALATE_BATCH`` cases at a time go through
  ``case_transitions`` (the batch form of ``case_transition``: events, deadlines, ledger, documents,
  notifications) in one transaction, after the cases are locked and re-checked the same way and
  their marks inserted. ``sweep_case`` (the demo's replay) escalates one case through ``case_transition``.

A failing batch is retried case by case, so one failing case is logged and skipped, never the rest.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from caseflow import clock
from caseflow.db_bulk import cycles_uncollected
from caseflow.errors import N_, CaseflowError
from caseflow.extensions import db
from caseflow.models import Case, SweepMark, Unit, User
from caseflow.notifications import case_params, handlers, notify_many, unit_leaders
from caseflow.services.calendar import get_calendar
from caseflow.services.cases import case_transition, case_transitions
from caseflow.services.deadlines import COLUMNS
from caseflow.states import DEADLINE_KINDS, DEADLINES, OVERDUE_ESCALATION, SWEEP_TRIGGER

log = logging.getLogger(__name__)

# The state in which each kind of deadline runs.
STATE_OF: dict[str, str] = {rule.kind: state for state, rule in DEADLINES.items()}
DEADLINE_NAMES: dict[str, str] = {"acknowledge": N_("acknowledgement"), "rectify": N_("rectification"),
                                  "verify": N_("verification")}
# Who is reminded of each kind of deadline (``_recipients`` reads the same people for a whole batch).
REMINDED: dict[str, Callable] = {"acknowledge": unit_leaders, "rectify": unit_leaders, "verify": handlers}
# Deadlines reminded or alerted per transaction.
BATCH = 500
# Cases escalated per transaction.
ESCALATE_BATCH = 1000

Pair = tuple[int, str]  # (case id, deadline kind)


@dataclass(frozen=True)
class _UnitName:
    name: str


@dataclass(frozen=True)
class _Due:
    """One deadline of a locked case: what its reminder needs (``case_params`` reads it as a case)."""

    id: int
    number: str
    title: str
    unit_id: int
    handler_id: int | None
    unit: _UnitName
    kind: str
    due: date


@dataclass
class SweepReport:
    """What one sweep did."""

    today: date
    escalated: list[str] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    alerted: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each phase: scan, remind, escalate

    def lines(self) -> list[str]:
        """The report as printable lines."""
        out = [f"sweep for {self.today.isoformat()}: {len(self.escalated)} escalated, "
               f"{len(self.reminded)} reminded, {len(self.alerted)} overdue alerts, {len(self.failed)} failed"]
        out += [f"  escalated {n}" for n in self.escalated]
        out += [f"  reminded  {n}" for n in self.reminded]
        out += [f"  overdue   {n}" for n in self.alerted]
        out += [f"  FAILED    {n}: {why}" for n, why in self.failed]
        return out


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _lock(stmt: Select) -> Select:
    """Row-lock the selected cases; on PostgreSQL skip those another sweep or transition holds."""
    if _postgres():
        stmt = stmt.with_for_update(skip_locked=True, of=Case)
    return stmt


def _action(kind: str, due: date, today: date) -> str:
    """What a deadline calls for on ``today``: escalate, an overdue alert, or a reminder."""
    if due < today:
        return "escalate" if kind in OVERDUE_ESCALATION else "overdue"
    return "remind"


def _insert_marks(rows: list[dict]) -> set[Pair]:
    """Insert the unique marks; return the (case id, kind) of those that did not exist yet."""
    if not rows:
        return set()
    table = SweepMark.__table__
    insert = pg_insert if _postgres() else sqlite_insert
    stmt = insert(table).on_conflict_do_nothing().returning(table.c.case_id, table.c.kind)
    return {(case_id, kind) for case_id, kind in db.session.execute(stmt, rows)}


def _unmarked(kind: str, action: str) -> ColumnElement[bool]:
    """No mark yet for this deadline and action (the unique index answers it)."""
    column = getattr(Case, COLUMNS[kind])
    return ~exists().where(SweepMark.case_id == Case.id, SweepMark.kind == kind, SweepMark.due == column,
                           SweepMark.action == action)


def _candidates(today: date, horizon: date) -> tuple[list[Pair], list[Pair]]:
    """The deadlines to escalate and those to remind or alert (not yet marked), each ordered by kind,
    due date and case; one query per kind and action."""
    escalate: list[Pair] = []
    notify_: list[Pair] = []
    for kind in DEADLINE_KINDS:
        column = getattr(Case, COLUMNS[kind])
        base = select(Case.id).where(Case.state == STATE_OF[kind], column.is_not(None))
        overdue = base.where(column < today)
        if kind in OVERDUE_ESCALATION:
            escalate += [(cid, kind) for cid in db.session.scalars(overdue.order_by(column, Case.id))]
        else:
            notify_ += [(cid, kind) for cid in db.session.scalars(
                overdue.where(_unmarked(kind, "overdue")).order_by(column, Case.id))]
        soon = base.where(and_(column >= today, column <= horizon), _unmarked(kind, "remind"))
        notify_ += [(cid, kind) for cid in db.session.scalars(soon.order_by(column, Case.id))]
    return escalate, notify_


def _recipients(dues: list[_Due]) -> dict[int, list[User]]:
    """``REMINDED[kind](case)`` for a batch with three queries at most: the active unit leaders of
    the units (by id), the case officers (when active), every active officer (for cases without one)."""
    leader_units = {d.unit_id for d in dues if REMINDED[d.kind] is unit_leaders}
    handler_ids = {d.handler_id for d in dues if REMINDED[d.kind] is handlers and d.handler_id is not None}
    leaders: dict[int, list[User]] = {}
    if leader_units:
        for user in db.session.scalars(select(User).where(User.role == "unit_leader", User.unit_id.in_(leader_units),
                                                          User.active.is_(True)).order_by(User.id)):
            leaders.setdefault(user.unit_id, []).append(user)
    officers = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(handler_ids)))} if handler_ids else {}
    everyone: list[User] | None = None  # every active officer, read once when a case has none
    out: dict[int, list[User]] = {}
    for d in dues:
        whom = REMINDED[d.kind]
        if whom is unit_leaders:
            out[d.id] = leaders.get(d.unit_id, [])
        elif whom is handlers and d.handler_id is not None:
            officer = officers.get(d.handler_id)
            out[d.id] = [officer] if officer is not None and officer.active else []
        elif whom is handlers:
            everyone = handlers(d) if everyone is None else everyone
            out[d.id] = everyone
        else:  # a rule without a batch reading: asked case by case
            out[d.id] = whom(d)
    return out


def _by_kind(pairs: list[Pair]) -> dict[str, list[int]]:
    """The case ids of ``pairs`` by deadline kind (one query per kind)."""
    out: dict[str, list[int]] = {}
    for case_id, kind in pairs:
        out.setdefault(kind, []).append(case_id)
    return out


def _lock_batch(pairs: list[Pair], today: date) -> list[_Due]:
    """The batch's deadlines whose case is still in their state and not due for escalation, each case
    row-locked, in the order of ``pairs``."""
    found: dict[Pair, _Due] = {}
    for kind, ids in _by_kind(pairs).items():
        column = getattr(Case, COLUMNS[kind])
        stmt = (select(Case.id, Case.number, Case.title, Case.unit_id, Case.handler_id, Unit.name, column)
                .join(Unit, Unit.id == Case.unit_id)
                .where(Case.id.in_(ids), Case.state == STATE_OF[kind], column.is_not(None)))
        if kind in OVERDUE_ESCALATION:
            stmt = stmt.where(column >= today)
        for cid, number, title, unit_id, handler_id, unit_name, due in db.session.execute(_lock(stmt)):
            found[(cid, kind)] = _Due(cid, number, title, unit_id, handler_id, _UnitName(unit_name), kind, due)
    return [found[pair] for pair in pairs if pair in found]


def _notify_batch(pairs: list[Pair], today: date, report: SweepReport) -> None:
    """Reminders and overdue alerts for a batch of deadlines, in one transaction: lock and re-check
    the cases, insert their marks at once, notify the deadlines whose mark is new."""
    dues = _lock_batch(pairs, today)
    at = clock.now()
    new = _insert_marks([{"case_id": d.id, "kind": d.kind, "due": d.due, "action": _action(d.kind, d.due, today),
                          "at": at} for d in dues])
    dues = [d for d in dues if (d.id, d.kind) in new]
    recipients = _recipients(dues)
    after: list[Callable[[], None]] = []
    reminded, alerted = [], []
    calls = []
    for d in dues:
        overdue = d.due < today
        calls.append({"users": recipients[d.id], "kind": "overdue" if overdue else "reminder", "case": d,
                      "after_commit": after,
                      "params": case_params(d, deadline=DEADLINE_NAMES[d.kind], due=d.due.isoformat(), kind=d.kind)})
        (alerted if overdue else reminded).append(d.number)
    notify_many(calls)  # the rows of every deadline in one insert
    db.session.commit()
    report.reminded += reminded
    report.alerted += alerted
    for callback in after:
        try:
            callback()
        except Exception:  # noqa: BLE001
            log.exception("reminder delivery failed")


def _escalate(case_id: int, kind: str, today: date, report: SweepReport) -> None:
    """Escalate one overdue deadline through ``case_transition`` (its own transaction)."""
    column = getattr(Case, COLUMNS[kind])
    stmt = select(Case).where(Case.id == case_id, Case.state == STATE_OF[kind], column.is_not(None), column < today)
    case = db.session.scalar(_lock(stmt).execution_options(populate_existing=True))
    if case is None:
        db.session.rollback()
        return
    due = getattr(case, COLUMNS[kind])
    _insert_marks([{"case_id": case.id, "kind": kind, "due": due, "action": "escalate", "at": clock.now()}])
    case_transition(case=case, trigger=SWEEP_TRIGGER, actor=None, data=_escalation_data(kind, due))
    report.escalated.append(case.number)


def _escalation_data(kind: str, due: date) -> dict:
    return {"reason": OVERDUE_ESCALATION[kind], "note": _NOTE_FORMAT.format(kind=kind, due=due.isoformat())}


# The note ``_escalation_data`` writes ("rectify due 2026-11-26"), and how a reader sees it (``note_text``).
_NOTE_FORMAT = "{kind} due {due}"
_NOTE = re.compile(r"^(acknowledge|rectify) due (\d{4}-\d{2}-\d{2})$")
_NOTE_TEXT = {"acknowledge": ("签收期限 %s 已过", "acknowledgement was due %s"),
              "rectify": ("整改期限 %s 已过", "rectification was due %s")}


def note_text(note: str, lang: str = "zh") -> str:
    """An event's note in the reader's language when the sweep wrote it, else as written."""
    match = _NOTE.match(note)
    if match is None:
        return note
    return _NOTE_TEXT[match[1]][0 if lang.startswith("zh") else 1] % match[2]


def _escalate_batch(pairs: list[Pair], today: date, report: SweepReport) -> None:
    """Escalate a batch of overdue deadlines in one transaction: lock and re-check the cases (``_escalate``'s
    conditions), insert their marks, fire ``escalate`` on them in ``pairs`` order through ``case_transitions``."""
    found: dict[Pair, Case] = {}
    for kind, ids in _by_kind(pairs).items():
        column = getattr(Case, COLUMNS[kind])
        stmt = select(Case).where(Case.id.in_(ids), Case.state == STATE_OF[kind], column.is_not(None),
                                  column < today)
        for case in db.session.scalars(_lock(stmt).execution_options(populate_existing=True)).unique():
            found[(case.id, kind)] = case
    dues: dict[int, tuple[str, date]] = {}
    for case_id, kind in pairs:  # a case escalates once, for its first listed deadline (as one by one)
        if (case_id, kind) in found and case_id not in dues:
            dues[case_id] = (kind, getattr(found[(case_id, kind)], COLUMNS[kind]))
    if not dues:
        db.session.rollback()
        return
    cases = [found[(case_id, kind)] for case_id, (kind, _due) in dues.items()]
    numbers = [case.number for case in cases]  # read now: the commit expires the cases
    at = clock.now()
    _insert_marks([{"case_id": case_id, "kind": kind, "due": due, "action": "escalate", "at": at}
                   for case_id, (kind, due) in dues.items()])
    case_transitions(cases=cases, trigger=SWEEP_TRIGGER, actor=None,
                     data_of=lambda case: _escalation_data(*dues[case.id]))
    report.escalated += numbers


def _in_batches(pairs: list[Pair], size: int, what: str, batch_job: Callable[[list[Pair]], None],
                one_job: Callable[[int, str], None], report: SweepReport) -> None:
    """``batch_job`` on ``size`` deadlines at a time; a failing batch is redone case by case with ``one_job``,
    so one failing case is logged and skipped, never the rest of its batch."""
    for start in range(0, len(pairs), size):
        batch = pairs[start:start + size]
        try:
            batch_job(batch)
        except Exception:  # noqa: BLE001 - isolate the failing case below
            db.session.rollback()
            log.warning("sweep %s batch failed; retrying its %d cases one by one", what, len(batch), exc_info=True)
            for case_id, kind in batch:
                _guarded(lambda c=case_id, k=kind: one_job(c, k), case_id, report)


def _escalate_all(pairs: list[Pair], today: date, report: SweepReport) -> None:
    """Escalations batch by batch; a failing batch is redone case by case through ``case_transition``."""
    _in_batches(pairs, ESCALATE_BATCH, "escalation", lambda batch: _escalate_batch(batch, today, report),
                lambda c, k: _escalate(c, k, today, report), report)


def _failed(case_id: int, error: Exception, report: SweepReport) -> None:
    db.session.rollback()
    log.exception("sweep failed for case %s", case_id)
    number = db.session.scalar(select(Case.number).where(Case.id == case_id)) or str(case_id)
    db.session.rollback()
    report.failed.append((number, error.render() if isinstance(error, CaseflowError) else str(error)))


def _guarded(job: Callable[[], None], case_id: int, report: SweepReport) -> None:
    try:
        job()
    except Exception as error:  # noqa: BLE001 - log, skip, carry on with the next case
        _failed(case_id, error, report)


def _notify_all(pairs: list[Pair], today: date, report: SweepReport) -> None:
    """Reminders and alerts batch by batch; a failing batch is redone case by case."""
    _in_batches(pairs, BATCH, "reminder", lambda batch: _notify_batch(batch, today, report),
                lambda c, k: _notify_batch([(c, k)], today, report), report)


def sweep_case(*, case_id: int, kind: str, report: SweepReport | None = None) -> SweepReport:
    """Apply the sweep to one deadline of one case as of ``clock.now()`` (the demo replays history with it)."""
    report = report or SweepReport(today=clock.today())
    due = db.session.scalar(select(getattr(Case, COLUMNS[kind])).where(Case.id == case_id))
    if due is not None and _action(kind, due, report.today) == "escalate":
        _escalate(case_id, kind, report.today, report)
    else:
        _notify_batch([(case_id, kind)], report.today, report)
    return report


def sweep_run() -> SweepReport:
    """Run the sweep as of ``clock.now()`` and return what it did; one failing case does not stop the rest."""
    today = clock.today()
    workdays = int(current_app.config.get("REMINDER_WORKDAYS", 3))
    horizon = get_calendar().add_workdays(today, workdays)
    report = SweepReport(today=today)
    t0 = time.perf_counter()
    escalate, remind = _candidates(today, horizon)
    db.session.rollback()
    t1 = time.perf_counter()
    with cycles_uncollected():  # thousands of rows and objects per batch: freed by reference counting
        _notify_all(remind, today, report)
        t2 = time.perf_counter()
        _escalate_all(escalate, today, report)
    report.seconds = {"scan": t1 - t0, "remind": t2 - t1, "escalate": time.perf_counter() - t2}
    return report
