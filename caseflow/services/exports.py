"""Lists to .xlsx, streamed: rows fetched in batches (``yield_per``: a server-side cursor on
PostgreSQL) and written by XlsxWriter in constant-memory mode into a temp file, row by row.

A registry maps each export kind to its columns, its query and its row formatter; every query
applies the list's filters and the user's unit scope. Reporter identity and contact are never
selected. Labels are translated once per export (``ExportKind.row`` builds the formatter in the
request's language), never per row.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import xlsxwriter
from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from caseflow import clock
from caseflow.errors import Forbidden
from caseflow.extensions import db
from caseflow.i18n import label
from caseflow.models import (
    CATEGORIES,
    CHANNELS,
    SIGNAL_STATUSES,
    UNIT_KINDS,
    Case,
    PeriodResult,
    Signal,
    Unit,
    User,
    YearStatus,
)
from caseflow.permissions import UNIT_SCOPED, require
from caseflow.selectors.board import KIND_GROUPS, previous_quarter
from caseflow.selectors.dashboard import OPEN_STATES, active_due
from caseflow.states import STATE_LABELS

YIELD_PER = 2000
# Text stays text (no formulas, links or numbers guessed from strings); temp files in the system's.
WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False, "tmpdir": tempfile.gettempdir()}
DATE_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd h:mm:ss"
CHUNK = 64 * 1024
COLOUR_NAMES = {"green": ("绿", "Green"), "orange": ("橙", "Orange"), "red": ("红", "Red")}


@dataclass(frozen=True)
class ExportKind:
    """One exportable list: capability, sheet title, header msgids, query, and ``row()`` which returns
    the row formatter with its labels translated in the current language."""

    capability: str
    title: str
    headers: tuple[str, ...]
    query: Callable[[object, dict], Select]
    row: Callable[[], Callable[[object], list]]


def _local(value: datetime | None) -> datetime | None:
    return clock.local(value).replace(tzinfo=None) if value else None


def _colours() -> Callable[[str | None], str]:
    """The colour names in the current language: value -> name ("" for none or unknown)."""
    names = {value: label(pair) for value, pair in COLOUR_NAMES.items()}
    return lambda value: names.get(value, "") if value else ""


def _translated(msgids: dict[str, str]) -> Callable[[str], str]:
    """``_(msgids.get(key, key))``, with the registry's msgids translated once."""
    names = {key: _(msgid) for key, msgid in msgids.items()}
    return lambda key: names[key] if key in names else _(key)


def _num(value) -> float | None:
    return round(float(value), 2) if value is not None else None


def _town_join(stmt: Select, town_id: int | None) -> Select:
    if town_id:
        stmt = stmt.where(or_(Unit.id == town_id, and_(Unit.parent_id == town_id, Unit.kind.notin_(KIND_GROUPS))))
    return stmt


# --- units with index and colour --------------------------------------------------------------
def _units_query(user, f: dict) -> Select:
    year, quarter = f["year"], f["quarter"]
    prev = previous_quarter(year, quarter)
    now, before, town = aliased(PeriodResult), aliased(PeriodResult), aliased(Unit)
    stmt = (select(Unit.code, Unit.name, Unit.kind, town.name.label("town"), now.index, now.colour,
                   before.colour.label("before"))
            .outerjoin(now, and_(now.unit_id == Unit.id, now.year == year, now.quarter == quarter))
            .outerjoin(before, and_(before.unit_id == Unit.id, before.year == prev[0], before.quarter == prev[1]))
            .outerjoin(town, town.id == Unit.parent_id)
            .where(Unit.active.is_(True)).order_by(Unit.code))
    stmt = _town_join(stmt, f.get("town_id"))
    if f.get("kind"):
        stmt = stmt.where(Unit.kind == f["kind"])
    if f.get("colour") == "none":
        stmt = stmt.where(now.id.is_(None))
    elif f.get("colour"):
        stmt = stmt.where(now.colour == f["colour"])
    if f.get("q"):
        like = f"%{f['q']}%"
        stmt = stmt.where(or_(Unit.name.like(like), Unit.code.like(like)))
    return stmt


def _units_row() -> Callable[[object], list]:
    kind, colour = _translated(UNIT_KINDS), _colours()
    return lambda r: [r.code, r.name, kind(r.kind), r.town or "", _num(r.index), colour(r.colour), colour(r.before)]


# --- cases -----------------------------------------------------------------------------------
def _cases_query(user, f: dict) -> Select:
    stmt = (select(Case.number, Unit.code, Unit.name, Case.title, Case.category, Case.severity, Case.state,
                   User.display_name, Case.opened_at, Case.ack_due, Case.rectify_due, Case.verify_due, Case.closed_at)
            .join(Unit, Unit.id == Case.unit_id).outerjoin(User, User.id == Case.handler_id).order_by(Case.id))
    if f.get("state"):
        stmt = stmt.where(Case.state == f["state"])
    if f.get("unit_id"):
        stmt = stmt.where(Case.unit_id == f["unit_id"])
    if f.get("category"):
        stmt = stmt.where(Case.category == f["category"])
    if f.get("overdue"):
        stmt = stmt.where(Case.state.in_(OPEN_STATES), active_due() < clock.today())
    if f.get("q"):
        like = f"%{f['q']}%"
        stmt = stmt.where(or_(Case.number.like(like), Case.title.like(like), Unit.name.like(like)))
    return stmt


def _cases_row() -> Callable[[object], list]:
    states = {state: label(pair) for state, pair in STATE_LABELS.items()}
    return lambda r: [r.number, r.code, r.name, r.title, CATEGORIES.get(r.category, r.category), r.severity or "",
                      states.get(r.state, r.state), r.display_name or "", _local(r.opened_at), r.ack_due,
                      r.rectify_due, r.verify_due, _local(r.closed_at)]


# --- signals (no reporter columns, ever) ----------------------------------------------------
def _signals_query(user, f: dict) -> Select:
    stmt = (select(Signal.number, Signal.channel, Unit.code, func_coalesce_unit(), Signal.category, Signal.summary,
                   Signal.received_at, Signal.discovered_on, Signal.late, Signal.status, Signal.department,
                   User.display_name, Signal.handling_due)
            .outerjoin(Unit, Unit.id == Signal.unit_id).outerjoin(User, User.id == Signal.officer_id)
            .order_by(Signal.id))
    if user.role == "monitor":  # monitors follow only their own signals
        stmt = stmt.where(Signal.reporter_id == user.id)
    for key in ("channel", "status", "category"):
        if f.get(key):
            stmt = stmt.where(getattr(Signal, key) == f[key])
    if f.get("unit_id"):
        stmt = stmt.where(Signal.unit_id == f["unit_id"])
    if f.get("overdue"):
        stmt = stmt.where(Signal.status.in_(("new", "assigned")), Signal.handling_due < clock.today())
    if f.get("q"):
        like = f"%{f['q']}%"
        stmt = stmt.where(or_(Signal.number.like(like), Signal.summary.like(like)))
    return stmt


def func_coalesce_unit():
    """The subject unit's name, or the name given at intake when the unit is unknown."""
    return func.coalesce(Unit.name, Signal.unit_name_given, "").label("unit_name")


def _signals_row() -> Callable[[object], list]:
    channels = {key: _(msgid) for key, (msgid, _fields) in CHANNELS.items()}
    status, yes = _translated(SIGNAL_STATUSES), _("Yes")
    return lambda r: [r.number, channels.get(r.channel, r.channel), r.code or "", r.unit_name,
                      CATEGORIES.get(r.category, r.category), r.summary, _local(r.received_at), r.discovered_on,
                      yes if r.late else "", status(r.status), r.department or "", r.display_name or "",
                      r.handling_due]


# --- annual grades -----------------------------------------------------------------------------
def _grades_query(user, f: dict) -> Select:
    year = f["year"]
    annual, town = aliased(PeriodResult), aliased(Unit)
    quarters = [aliased(PeriodResult) for _q in range(4)]
    stmt = (select(Unit.code, Unit.name, Unit.kind, town.name.label("town"), annual.index, annual.grade,
                   *[q.colour.label(f"q{i + 1}") for i, q in enumerate(quarters)])
            .join(annual, and_(annual.unit_id == Unit.id, annual.year == year, annual.quarter == 0))
            .outerjoin(town, town.id == Unit.parent_id).order_by(Unit.code))
    for i, q in enumerate(quarters):
        stmt = stmt.outerjoin(q, and_(q.unit_id == Unit.id, q.year == year, q.quarter == i + 1))
    stmt = _town_join(stmt, f.get("town_id"))
    if user.role in UNIT_SCOPED:  # a unit sees its grade once the year is published
        stmt = stmt.where(annual.year.in_(select(YearStatus.year).where(YearStatus.status == "published")))
    if f.get("kind"):
        stmt = stmt.where(Unit.kind == f["kind"])
    if f.get("grade"):
        stmt = stmt.where(annual.grade == f["grade"])
    return stmt


def _grades_row() -> Callable[[object], list]:
    kind, colour = _translated(UNIT_KINDS), _colours()
    return lambda r: [r.code, r.name, kind(r.kind), r.town or "", _num(r.index), r.grade or "", colour(r.q1),
                      colour(r.q2), colour(r.q3), colour(r.q4)]


EXPORTS: dict[str, ExportKind] = {
    "units": ExportKind("units.read", "units", ("Code", "Unit", "Kind", "Town / street", "Index", "Colour",
                                                "Previous quarter"), _units_query, _units_row),
    "cases": ExportKind("cases.read", "cases", ("Number", "Unit code", "Unit", "Title", "Category", "Severity",
                                                "State", "Officer", "Opened", "Acknowledge by", "Rectify by",
                                                "Verify by", "Closed"), _cases_query, _cases_row),
    "signals": ExportKind("signals.read", "signals", ("Number", "Channel", "Unit code", "Unit", "Category",
                                                      "Summary", "Received", "Discovered on", "Late", "Status",
                                                      "Department", "Officer", "Handling deadline"),
                          _signals_query, _signals_row),
    "grades": ExportKind("scores.read", "grades", ("Code", "Unit", "Kind", "Town / street", "Annual index",
                                                   "Grade", "Q1", "Q2", "Q3", "Q4"), _grades_query, _grades_row),
}
# The columns that hold a unit, for unit-scoped users (unit leaders see only their own unit).
_SCOPE_COLUMN = {"units": Unit.id, "cases": Case.unit_id, "signals": Signal.unit_id, "grades": Unit.id}


class _Sheet:
    """One worksheet written by XlsxWriter in constant-memory mode (each row goes to disk as it is
    written). Text is always written as text — a leading '=' never becomes a formula — dates and
    date-times get a date format, numbers stay numbers, None and "" leave the cell empty."""

    def __init__(self, workbook: xlsxwriter.Workbook, title: str) -> None:
        self.sheet = workbook.add_worksheet(title)
        self.row = 0
        day, moment = workbook.add_format({"num_format": DATE_FORMAT}), workbook.add_format({"num_format": TIME_FORMAT})
        sheet = self.sheet
        self.writers = {str: sheet.write_string, int: sheet.write_number, float: sheet.write_number,
                        bool: sheet.write_boolean, date: lambda r, c, v: sheet.write_datetime(r, c, v, day),
                        datetime: lambda r, c, v: sheet.write_datetime(r, c, v, moment)}

    def append(self, values: list) -> None:
        writers, row, other = self.writers, self.row, self.sheet.write
        for col, value in enumerate(values):
            if value is not None and value != "":
                writers.get(type(value), other)(row, col, value)
        self.row = row + 1


def export_xlsx(*, kind: str, user, filters: dict) -> str:
    """Write the filtered list ``kind`` to a temporary .xlsx file and return its path."""
    spec = EXPORTS[kind]
    require(user, spec.capability)
    stmt = spec.query(user, filters)
    if user.role in UNIT_SCOPED:
        if user.unit_id is None:
            raise Forbidden()
        stmt = stmt.where(_SCOPE_COLUMN[kind] == user.unit_id)
    handle, path = tempfile.mkstemp(prefix=f"caseflow-{kind}-", suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(path, WORKBOOK_OPTIONS)
        try:
            sheet = _Sheet(workbook, spec.title)
            sheet.append([_(h) for h in spec.headers])
            row = spec.row()
            for batch in db.session.execute(stmt.execution_options(yield_per=YIELD_PER)).partitions():
                for r in batch:
                    sheet.append(row(r))
        finally:
            workbook.close()
    except Exception:
        os.unlink(path)
        raise
    return path


def stream_file(path: str) -> Iterator[bytes]:
    """Yield a file in chunks and delete it when done (or when the client goes away)."""
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def export_filename(kind: str, day: date | None = None) -> str:
    """The download name: kind and today's date."""
    return f"{kind}-{(day or clock.today()).isoformat()}.xlsx"
