"""Performance indicators (SPEC §5): per-capita cost and saving-rate deviation, 10 + 10 points.

Both indicators compare a unit horizontally (against the mean of its peer group in the same
year) and by trend (its own change since the previous year against the peer group's mean
change). A unit without a previous-year record has no trend: its trend term is 0 and it is
left out of the peer group's mean change. Units absent from ``peer_of`` form one group.
The computation is a single pass over the records plus one over the units: O(n).
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from .inputs import CostRecord
from .scheme import CONTEXT, num, q

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class PerformanceResult:
    """The two performance indicators of one unit for one year, with explanations."""

    cost_points: Decimal
    saving_points: Decimal
    cost_detail: str
    saving_detail: str
    cost_source_id: int | None = None
    saving_source_id: int | None = None


def full_performance(scheme: dict[str, Any], detail: str) -> PerformanceResult:
    """Return full points for both indicators, explained by ``detail``."""
    perf = scheme["performance"]
    return PerformanceResult(q(num(perf["cost"]["max"])), q(num(perf["saving"]["max"])), detail, detail)


def latest_cost_year(records: Iterable[CostRecord], year: int) -> int | None:
    """Return the latest year not after ``year`` that has cost records, or None."""
    return max((r.year for r in records if r.year <= year), default=None)


class _Group:
    """Running sums of one peer group."""

    __slots__ = ("c", "n", "growth", "n_growth", "s", "ds", "n_ds")

    def __init__(self) -> None:
        self.c = self.growth = self.s = self.ds = Decimal(0)
        self.n = self.n_growth = self.n_ds = 0


def _mean(total: Decimal, count: int) -> Decimal:
    return total / count if count else Decimal(0)


def _clamp(value: Decimal, top: Decimal) -> Decimal:
    return q(min(max(value, Decimal(0)), top))


def _latest_per_unit(records: Iterable[CostRecord], year: int) -> tuple[dict, dict]:
    current: dict[int, CostRecord] = {}
    previous: dict[int, CostRecord] = {}
    for record in records:
        target = current if record.year == year else previous if record.year == year - 1 else None
        if target is not None:
            seen = target.get(record.unit_id)
            if seen is None or record.id > seen.id:  # one record per unit-year; the newest wins
                target[record.unit_id] = record
    return current, previous


def performance_for_year(records: Iterable[CostRecord], peer_of: dict[int, Hashable], year: int,
                         scheme: dict[str, Any]) -> dict[int, PerformanceResult]:
    """Compute both performance indicators for every unit with a record in ``year`` or in ``peer_of``."""
    cost_cfg, saving_cfg = scheme["performance"]["cost"], scheme["performance"]["saving"]
    cost_max, per_point = num(cost_cfg["max"]), num(cost_cfg["percent_per_point"])
    saving_max, pp_per_point = num(saving_cfg["max"]), num(saving_cfg["pp_per_point"])
    current, previous = _latest_per_unit(records, year)
    with localcontext(CONTEXT):
        facts: dict[int, tuple] = {}
        groups: dict[Hashable, _Group] = {}
        for unit_id, rec in current.items():
            c = rec.admin_cost / rec.headcount
            s = (rec.budget - rec.admin_cost) / rec.budget
            growth = ds = None
            old = previous.get(unit_id)
            if old is not None:
                c0 = old.admin_cost / old.headcount
                growth = (c - c0) / c0 if c0 else None
                ds = s - (old.budget - old.admin_cost) / old.budget
            group = groups.setdefault(peer_of.get(unit_id), _Group())
            group.c += c
            group.s += s
            group.n += 1
            if growth is not None:
                group.growth += growth
                group.n_growth += 1
            if ds is not None:
                group.ds += ds
                group.n_ds += 1
            facts[unit_id] = (rec, c, s, growth, ds)

        results: dict[int, PerformanceResult] = {}
        for unit_id, (rec, c, s, growth, ds) in facts.items():
            g = groups[peer_of.get(unit_id)]
            mean_c, mean_s = _mean(g.c, g.n), _mean(g.s, g.n)
            h = (c - mean_c) / mean_c if mean_c else Decimal(0)
            mean_growth = _mean(g.growth, g.n_growth)
            t = growth - mean_growth if growth is not None else Decimal(0)
            d = (h + t) / 2
            cost_points = _clamp(cost_max - _HUNDRED * max(d, Decimal(0)) / per_point, cost_max)
            mean_ds = _mean(g.ds, g.n_ds)
            trend_s = ds - mean_ds if ds is not None else Decimal(0)
            d_s = ((s - mean_s) + trend_s) / 2
            saving_points = _clamp(saving_max - _HUNDRED * max(-d_s, Decimal(0)) / pp_per_point, saving_max)
            cost_detail = (
                f"{year} per-capita cost {c:.2f} vs peer mean {mean_c:.2f} (h {h:+.2%}); "
                + (f"growth {growth:+.2%} vs peer mean {mean_growth:+.2%} (t {t:+.2%})"
                   if growth is not None else "no previous-year record (t 0)")
                + f"; d {d:+.2%} → {cost_points} of {q(cost_max)}"
            )
            saving_detail = (
                f"{year} saving rate {s:.2%} vs peer mean {mean_s:.2%}; "
                + (f"change {ds * _HUNDRED:+.2f} pp vs peer mean {mean_ds * _HUNDRED:+.2f} pp"
                   if ds is not None else "no previous-year record (change term 0)")
                + f"; d_s {d_s * _HUNDRED:+.2f} pp → {saving_points} of {q(saving_max)}"
            )
            results[unit_id] = PerformanceResult(cost_points, saving_points, cost_detail, saving_detail,
                                                 rec.id, rec.id)
    for unit_id in peer_of:
        if unit_id not in results:
            results[unit_id] = full_performance(scheme, f"No cost record for {year}: full points")
    return results
