"""The scoring engine's rules as they were before the batch engine (rows, ``Rules``, ``unit_ledger``):
a frozen copy kept as the oracle the faster engine must match entry for entry, detail text included
(``test_scoring_batch.py``). Do not change it to follow the engine; change the engine."""
# ruff: noqa
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, localcontext
from functools import partial
from typing import Any

from caseflow.errors import InvalidField
from caseflow.scoring.inputs import (
    CaseOutcome,
    ControlCheck,
    Entry,
    IncentiveAward,
    Sanction,
    SupervisionFinding,
    SurveyResult,
    quarter_end,
)
from caseflow.scoring.performance import PerformanceResult, full_performance
from caseflow.scoring.scheme import CONTEXT, DIMENSIONS, INDEX_MAX, INDEX_MIN, ZERO, label, num, q

LIMIT_REASONS = frozenset({"control.floor", "incentive.cap", "index.clamp"})
_DIM_ORDER = {dim: i for i, dim in enumerate(DIMENSIONS)}


def sort_entries(entries: Iterable[Entry]) -> list[Entry]:
    """Order entries by dimension (SPEC order), reason and source id; stable for ties."""
    return sorted(entries, key=lambda e: (_DIM_ORDER[e.dimension], e.reason,
                                          -1 if e.source_id is None else e.source_id))


def _notice_points(row: dict[str, Any], severity: str | None, self_reported: bool) -> Decimal:
    if severity not in row["points"]:
        raise InvalidField(field="severity")
    points = num(row["points"][severity])
    return points * num(row["self_report_factor"]) if self_reported else points


def case_outcome_entries(outcome: CaseOutcome, scheme: dict[str, Any]) -> list[Entry]:
    """Return the ledger entries of one case event (SPEC §5 case table); [] if it scores nothing."""
    table = scheme["case_outcomes"]
    row = table.get(outcome.trigger)
    if row is None:
        return []
    what = f"Case #{outcome.case_id}: {label(outcome.trigger).lower()}"
    with localcontext(CONTEXT):
        if "notice_share" in row:  # accept: a share of the notice's deduction back, if on time
            if not outcome.on_time:
                return []
            if outcome.notice_deduction is not None:
                deduction = abs(outcome.notice_deduction)
            elif outcome.severity is None:  # no notice was ever issued (an annual case): nothing back
                return []
            else:
                deduction = abs(_notice_points(table["issue_notice"], outcome.severity, outcome.self_reported))
            share = num(row["notice_share"])
            points = q(deduction * share)
            detail = f"{what} on time: {share} × notice deduction {q(deduction)} = +{points}"
        elif isinstance(row["points"], dict):  # issue_notice: by severity, reduced when self-reported
            points = q(_notice_points(row, outcome.severity, outcome.self_reported))
            detail = f"{what} ({outcome.severity}): {q(num(row['points'][outcome.severity]))}"
            if outcome.self_reported:
                detail += f" × {num(row['self_report_factor'])} (self-reported by the unit) = {points}"
        else:
            points = q(num(row["points"]))
            detail = f"{what}: {points}"
    return [Entry(outcome.unit_id, outcome.year, outcome.quarter, row["dimension"], points,
                  f"{row['dimension']}.case.{outcome.trigger}", detail, "case_event", outcome.id)]


def _control(mk: partial, checks: Iterable[ControlCheck], unit_id: int, period: tuple[int, int],
             cfg: dict[str, Any]) -> list[Entry]:
    top = num(cfg["max"])
    credit = {"pass": Decimal(1), "partial": num(cfg["partial_weight"]), "fail": Decimal(0)}
    by_period: dict[tuple[int, int], list[ControlCheck]] = {}
    for check in checks:
        key = (check.year, check.quarter)
        if check.unit_id == unit_id and key <= period:
            by_period.setdefault(key, []).append(check)
    current = sorted(by_period.get(period, ()), key=lambda c: c.id)
    if current:
        total = sum(c.weight for c in current)
        running, shown, out = Decimal(0), ZERO, []
        for check in current:
            running += check.weight * credit[check.result]
            upto = q(top * running / total)
            points, shown = upto - shown, upto
            out.append(mk("control", points, "control.checks",
                          f"Control check '{check.item}' {check.result} (weight {check.weight} of {total}): "
                          f"{points} of {q(top)}", "control_check", check.id))
        return out
    if by_period:
        last = max(by_period)
        rows = by_period[last]
        share = sum(c.weight * credit[c.result] for c in rows) / sum(c.weight for c in rows)
        detail = f"No control checks this quarter: share {q(share)} of {last[0]}Q{last[1]} carried over"
    else:
        share = num(cfg["new_unit_share"])
        detail = f"No control checks recorded yet: share {q(share)} assumed"
    points = q(top * share)
    return [mk("control", points, "control.carry", f"{detail} → {points} of {q(top)}")]


def _surveys(mk: partial, surveys: Iterable[SurveyResult], unit_id: int, period: tuple[int, int],
             cfg: dict[str, Any]) -> list[Entry]:
    projects = cfg["surveys"]
    latest: dict[str, SurveyResult] = {}
    for survey in surveys:
        if survey.unit_id != unit_id or (survey.year, survey.quarter) > period:
            continue
        if survey.project not in projects:
            raise InvalidField(field="project")
        seen = latest.get(survey.project)
        if seen is None or (survey.year, survey.quarter, survey.id) > (seen.year, seen.quarter, seen.id):
            latest[survey.project] = survey
    out = []
    for project, weight in projects.items():
        top, survey = num(weight), latest.get(project)
        name = label(project)
        if survey is None:
            rate = num(cfg["survey_default_rate"])
            points = q(top * rate)
            out.append(mk("stakeholder", points, "stakeholder.survey.carry",
                          f"{name}: not run yet, rate {rate} assumed → {points} of {q(top)}"))
            continue
        points = q(top * survey.rate)
        if (survey.year, survey.quarter) == period:
            out.append(mk("stakeholder", points, "stakeholder.survey",
                          f"{name}: rate {survey.rate} × {top} = {points}", "survey", survey.id))
        else:
            out.append(mk("stakeholder", points, "stakeholder.survey.carry",
                          f"{name}: not run this quarter, rate {survey.rate} of {survey.year}Q{survey.quarter} "
                          f"carried over → {points} of {q(top)}", "survey", survey.id))
    return out


def _supervision(mk: partial, findings: Iterable[SupervisionFinding], cfg: dict[str, Any]) -> list[Entry]:
    sources, deductions = cfg["supervision"], cfg["finding_deductions"]
    by_source: dict[str, list[SupervisionFinding]] = {}
    for finding in findings:
        if finding.source not in sources:
            raise InvalidField(field="source")
        by_source.setdefault(finding.source, []).append(finding)
    out, running, shown = [], Decimal(0), ZERO
    for source, weight in sources.items():
        running += num(weight)
        upto = q(running)
        base, shown = upto - shown, upto
        name = label(source)
        rounded = f" ({weight} rounded so the sources add up exactly)" if base != num(weight) else ""
        out.append(mk("stakeholder", base, "stakeholder.supervision", f"{name}: base {base}{rounded}"))
        value = base
        for finding in sorted(by_source.get(source, ()), key=lambda f: f.id):
            points = q(-num(deductions[finding.severity]))
            value += points
            out.append(mk("stakeholder", points, "stakeholder.supervision.finding",
                          f"{name}: {finding.severity} finding {points}", "finding", finding.id))
        if value < 0:
            out.append(mk("stakeholder", -value, "stakeholder.supervision.floor",
                          f"{name}: {value} raised to 0 (a source does not go below 0)"))
    return out


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _sanctions(mk: partial, sanctions: Iterable[Sanction], cfg: dict[str, Any], as_of: date) -> list[Entry]:
    recency = cfg["recency"]
    cutoff = _years_before(as_of, int(recency["years"]))
    out = []
    for sanction in sanctions:
        if sanction.kind not in cfg["kinds"]:
            raise InvalidField(field="kind")
        base, subject = num(cfg["kinds"][sanction.kind]), num(cfg["subjects"][sanction.subject])
        recent = sanction.conduct_on >= cutoff
        factor = num(recency["recent" if recent else "older"])
        points = q(-(base * subject * factor))
        age = f"within {recency['years']} years" if recent else f"more than {recency['years']} years ago"
        reason = "integrity.criminal" if sanction.kind == "criminal" else "integrity.sanction"
        out.append(mk("integrity", points, reason,
                      f"{label(sanction.kind)}, {label(sanction.subject).lower()}, conduct {sanction.conduct_on} "
                      f"({age}): {base} × {subject} × {factor} = {-points} deducted", "sanction", sanction.id))
    return out


def _awards(mk: partial, awards: Iterable[IncentiveAward], cfg: dict[str, Any]) -> list[Entry]:
    out = []
    for award in awards:
        if award.kind not in cfg["awards"]:
            raise InvalidField(field="kind")
        points = q(num(cfg["awards"][award.kind]))
        out.append(mk("incentive", points, "incentive.award", f"{label(award.kind)}: +{points}",
                      "award", award.id))
    return out


def _performance(mk: partial, result: PerformanceResult | None, scheme: dict[str, Any]) -> list[Entry]:
    result = result or full_performance(scheme, "No cost records: full points")
    return [mk("performance", result.cost_points, "performance.cost", result.cost_detail,
               "cost_record" if result.cost_source_id is not None else None, result.cost_source_id),
            mk("performance", result.saving_points, "performance.saving", result.saving_detail,
               "cost_record" if result.saving_source_id is not None else None, result.saving_source_id)]


def apply_limits(entries: Sequence[Entry], *, scheme: dict[str, Any]) -> list[Entry]:
    """Drop stale limit entries and add a fresh control floor, incentive cap and index clamp."""
    kept = [e for e in entries if e.reason not in LIMIT_REASONS]
    if not kept:
        return []
    head = kept[0]
    if any((e.unit_id, e.year, e.quarter) != (head.unit_id, head.year, head.quarter) for e in kept):
        raise InvalidField(field="entries")
    mk = partial(Entry, head.unit_id, head.year, head.quarter)
    sums = dict.fromkeys(DIMENSIONS, ZERO)
    for e in kept:
        sums[e.dimension] += e.points
    extra = []
    if sums["control"] < 0:
        extra.append(mk("control", -sums["control"], "control.floor",
                        f"Control {sums['control']} raised to 0 (control does not go below 0)"))
    cap = q(num(scheme["incentive"]["cap"]))
    if sums["incentive"] > cap:
        extra.append(mk("incentive", cap - sums["incentive"], "incentive.cap",
                        f"Bonus {sums['incentive']} capped at {cap}"))
    total = sum(sums.values()) + sum(e.points for e in extra)
    if total < INDEX_MIN:
        extra.append(mk("integrity", INDEX_MIN - total, "index.clamp",
                        f"Index {total} raised to {INDEX_MIN}: deductions limited to the points the unit had"))
    elif total > INDEX_MAX:
        extra.append(mk("incentive", INDEX_MAX - total, "index.clamp",
                        f"Index {total} capped at {INDEX_MAX}: bonus trimmed"))
    return sort_entries(kept + extra)


def quarter_entries(*, unit_id: int, year: int, quarter: int, checks: Iterable[ControlCheck] = (),
                    surveys: Iterable[SurveyResult] = (), findings: Iterable[SupervisionFinding] = (),
                    sanctions: Iterable[Sanction] = (), awards: Iterable[IncentiveAward] = (),
                    outcomes: Iterable[CaseOutcome] = (), performance: PerformanceResult | None = None,
                    scheme: dict[str, Any], as_of: date | None = None) -> list[Entry]:
    """Compute every ledger entry of one unit and quarter from its source records."""
    period = (year, quarter)
    as_of = as_of or quarter_end(year, quarter)

    def booked(rows: Iterable[Any]) -> list[Any]:
        return [r for r in rows if r.unit_id == unit_id and (r.year, r.quarter) == period]

    mk = partial(Entry, unit_id, year, quarter)
    with localcontext(CONTEXT):
        entries = _control(mk, checks, unit_id, period, scheme["control"])
        entries += _surveys(mk, surveys, unit_id, period, scheme["stakeholder"])
        entries += _supervision(mk, booked(findings), scheme["stakeholder"])
        entries += _performance(mk, performance, scheme)
        entries += _awards(mk, booked(awards), scheme["incentive"])
        entries += _sanctions(mk, booked(sanctions), scheme["integrity"], as_of)
        for outcome in booked(outcomes):
            entries += case_outcome_entries(outcome, scheme)
        return apply_limits(entries, scheme=scheme)
