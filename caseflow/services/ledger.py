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

import multiprocessing
import os
import signal
import time as _time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, delete, func, insert, select, update

from caseflow import clock
from caseflow import scoring as s
from caseflow.db_bulk import (
    COPY_NULL,
    bind_row,
    binds_for,
    bulk_insert,
    copy_escapes_needed,
    copy_insert,
    copy_str,
    cycles_uncollected,
    driver_rows,
)
from caseflow.extensions import db
from caseflow.models import PeriodResult, ScoreEntry, ScoringScheme, Unit
from caseflow.selectors.scoring import unit_index, what_if
from caseflow.services import ledger_sources as src
from caseflow.services.schemes import scheme_for_year, year_status_of

DETAIL_MAX = 400
__all__ = ["RecomputeReport", "compute", "compute_rows", "insert_entries", "on_transition", "parallel_workers", "recompute",
           "recompute_in_session", "refresh_unit", "scored_quarters", "unit_index", "what_if"]


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


def compute_rows(year: int, quarters: Iterable[int], scheme: dict, unit_ids=None,
                 performance_of: dict[int, s.PerformanceResult] | None = None) -> dict[tuple[int, int], list[tuple]]:
    """The ledger of ``quarters`` of ``year`` for ``unit_ids`` (None: every active unit; a list of ids; a
    ``UnitRange`` of the active units) as engine rows (``scoring.ROW_FIELDS`` tuples), by (unit, quarter):
    the sources in a few set-based queries, the scheme read once, every unit's quarters in one pass over
    its records. ``performance_of``: see ``ledger_sources.load_sources``."""
    quarters = sorted(quarters)
    if not quarters:
        return {}
    data = src.load_sources(year, quarters[-1], scheme, unit_ids, performance_of)
    if unit_ids is None or isinstance(unit_ids, src.UnitRange):
        unit = Unit.__table__.c
        unit_ids = list(db.session.scalars(select(unit.id).where(unit.active.is_(True), src.unit_cond(unit.id, unit_ids))
                                           .order_by(unit.id)))
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


_E, _R = ScoreEntry.__table__.c, PeriodResult.__table__.c
# The hook's statements, built once (a transition pays only for executing them).
_STORED = select(_E.id, _E.unit_id, _E.year, _E.quarter, _E.dimension, _E.points, _E.reason, _E.detail,
                 _E.source_kind, _E.source_id).where(
    _E.unit_id.in_(bindparam("unit_ids", expanding=True)), _E.year == bindparam("year"),
    _E.quarter == bindparam("quarter"))
_UPDATE_RESULT = update(PeriodResult.__table__).where(
    _R.unit_id == bindparam("key_unit"), _R.year == bindparam("key_year"), _R.quarter == bindparam("key_quarter"))


_S = ScoringScheme.__table__.c
_LATEST_SCHEME = select(_S.id, _S.data).where(_S.year == bindparam("year")).order_by(_S.version.desc()).limit(1)


def _current_scheme(year: int):
    """``scheme_for_year`` for the hook: the stored scheme's id and data in one prebuilt query (its ``id``
    and ``data`` are all the hook reads); the first use of a year still creates it there."""
    row = db.session.execute(_LATEST_SCHEME, {"year": year}).first()
    return row if row is not None else scheme_for_year(year)


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
    rewritten: int = 0  # units whose entries were replaced (the others matched and were kept)
    workers: int = 1


_ENTRY_COLUMNS = ("unit_id", "year", "quarter", "dimension", "points", "reason", "detail", "source_kind",
                  "source_id", "scheme_id", "revision_id")
_RESULT_COLUMNS = ("unit_id", "year", "quarter", "index", *s.DIMENSIONS, "colour", "grade", "scheme_id",
                   "computed_at")  # ``_result_value`` builds rows in this order
# A slice of the units per job of a parallel recompute, and the size that makes one worth forking for.
SHARD_UNITS = 1250
PARALLEL_MIN_UNITS = 2000
MAX_WORKERS = 2
SAMPLES = 5  # differences listed per quarter and direction
DELETE_CHUNK = 1000  # unit ids per DELETE


def _entry_values(rows: Iterable[tuple], scheme_id: int, revision_id: int | None) -> Iterable[tuple]:
    return ((unit_id, year, quarter, dimension, points, reason, detail[:DETAIL_MAX], kind, source_id, scheme_id,
             revision_id)
            for unit_id, year, quarter, dimension, points, reason, detail, kind, source_id in rows)


def insert_entries(rows: Iterable[tuple], scheme_id: int, revision_id: int | None = None) -> None:
    """Insert engine rows (``scoring.ROW_FIELDS``) into the ledger in bulk (``bulk_insert``)."""
    bulk_insert(ScoreEntry.__table__, _ENTRY_COLUMNS, _entry_values(rows, scheme_id, revision_id))


@dataclass
class _Plan:
    """What every slice of a recompute shares (forked workers inherit it)."""

    year: int
    quarters: list[int]
    scheme: Any  # the ScoringScheme's id and data
    performance: dict[int, s.PerformanceResult]
    now: Any
    write: bool
    revision_id: int | None
    entry_binds: list | None  # ``_binds`` of ``_SLICE_COLUMNS`` and of the results' columns
    result_binds: list | None
    copy: bool = False  # workers send the entries to write as PostgreSQL COPY text (``_copy_text``)


@dataclass
class _Slice:
    """One slice of the units recomputed: the comparison with the stored ledger and the rows to write,
    bound for the driver (``_binds``), so that a worker's slice travels and is written as it is."""

    units: int = 0
    computed: int = 0
    stored: int = 0
    missing: dict[int, list] = field(default_factory=dict)  # quarter → sample keys computed, not stored
    unexpected: dict[int, list] = field(default_factory=dict)  # quarter → sample keys stored, not computed
    changed: list[int] = field(default_factory=list)  # units with a quarter whose entries differ: rewritten
    replaced: list[int] = field(default_factory=list)  # the changed units that have stored entries to delete
    entries: list[tuple] = field(default_factory=list)  # ``_SLICE_COLUMNS`` rows of the changed units
    copy_data: bytes = b""  # or those rows and ``_COPY_CONSTANTS`` as COPY text (a worker's, ``_Plan.copy``)
    results: list[tuple] = field(default_factory=list)  # ``_RESULT_COLUMNS`` rows, colour without overdue cases
    selection: Any = None  # the units: None, ids, or a ``UnitRange``


_COLOUR_AT = _RESULT_COLUMNS.index("colour")
# The ledger columns a slice's rows carry; the year, scheme and revision are the same in every row.
_SLICE_COLUMNS = ("unit_id", "quarter", "dimension", "points", "reason", "detail", "source_kind", "source_id")
_COPY_CONSTANTS = ("year", "scheme_id", "revision_id")
# What must match between a stored entry and a recomputed one (``entry_key`` without the period's year),
# from a ``_SLICE_COLUMNS`` row.
_KEY = itemgetter(*(_SLICE_COLUMNS.index(c) for c in ("unit_id", "quarter", "dimension", "points", "reason",
                                                       "source_kind", "source_id")))


def _stored_by_unit(year: int, quarters: list[int], selection) -> dict[int, list[tuple]]:
    """The stored ledger's keys (``_KEY``) of the selected units in the quarters, by unit, as the driver
    returns them (no result processing: compared with entries bound for the same driver). Unsorted: rows
    written together come back in the order they were written (their index's or their table's order),
    which is the order ``_recompute_slice`` compares first; any other order is compared as a multiset."""
    t = ScoreEntry.__table__.c
    stmt = (select(t.unit_id, t.quarter, t.dimension, t.points, t.reason, t.source_kind, t.source_id)
            .where(t.year == year, t.quarter.in_(quarters), src.unit_cond(t.unit_id, selection)))
    out: dict[int, list[tuple]] = {}
    for row in driver_rows(stmt):
        if row[0] in out:
            out[row[0]].append(row)
        else:
            out[row[0]] = [row]
    return out


_POINTS_AT = _SLICE_COLUMNS.index("points")


def _slice_values(rows: Iterable[tuple], binds: list | None) -> list[tuple]:
    """Engine rows as ``_SLICE_COLUMNS`` rows, bound for the driver (``binds``: see ``binds_for``). The one
    bind the drivers need here (SQLite's points as a float) is applied inline, any other by ``bind_row``."""
    if binds and [i for i, _ in binds] == [_POINTS_AT]:
        bind = binds[0][1]
        return [(unit_id, quarter, dimension, bind(points), reason, detail[:DETAIL_MAX], kind, source_id)
                for unit_id, _, quarter, dimension, points, reason, detail, kind, source_id in rows]
    values = [(unit_id, quarter, dimension, points, reason, detail[:DETAIL_MAX], kind, source_id)
              for unit_id, _, quarter, dimension, points, reason, detail, kind, source_id in rows]
    return [bind_row(v, binds) for v in values] if binds else values


def _result_value(unit_id: int, year: int, quarter: int, rows: list[tuple], scheme, now,
                  overdue: bool = False) -> tuple:
    """A unit-quarter's ``_RESULT_COLUMNS`` row from its engine rows (``overdue``: it has an overdue open
    case at the quarter's end)."""
    summary = s.summarise_rows(rows, scheme=scheme.data, overdue_open=overdue)
    return (unit_id, year, quarter, summary.index, *map(summary.dimensions.__getitem__, s.DIMENSIONS),
            summary.colour, None, scheme.id, now)


def _recompute_slice(plan: _Plan, selection) -> _Slice:
    """Compute the selected units' ledger and results and compare them with the stored ledger (reads only).

    A unit whose computed entries differ from its stored ones in any quarter is rewritten (all its quarters
    of the period); the others keep their stored entries. Values are compared as the driver stores them."""
    year, quarters, scheme = plan.year, plan.quarters, plan.scheme
    fresh = compute_rows(year, quarters, scheme.data, selection, plan.performance)
    stored = _stored_by_unit(year, quarters, selection)
    part = _Slice(selection=selection, missing={qq: [] for qq in quarters}, unexpected={qq: [] for qq in quarters})
    by_unit: dict[int, list[tuple]] = {}
    for (unit_id, _), rows in fresh.items():
        by_unit.setdefault(unit_id, []).extend(rows)
    part.units = len(by_unit)
    binds = plan.entry_binds

    def full(k: tuple) -> tuple:  # the ``entry_key`` of a ``_KEY``
        return k[0], year, *k[1:]

    for unit_id, rows in by_unit.items():
        part.computed += len(rows)
        values = _slice_values(rows, binds)
        kept = stored.pop(unit_id, None)
        if kept is not None:
            part.stored += len(kept)
            mine = list(map(_KEY, values))
            if mine == kept:  # stored as a recompute writes them: compared in order, element by element
                continue
            mine, theirs = Counter(mine), Counter(map(tuple, kept))  # else as multisets
            if mine == theirs:
                continue
            for k in (mine - theirs).elements():
                _sample(part.missing[k[1]], (full(k),))
            for k in (theirs - mine).elements():
                _sample(part.unexpected[k[1]], (full(k),))
        elif values:
            for value in values[:SAMPLES]:
                _sample(part.missing[value[1]], (full(_KEY(value)),))
        else:
            continue
        part.changed.append(unit_id)
        if kept is not None:
            part.replaced.append(unit_id)
        part.entries += values
    for unit_id, kept in stored.items():  # stored for units no longer scored (inactive)
        part.stored += len(kept)
        part.changed.append(unit_id)
        part.replaced.append(unit_id)
        for k in kept[:SAMPLES]:
            _sample(part.unexpected[k[1]], (full(tuple(k)),))
    if plan.write:
        values = [_result_value(unit_id, year, qq, rows, scheme, plan.now) for (unit_id, qq), rows in fresh.items()]
        part.results = [bind_row(v, plan.result_binds) for v in values] if plan.result_binds else values
    return part


def _sample(into: list, keys: Iterable[tuple]) -> None:
    for key in keys:
        if len(into) >= SAMPLES:
            return
        into.append(key)


def _slices(unit_ids: list[int] | None, workers: int) -> list:
    """The unit selections to recompute: everything at once, or ``SHARD_UNITS`` slices of the active units'
    id range for the workers (the first and last open-ended, so stored rows of any unit are covered)."""
    if unit_ids is not None or workers < 2:
        return [unit_ids]
    unit = Unit.__table__.c
    ids = list(db.session.scalars(select(unit.id).where(unit.active.is_(True)).order_by(unit.id)))
    cuts = [ids[i] for i in range(SHARD_UNITS, len(ids), SHARD_UNITS)]
    lows = [None, *cuts]
    highs = [c - 1 for c in cuts] + [None]
    return [src.UnitRange(lo, hi) for lo, hi in zip(lows, highs, strict=True)]


# The plan the forked workers compute with: set in the parent just before the fork, inherited.
_PLAN: _Plan | None = None
_INHERITED: list = []  # the parent's session and pool in a worker: kept, never used or closed there


def _worker_start() -> None:
    """A forked worker leaves the parent's connections alone (kept referenced, so never finalised: the
    worker ends with ``os._exit``) and reads through new ones; it inherits the parent's paused collector
    (``db_bulk.cycles_uncollected``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _INHERITED.extend((db.session(), db.engine.pool))
    db.engine.dispose(close=False)
    db.session.registry.set(db.session.session_factory())


def _slice_job(selection) -> _Slice:
    plan = _PLAN
    part = _recompute_slice(plan, selection)
    db.session.rollback()
    if plan.copy and part.entries:  # formatted here, in parallel: the writing process only sends the bytes
        part.copy_data = _copy_text(part.entries, plan)
        part.entries = []
    return part


_TEXT_AT = [_SLICE_COLUMNS.index(c) for c in ("dimension", "reason", "detail", "source_kind")]


def _copy_text(values: list[tuple], plan: _Plan) -> bytes:
    """``_SLICE_COLUMNS`` rows and ``_COPY_CONSTANTS`` in COPY text format (``db_bulk.copy_insert``). The
    text values are escaped only if any of them has a character to escape (usually none has)."""
    if copy_escapes_needed(text for i in _TEXT_AT for text in map(itemgetter(i), values)):
        values = [(unit_id, quarter, copy_str(dimension), points, copy_str(reason), copy_str(detail),
                   None if kind is None else copy_str(kind), source_id)
                  for unit_id, quarter, dimension, points, reason, detail, kind, source_id in values]
    tail = "\t".join(COPY_NULL if v is None else str(v) for v in (plan.year, plan.scheme.id, plan.revision_id))
    return "".join(
        f"{unit_id}\t{quarter}\t{dimension}\t{str(points)}\t{reason}\t{detail}\t"
        f"{COPY_NULL if kind is None else kind}\t{COPY_NULL if source_id is None else source_id}\t{tail}\n"
        for unit_id, quarter, dimension, points, reason, detail, kind, source_id in values).encode()


def _write(part: _Slice, plan: _Plan, overdue: dict[int, set[int]]) -> None:
    """Replace the slice's changed units' entries and all its unit-quarters' results (the colours of the
    units with an overdue open case at the quarter's end overridden)."""
    year, units = plan.year, part.replaced
    for start in range(0, len(units), DELETE_CHUNK):
        db.session.execute(delete(ScoreEntry).where(ScoreEntry.year == year, ScoreEntry.quarter.in_(plan.quarters),
                                                    ScoreEntry.unit_id.in_(units[start:start + DELETE_CHUNK])))
    if part.copy_data:
        copy_insert(ScoreEntry.__table__, _SLICE_COLUMNS + _COPY_CONSTANTS, part.copy_data)
    else:
        bulk_insert(ScoreEntry.__table__, _SLICE_COLUMNS, part.entries, bound=True,
                    constants={"year": year, "scheme_id": plan.scheme.id, "revision_id": plan.revision_id})
    results = [(*value[:_COLOUR_AT], s.overdue_colour(value[_COLOUR_AT]), *value[_COLOUR_AT + 1:])
               if value[0] in overdue[value[2]] else value for value in part.results]
    stale, results = _results_changed(results, plan, part.selection)
    for start in range(0, len(stale), DELETE_CHUNK):
        db.session.execute(delete(PeriodResult).where(PeriodResult.id.in_(stale[start:start + DELETE_CHUNK])))
    if results:
        bulk_insert(PeriodResult.__table__, _RESULT_COLUMNS, results, bound=True)


_RESULT_SAME = len(_RESULT_COLUMNS) - 1  # what must match for a stored result to be kept: all but ``computed_at``


def _results_changed(values: list[tuple], plan: _Plan, selection) -> tuple[list[int], list[tuple]]:
    """The ids of the selection's stored results of the period that differ from ``values`` (bound
    ``_RESULT_COLUMNS`` rows) or are not among them, and the ``values`` not stored as they are. A result that
    is the same keeps its row (and its ``computed_at``): an unchanged year rewrites none."""
    t = PeriodResult.__table__.c
    stmt = (select(t.id, *(t[c] for c in _RESULT_COLUMNS[:_RESULT_SAME]))
            .where(t.year == plan.year, t.quarter.in_(plan.quarters), src.unit_cond(t.unit_id, selection)))
    stored = {(row[1], row[3]): row for row in driver_rows(stmt)}
    stale, fresh = [], []
    for value in values:
        row = stored.pop((value[0], value[2]), None)
        if row is not None and row[1:] == value[:_RESULT_SAME]:
            continue
        if row is not None:
            stale.append(row[0])
        fresh.append(value)
    stale += [row[0] for row in stored.values()]  # units no longer scored
    return stale, fresh


@contextmanager
def _slices_computed(plan: _Plan, selections: list, workers: int) -> Iterator[Iterator[_Slice]]:
    """Each selection's slice, in order: computed in this process as it is consumed, or ahead by forked
    workers (started on entering) while the caller writes the slices already done — only the caller writes."""
    if workers < 2 or len(selections) < 2:
        yield (_recompute_slice(plan, sel) for sel in selections)
        return
    global _PLAN
    _PLAN = plan
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start) as pool:
            yield pool.imap(_slice_job, selections)
    finally:
        _PLAN = None


# SQLite's page cache while a large recompute writes (KiB): the ledger's index pages stay in memory
# instead of being re-read (a province year: about a tenth less CPU, a quarter less time).
WRITE_CACHE_KIB = 128 * 1024


@contextmanager
def _write_cache(large: bool) -> Iterator[None]:
    """A larger SQLite page cache for this connection while a large recompute writes, then the old one."""
    if not large or db.session.get_bind().dialect.name != "sqlite":
        yield
        return
    driver = db.session.connection().connection.driver_connection  # outside the session's state
    saved = int(driver.execute("PRAGMA cache_size").fetchone()[0])
    driver.execute(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size={saved}")


def parallel_workers(units: int) -> int:
    """How many worker processes a recompute of ``units`` units gets: several only for a large period, on
    a database other processes can open (a file or a server), where ``fork`` exists."""
    url = db.engine.url
    minimum = current_app.config.get("LEDGER_PARALLEL_MIN_UNITS", PARALLEL_MIN_UNITS)
    if units < minimum or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def recompute_in_session(year: int, quarter: int | None = None, *, unit_ids: list[int] | None = None,
                         write: bool | None = None, revision_id: int | None = None, workers: int = 1
                         ) -> RecomputeReport:
    """Rebuild the ledger and results of a period from the source records (no commit).

    The stored entries of a unit are kept when they are what the sources give (only the units that
    differ are rewritten); the results are all rewritten. A published year is compared only, never
    rewritten (``write`` defaults to that). ``workers`` > 1 computes slices of the units in forked
    processes, which read only what is committed: the caller must have nothing uncommitted."""
    started = _time.perf_counter()
    quarters = [quarter] if quarter else scored_quarters(year)
    report = RecomputeReport(year=year, quarters=quarters)
    if write is None:
        write = year_status_of(year) != "published"
    report.written = write
    if not quarters:
        return report
    scheme = scheme_for_year(year)
    dialect = db.session.get_bind().dialect
    selections = _slices(unit_ids, workers)
    report.workers = workers if len(selections) > 1 else 1
    # Computed once for every slice: the performance indicators (each unit is compared with its peers).
    plan = _Plan(year, quarters, _SchemeRef(scheme.id, scheme.data), src.performance(year, scheme.data, unit_ids),
                 clock.now(), write, revision_id, binds_for(ScoreEntry.__table__, _SLICE_COLUMNS, dialect),
                 binds_for(PeriodResult.__table__, _RESULT_COLUMNS, dialect),
                 copy=report.workers > 1 and dialect.name == "postgresql" and dialect.driver == "psycopg")
    missing: dict[int, list] = {qq: [] for qq in quarters}
    unexpected: dict[int, list] = {qq: [] for qq in quarters}
    large = len(selections) > 1
    with (cycles_uncollected() if large else nullcontext(), _slices_computed(plan, selections, report.workers) as parts,
          _write_cache(write and large)):
        # While the workers compute: the units with an overdue open case at each quarter's end.
        overdue = {qq: src.overdue_open_units(year, qq, unit_ids) for qq in quarters} if write else {}
        for part in parts:
            report.units += part.units
            report.computed += part.computed
            report.stored += part.stored
            report.rewritten += len(part.changed)
            for qq in quarters:
                _sample(missing[qq], part.missing[qq])
                _sample(unexpected[qq], part.unexpected[qq])
            if write:
                _write(part, plan, overdue)
    for qq in quarters:  # every difference leaves at least one sample
        if missing[qq] or unexpected[qq]:
            report.reproduced = False
        report.differences += [f"missing {k}" for k in missing[qq]]
        report.differences += [f"unexpected {k}" for k in unexpected[qq]]
    report.seconds = _time.perf_counter() - started
    return report


@dataclass(frozen=True)
class _SchemeRef:
    """The scheme's id and data (what the slices need; picklable, no session)."""

    id: int
    data: dict


def recompute(year: int, quarter: int | None = None, *, write: bool | None = None,
              workers: int | None = None) -> RecomputeReport:
    """Rebuild a period's ledger from the source records, commit, and say whether it was reproduced.

    A large period is computed by forked worker processes (``parallel_workers``) when the session has
    nothing uncommitted they could not see; ``workers`` overrides the choice."""
    try:
        if workers is None:
            workers = 1 if db.session().in_transaction() else parallel_workers(_active_units())
        report = recompute_in_session(year, quarter, write=write, workers=workers)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _active_units() -> int:
    unit = Unit.__table__.c
    return db.session.scalar(select(func.count()).select_from(Unit.__table__).where(unit.active.is_(True)))


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
    on_transitions([ctx])


def on_transitions(ctxs) -> None:
    """The transition hook for one transition (``case_transition``) or a batch of them in one transaction
    (``case_transitions``: the sweep's escalations): the events' entries booked in their quarters, each
    unit-quarter's stored ledger read, limited and written once for all its events.

    Without autoflush: what the transitions still have pending (their deadline history rows) is none of
    these reads, and is written with the transitions' own flush; the paths that read the deadline
    history flush first."""
    today = clock.today()
    periods: dict[tuple[int, int], dict[int, list]] = {}
    for ctx in ctxs:
        if ctx.trigger not in src.SCORED_TRIGGERS:
            continue
        year, quarter = src.event_quarter(ctx.event.at)
        # Only a past year can be published (grading starts after the year ends): reachable only with a clock
        # set back; published results change by revision only.
        if year < today.year and year_status_of(year) == "published":
            continue
        periods.setdefault((year, quarter), {}).setdefault(ctx.case.unit_id, []).append(ctx)
    with db.session.no_autoflush:
        for (year, quarter), units in sorted(periods.items()):
            _book_period(year, quarter, units)


def _record_notice_deduction(ctx, scheme: dict) -> None:
    """An ``issue_notice`` records on the case the deduction its acceptance on time gives half of back."""
    case = ctx.case
    severity = (ctx.event.data or {}).get("severity") or case.severity
    row = scheme["case_outcomes"]["issue_notice"]
    points = s.num(row["points"][severity])
    if case.origin == "self_report":
        points *= s.num(row["self_report_factor"])
    case.notice_deduction = s.q(abs(points))


def _book_period(year: int, quarter: int, units: dict[int, list]) -> None:
    """Book the events of ``units`` (unit → contexts) in one unit-quarter each: new case entries, fresh
    limits, the result; a unit with nothing stored yet (or an event already booked) is recomputed from its
    sources instead."""
    scheme = _current_scheme(year)
    rules = s.Rules(scheme.data)
    for ctxs in units.values():
        for ctx in ctxs:
            if ctx.trigger == "issue_notice":
                _record_notice_deduction(ctx, scheme.data)
    accepts = {ctx.case.id: ctx.event.id for ctxs in units.values() for ctx in ctxs if ctx.trigger == "accept"}
    dues = src.rectify_due_before(list(accepts), accepts)
    ids = sorted(units)
    stored_by: dict[int, list] = {}
    for start in range(0, len(ids), DELETE_CHUNK):
        for row in db.session.execute(_STORED, {"unit_ids": ids[start:start + DELETE_CHUNK], "year": year,
                                                "quarter": quarter}):
            stored_by.setdefault(row.unit_id, []).append(row)
    if (year, quarter) == s.quarter_of(clock.today()):
        overdue = src.overdue_now_units(ids)
    else:  # a clock set back (replays): the state at that quarter's end from the events and deadline history
        db.session.flush()
        overdue = src.overdue_open_units(year, quarter, ids)
    refresh, stale, rows, results = [], [], [], []
    for unit_id in ids:
        ctxs, stored = units[unit_id], stored_by.get(unit_id, [])
        events = {ctx.event.id for ctx in ctxs}
        if not stored or any(r.source_kind == "case_event" and r.source_id in events for r in stored):
            refresh.append(unit_id)
            continue
        new = [(unit_id, year, quarter, *tail) for ctx in ctxs
               if (tail := rules.outcome_tail(src.outcome_of(ctx.event, ctx.case, dues.get(ctx.case.id))))]
        # Engine rows (the stored columns after the id), so the limits are the engine's own.
        kept = [tuple(r)[1:] for r in stored if r.reason not in s.LIMIT_REASONS]
        combined = s.limit_rows(kept + new, scheme=scheme.data)
        stale += [r.id for r in stored if r.reason in s.LIMIT_REASONS]
        rows += [e for e in combined if e[5] in s.LIMIT_REASONS or (e[7] == "case_event" and e[8] in events)]
        results.append(dict(zip(_RESULT_COLUMNS, _result_value(unit_id, year, quarter, combined, scheme, clock.now(),
                                                               unit_id in overdue), strict=True)))
    for start in range(0, len(stale), DELETE_CHUNK):
        db.session.execute(delete(ScoreEntry.__table__).where(_E.id.in_(stale[start:start + DELETE_CHUNK])))
    insert_entries(rows, scheme.id)
    _save_results(results)
    if refresh:
        db.session.flush()  # the recompute reads the deadline history, these transitions' included
        recompute_in_session(year, quarter, unit_ids=refresh)


def _save_results(values: list[dict]) -> None:
    """Upsert the results of unit-quarters of one period. One (a single transition): an UPDATE, an INSERT
    only the first time; many: the stored ones read at once, UPDATEs for them, INSERTs for the rest."""
    if not values:
        return
    if len(values) == 1:
        value = values[0]
        done = db.session.execute(_UPDATE_RESULT, {**value, "key_unit": value["unit_id"], "key_year": value["year"],
                                                   "key_quarter": value["quarter"]})
        if not done.rowcount:
            db.session.execute(insert(PeriodResult.__table__), [value])
        return
    year, quarter = values[0]["year"], values[0]["quarter"]
    ids = [v["unit_id"] for v in values]
    have: set[int] = set()
    for start in range(0, len(ids), DELETE_CHUNK):
        have.update(db.session.scalars(select(_R.unit_id).where(
            _R.year == year, _R.quarter == quarter, _R.unit_id.in_(ids[start:start + DELETE_CHUNK]))))
    updates = [{**v, "key_unit": v["unit_id"], "key_year": year, "key_quarter": quarter}
               for v in values if v["unit_id"] in have]
    if updates:
        db.session.execute(_UPDATE_RESULT, updates)
    inserts = [v for v in values if v["unit_id"] not in have]
    if inserts:
        db.session.execute(insert(PeriodResult.__table__), inserts)
