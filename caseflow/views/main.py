"""Home page: what each role needs to see first."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from caseflow.errors import N_
from caseflow.models import CHANNELS, SIGNAL_STATUSES, UNIT_KINDS
from caseflow.permissions import can
from caseflow.selectors import overview
from caseflow.views.nav import NavEntry

bp = Blueprint("main", __name__)
NAV = [NavEntry("main.home", N_("Home"), None, order=0)]


@bp.route("/")
@login_required
def home():
    """The landing page after login."""
    context = {"unit_kinds": UNIT_KINDS, "channels": CHANNELS, "statuses": SIGNAL_STATUSES}
    if can(current_user, "units.read") and current_user.role != "unit_leader":
        context["by_kind"] = overview.units_by_kind()
    if can(current_user, "signals.read") and current_user.role != "monitor":
        context["by_channel"] = overview.signals_by_channel()
        context["by_status"] = overview.signals_by_status()
    return render_template("main/home.html", **context)
