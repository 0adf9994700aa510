"""Document forms: generate a report for a period; correct a document with a reason."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from caseflow.services.document_reports import REPORT_KINDS
from caseflow.services.documents import FIXED_KEYS

CONTEXT_PREFIX = "ctx_"


class ReportForm(FlaskForm):
    """Issue the quarterly analysis or half-yearly review of a chosen period."""

    kind = HiddenField(validators=[AnyOf(REPORT_KINDS)])
    period = SelectField(_l("Period"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason for a new version (only when this period has a report already)"),
                           validators=[Optional(), Length(max=2000)])


class CorrectionForm(FlaskForm):
    """The reason for a correction; ``correction_form`` adds one field per editable text of the context."""

    reason = TextAreaField(_l("Reason for the correction"), validators=[DataRequired(), Length(max=2000)])


def editable_keys(context: dict) -> list[str]:
    """The context's top-level texts a correction may change."""
    return [k for k, v in sorted(context.items()) if isinstance(v, str) and k not in FIXED_KEYS]


def correction_form(context: dict, formdata=None) -> CorrectionForm:
    """A CorrectionForm with a text area per editable key, pre-filled with the issued text."""

    class Form(CorrectionForm):
        pass

    for key in editable_keys(context):
        setattr(Form, CONTEXT_PREFIX + key, TextAreaField(key, default=context[key],
                                                          validators=[Optional(), Length(max=20000)]))
    return Form(formdata=formdata)


def context_changes(form: CorrectionForm, context: dict) -> dict:
    """The edited texts that differ from the issued ones (line endings normalised)."""
    changes = {}
    for key in editable_keys(context):
        value = (getattr(form, CONTEXT_PREFIX + key).data or "").replace("\r\n", "\n")
        if value != context[key]:
            changes[key] = value
    return changes
