"""Annual grades: compute (a preview), approve (a second supervisor), publish (freeze + consequences).

Publishing freezes the year: the hook books nothing into it, ``recompute`` only compares,
inputs need a reason and become a ``Revision``. The publication itself (status, grades,
eligibility) is one transaction; the C-grade annual cases are then opened one by one
through ``case_open`` (each its own transaction, as every case opening is).
"""
from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import delete, select

from caseflow import clock
from caseflow import scoring as s
from caseflow.errors import N_, Conflict, Forbidden, InvalidField
from caseflow.extensions import db
from caseflow.models import Case, CaseEvent, PeriodResult, Revision, Sanction, ScoreEntry, Unit, YearStatus
from caseflow.permissions import require
from caseflow.scoring.results import RED_REASONS
from caseflow.services.eligibility import consequences_record
from caseflow.services.ledger import recompute_in_session
from caseflow.services.ledger_sources import quarter_bounds
from caseflow.services.schemes import scheme_for_year

GRADE_COLOUR = {"A": "green", "B": "orange", "C": "red"}
STATUSES = ("draft", "computed", "approved", "published")


def year_status(year: int, *, create: bool = False) -> YearStatus:
    """The year's status row (a transient draft unless ``create``)."""
    row = db.session.get(YearStatus, year)
    if row is None:
        row = YearStatus(year=year, status="draft")
        if create:
            db.session.add(row)
    return row


def annual_results(year: int, scheme, unit_ids: list[int] | None = None) -> list[dict]:
    """Each unit's year (quarter 0): mean index, mean dimensions, grade and its colour."""
    stmt = select(PeriodResult).where(PeriodResult.year == year, PeriodResult.quarter.between(1, 4))
    flags = select(ScoreEntry.unit_id).where(ScoreEntry.year == year, ScoreEntry.reason.in_(RED_REASONS)).distinct()
    if unit_ids is not None:
        stmt = stmt.where(PeriodResult.unit_id.in_(unit_ids))
        flags = flags.where(ScoreEntry.unit_id.in_(unit_ids))
    by_unit: dict[int, list[PeriodResult]] = defaultdict(list)
    for row in db.session.scalars(stmt):
        by_unit[row.unit_id].append(row)
    red = set(db.session.scalars(flags))
    now, out = clock.now(), []
    for unit_id, rows in by_unit.items():
        mean, grade = s.annual_grade([(r.index, r.colour) for r in rows], any_referral_or_criminal=unit_id in red,
                                     scheme=scheme.data)
        dims = {d: s.q(sum((getattr(r, d) for r in rows), Decimal(0)) / len(rows)) for d in s.DIMENSIONS}
        out.append({"unit_id": unit_id, "year": year, "quarter": 0, "index": mean, **dims, "grade": grade,
                    "colour": GRADE_COLOUR[grade], "scheme_id": scheme.id, "computed_at": now})
    return out


def _store_annual(year: int, rows: list[dict], unit_ids: list[int] | None = None) -> None:
    cond = (PeriodResult.year == year) & (PeriodResult.quarter == 0)
    if unit_ids is not None:
        cond = cond & PeriodResult.unit_id.in_(unit_ids)
    db.session.execute(delete(PeriodResult).where(cond))
    if rows:
        db.session.execute(PeriodResult.__table__.insert(), rows)


def grades_compute(*, year: int, actor) -> YearStatus:
    """Rebuild the year's ledger and compute every unit's grade as a preview (supervisor)."""
    require(actor, "grades.compute")
    if year >= clock.today().year:
        raise Conflict(N_("%(year)s has not ended; grades are computed at the start of the next year."), year=year)
    status = year_status(year, create=True)
    if status.status in ("approved", "published"):
        raise Conflict(N_("The grades of %(year)s are already %(status)s."), year=year, status=status.status)
    try:
        recompute_in_session(year, write=True)
        scheme = scheme_for_year(year)
        _store_annual(year, annual_results(year, scheme))
        status.status, status.scheme_id = "computed", scheme.id
        status.computed_by_id, status.computed_at = actor.id, clock.now()
        status.approved_by_id = status.approved_at = None
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return status


def grades_approve(*, year: int, actor) -> YearStatus:
    """Approve computed grades; the approver must be a different supervisor from the one who computed."""
    require(actor, "grades.approve")
    status = year_status(year)
    if status.status != "computed":
        raise Conflict(N_("Only computed grades can be approved (%(year)s is %(status)s)."), year=year,
                       status=status.status)
    if status.computed_by_id == actor.id:
        raise Forbidden(N_("A different supervisor must approve the grades you computed."))
    status.status, status.approved_by_id, status.approved_at = "approved", actor.id, clock.now()
    db.session.commit()
    return status


def grades_publish(*, year: int, actor) -> YearStatus:
    """Publish approved grades: freeze the year, record eligibility, open the C-grade annual cases,
    and issue each unit's warning recommendation."""
    require(actor, "grades.publish")
    status = year_status(year)
    if status.status != "approved":
        raise Conflict(N_("Only approved grades can be published (%(year)s is %(status)s)."), year=year,
                       status=status.status)
    try:
        results = list(db.session.scalars(select(PeriodResult).where(PeriodResult.year == year,
                                                                     PeriodResult.quarter == 0)))
        units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_([r.unit_id for r in results])))}
        consequences_record(year=year, results=results, units=units)
        status.status, status.published_by_id, status.published_at = "published", actor.id, clock.now()
        _recommendations(year, results, units, actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _annual_cases(year, [r for r in results if r.grade == "C"], units, actor)
    return status


def _recommendations(year: int, results, units, actor) -> None:
    """Issue the 预警建议书 per unit through the documents service (inside the publication)."""
    from caseflow.services.recommendations import recommendations_issue

    recommendations_issue(year=year, results=results, units=units, actor=actor)


def _annual_cases(year: int, results, units, actor) -> None:
    """Open the annual case of every C unit (in escalation), unless one exists already."""
    from caseflow.services.cases import case_open

    have = set(db.session.scalars(select(Case.unit_id).where(Case.origin == "annual", Case.annual_year == year)))
    for r in results:
        unit = units[r.unit_id]
        if unit.id in have:
            continue
        case_open(unit=unit, title=f"{year}年度廉情预警C级：约谈主要负责人、询问领导班子", category="other",
                  origin="annual", annual_year=year, initial_state="escalated", actor=actor,
                  note=(f"{year} annual grade C (index {s.q(r.index)}): integrity talk with the principal leader "
                        f"{unit.principal_leader or ''}; inquiry of the leadership team with a working group."))


def revision_open(*, year: int, unit_id: int | None, reason: str | None, actor) -> tuple[Revision, tuple]:
    """Start an explicit correction of a published year (no commit); return it and the unit's annual
    result before it, for ``revision_close``."""
    if not (reason or "").strip():
        raise InvalidField(N_("A correction needs a reason."), field="reason")
    before = db.session.scalar(select(PeriodResult).where(PeriodResult.unit_id == unit_id,
                                                          PeriodResult.year == year, PeriodResult.quarter == 0))
    revision = Revision(year=year, unit_id=unit_id, reason=reason.strip()[:1000], created_at=clock.now(),
                        created_by_id=getattr(actor, "id", None))
    db.session.add(revision)
    db.session.flush()
    return revision, ((s.q(before.index), before.grade) if before is not None else ("—", "—"))


def revision_close(*, revision: Revision, before: tuple) -> Revision:
    """Recompute the revised unit's annual result and append what changed to the revision's text (no commit)."""
    scheme = scheme_for_year(revision.year)
    rows = annual_results(revision.year, scheme, [revision.unit_id])
    _store_annual(revision.year, rows, [revision.unit_id])
    new = rows[0] if rows else {"index": "—", "grade": "—"}
    index = s.q(new["index"]) if isinstance(new["index"], Decimal) else new["index"]
    revision.reason = _CHANGE.format(reason=revision.reason, i0=before[0], i1=index, g0=before[1], g1=new["grade"])
    return revision


# What ``revision_close`` appends to a revision's reason, and how it reads in Chinese (``revision_text``).
_CHANGE = "{reason} — index {i0} → {i1}, grade {g0} → {g1}"
_CHANGE_ZH = "{reason} — 廉情指数 {i0} → {i1}，等次 {g0} → {g1}"
_CHANGE_RE = re.compile(r"^(?P<reason>.*) — index (?P<i0>\S+) → (?P<i1>\S+), grade (?P<g0>\S+) → (?P<g1>\S+)$",
                        re.DOTALL)


def revision_text(text: str, lang: str = "zh") -> str:
    """A revision's reason in the reader's language: its recorded change worded in Chinese for ``zh``."""
    match = _CHANGE_RE.match(text) if lang.startswith("zh") else None
    return _CHANGE_ZH.format(**match.groupdict()) if match else text


def grades_revise(*, year: int, unit_id: int, reason: str, actor) -> Revision:
    """Recompute one unit of a published year from its source records, as an explicit revision."""
    require(actor, "grades.publish")
    if year_status(year).status != "published":
        raise Conflict(N_("Only a published year is revised; before that, recompute it."))
    try:
        revision, before = revision_open(year=year, unit_id=unit_id, reason=reason, actor=actor)
        recompute_in_session(year, unit_ids=[unit_id], write=True, revision_id=revision.id)
        revision_close(revision=revision, before=before)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return revision


def revisions(year: int) -> list[Revision]:
    """The year's corrections, newest first."""
    return list(db.session.scalars(select(Revision).where(Revision.year == year).order_by(Revision.id.desc())))


def escalated_case_people(year: int, unit_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """Per unit, the people named in the year's talks and inquiries (with whom / whom) and their case."""
    out: dict[int, list[tuple[str, int]]] = defaultdict(list)
    if not unit_ids:
        return out
    start, _ = quarter_bounds(year, 1)
    _, end = quarter_bounds(year, 4)
    rows = db.session.execute(select(Case.unit_id, CaseEvent.case_id, CaseEvent.data).join(Case)
                              .where(Case.unit_id.in_(unit_ids), CaseEvent.at >= start, CaseEvent.at < end,
                                     CaseEvent.trigger.in_(("order_talk", "order_inquiry"))))
    for unit_id, case_id, data in rows:
        name = (data or {}).get("with_whom") or (data or {}).get("whom")
        if name:
            out[unit_id].append((str(name)[:60], case_id))
    return out


def sanctioned_people(year: int) -> list[Sanction]:
    """The year's sanctions (their persons are barred from the year's awards)."""
    return list(db.session.scalars(select(Sanction).where(Sanction.year == year)))
