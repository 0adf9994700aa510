"""Signal intake: the monitor's rapid report (phone-sized), "my signals", and the officer's record form."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow import clock
from caseflow.errors import N_, CaseflowError
from caseflow.extensions import db
from caseflow.forms import choices
from caseflow.forms.signals import RapidReportForm, RecordForm
from caseflow.models import CATEGORIES, CHANNELS, SIGNAL_STATUSES, Station, Unit
from caseflow.selectors.signals import SignalFilters, signals_page
from caseflow.services.signals import RECORDED_CHANNELS, SOURCE_FIELDS, signal_file_rapid, signal_record
from caseflow.views.common import capability_required, form_errors_flash, int_arg
from caseflow.views.nav import NavEntry

bp = Blueprint("intake", __name__, url_prefix="/intake")
NAV = [
    NavEntry("intake.rapid", N_("Rapid report"), "signals.file_rapid", order=10),
    NavEntry("intake.mine", N_("My signals"), "signals.file_rapid", order=11),
]


def _area(monitor) -> list[Unit]:
    station = db.session.get(Station, monitor.station_id) if monitor.station_id else None
    return [u for u in station.area if u.active] if station else []


@bp.route("/rapid", methods=["GET", "POST"])
@capability_required("signals.file_rapid")
def rapid():
    """A monitor's rapid direct report (快速直报): one short form that works on a phone."""
    form = RapidReportForm(discovered_on=clock.today())
    form.unit_id.choices = choices([(0, _("Choose…"))] + [(u.id, u.name) for u in _area(current_user)])
    form.unit_id.validate_choice = False  # a unit outside the area is refused by the service (403)
    status = 200
    if form.validate_on_submit():
        try:
            signal = signal_file_rapid(
                monitor=current_user, unit=db.session.get(Unit, form.unit_id.data), category=form.category.data,
                discovered_on=form.discovered_on.data, summary=form.summary.data, details=form.details.data,
                files=request.files.getlist(form.attachments.name),
            )
        except CaseflowError as error:
            db.session.rollback()
            flash(error.render(_), "error")
            status = error.status
        else:
            message = _("Report %(number)s received.", number=signal.number)
            if signal.late:
                message += " " + _("It was filed after the time limit and is marked late.")
            flash(message, "warning" if signal.late else "success")
            return redirect(url_for("intake.mine"))
    elif request.method == "POST":
        for line in form_errors_flash(form):
            flash(line, "error")
        status = 422
    return render_template("signals/rapid.html", form=form), status


@bp.route("/mine")
@capability_required("signals.file_rapid")
def mine():
    """The monitor's own reports with their handling status."""
    page = signals_page(current_user, SignalFilters(), page=int_arg("page", 1), per_page=20)
    return render_template("signals/mine.html", page=page, statuses=SIGNAL_STATUSES, categories=CATEGORIES)


@bp.route("/record", methods=["GET", "POST"])
@capability_required("signals.record")
def record():
    """An officer records a signal from any complaint channel, with that channel's source details."""
    form = RecordForm()
    units = db.session.scalars(db.select(Unit).where(Unit.active.is_(True)).order_by(Unit.code)).all()
    form.unit_id.choices = choices([(0, _("Unknown / as named below"))] + [(u.id, f"{u.name} ({u.code})") for u in units])
    status = 200
    if form.validate_on_submit():
        source = {key: getattr(form, key).data for key in SOURCE_FIELDS}
        try:
            signal = signal_record(
                officer=current_user, channel=form.channel.data,
                unit=db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None,
                unit_name_given=form.unit_name_given.data, discovered_on=form.discovered_on.data,
                category=form.category.data, summary=form.summary.data, details=form.details.data,
                source_details=source, files=request.files.getlist(form.attachments.name),
                reporter_contact=form.reporter_contact.data,
            )
        except CaseflowError as error:
            db.session.rollback()
            flash(error.render(_), "error")
            status = error.status
        else:
            flash(_("Signal %(number)s recorded.", number=signal.number), "success")
            return redirect(url_for("signals.show", signal_id=signal.id))
    elif request.method == "POST":
        for line in form_errors_flash(form):
            flash(line, "error")
        status = 422
    fields_by_channel = {c: list(CHANNELS[c][1]) for c in RECORDED_CHANNELS}
    return render_template("signals/record.html", form=form, fields_by_channel=fields_by_channel,
                           source_keys=list(SOURCE_FIELDS)), status
