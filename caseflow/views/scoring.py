"""Scores: a unit's explained index with what-if, the annual grades, eligibility and the scheme."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from caseflow import scoring as s
from caseflow.errors import N_, CaseflowError, Forbidden, NotFound
from caseflow.extensions import db
from caseflow.models import Case, CaseEvent, ScoringScheme, Unit, YearStatus
from caseflow.permissions import can
from caseflow.scoring.details import detail_text
from caseflow.scoring.reasons import reason_label
from caseflow.scoring.scheme import parameter_label
from caseflow.selectors.common import current_quarter
from caseflow.selectors.grades import grade_counts, grades_page, status_of, user_names
from caseflow.selectors.scoring import open_cases, unit_index, what_if
from caseflow.selectors.units import unit_get
from caseflow.services import grading
from caseflow.services.eligibility import AWARDS, eligibility, eligibility_records, reason_text
from caseflow.services.schemes import scheme_display, scheme_ensure, scheme_import
from caseflow.views.common import capability_required, int_arg, str_arg
from caseflow.views.nav import NavEntry

bp = Blueprint("scoring", __name__)


@bp.app_template_global()
def score_reason(reason: str) -> str:
    """The readable name of a ledger reason in the current language."""
    return reason_label(reason, str(get_locale()))


@bp.app_template_global()
def eligibility_reason(reason: str) -> str:
    """An eligibility reason in the current language (``eligibility.reason_text``)."""
    return reason_text(reason, str(get_locale()))


@bp.app_template_global()
def revision_reason(text: str) -> str:
    """A revision's reason, its recorded change worded in the current language (``grading.revision_text``)."""
    return grading.revision_text(text, str(get_locale()))


@bp.app_template_global()
def award_name(award: str) -> str:
    """The readable name of an award key in the current language."""
    return _(AWARDS[award]) if award in AWARDS else award


@bp.app_template_global()
def score_detail(detail: str, case_number: str | None = None) -> str:
    """A ledger entry's stored detail in the current language (``scoring.details``); a case entry names its
    case by number (the engine writes the case's id)."""
    return detail_text(detail, str(get_locale()), case_number)


NAV = [
    NavEntry("scoring.grades", N_("Grades"), "scores.read", order=60),
    NavEntry("scoring.eligibility_page", N_("Eligibility"), "scores.read", order=61),
    NavEntry("scoring.scheme", N_("Scoring scheme"), "schemes.manage", order=83),
]
SOURCE_NAMES = {"control_check": N_("Control check"), "survey": N_("Survey result"), "finding": N_("Supervision finding"),
                "sanction": N_("Sanction"), "award": N_("Incentive award"), "cost_record": N_("Cost record")}
INPUT_OF = {"control_check": "control_checks", "survey": "surveys", "finding": "findings", "sanction": "sanctions",
            "award": "awards", "cost_record": "costs"}


def _links(entries: list[dict], unit: Unit, year: int) -> None:
    """Give every entry a link to its source: the case of a case event, or the input's list."""
    event_ids = [e["source"]["id"] for e in entries if e["source"] and e["source"]["kind"] == "case_event"]
    cases = {event_id: (case_id, number) for event_id, case_id, number in db.session.execute(
        select(CaseEvent.id, CaseEvent.case_id, Case.number).join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.id.in_(event_ids)))} if event_ids else {}
    has_cases = "cases.show" in current_app.view_functions
    for e in entries:
        src, e["url"], e["source_text"], e["case_number"] = e["source"], None, "", None
        if not src:
            continue
        if src["kind"] == "case_event":
            case_id, e["case_number"] = cases.get(src["id"], (None, None))
            e["source_text"] = _("Case %(number)s", number=e["case_number"]) if e["case_number"] else ""
            if has_cases and case_id:
                e["url"] = url_for("cases.show", case_id=case_id)
        elif src["kind"] in INPUT_OF:
            e["source_text"] = f"{_(SOURCE_NAMES[src['kind']])} #{src['id']}"
            if can(current_user, "inputs.manage"):
                e["url"] = url_for("inputs.records", kind=INPUT_OF[src["kind"]], q=unit.code, year=year) + f"#r{src['id']}"


def _latest_published() -> int | None:
    """The latest year whose grades are published, if any."""
    return db.session.scalar(select(func.max(YearStatus.year)).where(YearStatus.status == "published"))


@bp.route("/units/<int:unit_id>/index")
@capability_required("scores.read")
def unit_index_page(unit_id: int):
    """A unit-quarter's index: dimensions, every entry with reason and source, and the what-if panel."""
    unit = unit_get(current_user, unit_id)
    cy, cq = current_quarter()
    year = int_arg("year", cy, lo=2000, hi=2100)
    quarter = int_arg("quarter", cq, lo=1, hi=4)
    breakdown = unit_index(unit.id, year, quarter)
    _links(breakdown["entries"], unit, year)
    simulation, cases = None, []
    if can(current_user, "scores.what_if"):
        cases = open_cases(unit.id)
        case_id, outcome = int_arg("case_id"), str_arg("outcome", ("close_on_time", "escalate"))
        if case_id and outcome:
            try:
                simulation = what_if(unit.id, case_id, outcome)
            except CaseflowError as error:
                flash(error.render(_), "error")
    return render_template("scoring/index.html", unit=unit, b=breakdown, year=year, quarter=quarter,
                           cases=cases, simulation=simulation, label=s.label, current=(cy, cq))


@bp.route("/grades")
@capability_required("scores.read")
def grades():
    """The year's grading status, the preview or published grades, counts and the revision history."""
    from caseflow.forms.scoring import GradeActionForm, RevisionForm

    # The commission works on last year's grades; everyone else reads the latest published ones.
    default = current_quarter()[0] - 1 if can(current_user, "grades.preview") else _latest_published()
    year = int_arg("year", default or current_quarter()[0] - 1, lo=2000, hi=2100)
    status = status_of(year)
    filters = {"grade": str_arg("grade", ("A", "B", "C")), "colour": str_arg("colour", ("green", "orange", "red")),
               "q": str_arg("q")}
    page = grades_page(current_user, year, page=int_arg("page", 1), **filters)
    names = user_names([status.computed_by_id, status.approved_by_id, status.published_by_id])
    history = grading.revisions(year) if can(current_user, "grades.preview") else []
    scheme = db.session.get(ScoringScheme, status.scheme_id) if status.scheme_id else None
    return render_template("scoring/grades.html", year=year, status=status, page=page, filters=filters,
                           counts=grade_counts(current_user, year), names=names, history=history,
                           scheme_name=scheme_display(scheme), action_form=GradeActionForm(),
                           revision_form=RevisionForm(), units={u.id: u for u in _history_units(history)})


def _history_units(history) -> list[Unit]:
    ids = [r.unit_id for r in history if r.unit_id]
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(ids)))) if ids else []


ACTIONS = {"compute": grading.grades_compute, "approve": grading.grades_approve, "publish": grading.grades_publish}
MESSAGES = {"compute": N_("Grades computed: check the preview; a second supervisor approves."),
            "approve": N_("Grades approved; they can now be published."),
            "publish": N_("Grades published: results are frozen and the consequences recorded.")}


@bp.route("/grades/<int:year>/<action>", methods=["POST"])
@capability_required("grades.compute")
def grade_action(year: int, action: str):
    """Compute, approve or publish a year's grades."""
    from caseflow.forms.scoring import GradeActionForm

    if action not in ACTIONS:
        raise NotFound()
    if GradeActionForm().validate_on_submit():
        try:
            ACTIONS[action](year=year, actor=current_user)
        except CaseflowError as error:
            flash(error.render(_), "error")
        else:
            flash(_(MESSAGES[action]), "success")
    return redirect(url_for("scoring.grades", year=year))


@bp.route("/grades/<int:year>/revise", methods=["POST"])
@capability_required("grades.publish")
def revise(year: int):
    """Recompute one unit of a published year as an explicit revision with a reason."""
    from caseflow.forms.scoring import RevisionForm

    form = RevisionForm()
    if form.validate_on_submit():
        unit = db.session.scalar(select(Unit).where(Unit.code == form.unit_code.data.strip()))
        try:
            if unit is None:
                raise NotFound(N_("Unknown unit code %(code)s."), code=form.unit_code.data)
            revision = grading.grades_revise(year=year, unit_id=unit.id, reason=form.reason.data, actor=current_user)
        except CaseflowError as error:
            flash(error.render(_), "error")
        else:
            flash(_("Revision recorded: %(changes)s", changes=revision.reason), "success")
    else:
        flash(_("A unit code and a reason are required."), "error")
    return redirect(url_for("scoring.grades", year=year))


@bp.route("/eligibility")
@capability_required("scores.read")
def eligibility_page():
    """Ask whether a unit or person may be nominated for an award, and list the year's recorded facts."""
    from caseflow.selectors.common import paginate

    # By default the latest published year: the one whose facts nominations are decided on.
    year = int_arg("year", _latest_published() or current_quarter()[0] - 1, lo=2000, hi=2100)
    award = str_arg("award", AWARDS) or "excellent_team"
    unit_code, person = str_arg("unit"), str_arg("person", max_length=60)
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code)) if unit_code else None
    if unit is not None and not can(current_user, "units.read"):
        raise Forbidden()
    answer = None
    if unit is not None or person:
        if unit is not None:
            unit_get(current_user, unit.id)
        try:
            answer = eligibility(year=year, award=award, unit_id=unit.id if unit else None, person=person)
        except CaseflowError as error:
            flash(error.render(_), "error")
    scope = current_user.unit_id if current_user.role == "unit_leader" else None
    published = status_of(year).status == "published"
    page = paginate(eligibility_records(year=year, award=award, unit_id=scope), int_arg("page", 1), 50) \
        if published and (scope or can(current_user, "grades.preview")) else None
    units = {u.id: u for u in db.session.scalars(select(Unit).where(
        Unit.id.in_([r.unit_id for r in page.items if r.unit_id])))} if page else {}
    case_ids = [r["case_id"] for r in answer["reasons"] if r["case_id"]] if answer else []
    numbers = dict(db.session.execute(select(Case.id, Case.number).where(Case.id.in_(case_ids))).all()) \
        if case_ids else {}
    return render_template("scoring/eligibility.html", year=year, award=award, awards=AWARDS, unit_code=unit_code,
                           person=person, answer=answer, page=page, units=units, published=published,
                           numbers=numbers, linked="cases.show" in current_app.view_functions)


@bp.route("/schemes", methods=["GET", "POST"])
@capability_required("schemes.manage")
def scheme():
    """The year's scheme as a readable page; a new version from edited or uploaded JSON while a draft."""
    from caseflow.forms.scoring import SchemeForm

    year = int_arg("year", current_quarter()[0], lo=2000, hi=2100)
    current = scheme_ensure(year)
    form = SchemeForm()
    if request.method == "GET":
        form.scheme_json.data = json.dumps(current.data, ensure_ascii=False, indent=2)
    elif form.validate_on_submit():
        try:
            if form.file.data:
                scheme_import(year=year, text=form.file.data.read(), actor=current_user, note=form.note.data)
            else:
                scheme_import(year=year, text=form.scheme_json.data or "", actor=current_user,
                              note=form.note.data or "edited")
        except CaseflowError as error:
            db.session.rollback()
            flash(error.render(_), "error")
        else:
            flash(_("New scheme version saved; the year's scores were recomputed with it."), "success")
            return redirect(url_for("scoring.scheme", year=year))
    return render_template("scoring/scheme.html", year=year, scheme=current, name=scheme_display(current), form=form,
                           status=status_of(year).status, rows=_scheme_rows(current.data, str(get_locale())), label=s.label)


def _scheme_rows(data: dict, lang: str, prefix: str = "") -> list[tuple[str, str, str]]:
    """Flatten a scheme into (path, label, value) rows for the readable page, named in ``lang``."""
    rows = []
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            rows.extend(_scheme_rows(value, lang, path))
        else:
            parts = path.split(".")
            shown = s.label(value, lang) if key == "dimension" else str(value)
            rows.append((path, " › ".join(parameter_label(p, lang) for p in parts), shown))
    return rows


@bp.route("/schemes/<int:year>.json")
@capability_required("schemes.manage")
def scheme_export(year: int):
    """Download the year's scheme as JSON."""
    current = scheme_ensure(year)
    return Response(s.scheme_to_json(current.data), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=scheme-{year}-v{current.version}.json"})

