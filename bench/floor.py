"""The floor: minimal Flask + SQLAlchemy endpoints (no templates, no permissions, no forms) that
fetch the rows each measured page shows, registered only by the bench. A page's cost is
reported as its p95 over its floor's p95."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, jsonify, request
from sqlalchemy import String, and_, cast, func, or_, select, union_all
from sqlalchemy.orm import aliased

from caseflow import clock
from caseflow.extensions import db
from caseflow.models import (
    Attachment,
    Case,
    CaseEvent,
    DeadlineChange,
    Document,
    EligibilityRecord,
    PeriodResult,
    Signal,
    Station,
    Unit,
)
from caseflow.models.units import station_area

bp = Blueprint("bench_floor", __name__, url_prefix="/_bench/floor")
OPEN = ("notice_issued", "rectifying", "verifying", "escalated", "talk", "inquiry")
ACTIVE = ("detected", *OPEN)


def _quarter() -> tuple[int, int]:
    today = clock.today()
    return today.year, (today.month - 1) // 3 + 1


def _rows(stmt) -> list[list]:
    return [list(r) for r in db.session.execute(stmt)]


def _colour_join(stmt, year: int, quarter: int):
    return stmt.outerjoin(PeriodResult, and_(PeriodResult.unit_id == Unit.id, PeriodResult.year == year,
                                             PeriodResult.quarter == quarter))


def _units_list(per_page: int = 50, towns: bool = False) -> dict:
    year, quarter = _quarter()
    if not towns:
        stmt = _colour_join(select(Unit.id, Unit.code, Unit.name, Unit.kind, PeriodResult.colour, PeriodResult.index),
                            year, quarter).order_by(Unit.code).limit(per_page)
        return {"total": db.session.scalar(select(func.count(Unit.id))), "items": _rows(stmt)}
    # The unit list also shows each unit's town and offers every town in its filter.
    town = aliased(Unit)
    stmt = (_colour_join(select(Unit.id, Unit.code, Unit.name, Unit.kind, town.name, PeriodResult.colour,
                                PeriodResult.index), year, quarter)
            .outerjoin(town, town.id == Unit.parent_id).order_by(Unit.code).limit(per_page))
    return {"total": db.session.scalar(select(func.count(Unit.id))), "items": _rows(stmt), "towns": _towns()}


def _towns() -> list[list]:
    """The towns of the filters of the unit list and the board."""
    return _rows(select(Unit.id, Unit.name).where(Unit.kind == "town").order_by(Unit.code))


def _case_list(where, order, per_page: int = 25) -> dict:
    per_page = int(request.args.get("per_page", per_page))
    stmt = (select(Case.id, Case.number, Case.title, Case.state, Case.severity, Case.ack_due, Case.rectify_due,
                   Case.verify_due, Case.opened_at, Unit.name).join(Unit, Unit.id == Case.unit_id)
            .where(*where).order_by(order).limit(per_page))
    return {"total": db.session.scalar(select(func.count(Case.id)).where(*where)), "items": _rows(stmt)}


def _overdue():
    today = clock.today()
    return or_(and_(Case.state == "notice_issued", Case.ack_due < today),
               and_(Case.state == "rectifying", Case.rectify_due < today))


@bp.route("/units")
def units():
    """Unit list / API units: one page of units with this quarter's colour, and the total (``towns=1``: with
    each unit's town and the towns of the filter, as the unit list shows)."""
    return jsonify(_units_list(towns=bool(request.args.get("towns"))))


@bp.route("/board")
def board():
    """Board: colour counts of the quarter per town (the group headings; the totals add them up), the first
    300 tiles grouped by town, and the filters' towns and quarters."""
    year, quarter = _quarter()
    counts = _rows(_colour_join(select(Unit.parent_id, PeriodResult.colour, func.count(Unit.id)), year, quarter)
                   .group_by(Unit.parent_id, PeriodResult.colour))
    tiles = _rows(_colour_join(select(Unit.id, Unit.name, Unit.parent_id, PeriodResult.colour), year, quarter)
                  .order_by(Unit.parent_id, Unit.code).limit(300))
    quarters = _rows(select(PeriodResult.year, PeriodResult.quarter).where(PeriodResult.quarter > 0).distinct())
    return jsonify({"counts": counts, "tiles": tiles, "towns": _towns(), "quarters": quarters})


@bp.route("/queue")
def queue():
    """Officer queue: the officer's open cases, soonest deadline first."""
    officer = int(request.args["officer"])
    due = func.coalesce(Case.ack_due, Case.rectify_due, Case.verify_due)
    return jsonify(_case_list([Case.handler_id == officer, Case.state.in_(ACTIVE)], due.asc()))


@bp.route("/cases")
def cases():
    """Case list / API cases with filters: state (and category), newest first."""
    where = [Case.state == request.args.get("state", "rectifying")]
    if request.args.get("category"):
        where.append(Case.category == request.args["category"])
    if request.args.get("overdue"):
        where.append(_overdue())
    return jsonify(_case_list(where, Case.opened_at.desc()))


@bp.route("/case/<int:case_id>")
def case(case_id: int):
    """Case page: the case with its unit, events, deadline history and documents."""
    row = db.session.execute(select(Case, Unit.name).join(Unit, Unit.id == Case.unit_id)
                             .where(Case.id == case_id)).first()
    events = _rows(select(CaseEvent.seq, CaseEvent.trigger, CaseEvent.to_state, CaseEvent.at, CaseEvent.data,
                          CaseEvent.hash).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq))
    changes = _rows(select(DeadlineChange.kind, DeadlineChange.new_due).where(DeadlineChange.case_id == case_id))
    docs = _rows(select(Document.id, Document.kind, Document.number).where(Document.case_id == case_id))
    files = _rows(select(Attachment.id, Attachment.filename, Attachment.size).where(Attachment.case_id == case_id))
    return jsonify({"case": [row[0].number, row[0].state, row[1]], "events": events, "changes": changes,
                    "documents": docs, "attachments": files})


@bp.route("/unit/<int:unit_id>")
def unit(unit_id: int):
    """Unit page: the unit, its quarterly results, its open cases, latest 20 signals, latest 30 documents (its
    own and its cases'), eligibility records and the stations watching it."""
    u = db.session.get(Unit, unit_id)
    results = _rows(select(PeriodResult.year, PeriodResult.quarter, PeriodResult.index, PeriodResult.colour)
                    .where(PeriodResult.unit_id == unit_id).order_by(PeriodResult.year, PeriodResult.quarter))
    open_cases = _case_list([Case.unit_id == unit_id, Case.state.in_(ACTIVE)], Case.opened_at.desc(), 20)
    signals = _rows(select(Signal.id, Signal.number, Signal.summary, Signal.status).where(Signal.unit_id == unit_id)
                    .order_by(Signal.received_at.desc()).limit(20))
    ids = union_all(select(Document.id).where(Document.unit_id == unit_id),
                    select(Document.id).join(Case, Case.id == Document.case_id).where(Case.unit_id == unit_id))
    docs = _rows(select(Document.id, Document.kind, Document.number).where(Document.id.in_(ids.scalar_subquery()))
                 .order_by(Document.created_at.desc()).limit(30))
    eligibility = _rows(select(EligibilityRecord.year, EligibilityRecord.award, EligibilityRecord.eligible)
                        .where(EligibilityRecord.unit_id == unit_id))
    stations = _rows(select(Station.id, Station.name).join(station_area, station_area.c.station_id == Station.id)
                     .where(station_area.c.unit_id == unit_id))
    return jsonify({"unit": [u.code, u.name], "results": results, "cases": open_cases, "signals": signals,
                    "documents": docs, "eligibility": eligibility, "stations": stations})


@bp.route("/dashboard/officer")
def dashboard_officer():
    """Officer dashboard: own open cases by state, the first of the queue, the triage backlog (new, overdue,
    assigned to the officer) and the active units by kind."""
    officer = int(request.args["officer"])
    by_state = _rows(select(Case.state, func.count()).where(Case.handler_id == officer, Case.state.in_(ACTIVE))
                     .group_by(Case.state))
    waiting = Signal.status.in_(("new", "assigned"))
    backlog = db.session.execute(select(
        select(func.count()).select_from(Signal).where(Signal.status == "new").scalar_subquery(),
        select(func.count()).select_from(Signal).where(waiting, Signal.handling_due < clock.today()).scalar_subquery(),
        select(func.count()).select_from(Signal).where(waiting, Signal.officer_id == officer).scalar_subquery())).one()
    by_kind = _rows(select(Unit.kind, func.count()).where(Unit.active.is_(True)).group_by(Unit.kind))
    due = func.coalesce(Case.ack_due, Case.rectify_due, Case.verify_due)
    return jsonify({"by_state": by_state, "backlog": list(backlog), "by_kind": by_kind,
                    "queue": _case_list([Case.handler_id == officer, Case.state.in_(ACTIVE)], due.asc(), 10)})


@bp.route("/dashboard/supervisor")
def dashboard_supervisor():
    """Supervisor dashboard: colour counts now and a quarter ago, red units, escalations, overdue by
    town, signals per month and channel over a year."""
    year, quarter = _quarter()
    before = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    dist = [_rows(select(PeriodResult.colour, func.count()).where(PeriodResult.year == y, PeriodResult.quarter == q)
                  .group_by(PeriodResult.colour)) for y, q in ((year, quarter), before)]
    red = _rows(select(Unit.id, Unit.name, PeriodResult.index).join(PeriodResult, PeriodResult.unit_id == Unit.id)
                .where(PeriodResult.year == year, PeriodResult.quarter == quarter, PeriodResult.colour == "red")
                .order_by(PeriodResult.index).limit(10))
    esc = _case_list([Case.state.in_(("escalated", "talk", "inquiry"))], Case.updated_at.desc(), 10)
    town = func.coalesce(Unit.parent_id, Unit.id)
    overdue = _rows(select(town, func.count(Case.id)).join(Unit, Unit.id == Case.unit_id).where(_overdue())
                    .group_by(town).order_by(func.count(Case.id).desc()).limit(15))
    since = clock.now() - timedelta(days=365)
    month = func.substr(cast(Signal.received_at, String), 1, 7)
    monthly = _rows(select(month, Signal.channel, func.count()).where(Signal.received_at >= since)
                    .group_by(month, Signal.channel))
    return jsonify({"dist": dist, "red": red, "escalations": esc, "overdue": overdue, "monthly": monthly})


@bp.route("/public")
def public():
    """Public board: one page of a year's published grades."""
    year = int(request.args.get("year", clock.today().year - 1))
    stmt = (select(Unit.name, Unit.kind, PeriodResult.grade, PeriodResult.colour)
            .join(PeriodResult, PeriodResult.unit_id == Unit.id)
            .where(PeriodResult.year == year, PeriodResult.quarter == 0).order_by(Unit.code).limit(50))
    total = db.session.scalar(select(func.count()).where(PeriodResult.year == year, PeriodResult.quarter == 0))
    return jsonify({"total": total, "items": _rows(stmt)})


@bp.route("/signals")
def signals():
    """API signals: one page of signals, newest first, with their unit, and the total."""
    stmt = (select(Signal.id, Signal.number, Signal.channel, Signal.status, Signal.summary, Signal.received_at,
                   Unit.name).outerjoin(Unit, Unit.id == Signal.unit_id).order_by(Signal.received_at.desc()).limit(25))
    return jsonify({"total": db.session.scalar(select(func.count(Signal.id))), "items": _rows(stmt)})
