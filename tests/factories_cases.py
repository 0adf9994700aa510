"""Case factories that drive real transitions through ``case_transition`` (shared by every area's tests).

Stable API: ``make_case(*, unit=None, state="detected", officer=None, severity="moderate", **fields)``,
``evidence(case, actor)``, ``leader_of(unit)``, ``fire(case, trigger, actor, **data)``.
"""
from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import select

from caseflow import clock
from caseflow.extensions import db
from caseflow.models import Attachment, Case, User
from caseflow.services.attachments import attachment_save
from caseflow.services.cases import case_open, case_transition
from caseflow.services.sweep import SweepReport, sweep_run
from caseflow.states import TRIGGERS
from tests import factories

# The transitions that lead from ``detected`` to each state (trigger, role of the actor).
PATHS: dict[str, tuple[tuple[str, str], ...]] = {
    "detected": (),
    "dismissed": (("dismiss", "officer"),),
    "notice_issued": (("issue_notice", "officer"),),
    "rectifying": (("issue_notice", "officer"), ("acknowledge", "officer")),
    "verifying": (("issue_notice", "officer"), ("acknowledge", "officer"), ("submit_report", "unit_leader")),
    "closed": (("issue_notice", "officer"), ("acknowledge", "officer"), ("submit_report", "unit_leader"),
               ("accept", "officer")),
    "escalated": (("issue_notice", "officer"), ("escalate", "officer")),
    "talk": (("issue_notice", "officer"), ("escalate", "officer"), ("order_talk", "supervisor")),
    "inquiry": (("issue_notice", "officer"), ("escalate", "officer"), ("order_inquiry", "supervisor")),
    "referred": (("issue_notice", "officer"), ("escalate", "officer"), ("refer", "supervisor")),
}

DEFAULT_DATA: dict[str, dict] = {
    "issue_notice": {"severity": "moderate", "findings": "三资台账不全", "requirements": "限期补齐台账",
                     "rectify_workdays": 20},
    "dismiss": {"reason": "unfounded"},
    "acknowledge": {"method": "paper"},
    "submit_report": {"report": "已整改完毕"},
    "accept": {"note": "核查属实，整改到位"},
    "reject": {"reason": "佐证材料不足"},
    "escalate": {"reason": "manual"},
    "order_talk": {"kind": "integrity_talk", "with_whom": "村党支部书记", "scheduled_on": "2026-03-02"},
    "order_inquiry": {"kind": "inquiry", "whom": "村两委班子", "working_group": "区纪委第一工作组"},
    "record_talk": {"minutes": "谈话记录"},
    "record_inquiry": {"minutes": "询问记录"},
    "refer": {"reason": "问题严重，移送审查"},
    "reopen": {"reason": "问题反弹"},
}
_OPEN_KEYS = ("title", "category", "origin", "annual_year", "note")


def leader_of(unit) -> User:
    """An active unit leader of ``unit`` (made when the unit has none)."""
    found = db.session.scalar(select(User).where(User.role == "unit_leader", User.unit_id == unit.id,
                                                 User.active.is_(True)).order_by(User.id).limit(1))
    return found or factories.user(role="unit_leader", unit=unit)


def evidence(case: Case, actor, content: bytes = b"rectification evidence\n", filename: str = "evidence.txt") -> Attachment:
    """A small text attachment uploaded to ``case``."""
    return attachment_save(content=content, filename=filename, actor=actor, case=case)


def fire(case: Case, trigger: str, actor, **data) -> Case:
    """Fire ``trigger`` with the default data for it, overridden by ``data``."""
    values = dict(DEFAULT_DATA.get(trigger, {}))
    if trigger == "submit_report" and "attachment_ids" not in data:
        values["attachment_ids"] = [evidence(case, actor).id]
    values.update(data)
    return case_transition(case=case, trigger=trigger, actor=actor, data=values)


def make_case(*, unit=None, state: str = "detected", officer=None, severity: str = "moderate", **fields) -> Case:
    """A case at ``unit`` brought to ``state`` through real transitions.

    ``fields`` override ``case_open`` arguments (title, category, origin, annual_year, note) or
    any trigger field on the way (e.g. ``rectify_workdays=5``).
    """
    if state not in PATHS:
        raise ValueError(f"make_case cannot reach state {state!r}")
    unit = unit or factories.unit()
    officer = officer or factories.user(role="officer")
    opening = {"title": "村集体资金管理不规范", "category": "three_assets"}
    opening.update({k: fields.pop(k) for k in _OPEN_KEYS if k in fields})
    case = case_open(unit=unit, severity=severity, actor=officer, **opening)
    actors = {"officer": officer}
    for trigger, role in PATHS[state]:
        if role not in actors:
            actors[role] = leader_of(unit) if role == "unit_leader" else factories.user(role=role)
        names = {f.name for f in TRIGGERS[trigger].fields}
        data = {k: v for k, v in fields.items() if k in names}
        if trigger == "issue_notice":
            data.setdefault("severity", severity)
        fire(case, trigger, actors[role], **data)
    return case


def sweeps_at_once(app, at: datetime, count: int) -> tuple[list[SweepReport], list[Exception]]:
    """Run ``count`` sweeps as of ``at`` in threads released together; their reports and any errors."""
    barrier = threading.Barrier(count)
    reports: list[SweepReport] = []
    errors: list[Exception] = []

    def run() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=60)
                with clock.frozen(at):
                    reports.append(sweep_run())
            except Exception as error:  # noqa: BLE001 - returned to the test
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    return reports, errors
