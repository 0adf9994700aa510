"""Entry details in Chinese: every format the engine writes is rendered (``scoring.details``)."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D

import pytest

from caseflow.scoring import (
    DEFAULT_SCHEME,
    CaseOutcome,
    ControlCheck,
    CostRecord,
    IncentiveAward,
    Sanction,
    SupervisionFinding,
    SurveyResult,
    performance_for_year,
    quarter_entries,
)
from caseflow.scoring.details import detail_text, detail_zh
from caseflow.scoring.reasons import CASE_TRIGGERS, REASONS

S = DEFAULT_SCHEME
UNIT, YEAR, Q = 1, 2026, 2
PROJECTS = list(S["stakeholder"]["surveys"])
SOURCES = list(S["stakeholder"]["supervision"])
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")  # what may remain: h, t, d (the indicator names), d_s, Q…


def _entries(**kwargs):
    return quarter_entries(unit_id=UNIT, year=YEAR, quarter=Q, scheme=S, **kwargs)


def _performance(previous: bool):
    records = [CostRecord(1, UNIT, YEAR, D(1050), D(2100), 10), CostRecord(2, 2, YEAR, D(950), D(1900), 10)]
    if previous:
        records += [CostRecord(3, UNIT, YEAR - 1, D(1000), D(2100), 10), CostRecord(4, 2, YEAR - 1, D(950), D(1800), 10)]
    return performance_for_year(records, {UNIT: "village", 2: "village", 3: "village"}, YEAR, S)


def engine_details() -> dict[str, list[str]]:
    """Details the engine writes, by reason, from inputs that reach every rule and every wording."""
    perf_now, perf_first = _performance(True), _performance(False)
    scenarios = [
        _entries(),  # a new unit: control and surveys assumed, no cost records
        _entries(  # checks of each result, surveys run and carried, findings to the floor, sanctions, awards
            checks=[ControlCheck(i, UNIT, YEAR, Q, f"风险点{i}", D(w), r)
                    for i, (w, r) in enumerate([(1, "pass"), (2, "partial"), (1, "fail")], 1)],
            surveys=[SurveyResult(1, UNIT, YEAR, Q, PROJECTS[0], D("0.9")),
                     SurveyResult(2, UNIT, YEAR, 1, PROJECTS[1], D("0.8"))],
            findings=[SupervisionFinding(i, UNIT, YEAR, Q, SOURCES[0], sev)
                      for i, sev in enumerate(["minor", "moderate", "serious", "serious"], 1)],
            sanctions=[Sanction(1, UNIT, YEAR, Q, "张三", "principal", "warning", date(2026, 1, 10)),
                       Sanction(2, UNIT, YEAR, Q, "李四", "staff", "admin_finding", date(2019, 5, 1)),
                       Sanction(3, UNIT, YEAR, Q, "王五", "team_member", "criminal", date(2025, 3, 1))],
            awards=[IncentiveAward(i, UNIT, YEAR, Q, kind) for i, kind in
                    enumerate(["innovation", "self_discovery", "cooperation", "innovation"], 1)],
            performance=perf_now[UNIT]),
        _entries(checks=[ControlCheck(1, UNIT, YEAR, 1, "a", D(1), "partial")],  # control carried, then floored
                 outcomes=[CaseOutcome(i, 40 + i, UNIT, YEAR, Q, *outcome) for i, outcome in enumerate([
                     ("issue_notice", "serious"), ("issue_notice", "minor", True), ("accept", "moderate", False, True),
                     ("accept", None, False, True, D("-2.5")), ("reject",), *[("escalate",)] * 11, ("order_talk",),
                     ("order_inquiry",), ("refer",), ("reopen",)], 1)],
                 performance=perf_first[UNIT]),
        _entries(sanctions=[Sanction(i, UNIT, YEAR, Q, "p", "principal", "criminal", date(2026, 1, 1))
                            for i in range(1, 6)]),  # the index clamped at 0
        _entries(surveys=[SurveyResult(i, UNIT, YEAR, Q, p, D(1)) for i, p in enumerate(PROJECTS)],
                 awards=[IncentiveAward(i, UNIT, YEAR, Q, "innovation") for i in range(3)]),  # clamped at 100
        _entries(performance=perf_now[3]),  # a unit without a cost record this year
    ]
    out: dict[str, list[str]] = {}
    for entries in scenarios:
        for e in entries:
            out.setdefault(e.reason, []).append(e.detail)
    return out


def test_every_reason_the_engine_writes_is_reached():
    reached = set(engine_details())
    expected = set(REASONS)
    expected |= {f"{S['case_outcomes'][t]['dimension']}.case.{t}" for t in CASE_TRIGGERS}
    assert expected <= reached, sorted(expected - reached)


def test_every_engine_detail_has_a_chinese_wording():
    for reason, details in engine_details().items():
        for detail in details:
            zh = detail_zh(detail)
            assert zh is not None, (reason, detail)
            assert not LATIN_WORD.search(zh.replace("d_s", "")), (reason, detail, zh)


@pytest.mark.parametrize(("detail", "zh"), [
    ("Control check '风险点1' pass (weight 1.0000 of 5.0000): 8.0000 of 40.0000",
     "内控检查“风险点1”通过（权重 1.0000，合计 5.0000）：8.0000，满分 40.0000"),
    ("Audit supervision: base 3.3333 (10/3 rounded so the sources add up exactly)",
     "审计监督：基础分 3.3333（10/3 经舍入，使各来源合计准确）"),
    ("Economic-subject survey: not run this quarter, rate 0.7276 of 2024Q4 carried over → 3.6380 of 5.0000",
     "经济主体调查：本季度未开展，沿用2024年第4季度满意率 0.7276 → 3.6380，满分 5.0000"),
    ("Case #28682: warning notice issued (minor): -1.0000 × 0.5 (self-reported by the unit) = -0.5000",
     "案件 #28682：发出预警告知书（轻微）：-1.0000 × 0.5（单位自查主动报告）= -0.5000"),
    ("Case #21759: rectification accepted on time: 0.5 × notice deduction 4.0000 = +2.0000",
     "案件 #21759：整改验收通过（按期）：0.5 × 告知书扣分 4.0000 = +2.0000"),
    ("Case #21759: inquiry ordered: -5.0000", "案件 #21759：询问质询：-5.0000"),
    ("Bonus 7.0000 capped at 5.0000", "激励加分 7.0000 超过上限，按 5.0000 计"),
    ("No cost records yet: full points", "尚无行政成本记录：得满分"),  # written by ledger_sources
])
def test_known_details_read_as_chinese(detail, zh):
    assert detail_text(detail, "zh") == zh
    assert detail_text(detail, "en") == detail


@pytest.mark.parametrize("detail", [
    "Something the engine never wrote",
    "Unknown source: base 3.3333",  # a format, but not a label the scheme knows
    "Case #3: something new: -1.0000",
])
def test_other_details_are_shown_as_stored(detail):
    assert detail_zh(detail) is None
    assert detail_text(detail, "zh") == detail


def test_a_case_entry_names_the_case_by_its_number_when_given():
    detail = "Case #21759: inquiry ordered: -5.0000"
    assert detail_text(detail, "zh", "YJ2026-0031") == "案件 YJ2026-0031：询问质询：-5.0000"
    assert detail_text(detail, "en", "YJ2026-0031") == "Case YJ2026-0031: inquiry ordered: -5.0000"
    assert detail_text("Recognised innovation: +2.0000", "zh", "YJ2026-0031") == "创新工作获认可：+2.0000"
