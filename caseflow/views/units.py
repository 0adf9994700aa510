"""Unit list and unit page."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from caseflow.errors import N_, NotFound
from caseflow.models import CATEGORIES, CHANNELS, DIMENSIONS, SIGNAL_STATUSES, UNIT_KINDS
from caseflow.selectors.unit_page import trend_chart, unit_page_data
from caseflow.selectors.units import stations_watching, towns, unit_get, units_page
from caseflow.views import charts
from caseflow.views.board import period_arg
from caseflow.views.common import capability_required, int_arg, str_arg
from caseflow.views.nav import NavEntry

bp = Blueprint("units", __name__, url_prefix="/units")
NAV = [
    NavEntry("units.index", N_("Units"), "units.read", frozenset({"admin", "officer", "supervisor", "auditor"}), order=30),
    NavEntry("units.mine", N_("My unit"), "units.read", frozenset({"unit_leader"}), order=30),
]


@bp.route("/")
@capability_required("units.read")
def index():
    """Units with filters and pagination."""
    filters = {
        "kind": str_arg("kind", UNIT_KINDS),
        "q": str_arg("q"),
        "town_id": int_arg("town"),
        "colour": str_arg("colour", ("green", "orange", "red")),
    }
    page = units_page(current_user, page=int_arg("page", 1), per_page=int_arg("per_page", 50, hi=200), **filters)
    return render_template("units/index.html", page=page, filters=filters, towns=towns(), kinds=UNIT_KINDS)


@bp.route("/mine")
@capability_required("units.read")
def mine():
    """A unit leader's own unit."""
    if current_user.unit_id is None:
        raise NotFound()
    return redirect(url_for("units.show", unit_id=current_user.unit_id))


@bp.route("/<int:unit_id>")
@capability_required("units.read")
def show(unit_id: int):
    """One unit: identity, leaders, index trend, breakdown, open cases, signals, documents, eligibility."""
    unit = unit_get(current_user, unit_id)
    year, quarter = period_arg() or (None, None)
    data = unit_page_data(current_user, unit, year=year, quarter=quarter)
    trend = trend_chart(data["quarters"])
    return render_template("units/show.html", unit=unit, stations=stations_watching(unit.id), kinds=UNIT_KINDS,
                           trend=charts.trend(trend["labels"], trend["values"], trend["colours"]),
                           dimensions=DIMENSIONS, categories=CATEGORIES, channels=CHANNELS,
                           signal_statuses=SIGNAL_STATUSES, **data)
