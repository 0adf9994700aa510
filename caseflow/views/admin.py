"""Administration: users, units, stations and the holiday calendar."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from caseflow.calendar import OFFICIAL_YEARS
from caseflow.errors import N_, CaseflowError
from caseflow.extensions import db
from caseflow.forms import choices
from caseflow.forms.admin import ActiveForm, CalendarForm, ResetPasswordForm, StationForm, UnitForm, UserForm
from caseflow.models import ROLES, UNIT_KINDS, HolidayEntry, Station, Unit, User
from caseflow.selectors.common import paginate
from caseflow.services import accounts
from caseflow.services.calendar import calendar_load
from caseflow.services.units import get_or_404, station_save, unit_save
from caseflow.views.common import capability_required, int_arg, str_arg
from caseflow.views.nav import NavEntry

bp = Blueprint("admin", __name__, url_prefix="/admin")
NAV = [
    NavEntry("admin.users", N_("Users"), "users.manage", order=80),
    NavEntry("admin.stations", N_("Stations"), "stations.manage", order=81),
    NavEntry("admin.calendar", N_("Calendar"), "calendar.manage", order=82),
]


@bp.route("/users")
@capability_required("users.manage")
def users():
    """All users, filterable by role."""
    role = str_arg("role", ROLES)
    stmt = select(User).order_by(User.username)
    if role:
        stmt = stmt.where(User.role == role)
    page = paginate(stmt, int_arg("page", 1), 50)
    return render_template("admin/users.html", page=page, roles=ROLES, role=role)


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@capability_required("users.manage")
def user_edit(user_id: int | None = None):
    """Create or edit a user."""
    user = accounts.user_get(user_id) if user_id else None
    form = UserForm(obj=user)
    if request.method == "GET" and user is not None:
        form.unit_code.data = user.unit.code if user.unit else ""
        form.station_code.data = user.station.code if user.station else ""
    if form.validate_on_submit():
        try:
            if user is None:
                if not form.password.data:
                    raise CaseflowError(_("An initial password is required."))
                user = accounts.user_create(
                    username=form.username.data, role=form.role.data, password=form.password.data,
                    display_name=form.display_name.data, unit_code=form.unit_code.data or None,
                    station_code=form.station_code.data or None, email=form.email.data or None,
                )
            else:
                accounts.user_update(
                    user=user, display_name=form.display_name.data, role=form.role.data,
                    unit_code=form.unit_code.data or None, station_code=form.station_code.data or None,
                    email=form.email.data or None,
                )
        except CaseflowError as error:
            db.session.rollback()
            flash(error.render(_), "error")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template(
        "admin/user_edit.html", form=form, user=user,
        reset_form=ResetPasswordForm(prefix="reset"), active_form=ActiveForm(prefix="active", active=user.active if user else True),
    )


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@capability_required("users.manage")
def user_password(user_id: int):
    """Reset a user's password (ends their sessions)."""
    user = accounts.user_get(user_id)
    form = ResetPasswordForm(prefix="reset")
    if form.validate_on_submit():
        try:
            accounts.user_set_password(user=user, password=form.password.data)
            flash(_("The password has been reset; the user's sessions have ended."), "success")
        except CaseflowError as error:
            db.session.rollback()
            flash(error.render(_), "error")
    else:
        flash(_("The password needs at least 10 characters, with letters and digits."), "error")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@capability_required("users.manage")
def user_active(user_id: int):
    """Activate or deactivate a user."""
    user = accounts.user_get(user_id)
    form = ActiveForm(prefix="active")
    if form.validate_on_submit():
        accounts.user_set_active(user=user, active=bool(form.active.data))
        flash(_("Saved."), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@capability_required("units.manage")
def unit_edit(unit_id: int | None = None):
    """Create or edit a unit."""
    unit = get_or_404(Unit, unit_id) if unit_id else None
    form = UnitForm(obj=unit)
    if request.method == "GET" and unit is not None:
        form.parent_code.data = unit.parent.code if unit.parent else ""
    if form.validate_on_submit():
        try:
            unit = unit_save(
                unit=unit, code=form.code.data, name=form.name.data, kind=form.kind.data,
                parent_code=form.parent_code.data or None, peer_group=form.peer_group.data or None,
                headcount=form.headcount.data, principal_leader=form.principal_leader.data or None,
                leaders=form.leaders.data or None, active=bool(form.active.data),
            )
        except CaseflowError as error:
            db.session.rollback()
            flash(error.render(_), "error")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("units.show", unit_id=unit.id))
    return render_template("admin/unit_edit.html", form=form, unit=unit, kinds=UNIT_KINDS)


@bp.route("/stations")
@capability_required("stations.manage")
def stations():
    """Monitoring stations with their monitors and areas."""
    rows = list(db.session.scalars(select(Station).order_by(Station.code)))
    monitors: dict[int, list[User]] = {}
    for user in db.session.scalars(select(User).where(User.role == "monitor").order_by(User.username)):
        monitors.setdefault(user.station_id, []).append(user)
    return render_template("admin/stations.html", stations=rows, monitors=monitors)


@bp.route("/stations/new", methods=["GET", "POST"])
@bp.route("/stations/<int:station_id>", methods=["GET", "POST"])
@capability_required("stations.manage")
def station_edit(station_id: int | None = None):
    """Create or edit a station and the units it watches."""
    station = get_or_404(Station, station_id) if station_id else None
    form = StationForm(obj=station)
    form.area.choices = choices((u.id, f"{u.code} {u.name}") for u in db.session.scalars(select(Unit).order_by(Unit.code)))
    if request.method == "GET" and station is not None:
        form.area.data = [u.id for u in station.area]
        form.host_code.data = station.host_unit.code if station.host_unit else ""
    if form.validate_on_submit():
        try:
            station = station_save(station=station, code=form.code.data, name=form.name.data,
                                   host_code=form.host_code.data or None, area_ids=form.area.data or [],
                                   active=bool(form.active.data))
        except CaseflowError as error:
            db.session.rollback()
            flash(error.render(_), "error")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.stations"))
    return render_template("admin/station_edit.html", form=form, station=station)


@bp.route("/calendar", methods=["GET", "POST"])
@capability_required("calendar.manage")
def calendar():
    """Which years have official tables, and loading a new year's table."""
    form = CalendarForm()
    if form.validate_on_submit():
        text = form.table.data or ""
        upload = form.file.data
        if upload and getattr(upload, "filename", ""):
            raw = upload.read(200_000)
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = ""
                flash(_("The file is not UTF-8 text."), "error")
        if text:
            try:
                years = calendar_load(text)
            except CaseflowError as error:
                db.session.rollback()
                flash(error.render(_), "error")
            else:
                flash(_("Loaded the official calendar for %(years)s.", years=", ".join(map(str, years))), "success")
                return redirect(url_for("admin.calendar"))
        elif not upload:
            flash(_("Paste a table or choose a file."), "error")
    loaded = sorted({d.year for d in db.session.scalars(select(HolidayEntry.day))})
    entries = list(db.session.scalars(select(HolidayEntry).order_by(HolidayEntry.day).limit(400)))
    return render_template("admin/calendar.html", form=form, official=sorted(OFFICIAL_YEARS), loaded=loaded, entries=entries)
