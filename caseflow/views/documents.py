"""Documents: the list, one document with its versions, downloads, corrections and report generation."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from caseflow.documents import FORMATS, KINDS
from caseflow.errors import N_, CaseflowError, InvalidField
from caseflow.extensions import db
from caseflow.forms import choices
from caseflow.forms.documents import ReportForm, context_changes, correction_form, editable_keys
from caseflow.models import Document, Unit
from caseflow.permissions import can, require, unit_scope
from caseflow.selectors import documents as sel
from caseflow.selectors.common import current_quarter
from caseflow.services.document_reports import REPORT_KINDS, report_issue
from caseflow.services.documents import document_correct, document_download
from caseflow.views.common import capability_required, int_arg, str_arg
from caseflow.views.nav import NavEntry

bp = Blueprint("documents", __name__, url_prefix="/documents")
NAV = [NavEntry("documents.index", N_("Documents"), "documents.read", order=65)]

KIND_LABELS = {
    "notice": N_("Warning notice"),
    "receipt": N_("Delivery receipt"),
    "recommendation": N_("Warning recommendation"),
    "quarterly_report": N_("Quarterly analysis report"),
    "halfyear_review": N_("Half-yearly situation review"),
}
# Printable page and PDF open in the browser; the Word file is saved.
INLINE = frozenset({"pdf", "html"})
# The printable page carries its own style sheet and no script at all.
DOCUMENT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'self'; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")


def file_response(document: Document, data: bytes, fmt: str, *, inline: bool) -> Response:
    """The rendered file with its content type and a Content-Disposition naming it (UTF-8 and ASCII)."""
    name = f"{document.number or document.title}-v{document.version}.{fmt}"
    fallback = f"document-{document.id}-v{document.version}.{fmt}"
    response = Response(data, content_type=FORMATS[fmt])
    response.headers["Content-Disposition"] = (f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; "
                                               f"filename*=UTF-8''{quote(name)}")
    response.headers["Cache-Control"] = "private, no-store"
    if fmt == "html":
        response.headers["Content-Security-Policy"] = DOCUMENT_CSP
    return response


def requested_format() -> str:
    """The ``format`` argument (default pdf); anything else is a 422."""
    fmt = request.args.get("format", "pdf")
    if fmt not in FORMATS:
        raise InvalidField(field="format")
    return fmt


@bp.route("/")
@capability_required("documents.read")
def index():
    """Documents the user may see, filtered by kind, year and unit, newest first."""
    kinds = sel.visible_kinds(current_user)
    kind = str_arg("kind", kinds)
    year = int_arg("year", None, lo=2000, hi=2100)
    scope = unit_scope(current_user)
    unit_id = scope or int_arg("unit")
    page = sel.documents_page(current_user, kind=kind, year=year, unit_id=unit_id,
                              page=int_arg("page", 1) or 1, per_page=50)
    units = ([] if scope is not None else
             list(db.session.execute(select(Unit.id, Unit.code, Unit.name).order_by(Unit.code))))
    return render_template("documents/index.html", page=page, kinds=kinds, kind_labels=KIND_LABELS,
                           years=sel.document_years(), units=units, filters={"kind": kind, "year": year,
                                                                              "unit_id": unit_id},
                           can_report=can(current_user, "reports.read"))


@bp.route("/<int:document_id>")
@login_required
def download(document_id: int):
    """The document as ``format`` = pdf (default), docx or html (the printable page); logged."""
    document = sel.document_get(current_user, document_id)
    fmt = requested_format()
    data = document_download(document=document, fmt=fmt, user=current_user, address=request.remote_addr)
    return file_response(document, data, fmt, inline=fmt in INLINE)


@bp.route("/<int:document_id>/info")
@login_required
def show(document_id: int):
    """One document: what it is, its versions with reasons, downloads, and the correction form."""
    document = sel.document_get(current_user, document_id)
    versions = sel.document_versions(document)
    form = correction_form(document.context or {}) if _may_correct(document, versions) else None
    return _show(document, versions, form)


def _may_correct(document: Document, versions: list[Document]) -> bool:
    return can(current_user, "documents.issue") and versions[-1].id == document.id


def _show(document: Document, versions: list[Document], form, status: int = 200):
    unit = db.session.get(Unit, document.unit_id) if document.unit_id else None
    return render_template("documents/show.html", document=document, versions=versions, form=form, unit=unit,
                           kind_labels=KIND_LABELS, formats=list(FORMATS), kinds=KINDS,
                           editable=editable_keys(document.context or {})), status


@bp.route("/<int:document_id>/correct", methods=["POST"])
@capability_required("documents.issue")
def correct(document_id: int):
    """Issue a corrected version of the document (same number, a reason, the old version kept)."""
    document = sel.document_get(current_user, document_id)
    versions = sel.document_versions(document)
    form = correction_form(document.context or {}, formdata=request.form)
    if not form.validate():
        return _show(document, versions, form, 422)
    try:
        row = document_correct(document=document, context_changes=context_changes(form, document.context or {}),
                               reason=form.reason.data, actor=current_user)
    except CaseflowError as error:
        flash(error.render(_), "error")
        return _show(document, versions, form, error.status)
    flash(_("Version %(version)s issued.", version=row.version), "success")
    return redirect(url_for("documents.show", document_id=row.id))


def _period_choices() -> tuple[list, list]:
    """The last eight quarters and the last four half-years, newest first."""
    year, quarter = current_quarter()
    quarters, halves = [], []
    y, q = year, quarter
    for _i in range(8):
        quarters.append((f"{y}-{q}", _("%(year)s Q%(quarter)s", year=y, quarter=q)))
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    y, h = year, 1 if quarter <= 2 else 2
    for _i in range(4):
        halves.append((f"{y}-{h}", _("%(year)s H%(half)s", year=y, half=h)))
        y, h = (y, 1) if h == 2 else (y - 1, 2)
    return quarters, halves


def _report_forms(formdata=None, posted: str | None = None) -> dict[str, ReportForm]:
    quarters, halves = _period_choices()
    forms = {}
    for kind, options in (("quarterly_report", quarters), ("halfyear_review", halves)):
        form = ReportForm(formdata=formdata if posted == kind else None, prefix=kind)
        form.kind.data = kind
        form.period.choices = choices(options)
        if posted != kind:
            form.period.data = options[1][0]  # the last complete period, not the one under way
        forms[kind] = form
    return forms


@bp.route("/reports", methods=["GET", "POST"])
@capability_required("reports.read")
def reports():
    """Choose a period, issue its numbered analysis report or situation review, then download it."""
    if request.method == "POST":
        require(current_user, "documents.issue")  # a reader's POST is refused, not shown the page
    posted = _posted_kind()
    forms = _report_forms(request.form if posted else None, posted)
    status = 200
    if posted in forms:
        require(current_user, "documents.issue")
        form = forms[posted]
        if form.validate():
            year, part = (int(x) for x in form.period.data.split("-"))
            args = {"quarter": part} if posted == "quarterly_report" else {"half": part}
            try:
                row = report_issue(kind=posted, year=year, actor=current_user, reason=form.reason.data, **args)
            except CaseflowError as error:
                flash(error.render(_), "error")
                status = error.status
            else:
                flash(_("%(title)s issued as %(number)s.", title=row.title, number=row.number), "success")
                return redirect(url_for("documents.show", document_id=row.id))
        else:
            status = 422
    return render_template("documents/reports.html", forms=forms, kind_labels=KIND_LABELS,
                           issued=sel.reports_issued(REPORT_KINDS), can_issue=can(current_user, "documents.issue")), status


def _posted_kind() -> str | None:
    """Which report form was posted (each form's fields carry its kind as prefix)."""
    if request.method != "POST":
        return None
    return next((kind for kind in REPORT_KINDS if f"{kind}-period" in request.form), None)
