"""``case_transition`` throughput on a realistic mix: each open case gets its natural next step."""
from __future__ import annotations

import statistics
import time
from datetime import timedelta

from sqlalchemy import insert, select

# state → (trigger, role of the actor, data)
NEXT = {
    "detected": ("issue_notice", "officer", {"severity": "moderate", "findings": "核查发现问题。",
                                             "requirements": "限期整改。", "rectify_workdays": 20}),
    "notice_issued": ("acknowledge", "officer", {"method": "paper"}),
    "rectifying": ("submit_report", "unit_leader", {"report": "已整改。"}),
    "verifying": ("accept", "officer", {"note": "核查通过。"}),
    "escalated": ("order_talk", "supervisor", {"kind": "integrity_talk", "with_whom": "主要负责人"}),
    "talk": ("record_talk", "officer", {"minutes": "谈话记录。", "rectify_workdays": 15}),
    "inquiry": ("record_inquiry", "officer", {"minutes": "询问记录。", "rectify_workdays": 15}),
}


def transitions(db, case_ids: list[int]) -> dict:
    """Fire the next trigger of each case through ``case_transition`` (one transaction each) and time it."""
    from common import peak_rss_mb

    from caseflow import clock
    from caseflow.models import Attachment, Case, User
    from caseflow.services.cases import case_transition

    officer = db.session.scalar(select(User).where(User.username == "officer"))
    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    leaders = {u.unit_id: u for u in db.session.scalars(select(User).where(User.role == "unit_leader"))}
    plan = []
    for case in db.session.scalars(select(Case).where(Case.id.in_(case_ids)).order_by(Case.id)):
        trigger, role, data = NEXT[case.state]
        data = dict(data)
        if trigger == "submit_report":
            if case.unit_id not in leaders:
                trigger, role, data = "escalate", "officer", {"reason": "manual"}
            else:  # the evidence upload is its own request; only the transition is timed
                att = db.session.execute(insert(Attachment).values(
                    case_id=case.id, filename="evidence.pdf", content_type="application/pdf", size=1000,
                    sha256="0" * 64, created_at=clock.now(), uploaded_by_id=leaders[case.unit_id].id)
                    .returning(Attachment.id)).scalar_one()
                data["attachment_ids"] = [att]
        if trigger == "order_talk":
            data["scheduled_on"] = (clock.today() + timedelta(days=3)).isoformat()
        actor = {"officer": officer, "supervisor": supervisor}.get(role) or leaders.get(case.unit_id)
        plan.append((case.id, trigger, actor.id if actor else None, data))
    db.session.commit()
    base = peak_rss_mb()
    times, errors, by_trigger = [], [], {}
    started = time.perf_counter()
    for case_id, trigger, actor_id, data in plan:
        t0 = time.perf_counter()
        try:  # as a request would: load the user and the case in a fresh session
            actor = db.session.get(User, actor_id)
            case = db.session.get(Case, case_id)
            case_transition(case=case, trigger=trigger, actor=actor, data=data)
        except Exception as error:  # noqa: BLE001 - counted and reported
            errors.append(f"{trigger}: {type(error).__name__}: {error}"[:200])
            db.session.remove()
            continue
        ms = (time.perf_counter() - t0) * 1000
        times.append(ms)
        by_trigger.setdefault(trigger, []).append(ms)
        db.session.remove()
    seconds = time.perf_counter() - started
    times.sort()
    return {"fired": len(times), "errors": len(errors), "error_samples": errors[:5], "seconds": round(seconds, 2),
            "per_second": round(len(times) / seconds, 1) if seconds else None,
            "p50_ms": round(statistics.median(times), 1) if times else None,
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1) if times else None,
            "by_trigger_ms": {k: round(statistics.median(v), 1) for k, v in sorted(by_trigger.items())},
            "baseline_mb": base, "peak_mb": peak_rss_mb()}
