"""Quarterly analysis (季度分析) and half-yearly situation review (半年廉情形势研究) pages."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

from caseflow.errors import N_
from caseflow.selectors.analysis import period_analysis
from caseflow.selectors.cache import cached
from caseflow.selectors.common import current_quarter
from caseflow.views import charts
from caseflow.views.board import period_arg
from caseflow.views.common import capability_required, int_arg
from caseflow.views.nav import NavEntry

bp = Blueprint("analysis", __name__, url_prefix="/analysis")
NAV = [NavEntry("analysis.quarterly", N_("Analysis"), "reports.read", order=60)]
CHANGES_SHOWN = 100


def _charts(data: dict, now_label: str, before_label: str) -> dict:
    signals = data["signals"]
    return {
        "colours": charts.colour_compare(data["colours"], data["previous_colours"], now_label, before_label),
        "channels": charts.counts_bar([(charts.channel_name(c), n) for c, n in signals["by_channel"].items()],
                                      _("Signals"), _("Channel")),
        "categories": charts.counts_bar([(charts.category_name(c), n) for c, n in signals["by_category"].items()],
                                        _("Signals"), _("Category")),
    }


def _page(data: dict, title: str, now_label: str, before_label: str, choices: list, chosen: str):
    return render_template("analysis/report.html", data=data, title=title, charts=_charts(data, now_label, before_label),
                           now_label=now_label, before_label=before_label, choices=choices, chosen=chosen,
                           changes_shown=CHANGES_SHOWN, category_name=charts.category_name,
                           channel_name=charts.channel_name, colour_names=charts.colour_names())


def _recent_quarters(n: int = 8) -> list[tuple[int, int]]:
    y, q = current_quarter()
    out = []
    for _i in range(n):
        out.append((y, q))
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    return out


@bp.route("/quarterly")
@capability_required("reports.read")
def quarterly():
    """The quarterly analysis of a quarter (``period=YYYY-Q``, default the current quarter)."""
    year, quarter = period_arg() or current_quarter()
    data = cached("analysis", (year, quarter, None), lambda: period_analysis(year, quarter=quarter))
    prev = data["period"]["previous"]["colour_quarter"]
    label = _("%(year)s Q%(quarter)s", year=year, quarter=quarter)
    choices = [(f"{y}-{q}", _("%(year)s Q%(quarter)s", year=y, quarter=q)) for y, q in _recent_quarters()]
    return _page(data, _("Quarterly analysis, %(period)s", period=label), label,
                 _("%(year)s Q%(quarter)s", year=prev[0], quarter=prev[1]), choices, f"{year}-{quarter}")


@bp.route("/half-year")
@capability_required("reports.read")
def half_year():
    """The half-yearly situation review (``year``, ``half`` = 1 or 2; default the current half)."""
    cy, cq = current_quarter()
    year = int_arg("year", cy, lo=2000, hi=2100)
    half = int_arg("half", 1 if cq <= 2 else 2, hi=2)
    data = cached("analysis", (year, None, half), lambda: period_analysis(year, half=half))
    label = _("%(year)s H%(half)s", year=year, half=half)
    before = _("%(year)s H%(half)s", year=year - 1 if half == 1 else year, half=2 if half == 1 else 1)
    choices = [(f"{y}-{h}", _("%(year)s H%(half)s", year=y, half=h))
               for y in (cy, cy - 1, cy - 2) for h in (2, 1) if (y, h) <= (cy, 1 if cq <= 2 else 2)]
    return _page(data, _("Half-yearly review, %(period)s", period=label), label, before, choices, f"{year}-{half}")
