"""The ledger rules of SPEC §5: every point of an index is an entry, and the entries add up."""
from __future__ import annotations

import random
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseflow.errors import InvalidField
from caseflow.scoring import (
    DEFAULT_SCHEME,
    CaseOutcome,
    ControlCheck,
    CostRecord,
    Entry,
    IncentiveAward,
    PerformanceResult,
    Sanction,
    SupervisionFinding,
    SurveyResult,
    apply_limits,
    case_outcome_entries,
    performance_for_year,
    quarter_entries,
    summarise,
)

S = DEFAULT_SCHEME
UNIT, YEAR, Q = 1, 2026, 2
PROJECTS = list(S["stakeholder"]["surveys"])
SOURCES = list(S["stakeholder"]["supervision"])


def full_perf() -> PerformanceResult:
    """Performance at full points, so a test sees only the rule under test move."""
    return PerformanceResult(D(10), D(10), "full", "full", 1, 1)


def entries_for(**kwargs) -> list[Entry]:
    """Compute unit 1's 2026 Q2 entries with full performance unless told otherwise."""
    kwargs.setdefault("performance", full_perf())
    return quarter_entries(unit_id=UNIT, year=YEAR, quarter=Q, scheme=S, **kwargs)


def by_reason(entries, reason) -> list[Entry]:
    """Entries with one reason."""
    return [e for e in entries if e.reason == reason]


def total(entries) -> D:
    """Sum of entry points."""
    return sum((e.points for e in entries), D(0))


def worked_example_inputs(year=YEAR, quarter=Q) -> dict:
    """The SPEC §5 worked example, with performance derived from cost records."""
    checks = [ControlCheck(i, UNIT, year, quarter, f"risk point {i}", D(1), "pass") for i in range(1, 10)]
    checks.append(ControlCheck(10, UNIT, year, quarter, "risk point 10", D(1), "partial"))
    rates = ["0.9", "0.8", "1.0", "0.7"]
    surveys = [SurveyResult(i, UNIT, year, quarter, p, D(r)) for i, (p, r) in enumerate(zip(PROJECTS, rates, strict=True), 1)]
    # Unit 1: c = 105, peer mean 100 (+5 %); both units' c unchanged since last year (same growth);
    # both save 50 % of budget this year and last (equal saving rate and change).
    records = [CostRecord(1, UNIT, year, D(1050), D(2100), 10), CostRecord(2, 2, year, D(950), D(1900), 10),
               CostRecord(3, UNIT, year - 1, D(1050), D(2100), 10), CostRecord(4, 2, year - 1, D(950), D(1900), 10)]
    performance = performance_for_year(records, {UNIT: "village", 2: "village"}, year, S)[UNIT]
    return {
        "checks": checks, "surveys": surveys, "performance": performance,
        "findings": [SupervisionFinding(1, UNIT, year, quarter, "audit", "minor")],
        "sanctions": [Sanction(1, UNIT, year, quarter, "Zhang San", "team_member", "warning", date(year, 1, 15))],
        "outcomes": [CaseOutcome(1, 41, UNIT, year, quarter, "issue_notice", "moderate")],
    }


def test_worked_example_reproduces_86_7_green():
    entries = entries_for(**worked_example_inputs())
    result = summarise(entries, scheme=S)
    assert result.index == D("86.7")
    assert str(result.index) == "86.7000"
    assert result.colour == "green"
    assert result.dimensions == {"control": D(36), "stakeholder": D(36), "performance": D("19.5"),
                                 "incentive": D(0), "integrity": D("4.8")}
    assert total(entries) == result.index
    assert total(by_reason(entries, "control.checks")) == 38
    assert by_reason(entries, "control.case.issue_notice")[0].points == -2
    assert total(by_reason(entries, "stakeholder.survey")) == 17
    assert total(e for e in entries if e.reason.startswith("stakeholder.supervision")) == 19
    assert [e.points for e in by_reason(entries, "performance.cost")] == [D("9.5")]
    assert [e.points for e in by_reason(entries, "performance.saving")] == [D(10)]
    sanction = by_reason(entries, "integrity.sanction")[0]
    assert (sanction.points, sanction.source_kind, sanction.source_id) == (D("-4.8"), "sanction", 1)
    assert "Zhang San" not in sanction.detail  # the ledger names no person


def test_recomputation_is_identical_and_independent_of_input_order():
    inputs = worked_example_inputs()
    shuffled = {k: (random.Random(7).sample(v, len(v)) if isinstance(v, list) else v) for k, v in inputs.items()}
    assert entries_for(**inputs) == entries_for(**shuffled)
    first = entries_for(**inputs)
    assert all(e.points.as_tuple().exponent == -4 for e in first)
    keys = [(e.dimension, e.reason) for e in first]
    assert keys[0][0] == "control" and keys[-1][0] == "integrity"


# --- control -------------------------------------------------------------------------------------

def test_control_weights_partials_and_exact_split():
    checks = [ControlCheck(1, UNIT, YEAR, Q, "a", D(3), "pass"), ControlCheck(2, UNIT, YEAR, Q, "b", D(1), "partial"),
              ControlCheck(3, UNIT, YEAR, Q, "c", D(2), "fail")]
    entries = by_reason(entries_for(checks=checks), "control.checks")
    assert [e.points for e in entries] == [D(20), D("3.3333"), D(0)]  # 40 × 3.5 / 6 = 23.3333
    thirds = [ControlCheck(i, UNIT, YEAR, Q, "x", D(1), "pass") for i in (1, 2, 3)]
    assert [e.points for e in by_reason(entries_for(checks=thirds), "control.checks")] == [
        D("13.3333"), D("13.3334"), D("13.3333")]


def test_control_carries_the_last_recorded_share_over():
    checks = [ControlCheck(1, UNIT, 2025, 4, "a", D(1), "pass"), ControlCheck(2, UNIT, 2025, 4, "b", D(1), "fail"),
              ControlCheck(3, UNIT, 2025, 3, "c", D(1), "pass"),
              ControlCheck(4, UNIT, 2026, 3, "future", D(1), "fail"),  # after the quarter: ignored
              ControlCheck(5, 2, YEAR, Q, "other unit", D(1), "fail")]
    carry = by_reason(entries_for(checks=checks), "control.carry")
    assert [e.points for e in carry] == [D(20)]
    assert "2025Q4" in carry[0].detail and "0.5000" in carry[0].detail


def test_a_new_unit_without_checks_gets_the_full_share():
    carry = by_reason(entries_for(), "control.carry")
    assert [e.points for e in carry] == [D(40)]


def test_control_floor_entry_keeps_control_at_zero():
    checks = [ControlCheck(1, UNIT, YEAR, Q, "a", D(1), "fail")]
    outcomes = [CaseOutcome(i, 9, UNIT, YEAR, Q, "escalate") for i in range(1, 4)]
    entries = entries_for(checks=checks, outcomes=outcomes)
    floor = by_reason(entries, "control.floor")
    assert [(e.dimension, e.points) for e in floor] == [("control", D(6))]
    assert summarise(entries).dimensions["control"] == 0


# --- stakeholder ---------------------------------------------------------------------------------

def test_surveys_carry_over_and_default_to_full_rate():
    surveys = [SurveyResult(1, UNIT, 2025, 4, "economic_subject", D("0.6")),
               SurveyResult(2, UNIT, YEAR, 1, "economic_subject", D("0.8")),
               SurveyResult(3, UNIT, YEAR, Q, "public_opinion", D("0.5")),
               SurveyResult(4, UNIT, YEAR, Q, "public_opinion", D("0.7")),  # latest of the quarter wins
               SurveyResult(5, UNIT, YEAR, 3, "service_object", D("0.1"))]  # future: ignored
    entries = entries_for(surveys=surveys)
    ran = by_reason(entries, "stakeholder.survey")
    assert [(e.source_id, e.points) for e in ran] == [(4, D("3.5"))]
    carried = by_reason(entries, "stakeholder.survey.carry")
    assert [(e.source_id, e.points) for e in carried] == [(None, D(5)), (None, D(5)), (2, D(4))]
    assert "2026Q1" in carried[-1].detail


def test_supervision_deducts_by_severity_and_floors_each_source():
    findings = [SupervisionFinding(1, UNIT, YEAR, Q, "audit", "serious"),
                SupervisionFinding(2, UNIT, YEAR, Q, "audit", "moderate"),
                SupervisionFinding(3, UNIT, YEAR, Q, "media", "minor"),
                SupervisionFinding(4, UNIT, YEAR, 1, "social", "serious")]  # other quarter: ignored
    entries = entries_for(findings=findings)
    assert [e.points for e in by_reason(entries, "stakeholder.supervision.finding")] == [D(-4), D(-2), D(-1)]
    floor = by_reason(entries, "stakeholder.supervision.floor")
    assert [e.points for e in floor] == [D("2.6667")]  # audit: 3.3333 − 6 → 0
    supervision = total(e for e in entries if e.reason.startswith("stakeholder.supervision"))
    assert supervision == D(20) - D("3.3333") - 1
    assert total(by_reason(entries, "stakeholder.supervision")) == 20


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"surveys": [SurveyResult(1, UNIT, YEAR, Q, "gossip", D(1))]}, "project"),
    ({"findings": [SupervisionFinding(1, UNIT, YEAR, Q, "rumour", "minor")]}, "source"),
    ({"awards": [IncentiveAward(1, UNIT, YEAR, Q, "luck")]}, "kind"),
    ({"sanctions": [Sanction(1, UNIT, YEAR, Q, "x", "staff", "fine", date(2026, 1, 1))]}, "kind"),
])
def test_unknown_codes_are_rejected(kwargs, field):
    with pytest.raises(InvalidField) as info:
        entries_for(**kwargs)
    assert info.value.field == field


# --- incentive -----------------------------------------------------------------------------------

def test_awards_score_by_kind_and_are_capped_at_five():
    awards = [IncentiveAward(1, UNIT, YEAR, Q, "innovation"), IncentiveAward(2, UNIT, YEAR, Q, "self_discovery")]
    entries = entries_for(awards=awards)
    assert [e.points for e in by_reason(entries, "incentive.award")] == [D(2), D(1)]
    assert not by_reason(entries, "incentive.cap")
    awards += [IncentiveAward(3, UNIT, YEAR, Q, "cooperation")]
    outcomes = [CaseOutcome(9, 5, UNIT, YEAR, Q, "accept", "serious", on_time=True)]
    entries = entries_for(awards=awards, outcomes=outcomes, checks=[ControlCheck(1, UNIT, YEAR, Q, "a", D(1), "fail")])
    assert [e.points for e in by_reason(entries, "incentive.case.accept")] == [D(2)]
    assert [e.points for e in by_reason(entries, "incentive.cap")] == [D(-2)]
    assert summarise(entries).dimensions["incentive"] == 5


# --- integrity -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "subject", "expected"), [
    ("admin_finding", "staff", "2"), ("warning", "team_member", "4.8"), ("serious_warning", "principal", "9"),
    ("removal", "team_member", "9.6"), ("probation", "staff", "10"), ("expulsion", "principal", "18"),
    ("criminal", "principal", "30"),
])
def test_sanctions_are_weighted_by_subject(kind, subject, expected):
    entries = entries_for(sanctions=[Sanction(3, UNIT, YEAR, Q, "p", subject, kind, date(2026, 4, 2))])
    deduction = [e for e in entries if e.dimension == "integrity"]
    assert [e.points for e in deduction] == [-D(expected)]
    assert deduction[0].reason == ("integrity.criminal" if kind == "criminal" else "integrity.sanction")


@pytest.mark.parametrize(("conduct_on", "as_of", "expected"), [
    (date(2024, 6, 30), None, "4"),  # exactly two years before the quarter's end: recent
    (date(2024, 6, 29), None, "2"),  # a day older: halved
    (date(2026, 2, 28), date(2028, 2, 29), "4"),
    (date(2026, 2, 27), date(2028, 2, 29), "2"),
])
def test_recency_halves_conduct_older_than_two_years(conduct_on, as_of, expected):
    sanction = Sanction(1, UNIT, YEAR, Q, "p", "staff", "warning", conduct_on)
    entries = entries_for(sanctions=[sanction], as_of=as_of)
    assert [e.points for e in by_reason(entries, "integrity.sanction")] == [-D(expected)]


# --- case outcomes -------------------------------------------------------------------------------

@pytest.mark.parametrize(("trigger", "extra", "dimension", "points"), [
    ("issue_notice", {"severity": "minor"}, "control", "-1"),
    ("issue_notice", {"severity": "moderate"}, "control", "-2"),
    ("issue_notice", {"severity": "serious"}, "control", "-4"),
    ("issue_notice", {"severity": "minor", "self_reported": True}, "control", "-0.5"),
    ("issue_notice", {"severity": "serious", "self_reported": True}, "control", "-2"),
    ("accept", {"on_time": True, "notice_deduction": D(-4)}, "incentive", "2"),
    ("accept", {"on_time": True, "notice_deduction": D(1)}, "incentive", "0.5"),
    ("accept", {"on_time": True, "severity": "moderate"}, "incentive", "1"),
    ("accept", {"on_time": True, "severity": "serious", "self_reported": True}, "incentive", "1"),
    ("reject", {}, "control", "-1"),
    ("escalate", {}, "control", "-2"),
    ("order_talk", {}, "integrity", "-3"),
    ("order_inquiry", {}, "integrity", "-5"),
    ("refer", {}, "integrity", "-8"),
    ("reopen", {}, "control", "-2"),
])
def test_case_outcome_table(trigger, extra, dimension, points):
    [entry] = case_outcome_entries(CaseOutcome(17, 3, UNIT, YEAR, Q, trigger, **extra), S)
    assert (entry.dimension, entry.points, entry.reason) == (dimension, D(points), f"{dimension}.case.{trigger}")
    assert (entry.source_kind, entry.source_id, entry.unit_id, entry.quarter) == ("case_event", 17, UNIT, Q)
    assert "Case #3" in entry.detail


@pytest.mark.parametrize("outcome", [
    CaseOutcome(1, 3, UNIT, YEAR, Q, "accept", "serious", on_time=False),
    CaseOutcome(1, 3, UNIT, YEAR, Q, "accept", "serious", on_time=None),
    CaseOutcome(1, 3, UNIT, YEAR, Q, "dismiss"),
    CaseOutcome(1, 3, UNIT, YEAR, Q, "record_talk"),
])
def test_events_without_consequence_score_nothing(outcome):
    assert case_outcome_entries(outcome, S) == []


def test_a_notice_needs_a_severity():
    with pytest.raises(InvalidField) as info:
        case_outcome_entries(CaseOutcome(1, 3, UNIT, YEAR, Q, "issue_notice"), S)
    assert info.value.field == "severity"


def test_self_reported_halving_explains_itself():
    [entry] = case_outcome_entries(CaseOutcome(1, 3, UNIT, YEAR, Q, "issue_notice", "moderate", True), S)
    assert entry.points == -1 and "self-reported" in entry.detail


# --- clamps --------------------------------------------------------------------------------------

def test_index_below_zero_is_clamped_on_integrity():
    sanctions = [Sanction(i, UNIT, YEAR, Q, "p", "principal", "criminal", date(2026, 1, 1)) for i in range(1, 6)]
    entries = entries_for(sanctions=sanctions)
    clamp = by_reason(entries, "index.clamp")
    assert [(e.dimension, e.points) for e in clamp] == [("integrity", D(50))]  # 150 − 100
    result = summarise(entries)
    assert result.index == 0 == total(entries)
    assert result.dimensions["integrity"] == 100 and result.colour == "red"


def test_index_above_hundred_is_clamped_on_incentive():
    surveys = [SurveyResult(i, UNIT, YEAR, Q, p, D(1)) for i, p in enumerate(PROJECTS)]
    awards = [IncentiveAward(i, UNIT, YEAR, Q, "innovation") for i in range(3)]
    entries = entries_for(surveys=surveys, awards=awards)
    assert [e.points for e in by_reason(entries, "incentive.cap")] == [D(-1)]
    assert [(e.dimension, e.points) for e in by_reason(entries, "index.clamp")] == [("incentive", D(-5))]
    result = summarise(entries)
    assert result.index == 100 == total(entries) and result.dimensions["incentive"] == 0


def test_apply_limits_is_idempotent_and_refuses_mixed_quarters():
    entries = entries_for(**worked_example_inputs())
    assert apply_limits(entries, scheme=S) == entries
    assert apply_limits([], scheme=S) == []
    other = Entry(UNIT, YEAR, 3, "control", D(1), "control.checks", "x")
    with pytest.raises(InvalidField):
        apply_limits([*entries, other], scheme=S)


# --- property ------------------------------------------------------------------------------------

PERIODS = [(2025, 4), (2026, 1), (2026, 2)]
points_4dp = st.integers(0, 100_000).map(lambda n: D(n).scaleb(-4))


@st.composite
def quarter_inputs(draw):
    """Random, valid inputs for unit 1, 2026 Q2 (with some history and noise)."""
    ids = iter(range(1, 10_000))
    checks = [ControlCheck(next(ids), UNIT, y, q, "i", draw(st.integers(1, 5)), draw(st.sampled_from(
        ["pass", "partial", "fail"]))) for y, q in draw(st.lists(st.sampled_from(PERIODS), max_size=8))]
    surveys = [SurveyResult(next(ids), UNIT, y, q, draw(st.sampled_from(PROJECTS)), D(draw(st.integers(0, 100))) / 100)
               for y, q in draw(st.lists(st.sampled_from(PERIODS), max_size=8))]
    findings = [SupervisionFinding(next(ids), UNIT, YEAR, Q, s, v) for s, v in draw(st.lists(st.tuples(
        st.sampled_from(SOURCES), st.sampled_from(["minor", "moderate", "serious"])), max_size=12))]
    sanctions = [Sanction(next(ids), UNIT, YEAR, Q, "p", s, k, d) for s, k, d in draw(st.lists(st.tuples(
        st.sampled_from(["principal", "team_member", "staff"]), st.sampled_from(list(S["integrity"]["kinds"])),
        st.dates(date(2020, 1, 1), date(2026, 6, 30))), max_size=5))]
    awards = [IncentiveAward(next(ids), UNIT, YEAR, Q, k)
              for k in draw(st.lists(st.sampled_from(list(S["incentive"]["awards"])), max_size=5))]
    outcomes = [CaseOutcome(next(ids), 1, UNIT, YEAR, Q, t, sev, sr, ot) for t, sev, sr, ot in draw(st.lists(st.tuples(
        st.sampled_from([*S["case_outcomes"], "dismiss"]), st.sampled_from(["minor", "moderate", "serious"]),
        st.booleans(), st.booleans()), max_size=12))]
    cost, saving = draw(points_4dp), draw(points_4dp)
    performance = PerformanceResult(cost, saving, "c", "s", 1, 1)
    return {"checks": checks, "surveys": surveys, "findings": findings, "sanctions": sanctions,
            "awards": awards, "outcomes": outcomes, "performance": performance}


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(quarter_inputs())
def test_property_index_is_sum_of_entries_and_every_value_in_range(inputs):
    entries = entries_for(**inputs)
    result = summarise(entries)
    assert result.index == total(entries)
    assert 0 <= result.index <= 100
    dims = result.dimensions
    assert 0 <= dims["control"] <= 40 and 0 <= dims["stakeholder"] <= 40
    assert 0 <= dims["performance"] <= 20 and 0 <= dims["incentive"] <= 5 and dims["integrity"] >= 0
    assert result.index == dims["control"] + dims["stakeholder"] + dims["performance"] + dims["incentive"] \
        - dims["integrity"]
    assert apply_limits(entries, scheme=S) == entries
    reversed_inputs = {k: v[::-1] if isinstance(v, list) else v for k, v in inputs.items()}
    assert entries_for(**reversed_inputs) == entries


def test_accept_without_any_notice_books_nothing():
    """An annual C-grade case is accepted without a notice ever issued: no bonus, no error."""
    from caseflow.scoring import DEFAULT_SCHEME, CaseOutcome, case_outcome_entries

    outcome = CaseOutcome(id=1, case_id=1, unit_id=1, year=2025, quarter=2, trigger="accept",
                          severity=None, self_reported=False, on_time=True, notice_deduction=None)
    assert case_outcome_entries(outcome, DEFAULT_SCHEME) == []
