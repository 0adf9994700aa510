"""The frozen contexts of documents: what a notice, a receipt or a report says, as plain data.

Documents are official Chinese texts whatever the reader's UI language, so labels here are
Chinese (from the state-machine label tables and the risk-category catalogue), not msgids.
Each builder reads the database once and returns a dict the renderer's templates accept
(see ``caseflow/documents/README.md``).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import current_app

from caseflow import clock
from caseflow.documents.templating import cn_number
from caseflow.models import CATEGORIES, Case, Document, User
from caseflow.services.calendar import get_calendar
from caseflow.states import CHOICE_LABELS

# Signal channels as the commission writes them in reports (SPEC §1, §4).
CHANNEL_ZH: dict[str, str] = {
    "monitoring_station": "廉情监测站点直报",
    "complaint_centre": "96178廉政投诉中心",
    "petition_letter": "信访举报",
    "leader_visit": "领导干部下访接访约访",
    "duty_phone": "区长值班电话",
    "mailbox": "区长信箱",
    "citizen_hotline": "市民服务热线",
    "online_forum": "网络论坛",
    "audit": "审计监督",
    "public_web": "网上匿名投诉",
    "other": "其他渠道",
}

REPORT_INSTRUCTIONS = (
    "整改完成后，请由单位主要负责人通过廉情预警信息管理平台提交整改报告（注明预警事项编号{case_number}），"
    "并附会议记录、制度文件、公开照片等佐证材料；不具备网上提交条件的，可将书面报告送交承办人。\n"
    "确有困难不能按期完成整改的，应在期限届满前书面说明理由和计划完成时间。"
)


def iso_day(value: date | datetime) -> str:
    """A date (or an instant, in China Standard Time) as ``2026-09-24``."""
    return (clock.local(value).date() if isinstance(value, datetime) else value).isoformat()


def choice_zh(value: str | None) -> str:
    """The Chinese label of a trigger choice (severity, delivery method…)."""
    return CHOICE_LABELS.get(value or "", (value or "", ""))[0]


def contact_line(user: User | None) -> str:
    """Officer contact for a notice: name, department and phone, as far as known."""
    if user is None:
        return current_app.config["ORGAN_NAME"]
    parts = [user.display_name]
    if user.department:
        parts.append(user.department)
    if user.phone:
        parts.append(user.phone)
    return "，".join(parts)


def notice_context(case: Case, data: dict[str, Any], at: datetime, officer: User | None) -> dict:
    """The 预警告知书 of ``case`` as issued at ``at`` (the case already in ``notice_issued``; numbered on issue)."""
    issued = clock.local(at).date()
    workdays = int(case.rectify_workdays or data.get("rectify_workdays") or
                   current_app.config.get("RECTIFY_WORKDAYS", 20))
    calendar = get_calendar()
    ack_due = case.ack_due or calendar.add_workdays(issued, int(current_app.config.get("ACK_WORKDAYS", 3)))
    # The lifecycle starts the rectification period at delivery; the notice states the period and
    # the date it ends when delivered on the day of issue (the earliest the system could hold it to).
    rectify_due = case.rectify_due or calendar.add_workdays(issued, workdays)
    return {
        "organ": current_app.config["ORGAN_NAME"],
        "unit_name": case.unit.name,
        "case_number": case.number,
        "title": case.title,
        "findings": str(data.get("findings") or ""),
        "requirements": str(data.get("requirements") or ""),
        "severity": case.severity,
        "severity_label": choice_zh(case.severity),
        "rectify_workdays": workdays,
        "rectify_due": iso_day(rectify_due),
        "ack_due": iso_day(ack_due),
        "report_instructions": REPORT_INSTRUCTIONS.format(case_number=case.number),
        "issued_on": issued.isoformat(),
        "contact": contact_line(officer),
    }


def receipt_context(case: Case, notice: Document | None, data: dict[str, Any], at: datetime,
                    actor: User | None, scan_id: int | None) -> dict:
    """The 送达回证 of ``case``'s notice: who received it, when and how."""
    delivered = data.get("delivered_at") or at
    if isinstance(delivered, datetime) and delivered.tzinfo is None:
        delivered = delivered.replace(tzinfo=clock.CST)
    leader = getattr(actor, "role", None) == "unit_leader"
    method = data.get("method") or ("system" if leader else "paper")
    if leader:
        name = actor.display_name
        received_by = name if case.unit.name in name else f"{name}（{case.unit.name}）"
    else:  # who signed on paper is on the paper receipt; the system records the unit's principal leader
        received_by = f"{case.unit.principal_leader or ''}（以纸质回证签名为准）"
    notes = []
    if method == "system":
        notes.append("受送达单位已在廉情预警信息管理平台签收。")
    else:
        notes.append("纸质送达，由承办人在系统中登记签收情况。")
    if scan_id:
        notes.append(f"签收回执扫描件已归档（附件编号{scan_id}）。")
    if case.rectify_due:
        notes.append(f"整改期限自签收之日起计算，至{case.rectify_due.year}年{case.rectify_due.month}月"
                     f"{case.rectify_due.day}日止。")
    officer = case.handler or (actor if getattr(actor, "role", None) == "officer" else None)
    notice_ctx = notice.context if notice is not None else {}
    return {
        "organ": current_app.config["ORGAN_NAME"],
        "number": notice.number if notice is not None and notice.number else "",
        "document_title": f"预警告知书（{notice_ctx.get('title') or case.title}）",
        "unit_name": case.unit.name,
        "delivered_at": clock.local(delivered).strftime("%Y-%m-%d %H:%M"),
        "received_by": received_by,
        "method": method,
        "method_label": choice_zh(method),
        "scan_attachment_id": scan_id,
        "note": "".join(notes),
        "officer": officer.display_name if officer is not None else "",
    }


def period_label(year: int, quarter: int | None = None, half: int | None = None) -> str:
    """``2026年第三季度`` or ``2026年上半年``."""
    if quarter:
        return f"{year}年第{cn_number(quarter)}季度"
    return f"{year}年{'上' if half == 1 else '下'}半年"


def _summary(analysis: dict, label: str) -> list[str]:
    """Three plain sentences drawn from the figures (the officer may correct them with a reason)."""
    now, before = analysis["colours"], analysis["previous_colours"]
    cases = analysis["cases"]
    trend = ("总体平稳向好" if now.get("red", 0) < before.get("red", 0)
             else "基本平稳" if now.get("red", 0) == before.get("red", 0) else "有所反弹，需引起重视")
    out = [f"从{label}情况看，全区廉情{trend}：红色预警单位{now.get('red', 0)}个（上期{before.get('red', 0)}个），"
           f"绿色单位{now.get('green', 0)}个（上期{before.get('green', 0)}个）。"]
    if cases["overdue"] or cases["escalated"]:
        out.append(f"本期仍有{cases['overdue']}件预警事项逾期未整改、{cases['escalated']}件升级处置，"
                   "需通过廉政谈话、询问质询和专门工作组跟踪督促。")
    else:
        out.append("本期预警事项均在期限内处置，未发生升级处置。")
    top = [CATEGORIES.get(row["category"], row["category"]) for row in analysis["top_categories"][:2]]
    if top:
        out.append(f"建议下一阶段重点加强对{'、'.join(top)}等领域的监督，进一步发挥廉情监测站点的前哨作用。")
    return out


def situation_context(analysis: dict, *, year: int, quarter: int | None = None, half: int | None = None) -> dict:
    """A quarterly analysis or half-yearly review context from ``period_analysis`` (no number yet)."""
    label = period_label(year, quarter, half)
    signals, cases = analysis["signals"], analysis["cases"]
    ttr = analysis["time_to_rectify"]
    return {
        "organ": current_app.config["ORGAN_NAME"],
        "period_label": label,
        "period": analysis["period"]["key"],
        "colour_counts": {**{c: int(analysis["colours"].get(c, 0)) for c in ("green", "orange", "red")},
                          "previous": {c: int(analysis["previous_colours"].get(c, 0))
                                       for c in ("green", "orange", "red")}},
        "turned_red": [{"unit_name": row["name"], "index": row["index"]} for row in analysis["turned_red"]],
        "signals_by_channel": [{"label": CHANNEL_ZH.get(k, k), "count": n} for k, n in signals["by_channel"].items()],
        "signals_by_category": [{"label": CATEGORIES.get(k, k), "count": n}
                                for k, n in signals["by_category"].items()],
        "cases": {k: int(cases[k]) for k in ("opened", "closed", "overdue", "escalated")},
        "top_categories": [{"label": CATEGORIES.get(row["category"], row["category"]), "count": row["cases"]}
                           for row in analysis["top_categories"] if row["cases"]],
        "time_to_rectify": {"mean_days": ttr["mean"] or 0, "median_days": ttr["median"] or 0,
                            "count": ttr["count"]},
        "summary_paragraphs": _summary(analysis, label),
    }

