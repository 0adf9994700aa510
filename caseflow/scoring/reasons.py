"""Readable names (zh, en) for the reason keys of ledger entries."""
from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    "control.checks": ("内控检查", "Control checks"),
    "control.carry": ("内控检查（沿用上期结果）", "Control checks (carried over)"),
    "control.floor": ("控制性得分不低于0的调整", "Control floor at 0"),
    "stakeholder.survey": ("满意度调查", "Survey"),
    "stakeholder.survey.carry": ("满意度调查（沿用上期结果）", "Survey (carried over)"),
    "stakeholder.supervision": ("监督来源基础分", "Supervision source base"),
    "stakeholder.supervision.finding": ("监督发现问题扣分", "Supervision finding"),
    "stakeholder.supervision.floor": ("监督来源得分不低于0的调整", "Supervision source floor at 0"),
    "performance.cost": ("人均行政成本偏离度", "Per-capita administrative cost deviation"),
    "performance.saving": ("行政成本节约率偏离度", "Administrative cost saving-rate deviation"),
    "incentive.award": ("激励加分", "Incentive award"),
    "incentive.cap": ("激励加分上限调整", "Incentive cap"),
    "integrity.sanction": ("党政纪处分或行政监察扣分", "Sanction or administrative finding"),
    "integrity.criminal": ("刑事责任追究扣分", "Criminal liability"),
    "index.clamp": ("指数限定在0–100的调整", "Index kept within 0–100"),
}

CASE_TRIGGERS: dict[str, tuple[str, str]] = {
    "issue_notice": ("发出预警告知书", "warning notice issued"),
    "accept": ("按期整改通过验收", "rectified on time"),
    "reject": ("整改未通过验收", "rectification rejected"),
    "escalate": ("案件升级", "case escalated"),
    "order_talk": ("责令廉政谈话", "talk ordered"),
    "order_inquiry": ("责令询问或质询", "inquiry ordered"),
    "refer": ("移送立案审查", "referred for review"),
    "reopen": ("问题反弹重新整改", "case reopened"),
}


def reason_label(reason: str, lang: str = "zh") -> str:
    """A readable name for a ledger reason key such as ``control.case.issue_notice``."""
    side = 1 if lang.startswith("en") else 0
    if reason in REASONS:
        return REASONS[reason][side]
    dimension, _, rest = reason.partition(".case.")
    if rest in CASE_TRIGGERS:
        return ("案件：" if side == 0 else "Case: ") + CASE_TRIGGERS[rest][side]
    return reason
