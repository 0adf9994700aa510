"""The scoring rules of SPEC §5: source records + scheme → signed ledger entries.

Sign convention: an entry's ``points`` is its signed contribution to the index, so the
index is the plain sum of a quarter's entries. Integrity deductions are negative entries
in dimension ``integrity``; the integrity *dimension value* shown is their negated sum.

Clamps are entries too, so the sum always equals the value shown (``apply_limits``):
- ``control.floor`` (control) lifts a negative control sum to 0;
- ``stakeholder.supervision.floor`` lifts one supervision source below 0 back to 0;
- ``incentive.cap`` (incentive) trims bonuses above the cap (5);
- ``index.clamp`` below 0 is booked to ``integrity`` (the deduction is limited to what the
  unit had: every other dimension is already ≥ 0, so only integrity can make the index
  negative), and above 100 to ``incentive`` (the scheme's base dimensions add up to at most
  100, so only the bonus can push the index over). Both keep every dimension in range.

Shares are split over several entries by cumulative rounding (each entry is the difference
of consecutive rounded running totals), so 6 sources × 10/3 add up to exactly 20.0000.

The rules work on plain tuples in ``Entry`` field order (``ROW_FIELDS``), so a province's
year (hundreds of thousands of entries) is computed without building and validating one
object per entry: :func:`unit_ledger` computes a unit's quarters from its records with a
scheme read once (:class:`Rules`); :func:`quarter_entries` is the same computation for one
unit-quarter returning ``Entry`` objects.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, localcontext
from functools import cached_property
from typing import Any

from caseflow.errors import InvalidField

from .inputs import (
    CaseOutcome,
    ControlCheck,
    Entry,
    IncentiveAward,
    Sanction,
    SupervisionFinding,
    SurveyResult,
    quarter_end,
)
from .performance import PerformanceResult, full_performance
from .scheme import CONTEXT, DIMENSIONS, INDEX_MAX, INDEX_MIN, ZERO, label, num, q

LIMIT_REASONS = frozenset({"control.floor", "incentive.cap", "index.clamp"})
ROW_FIELDS = ("unit_id", "year", "quarter", "dimension", "points", "reason", "detail", "source_kind", "source_id")
_DIM_ORDER = {dim: i for i, dim in enumerate(DIMENSIONS)}
_ONE = Decimal(1)
Row = tuple  # (unit_id, year, quarter, dimension, points, reason, detail, source_kind, source_id)


def _row_key(row: Row) -> tuple:
    return _DIM_ORDER[row[3]], row[5], -1 if row[8] is None else row[8]


def sort_entries(entries: Iterable[Entry]) -> list[Entry]:
    """Order entries by dimension (SPEC order), reason and source id; stable for ties."""
    return sorted(entries, key=lambda e: (_DIM_ORDER[e.dimension], e.reason,
                                          -1 if e.source_id is None else e.source_id))


def entry_row(e: Entry) -> Row:
    """An entry as a plain tuple in ``ROW_FIELDS`` order."""
    return (e.unit_id, e.year, e.quarter, e.dimension, e.points, e.reason, e.detail, e.source_kind, e.source_id)


def _notice_points(row: dict[str, Any], severity: str | None, self_reported: bool) -> Decimal:
    if severity not in row["points"]:
        raise InvalidField(field="severity")
    points = num(row["points"][severity])
    return points * num(row["self_report_factor"]) if self_reported else points


class Rules:
    """A scheme's numbers read once, and the entry parts that do not depend on the unit.

    Everything is derived lazily, in the order the rules read the scheme, so a scheme part
    that a computation never reaches is never read (as when each rule read it itself)."""

    def __init__(self, scheme: dict[str, Any]) -> None:
        self.scheme = scheme
        self._outcomes: dict[tuple, tuple | None] = {}

    @cached_property
    def control(self) -> tuple[Decimal, str, dict[str, Decimal]]:
        cfg = self.scheme["control"]
        top = num(cfg["max"])
        return top, f"{q(top)}", {"pass": Decimal(1), "partial": num(cfg["partial_weight"]), "fail": Decimal(0)}

    @cached_property
    def new_unit_tail(self) -> tuple:
        top, top_text, _ = self.control
        with localcontext(CONTEXT):
            share = num(self.scheme["control"]["new_unit_share"])
            points = q(top * share)
        return ("control", points, "control.carry",
                f"No control checks recorded yet: share {q(share)} assumed → {points} of {top_text}", None, None)

    @cached_property
    def surveys(self) -> list[tuple[str, Decimal, str, str]]:
        return [(project, num(weight), label(project), f"{q(num(weight))}")
                for project, weight in self.scheme["stakeholder"]["surveys"].items()]

    @cached_property
    def survey_defaults(self) -> dict[str, tuple]:
        rate = num(self.scheme["stakeholder"]["survey_default_rate"])
        out = {}
        with localcontext(CONTEXT):
            for project, top, name, top_text in self.surveys:
                points = q(top * rate)
                out[project] = ("stakeholder", points, "stakeholder.survey.carry",
                                f"{name}: not run yet, rate {rate} assumed → {points} of {top_text}", None, None)
        return out

    @cached_property
    def supervision(self) -> list[tuple[str, str, Decimal, tuple]]:
        running, shown, out = Decimal(0), ZERO, []
        with localcontext(CONTEXT):
            for source, weight in self.scheme["stakeholder"]["supervision"].items():
                running += num(weight)
                upto = q(running)
                base, shown = upto - shown, upto
                name = label(source)
                rounded = f" ({weight} rounded so the sources add up exactly)" if base != num(weight) else ""
                out.append((source, name, base, ("stakeholder", base, "stakeholder.supervision",
                                                 f"{name}: base {base}{rounded}", None, None)))
        return out

    @cached_property
    def cap(self) -> Decimal:
        return q(num(self.scheme["incentive"]["cap"]))

    def outcome_tail(self, outcome: CaseOutcome) -> tuple | None:
        """The entry of one case event without its unit and period, or None if it scores nothing."""
        # Everything but the case number is shared by the events with the same consequence.
        key = (outcome.trigger, outcome.severity, outcome.self_reported, outcome.on_time,
               None if outcome.notice_deduction is None else str(outcome.notice_deduction))
        if key not in self._outcomes:
            self._outcomes[key] = _outcome_parts(outcome, self.scheme)
        parts = self._outcomes[key]
        if parts is None:
            return None
        dimension, points, reason, trigger_text, rest = parts
        return (dimension, points, reason, f"Case #{outcome.case_id}: {trigger_text}{rest}", "case_event", outcome.id)


def _outcome_parts(outcome: CaseOutcome, scheme: dict[str, Any]) -> tuple | None:
    table = scheme["case_outcomes"]
    row = table.get(outcome.trigger)
    if row is None:
        return None
    what = label(outcome.trigger).lower()
    with localcontext(CONTEXT):
        if "notice_share" in row:  # accept: a share of the notice's deduction back, if on time
            if not outcome.on_time:
                return None
            if outcome.notice_deduction is not None:
                deduction = abs(outcome.notice_deduction)
            elif outcome.severity is None:  # no notice was ever issued (an annual case): nothing back
                return None
            else:
                deduction = abs(_notice_points(table["issue_notice"], outcome.severity, outcome.self_reported))
            share = num(row["notice_share"])
            points = q(deduction * share)
            rest = f" on time: {share} × notice deduction {q(deduction)} = +{points}"
        elif isinstance(row["points"], dict):  # issue_notice: by severity, reduced when self-reported
            points = q(_notice_points(row, outcome.severity, outcome.self_reported))
            rest = f" ({outcome.severity}): {q(num(row['points'][outcome.severity]))}"
            if outcome.self_reported:
                rest += f" × {num(row['self_report_factor'])} (self-reported by the unit) = {points}"
        else:
            points = q(num(row["points"]))
            rest = f": {points}"
    return row["dimension"], points, f"{row['dimension']}.case.{outcome.trigger}", what, rest


def case_outcome_entries(outcome: CaseOutcome, scheme: dict[str, Any]) -> list[Entry]:
    """Return the ledger entries of one case event (SPEC §5 case table); [] if it scores nothing."""
    tail = Rules(scheme).outcome_tail(outcome)
    return [] if tail is None else [Entry(outcome.unit_id, outcome.year, outcome.quarter, *tail)]


def _control(head: tuple, by_period: dict[tuple[int, int], list[ControlCheck]], period: tuple[int, int],
             rules: Rules) -> list[Row]:
    top, top_text, credit = rules.control
    current = by_period.get(period)
    if current:
        current = sorted(current, key=lambda c: c.id)
        total = sum(c.weight for c in current)
        running, shown, out = Decimal(0), ZERO, []
        for check in current:
            running += check.weight * credit[check.result]
            upto = q(top * running / total)
            points, shown = upto - shown, upto
            out.append((*head, "control", points, "control.checks",
                        f"Control check '{check.item}' {check.result} (weight {check.weight} of {total}): "
                        f"{points} of {top_text}", "control_check", check.id))
        return out
    earlier = [key for key in by_period if key <= period]
    if not earlier:
        return [(*head, *rules.new_unit_tail)]
    last = max(earlier)
    rows = by_period[last]
    share = sum(c.weight * credit[c.result] for c in rows) / sum(c.weight for c in rows)
    points = q(top * share)
    return [(*head, "control", points, "control.carry",
             f"No control checks this quarter: share {q(share)} of {last[0]}Q{last[1]} carried over"
             f" → {points} of {top_text}", None, None)]


def _surveys(head: tuple, latest: dict[str, SurveyResult], period: tuple[int, int], rules: Rules) -> list[Row]:
    out = []
    for project, top, name, top_text in rules.surveys:
        survey = latest.get(project)
        if survey is None:
            out.append((*head, *rules.survey_defaults[project]))
            continue
        points = q(top * survey.rate)
        if (survey.year, survey.quarter) == period:
            out.append((*head, "stakeholder", points, "stakeholder.survey",
                        f"{name}: rate {survey.rate} × {top} = {points}", "survey", survey.id))
        else:
            out.append((*head, "stakeholder", points, "stakeholder.survey.carry",
                        f"{name}: not run this quarter, rate {survey.rate} of {survey.year}Q{survey.quarter} "
                        f"carried over → {points} of {top_text}", "survey", survey.id))
    return out


def _supervision(head: tuple, findings: Sequence[SupervisionFinding], rules: Rules) -> list[Row]:
    bases = rules.supervision
    if not findings:
        return [(*head, *tail) for _, _, _, tail in bases]
    cfg = rules.scheme["stakeholder"]
    sources, deductions = cfg["supervision"], cfg["finding_deductions"]
    by_source: dict[str, list[SupervisionFinding]] = {}
    for finding in findings:
        if finding.source not in sources:
            raise InvalidField(field="source")
        by_source.setdefault(finding.source, []).append(finding)
    out = []
    for source, name, base, tail in bases:
        out.append((*head, *tail))
        value = base
        for finding in sorted(by_source.get(source, ()), key=lambda f: f.id):
            points = q(-num(deductions[finding.severity]))
            value += points
            out.append((*head, "stakeholder", points, "stakeholder.supervision.finding",
                        f"{name}: {finding.severity} finding {points}", "finding", finding.id))
        if value < 0:
            out.append((*head, "stakeholder", -value, "stakeholder.supervision.floor",
                        f"{name}: {value} raised to 0 (a source does not go below 0)", None, None))
    return out


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _sanctions(head: tuple, sanctions: Iterable[Sanction], cfg: dict[str, Any], as_of: date) -> list[Row]:
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
        out.append((*head, "integrity", points, reason,
                    f"{label(sanction.kind)}, {label(sanction.subject).lower()}, conduct {sanction.conduct_on} "
                    f"({age}): {base} × {subject} × {factor} = {-points} deducted", "sanction", sanction.id))
    return out


def _awards(head: tuple, awards: Iterable[IncentiveAward], cfg: dict[str, Any]) -> list[Row]:
    out = []
    for award in awards:
        if award.kind not in cfg["awards"]:
            raise InvalidField(field="kind")
        points = q(num(cfg["awards"][award.kind]))
        out.append((*head, "incentive", points, "incentive.award", f"{label(award.kind)}: +{points}",
                    "award", award.id))
    return out


def _performance(result: PerformanceResult | None, scheme: dict[str, Any]) -> list[tuple]:
    result = result or full_performance(scheme, "No cost records: full points")
    return [("performance", result.cost_points, "performance.cost", result.cost_detail,
             "cost_record" if result.cost_source_id is not None else None, result.cost_source_id),
            ("performance", result.saving_points, "performance.saving", result.saving_detail,
             "cost_record" if result.saving_source_id is not None else None, result.saving_source_id)]


def _limit_rows(kept: list[Row], cap: Decimal) -> list[Row]:
    """A unit-quarter's rows (no limit rows among them) with a fresh floor, cap and clamp, sorted."""
    head = kept[0][:3]
    sums = dict.fromkeys(DIMENSIONS, ZERO)
    for row in kept:
        sums[row[3]] += row[4]
    extra = []
    if sums["control"] < 0:
        extra.append((*head, "control", -sums["control"], "control.floor",
                      f"Control {sums['control']} raised to 0 (control does not go below 0)", None, None))
    if sums["incentive"] > cap:
        extra.append((*head, "incentive", cap - sums["incentive"], "incentive.cap",
                      f"Bonus {sums['incentive']} capped at {cap}", None, None))
    total = sum(sums.values()) + sum(row[4] for row in extra)
    if total < INDEX_MIN:
        extra.append((*head, "integrity", INDEX_MIN - total, "index.clamp",
                      f"Index {total} raised to {INDEX_MIN}: deductions limited to the points the unit had",
                      None, None))
    elif total > INDEX_MAX:
        extra.append((*head, "incentive", INDEX_MAX - total, "index.clamp",
                      f"Index {total} capped at {INDEX_MAX}: bonus trimmed", None, None))
    kept.extend(extra)
    kept.sort(key=_row_key)
    return kept


def limit_rows(rows: Sequence[Row], *, scheme: dict[str, Any]) -> list[Row]:
    """``apply_limits`` for one unit-quarter's entries as ``ROW_FIELDS`` tuples."""
    kept = [row for row in rows if row[5] not in LIMIT_REASONS]
    if not kept:
        return []
    head = kept[0][:3]
    if any(row[:3] != head for row in kept):
        raise InvalidField(field="entries")
    return _limit_rows(kept, q(num(scheme["incentive"]["cap"])))


def apply_limits(entries: Sequence[Entry], *, scheme: dict[str, Any]) -> list[Entry]:
    """Drop stale limit entries and add a fresh control floor, incentive cap and index clamp."""
    return [Entry(*row) for row in limit_rows([entry_row(e) for e in entries], scheme=scheme)]


def _by_period(rows: Iterable[Any], unit_id: int) -> dict[tuple[int, int], list[Any]]:
    out: dict[tuple[int, int], list[Any]] = {}
    for row in rows:
        if row.unit_id == unit_id:
            out.setdefault((row.year, row.quarter), []).append(row)
    return out


def unit_ledger(*, unit_id: int, year: int, quarters: Iterable[int], checks: Iterable[ControlCheck] = (),
                surveys: Iterable[SurveyResult] = (), findings: Iterable[SupervisionFinding] = (),
                sanctions: Iterable[Sanction] = (), awards: Iterable[IncentiveAward] = (),
                outcomes: Iterable[CaseOutcome] = (), performance: PerformanceResult | None = None,
                rules: Rules, as_of: date | None = None) -> dict[int, list[Row]]:
    """Compute the rows (``ROW_FIELDS`` tuples, sorted, limits applied) of a unit's quarters of
    ``year`` from its source records; records of other units are ignored. ``as_of`` (the day
    sanction recency is judged) defaults to each quarter's last day."""
    scheme = rules.scheme
    checks_by = _by_period(checks, unit_id)
    findings_by, sanctions_by = _by_period(findings, unit_id), _by_period(sanctions, unit_id)
    awards_by, outcomes_by = _by_period(awards, unit_id), _by_period(outcomes, unit_id)
    pending = sorted((s for s in surveys if s.unit_id == unit_id), key=lambda s: (s.year, s.quarter, s.id))
    projects = scheme["stakeholder"]["surveys"]
    latest: dict[str, SurveyResult] = {}
    seen = 0
    perf = None
    out = {}
    with localcontext(CONTEXT):
        for quarter in sorted(quarters):
            period, head = (year, quarter), (unit_id, year, quarter)
            rows = _control(head, checks_by, period, rules)
            while seen < len(pending) and (pending[seen].year, pending[seen].quarter) <= period:
                survey = pending[seen]
                if survey.project not in projects:
                    raise InvalidField(field="project")
                latest[survey.project] = survey
                seen += 1
            rows += _surveys(head, latest, period, rules)
            rows += _supervision(head, findings_by.get(period, ()), rules)
            if perf is None:
                perf = _performance(performance, scheme)
            rows += [(*head, *tail) for tail in perf]
            rows += _awards(head, awards_by.get(period, ()), scheme["incentive"])
            rows += _sanctions(head, sanctions_by.get(period, ()), scheme["integrity"],
                               as_of or quarter_end(year, quarter))
            for outcome in outcomes_by.get(period, ()):
                tail = rules.outcome_tail(outcome)
                if tail is not None:
                    rows.append((*head, *tail))
            out[quarter] = _limit_rows(rows, rules.cap)
    return out


def quarter_entries(*, unit_id: int, year: int, quarter: int, checks: Iterable[ControlCheck] = (),
                    surveys: Iterable[SurveyResult] = (), findings: Iterable[SupervisionFinding] = (),
                    sanctions: Iterable[Sanction] = (), awards: Iterable[IncentiveAward] = (),
                    outcomes: Iterable[CaseOutcome] = (), performance: PerformanceResult | None = None,
                    scheme: dict[str, Any], as_of: date | None = None) -> list[Entry]:
    """Compute every ledger entry of one unit and quarter from its source records."""
    rows = unit_ledger(unit_id=unit_id, year=year, quarters=[quarter], checks=checks, surveys=surveys,
                       findings=findings, sanctions=sanctions, awards=awards, outcomes=outcomes,
                       performance=performance, rules=Rules(scheme), as_of=as_of)[quarter]
    return [Entry(*row) for row in rows]
