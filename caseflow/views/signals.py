"""The triage queue (阅办) and the signal page: assign, open a case, link, reject, reply, reporter contact."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow import clock
from caseflow.errors import N_, CaseflowError
from caseflow.extensions import db
from caseflow.forms import choices
from caseflow.forms.signals import AssignForm, LinkForm, OpenCaseForm, RejectForm, ReplyForm
from caseflow.models import CATEGORIES, CHANNELS, ROLES, SEVERITIES, SIGNAL_STATUSES, Station, Unit, User
from caseflow.permissions import can
from caseflow.selectors import signals as sel
from caseflow.selectors.duplicates import duplicate_suggestions
from caseflow.selectors.units import unit_lookup, unit_options
from caseflow.services.attachments import storage_path
from caseflow.services.complaints import signal_reply
from caseflow.services.reporter import may_see_reporter, reporter_contact_view
from caseflow.services.signals import UNTRIAGED, signal_assign, signal_triage
from caseflow.views.common import capability_required, form_errors_flash, int_arg, str_arg
from caseflow.views.nav import NavEntry

bp = Blueprint("signals", __name__, url_prefix="/signals")
NAV = [NavEntry("signals.queue", N_("Signals"), "signals.read",
                frozenset({"officer", "supervisor", "auditor"}), order=20)]
QUEUE_LABELS = {"new": N_("New"), "mine": N_("Assigned to me"), "overdue": N_("Overdue handling"), "all": N_("All")}
REASON_LABELS = {"same_category": N_("same unit and category"), "similar_text": N_("similar text"),
                 "similar_signal": N_("holds a similar signal")}


def _date_arg(name: str):
    from datetime import date

    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/")
@capability_required("signals.read")
def queue():
    """The triage queue: new, assigned to me, overdue handling, all — with filters."""
    if current_user.role == "monitor":
        return redirect(url_for("intake.mine"))
    filters = sel.SignalFilters(
        queue=str_arg("queue", QUEUE_LABELS) or ("new" if can(current_user, "signals.triage") else "all"),
        status=str_arg("status", SIGNAL_STATUSES), channel=str_arg("channel", CHANNELS),
        category=str_arg("category", CATEGORIES), unit_id=int_arg("unit_id"), station_id=int_arg("station_id"),
        received_from=_date_arg("from"), received_to=_date_arg("to"), unit_q=str_arg("unit"),
        station_q=str_arg("station"),
    )
    page = sel.signals_page(current_user, filters, page=int_arg("page", 1), per_page=int_arg("per_page", 30, hi=200))
    stations = sel.station_options()
    station_text = filters.station_q or ""
    if stations is None and filters.station_id and not station_text:  # many stations: a search field shows the code
        station = db.session.get(Station, filters.station_id)
        station_text = station.code if station else ""
    return render_template("signals/queue.html", page=page, filters=filters, queues=QUEUE_LABELS,
                           counts=sel.triage_counts(current_user), channels=CHANNELS, categories=CATEGORIES,
                           statuses=SIGNAL_STATUSES, stations=stations, station_text=station_text)


def _forms(signal, duplicates):
    assign = AssignForm(prefix="assign", department=signal.department or getattr(current_user, "department", None),
                        handler_id=signal.officer_id or current_user.id)
    assign.handler_id.choices = choices((u.id, f"{u.display_name} · {_(ROLES[u.role])}") for u in sel.handlers())
    open_form = OpenCaseForm(prefix="open", title=signal.summary, category=signal.category,
                             unit_id=signal.unit_id)
    units = [signal.unit] if signal.unit else unit_options(current_user)
    if units is None:  # no unit named and too many for a select: a field taking a code or name
        del open_form.unit_id
    else:
        del open_form.unit_code
        open_form.unit_id.choices = choices((u.id, f"{u.name} ({u.code})") for u in units)
    link = LinkForm(prefix="link")
    link.case_id.choices = choices((s.item.id, f"{s.item.number} · {s.item.title}") for s in duplicates.cases)
    return {"assign_form": assign, "open_form": open_form, "link_form": link,
            "reject_form": RejectForm(prefix="reject"), "reply_form": ReplyForm(prefix="reply")}


@bp.route("/<int:signal_id>")
@capability_required("signals.read")
def show(signal_id: int):
    """One signal: details, source, files, duplicates, handling forms, replies to the reporter."""
    signal = sel.signal_get(current_user, signal_id)
    staff = current_user.role != "monitor"
    case = sel.case_of(signal)
    duplicates = duplicate_suggestions(signal) if staff else None
    context = {
        "signal": signal, "case": case,
        "case_url": url_for("cases.show", case_id=case.id)
        if case and "cases.show" in current_app.view_functions and can(current_user, "cases.read")
        else None, "attachments": sel.signal_attachments(signal.id),
        "replies": sel.signal_replies(signal.id) if signal.receipt_hash else [],
        "duplicates": duplicates, "reason_labels": REASON_LABELS, "channels": CHANNELS, "categories": CATEGORIES,
        "statuses": SIGNAL_STATUSES, "severities": SEVERITIES, "staff": staff,
        "may_triage": can(current_user, "signals.triage") and signal.status in UNTRIAGED,
        "may_see_reporter": bool(signal.reporter_contact) and may_see_reporter(current_user, signal),
        "reporter_user": db.session.get(User, signal.reporter_id) if staff and signal.reporter_id else None,
        "overdue": signal.status in UNTRIAGED and signal.handling_due and signal.handling_due < clock.today(),
    }
    if staff and can(current_user, "signals.triage"):
        context.update(_forms(signal, duplicates))
    return render_template("signals/show.html", **context)


def _run(signal_id: int, action):
    """Run a POSTed service call for the signal page; flash the outcome and go back to it."""
    try:
        action()
    except CaseflowError as error:
        db.session.rollback()
        flash(error.render(_), "error")
        return show(signal_id), error.status
    return redirect(url_for("signals.show", signal_id=signal_id))


def _invalid(form, signal_id: int):
    for line in form_errors_flash(form):
        flash(line, "error")
    return show(signal_id), 422


@bp.route("/<int:signal_id>/assign", methods=["POST"])
@capability_required("signals.triage")
def assign(signal_id: int):
    """Assign the handling department and officer."""
    signal = sel.signal_get(current_user, signal_id)
    form = AssignForm(prefix="assign")
    form.handler_id.choices = choices((u.id, u.display_name) for u in sel.handlers())
    if not form.validate_on_submit():
        return _invalid(form, signal_id)

    def act():
        signal_assign(signal=signal, officer=current_user, department=form.department.data,
                      handler=db.session.get(User, form.handler_id.data))
        flash(_("Assigned; handling is due on %(due)s.", due=signal.handling_due.isoformat()), "success")

    return _run(signal_id, act)


@bp.route("/<int:signal_id>/triage/<action>", methods=["POST"])
@capability_required("signals.triage")
def triage(signal_id: int, action: str):
    """Open a case from the signal, link it to an open case, or reject it."""
    signal = sel.signal_get(current_user, signal_id)
    form_class = {"open_case": OpenCaseForm, "link": LinkForm, "reject": RejectForm}.get(action)
    if form_class is None:
        abort(404)
    form = form_class(prefix={"open_case": "open", "link": "link", "reject": "reject"}[action])
    if action == "open_case" and (request.form.get("open-unit_code") or "").strip():
        del form.unit_id  # a code or name typed instead of a choice (many units)
    for name in ("unit_id", "case_id"):
        if name in form:
            form[name].validate_choice = False  # the service checks unit and case
    if not form.validate_on_submit():
        return _invalid(form, signal_id)
    data = {k: v for k, v in form.data.items() if k not in ("submit", "csrf_token")}
    code = data.pop("unit_code", None)
    if "unit_id" in data:
        data["unit"] = db.session.get(Unit, data.pop("unit_id"))
    elif action == "open_case":
        data["unit"] = unit_lookup(current_user, code)
        if data["unit"] is None:
            flash(_("No active unit has this code or name."), "error")
            return show(signal_id), 422
    data["severity"] = data.get("severity") or None

    def act():
        signal_triage(signal=signal, actor=current_user, action=action, **data)
        flash({"open_case": _("Case opened."), "link": _("Linked to the case."),
               "reject": _("Signal rejected.")}[action], "success")

    return _run(signal_id, act)


@bp.route("/<int:signal_id>/reply", methods=["POST"])
@capability_required("signals.triage")
def reply(signal_id: int):
    """A public reply to the anonymous reporter, readable with their receipt code."""
    signal = sel.signal_get(current_user, signal_id)
    form = ReplyForm(prefix="reply")
    if not form.validate_on_submit():
        return _invalid(form, signal_id)

    def act():
        signal_reply(signal=signal, actor=current_user, body=form.body.data)
        flash(_("Reply sent; the reporter sees it with the receipt code."), "success")

    return _run(signal_id, act)


@bp.route("/<int:signal_id>/reporter", methods=["POST"])
@capability_required("reporter.identity")
def reporter(signal_id: int):
    """Show the reporter's protected contact to an entitled officer or supervisor; the view is logged."""
    signal = sel.signal_get(current_user, signal_id)
    contact = reporter_contact_view(signal=signal, user=current_user, address=request.remote_addr)
    return render_template("signals/reporter.html", signal=signal, contact=contact)


@bp.route("/<int:signal_id>/attachments/<int:attachment_id>")
@capability_required("signals.read")
def attachment(signal_id: int, attachment_id: int):
    """Download a file of the signal."""
    signal = sel.signal_get(current_user, signal_id)
    row = next((a for a in sel.signal_attachments(signal.id) if a.id == attachment_id), None)
    if row is None or not storage_path(row.sha256).exists():
        abort(404)
    return send_file(storage_path(row.sha256), mimetype=row.content_type, as_attachment=True,
                     download_name=row.filename)
