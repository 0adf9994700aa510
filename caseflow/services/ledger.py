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

from sqlalchemy import bindparam, delete, insert, select, update

from caseflow import clock
from caseflow import scoring as s
from caseflow.extensions import db
from caseflow.models import PeriodResult, ScoreEntry, ScoringScheme, Unit
from caseflow.selectors.scoring import unit_index, what_if
from caseflow.services import ledger_sources as src
from caseflow.services.schemes import scheme_for_year, year_status_of

DETAIL_MAX = 400
__all__ = ["RecomputeReport", "compute", "compute_rows", "insert_entries", "on_transition", "recompute", "recompute_in_session", "refresh_unit",
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


def _row_key(row: tuple) -> tuple:
    """``entry_key`` of an engine row (``scoring.ROW_FIELDS``: the detail is not compared)."""
    return row[:6] + row[7:]


def _row(e: s.Entry, scheme_id: int, revision_id: int | None = None) -> dict:
    return {"unit_id": e.unit_id, "year": e.year, "quarter": e.quarter, "dimension": e.dimension,
            "points": e.points, "reason": e.reason, "detail": e.detail[:DETAIL_MAX], "source_kind": e.source_kind,
            "source_id": e.source_id, "scheme_id": scheme_id, "revision_id": revision_id}


def compute_rows(year: int, quarters: Iterable[int], scheme: dict, unit_ids: list[int] | None = None
                 ) -> dict[tuple[int, int], list[tuple]]:
    """The ledger of ``quarters`` of ``year`` for ``unit_ids`` (None: every active unit) as engine rows
    (``scoring.ROW_FIELDS`` tuples), by (unit, quarter): the sources in a few set-based queries, the
    scheme read once, every unit's quarters in one pass over its records."""
    quarters = sorted(quarters)
    if not quarters:
        return {}
    data = src.load_sources(year, quarters[-1], scheme, unit_ids)
    if unit_ids is None:
        unit = Unit.__table__.c
        unit_ids = list(db.session.scalars(select(unit.id).where(unit.active.is_(True)).order_by(unit.id)))
    rules = s.Rules(scheme)
    out = {}
    for unit_id in unit_ids:
        ledger = s.unit_ledger(
            unit_id=unit_id, year=year, quarters=quarters, checks=data.checks.get(unit_id, ()),
            surveys=data.surveys.get(unit_id, ()), findings=data.findings.get(unit_id, ()),
            sanctions=data.sanctions.get(unit_id, ()), awards=data.awards.get(unit_id, ()),
            outcomes=data.outcomes.get(unit_id, ()), performance=data.performance.get(unit_id), rules=rules)
        for quarter in quarters:
            out[(unit_id, quarter)] = ledger[quarter]
    return out


def compute(year: int, quarters: Iterable[int], scheme: dict, unit_ids: list[int] | None = None
            ) -> dict[tuple[int, int], list[s.Entry]]:
    """Compute the ledger of ``quarters`` of ``year`` for ``unit_ids`` (None: every active unit)."""
    return {key: [s.Entry(*row) for row in rows]
            for key, rows in compute_rows(year, quarters, scheme, unit_ids).items()}


def result_row(unit_id: int, year: int, quarter: int, entries: list, scheme, overdue: bool, *,
               rows: bool = False, now=None) -> dict:
    """The ``PeriodResult`` values of a unit-quarter from its entries (engine rows if ``rows``)."""
    summarise = s.summarise_rows if rows else s.summarise
    summary = summarise(entries, scheme=scheme.data, overdue_open=overdue)
    return {"unit_id": unit_id, "year": year, "quarter": quarter, "index": summary.index, "colour": summary.colour,
            **summary.dimensions, "grade": None, "scheme_id": scheme.id, "computed_at": now or clock.now()}


_E, _R = ScoreEntry.__table__.c, PeriodResult.__table__.c
# The hook's statements, built once (a transition pays only for executing them).
_STORED = select(_E.id, _E.unit_id, _E.year, _E.quarter, _E.dimension, _E.points, _E.reason, _E.detail,
                 _E.source_kind, _E.source_id).where(
    _E.unit_id == bindparam("unit_id"), _E.year == bindparam("year"), _E.quarter == bindparam("quarter"))
_UPDATE_RESULT = update(PeriodResult.__table__).where(
    _R.unit_id == bindparam("key_unit"), _R.year == bindparam("key_year"), _R.quarter == bindparam("key_quarter"))


_S = ScoringScheme.__table__.c
_LATEST_SCHEME = select(_S.id, _S.data).where(_S.year == bindparam("year")).order_by(_S.version.desc()).limit(1)


def _current_scheme(year: int):
    """``scheme_for_year`` for the hook: the stored scheme's id and data in one prebuilt query (its ``id``
    and ``data`` are all the hook reads); the first use of a year still creates it there."""
    row = db.session.execute(_LATEST_SCHEME, {"year": year}).first()
    return row if row is not None else scheme_for_year(year)


def _save_result(values: dict) -> None:
    """Upsert a unit-quarter's result: one UPDATE, an INSERT only the first time."""
    done = db.session.execute(_UPDATE_RESULT, {
        **values, "key_unit": values["unit_id"], "key_year": values["year"], "key_quarter": values["quarter"]})
    if not done.rowcount:
        db.session.execute(insert(PeriodResult.__table__), [values])


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
    t = ScoreEntry.__table__.c
    stmt = select(t.unit_id, t.year, t.quarter, t.dimension, t.points, t.reason, t.source_kind, t.source_id).where(
        t.year == year, t.quarter == quarter)
    if unit_ids is not None:
        stmt = stmt.where(t.unit_id.in_(unit_ids))
    return [tuple(row) for row in db.session.execute(stmt).all()]


def _period_filter(model, year: int, quarter: int, unit_ids):
    cond = (model.year == year) & (model.quarter == quarter)
    return cond & model.unit_id.in_(unit_ids) if unit_ids is not None else cond


_ENTRY_COLUMNS = ("unit_id", "year", "quarter", "dimension", "points", "reason", "detail", "source_kind",
                  "source_id", "scheme_id", "revision_id")
_RESULT_COLUMNS = ("unit_id", "year", "quarter", "index", *s.DIMENSIONS, "colour", "grade", "scheme_id",
                   "computed_at")


def bulk_insert(table, columns: tuple[str, ...], values: Iterable[tuple]) -> None:
    """Insert many rows (tuples in ``columns`` order) in the session's transaction: PostgreSQL (psycopg)
    through COPY, SQLite through one driver ``executemany`` (each value bound as its column type binds it,
    e.g. ``Numeric`` as a float on SQLite), other drivers through a Core executemany."""
    conn = db.session.connection()
    dialect = conn.dialect
    copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
    if not copy and dialect.paramstyle != "qmark":
        rows = [dict(zip(columns, v, strict=True)) for v in values]
        if rows:
            conn.execute(table.insert(), rows)
        return
    binds = [(i, bind) for i, c in enumerate(columns)
             if (bind := table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None]
    if binds:
        values = (_bound(v, binds) for v in values)
    quote = dialect.identifier_preparer
    target = f"{quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)})"
    if copy:
        with conn.connection.driver_connection.cursor() as cursor, \
                cursor.copy(f"COPY {target} FROM STDIN") as stream:
            for value in values:
                stream.write_row(value)
        return
    values = list(values)
    if values:
        conn.exec_driver_sql(f"INSERT INTO {target} VALUES ({', '.join('?' * len(columns))})", values)


def _bound(value: tuple, binds: list) -> tuple:
    value = list(value)
    for i, bind in binds:
        value[i] = bind(value[i])
    return tuple(value)


def insert_entries(rows: Iterable[tuple], scheme_id: int, revision_id: int | None = None) -> None:
    """Insert engine rows (``scoring.ROW_FIELDS``) into the ledger in bulk (``bulk_insert``)."""
    bulk_insert(ScoreEntry.__table__, _ENTRY_COLUMNS,
                ((unit_id, year, quarter, dimension, points, reason, detail[:DETAIL_MAX], kind, source_id, scheme_id,
                  revision_id)
                 for unit_id, year, quarter, dimension, points, reason, detail, kind, source_id in rows))


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
    fresh = compute_rows(year, quarters, scheme.data, unit_ids)
    report.units = len({u for u, _ in fresh})
    now = clock.now()
    for qq in quarters:
        period = [(u, rows) for (u, q2), rows in fresh.items() if q2 == qq]
        stored = Counter(_stored_keys(year, qq, unit_ids))
        if stored:
            # A multiset comparison: the same as comparing the sorted lists, without ordering None against str.
            computed = Counter(_row_key(row) for _, rows in period for row in rows)
        else:  # nothing stored: every computed entry is missing; count only the unit-quarters listed
            computed = Counter()
            for _, rows in period:
                if computed.total() >= 5:
                    break
                computed.update(_row_key(row) for row in rows)  # keys never repeat across unit-quarters
        report.computed += sum(len(rows) for _, rows in period)
        report.stored += stored.total()
        if computed != stored:
            report.reproduced = False
            report.differences += [f"missing {k}" for k in list((computed - stored).elements())[:5]]
            report.differences += [f"unexpected {k}" for k in list((stored - computed).elements())[:5]]
        del computed, stored
        if not write:
            continue
        db.session.execute(delete(ScoreEntry).where(_period_filter(ScoreEntry, year, qq, unit_ids)))
        insert_entries((row for _, rows in period for row in rows), scheme.id, revision_id)
        overdue = src.overdue_open_units(year, qq, unit_ids)
        db.session.execute(delete(PeriodResult).where(_period_filter(PeriodResult, year, qq, unit_ids)))
        bulk_insert(PeriodResult.__table__, _RESULT_COLUMNS, (
            tuple(map(result_row(u, year, qq, rows, scheme, u in overdue, rows=True, now=now).__getitem__,
                      _RESULT_COLUMNS)) for u, rows in period))
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
    scheme = _current_scheme(year)
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
    stored = db.session.execute(_STORED, {"unit_id": case.unit_id, "year": year, "quarter": quarter}).all()
    if not stored or any(r.source_kind == "case_event" and r.source_id == event.id for r in stored):
        recompute_in_session(year, quarter, unit_ids=[case.unit_id])
        return
    new = [s.entry_row(e) for e in s.case_outcome_entries(outcome, scheme.data)]
    # Engine rows (the stored columns after the id), so the limits are the engine's own.
    kept = [tuple(r)[1:] for r in stored if r.reason not in s.LIMIT_REASONS]
    combined = s.limit_rows(kept + new, scheme=scheme.data)
    stale = [r.id for r in stored if r.reason in s.LIMIT_REASONS]
    if stale:
        db.session.execute(delete(ScoreEntry.__table__).where(ScoreEntry.__table__.c.id.in_(stale)))
    rows = [_row(s.Entry(*e), scheme.id) for e in combined
            if e[5] in s.LIMIT_REASONS or (e[7] == "case_event" and e[8] == event.id)]
    if rows:
        db.session.execute(ScoreEntry.__table__.insert(), rows)  # Core executemany: one batch
    if (year, quarter) == s.quarter_of(clock.today()):
        overdue = src.overdue_now(case.unit_id)
    else:  # a clock set back (replays): the state at that quarter's end from the events
        overdue = case.unit_id in src.overdue_open_units(year, quarter, [case.unit_id])
    _save_result(result_row(case.unit_id, year, quarter, combined, scheme, overdue, rows=True))
