"""Scoring forms: one input form per kind (built from the input registry), import, scheme, grades."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from caseflow.forms import choices
from caseflow.services.input_kinds import InputKind


def input_form(kind: InputKind, items: list[tuple[str, str]] | None = None, **kwargs) -> FlaskForm:
    """A WTForms form for one input kind; ``items`` are the risk points offered for control checks."""

    class _Form(FlaskForm):
        pass

    for f in kind.fields:
        req = [DataRequired()] if f.required else [Optional()]
        label = _l(f.label)
        if f.type == "choice":
            field = SelectField(label, choices=choices((k, _l(v)) for k, v in f.choices.items()), validators=req)
        elif f.type == "item":
            field = SelectField(label, choices=choices(items or []), validators=req, validate_choice=False)
        elif f.type == "quarter":
            field = SelectField(label, choices=choices((str(q), f"Q{q}") for q in range(1, 5)), validators=req)
        elif f.type in ("year", "int"):
            field = IntegerField(label, validators=req + [NumberRange(min=0, max=10**6)])
        elif f.type == "decimal":
            field = DecimalField(label, places=None, validators=req)
        elif f.type == "date":
            field = DateField(label, validators=req)
        else:
            field = StringField(label, validators=req + [Length(max=400)])
        setattr(_Form, f.name, field)
    _Form.revision_reason = StringField(_l("Reason for the correction (published years only)"),
                                        validators=[Optional(), Length(max=400)])
    _Form.submit = SubmitField(_l("Save"))
    return _Form(**kwargs)


class ImportForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx)"), validators=[FileRequired(), FileAllowed(["xlsx"], _l("An .xlsx file"))])
    submit = SubmitField(_l("Import"))


class SchemeForm(FlaskForm):
    scheme_json = TextAreaField(_l("Scheme (JSON)"), validators=[Optional(), Length(max=50000)])
    file = FileField(_l("Or a JSON file"), validators=[FileAllowed(["json"], _l("A .json file"))])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Save as a new version"))


class GradeActionForm(FlaskForm):
    submit = SubmitField(_l("Go"))


class RevisionForm(FlaskForm):
    unit_code = StringField(_l("Unit code"), validators=[DataRequired(), Length(max=32)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=400)])
    submit = SubmitField(_l("Recompute this unit as a revision"))
