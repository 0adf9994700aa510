"""Demo cases: ~200 cases across the two years before the clock's year and this year, in every state.

Each case is replayed through ``case_open`` / ``case_transition`` under ``clock.frozen`` so its
events carry realistic past dates; overdue deadlines are escalated by the sweep's own logic.
"""
from __future__ import annotations

import random
import struct
import zlib
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from caseflow import clock
from caseflow.demo.district import DEMO_PASSWORD, SUMMARIES, DemoContext
from caseflow.extensions import db
from caseflow.models import Case, Notification, Unit, User
from caseflow.security import hash_password
from caseflow.services.attachments import attachment_save
from caseflow.services.cases import case_open, case_transition
from caseflow.services.sweep import sweep_case

DEMO_STEP = 30
CASES = 200

# A scenario: (weight, steps); a step is (trigger, role, timing). Timing: ("gap", lo, hi) calendar
# days after the previous step, ("before", kind) on time, ("after", kind) after that deadline passed.
_ISSUE = ("issue_notice", "officer", ("gap", 1, 12))
_ACK = ("acknowledge", "unit_leader", ("before", "acknowledge"))
_REPORT = ("submit_report", "unit_leader", ("before", "rectify"))
_ACCEPT = ("accept", "officer", ("before", "verify"))
_REJECT = ("reject", "officer", ("before", "verify"))
_ESCALATE = ("escalate", "officer", ("gap", 3, 10))
_SWEEP_ACK = ("sweep", "acknowledge", ("after", "acknowledge"))
_SWEEP_RECT = ("sweep", "rectify", ("after", "rectify"))
_TALK = ("order_talk", "supervisor", ("gap", 2, 8))
_INQUIRY = ("order_inquiry", "supervisor", ("gap", 2, 8))
_REC_TALK = ("record_talk", "officer", ("gap", 5, 15))
_REC_INQ = ("record_inquiry", "supervisor", ("gap", 10, 25))
_REFER = ("refer", "supervisor", ("gap", 5, 20))
_AFTER_RECTIFY = ("after_report",)
SCENARIOS: list[tuple[int, tuple]] = [
    (30, (_ISSUE, _ACK, _REPORT, _ACCEPT)),
    (8, (_ISSUE, _ACK, ("submit_report", "unit_leader", ("after", "rectify")), _ACCEPT)),
    (10, (_ISSUE, _ACK, _REPORT, _REJECT, _REPORT, _ACCEPT)),
    (5, (_ISSUE, _ACK, _REPORT, _REJECT, _REPORT, _REJECT, _TALK, _REC_TALK, _REPORT, _ACCEPT)),
    (7, (_ISSUE, _SWEEP_ACK, _TALK, _REC_TALK, _REPORT, _ACCEPT)),
    (7, (_ISSUE, _ACK, _SWEEP_RECT, _INQUIRY, _REC_INQ, _REPORT, _ACCEPT)),
    (4, (_ISSUE, _ESCALATE, _REFER)),
    (3, (_ISSUE, _ACK, _SWEEP_RECT, _INQUIRY, _REFER)),
    (3, (_ISSUE, _SWEEP_ACK, _TALK, _REFER)),
    (8, (("dismiss", "officer", ("gap", 2, 15)),)),
    (4, (_ISSUE, _ACK, _REPORT, _ACCEPT, ("reopen", "supervisor", ("gap", 20, 60)), _REPORT, _ACCEPT)),
    (7, ()),
]
_COLUMNS = {"acknowledge": "ack_due", "rectify": "rectify_due", "verify": "verify_due"}


def _png(rng: random.Random) -> bytes:
    """A tiny generated PNG (a coloured 8×8 square) as photo evidence."""
    colour = bytes(rng.randrange(256) for _ in range(3))
    raw = b"".join(b"\x00" + colour * 8 for _ in range(8))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _data(trigger: str, rng: random.Random, case: Case, actor: User) -> dict:
    """Plausible form data for one trigger."""
    if trigger == "issue_notice":
        return {"severity": case.severity or rng.choice(["minor", "moderate", "serious"]),
                "findings": f"经核查，{case.title}，相关制度执行不到位。",
                "requirements": "对照问题逐项整改，健全制度，按期报送整改报告及佐证材料。",
                "rectify_workdays": rng.choice([10, 15, 20, 20, 30])}
    if trigger == "acknowledge":
        return {"method": "system" if actor.role == "unit_leader" else "paper"}
    if trigger == "submit_report":
        if rng.random() < 0.5:
            content, name = _png(rng), "整改现场照片.png"
        else:
            content, name = f"{case.number} 整改报告\n已完成整改：{case.title}。\n".encode(), "整改报告.txt"
        row = attachment_save(content=content, filename=name, actor=actor, case=case)
        return {"report": "已对照告知书逐项整改，相关制度已修订并组织学习。", "attachment_ids": [row.id]}
    return {
        "accept": {"note": "经实地核查，整改到位。"},
        "reject": {"reason": "整改材料不完整，部分问题未整改到位。", "rectify_workdays": 10},
        "escalate": {"reason": "manual", "note": "问题性质较重，提请领导决定。"},
        "order_talk": {"kind": rng.choice(["integrity_talk", "admonishment_talk"]), "with_whom": case.unit.principal_leader or "主要负责人",
                       "scheduled_on": (clock.today() + timedelta(days=3)).isoformat()},
        "order_inquiry": {"kind": rng.choice(["inquiry", "questioning"]), "whom": f"{case.unit.name}领导班子",
                          "working_group": rng.choice(["", "区纪委专门工作组（组长：张敏）"])},
        "record_talk": {"minutes": "谈话对象表态认真整改，限期落实。", "rectify_workdays": 15},
        "record_inquiry": {"minutes": "班子成员逐一说明情况，工作组跟进督促整改。", "rectify_workdays": 20,
                           "working_group_members": "张敏、陈静"},
        "refer": {"reason": "问题严重、整改不力，移送审查调查。"},
        "reopen": {"reason": "问题出现反弹，需重新整改。", "rectify_workdays": 15},
        "dismiss": {"reason": rng.choice(["unfounded", "duplicate", "out_of_scope"])},
    }[trigger]


class Replay:
    """Shared state while replaying: the users by role and a lazily made leader per unit."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        users = list(db.session.scalars(select(User).where(User.active.is_(True))))
        self.officers = [u for u in users if u.role == "officer"]
        self.supervisors = [u for u in users if u.role == "supervisor"]
        self.leaders = {u.unit_id: u for u in sorted(users, key=lambda u: u.id) if u.role == "unit_leader"}
        self._hash: str | None = None

    def leader(self, unit: Unit) -> User:
        if unit.id not in self.leaders:
            self._hash = self._hash or hash_password(DEMO_PASSWORD)
            now = clock.now()
            user = User(username=f"leader{unit.code.lower()}", display_name=f"{unit.name} {unit.principal_leader}",
                        password_hash=self._hash, role="unit_leader", unit_id=unit.id, active=True,
                        created_at=now, password_changed_at=now)
            db.session.add(user)
            db.session.commit()
            self.leaders[unit.id] = user
        return self.leaders[unit.id]

    def actor(self, role: str, case: Case, officer: User) -> User:
        if role == "unit_leader":
            return self.leader(case.unit)
        if role == "supervisor":
            return self.ctx.rng.choice(self.supervisors)
        return officer


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(9 + rng.randrange(8), rng.randrange(60)), tzinfo=clock.CST)


def _when(timing: tuple, case: Case, prev: date, rng: random.Random) -> date:
    if timing[0] == "gap":
        return prev + timedelta(days=rng.randint(timing[1], timing[2]))
    due = getattr(case, _COLUMNS[timing[1]]) or prev
    if timing[0] == "before":
        return prev + timedelta(days=rng.randint(1, max(1, (due - prev).days)))
    return due + timedelta(days=rng.randint(1, 5))


def _replay(r: Replay, unit: Unit, opened: date, steps: tuple, officer: User) -> Case:
    rng = r.ctx.rng
    category = rng.choice(list(SUMMARIES))
    with clock.frozen(_at(opened, rng)):
        case = case_open(unit=unit, title=rng.choice(SUMMARIES[category]), category=category,
                         severity=rng.choice(["minor", "moderate", "moderate", "serious"]), actor=officer)
    return replay_steps(r, case, opened, steps, officer)


def replay_steps(r: Replay, case: Case, start: date, steps: tuple, officer: User) -> Case:
    """Fire ``steps`` on an existing case, each dated after the previous one, stopping at today."""
    rng, today = r.ctx.rng, clock.today()
    prev = start
    for trigger, role, timing in steps:
        day = _when(timing, case, prev, rng)
        if day >= today:
            break
        with clock.frozen(_at(day, rng)):
            if trigger == "sweep":
                sweep_case(case_id=case.id, kind=role)
            else:
                actor = r.actor(role, case, officer)
                case_transition(case=case, trigger=trigger, actor=actor, data=_data(trigger, rng, case, actor))
        prev = day
    return case


def build(ctx: DemoContext) -> None:
    """Replay the demo cases, then the few the demo logins need to find."""
    r = Replay(ctx)
    rng, today = ctx.rng, clock.today()
    start = date(ctx.first_year, 1, 1)
    span = (today - start).days
    weights = [w for w, _ in SCENARIOS]
    pool = ctx.units
    for i in range(CASES):
        _, steps = rng.choices(SCENARIOS, weights=weights)[0]
        # Most cases spread over the whole period (and are finished); a third opened recently
        # and are still on their way, which leaves cases in every open state, a few overdue.
        recent = i % 3 == 0
        opened = today - timedelta(days=rng.randint(3, 75)) if recent else start + timedelta(days=rng.randrange(span))
        _replay(r, rng.choice(pool), min(opened, today - timedelta(days=1)), steps, rng.choice(r.officers))
    for days in (12, 15, 19):  # escalated by the sweep, awaiting a supervisor's decision
        _replay(r, rng.choice(pool), today - timedelta(days=days), (_ISSUE, _SWEEP_ACK), rng.choice(r.officers))
    for days in (8, 10):  # notices nobody acknowledged yet: overdue now, for the sweep to find
        _replay(r, rng.choice(pool), today - timedelta(days=days), (_ISSUE[:2] + (("gap", 1, 1),),),
                rng.choice(r.officers))
    officer = next(u for u in r.officers if u.username == "officer")
    home = ctx.by_kind["village"][0]
    _replay(r, home, today - timedelta(days=2), (_ISSUE[:2] + (("gap", 1, 1),),), officer)
    _replay(r, ctx.by_kind["village"][1], today - timedelta(days=16),
            (_ISSUE[:2] + (("gap", 1, 2),), ("acknowledge", "unit_leader", ("gap", 1, 2)),
             ("submit_report", "unit_leader", ("gap", 10, 12))), officer)
    # Old notifications have long been read; only the last fortnight's are new.
    db.session.execute(update(Notification).where(Notification.created_at < clock.now() - timedelta(days=14))
                       .values(read_at=clock.now() - timedelta(days=13)))
    count = db.session.scalar(select(db.func.count(Case.id)))
    ctx.result.lines.append(f"demo cases: {count}")
