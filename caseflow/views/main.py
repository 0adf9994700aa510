"""Home page: a dashboard of what each role needs to see first."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from caseflow import clock
from caseflow.errors import N_
from caseflow.models import CHANNELS, ROLES, SIGNAL_STATUSES, UNIT_KINDS
from caseflow.selectors import dashboard, overview
from caseflow.selectors.cache import cached
from caseflow.selectors.common import current_quarter
from caseflow.views import charts
from caseflow.views.nav import NavEntry

bp = Blueprint("main", __name__)
NAV = [NavEntry("main.home", N_("Home"), None, order=0)]


@bp.app_context_processor
def _display_helpers() -> dict:
    """Template helpers of the display pages: optional endpoints of other areas, state names."""
    return {"has_endpoint": lambda name: name in current_app.view_functions, "state_name": charts.state_name,
            "safe_url": safe_url}


def safe_url(endpoint: str, **values) -> str | None:
    """``url_for`` for an endpoint another area may or may not provide (None when it cannot be built)."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _quarter_label(year: int, quarter: int) -> str:
    return _("%(year)s Q%(quarter)s", year=year, quarter=quarter)


def _officer() -> dict:
    queue = dashboard.officer_queue(current_user)
    triage = dashboard.triage_backlog(current_user)
    states = [s for s in dashboard.OPEN_STATES if queue["by_state"].get(s)]
    spec = charts.counts_bar([(charts.state_name(s), queue["by_state"][s]) for s in states], _("Cases"), _("State"))
    return {"queue": queue, "triage": triage, "queue_chart": spec, "by_kind": overview.units_by_kind()}


def _overview() -> dict:
    year, quarter = current_quarter()
    dist = dashboard.colour_distribution(year, quarter)
    monthly = cached("signals_monthly", (clock.today(),), dashboard.signals_monthly)
    start = dashboard.quarter_start(year, quarter)
    prev_start = dashboard.quarter_start(*dist["previous"])
    end = dashboard.quarter_start(year + (quarter == 4), quarter % 4 + 1)
    overdue = cached("overdue_by_town", (clock.today(),), dashboard.overdue_by_town)
    return {
        "dist": dist,
        "colour_chart": charts.colour_compare(dist["now"], dist["before"], _quarter_label(year, quarter),
                                              _quarter_label(*dist["previous"])),
        "colour_pie": charts.colour_pie(dist["now"]),
        "escalations": dashboard.escalations(),
        "red_units": dashboard.red_units(year, quarter),
        "overdue_by_town": overdue,
        "overdue_chart": charts.counts_bar([(n or _("Not under a town"), c) for n, c in overdue[:15]],
                                           _("Overdue cases"), _("Town / street"), colour="red"),
        "channel_chart": charts.monthly(monthly["months"], monthly["by_channel"], charts.channel_name, _("Month")),
        "category_chart": charts.monthly(monthly["months"], monthly["by_category"], charts.category_name, _("Month")),
        "rectify": cached("rectify", (start, end), lambda: dashboard.time_to_rectify(start, end)),
        "rectify_before": cached("rectify", (prev_start, start), lambda: dashboard.time_to_rectify(prev_start, start)),
    }


@bp.route("/")
@login_required
def home():
    """The landing page after login: a dashboard for the user's role."""
    role = current_user.role
    context: dict = {"unit_kinds": UNIT_KINDS, "channels": CHANNELS, "statuses": SIGNAL_STATUSES,
                     "role_names": ROLES, "quarter": current_quarter()}
    if role == "officer":
        context.update(_officer())
    if role in ("supervisor", "auditor"):
        context["overview"] = _overview()
    if role == "unit_leader" and current_user.unit_id:
        context["mine"] = dashboard.unit_leader_view(current_user)
    if role == "monitor":
        context["monitor"] = dashboard.monitor_view(current_user)
    if role == "admin":
        context["admin"] = dashboard.admin_counts()
        context["by_kind"] = overview.units_by_kind()
    return render_template("main/home.html", **context)
