"""Demo step 35: handle the district's signals as a commission would have.

History (before the last weeks) is written as it ended: each case that came from a signal gets
its source signal, later signals about a unit with a case open join it (duplicates), the rest
are rejected with a reason. The last weeks go through the services under ``clock.frozen``: rapid
reports on time and late, recorded calls, anonymous complaints with replies, cases opened, links,
rejections, assignments — a few of them overdue now.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from caseflow import clock
from caseflow.demo.district import SUMMARIES, DemoContext
from caseflow.extensions import db
from caseflow.models import CHANNELS, Case, Signal, SignalReply, User
from caseflow.services.complaints import complaint_add_info, complaint_file, format_receipt, signal_reply
from caseflow.services.signals import (
    CLOSED_CASE_STATES,
    handling_due_for,
    new_signal,
    signal_assign,
    signal_file_rapid,
    signal_record,
    signal_triage,
)

DEMO_STEP = 35
RECENT_DAYS = 30
DEPARTMENTS = ("第一纪检监察室", "第二纪检监察室", "第三纪检监察室")
REJECT_REASONS = (
    "经初核，反映问题不属实。",
    "反映内容过于笼统，无可查线索，予以了结。",
    "不属于本机关受理范围，已转交有关部门。",
    "与已办结问题重复，不再重复立项。",
    "经核实系正常工作安排，不存在违规情形。",
)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=clock.CST)


def _history(ctx: DemoContext, officers: list[User], today: date) -> dict[str, int]:
    """Settle the older signals: source of a case, duplicate joining an open case, or rejected."""
    rng = ctx.rng
    cutoff = clock.end_of_day(today - timedelta(days=RECENT_DAYS))
    signals = list(db.session.scalars(select(Signal).order_by(Signal.received_at)))
    for signal in signals:
        if signal.handling_due is None:
            signal.handling_due = handling_due_for(signal.received_at)
    old = [s for s in signals if s.received_at <= cutoff and s.status in ("new", "assigned", "rejected")]
    by_unit: dict[int, list[Signal]] = {}
    for signal in old:
        by_unit.setdefault(signal.unit_id, []).append(signal)
    counts = {"opened": 0, "linked": 0, "rejected": 0}
    cases = db.session.scalars(select(Case).where(Case.origin == "signal").order_by(Case.opened_at))
    for case in cases:
        # The source: the unit's latest signal received in the 60 days before the case was opened.
        window = [s for s in by_unit.get(case.unit_id, [])
                  if s.case_id is None and case.opened_at - timedelta(days=60) <= s.received_at <= case.opened_at]
        if window:
            _settle(window[-1], "case_opened", case.opened_at, case.handler_id, officers, rng, case=case)
        else:
            _source_for(case, officers, rng)
        counts["opened"] += 1
        # Duplicates: later signals about the unit while the case was open join it.
        ends = case.closed_at or clock.now()
        for signal in by_unit.get(case.unit_id, []):
            if signal.case_id is None and case.opened_at < signal.received_at <= ends and rng.random() < 0.8:
                _settle(signal, "linked", signal.received_at + timedelta(days=rng.randint(1, 6)),
                        case.handler_id, officers, rng, case=case)
                counts["linked"] += 1
    for signal in old:
        if signal.case_id is None:
            signal.outcome_reason = signal.outcome_reason if signal.status == "rejected" else rng.choice(REJECT_REASONS)
            _settle(signal, "rejected", signal.received_at + timedelta(days=rng.randint(2, 12)), None, officers, rng)
            counts["rejected"] += 1
    db.session.commit()
    return counts


# Channels a case's source came through, with weights (the public form has its own demo below).
SOURCE_CHANNELS = {"complaint_centre": 5, "petition_letter": 5, "citizen_hotline": 3, "leader_visit": 2,
                   "duty_phone": 2, "mailbox": 2, "online_forum": 2, "audit": 3, "other": 1}


def _source_for(case: Case, officers: list[User], rng) -> Signal:
    """Record the signal a case came from when the district's random signals hold none for it."""
    received = case.opened_at - timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 6))
    channel = rng.choices(list(SOURCE_CHANNELS), list(SOURCE_CHANNELS.values()))[0]
    local = clock.local(received)
    source = {"call_time": local.strftime("%Y-%m-%d %H:%M"), "letter_number": f"信{local.year}-{rng.randint(1, 999):03d}",
              "visit_record": "区领导接访记录", "post_url": f"http://bbs.zh.local/thread-{rng.randint(10000, 99999)}",
              "audit_reference": f"审{local.year}第{rng.randint(1, 60)}号", "source_note": "上级转办"}
    with clock.frozen(received):
        signal = new_signal(channel=channel, category=case.category, summary=f"{case.unit.name}{case.title}",
                            details=f"反映{case.unit.name}{case.title}，请核查。", unit_id=case.unit_id,
                            discovered_on=local.date() - timedelta(days=rng.choice([0, 1, 3])),
                            source_details={k: source[k] for k in CHANNELS[channel][1]})
    _settle(signal, "case_opened", case.opened_at, case.handler_id, officers, rng, case=case)
    return signal


def _settle(signal: Signal, status: str, at: datetime, officer_id: int | None, officers: list[User], rng,
            case: Case | None = None) -> None:
    signal.status = status
    signal.officer_id = officer_id or signal.officer_id or rng.choice(officers).id
    signal.department = signal.department or rng.choice(DEPARTMENTS)
    signal.triaged_at, signal.triaged_by_id = min(at, clock.now()), signal.officer_id
    if case is not None:
        signal.case_id = case.id
        signal.outcome_reason = None


def _recent(ctx: DemoContext, officers: list[User], officer: User, today: date) -> dict[str, int]:
    """The last weeks through the services: assignments (some overdue now), cases, links, rejections."""
    rng = ctx.rng
    since = clock.end_of_day(today - timedelta(days=RECENT_DAYS))
    recent = list(db.session.scalars(select(Signal).where(Signal.received_at > since,
                                                          Signal.status.in_(("new", "assigned")))
                                      .order_by(Signal.received_at)))
    counts = {"opened": 0, "linked": 0, "rejected": 0, "assigned": 0}
    for i, signal in enumerate(recent):
        age = (today - clock.local(signal.received_at).date()).days
        if age < 4:
            signal.status, signal.officer_id, signal.department = "new", None, None
            continue
        handler = officer if i % 3 == 0 else rng.choice(officers)
        with clock.frozen(signal.received_at + timedelta(hours=rng.randint(2, 30))):
            signal.status = "new"
            signal_assign(signal=signal, officer=handler, department=rng.choice(DEPARTMENTS), handler=handler)
        counts["assigned"] += 1
        if age < 8 or rng.random() < 0.45:
            continue  # still being handled; those older than the deadline show as overdue
        when = min(signal.received_at + timedelta(days=rng.randint(3, 7)), clock.now() - timedelta(hours=1))
        open_cases = [c for c in db.session.scalars(select(Case).where(Case.unit_id == signal.unit_id))
                      if c.state not in CLOSED_CASE_STATES and c.opened_at < when]
        with clock.frozen(when):
            if open_cases:
                signal_triage(signal=signal, actor=handler, action="link", case_id=open_cases[0].id)
                counts["linked"] += 1
            elif rng.random() < 0.5:
                title = rng.choice(SUMMARIES[signal.category])
                signal_triage(signal=signal, actor=handler, action="open_case", title=title,
                              severity=rng.choice(["minor", "moderate", None]))
                counts["opened"] += 1
            else:
                signal_triage(signal=signal, actor=handler, action="reject", reason=rng.choice(REJECT_REASONS))
                counts["rejected"] += 1
    db.session.commit()
    return counts


def _fresh_reports(ctx: DemoContext, officer: User, today: date) -> None:
    """A demo monitor's on-time and late rapid reports and an officer's recorded hotline call."""
    monitor = db.session.scalar(select(User).where(User.username == "monitor"))
    if monitor is not None and monitor.station and monitor.station.area:
        unit = monitor.station.area[0]
        with clock.frozen(_at(today - timedelta(days=3), 10, 20)):
            signal_file_rapid(monitor=monitor, unit=unit, category="three_assets", discovered_on=clock.today(),
                              summary=f"{unit.name}集体资产出租未经民主程序", details="监测员走访时发现，租赁合同未经民主决策程序。")
        with clock.frozen(_at(today - timedelta(days=2), 16, 5)):
            signal_file_rapid(monitor=monitor, unit=unit, category="finance",
                              discovered_on=clock.today() - timedelta(days=6),
                              summary=f"{unit.name}白条入账", details="财务公开栏发现多笔白条入账，发现后未及时报送。")
    unit = ctx.by_kind["village"][2]
    with clock.frozen(_at(today - timedelta(days=1), 9, 40)):
        signal_record(officer=officer, channel="citizen_hotline", unit=unit, discovered_on=None, category="conduct",
                      summary=f"{unit.name}干部工作日午间饮酒", details="市民来电反映，村干部工作日中午在饭店饮酒。",
                      source_details={"call_time": clock.local(clock.now()).strftime("%Y-%m-%d %H:%M")},
                      reporter_contact="来电人 张先生 139****0000")


COMPLAINTS = [
    (40, "agri_funds", "村里低保名单里有村干部的亲属，家里有车有房，请查一查。", "open_case"),
    (25, "land_demolition", "拆迁补偿面积多算，有人多拿了补偿款。", "reply"),
    (18, "conduct", "办事窗口工作人员推诿，跑了三次还没办成。", "reject"),
    (6, "three_assets", "村里的鱼塘承包没有公开招标，价格很低。", "reply"),
    (1, "procurement", "采购的办公桌椅价格比市场贵一倍。", None),
]


def _complaints(ctx: DemoContext, officer: User, today: date) -> str | None:
    """Anonymous web complaints with officers' replies; returns one receipt code to try."""
    shown = None
    for i, (days, category, details, outcome) in enumerate(COMPLAINTS):
        unit = ctx.by_kind["village"][10 + i]
        with clock.frozen(_at(today - timedelta(days=days), 20, 15)):
            signal, receipt = complaint_file(unit_name=unit.name, category=category, details=details,
                                             contact="匿名" if i % 2 else None)
        if outcome is None:
            continue
        with clock.frozen(_at(today - timedelta(days=days - 1), 10, 0)):
            signal_assign(signal=signal, officer=officer, department=DEPARTMENTS[0], handler=officer)
            signal_reply(signal=signal, actor=officer, body="您反映的问题已收悉，我们将依规核查处理。")
        with clock.frozen(_at(today - timedelta(days=max(days - 4, 0)), 11, 30)):
            if outcome == "open_case":
                signal_triage(signal=signal, actor=officer, action="open_case", title=f"{unit.name}低保资格审核不严",
                              severity="moderate")
                signal_reply(signal=signal, actor=officer, body="经初步核实，已立案处理，并督促村里整改。")
            elif outcome == "reject":
                signal_triage(signal=signal, actor=officer, action="reject", reason="经核实已办结，属工作作风问题，已转交主管部门。")
                signal_reply(signal=signal, actor=officer, body="经核实，已转交主管部门处理，感谢监督。")
        if outcome == "reply" and shown is None:
            with clock.frozen(_at(today - timedelta(days=max(days - 3, 0)), 21, 0)):
                complaint_add_info(receipt=receipt, body="补充：涉及的是去年第二批补偿名单。")
            shown = receipt
    return shown


def build(ctx: DemoContext) -> None:
    """Settle the history, run the recent weeks through the services, add public complaints."""
    today = clock.today()
    officers = list(db.session.scalars(select(User).where(User.role == "officer").order_by(User.id)))
    officer = next((u for u in officers if u.username == "officer"), officers[0])
    history = _history(ctx, officers, today)
    recent = _recent(ctx, officers, officer, today)
    _fresh_reports(ctx, officer, today)
    receipt = _complaints(ctx, officer, today)
    replies = db.session.scalar(select(db.func.count(SignalReply.id)))
    ctx.result.lines.append(
        f"demo signals: {history['opened'] + recent['opened']} opened cases, "
        f"{history['linked'] + recent['linked']} linked, {history['rejected'] + recent['rejected']} rejected, "
        f"{recent['assigned']} assigned recently; {replies} messages on public complaints")
    if receipt:
        ctx.result.lines.append(f"public complaint receipt to try at /public/complaint/track: {format_receipt(receipt)}")
