"""Case forms: one per trigger, built from the trigger's ``FieldSpec``s in ``caseflow.states``."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from caseflow.forms import choices, unit_code_field
from caseflow.states import CHOICE_LABELS, TRIGGERS, FieldSpec

# Text fields that hold prose get a text area; the rest a single line.
_LONG = frozenset({"findings", "requirements", "report", "minutes", "note", "reason"})
EVIDENCE_FIELD = "evidence"


def _label(spec: FieldSpec, english: bool) -> str:
    return spec.label_en if english else spec.label_zh


def _field(spec: FieldSpec, english: bool, attachments: list[tuple[int, str]]):
    """The WTForms field for one FieldSpec; the service's ``validate`` does the checking."""
    label = _label(spec, english)
    kw: dict[str, Any] = {"validators": [Optional()], "default": spec.default}
    render: dict[str, Any] = {"required": True} if spec.required and spec.kind != "id_list" else {}
    if spec.kind == "choice":
        pairs = [(c, CHOICE_LABELS[c][1 if english else 0]) for c in spec.choices]
        blank = [] if spec.required else [("", "—")]
        return SelectField(label, choices=choices(blank + pairs), render_kw=render, **kw)
    if spec.kind == "int":
        render.update({k: v for k, v in (("min", spec.min), ("max", spec.max)) if v is not None})
        return IntegerField(label, render_kw=render, **kw)
    if spec.kind == "date":
        return DateField(label, render_kw=render, **kw)
    if spec.kind == "datetime":
        return DateTimeLocalField(label, format="%Y-%m-%dT%H:%M", render_kw=render, **kw)
    if spec.kind == "id_list":
        return SelectMultipleField(label, choices=choices(attachments), coerce=int, render_kw=render, **kw)
    if spec.kind == "bool":
        return BooleanField(label, **kw)
    render["maxlength"] = spec.max_length
    cls = TextAreaField if spec.name in _LONG else StringField
    return cls(label, render_kw=render, **kw)


def transition_form(trigger: str, *, english: bool, attachments: list[tuple[int, str]] | None = None,
                    formdata: Any = None) -> FlaskForm:
    """A form for ``trigger`` with its fields, the case version and (for reports) evidence uploads."""
    spec = TRIGGERS[trigger]

    class TransitionForm(FlaskForm):
        version = HiddenField()

    for field_spec in spec.fields:
        setattr(TransitionForm, field_spec.name, _field(field_spec, english, attachments or []))
    if any(f.kind == "id_list" for f in spec.fields):
        setattr(TransitionForm, EVIDENCE_FIELD, MultipleFileField(_l("Upload evidence files")))
    kwargs = {"prefix": trigger}
    if formdata is not None:
        kwargs["formdata"] = formdata
    return TransitionForm(**kwargs)


def transition_data(form: FlaskForm, trigger: str) -> dict[str, Any]:
    """The trigger's fields from a submitted form, as ``case_transition`` takes them."""
    return {spec.name: getattr(form, spec.name).data for spec in TRIGGERS[trigger].fields}


class CaseOpenForm(FlaskForm):
    """Open a case by hand (officers)."""

    unit_id = SelectField(_l("Unit"), coerce=int, validators=[Optional()])
    # Instead of unit_id when there are too many units for a select: the unit's code or exact name.
    unit_code = unit_code_field()
    title = StringField(_l("Title"), render_kw={"maxlength": 200, "required": True})
    category = SelectField(_l("Risk category"))
    severity = SelectField(_l("Severity"), validators=[Optional()])


class UploadForm(FlaskForm):
    """Attach a file to a case."""

    file = FileField(_l("File"), render_kw={"required": True})
