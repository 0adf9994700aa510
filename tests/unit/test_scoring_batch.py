"""The batch engine (rows, ``Rules``, ``unit_ledger``) computes exactly what the engine computed
entry by entry before it: the same entries, points and detail texts, in the same order."""
from __future__ import annotations

import copy
import random
from datetime import date
from decimal import Decimal as D

import pytest

from caseflow.errors import InvalidField
from caseflow.scoring import (
    DEFAULT_SCHEME,
    CaseOutcome,
    ControlCheck,
    Entry,
    IncentiveAward,
    PerformanceResult,
    Rules,
    Sanction,
    SupervisionFinding,
    SurveyResult,
    apply_limits,
    case_outcome_entries,
    entry_row,
    quarter_entries,
    records,
    summarise,
    summarise_rows,
    unit_ledger,
)
from tests.unit import scoring_reference as reference

YEAR = 2026
UNITS = list(range(1, 41))
PROJECTS = list(DEFAULT_SCHEME["stakeholder"]["surveys"])
SOURCES = list(DEFAULT_SCHEME["stakeholder"]["supervision"])
TRIGGERS = [*DEFAULT_SCHEME["case_outcomes"], "dismiss"]
WEIGHTS = ["1", "1.0000", "0.5", "2.25", "3", "0.3333"]
RATES = ["1", "0.9", "0.8500", "0.6897", "0", "0.5"]


def _inputs(seed: int) -> dict:
    """Random records of many units over 2025–2026 (ids unique per kind, periods mixed)."""
    rng = random.Random(seed)
    ids = iter(range(1, 100_000))
    periods = [(y, q) for y in (2025, 2026) for q in (1, 2, 3, 4)]
    data: dict[str, list] = {k: [] for k in ("checks", "surveys", "findings", "sanctions", "awards", "outcomes")}
    for unit in UNITS:
        for year, quarter in periods:
            if rng.random() < 0.7:  # quarters without checks carry over (or assume the new-unit share)
                for _ in range(rng.randint(1, 6)):
                    data["checks"].append(ControlCheck(next(ids), unit, year, quarter, f"risk point {rng.randint(1, 9)}",
                                                       D(rng.choice(WEIGHTS)), rng.choice(["pass", "partial", "fail"])))
            for project in PROJECTS:
                if rng.random() < 0.3:
                    data["surveys"].append(SurveyResult(next(ids), unit, year, quarter, project, D(rng.choice(RATES))))
            for _ in range(rng.choice([0, 0, 0, 1, 3, 6])):  # enough findings to floor a source
                data["findings"].append(SupervisionFinding(next(ids), unit, year, quarter, rng.choice(SOURCES),
                                                           rng.choice(["minor", "moderate", "serious"])))
            for _ in range(rng.choice([0, 0, 0, 1, 2, 8])):  # up to a clamp at 0
                kind = rng.choice(list(DEFAULT_SCHEME["integrity"]["kinds"]))
                data["sanctions"].append(Sanction(next(ids), unit, year, quarter, "p", rng.choice(
                    ["principal", "team_member", "staff"]), kind, date(rng.randint(2022, 2026), rng.randint(1, 12), 1)))
            for _ in range(rng.choice([0, 0, 1, 4])):  # up to the cap
                data["awards"].append(IncentiveAward(next(ids), unit, year, quarter, rng.choice(
                    ["innovation", "self_discovery", "cooperation"])))
            for _ in range(rng.choice([0, 1, 2, 5])):
                trigger = rng.choice(TRIGGERS)
                severity = rng.choice(["minor", "moderate", "serious", None]) if trigger != "issue_notice" else \
                    rng.choice(["minor", "moderate", "serious"])
                deduction = rng.choice([None, D("2.0000"), D("1"), D("4.0000")])
                data["outcomes"].append(CaseOutcome(next(ids), rng.randint(1, 500), unit, year, quarter, trigger,
                                                    severity=severity, self_reported=rng.random() < 0.3,
                                                    on_time=rng.choice([True, False, None]),
                                                    notice_deduction=deduction))
    rng.shuffle(data["checks"])
    rng.shuffle(data["surveys"])
    data["performance"] = {u: PerformanceResult(D(rng.choice(["10", "7.5000", "0.0000"])), D("9.2500"),
                                                f"cost {u}", f"saving {u}", u, u) for u in UNITS if u % 3}
    return data


def _per_unit(data: dict, unit: int) -> dict:
    return {k: [r for r in data[k] if r.unit_id == unit]
            for k in ("checks", "surveys", "findings", "sanctions", "awards", "outcomes")}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_quarter_entries_match_the_previous_engine_detail_for_detail(seed):
    data = _inputs(seed)
    for unit in UNITS:
        for quarter in (1, 2, 3, 4):
            kwargs = {k: data[k] for k in ("checks", "surveys", "findings", "sanctions", "awards", "outcomes")}
            kwargs.update(unit_id=unit, year=YEAR, quarter=quarter, performance=data["performance"].get(unit),
                          scheme=DEFAULT_SCHEME)
            assert quarter_entries(**kwargs) == reference.quarter_entries(**kwargs)


@pytest.mark.parametrize("seed", [4, 5])
def test_batch_over_many_units_equals_per_unit_quarters(seed):
    """What ``recompute`` does (one ``Rules``, every unit's records grouped, all quarters at once)
    equals computing each unit-quarter on its own with the previous engine."""
    data = _inputs(seed)
    rules = Rules(DEFAULT_SCHEME)
    for unit in UNITS:
        mine = _per_unit(data, unit)
        batch = unit_ledger(unit_id=unit, year=YEAR, quarters=[4, 1, 3, 2], performance=data["performance"].get(unit),
                            rules=rules, **mine)
        assert list(batch) == [1, 2, 3, 4]
        for quarter, rows in batch.items():
            expected = reference.quarter_entries(unit_id=unit, year=YEAR, quarter=quarter, scheme=DEFAULT_SCHEME,
                                                 performance=data["performance"].get(unit), **mine)
            assert [Entry(*row) for row in rows] == expected
            assert summarise_rows(rows) == summarise(expected)
            assert summarise_rows(rows, overdue_open=True) == summarise(expected, overdue_open=True)


def test_a_scheme_with_other_numbers_matches_too():
    scheme = copy.deepcopy(DEFAULT_SCHEME)
    scheme["control"].update({"max": "35.5", "partial_weight": "1/3", "new_unit_share": 0.8})
    scheme["stakeholder"]["supervision"] = {"audit": "25/6", "social": "25/6", "media": "25/6",
                                            "people_congress": "25/6", "cppcc": "25/6", "inspection": 4.5}
    scheme["stakeholder"]["survey_default_rate"] = "0.75"
    scheme["incentive"]["cap"] = 3
    scheme["case_outcomes"]["accept"]["notice_share"] = "0.25"
    data = _inputs(9)
    rules = Rules(scheme)
    for unit in UNITS[:15]:
        mine = _per_unit(data, unit)
        batch = unit_ledger(unit_id=unit, year=YEAR, quarters=[1, 2, 3, 4], rules=rules, **mine)
        for quarter, rows in batch.items():
            assert [Entry(*r) for r in rows] == reference.quarter_entries(unit_id=unit, year=YEAR, quarter=quarter,
                                                                          scheme=scheme, **mine)


def test_case_outcomes_and_limits_match_the_previous_engine():
    data = _inputs(11)
    for outcome in data["outcomes"]:
        try:
            expected = reference.case_outcome_entries(outcome, DEFAULT_SCHEME)
        except InvalidField as error:
            with pytest.raises(InvalidField) as info:
                case_outcome_entries(outcome, DEFAULT_SCHEME)
            assert info.value.field == error.field
            continue
        assert case_outcome_entries(outcome, DEFAULT_SCHEME) == expected
    rng = random.Random(3)
    for _ in range(300):
        entries = [Entry(1, YEAR, 2, rng.choice(["control", "incentive", "integrity", "stakeholder"]),
                         D(rng.choice(["-7.5", "3", "-20.0000", "4.25", "60"])),
                         rng.choice(["control.checks", "incentive.award", "integrity.sanction", "control.floor",
                                     "index.clamp"]), "x") for _ in range(rng.randint(0, 9))]
        assert apply_limits(entries, scheme=DEFAULT_SCHEME) == reference.apply_limits(entries, scheme=DEFAULT_SCHEME)


def test_unknown_codes_are_rejected_as_before():
    bad = [
        {"surveys": [SurveyResult(1, 1, YEAR, 1, "nope", D(1))]},
        {"findings": [SupervisionFinding(1, 1, YEAR, 1, "nope", "minor")]},
        {"awards": [IncentiveAward(1, 1, YEAR, 1, "nope")]},
        {"sanctions": [Sanction(1, 1, YEAR, 1, "p", "staff", "nope", date(2026, 1, 1))]},
        {"outcomes": [CaseOutcome(1, 1, 1, YEAR, 1, "issue_notice")]},
    ]
    for kwargs in bad:
        with pytest.raises(InvalidField) as old:
            reference.quarter_entries(unit_id=1, year=YEAR, quarter=1, scheme=DEFAULT_SCHEME, **kwargs)
        with pytest.raises(InvalidField) as new:
            quarter_entries(unit_id=1, year=YEAR, quarter=1, scheme=DEFAULT_SCHEME, **kwargs)
        assert new.value.field == old.value.field


def test_records_builds_the_same_validated_records():
    rows = [(1, 2, YEAR, 3, "item", D("1.5000"), "partial"), (2, 2, YEAR, 4, "item", 2, "pass")]
    assert list(records(ControlCheck, rows)) == [ControlCheck(*r) for r in rows]
    assert list(records(ControlCheck, rows))[1].weight == D(2)
    for row in [(1, 2, YEAR, 5, "item", D(1), "pass"), (1, 2, YEAR, 1, "item", D(0), "pass"),
                (1, 2, YEAR, 1, "item", D(1), "maybe")]:
        with pytest.raises(InvalidField):
            list(records(ControlCheck, [row]))


def test_entry_rows_round_trip():
    entry = Entry(1, YEAR, 2, "control", D("1.0000"), "control.checks", "d", "control_check", 7)
    assert Entry(*entry_row(entry)) == entry
