"""The 预警建议书 of every unit of a published year: its context from the ledger, issued as documents.

Everything a recommendation states (quarterly indices, problems, open cases, requirements)
is read in a handful of queries for all units at once, then one document per unit is added
to the publication's transaction through ``services.documents.document_issue``.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from caseflow import clock
from caseflow import scoring as s
from caseflow.extensions import db
from caseflow.models import Case, PeriodResult, ScoreEntry
from caseflow.services import ledger_sources as src
from caseflow.services.documents import document_issue
from caseflow.states.definition import STATE_LABELS

COLOUR_ZH = {"green": "绿色", "orange": "橙色", "red": "红色"}
WARNING_LEVEL = {"A": "绿色（无预警）", "B": "橙色预警", "C": "红色预警"}
REQUIREMENTS = {
    "A": ["继续落实党风廉政建设主体责任，巩固廉政风险防控成效。",
          "对照廉政风险点目录开展年度自查，及时发现和纠正苗头性问题。"],
    "B": ["领导班子专题研究预警建议书反映的问题，制定整改方案，明确责任人和完成时限。",
          "对控制性评价中未通过的风险点逐项整改，完善内控制度。",
          "加强对干部的日常教育监督，落实党风廉政建设主体责任。"],
    "C": ["领导班子专题研究预警建议书反映的问题，制定整改方案，明确责任人和完成时限，接受专门工作组督促指导。",
          "对重点领域和关键岗位开展廉政风险全面排查，完善防控措施。",
          "主要负责人按要求接受廉政谈话，领导班子接受询问或质询。",
          "加强对干部的日常教育监督，落实党风廉政建设主体责任。"],
}


def _problems(dims: dict[str, Decimal], counts: dict[str, int]) -> list[str]:
    out = []
    if dims["control"] < 36:
        out.append(f"控制性评价年均得分{s.q(dims['control']):.1f}分（满分40分），部分廉政风险点防控措施落实不到位。")
    if dims["stakeholder"] < 36:
        out.append(f"主体性评价年均得分{s.q(dims['stakeholder']):.1f}分（满分40分），群众满意度或监督检查反映问题较多。")
    if counts.get("stakeholder.supervision.finding"):
        out.append(f"年内各类监督检查发现问题{counts['stakeholder.supervision.finding']}个。")
    if dims["performance"] < 18:
        out.append(f"绩效指标年均得分{s.q(dims['performance']):.1f}分（满分20分），行政成本控制偏离同类单位平均水平。")
    if counts.get("integrity.sanction"):
        out.append(f"年内发生行政监察或党政纪处分{counts['integrity.sanction']}起。")
    if counts.get("integrity.criminal"):
        out.append(f"年内发生追究刑事责任案件{counts['integrity.criminal']}起。")
    if counts.get("control.case.issue_notice"):
        out.append(f"年内收到预警告知书{counts['control.case.issue_notice']}份。")
    if counts.get("control.case.escalate"):
        out.append(f"{counts['control.case.escalate']}件预警事项因逾期或整改不到位被升级处置。")
    if counts.get("integrity.case.refer"):
        out.append(f"{counts['integrity.case.refer']}件问题移送立案审查。")
    return out


def recommendations_issue(*, year: int, results: list[PeriodResult], units: dict, actor) -> int:
    """Add the warning recommendation of every graded unit to the session (no commit); return how many."""
    ids = [r.unit_id for r in results]
    quarters: dict[int, list[PeriodResult]] = defaultdict(list)
    for row in db.session.scalars(select(PeriodResult).where(PeriodResult.year == year,
                                                             PeriodResult.quarter.between(1, 4))
                                  .order_by(PeriodResult.quarter)):
        quarters[row.unit_id].append(row)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for unit_id, reason, n in db.session.execute(
            select(ScoreEntry.unit_id, ScoreEntry.reason, func.count()).where(ScoreEntry.year == year)
            .group_by(ScoreEntry.unit_id, ScoreEntry.reason)):
        counts[unit_id][reason] = n
    open_cases: dict[int, list[dict]] = defaultdict(list)
    for case in db.session.scalars(select(Case).where(Case.unit_id.in_(ids), Case.state.in_(src.OPEN_STATES))
                                   .order_by(Case.id)):
        due = case.rectify_due or case.ack_due or case.verify_due
        open_cases[case.unit_id].append({"number": case.number, "title": case.title,
                                         "state_label": STATE_LABELS[case.state][0],
                                         "due": due.isoformat() if due else ""})
    reply_due = (clock.today() + timedelta(days=30)).isoformat()
    for r in results:
        unit = units[r.unit_id]
        dims = {d: getattr(r, d) for d in s.DIMENSIONS}
        context = {
            "unit_name": unit.name, "year": year, "grade": r.grade, "colour_label": COLOUR_ZH[r.colour],
            "warning_level": WARNING_LEVEL[r.grade], "index": float(s.q(r.index)),
            "quarters": [{"quarter": q.quarter, "index": float(s.q(q.index)), "colour_label": COLOUR_ZH[q.colour]}
                         for q in quarters[r.unit_id]],
            "problems": _problems(dims, counts[r.unit_id]), "open_cases": open_cases[r.unit_id][:10],
            "requirements": REQUIREMENTS[r.grade], "reply_due": reply_due,
        }
        document_issue(kind="recommendation", unit=unit, year=year, context=context, actor=actor)
    return len(results)
