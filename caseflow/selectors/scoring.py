"""Reads of the ledger: a unit-quarter's explained index and the what-if of an open case."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from caseflow import scoring as s
from caseflow.errors import N_, Conflict, InvalidField, NotFound
from caseflow.extensions import db
from caseflow.models import Case, PeriodResult, ScoreEntry, ScoringScheme
from caseflow.selectors.common import current_quarter
from caseflow.services import ledger_sources as src
from caseflow.services.schemes import scheme_display, scheme_for_year, scheme_label

OUTCOMES = ("close_on_time", "escalate")
OPEN_STATES = src.OPEN_STATES + ("detected",)


def _f(value) -> float:
    return float(s.q(value))


def _entries(unit_id: int, year: int, quarter: int) -> tuple[list[s.Entry], Any, bool]:
    """The stored entries of a unit-quarter, or (not yet stored) freshly computed ones."""
    from caseflow.services.ledger import compute, scored_quarters

    rows = list(db.session.scalars(select(ScoreEntry).where(
        ScoreEntry.unit_id == unit_id, ScoreEntry.year == year, ScoreEntry.quarter == quarter)))
    if rows:
        scheme = db.session.get(ScoringScheme, rows[0].scheme_id) if rows[0].scheme_id else scheme_for_year(year)
        entries = [s.Entry(r.unit_id, r.year, r.quarter, r.dimension, r.points, r.reason, r.detail,
                           r.source_kind, r.source_id) for r in rows]
        return s.sort_entries(entries), scheme, True
    scheme = scheme_for_year(year)
    if quarter not in scored_quarters(year):
        return [], scheme, False
    fresh = compute(year, [quarter], scheme.data, [unit_id])
    return fresh.get((unit_id, quarter), []), scheme, False


def unit_index(unit_id: int, year: int, quarter: int) -> dict:
    """A unit-quarter's index explained: dimensions, colour and every entry with reason and source."""
    if not 1 <= quarter <= 4:
        raise InvalidField(field="quarter")
    entries, scheme, stored = _entries(unit_id, year, quarter)
    result = db.session.scalar(select(PeriodResult).where(
        PeriodResult.unit_id == unit_id, PeriodResult.year == year, PeriodResult.quarter == quarter))
    overdue = unit_id in src.overdue_open_units(year, quarter, [unit_id]) if result is None else False
    summary = s.summarise(entries, scheme=scheme.data, overdue_open=overdue)
    shade = result.colour if result is not None else (summary.colour if entries else None)
    return {
        "unit_id": unit_id, "year": year, "quarter": quarter, "stored": stored,
        "index": _f(summary.index) if entries else None, "colour": shade,
        "dimensions": {k: _f(v) for k, v in summary.dimensions.items()},
        "scheme": scheme_label(scheme), "scheme_id": scheme.id, "scheme_display": scheme_display(scheme),
        "detail": (f"{len(entries)} ledger entries; index = control + stakeholder + performance + incentive "
                   f"− integrity ({scheme_label(scheme)})"),
        "entries": [{"dimension": e.dimension, "points": _f(e.points), "reason": e.reason, "detail": e.detail,
                     "source": {"kind": e.source_kind, "id": e.source_id} if e.source_kind else None}
                    for e in entries],
    }


def open_cases(unit_id: int) -> list[Case]:
    """The unit's cases that are still open (for the what-if panel)."""
    return list(db.session.scalars(select(Case).where(Case.unit_id == unit_id, Case.state.in_(src.OPEN_STATES))
                                   .order_by(Case.id)))


def what_if(unit_id: int, case_id: int, outcome: str) -> dict:
    """How the current quarter's index and colour would change if an open case were closed on time
    or escalated; computed by the same pure code, changing nothing."""
    if outcome not in OUTCOMES:
        raise InvalidField(field="outcome")
    case = db.session.get(Case, case_id)
    if case is None or case.unit_id != unit_id:
        raise NotFound()
    if case.state not in src.OPEN_STATES:
        raise Conflict(N_("Only an open case can be simulated."))
    year, quarter = current_quarter()
    entries, scheme, _ = _entries(unit_id, year, quarter)
    overdue = src.overdue_open_cases(year, quarter, [unit_id])
    if outcome == "close_on_time":
        extra_outcome = s.CaseOutcome(0, case.id, unit_id, year, quarter, "accept", severity=case.severity,
                                      self_reported=case.origin == "self_report", on_time=True,
                                      notice_deduction=case.notice_deduction)
        still_overdue = bool(set(overdue) - {case.id})
    else:
        extra_outcome = s.CaseOutcome(0, case.id, unit_id, year, quarter, "escalate")
        still_overdue = True
    extra = s.case_outcome_entries(extra_outcome, scheme.data)
    now = s.summarise(entries, scheme=scheme.data, overdue_open=bool(overdue))
    after = s.what_if(entries, extra, scheme=scheme.data, overdue_open=still_overdue)
    return {
        "case_id": case.id, "case_number": case.number, "outcome": outcome, "year": year, "quarter": quarter,
        "current": {"index": _f(now.index), "colour": now.colour},
        "after": {"index": _f(after.index), "colour": after.colour,
                  "dimensions": {k: _f(v) for k, v in after.dimensions.items()}},
        "entries": [{"dimension": e.dimension, "points": _f(e.points), "detail": e.detail} for e in extra],
    }
