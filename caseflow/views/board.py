"""The internal three-colour board (三色预警榜) and its printable form."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from caseflow.errors import N_
from caseflow.models import UNIT_KINDS
from caseflow.selectors.board import KIND_GROUPS, NO_TOWN, board_page, board_quarters
from caseflow.selectors.common import current_quarter
from caseflow.selectors.units import towns
from caseflow.views.common import capability_required, int_arg, str_arg
from caseflow.views.nav import NavEntry

bp = Blueprint("board", __name__, url_prefix="/board")
NAV = [NavEntry("board.index", N_("Board"), "board.read", order=20)]
BOARD_COLOURS = ("green", "orange", "red", "none")
PRINT_GROUPS, PRINT_TILES = 60, 3000


def period_arg() -> tuple[int, int] | None:
    """The ``period=YYYY-Q`` query argument (or ``year`` and ``quarter``), None when absent or invalid."""
    y, _sep, q = (str_arg("period") or "").partition("-")
    if not y:
        y, q = request.args.get("year", ""), request.args.get("quarter", "")
    if y.isdigit() and q in ("1", "2", "3", "4") and 2000 <= int(y) <= 2100:
        return int(y), int(q)
    return None


def board_filters() -> dict:
    """The board's query arguments: quarter (``period=YYYY-Q``), town, kind, colour, search."""
    year, quarter = period_arg() or current_quarter()
    return {"year": year, "quarter": quarter, "town_id": int_arg("town"), "kind": str_arg("kind", UNIT_KINDS),
            "colour": str_arg("colour", BOARD_COLOURS), "q": str_arg("q")}


def group_names() -> dict[int, str]:
    """Names of the groups that are not towns."""
    return {KIND_GROUPS["agency"]: _("Agencies"), KIND_GROUPS["enterprise"]: _("State enterprises"),
            NO_TOWN: _("Not under a town")}


def _render(template: str, **limits):
    filters = board_filters()
    board = board_page(page=int_arg("page", 1), unit_names=group_names(), **filters, **limits)
    return render_template(template, board=board, filters=filters, towns=towns(), kinds=UNIT_KINDS,
                           quarters=board_quarters(filters["year"], filters["quarter"]))


@bp.route("/")
@capability_required("board.read")
def index():
    """Every unit's colour for a quarter, grouped by town and kind, one page of groups at a time."""
    return _render("board/index.html")


@bp.route("/print")
@capability_required("board.read")
def print_view():
    """The filtered board as a printable page (print or save as PDF from the browser)."""
    return _render("board/print.html", groups_per_page=PRINT_GROUPS, tiles_per_page=PRINT_TILES)
