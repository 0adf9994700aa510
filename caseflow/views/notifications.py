"""The notifications page: a user's in-app notifications, unread first; mark read."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from caseflow.errors import N_
from caseflow.notifications import message
from caseflow.selectors.notifications import notifications_page, unread_count
from caseflow.services.notifications import notifications_mark_read
from caseflow.views.common import capability_required, int_arg
from caseflow.views.nav import NavEntry

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
NAV = [NavEntry("notifications.index", N_("Notifications"), "notifications.read", order=90)]


@bp.app_context_processor
def _unread() -> dict:
    """``unread_notifications()`` for the menu badge."""

    def count() -> int:
        return unread_count(current_user) if current_user.is_authenticated else 0

    return {"unread_notifications": count}


@bp.route("/")
@capability_required("notifications.read")
def index():
    """My notifications, newest first."""
    page = notifications_page(current_user, page=int_arg("page", 1), per_page=int_arg("per_page", 25, hi=100))
    return render_template("notifications/index.html", page=page, message=lambda n: message(n, _),
                           form=FlaskForm())


@bp.route("/read", methods=["POST"])
@bp.route("/<int:notification_id>/read", methods=["POST"])
@capability_required("notifications.read")
def mark_read(notification_id: int | None = None):
    """Mark one notification (or all) as read."""
    form = FlaskForm()
    if form.validate_on_submit():
        count = notifications_mark_read(user=current_user, notification_id=notification_id)
        flash(_("%(n)s notifications marked as read.", n=count), "success")
    return redirect(url_for("notifications.index"))
