"""Monitoring-network statistics per station and the access log of reporter-contact views."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user

from caseflow import clock
from caseflow.errors import N_
from caseflow.selectors.signals import access_log_page, signal_numbers, station_stats
from caseflow.views.common import capability_required, int_arg, str_arg
from caseflow.views.nav import NavEntry

bp = Blueprint("oversight", __name__)
NAV = [
    NavEntry("oversight.stations", N_("Station statistics"), "signals.read",
             frozenset({"officer", "supervisor", "auditor"}), order=21),
    NavEntry("oversight.access_log", N_("Access log"), "access_log.read", order=75),
]
ACTIONS = {"reporter_contact": N_("Reporter contact viewed")}


def _date(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default


@bp.route("/stations/statistics")
@capability_required("signals.read")
def stations():
    """Per station: rapid reports in the period, late reports and the on-time rate."""
    today = clock.today()
    date_from, date_to = _date("from", date(today.year, 1, 1)), _date("to", today)
    rows = station_stats(current_user, date_from=date_from, date_to=date_to)
    totals = (sum(r.reports for r in rows), sum(r.late for r in rows))
    return render_template("signals/stations.html", rows=rows, date_from=date_from, date_to=date_to, totals=totals)


@bp.route("/access-log")
@capability_required("access_log.read")
def access_log():
    """Who viewed protected reporter data, when and from where (supervisors only)."""
    page = access_log_page(current_user, action=str_arg("action", ACTIONS), user_id=int_arg("user_id"),
                           page=int_arg("page", 1), per_page=50)
    numbers = signal_numbers([e.object_id for e in page.items if e.object_kind == "signal" and e.object_id])
    return render_template("signals/access_log.html", page=page, numbers=numbers, actions=ACTIONS,
                           action=str_arg("action", ACTIONS))
