"""Factories for assessment inputs (committed, no rescoring: tests call the ledger themselves)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from caseflow import clock
from caseflow.extensions import db
from caseflow.models import inputs as m


def _add(row):
    db.session.add(row)
    db.session.commit()
    return row


def check(unit, year: int, quarter: int, result: str = "pass", item: str = "财务收支审批与报销", weight=1):
    """A control check."""
    return _add(m.ControlCheck(unit_id=unit.id, year=year, quarter=quarter, item=item, weight=Decimal(weight),
                               result=result, created_at=clock.now()))


def survey(unit, year: int, quarter: int, project: str, rate):
    """A survey result."""
    return _add(m.SurveyResult(unit_id=unit.id, year=year, quarter=quarter, project=project, rate=Decimal(str(rate)),
                               created_at=clock.now()))


def finding(unit, year: int, quarter: int, source: str = "audit", severity: str = "minor"):
    """A supervision finding."""
    return _add(m.SupervisionFinding(unit_id=unit.id, year=year, quarter=quarter, source=source, severity=severity,
                                     created_at=clock.now()))


def sanction(unit, year: int, quarter: int, kind: str = "warning", subject: str = "team_member",
             person: str = "张三", conduct_on: date | None = None):
    """A sanction (or finding, or criminal liability)."""
    return _add(m.Sanction(unit_id=unit.id, year=year, quarter=quarter, person=person, subject=subject, kind=kind,
                           conduct_on=conduct_on or date(year, 1, 10), decided_on=date(year, 3 * quarter - 1, 1),
                           created_at=clock.now()))


def award(unit, year: int, quarter: int, kind: str = "innovation"):
    """An incentive award."""
    return _add(m.IncentiveAward(unit_id=unit.id, year=year, quarter=quarter, kind=kind, created_at=clock.now()))


def cost(unit, year: int, admin_cost, budget, headcount: int = 1):
    """A cost record."""
    return _add(m.CostRecord(unit_id=unit.id, year=year, admin_cost=Decimal(str(admin_cost)),
                             budget=Decimal(str(budget)), headcount=headcount, created_at=clock.now()))


def worked_example(unit, peer, year: int, quarter: int) -> None:
    """SPEC §5's worked example, except the notice (a case event): 9 passes and 1 partial, surveys
    0.9/0.8/1.0/0.7, one minor audit finding, cost 5 % above the peer mean with the same growth
    and saving rate, one warning of a team member."""
    for i in range(10):
        check(unit, year, quarter, "partial" if i == 0 else "pass", item=f"item {i}")
    for project, rate in zip(("economic_subject", "public_opinion", "service_object", "internal_staff"),
                             ("0.9", "0.8", "1.0", "0.7"), strict=True):
        survey(unit, year, quarter, project, rate)
    finding(unit, year, quarter, "audit", "minor")
    sanction(unit, year, quarter, "warning", "team_member", conduct_on=date(year, 1, 5))
    for y in (year - 1, year):
        cost(unit, y, 105, 210)
        cost(peer, y, 95, 190)
