"""Forms for signals: the rapid report, recording a channel, assignment, triage, replies, public complaints."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    MultipleFileField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import DateTimeLocalInput

from caseflow.forms import choices, unit_code_field
from caseflow.models import CATEGORIES, CHANNELS, SEVERITIES
from caseflow.services.complaints import CONTACT_MAX, DETAILS_MAX, REPLY_MAX, UNIT_NAME_MAX
from caseflow.services.signals import RECORDED_CHANNELS


def category_choices(blank: bool = False):
    """Category select choices (the Chinese names are the catalogue's own)."""
    pairs = [(k, v) for k, v in CATEGORIES.items()]
    return choices(([("", _l("Choose…"))] if blank else []) + pairs)


class RapidReportForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[DataRequired()])
    category = SelectField(_l("Category"), choices=category_choices(True), validators=[DataRequired()])
    discovered_on = DateField(_l("Discovered on"), validators=[DataRequired()])
    summary = StringField(_l("Summary"), validators=[DataRequired(), Length(max=200)])
    details = TextAreaField(_l("Details"), validators=[Optional(), Length(max=10000)])
    attachments = MultipleFileField(_l("Photos or documents"))
    submit = SubmitField(_l("Send report"))


class RecordForm(FlaskForm):
    channel = SelectField(_l("Channel"), choices=choices((c, _l(CHANNELS[c][0])) for c in RECORDED_CHANNELS))
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[Optional()])
    unit_name_given = StringField(_l("Unit as named by the source"), validators=[Optional(), Length(max=120)])
    discovered_on = DateField(_l("Discovered on"), validators=[Optional()])
    category = SelectField(_l("Category"), choices=category_choices(True), validators=[DataRequired()])
    summary = StringField(_l("Summary"), validators=[DataRequired(), Length(max=200)])
    details = TextAreaField(_l("Details"), validators=[Optional(), Length(max=10000)])
    call_time = StringField(_l("Call time"), validators=[Optional(), Length(max=20)], widget=DateTimeLocalInput())
    letter_number = StringField(_l("Letter number"), validators=[Optional(), Length(max=40)])
    visit_record = TextAreaField(_l("Visit record"), validators=[Optional(), Length(max=2000)])
    post_url = StringField(_l("Forum post address"), validators=[Optional(), Length(max=500)])
    audit_reference = StringField(_l("Audit reference"), validators=[Optional(), Length(max=80)])
    source_note = StringField(_l("Source note"), validators=[Optional(), Length(max=400)])
    reporter_contact = StringField(_l("Reporter's name and contact (protected)"),
                                   validators=[Optional(), Length(max=400)])
    attachments = MultipleFileField(_l("Attachments"))
    submit = SubmitField(_l("Record signal"))


class AssignForm(FlaskForm):
    department = StringField(_l("Handling department"), validators=[DataRequired(), Length(max=80)])
    handler_id = SelectField(_l("Handling officer"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Assign"))


class OpenCaseForm(FlaskForm):
    title = StringField(_l("Case title"), validators=[DataRequired(), Length(max=200)])
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[DataRequired()])
    # Instead of unit_id when the signal names no unit and there are too many for a select.
    unit_code = unit_code_field()
    category = SelectField(_l("Category"), choices=category_choices(), validators=[DataRequired()])
    severity = SelectField(_l("Severity"), choices=choices([("", _l("Not yet known"))] +
                                                          [(k, _l(v)) for k, v in SEVERITIES.items()]),
                           validators=[Optional()])
    submit = SubmitField(_l("Open a case"))


class LinkForm(FlaskForm):
    case_id = SelectField(_l("Open case of this unit"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Link to this case"))


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Reject"))


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Reply to the reporter"), validators=[DataRequired(), Length(max=REPLY_MAX)])
    submit = SubmitField(_l("Send reply"))


class ComplaintForm(FlaskForm):
    unit_name = StringField(_l("Which unit is it about?"), validators=[DataRequired(), Length(max=UNIT_NAME_MAX)])
    category = SelectField(_l("Kind of problem"), choices=category_choices(True), validators=[DataRequired()])
    details = TextAreaField(_l("What happened?"), validators=[DataRequired(), Length(max=DETAILS_MAX)])
    contact = StringField(_l("Contact (optional, protected)"), validators=[Optional(), Length(max=CONTACT_MAX)])
    submit = SubmitField(_l("Submit complaint"))


class TrackForm(FlaskForm):
    # No validators: every code, however malformed, is hashed and looked up, and answers alike.
    receipt = StringField(_l("Receipt code"))
    submit = SubmitField(_l("Show my complaint"))


class AddInfoForm(FlaskForm):
    receipt = HiddenField()
    body = TextAreaField(_l("Add information"), validators=[DataRequired(), Length(max=REPLY_MAX)])
    submit = SubmitField(_l("Send"))
