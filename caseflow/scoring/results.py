"""From ledger entries to what users see: the quarter's index, dimensions, colour and the annual grade.

The index is the plain sum of the entries; the dimension values are the per-dimension sums,
except integrity, which is shown as the positive deduction (the negated sum). Colours and
grades follow SPEC §5 with thresholds from the scheme: green ≥ 85, orange ≥ 70, else red;
red whenever a case was referred or criminal liability booked in the quarter; at best
orange while an overdue case is open at the quarter's end.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from operator import itemgetter
from typing import Any

from caseflow.errors import InvalidField

from .inputs import Entry, quarter_end, quarter_of
from .ledger import apply_limits
from .scheme import CONTEXT, DEFAULT_SCHEME, DIMENSIONS, ZERO, num, q

__all__ = ["QuarterResult", "annual_grade", "colour", "dimension_values", "has_red_flag", "quarter_end",
           "quarter_of", "summarise", "summarise_rows", "what_if"]

RED_REASONS = frozenset({"integrity.case.refer", "integrity.criminal"})
COLOURS = ("green", "orange", "red")


@dataclass(frozen=True)
class QuarterResult:
    """A quarter's index (sum of entries), its five dimension values and its colour."""

    index: Decimal
    dimensions: dict[str, Decimal]
    colour: str


def has_red_flag(entries: Iterable[Entry]) -> bool:
    """Tell whether the entries include a referral or a criminal liability (forces red)."""
    return any(e.reason in RED_REASONS for e in entries)


def _dimensions(pairs: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    sums = dict.fromkeys(DIMENSIONS, ZERO)
    for dimension, points in pairs:
        sums[dimension] += points
    sums["integrity"] = q(ZERO - sums["integrity"])
    return {dim: q(value) for dim, value in sums.items()}


def dimension_values(entries: Iterable[Entry]) -> dict[str, Decimal]:
    """Return the five dimension values; integrity as the positive deduction."""
    return _dimensions((e.dimension, e.points) for e in entries)


def colour(index: Decimal, *, referred_or_criminal: bool, overdue_open: bool, scheme: dict[str, Any]) -> str:
    """Return a quarter's colour from its index and the two overrides."""
    if referred_or_criminal:
        return "red"
    thresholds = scheme["colour"]
    if index >= num(thresholds["green"]):
        return overdue_colour("green") if overdue_open else "green"
    return "orange" if index >= num(thresholds["orange"]) else "red"


def overdue_colour(shade: str) -> str:
    """The colour of a quarter whose unit also has an overdue open case: the override turns green into
    orange; orange and red stay (``colour`` with ``overdue_open``)."""
    return "orange" if shade == "green" else shade


def summarise(entries: Iterable[Entry], *, scheme: dict[str, Any] = DEFAULT_SCHEME, overdue_open: bool = False,
              referred_or_criminal: bool | None = None) -> QuarterResult:
    """Sum a quarter's entries into its index, dimensions and colour (red flag derived if not given)."""
    entries = list(entries)
    index = q(sum((e.points for e in entries), ZERO))
    if referred_or_criminal is None:
        referred_or_criminal = has_red_flag(entries)
    shade = colour(index, referred_or_criminal=referred_or_criminal, overdue_open=overdue_open, scheme=scheme)
    return QuarterResult(index, dimension_values(entries), shade)


def summarise_rows(rows: Sequence[tuple], *, scheme: dict[str, Any] = DEFAULT_SCHEME,
                   overdue_open: bool = False) -> QuarterResult:
    """``summarise`` for a quarter's entries as ``ledger.ROW_FIELDS`` tuples (as ``unit_ledger`` returns them):
    one pass for the dimension sums, whose total is the index (Decimal sums of 4-place values are exact,
    so the order of addition does not matter)."""
    sums = dict.fromkeys(DIMENSIONS, ZERO)
    for row in rows:
        sums[row[3]] += row[4]
    index = q(sum(sums.values(), ZERO))
    shade = colour(index, referred_or_criminal=not RED_REASONS.isdisjoint(map(itemgetter(5), rows)),
                   overdue_open=overdue_open, scheme=scheme)
    sums["integrity"] = ZERO - sums["integrity"]
    return QuarterResult(index, {dim: q(value) for dim, value in sums.items()}, shade)


def what_if(entries: Sequence[Entry], extra_entries: Sequence[Entry], *,
            scheme: dict[str, Any] = DEFAULT_SCHEME, overdue_open: bool = False,
            referred_or_criminal: bool | None = None) -> QuarterResult:
    """Summarise a quarter as if ``extra_entries`` were booked too (limits are recomputed)."""
    combined = apply_limits([*entries, *extra_entries], scheme=scheme)
    return summarise(combined, scheme=scheme, overdue_open=overdue_open,
                     referred_or_criminal=referred_or_criminal)


def _index_and_colour(item: Any) -> tuple[Decimal, str]:
    if isinstance(item, QuarterResult):
        return item.index, item.colour
    index, shade = item
    if shade not in COLOURS:
        raise InvalidField(field="colour")
    return Decimal(index) if not isinstance(index, Decimal) else index, shade


def annual_grade(quarter_results: Sequence[Any], *, any_referral_or_criminal: bool,
                 scheme: dict[str, Any]) -> tuple[Decimal, str]:
    """Return the year's mean index and grade A/B/C from its (index, colour) quarters."""
    if not quarter_results:
        raise InvalidField(field="quarter_results")
    pairs = [_index_and_colour(item) for item in quarter_results]
    with localcontext(CONTEXT):
        mean = q(sum((index for index, _ in pairs), ZERO) / len(pairs))
    reds = sum(1 for _, shade in pairs if shade == "red")
    rules = scheme["grade"]
    if (any_referral_or_criminal or mean < num(rules["c_below_mean"])
            or reds >= int(rules["c_min_red_quarters"])):
        return mean, "C"
    if mean >= num(rules["a_min_mean"]) and reds <= int(rules["a_max_red_quarters"]):
        return mean, "A"
    return mean, "B"
