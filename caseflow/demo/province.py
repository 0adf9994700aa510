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

import bisect
import hashlib
import random
import sys
import time as _time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import func, select, text

from caseflow import clock
from caseflow.demo import names
from caseflow.demo.district import DEMO_PASSWORD, DEMO_USERS, SUMMARIES, database_is_empty
from caseflow.extensions import db
from caseflow.models import (
    CATEGORIES,
    CHANNELS,
    Attachment,
    Case,
    CaseEvent,
    ControlCheck,
    CostRecord,
    DeadlineChange,
    Document,
    DocumentCounter,
    IncentiveAward,
    RiskPoint,
    Sanction,
    Signal,
    Station,
    SupervisionFinding,
    SurveyResult,
    Unit,
    User,
    station_area,
)
from caseflow.security import hash_password
from caseflow.services.audit import GENESIS, event_hash, jsonable
from caseflow.services.calendar import get_calendar
from caseflow.services.deadlines import rule_workdays
from caseflow.services.numbering import case_number, document_number, signal_number
from caseflow.states import DEADLINE_CLEARS, DEADLINES, TRIGGERS

FULL = {"units": 10_000, "signals": 300_000, "cases": 100_000, "officers": 200, "supervisors": 30}
CHUNK = 5_000
# Share of each unit kind; peer groups are the kinds (SPEC §5 default).
UNIT_MIX = (("town", 0.04), ("village", 0.60), ("community", 0.18), ("station", 0.10), ("agency", 0.06),
            ("enterprise", 0.02))
CITIES = ("杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水")
COST_PER_HEAD = {"town": 9.0, "village": 4.0, "community": 5.0, "station": 7.0, "agency": 11.0, "enterprise": 14.0}
# (weight, triggers after ``open``); the last trigger decides the state. Open paths end recently.
PATHS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (38, ("issue_notice", "acknowledge", "submit_report", "accept")),
    (6, ("issue_notice", "acknowledge", "submit_report", "reject", "submit_report", "accept")),
    (3, ("issue_notice", "acknowledge", "escalate", "order_talk", "record_talk", "submit_report", "accept")),
    (2, ("issue_notice", "acknowledge", "escalate", "order_inquiry", "record_inquiry", "submit_report", "accept")),
    (1, ("issue_notice", "escalate", "order_talk", "record_talk", "submit_report", "accept")),
    (1, ("issue_notice", "acknowledge", "submit_report", "accept", "reopen", "submit_report", "accept")),
    (10, ("dismiss",)),
    (1, ("issue_notice", "acknowledge", "escalate", "order_talk", "refer")),
    (1, ("issue_notice", "acknowledge", "submit_report", "reject", "submit_report", "reject", "refer")),
    (6, ()),
    (5, ("issue_notice",)),
    (10, ("issue_notice", "acknowledge")),
    (1.5, ("issue_notice", "acknowledge", "submit_report", "reject")),
    (1, ("issue_notice", "acknowledge", "escalate", "order_talk", "record_talk")),
    (0.5, ("issue_notice", "acknowledge", "submit_report", "accept", "reopen")),
    (5, ("issue_notice", "acknowledge", "submit_report")),
    (2, ("issue_notice", "acknowledge", "escalate")),
    (1, ("issue_notice", "escalate")),
    (1.5, ("issue_notice", "acknowledge", "escalate", "order_talk")),
    (1, ("issue_notice", "acknowledge", "escalate", "order_inquiry")),
)
TERMINAL_END = {"accept", "dismiss", "refer"}
# Days the last event of an open case lies before now: (low, high) — wide enough that some are overdue.
OPEN_GAP = {"detected": (0, 20), "notice_issued": (0, 7), "rectifying": (0, 34), "verifying": (0, 10)}
DELAYS = {"issue_notice": (1, 10), "dismiss": (2, 20), "accept": (1, 7), "reject": (1, 7), "order_talk": (2, 12),
          "order_inquiry": (2, 12), "record_talk": (3, 20), "record_inquiry": (3, 20), "refer": (5, 30),
          "reopen": (20, 120), "escalate": (1, 10)}
SWEEP_HOUR = time(6, 0)
CST_OFFSET = timedelta(hours=8)  # China Standard Time has had no daylight saving since 1991
FIELD_DEFAULTS = {name: {f.name: f.default for f in spec.fields} for name, spec in TRIGGERS.items()}


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


class ProvinceBuilder:
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

        def add(username: str, role: str, display: str, unit_id=None, station_id=None, department=None) -> int:
            uid = len(rows) + 1
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

    # ---------------------------------------------------------------- time helpers
    def add_workdays(self, start: date, n: int) -> date:
        """``WorkCalendar.add_workdays`` over the precomputed list (same answer, no day-by-day walk)."""
        ix = bisect.bisect_right(self.workdays, start) + n - 1
        return self.workdays[ix] if 0 <= ix < len(self.workdays) and n > 0 else self.cal.add_workdays(start, n)

    @staticmethod
    def _at(rng: random.Random, day: date, after: datetime | None = None, at: time | None = None) -> datetime:
        """An instant on ``day`` in office hours (CST, a fixed UTC+8), later than ``after``; UTC, whole seconds."""
        instant = datetime.combine(day, at or time(8 + int(rng.random() * 10), int(rng.random() * 60)),
                                   tzinfo=UTC) - CST_OFFSET
        if after is not None and instant <= after:
            instant = after + timedelta(minutes=5 + int(rng.random() * 85))
        return instant

    @staticmethod
    def _local_day(at: datetime) -> date:
        return (at + CST_OFFSET).date()

    # ---------------------------------------------------------------- cases
    def _simulate(self, seed: int, path: tuple[str, ...], first_day: date, unit_id: int, handler: int,
                  origin: str) -> tuple[list[tuple], dict]:
        """Walk ``path`` from ``first_day`` exactly as ``case_transition`` would record it: events
        (trigger, from, to, actor id, role, at, data, deadline changes) and the final case state."""
        r = random.Random(seed)
        st = {"state": "detected", "ack_due": None, "rectify_due": None, "verify_due": None, "severity": None,
              "rectify_workdays": None, "reject_count": 0, "notice_deduction": None, "closed_at": None}
        at = self._at(r, first_day)
        events = [("open", None, "detected", handler, "officer", at, None, [])]
        on_time = True
        for trigger in path:
            frm, day = st["state"], self._local_day(at)
            actor, role, hour = handler, "officer", None
            data = dict(FIELD_DEFAULTS[trigger])
            if trigger == "acknowledge":
                day += timedelta(days=r.randint(0, max((st["ack_due"] - day).days, 0)))
                if r.random() < 0.3:
                    data["method"] = "paper"
                else:
                    data["method"], actor, role = "system", self.leader_of[unit_id], "unit_leader"
            elif trigger == "submit_report":
                room = (st["rectify_due"] - day).days
                day += timedelta(days=r.randint(min(3, max(room, 0)), max(room, 0)))
                actor, role = self.leader_of[unit_id], "unit_leader"
                data.update(report="已按告知书要求完成整改，整改报告及佐证材料附后。", attachment_ids=[0])
            elif trigger == "escalate":
                due = st["ack_due"] if frm == "notice_issued" else st["rectify_due"]
                if frm == "notice_issued" or r.random() < 0.7:
                    data["reason"] = "overdue_acknowledgement" if frm == "notice_issued" else "overdue_rectification"
                    data["note"] = f"{'acknowledge' if frm == 'notice_issued' else 'rectify'} due {due.isoformat()}"
                    day, actor, role, hour = due + timedelta(days=1), None, "system", SWEEP_HOUR
                else:
                    day += timedelta(days=r.randint(*DELAYS["escalate"]))
                    data["reason"] = "manual"
            else:
                day += timedelta(days=r.randint(*DELAYS[trigger]))
                if trigger in ("order_talk", "order_inquiry", "refer", "reopen"):
                    actor, role = self.supervisors[seed % len(self.supervisors)], "supervisor"
            at = self._at(r, day, after=at, at=hour)
            if data.get("method") == "paper":  # delivered on paper some hours before it was recorded
                data["delivered_at"] = clock.local(max(at - timedelta(hours=r.randint(1, 20)), events[-1][5]))
            if trigger == "issue_notice":
                severity = r.choices(("minor", "moderate", "serious"), (50, 35, 15))[0]
                data.update(severity=severity, findings="经核查，反映问题基本属实，存在廉政风险。",
                            requirements="请于期限内完成整改并书面报告整改情况。",
                            rectify_workdays=r.choice((20, 20, 20, 15, 30, 10)))
                st["severity"], st["rectify_workdays"] = severity, data["rectify_workdays"]
                points = Decimal({"minor": 1, "moderate": 2, "serious": 4}[severity])
                st["notice_deduction"] = (points / 2 if origin == "self_report" else points).quantize(Decimal("0.0001"))
            elif trigger == "submit_report":
                on_time = st["rectify_due"] is None or self._local_day(at) <= st["rectify_due"]
                data.update(rectify_due=st["rectify_due"], on_time=on_time)
            elif trigger == "accept":
                data.update(note="整改到位，核查通过。", on_time=on_time)
            elif trigger in ("reject", "reopen"):
                data.update(reason="整改不到位，需继续整改。" if trigger == "reject" else "问题反弹，重新整改。",
                            rectify_workdays=r.choice((None, 10, 15)))
            elif trigger == "dismiss":
                data["reason"] = r.choices(("unfounded", "duplicate", "out_of_scope"), (70, 20, 10))[0]
            elif trigger in ("order_talk", "order_inquiry"):
                data["kind"] = r.choice(("integrity_talk", "admonishment_talk") if trigger == "order_talk"
                                        else ("inquiry", "questioning"))
                data["with_whom" if trigger == "order_talk" else "whom"] = "单位主要负责人" if trigger == "order_talk" \
                    else "单位领导班子"
                if trigger == "order_talk":
                    data["scheduled_on"] = day + timedelta(days=r.randint(2, 7))
            elif trigger in ("record_talk", "record_inquiry"):
                data.update(minutes="谈话已进行，当事人表示将立即整改。", rectify_workdays=r.choice((10, 15, 20)))
            elif trigger == "refer":
                data["reason"] = "问题严重，移送审查调查。"
            to = TRIGGERS[trigger].dest
            if trigger == "reject":
                to = "escalated" if st["reject_count"] >= 1 else "rectifying"
                st["reject_count"] += 1
            st["state"] = to
            st["closed_at"] = at if to in ("closed", "dismissed", "referred") else None
            events.append((trigger, frm, to, actor, role, at, data, self._deadlines(st, to, data, at, trigger)))
        return events, st

    def _deadlines(self, st: dict, to: str, data: dict, at: datetime, trigger: str) -> list[tuple]:
        """``services.deadlines.deadlines_apply`` on plain values: (kind, old, new) changes."""
        cols = {"acknowledge": "ack_due", "rectify": "rectify_due", "verify": "verify_due"}
        out = []
        for kind in DEADLINE_CLEARS.get(to, ()):
            if st[cols[kind]] is not None:
                out.append((kind, st[cols[kind]], None))
                st[cols[kind]] = None
        rule = DEADLINES.get(to)
        if rule is not None:
            start = self._local_day(at)
            given = data.get(rule.from_field) if rule.from_field else None
            if isinstance(given, datetime):
                start = clock.local(given).date()
            workdays = data.get(rule.workdays_field) if rule.workdays_field else None
            if not workdays:
                workdays = st["rectify_workdays"] if rule.kind == "rectify" and st["rectify_workdays"] else \
                    self.default_workdays[rule.kind]
            due = self.add_workdays(start, int(workdays))
            if due != st[cols[rule.kind]]:
                out.append((rule.kind, st[cols[rule.kind]], due))
                st[cols[rule.kind]] = due
        return out

    def case_specs(self) -> None:
        """Choose every case's unit, path and dates; a case is re-walked when written (little memory)."""
        rng, n = self.rng, self.size["cases"]
        weights = [w for w, _ in PATHS]
        start_day, specs = self.start.date(), []
        units = self.unit_ids
        for i in range(n):
            path_ix = rng.choices(range(len(PATHS)), weights)[0]
            path = PATHS[path_ix][1]
            unit = units[int(len(units) * rng.random() ** 1.3)]  # some units attract more cases
            handler = self.officers[rng.randrange(len(self.officers))]
            origin = rng.choices(("signal", "self_report", "manual"), (85, 8, 7))[0]
            category = rng.choice(list(CATEGORIES))
            seed = rng.getrandbits(62)
            events, st = self._simulate(seed, path, start_day, unit, handler, origin)
            span = (self._local_day(events[-1][5]) - start_day).days
            if path and path[-1] in TERMINAL_END:
                latest = (self.today - start_day).days - span - 2
                first = start_day + timedelta(days=rng.randint(0, max(latest, 0)))
            else:
                low, high = OPEN_GAP.get(st["state"], (0, 30))
                first = self.today - timedelta(days=rng.randint(low, high) + span)
            opened = self._at(random.Random(seed), first)  # the walk's first draw: its opening instant
            near_now = not (path and path[-1] in TERMINAL_END) or first + timedelta(days=span + 30) > self.today
            for _ in range(6 if near_now else 0):  # the walk shifts with the calendar: end it by now
                events, st = self._simulate(seed, path, first, unit, handler, origin)
                over = (events[-1][5] - self.now).total_seconds()
                opened = events[0][5]
                if over <= 0:
                    break
                first -= timedelta(days=int(over // 86400) + 1)
            specs.append((opened, i, seed, path_ix, first, unit, handler, origin, category))
            if (i + 1) % CHUNK == 0:
                self.w.progress("plan", i + 1, n)
        specs.sort()
        self.case_specs_sorted = specs
        self.case_opened = [s[0] for s in specs]

    def cases(self) -> None:
        """Write the cases in opening order with numbers per year, their events (hash-chained by the
        audit module's own function), deadline history, evidence metadata; collect notices and signals."""
        names_of = {r["id"]: r["name"] for r in self.unit_rows}
        per_year: dict[int, int] = {}
        ev_id = att_id = 0
        self.notices: list[tuple] = []
        self.receipts: list[tuple] = []
        self.case_signals: list[tuple] = []
        self.case_unit: list[int] = []
        self.open_cases = 0
        cases, events_rows, changes, attachments = [], [], [], []
        total = len(self.case_specs_sorted)
        for cid, (opened, _i, seed, path_ix, first, unit, handler, origin, category) in enumerate(
                self.case_specs_sorted, start=1):
            path = PATHS[path_ix][1]
            events, st = self._simulate(seed, path, first, unit, handler, origin)
            year = self._local_day(opened).year
            per_year[year] = per_year.get(year, 0) + 1
            r = random.Random(seed ^ 0x5A5A)
            title = f"{names_of[unit]}{r.choice(SUMMARIES[category])}"[:200]
            prev = GENESIS
            for seq, (trigger, frm, to, actor, role, at, data, dchanges) in enumerate(events, start=1):
                ev_id += 1
                if trigger == "open":
                    data = {"title": title, "category": category, "origin": origin}
                elif trigger == "submit_report":
                    att_id += 1
                    data = {**data, "attachment_ids": [att_id]}
                    attachments.append({"id": att_id, "case_id": cid, "event_id": ev_id, "uploaded_by_id": actor,
                                        "filename": "整改佐证材料.pdf", "content_type": "application/pdf",
                                        "size": r.randint(40_000, 2_000_000),
                                        "sha256": f"{r.getrandbits(256):064x}", "created_at": at - timedelta(minutes=3)})
                elif trigger == "issue_notice":
                    self.notices.append((at, cid, unit, ev_id, handler))
                elif trigger == "acknowledge":
                    self.receipts.append((at, cid, unit, ev_id, handler))
                ev = SimpleNamespace(case_id=cid, seq=seq, trigger=trigger, from_state=frm, to_state=to,
                                     actor_id=actor, actor_role=role, at=at, data=jsonable(data), prev_hash=prev)
                ev.hash = prev = event_hash(ev)
                events_rows.append(vars(ev))
                for kind, old, new in dchanges:
                    changes.append({"case_id": cid, "event_id": ev_id, "kind": kind, "old_due": old,
                                    "new_due": new, "at": at, "reason": trigger})
            last_at = events[-1][5]
            cases.append({"id": cid, "number": case_number(year, per_year[year]), "unit_id": unit, "title": title,
                          "category": category, "severity": st["severity"], "origin": origin, "annual_year": None,
                          "state": st["state"], "version": len(events), "handler_id": handler,
                          "reject_count": st["reject_count"], "rectify_workdays": st["rectify_workdays"],
                          "notice_deduction": st["notice_deduction"], "ack_due": st["ack_due"],
                          "rectify_due": st["rectify_due"], "verify_due": st["verify_due"], "opened_at": opened,
                          "updated_at": last_at, "closed_at": st["closed_at"]})
            self.open_cases += st["state"] not in ("closed", "dismissed", "referred")
            self.case_unit.append(unit)
            if origin == "signal":
                self.case_signals.append((opened - timedelta(days=r.randint(0, 8), minutes=r.randint(30, 600)),
                                          unit, category, cid, handler, opened))
            if len(cases) >= CHUNK or cid == total:
                self.w.put(Case, cases)
                self.w.put(CaseEvent, events_rows)
                self.w.put(DeadlineChange, changes)
                self.w.put(Attachment, attachments)
                cases, events_rows, changes, attachments = [], [], [], []
                self.w.progress("cases", cid, total)
        self.counters = [("case", y, n) for y, n in per_year.items()]

    def documents(self) -> None:
        """A 预警告知书 per ``issue_notice``, numbered per year in issue order without gaps; a 送达回证
        per ``acknowledge``."""
        prefix = current_app.config.get("NOTICE_PREFIX", "镇纪预告")
        rows, per_year = [], {}
        for at, cid, unit, ev, actor in sorted(self.notices):
            year = self._local_day(at).year
            per_year[year] = per_year.get(year, 0) + 1
            rows.append({"id": len(rows) + 1, "kind": "notice", "number": document_number(prefix, year, per_year[year]),
                         "year": year, "version": 1, "case_id": cid, "unit_id": unit, "event_id": ev,
                         "title": "预警告知书", "context": {}, "created_at": at, "created_by_id": actor})
        for at, cid, unit, ev, actor in sorted(self.receipts):
            rows.append({"id": len(rows) + 1, "kind": "receipt", "number": None, "year": self._local_day(at).year,
                         "version": 1, "case_id": cid, "unit_id": unit, "event_id": ev, "title": "送达回证",
                         "context": {}, "created_at": at, "created_by_id": actor})
        self.w.stream("documents", Document, rows, len(rows))
        self.counters += [(prefix, y, n) for y, n in per_year.items()]
        self.counters += [("notice", y, n) for y, n in per_year.items()]

    # ---------------------------------------------------------------- signals
    def signals(self) -> None:
        """The cases' source signals plus the rest of the 300,000 through every channel, numbered per
        year in order of receipt: rejected, linked to an earlier case, assigned, or still new."""
        rng, total = self.rng, self.size["signals"]
        start, span = self.start.astimezone(UTC), (self.now - self.start.astimezone(UTC)).total_seconds()
        specs = [(at, unit, cat, cid, officer, triaged, "case_opened") for at, unit, cat, cid, officer, triaged
                 in self.case_signals]
        cats = list(CATEGORIES)
        for _ in range(max(total - len(specs), 0)):
            at = start + timedelta(seconds=int(span * rng.random() ** 0.8))  # more signals lately
            unit = self.unit_ids[int(len(self.unit_ids) * rng.random() ** 1.3)]
            age = (self.now - at).days
            roll = rng.random()
            officer = self.officers[rng.randrange(len(self.officers))]
            if age < 12 and roll < 0.5:
                specs.append((at, unit, rng.choice(cats), None, None, None, "new"))
            elif roll < 0.3 and self.case_opened and self.case_opened[0] < at:
                cid = rng.randrange(bisect.bisect_left(self.case_opened, at)) + 1
                specs.append((at, self.case_unit[cid - 1], rng.choice(cats), cid, officer,
                              at + timedelta(hours=rng.randint(2, 72)), "linked"))
            elif roll < 0.75:
                specs.append((at, unit, rng.choice(cats), None, officer, at + timedelta(hours=rng.randint(2, 120)),
                              "rejected"))
            else:
                specs.append((at, unit, rng.choice(cats), None, officer, None, "assigned"))
        specs.sort(key=lambda s: (s[0], s[3] or 0, s[1]))
        self.signal_years: dict[int, int] = {}
        self.w.stream("signals", Signal, self._signal_rows(specs), len(specs))
        self.counters += [("signal", y, n) for y, n in self.signal_years.items()]

    def _signal_rows(self, specs: list[tuple]) -> Iterable[dict]:
        rng, channels = self.rng, list(CHANNELS)
        weights = [30, 14, 12, 5, 5, 4, 8, 6, 6, 6, 4]
        names_of = {r["id"]: r["name"] for r in self.unit_rows}
        for sid, (at, unit, category, cid, officer, triaged, status) in enumerate(specs, start=1):
            received = self._local_day(at)
            year = received.year
            self.signal_years[year] = self.signal_years.get(year, 0) + 1
            channel = rng.choices(channels, weights)[0]
            discovered = received - timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 4)))
            station = self.station_of[unit] if channel == "monitoring_station" else None
            anonymous = channel == "public_web"
            summary = rng.choice(SUMMARIES[category])
            yield {
                "id": sid, "number": signal_number(year, self.signal_years[year]), "channel": channel,
                "unit_id": unit, "unit_name_given": None, "station_id": station, "discovered_on": discovered,
                "received_at": at, "category": category, "summary": f"{names_of[unit]}{summary}"[:200],
                "details": f"反映{names_of[unit]}{summary}，请核查。",
                "source_details": {k: f"{year}-{rng.randint(1, 9999):04d}" for k in CHANNELS[channel][1]},
                "reporter_id": self.monitor_of[station] if station else None, "anonymous": anonymous,
                "receipt_hash": hashlib.sha256(f"province-{self.seed}-{sid}".encode()).hexdigest() if anonymous
                else None,
                "reporter_contact": None,
                "late": station is not None and self.add_workdays(discovered, 1) < received,
                "status": status, "department": "第一纪检监察室" if officer else None, "officer_id": officer,
                "handling_due": self.add_workdays(received, 10) if officer else None, "case_id": cid,
                "outcome_reason": "经初核，反映问题不属实。" if status == "rejected" else None,
                "triaged_at": triaged, "triaged_by_id": officer if triaged else None,
            }

    # ---------------------------------------------------------------- scoring inputs
    def inputs(self) -> None:
        """Two full years of control checks, surveys, findings, sanctions and awards, and three years of
        cost records (trend needs the year before); each unit has a steady 'quality' so colours spread."""
        rng, years = self.rng, (self.first_year, self.first_year + 1)
        quality = {u: min(1.0, max(0.5, rng.gauss(0.9, 0.07))) for u in self.unit_ids}
        kinds = [k for k, _ in UNIT_MIX]
        if not db.session.scalar(select(func.count(RiskPoint.id))):
            self.w.put(RiskPoint, [{"unit_kind": k, "code": f"{k[:3].upper()}{i}", "name": f"风险点{i}：{c}",
                                    "weight": Decimal(1)} for k in kinds for i, c in
                                   enumerate(("三资管理", "财务审批", "工程招投标", "物资采购", "选人用人"), start=1)])
        checks, surveys, findings, sanctions, awards = [], [], [], [], []
        projects = ("economic_subject", "public_opinion", "service_object", "internal_staff")
        sources = ("audit", "social", "media", "people_congress", "cppcc", "inspection")
        total = len(years) * len(self.unit_ids)
        done = 0
        for year in years:
            for u in self.unit_ids:
                qual = quality[u]
                for quarter in (1, 2, 3, 4):
                    at = datetime.combine(date(year, 3 * quarter, 25), time(10), tzinfo=clock.CST)
                    for i in range(1, 6):
                        roll = rng.random()
                        result = "pass" if roll < qual else ("partial" if roll < qual + (1 - qual) / 2 else "fail")
                        checks.append({"unit_id": u, "year": year, "quarter": quarter, "item": f"风险点{i}",
                                       "weight": Decimal(1), "result": result, "created_at": at})
                    if quarter in (2, 4):
                        for p in projects:
                            rate = min(1.0, max(0.4, rng.gauss(qual, 0.06)))
                            surveys.append({"unit_id": u, "year": year, "quarter": quarter, "project": p,
                                            "rate": Decimal(f"{rate:.4f}"), "respondents": rng.randint(20, 200),
                                            "created_at": at})
                    if rng.random() < (1 - qual) * 0.8:
                        findings.append({"unit_id": u, "year": year, "quarter": quarter, "source": rng.choice(sources),
                                         "severity": rng.choices(("minor", "moderate", "serious"), (70, 25, 5))[0],
                                         "found_on": date(year, 3 * quarter - 1, rng.randint(1, 28)),
                                         "summary": "监督检查发现问题", "created_at": at})
                    if rng.random() < 0.025:
                        kind = rng.choices(("admin_finding", "warning", "serious_warning", "removal", "probation",
                                            "expulsion", "criminal"), (40, 30, 12, 8, 5, 3, 2))[0]
                        conduct = date(year - rng.randint(0, 3), rng.randint(1, 12), rng.randint(1, 28))
                        sanctions.append({"unit_id": u, "year": year, "quarter": quarter, "person": names.person(rng),
                                          "subject": rng.choices(("principal", "team_member", "staff"), (15, 35, 50))[0],
                                          "kind": kind, "conduct_on": conduct,
                                          "decided_on": date(year, 3 * quarter - 1, rng.randint(1, 28)),
                                          "case_id": None, "summary": "违纪问题", "created_at": at})
                    if rng.random() < 0.08:
                        awards.append({"unit_id": u, "year": year, "quarter": quarter,
                                       "kind": rng.choice(("innovation", "self_discovery", "cooperation")),
                                       "summary": "获表彰", "created_at": at})
                done += 1
                if len(checks) >= 4 * CHUNK:
                    self._flush_inputs(checks, surveys, findings, sanctions, awards)
                    self.w.progress("inputs", done, total)
        self._flush_inputs(checks, surveys, findings, sanctions, awards)
        self.w.progress("inputs", done, total)
        costs = []
        for u in self.unit_ids:
            row = self.unit_rows[u - 1]
            per_head = COST_PER_HEAD[row["kind"]] * rng.uniform(0.85, 1.15) * 10_000
            for year in (self.first_year - 1, *years):
                head = max(1, row["headcount"] + rng.randint(-2, 2))
                cost = per_head * head * (1 + rng.gauss(0.03, 0.05)) ** (year - self.first_year + 1)
                costs.append({"unit_id": u, "year": year, "admin_cost": Decimal(f"{cost:.2f}"),
                              "budget": Decimal(f"{cost * rng.uniform(1.0, 1.12):.2f}"), "headcount": head,
                              "created_at": self.created})
        self.w.put(CostRecord, costs)

    def _flush_inputs(self, *lists: list[dict]) -> None:
        for model, rows in zip((ControlCheck, SurveyResult, SupervisionFinding, Sanction, IncentiveAward), lists,
                               strict=True):
            if rows:
                self.w.put(model, rows)
                rows.clear()

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

    def ledger(self) -> None:
        """The scoring engineer's ``recompute`` for the two input years and the current year."""
        try:
            from caseflow.services.ledger import recompute
        except ImportError:
            self.result.lines.append("ledger not computed: caseflow.services.ledger.recompute is not there yet")
            return
        for year in (self.first_year, self.first_year + 1, self.today.year):
            started = _time.perf_counter()
            report = recompute(year)
            self.result.seconds[f"recompute {year}"] = round(_time.perf_counter() - started, 2)
            self.result.lines.append(f"ledger {year}: {report.computed:,} entries for {report.units:,} units "
                                     f"in {self.result.seconds[f'recompute {year}']} s")
            self.w.progress("ledger", year - self.first_year + 1, 3)

    def build(self, ledger: bool = True) -> ProvinceResult:
        """Run every step, one commit per step; returns counts and timings."""
        steps = [("units", self.units), ("stations", self.stations), ("users", self.users),
                 ("plan", self.case_specs), ("cases", self.cases), ("documents", self.documents),
                 ("signals", self.signals), ("inputs", self.inputs), ("finish", self.finish)]
        if ledger:
            steps.append(("ledger", self.ledger))
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


def build_province(seed: int = 2008, scale: float = 1.0, progress=None, ledger: bool = True) -> ProvinceResult:
    """Build the province dataset into an empty database (refuses otherwise)."""
    if not database_is_empty():
        raise RuntimeError("the database is not empty; the province dataset goes only into an empty database")
    return ProvinceBuilder(seed, scale, progress).build(ledger=ledger)
