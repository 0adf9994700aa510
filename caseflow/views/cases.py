"""Case screens: the work queue, the case page with its actions, uploads, the state diagram."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.errors import N_, CaseflowError, Forbidden, InvalidField, InvalidTransition, VersionConflict
from caseflow.extensions import db
from caseflow.forms import choices
from caseflow.forms.cases import EVIDENCE_FIELD, CaseOpenForm, UploadForm, transition_data, transition_form
from caseflow.i18n import is_english
from caseflow.models import CATEGORIES, ORIGINS, SEVERITIES, Unit
from caseflow.permissions import can, require, unit_scope
from caseflow.selectors import cases as sel
from caseflow.selectors.units import unit_lookup, unit_options
from caseflow.services.attachments import attachment_save, storage_path
from caseflow.services.calendar import get_calendar
from caseflow.services.cases import case_open, case_transition
from caseflow.services.deadlines import deadlines_of
from caseflow.services.sweep import note_text
from caseflow.states import CHOICE_LABELS, STATE_LABELS, STATES, TRIGGER_LABELS, TRIGGERS
from caseflow.states import FIELD_LABELS as SHARED_FIELD_LABELS
from caseflow.states.diagram import to_svg
from caseflow.views.common import capability_required, int_arg, str_arg
from caseflow.views.nav import NavEntry

bp = Blueprint("cases", __name__, url_prefix="/cases")
NAV = [NavEntry("cases.index", N_("Cases"), "cases.read", order=20),
       NavEntry("cases.diagram", N_("Case states"), "cases.read", order=85)]
TAB_LABELS = {"mine": N_("Mine"), "due": N_("Due within 3 working days"), "overdue": N_("Overdue"),
              "verifying": N_("Awaiting verification"), "all": N_("All"), "decisions": N_("Awaiting decision"),
              "open": N_("Open notices")}
# Labels of the fields events record, from the machine's definition (plus what case_open records): by
# (trigger, field), since a trigger may name its field its own way (escalate's reason is 升级原因, refer's
# 移送理由), else the field's shared label.
FIELD_LABELS: dict[object, tuple[str, str]] = {
    "title": ("标题", "Title"), "category": ("风险类别", "Risk category"), "origin": ("来源", "Origin"),
    "on_time": ("按期", "On time"), "rectify_due": ("整改期限", "Rectification due"),
    "annual_year": ("年度", "Year"), **SHARED_FIELD_LABELS,
    **{(t.name, f.name): (f.label_zh, f.label_en) for t in TRIGGERS.values() for f in t.fields},
}


@bp.app_template_global()
def event_note(note: str) -> str:
    """An event's note in the current language when the system wrote it (``sweep.note_text``)."""
    return note_text(note, _lang())


SORT_LABELS = {"opened": N_("Newest first"), "opened_asc": N_("Oldest first"), "number": N_("Number"),
               "updated": N_("Recently changed"), "state": N_("State")}


def _lang() -> str:
    return "en" if is_english() else "zh"


def _open_form(units: list | None) -> CaseOpenForm | None:
    """The form to open a case: a unit <select> for a short list, else a unit field taking a code or name."""
    if not can(current_user, "cases.open"):
        return None
    form = CaseOpenForm(prefix="open")
    if units is None:
        del form.unit_id
    else:
        del form.unit_code
        form.unit_id.choices = choices((u.id, f"{u.code} {u.name}") for u in units)
    form.category.choices = choices(CATEGORIES.items())
    form.severity.choices = choices([("", "—"), *((k, _(v)) for k, v in SEVERITIES.items())])
    return form


@bp.route("/")
@capability_required("cases.read")
def index():
    """The work queue: role tabs, filters, sorting and pagination."""
    tabs = sel.TABS.get(current_user.role, ("all",))
    tab = str_arg("tab", tabs) or tabs[0]
    filters = {"state": str_arg("state", STATES), "unit_id": int_arg("unit"), "unit_q": str_arg("unit_q"),
               "severity": str_arg("severity", tuple(SEVERITIES)), "category": str_arg("category", tuple(CATEGORIES)),
               "q": str_arg("q"), "sort": str_arg("sort", tuple(sel.SORTS))}
    page = sel.cases_page(current_user, tab=tab, page=int_arg("page", 1), per_page=int_arg("per_page", 25, hi=200),
                          **filters)
    get_calendar()  # the rows' deadlines use it: loaded once here, whether or not the page has rows
    units = unit_options(current_user)
    unit_text = filters["unit_q"] or ""
    if units is None and filters["unit_id"] and not unit_text:  # many units: the search field shows the code
        unit = db.session.get(Unit, filters["unit_id"])
        unit_text = unit.code if unit else ""
    return render_template("cases/index.html", page=page, tab=tab, tabs=tabs, tab_labels=TAB_LABELS,
                           filters=filters, states=STATES, state_labels=STATE_LABELS, severities=SEVERITIES,
                           categories=CATEGORIES, sort_labels=SORT_LABELS, units=units, unit_text=unit_text,
                           deadlines_of=deadlines_of, open_form=_open_form(units))


def _chosen_unit(form: CaseOpenForm) -> Unit | None:
    """The unit picked in the open form: active and within the user's scope, or None."""
    if getattr(form, "unit_code", None) is not None and form.unit_code.data:
        return unit_lookup(current_user, form.unit_code.data)
    unit = db.session.get(Unit, form.unit_id.data or 0)
    scope = unit_scope(current_user)
    return unit if unit is not None and unit.active and (not scope or unit.id == scope) else None


@bp.route("/new", methods=["POST"])
@capability_required("cases.open")
def new():
    """Open a case by hand."""
    form = CaseOpenForm(prefix="open")
    form.unit_id.validate_choice = False  # checked by _chosen_unit: active and in the user's scope
    form.category.choices = choices(CATEGORIES.items())
    form.severity.choices = choices([("", "—"), *((k, _(v)) for k, v in SEVERITIES.items())])
    if not form.validate_on_submit():
        flash(_("Please check the form."), "error")
        return redirect(url_for("cases.index"))
    unit = _chosen_unit(form)
    if unit is None:
        message = (_("No active unit has this code or name.") if form.unit_code.data
                   else _("Please check the form.") if form.unit_id.data else _("Choose a unit."))
        flash(message, "error")
        return redirect(url_for("cases.index"))
    try:
        case = case_open(unit=unit, title=form.title.data or "", category=form.category.data,
                         severity=form.severity.data or None, origin="manual", actor=current_user)
    except InvalidField as error:
        flash(error.render(_), "error")
        return redirect(url_for("cases.index"))
    flash(_("Case %(number)s opened.", number=case.number), "success")
    return redirect(url_for("cases.show", case_id=case.id))


def _attachment_choices(rows: list) -> list[tuple[int, str]]:
    return [(a.id, f"{a.filename} ({a.sha256[:12]}…)") for a in rows]


def _forms(case, attachments: list, formdata_for: str | None = None) -> dict:
    """The forms of the triggers the user may fire (``attachments``: the case's evidence rows)."""
    english, choices = is_english(), _attachment_choices(attachments)
    forms = {}
    for name in sel.triggers_for(current_user, case):
        form = transition_form(name, english=english, attachments=choices,
                               formdata=None if name != formdata_for else request.form)
        if name != formdata_for:
            form.version.data = case.version
        forms[name] = form
    return forms


def _page(case, status: int = 200, open_trigger: str | None = None, formdata_for: str | None = None,
          error: CaseflowError | None = None):
    """The case page with the forms of the allowed triggers (``formdata_for``: the one re-shown with what
    was sent, ``error`` shown at its field); the evidence is read once, for its list and the forms."""
    attachments = sel.case_attachments(case.id)
    forms = _forms(case, attachments, formdata_for)
    target = forms.get(formdata_for) if error is not None else None
    if target is not None and error.field and hasattr(target, error.field):
        getattr(target, error.field).errors = [*getattr(target, error.field).errors, error.render(_)]
    calendar = get_calendar()
    deadlines = deadlines_of(case)
    uncovered = calendar.uncovered_years(*(d.due for d in deadlines))
    has_docs = "documents.download" in current_app.view_functions
    return render_template(
        "cases/show.html", case=case, forms=forms, deadlines=deadlines, uncovered=uncovered,
        history=sel.deadline_history(case.id), events=sel.case_events(case.id),
        attachments=attachments, documents=sel.case_documents(case.id), has_docs=has_docs,
        state_labels=STATE_LABELS, trigger_labels=TRIGGER_LABELS, triggers=TRIGGERS, severities=SEVERITIES,
        field_labels=FIELD_LABELS, choice_labels=CHOICE_LABELS, origins=ORIGINS,
        categories=CATEGORIES, upload_form=UploadForm(prefix="up") if can(current_user, "cases.upload") else None,
        open_trigger=open_trigger), status


@bp.route("/<int:case_id>")
@capability_required("cases.read")
def show(case_id: int):
    """The case page: state, deadlines, timeline, documents, evidence and the actions allowed now."""
    return _page(sel.case_get(current_user, case_id), open_trigger=str_arg("action", TRIGGERS))


def _upload_files(case, files) -> list[int]:
    ids = []
    for upload in files or []:
        if upload and upload.filename:
            ids.append(attachment_save(content=upload.read(), filename=upload.filename, actor=current_user,
                                       case=case).id)
    return ids


@bp.route("/<int:case_id>/fire/<trigger>", methods=["POST"])
@capability_required("cases.read")
def fire(case_id: int, trigger: str):
    """Fire one trigger from its form; a stale version or a refused action changes nothing."""
    case = sel.case_get(current_user, case_id)
    if trigger not in TRIGGERS:
        abort(404)
    form = transition_form(trigger, english=is_english(),
                           attachments=_attachment_choices(sel.case_attachments(case.id)), formdata=request.form)
    form.validate()
    if "csrf_token" in form.errors:
        flash(_("The form has expired or was not sent from this site; reload the page and try again."), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    bad = [name for name in form.errors if name not in ("csrf_token",)]
    try:
        if bad:
            raise InvalidField(field=bad[0])
        data = transition_data(form, trigger)
        if hasattr(form, EVIDENCE_FIELD):
            uploaded = _upload_files(case, request.files.getlist(f"{trigger}-{EVIDENCE_FIELD}"))
            data["attachment_ids"] = list(data.get("attachment_ids") or []) + uploaded
        version = int(form.version.data) if (form.version.data or "").isdigit() else -1
        case_transition(case=case, trigger=trigger, actor=current_user, data=data, expected_version=version)
    except Forbidden:
        raise
    except VersionConflict as error:
        db.session.expire_all()
        flash(error.render(_) + " " + _("The page now shows the current state; nothing was changed."), "error")
        return _page(sel.case_get(current_user, case_id), 409)
    except InvalidTransition as error:
        flash(error.render(_), "error")
        return _page(sel.case_get(current_user, case_id), 409)
    except CaseflowError as error:
        flash(error.render(_), "error")
        return _page(sel.case_get(current_user, case_id), error.status if error.status < 500 else 422,
                     open_trigger=trigger, formdata_for=trigger, error=error)
    flash(_("%(action)s done; the case is now %(state)s.", action=_label(TRIGGER_LABELS[trigger]),
            state=_label(STATE_LABELS[case.state])), "success")
    return redirect(url_for("cases.show", case_id=case.id))


def _label(pair: tuple[str, str]) -> str:
    return pair[1] if is_english() else pair[0]


@bp.route("/<int:case_id>/attachments", methods=["POST"])
@capability_required("cases.upload")
def upload(case_id: int):
    """Attach a file to a case (checked by content; stored under its SHA-256)."""
    case = sel.case_get(current_user, case_id)
    form = UploadForm(prefix="up")
    if not form.validate_on_submit() or not form.file.data:
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    try:
        row = attachment_save(content=form.file.data.read(), filename=form.file.data.filename,
                              actor=current_user, case=case)
    except CaseflowError as error:
        flash(error.render(_), "error")
        return _page(case, error.status)
    flash(_("File %(name)s stored (SHA-256 %(sha)s).", name=row.filename, sha=row.sha256), "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/<int:case_id>/attachments/<int:attachment_id>")
@capability_required("cases.read")
def attachment(case_id: int, attachment_id: int):
    """Download an attachment — only for users who may see the case."""
    row = sel.attachment_get(current_user, case_id, attachment_id)
    path = storage_path(row.sha256)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.filename,
                         max_age=0, etag=row.sha256)
    response.headers["X-Content-SHA256"] = row.sha256
    return response


def _svg(current: str | None) -> Response:
    response = Response(to_svg(current=current, lang=_lang()), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/diagram")
@capability_required("cases.read")
def diagram():
    """The state diagram, drawn from the machine's definition."""
    return render_template("cases/diagram.html", triggers=TRIGGERS, state_labels=STATE_LABELS, states=STATES)


@bp.route("/diagram.svg")
@capability_required("cases.read")
def diagram_svg():
    """The state diagram as SVG."""
    return _svg(None)


@bp.route("/<int:case_id>/diagram.svg")
@capability_required("cases.read")
def case_diagram_svg(case_id: int):
    """The state diagram with this case's state highlighted."""
    require(current_user, "cases.read")
    return _svg(sel.case_get(current_user, case_id).state)
