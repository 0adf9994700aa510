"""Assessment inputs: a list per kind, an add form, Excel import with a template and an error report."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.errors import N_, CaseflowError
from caseflow.selectors.inputs import inputs_page
from caseflow.services.input_kinds import KINDS, catalogue, units_by_code
from caseflow.services.inputs import ImportRejected, input_add, inputs_import, kind_get
from caseflow.services.inputs_xlsx import read_rows, template
from caseflow.views.common import capability_required, form_errors_flash, int_arg, str_arg
from caseflow.views.nav import NavEntry

bp = Blueprint("inputs", __name__, url_prefix="/inputs")
NAV = [NavEntry("inputs.index", N_("Inputs"), "inputs.manage", order=55)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/")
@capability_required("inputs.manage")
def index():
    """The first input kind's list."""
    return redirect(url_for("inputs.records", kind="control_checks"))


@bp.route("/<kind>")
@capability_required("inputs.manage")
def records(kind: str):
    """One kind's records, filtered and paginated."""
    spec = kind_get(kind)
    filters = {"q": str_arg("q"), "year": int_arg("year", None, lo=2000, hi=2100),
               "quarter": int_arg("quarter", None, lo=1, hi=4)}
    page = inputs_page(spec, page=int_arg("page", 1), **filters)
    return render_template("inputs/list.html", spec=spec, kinds=KINDS, page=page, filters=filters)


def _items_for(unit_code: str | None) -> list[tuple[str, str]]:
    unit = units_by_code([unit_code]).get(unit_code or "")
    kinds = [unit.kind] if unit else ["village", "community", "town", "agency", "station", "enterprise"]
    seen, items = set(), []
    for k in kinds:
        for code, name, _w in catalogue(k):
            if name not in seen:
                seen.add(name)
                items.append((code if unit else name, name))
    return items


@bp.route("/<kind>/new", methods=["GET", "POST"])
@capability_required("inputs.manage")
def new(kind: str):
    """Add one record; the affected unit is rescored at once."""
    from caseflow.forms.scoring import input_form

    spec = kind_get(kind)
    unit_code = request.values.get("unit_code") or None
    form = input_form(spec, _items_for(unit_code))
    if form.validate_on_submit():
        data = {f.name: getattr(form, f.name).data for f in spec.fields}
        try:
            input_add(kind=kind, data=data, actor=current_user, revision_reason=form.revision_reason.data or None)
        except CaseflowError as error:
            flash(error.render(_), "error")
        else:
            flash(_("Saved; the unit's index has been recomputed."), "success")
            return redirect(url_for("inputs.records", kind=kind))
    elif request.method == "POST":
        for line in form_errors_flash(form):
            flash(line, "error")
    return render_template("inputs/new.html", spec=spec, kinds=KINDS, form=form)


@bp.route("/<kind>/template.xlsx")
@capability_required("inputs.manage")
def download_template(kind: str):
    """The Excel template of a kind."""
    spec = kind_get(kind)
    return Response(template(spec), mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename={kind}-template.xlsx"})


@bp.route("/<kind>/import", methods=["GET", "POST"])
@capability_required("inputs.manage")
def import_file(kind: str):
    """Import a filled template: all rows or, when any row is bad, none (with a row-by-row report)."""
    from caseflow.forms.scoring import ImportForm

    spec = kind_get(kind)
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        try:
            rows = read_rows(spec, form.file.data.read())
            result = inputs_import(kind=kind, rows=rows, actor=current_user)
        except ImportRejected as rejected:
            errors = [(row, field, error.render(_)) for row, field, error in rejected.errors]
            flash(_("The file has errors; nothing was imported."), "error")
        except CaseflowError as error:
            flash(error.render(_), "error")
        else:
            flash(_("%(count)s rows imported; the affected units have been recomputed.", count=result.count),
                  "success")
            return redirect(url_for("inputs.records", kind=kind))
    elif request.method == "POST":
        for line in form_errors_flash(form):
            flash(line, "error")
    return render_template("inputs/import.html", spec=spec, kinds=KINDS, form=form, errors=errors)
