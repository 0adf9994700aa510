"""Excel downloads of the lists, with the list's filters applied."""
from __future__ import annotations

from flask import Blueprint, Response, request
from flask_login import current_user, login_required

from caseflow.models import CATEGORIES, CHANNELS, SIGNAL_STATUSES
from caseflow.selectors.common import current_quarter
from caseflow.services.exports import export_filename, export_xlsx, stream_file
from caseflow.states import STATES
from caseflow.views.board import board_filters
from caseflow.views.common import int_arg, str_arg

bp = Blueprint("exports", __name__, url_prefix="/exports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _send(kind: str, filters: dict) -> Response:
    path = export_xlsx(kind=kind, user=current_user, filters=filters)
    response = Response(stream_file(path), mimetype=XLSX, direct_passthrough=True)
    response.headers["Content-Disposition"] = f'attachment; filename="{export_filename(kind)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _flag(name: str) -> bool:
    return request.args.get(name, "") in ("1", "true", "on", "yes")


@bp.route("/units.xlsx")
@login_required
def units():
    """Units with index and colour of a quarter; the board's filters (period, town, kind, colour, q)."""
    return _send("units", board_filters())


@bp.route("/cases.xlsx")
@login_required
def cases():
    """Cases; filters state, unit_id (or unit), category, overdue, q."""
    filters = {"state": str_arg("state", STATES), "unit_id": int_arg("unit_id") or int_arg("unit"),
               "category": str_arg("category", CATEGORIES), "overdue": _flag("overdue"), "q": str_arg("q")}
    return _send("cases", filters)


@bp.route("/signals.xlsx")
@login_required
def signals():
    """Signals without reporter data; filters channel, status, category, unit_id, overdue, q."""
    filters = {"channel": str_arg("channel", CHANNELS), "status": str_arg("status", SIGNAL_STATUSES),
               "category": str_arg("category", CATEGORIES), "unit_id": int_arg("unit_id") or int_arg("unit"),
               "overdue": _flag("overdue"), "q": str_arg("q")}
    return _send("signals", filters)


@bp.route("/grades.xlsx")
@login_required
def grades():
    """Annual grades of a year with the quarters' colours; filters year, town, kind, grade."""
    filters = {"year": int_arg("year", current_quarter()[0] - 1, lo=2000, hi=2100), "town_id": int_arg("town"),
               "kind": str_arg("kind"), "grade": str_arg("grade", ("A", "B", "C"))}
    return _send("grades", filters)
