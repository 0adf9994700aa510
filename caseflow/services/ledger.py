"""The scoring ledger in the database: live booking of case outcomes, recompute, breakdowns.

``on_transition`` runs inside ``case_transition``'s transaction (see ``services/hooks.py``):
it books the event's SPEC §5 entries in the quarter the event happens (China Standard
Time), refreshes that unit-quarter's limit entries (floor, cap, clamp) and its
``PeriodResult``. Because events are always booked in the quarter they happen, an event
can only reach a published year if the clock is set back; such an event books nothing
(published results change only through explicit revisions, ``services/grading.py``).

``recompute`` rebuilds a period from the source records with the same pure functions and
reports whether the stored ledger was reproduced exactly.
"""
from __future__ import annotations

import time as _time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, insert, select, update

from caseflow import clock
from caseflow import scoring as s
from caseflow.extensions import db
from caseflow.models import PeriodResult, ScoreEntry, Unit
from caseflow.selectors.scoring import unit_index, what_if
from caseflow.services import ledger_sources as src
from caseflow.services.schemes import scheme_for_year, year_status_of

DETAIL_MAX = 400
__all__ = ["RecomputeReport", "compute", "on_transition", "recompute", "recompute_in_session", "refresh_unit",
           "scored_quarters", "unit_index", "what_if"]


def scored_quarters(year: int, today: date | None = None) -> list[int]:
    """The quarters of ``year`` that have begun (all four for a past year)."""
    today = today or clock.today()
    if year < today.year:
        return [1, 2, 3, 4]
    if year > today.year:
        return []
    return list(range(1, s.quarter_of(today)[1] + 1))


def entry_key(e) -> tuple:
    """What must match between the stored and the recomputed ledger."""
    return (e.unit_id, e.year, e.quarter, e.dimension, e.points, e.reason, e.source_kind, e.source_id)


def _entry(row: ScoreEntry) -> s.Entry:
    return s.Entry(row.unit_id, row.year, row.quarter, row.dimension, row.points, row.reason, row.detail,
                   row.source_kind, row.source_id)


def _row(e: s.Entry, scheme_id: int, revision_id: int | None = None) -> dict:
    return {"unit_id": e.unit_id, "year": e.year, "quarter": e.quarter, "dimension": e.dimension,
            "points": e.points, "reason": e.reason, "detail": e.detail[:DETAIL_MAX], "source_kind": e.source_kind,
            "source_id": e.source_id, "scheme_id": scheme_id, "revision_id": revision_id}


def compute(year: int, quarters: Iterable[int], scheme: dict, unit_ids: list[int] | None = None
            ) -> dict[tuple[int, int], list[s.Entry]]:
    """Compute the ledger of ``quarters`` of ``year`` for ``unit_ids`` (None: every active unit)."""
    quarters = sorted(quarters)
    if not quarters:
        return {}
    data = src.load_sources(year, quarters[-1], scheme, unit_ids)
    if unit_ids is None:
        unit_ids = list(db.session.scalars(select(Unit.id).where(Unit.active.is_(True)).order_by(Unit.id)))
    out = {}
    for unit_id in unit_ids:
        for quarter in quarters:
            out[(unit_id, quarter)] = s.quarter_entries(
                unit_id=unit_id, year=year, quarter=quarter, checks=data.checks.get(unit_id, ()),
                surveys=data.surveys.get(unit_id, ()), findings=data.findings.get(unit_id, ()),
                sanctions=data.sanctions.get(unit_id, ()), awards=data.awards.get(unit_id, ()),
                outcomes=data.outcomes.get(unit_id, ()), performance=data.performance.get(unit_id), scheme=scheme)
    return out


def result_row(unit_id: int, year: int, quarter: int, entries: list, scheme, overdue: bool) -> dict:
    """The ``PeriodResult`` values of a unit-quarter from its entries."""
    summary = s.summarise(entries, scheme=scheme.data, overdue_open=overdue)
    return {"unit_id": unit_id, "year": year, "quarter": quarter, "index": summary.index, "colour": summary.colour,
            **summary.dimensions, "grade": None, "scheme_id": scheme.id, "computed_at": clock.now()}


def _save_result(values: dict) -> None:
    """Upsert a unit-quarter's result: one UPDATE, an INSERT only the first time."""
    key = (PeriodResult.unit_id == values["unit_id"]) & (PeriodResult.year == values["year"]) & (
        PeriodResult.quarter == values["quarter"])
    done = db.session.execute(update(PeriodResult).where(key).values(**values),
                              execution_options={"synchronize_session": False})
    if not done.rowcount:
        db.session.execute(insert(PeriodResult), [values])


@dataclass
class RecomputeReport:
    """What ``recompute`` found and did."""

    year: int
    quarters: list[int]
    units: int = 0
    stored: int = 0
    computed: int = 0
    reproduced: bool = True
    written: bool = False
    differences: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _stored_keys(year: int, quarter: int, unit_ids) -> list[tuple]:
    stmt = select(ScoreEntry.unit_id, ScoreEntry.year, ScoreEntry.quarter, ScoreEntry.dimension, ScoreEntry.points,
                  ScoreEntry.reason, ScoreEntry.source_kind, ScoreEntry.source_id).where(
        ScoreEntry.year == year, ScoreEntry.quarter == quarter)
    if unit_ids is not None:
        stmt = stmt.where(ScoreEntry.unit_id.in_(unit_ids))
    return [tuple(row) for row in db.session.execute(stmt)]


def _period_filter(model, year: int, quarter: int, unit_ids):
    cond = (model.year == year) & (model.quarter == quarter)
    return cond & model.unit_id.in_(unit_ids) if unit_ids is not None else cond


def recompute_in_session(year: int, quarter: int | None = None, *, unit_ids: list[int] | None = None,
                         write: bool | None = None, revision_id: int | None = None) -> RecomputeReport:
    """Rebuild the ledger and results of a period from the source records (no commit).

    A published year is compared only, never rewritten (``write`` defaults to that)."""
    started = _time.perf_counter()
    quarters = [quarter] if quarter else scored_quarters(year)
    report = RecomputeReport(year=year, quarters=quarters)
    if write is None:
        write = year_status_of(year) != "published"
    scheme = scheme_for_year(year)
    fresh = compute(year, quarters, scheme.data, unit_ids)
    report.units = len({u for u, _ in fresh})
    for qq in quarters:
        # A multiset comparison: the same as comparing the sorted lists, without ordering None against str.
        computed = Counter(entry_key(e) for (_, q2), entries in fresh.items() if q2 == qq for e in entries)
        stored = Counter(_stored_keys(year, qq, unit_ids))
        report.computed += computed.total()
        report.stored += stored.total()
        if computed != stored:
            report.reproduced = False
            report.differences += [f"missing {k}" for k in list((computed - stored).elements())[:5]]
            report.differences += [f"unexpected {k}" for k in list((stored - computed).elements())[:5]]
        if not write:
            continue
        db.session.execute(delete(ScoreEntry).where(_period_filter(ScoreEntry, year, qq, unit_ids)))
        rows = [_row(e, scheme.id, revision_id) for (_, q2), entries in fresh.items() if q2 == qq for e in entries]
        if rows:
            db.session.execute(ScoreEntry.__table__.insert(), rows)  # Core executemany: one batch
        overdue = src.overdue_open_units(year, qq, unit_ids)
        db.session.execute(delete(PeriodResult).where(_period_filter(PeriodResult, year, qq, unit_ids)))
        results = [result_row(u, year, qq, entries, scheme, u in overdue)
                   for (u, q2), entries in fresh.items() if q2 == qq]
        if results:
            db.session.execute(PeriodResult.__table__.insert(), results)
    report.written = write
    report.seconds = _time.perf_counter() - started
    return report


def recompute(year: int, quarter: int | None = None, *, write: bool | None = None) -> RecomputeReport:
    """Rebuild a period's ledger from the source records, commit, and say whether it was reproduced."""
    try:
        report = recompute_in_session(year, quarter, write=write)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def refresh_unit(unit_id: int, year: int, quarter: int) -> None:
    """Recompute a unit from ``year``/``quarter`` to the current quarter (carry-overs follow), no commit."""
    today = clock.today()
    for y in range(year, today.year + 1):
        if year_status_of(y) == "published":
            continue
        quarters = [qq for qq in scored_quarters(y, today) if (y, qq) >= (year, quarter)]
        for qq in quarters:
            recompute_in_session(y, qq, unit_ids=[unit_id])


def on_transition(ctx) -> None:
    """Book the transition's SPEC §5 entries in the event's quarter and refresh that unit-quarter."""
    if ctx.trigger not in src.SCORED_TRIGGERS:
        return
    case, event = ctx.case, ctx.event
    year, quarter = src.event_quarter(event.at)
    # Only a past year can be published (grading starts after the year ends).
    if year < clock.today().year and year_status_of(year) == "published":
        return  # only reachable with a clock set back; published results change by revision only
    scheme = scheme_for_year(year)
    if ctx.trigger == "issue_notice":
        severity = (event.data or {}).get("severity") or case.severity
        row = scheme.data["case_outcomes"]["issue_notice"]
        points = s.num(row["points"][severity])
        if case.origin == "self_report":
            points *= s.num(row["self_report_factor"])
        case.notice_deduction = s.q(abs(points))
    due = None
    if ctx.trigger == "accept":
        due = src.rectify_due_before([case.id], {case.id: event.id}).get(case.id)
    outcome = src.outcome_of(event, case, due)
    stored = list(db.session.scalars(select(ScoreEntry).where(
        ScoreEntry.unit_id == case.unit_id, ScoreEntry.year == year, ScoreEntry.quarter == quarter)))
    if not stored or any(r.source_kind == "case_event" and r.source_id == event.id for r in stored):
        recompute_in_session(year, quarter, unit_ids=[case.unit_id])
        return
    new = s.case_outcome_entries(outcome, scheme.data)
    kept = [_entry(r) for r in stored if r.reason not in s.LIMIT_REASONS]
    combined = s.apply_limits(kept + new, scheme=scheme.data)
    stale = [r.id for r in stored if r.reason in s.LIMIT_REASONS]
    if stale:
        db.session.execute(delete(ScoreEntry).where(ScoreEntry.id.in_(stale)),
                           execution_options={"synchronize_session": False})
    rows = [_row(e, scheme.id) for e in combined
            if e.reason in s.LIMIT_REASONS or (e.source_kind == "case_event" and e.source_id == event.id)]
    if rows:
        db.session.execute(ScoreEntry.__table__.insert(), rows)  # Core executemany: one batch
    if (year, quarter) == s.quarter_of(clock.today()):
        overdue = src.overdue_now(case.unit_id)
    else:  # a clock set back (replays): the state at that quarter's end from the events
        overdue = case.unit_id in src.overdue_open_units(year, quarter, [case.unit_id])
    _save_result(result_row(case.unit_id, year, quarter, combined, scheme, overdue))
