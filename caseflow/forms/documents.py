"""Document forms: generate a report for a period; correct a document with a reason."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from caseflow.services.document_reports import REPORT_KINDS
from caseflow.services.documents import FIXED_KEYS

CONTEXT_PREFIX = "ctx_"
# Labels of the context texts a correction usually touches; other keys show their name.
KEY_LABELS = {
    "findings": _l("Findings"),
    "requirements": _l("Requirements"),
    "title": _l("Title"),
    "unit_name": _l("Addressee unit"),
    "report_instructions": _l("How to report back"),
    "contact": _l("Contact"),
    "note": _l("Note"),
    "received_by": _l("Received by"),
    "issued_on": _l("Issued on"),
    "rectify_due": _l("Rectification due"),
    "ack_due": _l("Acknowledgement due"),
}


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
        value = context[key]
        # prose gets a text area, dates, names and one-liners a single line
        kind = TextAreaField if "\n" in value or len(value) > 60 else StringField
        setattr(Form, CONTEXT_PREFIX + key, kind(KEY_LABELS.get(key, key), default=value,
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
