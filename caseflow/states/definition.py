"""The case state machine as data: states, triggers, who may fire them, fields, deadlines.

This module is the single source of truth (SPEC §3); the machine, permission checks,
forms, API, diagrams, deadline sweep and scoring hooks all read it. It holds no logic.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["text", "choice", "int", "date", "datetime", "id_list", "bool"]

STATES: tuple[str, ...] = (
    "detected", "notice_issued", "rectifying", "verifying", "escalated",
    "talk", "inquiry", "closed", "dismissed", "referred",
)
INITIAL = "detected"
# ``closed`` is terminal unless a supervisor reopens it, so it is not listed here.
TERMINAL: frozenset[str] = frozenset({"dismissed", "referred"})
ROLES: tuple[str, ...] = ("admin", "officer", "supervisor", "unit_leader", "monitor", "auditor")
# The deadline sweep acts as this pseudo-role; it may only fire ``escalate``.
SYSTEM_ROLE = "system"

STATE_LABELS: dict[str, tuple[str, str]] = {
    "detected": ("已发现", "Detected"),
    "notice_issued": ("已发告知书", "Notice issued"),
    "rectifying": ("整改中", "Rectifying"),
    "verifying": ("核查中", "Verifying"),
    "escalated": ("已升级", "Escalated"),
    "talk": ("谈话", "Talk"),
    "inquiry": ("询问质询", "Inquiry"),
    "closed": ("已办结", "Closed"),
    "dismissed": ("已了结", "Dismissed"),
    "referred": ("已移送", "Referred"),
}

# Labels of the values a ``choice`` field may take (values are unique across fields).
CHOICE_LABELS: dict[str, tuple[str, str]] = {
    "minor": ("轻微", "Minor"),
    "moderate": ("一般", "Moderate"),
    "serious": ("严重", "Serious"),
    "unfounded": ("反映不实", "Unfounded"),
    "duplicate": ("重复反映", "Duplicate"),
    "out_of_scope": ("不属受理范围", "Out of scope"),
    "system": ("系统送达", "Through the system"),
    "paper": ("纸质送达", "On paper"),
    "overdue_acknowledgement": ("逾期未签收", "Overdue acknowledgement"),
    "overdue_rectification": ("逾期未整改", "Overdue rectification"),
    "failed_verification": ("整改核查未通过", "Failed verification"),
    "manual": ("人工升级", "Manual"),
    "integrity_talk": ("廉政谈话", "Integrity talk"),
    "admonishment_talk": ("诫勉谈话", "Admonishment talk"),
    "inquiry": ("询问", "Inquiry"),
    "questioning": ("质询", "Questioning"),
}


@dataclass(frozen=True)
class FieldSpec:
    """One input a trigger records; ``validate`` in machine.py enforces it."""

    name: str
    kind: FieldKind
    required: bool = True
    choices: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    max_length: int = 5000
    label_zh: str = ""
    label_en: str = ""
    default: object = None


@dataclass(frozen=True)
class Guard:
    """A condition the machine checks: ``case.<attribute>`` or ``len(data[attribute])`` >= at_least."""

    name: str
    on: Literal["case", "data"]
    attribute: str
    at_least: int = 1


@dataclass(frozen=True)
class Branch:
    """An alternative destination the machine takes, instead of ``dest``, when ``when`` holds."""

    dest: str
    when: Guard


@dataclass(frozen=True)
class TriggerSpec:
    """Everything about one trigger: where from, where to, who, what it records and produces."""

    name: str
    sources: tuple[str, ...]
    dest: str
    roles: frozenset[str]
    label_zh: str
    label_en: str
    fields: tuple[FieldSpec, ...] = ()
    # Roles that may fire only for a case of their own unit.
    same_unit_roles: frozenset[str] = frozenset()
    conditions: tuple[Guard, ...] = ()
    branches: tuple[Branch, ...] = ()
    score_hook: str | None = None
    document: str | None = None

    @property
    def dests(self) -> tuple[str, ...]:
        """Every state this trigger can lead to, branches first."""
        return tuple(b.dest for b in self.branches) + (self.dest,)


# The labels of the trigger fields; a trigger may give a field its own (``label_zh``).
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "severity": ("严重程度", "Severity"),
    "findings": ("发现的问题", "Findings"),
    "requirements": ("整改要求", "Requirements"),
    "rectify_workdays": ("整改期限（工作日）", "Rectification period (working days)"),
    "reason": ("理由", "Reason"),
    "note": ("备注", "Note"),
    "delivered_at": ("送达时间", "Delivered at"),
    "method": ("送达方式", "Delivery method"),
    "report": ("整改报告", "Rectification report"),
    "attachment_ids": ("佐证材料", "Evidence attachments"),
    "kind": ("类型", "Kind"),
    "with_whom": ("谈话对象", "With whom"),
    "scheduled_on": ("谈话日期", "Scheduled on"),
    "whom": ("询问对象", "Whom"),
    "working_group": ("专门工作组", "Working group"),
    "minutes": ("记录", "Minutes"),
    "participants": ("参加人员", "Participants"),
    "working_group_members": ("工作组成员", "Working-group members"),
}


def _f(name: str, kind: FieldKind = "text", required: bool = True, **kw: object) -> FieldSpec:
    """Build a FieldSpec with its labels taken from the shared label table."""
    zh, en = FIELD_LABELS[name]
    kw.setdefault("label_zh", zh)
    kw.setdefault("label_en", en)
    return FieldSpec(name, kind, required, **kw)  # type: ignore[arg-type]


def _workdays(required: bool = False, default: int | None = None) -> FieldSpec:
    """The rectification period field; empty means the notice's period (see DEADLINES)."""
    return _f("rectify_workdays", "int", required, min=1, max=120, default=default)


_SEVERITIES = ("minor", "moderate", "serious")
_ESCALATE_REASONS = ("overdue_acknowledgement", "overdue_rectification", "failed_verification", "manual")
_REJECTED_BEFORE = Guard("rejected_before", "case", "reject_count", 1)
_HAS_ATTACHMENTS = Guard("has_attachments", "data", "attachment_ids", 1)
_O, _S, _U = "officer", "supervisor", "unit_leader"


def _t(name: str, sources: str, dest: str, roles: tuple[str, ...], zh: str, en: str,
       *fields: FieldSpec, **kw: object) -> tuple[str, TriggerSpec]:
    """Build one TRIGGERS entry; ``sources`` is a space-separated list of states."""
    spec = TriggerSpec(name, tuple(sources.split()), dest, frozenset(roles), zh, en, fields, **kw)  # type: ignore[arg-type]
    return name, spec


TRIGGERS: dict[str, TriggerSpec] = dict([
    _t("issue_notice", "detected", "notice_issued", (_O,), "发出预警告知书", "Issue notice",
       _f("severity", "choice", choices=_SEVERITIES), _f("findings"), _f("requirements"),
       _workdays(default=20), score_hook="issue_notice", document="notice"),
    _t("dismiss", "detected", "dismissed", (_O,), "予以了结", "Dismiss",
       _f("reason", "choice", choices=("unfounded", "duplicate", "out_of_scope")),
       _f("note", required=False)),
    _t("acknowledge", "notice_issued", "rectifying", (_U, _O), "签收送达", "Acknowledge",
       _f("delivered_at", "datetime", False), _f("method", "choice", False, choices=("system", "paper")),
       same_unit_roles=frozenset({_U}), document="receipt"),
    _t("submit_report", "rectifying", "verifying", (_U,), "提交整改报告", "Submit report",
       _f("report"), _f("attachment_ids", "id_list"),
       same_unit_roles=frozenset({_U}), conditions=(_HAS_ATTACHMENTS,)),
    _t("accept", "verifying", "closed", (_O,), "核查通过", "Accept",
       _f("note"), score_hook="accept"),
    _t("reject", "verifying", "rectifying", (_O,), "退回整改", "Reject",
       _f("reason"), _workdays(),
       branches=(Branch("escalated", _REJECTED_BEFORE),), score_hook="reject"),
    _t("escalate", "notice_issued rectifying", "escalated", (_O, _S, SYSTEM_ROLE), "升级处理", "Escalate",
       _f("reason", "choice", choices=_ESCALATE_REASONS, label_zh="升级原因"), _f("note", required=False),
       score_hook="escalate"),
    _t("order_talk", "escalated", "talk", (_S,), "决定谈话", "Order talk",
       _f("kind", "choice", choices=("integrity_talk", "admonishment_talk"), label_zh="谈话类型"),
       _f("with_whom"), _f("scheduled_on", "date"), score_hook="order_talk"),
    _t("order_inquiry", "escalated", "inquiry", (_S,), "决定询问质询", "Order inquiry",
       _f("kind", "choice", choices=("inquiry", "questioning"), label_zh="询问类型"),
       _f("whom"), _f("working_group", required=False), score_hook="order_inquiry"),
    _t("record_talk", "talk", "rectifying", (_O, _S), "记录谈话", "Record talk",
       _f("minutes", label_zh="谈话记录"), _workdays(), _f("participants", required=False)),
    _t("record_inquiry", "inquiry", "rectifying", (_O, _S), "记录询问质询", "Record inquiry",
       _f("minutes", label_zh="询问质询记录"), _workdays(), _f("working_group_members", required=False)),
    _t("refer", "escalated talk inquiry", "referred", (_S,), "移送立案", "Refer",
       _f("reason", label_zh="移送理由"), score_hook="refer"),
    _t("reopen", "closed", "rectifying", (_S,), "重新整改", "Reopen",
       _f("reason", label_zh="重新整改理由"), _workdays(), score_hook="reopen"),
])

TRIGGER_LABELS: dict[str, tuple[str, str]] = {t.name: (t.label_zh, t.label_en) for t in TRIGGERS.values()}


@dataclass(frozen=True)
class DeadlineRule:
    """A deadline a state starts: ``workdays_field`` of the trigger's data, else the default.

    ``config_key`` names the setting that overrides ``default_workdays``; ``from_field``
    names the trigger field the period runs from (else the event time). Dates are computed
    by the working-day calendar elsewhere, never here.
    """

    kind: str
    workdays_field: str | None
    default_workdays: int
    config_key: str
    from_field: str | None = None


DEADLINE_KINDS: tuple[str, ...] = ("acknowledge", "rectify", "verify")

# Which deadline entering a state starts. For ``rectify`` an empty ``rectify_workdays``
# means the period of the case's notice (itself defaulting to 20 working days).
DEADLINES: dict[str, DeadlineRule] = {
    "notice_issued": DeadlineRule("acknowledge", None, 3, "CASEFLOW_ACK_WORKDAYS"),
    "rectifying": DeadlineRule("rectify", "rectify_workdays", 20, "CASEFLOW_RECTIFY_WORKDAYS",
                               from_field="delivered_at"),
    "verifying": DeadlineRule("verify", None, 5, "CASEFLOW_VERIFY_WORKDAYS"),
}

# Which open deadlines entering a state clears: every kind it does not itself start, so
# escalated/talk/inquiry/closed/dismissed/referred clear all three.
DEADLINE_CLEARS: dict[str, tuple[str, ...]] = {
    state: tuple(k for k in DEADLINE_KINDS if state not in DEADLINES or DEADLINES[state].kind != k)
    for state in STATES
}

# A deadline of this kind, once overdue, makes the sweep fire ``escalate`` with this reason.
# (An overdue ``verify`` is the officer's own delay and escalates nothing.)
OVERDUE_ESCALATION: dict[str, str] = {
    "acknowledge": "overdue_acknowledgement",
    "rectify": "overdue_rectification",
}
SWEEP_TRIGGER = "escalate"
