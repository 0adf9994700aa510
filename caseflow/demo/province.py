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

import random
import sys
import time as _time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

from sqlalchemy import text

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
    Document,
    DocumentCounter,
    Signal,
    Station,
    Unit,
    User,
    station_area,
)
from caseflow.security import hash_password
from caseflow.services.calendar import get_calendar
from caseflow.services.deadlines import rule_workdays
from caseflow.states import DEADLINES

FULL = {"units": 10_000, "signals": 300_000, "cases": 100_000, "officers": 200, "supervisors": 30}
# Share of each unit kind; peer groups are the kinds (SPEC §5 default).
UNIT_MIX = (("town", 0.04), ("village", 0.60), ("community", 0.18), ("station", 0.10), ("agency", 0.06),
            ("enterprise", 0.02))
CITIES = ("杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水")



@dataclass
class ProvinceResult:
    """What the province builder made, for the CLI and the bench."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def stderr_progress(phase: str, done: int, total: int) -> None:
    """Default progress: a percentage line on stderr per 10 % of each phase."""
    if total and (done == total or done * 10 // total != (done - CHUNK) * 10 // total):
        print(f"  province {phase:<10} {100 * done // total:3d}%  ({done:,}/{total:,})", file=sys.stderr, flush=True)


class _Writer:
    """Chunked Core inserts; tracks counts and the tables given explicit ids."""

    def __init__(self, progress: Callable[[str, int, int], None]) -> None:
        self.progress = progress
        self.counts: dict[str, int] = {}

    def put(self, target, rows: list[dict]) -> None:
        """Insert ``rows`` (dicts with the same keys) through the driver: COPY on PostgreSQL,
        ``executemany`` on SQLite, each value passed through its column type's bind processing."""
        if not rows:
            return
        table = getattr(target, "__table__", target)
        conn = db.session.connection()
        dialect = conn.dialect
        cols = list(rows[0])
        procs = [(c, table.c[c].type._cached_bind_processor(dialect)) for c in cols]
        quote = dialect.identifier_preparer.quote
        names = ", ".join(quote(c) for c in cols)
        values = ([proc(row[c]) if proc else row[c] for c, proc in procs] for row in rows)
        raw = conn.connection.driver_connection
        if dialect.name == "postgresql":
            with raw.cursor() as cur, cur.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            cur = raw.cursor()
            for start in range(0, len(rows), CHUNK):
                cur.executemany(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join('?' * len(cols))})",
                                [next(values) for _ in range(min(CHUNK, len(rows) - start))])
            cur.close()
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

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


class ProvinceBuilder(CaseSteps, InputSteps):
    """Builds the dataset; ``scale`` shrinks every count (tests use 1/500)."""

    def __init__(self, seed: int = 2008, scale: float = 1.0, progress=None) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.size = {k: max(int(round(v * scale)), 3) for k, v in FULL.items()}
        self.size["units"] = max(self.size["units"], 12)
        self.w = _Writer(progress or stderr_progress)
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
        year), ``"current"`` (the quarters the board shows) or False."""
        steps = [("units", self.units), ("stations", self.stations), ("users", self.users),
                 ("plan", self.case_specs), ("cases", self.cases), ("documents", self.documents),
                 ("signals", self.signals), ("inputs", self.inputs), ("finish", self.finish)]
        if ledger:
            steps.append(("ledger", lambda: self.ledger("current" if ledger == "current" else "all")))
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        if sqlite:  # a bulk load: a crash means starting again anyway
            db.session.execute(text("PRAGMA synchronous=OFF"))
        for name, step in steps:
            started = _time.perf_counter()
            step()
            db.session.commit()
            self.result.seconds[name] = round(_time.perf_counter() - started, 2)
        if sqlite:
            db.session.execute(text("PRAGMA synchronous=NORMAL"))
            db.session.execute(text("ANALYZE"))
        else:
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        db.session.commit()
        self.result.counts = dict(self.w.counts, open_cases=self.open_cases)
        return self.result


def build_province(seed: int = 2008, scale: float = 1.0, progress=None, ledger: bool | str = True) -> ProvinceResult:
    """Build the province dataset into an empty database (refuses otherwise)."""
    if not database_is_empty():
        raise RuntimeError("the database is not empty; the province dataset goes only into an empty database")
    return ProvinceBuilder(seed, scale, progress).build(ledger=ledger)
