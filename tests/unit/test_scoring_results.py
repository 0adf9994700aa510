"""Quarter results, colours with their overrides, annual grades, what-if and quarter dates."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from caseflow.errors import InvalidField
from caseflow.scoring import (
    DEFAULT_SCHEME,
    CaseOutcome,
    Entry,
    QuarterResult,
    annual_grade,
    case_outcome_entries,
    colour,
    dimension_values,
    has_red_flag,
    quarter_end,
    quarter_entries,
    quarter_of,
    summarise,
    what_if,
)

S = DEFAULT_SCHEME


def entry(dimension, points, reason="test.entry", quarter=2) -> Entry:
    """A bare ledger entry for unit 1, 2026."""
    return Entry(1, 2026, quarter, dimension, D(points), reason, "test")


@pytest.mark.parametrize(("index", "expected"), [
    ("100", "green"), ("85", "green"), ("84.99", "orange"), ("84.9999", "orange"),
    ("70", "orange"), ("69.99", "red"), ("0", "red"),
])
def test_colour_thresholds(index, expected):
    assert colour(D(index), referred_or_criminal=False, overdue_open=False, scheme=S) == expected


@pytest.mark.parametrize(("index", "overdue", "referred", "expected"), [
    ("100", False, True, "red"),     # referral or criminal liability: red whatever the index
    ("75", False, True, "red"),
    ("95", True, False, "orange"),   # an overdue open case: at best orange
    ("75", True, False, "orange"),
    ("60", True, False, "red"),      # ... but never better than the index gives
    ("95", True, True, "red"),
])
def test_colour_overrides(index, overdue, referred, expected):
    assert colour(D(index), referred_or_criminal=referred, overdue_open=overdue, scheme=S) == expected


def test_colour_thresholds_come_from_the_scheme():
    scheme = {**S, "colour": {"green": 90, "orange": 60}}
    assert colour(D(89), referred_or_criminal=False, overdue_open=False, scheme=scheme) == "orange"
    assert colour(D(60), referred_or_criminal=False, overdue_open=False, scheme=scheme) == "orange"


def test_summarise_sums_entries_and_shows_integrity_as_a_deduction():
    entries = [entry("control", "40"), entry("stakeholder", "40"), entry("performance", "20"),
               entry("incentive", "1"), entry("integrity", "-4.8")]
    result = summarise(entries)
    assert result == QuarterResult(D("96.2"), {"control": D(40), "stakeholder": D(40), "performance": D(20),
                                               "incentive": D(1), "integrity": D("4.8")}, "green")
    assert str(dimension_values([])["integrity"]) == "0.0000"  # never "-0.0000"
    assert summarise(entries, overdue_open=True).colour == "orange"


@pytest.mark.parametrize("reason", ["integrity.case.refer", "integrity.criminal"])
def test_summarise_turns_red_on_a_referral_or_criminal_liability(reason):
    entries = [entry("control", "95"), entry("integrity", "-1", reason)]
    assert has_red_flag(entries)
    assert summarise(entries).colour == "red"
    assert summarise(entries, referred_or_criminal=False).colour == "green"


def test_a_referred_case_turns_the_quarter_red():
    base = quarter_entries(unit_id=1, year=2026, quarter=2, scheme=S)
    assert summarise(base).index == 100
    refer = case_outcome_entries(CaseOutcome(5, 3, 1, 2026, 2, "refer"), S)
    result = what_if(base, refer, scheme=S)
    assert (result.index, result.colour) == (D(92), "red")


def test_what_if_recomputes_limits():
    base = [entry("control", "2"), entry("stakeholder", "30"), entry("performance", "20"),
            entry("incentive", "4")]
    notice = case_outcome_entries(CaseOutcome(5, 3, 1, 2026, 2, "issue_notice", "serious"), S)
    result = what_if(base, notice, scheme=S)
    assert result.dimensions["control"] == 0 and result.index == 54  # control floored, not −2
    accept = case_outcome_entries(CaseOutcome(6, 3, 1, 2026, 2, "accept", "serious", on_time=True), S)
    assert what_if(base, accept, scheme=S).dimensions["incentive"] == 5  # capped
    assert summarise(base).index == 56  # the original is untouched


@pytest.mark.parametrize(("indices", "colours", "flag", "mean", "grade"), [
    (["85", "85", "85", "85"], ["green"] * 4, False, "85", "A"),
    (["84.99", "84.99", "84.99", "84.99"], ["orange"] * 4, False, "84.99", "B"),
    (["100", "100", "100", "40"], ["green", "green", "green", "red"], False, "85", "B"),  # a red quarter bars A
    (["70", "70", "70", "70"], ["orange"] * 4, False, "70", "B"),
    (["69.99", "69.99", "69.99", "69.99"], ["red"] * 4, False, "69.99", "C"),
    (["100", "100", "90", "90"], ["red", "red", "green", "green"], False, "95", "C"),  # two red quarters
    (["95", "95", "95", "95"], ["green"] * 4, True, "95", "C"),  # a referral in the year
    (["90", "80"], ["green", "orange"], False, "85", "A"),  # a young unit: only its quarters count
])
def test_annual_grade(indices, colours, flag, mean, grade):
    pairs = [(D(i), c) for i, c in zip(indices, colours, strict=True)]
    assert annual_grade(pairs, any_referral_or_criminal=flag, scheme=S) == (D(mean), grade)


def test_annual_grade_takes_quarter_results_and_rounds_the_mean():
    results = [QuarterResult(D("85.0001"), {}, "green"), QuarterResult(D("85.0000"), {}, "green"),
               QuarterResult(D("85.0000"), {}, "green")]
    mean, grade = annual_grade(results, any_referral_or_criminal=False, scheme=S)
    assert (str(mean), grade) == ("85.0000", "A")


@pytest.mark.parametrize("bad", [[], [(D(80), "purple")]])
def test_annual_grade_rejects_bad_input(bad):
    with pytest.raises(InvalidField):
        annual_grade(bad, any_referral_or_criminal=False, scheme=S)


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 1, 1), (2026, 1)), (date(2026, 3, 31), (2026, 1)), (date(2026, 4, 1), (2026, 2)),
    (date(2026, 9, 30), (2026, 3)), (date(2026, 12, 31), (2026, 4)),
])
def test_quarter_of(day, expected):
    assert quarter_of(day) == expected


def test_quarter_end():
    assert [quarter_end(2026, q) for q in (1, 2, 3, 4)] == [date(2026, 3, 31), date(2026, 6, 30),
                                                             date(2026, 9, 30), date(2026, 12, 31)]
    with pytest.raises(InvalidField):
        quarter_end(2026, 5)
