"""Demo scoring: inputs for every unit over the two full years before the clock's year and this
year to date, the ledger for every period, and the earlier full year graded and published by
two supervisors (the later one is left as a draft for a supervisor to compute and publish).

Each unit gets a latent target level: about 39 % aim at green (an index of 86.5–94) and the rest
at orange (77.5–83), close to the seed's Zhenhai 2008 figures; control checks and surveys carry
most of the difference, findings, sanctions, costs and the cases of step 30 add the noise.
"""
from __future__ import annotations

import random
import time as _time
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import func, insert, select

from caseflow import clock
from caseflow.demo import names
from caseflow.demo.district import DemoContext
from caseflow.extensions import db
from caseflow.models import PeriodResult, User
from caseflow.models import inputs as m
from caseflow.services.input_kinds import catalogue, catalogue_seed
from caseflow.services.ledger import recompute_in_session, scored_quarters

DEMO_STEP = 40
GREEN_SHARE = 0.39
PER_CAPITA = {"town": 120_000, "village": 40_000, "community": 50_000, "agency": 150_000, "station": 90_000,
              "enterprise": 200_000}
PROJECTS = ("economic_subject", "public_opinion", "service_object", "internal_staff")
SOURCES = ("audit", "social", "media", "people_congress", "cppcc", "inspection")


def _targets(rng: random.Random, units) -> dict[int, float]:
    """Exactly ``GREEN_SHARE`` of the units aim at green, the rest at orange (the cases add the reds)."""
    order = list(units)
    rng.shuffle(order)
    greens = {u.id for u in order[:round(GREEN_SHARE * len(order))]}
    return {u.id: rng.uniform(86.5, 94) if u.id in greens else rng.uniform(77.5, 83) for u in units}


def _quarter_rows(rng: random.Random, unit, target: float, year: int, quarter: int, now: datetime, out: dict) -> None:
    deficit = max(100 - target - 1.0, 0) + rng.gauss(0, 1.0)
    share = min(max(1 - 0.55 * deficit / 40, 0.3), 1.0)
    rate = min(max(1 - 0.45 * deficit / 20, 0.4), 1.0)
    p_pass = min(max((share - 0.25) / 0.75, 0), 1)
    for _code, name, weight in catalogue(unit.kind):
        draw = rng.random()
        result = "pass" if draw < p_pass else ("partial" if rng.random() < 0.5 else "fail")
        out["checks"].append({"unit_id": unit.id, "year": year, "quarter": quarter, "item": name, "weight": weight,
                              "result": result, "created_at": now})
    for project in PROJECTS:
        value = min(max(rate + rng.gauss(0, 0.03), 0.4), 1.0)
        out["surveys"].append({"unit_id": unit.id, "year": year, "quarter": quarter, "project": project,
                               "rate": Decimal(f"{value:.2f}"), "respondents": rng.randint(20, 120),
                               "created_at": now})
    if rng.random() < 0.15:
        severity = rng.choices(["minor", "moderate", "serious"], [70, 25, 5])[0]
        out["findings"].append({"unit_id": unit.id, "year": year, "quarter": quarter, "source": rng.choice(SOURCES),
                                "severity": severity, "found_on": date(year, 3 * quarter - 1, rng.randint(1, 28)),
                                "summary": "督查发现问题", "created_at": now})
    if rng.random() < 0.03 * (target - 70) / 20:
        out["awards"].append({"unit_id": unit.id, "year": year, "quarter": quarter, "summary": "经认定",
                              "kind": rng.choice(["innovation", "self_discovery", "cooperation"]), "created_at": now})


def _sanctions(rng: random.Random, units, year: int, last_quarter: int, now: datetime, out: dict) -> None:
    for _ in range(rng.randint(6, 10)):
        unit = rng.choice(units)
        quarter = rng.randint(1, last_quarter)
        decided = date(year, 3 * quarter - 1, rng.randint(1, 28))
        conduct = date(year - rng.choice([0, 0, 1, 3]), rng.randint(1, decided.month), 1)
        out["sanctions"].append({"unit_id": unit.id, "year": year, "quarter": quarter, "person": names.person(rng),
                                 "subject": rng.choice(["staff", "staff", "team_member"]),
                                 "kind": rng.choice(["admin_finding", "warning", "warning", "serious_warning"]),
                                 "conduct_on": conduct, "decided_on": decided, "summary": "违反工作纪律",
                                 "created_at": now})


def _costs(rng: random.Random, units, years: list[int], now: datetime, out: dict) -> None:
    for unit in units:
        factor = rng.gauss(1, 0.1)
        saving = rng.gauss(0.08, 0.04)
        for year in years:
            factor *= 1 + rng.gauss(0.03, 0.04)
            headcount = max(unit.headcount, 1)
            cost = Decimal(int(PER_CAPITA[unit.kind] * factor * headcount))
            rate = min(max(saving + rng.gauss(0, 0.02), -0.05), 0.3)
            out["costs"].append({"unit_id": unit.id, "year": year, "admin_cost": cost,
                                 "budget": Decimal(int(cost / Decimal(str(1 - rate)))), "headcount": headcount,
                                 "created_at": now})


def build(ctx: DemoContext) -> None:
    """Enter the inputs in bulk, score every period, grade and publish the earlier full year."""
    started = _time.perf_counter()
    rng = random.Random(ctx.seed * 7 + 40)
    catalogue_seed()
    db.session.flush()
    today, now = clock.today(), clock.now()
    first, second = ctx.first_year, ctx.first_year + 1
    units = [u for u in ctx.units if u.active]
    targets = _targets(rng, units)
    out: dict[str, list] = {k: [] for k in ("checks", "surveys", "findings", "awards", "sanctions", "costs")}
    for year in (first, second, today.year):
        quarters = scored_quarters(year, today)
        for unit in units:
            for quarter in quarters:
                _quarter_rows(rng, unit, targets[unit.id], year, quarter, now, out)
        _sanctions(rng, units, year, quarters[-1], now, out)
    _costs(rng, units, [first, second], now, out)
    models = {"checks": m.ControlCheck, "surveys": m.SurveyResult, "findings": m.SupervisionFinding,
              "awards": m.IncentiveAward, "sanctions": m.Sanction, "costs": m.CostRecord}
    for key, rows in out.items():
        if rows:
            db.session.execute(insert(models[key]), rows)
    recompute_in_session(first)
    db.session.commit()
    _publish(ctx, first)
    for year in (second, today.year):
        recompute_in_session(year)
    db.session.commit()
    counts = dict(db.session.execute(select(PeriodResult.grade, func.count()).where(
        PeriodResult.year == first, PeriodResult.quarter == 0).group_by(PeriodResult.grade)).all())
    ctx.result.lines.append(
        f"scores: {first} published — {counts.get('A', 0)} green (A), {counts.get('B', 0)} orange (B), "
        f"{counts.get('C', 0)} red (C); {second} computed quarter by quarter, left for a supervisor to grade "
        f"({_time.perf_counter() - started:.1f} s)")


def _publish(ctx: DemoContext, year: int) -> None:
    """Grade ``year`` as the commission would at the start of the next year: compute, approve, publish."""
    from caseflow.services.grading import grades_approve, grades_compute, grades_publish

    first = db.session.scalar(select(User).where(User.username == "supervisor"))
    second = db.session.scalar(select(User).where(User.username == "supervisor2"))
    with clock.frozen(datetime.combine(date(year + 1, 1, 15), time(10), tzinfo=clock.CST)):
        grades_compute(year=year, actor=first)
    with clock.frozen(datetime.combine(date(year + 1, 1, 18), time(15), tzinfo=clock.CST)):
        grades_approve(year=year, actor=second)
    with clock.frozen(datetime.combine(date(year + 1, 1, 22), time(9), tzinfo=clock.CST)):
        grades_publish(year=year, actor=first)
