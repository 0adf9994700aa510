"""Performance indicators: per-capita cost and saving-rate deviations against peers and trend."""
from __future__ import annotations

import copy
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseflow.errors import InvalidField
from caseflow.scoring import DEFAULT_SCHEME, CostRecord, latest_cost_year, performance_for_year

S = DEFAULT_SCHEME
Y = 2026


def rec(rid, unit, cost, budget=None, headcount=1, year=Y) -> CostRecord:
    """A cost record; budget defaults to twice the cost (a 50 % saving rate)."""
    return CostRecord(rid, unit, year, D(cost), D(budget if budget is not None else 2 * cost), headcount)


def points(records, peers, year=Y, scheme=S):
    """(cost points, saving points) per unit."""
    return {u: (r.cost_points, r.saving_points) for u, r in performance_for_year(records, peers, year, scheme).items()}


@pytest.mark.parametrize(("cost", "expected"), [
    (105, "9.5"),    # 5 % above the mean → d 2.5 % → 0.5 point off
    (110, "9"),
    (100, "10"),     # at the mean
    (200, "0"),      # twice the mean → d 50 % → exactly 0
])
def test_horizontal_deviation(cost, expected):
    # Peer mean is exactly 100: the other unit balances the first.
    result = points([rec(1, 1, cost), rec(2, 2, 200 - cost, budget=200)], {1: "v", 2: "v"})
    assert result[1][0] == D(expected)
    assert result[2][0] == 10  # below the mean costs nothing


def test_per_capita_uses_headcount():
    result = points([rec(1, 1, 1050, headcount=10), rec(2, 2, 1900, headcount=20)], {1: "v", 2: "v"})
    assert result[1][0] == D("9.5")  # 105 vs 95 per head: mean 100


def test_trend_deviation_against_peer_growth():
    # Both units cost 110 per head now (h = 0); unit 1 grew 10 %, unit 2 0 % → mean growth 5 %,
    # so t = +5 % for unit 1 → d = 2.5 % → 9.5, and unit 2 is below the trend → 10.
    records = [rec(1, 1, 110), rec(2, 2, 110), rec(3, 1, 100, year=Y - 1), rec(4, 2, 110, year=Y - 1)]
    result = performance_for_year(records, {1: "v", 2: "v"}, Y, S)
    assert result[1].cost_points == D("9.5000")
    assert result[2].cost_points == 10
    assert "growth +10.00%" in result[1].cost_detail and "t +5.00%" in result[1].cost_detail


def test_horizontal_and_trend_deviation_add_up():
    # Unit 1: 5 % above the mean now (h = +5 %) and grew 5 % while unit 2 fell 5 % (mean growth 0,
    # t = +5 %) → d = 5 % → 9 points.
    records = [rec(1, 1, 105), rec(2, 2, 95), rec(3, 1, 100, year=Y - 1), rec(4, 2, 100, year=Y - 1)]
    result = performance_for_year(records, {1: "v", 2: "v"}, Y, S)
    assert result[1].cost_points == D("9.0000")
    assert result[2].cost_points == 10


def test_equal_growth_cancels_and_missing_history_means_no_trend():
    # The worked example: c 5 % above the peer mean, same growth as the peers → 9.5.
    records = [rec(1, 1, 105), rec(2, 2, 95), rec(3, 1, 105, year=Y - 1), rec(4, 2, 95, year=Y - 1)]
    assert points(records, {1: "v", 2: "v"})[1][0] == D("9.5")
    # Unit 3 has no previous-year record: its trend term is 0 and it does not move the peers' mean growth.
    records += [rec(5, 3, 100)]
    result = performance_for_year(records, {1: "v", 2: "v", 3: "v"}, Y, S)
    assert "no previous-year record" in result[3].cost_detail
    assert result[3].cost_points == 10 and result[1].cost_points == D("9.5")


def test_peer_groups_are_compared_separately():
    records = [rec(1, 1, 105), rec(2, 2, 95), rec(3, 3, 1000), rec(4, 4, 1000)]
    result = points(records, {1: "village", 2: "village", 3: "agency", 4: "agency"})
    assert result[1][0] == D("9.5") and result[3][0] == 10 and result[4][0] == 10


def test_saving_rate_horizontal():
    # Unit 1 saves 46 %, unit 2 54 %: mean 50 %, unit 1 is 4 pp below → d_s = −2 pp → 9 points.
    records = [rec(1, 1, 54, budget=100), rec(2, 2, 46, budget=100)]
    result = performance_for_year(records, {1: "v", 2: "v"}, Y, S)
    assert (result[1].saving_points, result[2].saving_points) == (9, 10)
    assert "d_s -2.00 pp" in result[1].saving_detail


def test_saving_rate_trend_and_floor():
    # Both save 50 % now; unit 1 saved 58 % last year (−8 pp), unit 2 50 % (0) → mean change −4 pp;
    # unit 1's trend term −4 pp → d_s −2 pp → 9 points.
    records = [rec(1, 1, 50, budget=100), rec(2, 2, 50, budget=100),
               rec(3, 1, 42, budget=100, year=Y - 1), rec(4, 2, 50, budget=100, year=Y - 1)]
    assert points(records, {1: "v", 2: "v"})[1][1] == 9
    # Far below its peers: 0, never negative.
    assert points([rec(1, 1, 100, budget=100), rec(2, 2, 10, budget=100)], {1: "v", 2: "v"})[1][1] == 0


def test_units_without_a_record_get_full_points():
    result = performance_for_year([rec(1, 1, 100)], {1: "v", 2: "v"}, Y, S)
    assert (result[2].cost_points, result[2].saving_points) == (10, 10)
    assert "No cost record for 2026" in result[2].cost_detail
    assert result[2].cost_source_id is None and result[1].cost_source_id == 1


def test_units_missing_from_peer_of_share_one_group_and_newest_record_wins():
    records = [rec(1, 1, 105), rec(2, 2, 95), rec(7, 1, 100)]  # record 7 supersedes record 1
    result = performance_for_year(records, {}, Y, S)
    assert result[1].cost_source_id == 7
    # 100 vs mean 97.5: h 2.5641 % → d 1.2821 % → 9.7436 (record 1's 105 would give 9.5).
    assert result[1].cost_points == D("9.7436") and result[2].cost_points == 10


def test_cost_points_never_go_below_zero():
    result = points([rec(1, 1, 1000), rec(2, 2, 10), rec(3, 3, 10)], {1: "v", 2: "v", 3: "v"})
    assert result[1][0] == 0


def test_slopes_come_from_the_scheme():
    scheme = copy.deepcopy(S)
    scheme["performance"]["cost"]["percent_per_point"] = 1
    assert points([rec(1, 1, 105), rec(2, 2, 95)], {1: "v", 2: "v"}, scheme=scheme)[1][0] == D("7.5")


def test_latest_cost_year():
    records = [rec(1, 1, 1, year=2024), rec(2, 1, 1, year=2025), rec(3, 2, 1, year=2027)]
    assert latest_cost_year(records, 2026) == 2025
    assert latest_cost_year(records, 2027) == 2027
    assert latest_cost_year(records, 2023) is None


@pytest.mark.parametrize(("field", "kwargs"), [
    ("headcount", {"headcount": 0}), ("budget", {"budget": 0}), ("admin_cost", {"admin_cost": -1}),
    ("headcount", {"headcount": 1.5}),
])
def test_cost_records_are_validated(field, kwargs):
    values = {"id": 1, "unit_id": 1, "year": Y, "admin_cost": 1, "budget": 2, "headcount": 1, **kwargs}
    with pytest.raises(InvalidField) as info:
        CostRecord(**values)
    assert info.value.field == field


def test_ten_thousand_units_in_one_pass():
    records = [rec(i, i, 100 + i % 50, headcount=1 + i % 7) for i in range(1, 10_001)]
    records += [rec(20_000 + i, i, 95 + i % 60, year=Y - 1) for i in range(1, 10_001, 2)]
    peers = {i: f"kind{i % 6}" for i in range(1, 10_001)}
    result = performance_for_year(records, peers, Y, S)
    assert len(result) == 10_000
    assert all(0 <= r.cost_points <= 10 and 0 <= r.saving_points <= 10 for r in result.values())


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.tuples(st.integers(1, 8), st.integers(0, 10_000), st.integers(1, 10_000), st.integers(1, 50),
                          st.sampled_from([Y - 1, Y])), min_size=1, max_size=20))
def test_property_points_stay_within_zero_and_ten(rows):
    records = [CostRecord(i, u, y, D(c), D(b), h) for i, (u, c, b, h, y) in enumerate(rows)]
    result = performance_for_year(records, {u: u % 2 for u in range(1, 9)}, Y, S)
    for r in result.values():
        assert 0 <= r.cost_points <= 10 and 0 <= r.saving_points <= 10
        assert r.cost_points.as_tuple().exponent == -4
