"""Public pages, no login: file an anonymous complaint, follow it with the receipt code, add information."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, render_template, request
from flask_babel import gettext as _

from caseflow.errors import CaseflowError, NotFound, TooLarge
from caseflow.extensions import db, limiter
from caseflow.forms.signals import AddInfoForm, ComplaintForm, TrackForm
from caseflow.models import CATEGORIES
from caseflow.services.complaints import (
    PUBLIC_STATUSES,
    complaint_add_info,
    complaint_file,
    complaint_lookup,
    format_receipt,
    public_replies,
)

bp = Blueprint("public", __name__, url_prefix="/public")
COMPLAINT_SCOPE = "public-complaint"


def complaint_limit() -> str:
    """Submissions per address (shared by the page and the API)."""
    return current_app.config["PUBLIC_COMPLAINT_RATE_LIMIT"]


def lookup_limit() -> str:
    """Receipt look-ups and additions per address."""
    return current_app.config["PUBLIC_LOOKUP_RATE_LIMIT"]


@bp.before_request
def _size_guard() -> None:
    """Refuse oversized public submissions before they are parsed (413)."""
    if request.method == "POST" and (request.content_length or 0) > current_app.config["PUBLIC_COMPLAINT_MAX_BYTES"]:
        raise TooLarge()


@bp.route("/complaint", methods=["GET", "POST"])
@limiter.shared_limit(complaint_limit, COMPLAINT_SCOPE, methods=["POST"])
def complaint():
    """The anonymous complaint form; on success the receipt code is shown once, never again."""
    form = ComplaintForm()
    status = 200
    if form.validate_on_submit():
        try:
            signal, receipt = complaint_file(unit_name=form.unit_name.data, category=form.category.data,
                                             details=form.details.data, contact=form.contact.data)
        except CaseflowError as error:
            db.session.rollback()
            flash(error.render(_), "error")
            status = error.status
        else:
            return render_template("public/receipt.html", receipt=format_receipt(receipt), signal=signal), 201
    elif form.is_submitted():
        status = 422
    return render_template("public/complaint.html", form=form), status


def _status_page(signal, receipt: str, status: int = 200):
    form = AddInfoForm(receipt=receipt, formdata=None)
    return render_template("public/status.html", signal=signal, replies=public_replies(signal), form=form,
                           statuses=PUBLIC_STATUSES, categories=CATEGORIES), status


@bp.route("/complaint/track", methods=["GET", "POST"])
@limiter.limit(lookup_limit, methods=["POST"])
def track():
    """Enter the receipt code to see the complaint's status and the officers' replies.

    The code travels in the POST body, not the address, so it stays out of logs and history."""
    form = TrackForm()
    if form.validate_on_submit():
        try:
            signal = complaint_lookup(form.receipt.data)
        except NotFound:
            flash(_("No complaint has this receipt code."), "error")
            return render_template("public/track.html", form=form), 404
        return _status_page(signal, form.receipt.data)
    return render_template("public/track.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/complaint/add", methods=["POST"])
@limiter.limit(lookup_limit)
def add_info():
    """The reporter adds information to their complaint."""
    form = AddInfoForm()
    if not form.validate_on_submit():
        flash(_("Please write the information to add."), "error")
        try:
            return _status_page(complaint_lookup(form.receipt.data), form.receipt.data, 422)
        except NotFound:
            return render_template("public/track.html", form=TrackForm(formdata=None)), 404
    try:
        complaint_add_info(receipt=form.receipt.data, body=form.body.data)
    except NotFound:
        flash(_("No complaint has this receipt code."), "error")
        return render_template("public/track.html", form=TrackForm(formdata=None)), 404
    except CaseflowError as error:
        db.session.rollback()
        flash(error.render(_), "error")
        return _status_page(complaint_lookup(form.receipt.data), form.receipt.data, error.status)
    flash(_("Thank you; your information has been added."), "success")
    return _status_page(complaint_lookup(form.receipt.data), form.receipt.data)
