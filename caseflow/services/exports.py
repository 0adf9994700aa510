"""Lists to .xlsx, streamed: openpyxl write-only mode into a temp file, rows fetched with yield_per.

A registry maps each export kind to its columns and its query; every query applies the
list's filters and the user's unit scope. Reporter identity and contact are never selected.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
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
CHUNK = 64 * 1024
COLOUR_NAMES = {"green": ("绿", "Green"), "orange": ("橙", "Orange"), "red": ("红", "Red")}


@dataclass(frozen=True)
class ExportKind:
    """One exportable list: capability, sheet title, header msgids, query and row formatter."""

    capability: str
    title: str
    headers: tuple[str, ...]
    query: Callable[[object, dict], Select]
    row: Callable[[object], list]


def _local(value: datetime | None) -> datetime | None:
    return clock.local(value).replace(tzinfo=None) if value else None


def _colour(value: str | None) -> str:
    return label(COLOUR_NAMES[value]) if value in COLOUR_NAMES else ""


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


def _units_row(r) -> list:
    return [r.code, r.name, _(UNIT_KINDS.get(r.kind, r.kind)), r.town or "", _num(r.index), _colour(r.colour),
            _colour(r.before)]


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


def _cases_row(r) -> list:
    state = STATE_LABELS.get(r.state)
    return [r.number, r.code, r.name, r.title, CATEGORIES.get(r.category, r.category), r.severity or "",
            label(state) if state else r.state, r.display_name or "", _local(r.opened_at), r.ack_due,
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


def _signals_row(r) -> list:
    return [r.number, _(CHANNELS[r.channel][0]) if r.channel in CHANNELS else r.channel, r.code or "",
            r.unit_name, CATEGORIES.get(r.category, r.category), r.summary, _local(r.received_at), r.discovered_on,
            _("Yes") if r.late else "", _(SIGNAL_STATUSES.get(r.status, r.status)), r.department or "",
            r.display_name or "", r.handling_due]


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


def _grades_row(r) -> list:
    return [r.code, r.name, _(UNIT_KINDS.get(r.kind, r.kind)), r.town or "", _num(r.index), r.grade or "",
            _colour(r.q1), _colour(r.q2), _colour(r.q3), _colour(r.q4)]


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


def _cell(ws, value):
    """A cell that keeps user text as text: a leading '=' must not become a formula."""
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def export_xlsx(*, kind: str, user, filters: dict) -> str:
    """Write the filtered list ``kind`` to a temporary .xlsx file and return its path."""
    spec = EXPORTS[kind]
    require(user, spec.capability)
    stmt = spec.query(user, filters)
    if user.role in UNIT_SCOPED:
        if user.unit_id is None:
            raise Forbidden()
        stmt = stmt.where(_SCOPE_COLUMN[kind] == user.unit_id)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=spec.title)
    sheet.append([_(h) for h in spec.headers])
    for row in db.session.execute(stmt.execution_options(yield_per=YIELD_PER)):
        sheet.append([_cell(sheet, v) if isinstance(v, str) and v.startswith("=") else v for v in spec.row(row)])
    handle, path = tempfile.mkstemp(prefix=f"caseflow-{kind}-", suffix=".xlsx")
    os.close(handle)
    try:
        workbook.save(path)
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
