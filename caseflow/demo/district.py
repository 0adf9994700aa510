"""The demo district of SPEC §8: 196 units, 30 stations with monitors, a user of every role,
and signals through every channel over the two years before the clock's year and this year."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from caseflow import clock
from caseflow.demo import names
from caseflow.extensions import db
from caseflow.models import CATEGORIES, CHANNELS, Signal, Station, Unit, User
from caseflow.security import hash_password
from caseflow.services.numbering import next_number, signal_number

DEMO_PASSWORD = "caseflow2026"

# username, role, display name, unit index or station index
DEMO_USERS = [
    ("admin", "admin", "系统管理员"),
    ("officer", "officer", "承办人 王磊"),
    ("officer2", "officer", "承办人 陈静"),
    ("supervisor", "supervisor", "纪委副书记 李强"),
    ("supervisor2", "supervisor", "纪委常委 张敏"),
    ("leader", "unit_leader", None),
    ("monitor", "monitor", None),
    ("auditor", "auditor", "审查员 赵洋"),
]


@dataclass
class DemoResult:
    """What the demo builder made, for the CLI to print."""

    units: int = 0
    stations: int = 0
    signals: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


@dataclass
class DemoContext:
    """What later demo steps build on: the random source, the units and the years covered."""

    rng: random.Random
    seed: int
    first_year: int
    units: list[Unit]
    by_kind: dict[str, list[Unit]]
    stations: list[Station]
    result: DemoResult


def database_is_empty() -> bool:
    """True when no unit exists yet."""
    return (db.session.scalar(select(func.count(Unit.id))) or 0) == 0


def _units(rng: random.Random) -> tuple[list[Unit], dict[str, list[Unit]]]:
    by_kind: dict[str, list[Unit]] = {k: [] for k in ("town", "village", "community", "agency", "station", "enterprise")}
    counter = iter(range(1, 10_000))

    def make(kind: str, name: str, parent: Unit | None, headcount: int) -> Unit:
        unit = Unit(code=f"ZH{next(counter):04d}", name=name, kind=kind, parent=parent, peer_group=kind,
                    headcount=headcount, principal_leader=names.person(rng),
                    leaders="、".join(names.person(rng) for _ in range(3)), active=True)
        by_kind[kind].append(unit)
        return unit

    towns = [make("town", n, None, rng.randint(60, 140)) for n in names.TOWNS]
    for i, n in enumerate(names.village_names(rng, 62, "村")):
        make("village", n, towns[i % len(towns)], rng.randint(5, 15))
    for i, n in enumerate(names.village_names(rng, 32, "社区")):
        make("community", n, towns[i % len(towns)], rng.randint(6, 20))
    for n in names.AGENCIES:
        make("agency", n, None, rng.randint(15, 120))
    for i in range(30):
        town = towns[i % len(towns)]
        make("station", town.name + names.STATION_KINDS[i // len(towns)], town, rng.randint(8, 40))
    for n in names.ENTERPRISES:
        make("enterprise", n, None, rng.randint(80, 400))
    units = [u for group in by_kind.values() for u in group]
    db.session.add_all(units)
    db.session.flush()
    return units, by_kind


def _stations(by_kind: dict[str, list[Unit]]) -> list[Station]:
    stations: list[Station] = []
    towns = by_kind["town"]

    def add(name: str, host: Unit | None, area: list[Unit]) -> None:
        stations.append(Station(code=f"JC{len(stations) + 1:02d}", name=name, host_unit=host, area=area, active=True))

    for town in towns:
        add(f"{town.name}廉情监测站", town, [town] + [u for u in by_kind["community"] if u.parent is town])
    for town in towns:
        villages = [u for u in by_kind["village"] if u.parent is town]
        half = (len(villages) + 1) // 2
        add(f"{town.name}村务廉情监测点（一）", town, villages[:half])
        add(f"{town.name}村务廉情监测点（二）", town, villages[half:])
    agencies = by_kind["agency"]
    for i in range(6):
        add(f"机关廉情监测点（{'一二三四五六'[i]}）", agencies[i], agencies[i::6])
    rest = by_kind["station"] + by_kind["enterprise"]
    for i in range(3):
        add(f"站所企业廉情监测点（{'一二三'[i]}）", None, rest[i::3])
    db.session.add_all(stations)
    db.session.flush()
    return stations


def _users(rng: random.Random, by_kind: dict[str, list[Unit]], stations: list[Station]) -> list[tuple[str, str, str]]:
    password_hash = hash_password(DEMO_PASSWORD)
    now = clock.now()
    logins = []
    leader_unit = by_kind["village"][0]
    for username, role, display in DEMO_USERS:
        unit = leader_unit if role == "unit_leader" else None
        station = stations[0] if role == "monitor" else None
        if role == "unit_leader":
            display = f"{leader_unit.name}书记 {leader_unit.principal_leader}"
        if role == "monitor":
            display = f"监测员 {names.person(rng)}"
        db.session.add(User(username=username, display_name=display, password_hash=password_hash, role=role,
                            unit=unit, station=station, created_at=now, password_changed_at=now,
                            department="第一纪检监察室" if role == "officer" else None))
        logins.append((role, username, DEMO_PASSWORD))
    for i, station in enumerate(stations[1:], start=2):
        db.session.add(User(username=f"monitor{i:02d}", display_name=f"监测员 {names.person(rng)}",
                            password_hash=password_hash, role="monitor", station=station, created_at=now,
                            password_changed_at=now))
    for unit in by_kind["village"][1:6] + by_kind["agency"][:3]:
        db.session.add(User(username=f"leader{unit.code.lower()}", display_name=f"{unit.name} {unit.principal_leader}",
                            password_hash=password_hash, role="unit_leader", unit=unit, created_at=now,
                            password_changed_at=now))
    db.session.flush()
    return logins


SUMMARIES = {
    "three_assets": ["村集体资产出租未经民主程序", "集体资金账外运行", "资源发包价格明显偏低"],
    "tendering": ["工程项目化整为零规避招标", "招标文件设置排他性条款", "围标串标线索"],
    "procurement": ["办公用品采购价格虚高", "未按规定政府采购", "采购验收流于形式"],
    "finance": ["大额资金支出未经集体讨论", "白条入账", "公款私存"],
    "agri_funds": ["惠农补贴冒领", "低保资格审核不严", "农机补贴优亲厚友"],
    "land_demolition": ["拆迁补偿标准执行不一", "违规多列补偿面积", "征地款发放迟滞"],
    "appointments": ["干部选拔程序不规范", "临时人员招录不公开"],
    "approval": ["行政审批超时限办理", "审批环节吃拿卡要", "越权审批"],
    "conduct": ["工作日午间饮酒", "公车私用", "办事推诿拖拉"],
    "other": ["群众反映其他问题"],
}


def _signals(rng: random.Random, units: list[Unit], stations: list[Station], first_year: int) -> int:
    today = clock.today()
    start = date(first_year, 1, 1)
    span = (today - start).days
    channels = list(CHANNELS)
    weights = [30, 14, 12, 5, 5, 4, 8, 6, 6, 6, 4]
    officers = list(db.session.scalars(select(User).where(User.role == "officer")))
    monitor_by_station = {u.station_id: u for u in db.session.scalars(select(User).where(User.role == "monitor"))}
    count = 0
    for _ in range(620):
        channel = rng.choices(channels, weights)[0]
        received_on = start + timedelta(days=rng.randint(0, span))
        discovered = received_on - timedelta(days=rng.choice([0, 0, 0, 1, 1, 2, 4]))
        station = None
        if channel == "monitoring_station":
            station = rng.choice(stations)
            unit = rng.choice(station.area) if station.area else rng.choice(units)
        else:
            unit = rng.choice(units)
        category = rng.choice(list(CATEGORIES))
        received_at = datetime.combine(received_on, time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=clock.CST)
        seq = next_number("signal", received_on.year)
        age = (today - received_on).days
        status = "new" if age < 12 else rng.choice(["assigned", "rejected", "assigned"])
        officer = rng.choice(officers) if status != "new" else None
        source = {
            "call_time": received_at.strftime("%Y-%m-%d %H:%M"),
            "letter_number": f"信{received_on.year}-{rng.randint(1, 999):03d}",
            "visit_record": "区领导接访记录",
            "post_url": f"http://bbs.zh.local/thread-{rng.randint(10000, 99999)}",
            "audit_reference": f"审{received_on.year}第{rng.randint(1, 60)}号",
            "source_note": "其他渠道转交",
        }
        details = CHANNELS[channel][1]
        signal = Signal(
            number=signal_number(received_on.year, seq), channel=channel, unit_id=unit.id,
            station_id=station.id if station else None, discovered_on=discovered,
            received_at=received_at.astimezone(UTC), category=category,
            summary=f"{unit.name}{rng.choice(SUMMARIES[category])}",
            details=f"反映{unit.name}{rng.choice(SUMMARIES[category])}，请核查。",
            source_details={k: source[k] for k in details}, anonymous=channel == "public_web",
            reporter_id=monitor_by_station[station.id].id if station and station.id in monitor_by_station else None,
            late=channel == "monitoring_station" and (received_on - discovered).days > 1,
            status=status, officer_id=officer.id if officer else None,
            department="第一纪检监察室" if officer else None,
            outcome_reason="经初核，反映问题不属实。" if status == "rejected" else None,
        )
        db.session.add(signal)
        count += 1
    return count


def build_district(seed: int = 2008, progress=None) -> DemoResult:
    """Build the demo district, then run every further demo step (modules of ``caseflow.demo``
    defining ``DEMO_STEP``, an order number, and ``build(ctx)``) in order."""
    from caseflow.registry import modules_with

    rng = random.Random(seed)
    first_year = clock.today().year - 2
    units, by_kind = _units(rng)
    stations = _stations(by_kind)
    logins = _users(rng, by_kind, stations)
    signals = _signals(rng, units, stations, first_year)
    db.session.commit()
    result = DemoResult(units=len(units), stations=len(stations), signals=signals, logins=logins)
    ctx = DemoContext(rng=rng, seed=seed, first_year=first_year, units=units, by_kind=by_kind,
                      stations=stations, result=result)
    for module in sorted(modules_with("caseflow.demo", "DEMO_STEP"), key=lambda m: m.DEMO_STEP):
        if progress:
            progress(module.__name__.rsplit(".", 1)[-1])
        module.build(ctx)
        db.session.commit()
    return result
