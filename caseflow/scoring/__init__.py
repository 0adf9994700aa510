"""Pure scoring engine (SPEC §5): inputs + yearly scheme → ledger entries → index, colour, grade.

Imports neither Flask nor the database; every value is a plain dataclass or dict and every
point a ``Decimal`` quantised to 4 places, so recomputing a period reproduces its ledger.
"""
from __future__ import annotations

from .inputs import (
                     CaseOutcome,
                     ControlCheck,
                     CostRecord,
                     Entry,
                     IncentiveAward,
                     Sanction,
                     SupervisionFinding,
                     SurveyResult,
                     quarter_end,
                     quarter_of,
                     records,
)
from .ledger import (
                     LIMIT_REASONS,
                     ROW_FIELDS,
                     Rules,
                     apply_limits,
                     case_outcome_entries,
                     entry_row,
                     limit_rows,
                     quarter_entries,
                     sort_entries,
                     unit_ledger,
)
from .performance import PerformanceResult, full_performance, latest_cost_year, performance_for_year
from .results import (
                      QuarterResult,
                      annual_grade,
                      colour,
                      dimension_values,
                      has_red_flag,
                      overdue_colour,
                      summarise,
                      summarise_rows,
                      what_if,
)
from .scheme import (
                     DEFAULT_SCHEME,
                     DIMENSIONS,
                     LABELS,
                     label,
                     num,
                     q,
                     scheme_from_json,
                     scheme_to_json,
                     validate_scheme,
)

__all__ = [
    "DEFAULT_SCHEME", "DIMENSIONS", "LABELS", "LIMIT_REASONS", "CaseOutcome", "ControlCheck", "CostRecord",
    "Entry", "IncentiveAward", "PerformanceResult", "QuarterResult", "ROW_FIELDS", "Rules", "Sanction",
    "SupervisionFinding",
    "SurveyResult", "annual_grade", "apply_limits", "case_outcome_entries", "colour", "dimension_values", "overdue_colour",
    "full_performance", "has_red_flag", "label", "latest_cost_year", "limit_rows", "num", "performance_for_year", "q",
    "quarter_end", "quarter_entries", "quarter_of", "records", "scheme_from_json", "scheme_to_json", "sort_entries",
    "summarise", "summarise_rows", "unit_ledger", "validate_scheme", "what_if", "entry_row",
]
