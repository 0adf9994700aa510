"""The province benchmark dataset (SPEC §8 ``--scale province``): 10,000 units, 300,000 signals,
100,000 cases with hash-chained events, deadlines, evidence and notice metadata, two years of
scoring inputs, then the ledger.

Rows go in through Core bulk inserts in chunks (never an ORM object per row) with explicit
primary keys, so events, deadline history, attachments and documents can point at each other
without a round trip; PostgreSQL sequences are moved past them at the end. Every number comes
from ``random.Random(seed)``, so a seed always gives the same data. The event hashes are
computed by ``caseflow.services.audit.event_hash`` itself, so ``caseflow audit verify`` passes.
"""
from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sys
import time as _time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from types import SimpleNamespace
from typing import Any, NamedTuple, TextIO

from sqlalchemy import Boolean, Date, Numeric, text

from caseflow import clock
from caseflow.demo import names
from caseflow.demo.district import DEMO_PASSWORD, DEMO_USERS, database_is_empty
from caseflow.demo.province_cases import CHUNK, CaseSteps
from caseflow.demo.province_inputs import InputSteps
from caseflow.extensions import db
from caseflow.models import (
    Attachment,
    Case,
    CaseEvent,
    ControlCheck,
    CostRecord,
    DeadlineChange,
    Document,
    DocumentCounter,
    IncentiveAward,
    Sanction,
    Signal,
    Station,
    SupervisionFinding,
    SurveyResult,
    Unit,
    User,
    station_area,
)
from caseflow.models.types import UTCDateTime
from caseflow.security import hash_password
from caseflow.services.calendar import get_calendar
from caseflow.services.deadlines import rule_workdays
from caseflow.states import DEADLINES

FULL = {"units": 10_000, "signals": 300_000, "cases": 100_000, "officers": 200, "supervisors": 30}
# Share of each unit kind; peer groups are the kinds (SPEC §5 default).
UNIT_MIX = (("town", 0.04), ("village", 0.60), ("community", 0.18), ("station", 0.10), ("agency", 0.06),
            ("enterprise", 0.02))
# The tables the build fills in bulk (their secondary indexes are built once, after the rows).
BULK_TABLES = frozenset(t.name for t in (Unit.__table__, Station.__table__, station_area, User.__table__,
                                         Case.__table__, CaseEvent.__table__, DeadlineChange.__table__,
                                         Attachment.__table__, Document.__table__, Signal.__table__,
                                         ControlCheck.__table__, SurveyResult.__table__,
                                         SupervisionFinding.__table__, Sanction.__table__,
                                         IncentiveAward.__table__, CostRecord.__table__))
# SQLite page cache during the build, and PostgreSQL's memory for building each index (KiB).
BUILD_CACHE_KIB = 256 * 1024
CITIES = ("杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水")
# At most this many worker processes (``ProvinceBuilder.in_workers``), never more than the CPUs.
MAX_WORKERS = 4
# The step function the forked workers run: set in the parent just before the fork, inherited.
_WORK: Callable[[Any], Any] | None = None


def _worker_start() -> None:
    """A worker leaves Ctrl-C to the parent, which stops the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_job(job: Any) -> Any:
    return _WORK(job)


@dataclass
class ProvinceResult:
    """What the province builder made, for the CLI and the bench."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


# Each phase's usual share of the build's time: its width on the progress bar.
PHASE_WEIGHTS = {"units": 1, "users": 1, "plan": 8, "cases": 34, "documents": 16, "signals": 14, "inputs": 6,
                 "indexes": 8, "ledger": 12}


class ProgressBar:
    """One bar for the whole build on a stream (stderr by default): the phases fill it in turn, each
    over its usual share of the time. On a terminal the line is redrawn in place; otherwise a line is
    written at every 5 % and at each new phase (logs stay short)."""

    def __init__(self, stream: TextIO | None = None, ledger: bool = True, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.width = width
        weights = {k: w for k, w in PHASE_WEIGHTS.items() if ledger or k != "ledger"}
        whole, before = sum(weights.values()), 0
        self.span: dict[str, tuple[float, float]] = {}
        for phase, weight in weights.items():
            self.span[phase] = (before / whole, weight / whole)
            before += weight
        self.started = _time.perf_counter()
        self.shown = (None, -1)
        self.fraction = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        start, share = self.span.get(phase, (self.fraction, 0.0))
        self.fraction = max(self.fraction, min(1.0, start + share * (done / total if total else 1.0)))
        percent = int(self.fraction * 100)
        if not self.tty and self.shown == (phase, percent // 5):
            return
        self.shown = (phase, percent // 5)
        filled = int(self.fraction * self.width)
        seconds = int(_time.perf_counter() - self.started)
        line = (f"province [{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}%  {seconds // 60}:{seconds % 60:02d}"
                f"  {phase} {done:,}/{total:,}")
        self.stream.write(f"\r{line:<78}" if self.tty else line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line on a terminal."""
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


class Prepared(NamedTuple):
    """Rows of one table ready for the driver (what worker processes hand back)."""

    table: str
    cols: list[str]
    values: list[list]


class _Writer:
    """Chunked bulk inserts through the driver; tracks counts per table."""

    def __init__(self, progress: Callable[[str, int, int], None]) -> None:
        self.progress = progress
        self.counts: dict[str, int] = {}
        self._converters: dict[tuple[str, tuple[str, ...]], list] = {}

    def put(self, target, rows: list[dict]) -> None:
        """Insert ``rows`` (dicts with the same keys)."""
        self.write(self.prepare(target, rows))

    def prepare(self, target, rows: list[dict]) -> Prepared | None:
        """The rows as the driver takes them: each value through its column type's bind processing
        (``bind_converters``). Needs no connection, so worker processes prepare rows too."""
        if not rows:
            return None
        table = getattr(target, "__table__", target)
        cols = list(rows[0])
        key = (table.name, tuple(cols))
        if key not in self._converters:
            self._converters[key] = bind_converters(table, cols, db.engine.dialect)
        convert = [(i, f) for i, f in enumerate(self._converters[key]) if f is not None]
        get = itemgetter(*cols)
        values = [[get(row)] for row in rows] if len(cols) == 1 else [list(get(row)) for row in rows]
        for value in values:
            for i, f in convert:
                value[i] = f(value[i])
        return Prepared(table.name, cols, values)

    def write(self, prepared: Prepared | None) -> None:
        """Insert prepared rows: COPY on PostgreSQL, ``executemany`` on SQLite."""
        if prepared is None:
            return
        conn = db.session.connection()
        quote = conn.dialect.identifier_preparer.quote
        column_list = ", ".join(quote(c) for c in prepared.cols)
        raw = conn.connection.driver_connection
        if conn.dialect.name == "postgresql":
            with raw.cursor() as cur, cur.copy(f"COPY {quote(prepared.table)} ({column_list}) FROM STDIN") as copy:
                for value in prepared.values:
                    copy.write_row(value)
        else:
            cur = raw.cursor()
            cur.executemany(f"INSERT INTO {quote(prepared.table)} ({column_list}) "
                            f"VALUES ({', '.join('?' * len(prepared.cols))})", prepared.values)
            cur.close()
        self.counts[prepared.table] = self.counts.get(prepared.table, 0) + len(prepared.values)

    def stream(self, phase: str, target, rows: Iterable[dict], total: int) -> None:
        buf: list[dict] = []
        done = 0
        for row in rows:
            buf.append(row)
            if len(buf) >= CHUNK:
                self.put(target, buf)
                done += len(buf)
                buf = []
                self.progress(phase, done, total)
        if buf:
            self.put(target, buf)
            done += len(buf)
        self.progress(phase, done, max(total, done))


def _sqlite_utc(value: datetime | None) -> str | None:
    """``UTCDateTime`` then SQLite's ``DATETIME`` bind processing in one step: the naive UTC instant
    as ``2026-01-05 01:30:00.000000`` (the same text SQLAlchemy stores)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime; use caseflow.clock.now()")
    return (value if value.tzinfo is UTC else value.astimezone(UTC)).isoformat(" ", "microseconds")[:-6]


def _memo(proc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``proc`` remembered per value: dates, flags and amounts repeat across thousands of rows."""
    seen: dict[Any, Any] = {}

    def process(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            out = seen[value] = proc(value)
            return out

    return process


def bind_converters(table, cols: list[str], dialect) -> list[Callable[[Any], Any] | None]:
    """Per column, the function giving the value the driver receives (None: passed as is) — the
    column type's own bind processing, with SQLite's timestamps formatted directly and repeating
    kinds of values (dates, booleans, decimals) converted once per distinct value."""
    out: list[Callable[[Any], Any] | None] = []
    for name in cols:
        col_type = table.c[name].type
        proc = col_type._cached_bind_processor(dialect)
        if proc is not None and isinstance(col_type, UTCDateTime) and dialect.name == "sqlite":
            proc = _sqlite_utc
        elif proc is not None and isinstance(col_type, Date | Boolean | Numeric):
            proc = _memo(proc)
        out.append(proc)
    return out


class ProvinceBuilder(CaseSteps, InputSteps):
    """Builds the dataset; ``scale`` shrinks every count (tests use 1/500)."""

    def __init__(self, seed: int = 2008, scale: float = 1.0, progress=None, workers: int | None = None,
                 block: int = CHUNK) -> None:
        # Worker processes for the steps that split into independent blocks (``in_workers``).
        self.workers = min(os.cpu_count() or 1, MAX_WORKERS) if workers is None else workers
        self.block = block
        self.rng = random.Random(seed)
        self.seed = seed
        self.size = {k: max(int(round(v * scale)), 3) for k, v in FULL.items()}
        self.size["units"] = max(self.size["units"], 12)
        self.w = _Writer(progress or ProgressBar())
        self.now = clock.now()
        self.today = clock.today()
        self.first_year = self.today.year - 2
        self.start = datetime.combine(date(self.first_year, 1, 1), time(9), tzinfo=clock.CST)
        self.cal = get_calendar()
        # ``services.deadlines.rule_workdays`` when neither the trigger nor the case gives a period.
        self.default_workdays = {rule.kind: rule_workdays(rule, SimpleNamespace(rectify_workdays=None), {})
                                 for rule in DEADLINES.values()}
        # The calendar's own working days, listed once: "n working days after d" is then a bisect.
        first, last = self.start.date() - timedelta(days=40), self.today + timedelta(days=400)
        self.workdays = [first + timedelta(days=i) for i in range((last - first).days)
                         if self.cal.is_workday(first + timedelta(days=i))]
        self.pw = hash_password(DEMO_PASSWORD)
        self.created = self.start.astimezone(UTC)
        self.result = ProvinceResult()

    # ---------------------------------------------------------------- units, stations, users
    def units(self) -> None:
        """Towns with their villages, communities and grassroots stations; agencies; enterprises."""
        rng, n = self.rng, self.size["units"]
        counts = {k: max(int(n * share), 1) for k, share in UNIT_MIX}
        counts["village"] += n - sum(counts.values())
        rows, self.unit_kind, self.unit_parent = [], {}, {}
        towns: list[int] = []

        def add(kind: str, name: str, parent: int | None, headcount: int) -> int:
            uid = len(rows) + 1
            rows.append({"id": uid, "code": f"P{uid:05d}", "name": name[:120], "kind": kind, "parent_id": parent,
                         "peer_group": kind, "headcount": headcount, "principal_leader": names.person(rng),
                         "leaders": "、".join(names.person(rng) for _ in range(3)), "active": True})
            self.unit_kind[uid], self.unit_parent[uid] = kind, parent
            return uid

        for i in range(counts["town"]):
            city = CITIES[i % len(CITIES)]
            towns.append(add("town", f"{city}{names.village_names(rng, 1, '')[0]}{'镇' if i % 3 else '街道'}{i // 11 + 1}",
                             None, rng.randint(60, 140)))
        for kind, suffix, size in (("village", "村", (5, 15)), ("community", "社区", (6, 20))):
            for i in range(counts[kind]):
                town = towns[i % len(towns)]
                add(kind, rows[town - 1]["name"] + names.village_names(rng, 1, suffix)[0], town, rng.randint(*size))
        for i in range(counts["station"]):
            town = towns[i % len(towns)]
            add("station", rows[town - 1]["name"] + names.STATION_KINDS[(i // len(towns)) % 5], town,
                rng.randint(8, 40))
        for i in range(counts["agency"]):
            add("agency", f"{CITIES[i % 11]}市{names.AGENCIES[(i // 11) % len(names.AGENCIES)]}"
                          f"{'' if i < 11 * len(names.AGENCIES) else i}", None, rng.randint(15, 120))
        for i in range(counts["enterprise"]):
            add("enterprise", f"{CITIES[i % 11]}市{names.ENTERPRISES[(i // 11) % 9]}（{i // 99 + 1}）", None,
                rng.randint(80, 400))
        self.unit_rows = rows
        self.unit_names = {r["id"]: r["name"] for r in rows}
        self.unit_ids = [r["id"] for r in rows]
        self.w.put(Unit, rows)
        self.w.progress("units", len(rows), len(rows))

    def stations(self) -> None:
        """Two monitoring stations per town (town/communities/stations; villages), one per ten agencies
        or enterprises; every unit lies in exactly one station's area."""
        by_kind: dict[str, list[int]] = {}
        for uid in self.unit_ids:
            by_kind.setdefault(self.unit_kind[uid], []).append(uid)
        children: dict[int, dict[str, list[int]]] = {}
        for uid in self.unit_ids:
            parent = self.unit_parent[uid]
            if parent:
                children.setdefault(parent, {}).setdefault(self.unit_kind[uid], []).append(uid)
        groups: list[tuple[str, int | None, list[int]]] = []
        names_of = {r["id"]: r["name"] for r in self.unit_rows}
        for town in by_kind["town"]:
            kids = children.get(town, {})
            groups.append((f"{names_of[town]}廉情监测站", town,
                           [town] + kids.get("community", []) + kids.get("station", [])))
            if kids.get("village"):
                groups.append((f"{names_of[town]}村务廉情监测点", town, kids["village"]))
        for kind, label in (("agency", "机关"), ("enterprise", "国企")):
            members = by_kind.get(kind, [])
            for i in range(0, len(members), 10):
                groups.append((f"{label}廉情监测点（{i // 10 + 1}）", members[i], members[i:i + 10]))
        rows, area, self.station_of = [], [], {}
        for sid, (name, host, members) in enumerate(groups, start=1):
            rows.append({"id": sid, "code": f"PJC{sid:04d}", "name": name[:120], "host_unit_id": host, "active": True})
            for uid in members:
                area.append({"station_id": sid, "unit_id": uid})
                self.station_of[uid] = sid
        self.station_area = {sid: members for sid, (_, _, members) in enumerate(groups, start=1)}
        self.w.put(Station, rows)
        self.w.put(station_area, area)

    def users(self) -> None:
        """The district's demo logins, then officers, supervisors, a monitor per station, a leader per unit."""
        rng, rows = self.rng, []
        self.user_info: dict[int, SimpleNamespace] = {}

        def add(username: str, role: str, display: str, unit_id=None, station_id=None, department=None) -> int:
            uid = len(rows) + 1
            self.user_info[uid] = SimpleNamespace(id=uid, display_name=display[:80], department=department, phone=None,
                                                  role=role)
            rows.append({"id": uid, "username": username, "display_name": display[:80], "password_hash": self.pw,
                         "role": role, "unit_id": unit_id, "station_id": station_id, "department": department,
                         "active": True, "session_token": f"{rng.getrandbits(128):032x}", "failed_logins": 0,
                         "created_at": self.created, "password_changed_at": self.created})
            return uid

        first_village = next(u for u in self.unit_ids if self.unit_kind[u] == "village")
        self.officers, self.supervisors = [], []
        self.leader_of: dict[int, int] = {}
        self.monitor_of: dict[int, int] = {}
        for username, role, display in DEMO_USERS:
            unit = first_village if role == "unit_leader" else None
            station = 1 if role == "monitor" else None
            uid = add(username, role, display or f"{role} {names.person(rng)}", unit, station,
                      "第一纪检监察室" if role == "officer" else None)
            {"officer": self.officers, "supervisor": self.supervisors}.get(role, []).append(uid)
            if role == "unit_leader":
                self.leader_of[unit] = uid
            if role == "monitor":
                self.monitor_of[station] = uid
            self.result.logins.append((role, username, DEMO_PASSWORD))
        for i in range(len(self.officers) + 1, self.size["officers"] + 1):
            self.officers.append(add(f"officer{i:03d}", "officer", f"承办人 {names.person(rng)}",
                                     department=f"第{'一二三四五六七八'[i % 8]}纪检监察室"))
        for i in range(len(self.supervisors) + 1, self.size["supervisors"] + 1):
            self.supervisors.append(add(f"supervisor{i:03d}", "supervisor", f"纪委领导 {names.person(rng)}"))
        for sid in self.station_area:
            if sid not in self.monitor_of:
                self.monitor_of[sid] = add(f"monitor{sid:04d}", "monitor", f"监测员 {names.person(rng)}",
                                           station_id=sid)
        for r in self.unit_rows:
            if r["id"] not in self.leader_of:
                self.leader_of[r["id"]] = add(f"leader{r['code'].lower()}", "unit_leader",
                                              f"{r['name']} {r['principal_leader']}", unit_id=r["id"])
        self.w.put(User, rows)
        self.w.progress("users", len(rows), len(rows))

    # ---------------------------------------------------------------- worker processes
    def in_workers(self, work: Callable[[Any], Any], jobs: list) -> Iterator[Any]:
        """``work(job)`` for each job, in order. With more than one worker and job, forked processes
        compute them: they inherit the builder's state, so only jobs and results (rows prepared for
        the driver) travel; at most two jobs per worker run ahead of the caller, who writes the
        results as they come — the database is only ever written by this process."""
        if self.workers < 2 or len(jobs) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            yield from map(work, jobs)
            return
        global _WORK
        _WORK = work
        try:
            with multiprocessing.get_context("fork").Pool(self.workers, initializer=_worker_start) as pool:
                pending: deque = deque()
                for job in jobs:
                    pending.append(pool.apply_async(_run_job, (job,)))
                    if len(pending) > 2 * self.workers:
                        yield pending.popleft().get()
                while pending:
                    yield pending.popleft().get()
        finally:
            _WORK = None

    # ---------------------------------------------------------------- finishing
    def finish(self) -> None:
        """Number counters continue after the generated numbers; PostgreSQL sequences past the ids."""
        self.w.put(DocumentCounter, [{"prefix": p, "year": y, "last": n} for p, y, n in self.counters])
        if db.session.get_bind().dialect.name == "postgresql":
            for model in (Unit, Station, User, Case, CaseEvent, Attachment, Document, Signal):
                table = model.__tablename__
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                        f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"))
        db.session.commit()

    def ledger(self, periods: str = "all") -> None:
        """The scoring engineer's ``recompute``: for the two input years and the current year (``all``),
        or only the current quarter, which the board shows (``current``, for the bench)."""
        try:
            from caseflow.services.ledger import recompute
        except ImportError:
            self.result.lines.append("ledger not computed: caseflow.services.ledger.recompute is not there yet")
            return
        quarter = (self.today.month - 1) // 3 + 1
        if periods == "current":
            todo = [(self.today.year, quarter)]
        else:
            todo = [(self.first_year, None), (self.first_year + 1, None), (self.today.year, None)]
        for done, (year, q) in enumerate(todo, start=1):
            started = _time.perf_counter()
            report = recompute(year, q)
            label = f"recompute {year}" + (f" Q{q}" if q else "")
            self.result.seconds[label] = round(_time.perf_counter() - started, 2)
            self.result.lines.append(f"ledger {label[10:]}: {report.computed:,} entries for {report.units:,} units "
                                     f"in {self.result.seconds[label]} s")
            self.w.progress("ledger", done, len(todo))

    def build(self, ledger: bool | str = True) -> ProvinceResult:
        """Run every step, one commit per step; returns counts and timings. ``ledger``: True (every
        year), ``"current"`` (the quarters the board shows) or False.

        A bulk load: the secondary indexes of the tables it fills (and on PostgreSQL their foreign
        keys) are dropped first and created again from their own definitions once the rows are in
        (one sort per index instead of a B-tree insert per row, one join per foreign key instead of
        a trigger per row), before the ledger, which reads through them; on SQLite the load also runs
        with ``synchronous=OFF`` and a large page cache (a crash means starting again anyway), both
        restored at the end."""
        steps = [("units", self.units), ("stations", self.stations), ("users", self.users),
                 ("plan", self.case_specs), ("cases", self.cases), ("documents", self.documents),
                 ("signals", self.signals), ("inputs", self.inputs), ("finish", self.finish),
                 ("indexes", self.restore_indexes)]
        if ledger:
            steps.append(("ledger", lambda: self.ledger("current" if ledger == "current" else "all")))
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        pragmas = {"synchronous": "OFF", "cache_size": str(-BUILD_CACHE_KIB)} if sqlite else {}
        saved = {name: db.session.execute(text(f"PRAGMA {name}")).scalar() for name in pragmas}
        self.deferred_ddl = self.drop_indexes()
        try:
            for name, step in steps:
                started = _time.perf_counter()
                for pragma, value in pragmas.items():  # per connection: set again on each step's connection
                    db.session.execute(text(f"PRAGMA {pragma}={value}"))
                step()
                db.session.commit()
                self.result.seconds[name] = round(_time.perf_counter() - started, 2)
        finally:
            db.session.rollback()
            self.restore_indexes()
            for pragma, value in saved.items():
                db.session.execute(text(f"PRAGMA {pragma}={value}"))
            db.session.commit()
        if sqlite:
            db.session.execute(text("ANALYZE"))
        else:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        db.session.commit()
        self.result.counts = dict(self.w.counts, open_cases=self.open_cases)
        return self.result

    # ---------------------------------------------------------------- indexes and constraints
    def drop_indexes(self) -> list[str]:
        """Drop the secondary indexes of the tables the build fills (not those behind primary keys or
        unique constraints) and, on PostgreSQL, their foreign keys (checked row by row by triggers);
        returns the statements that create them again, from the database's own definitions."""
        tables = sorted(BULK_TABLES)
        quote = db.session.get_bind().dialect.identifier_preparer.quote
        if db.session.get_bind().dialect.name == "sqlite":
            found = db.session.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({', '.join(f':t{i}' for i in range(len(tables)))}) ORDER BY name"),
                {f"t{i}": t for i, t in enumerate(tables)}).all()
            keys = []
        else:
            found = db.session.execute(text(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables) "
                "AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY i.relname"),
                {"tables": tables}).all()
            keys = db.session.execute(text(
                "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' "
                "AND t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables) "
                "ORDER BY t.relname, c.conname"), {"tables": tables}).all()
        for table, name, _definition in keys:
            db.session.execute(text(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}"))
        for name, _sql in found:
            db.session.execute(text(f"DROP INDEX {quote(name)}"))
        db.session.commit()
        return [sql for _name, sql in found] + [f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                                               for table, name, definition in keys]

    def restore_indexes(self) -> None:
        """Run again what ``drop_indexes`` undid: indexes, then foreign keys (each validated over the
        loaded rows); once, a no-op afterwards."""
        if not self.deferred_ddl:
            return
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text(f"SET LOCAL maintenance_work_mem = '{BUILD_CACHE_KIB}kB'"))
        total = len(self.deferred_ddl)
        while self.deferred_ddl:
            db.session.execute(text(self.deferred_ddl.pop(0)))
            self.w.progress("indexes", total - len(self.deferred_ddl), total)
        db.session.commit()


def build_province(seed: int = 2008, scale: float = 1.0, progress=None, ledger: bool | str = True) -> ProvinceResult:
    """Build the province dataset into an empty database (refuses otherwise)."""
    if not database_is_empty():
        raise RuntimeError("the database is not empty; the province dataset goes only into an empty database")
    return ProvinceBuilder(seed, scale, progress or ProgressBar(ledger=bool(ledger))).build(ledger=ledger)
