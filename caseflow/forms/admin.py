"""Administration forms: users, units, stations, calendar tables."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from caseflow.forms import choices
from caseflow.models import ROLES, UNIT_KINDS

CODE = Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, dots, dashes or underscores."))


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=3, max=64), CODE])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    role = SelectField(_l("Role"), choices=choices((k, _l(v)) for k, v in ROLES.items()))
    unit_code = StringField(_l("Unit code"), validators=[Optional(), Length(max=32)])
    station_code = StringField(_l("Station code"), validators=[Optional(), Length(max=32)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=120)])
    password = PasswordField(_l("Initial password"), validators=[Optional(), Length(min=10, max=256)])
    submit = SubmitField(_l("Save"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=256)])
    submit = SubmitField(_l("Reset password"))


class ActiveForm(FlaskForm):
    active = BooleanField(_l("Active"))
    submit = SubmitField(_l("Save"))


class UnitForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), CODE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=choices((k, _l(v)) for k, v in UNIT_KINDS.items()))
    parent_code = StringField(_l("Parent unit code"), validators=[Optional(), Length(max=32)])
    peer_group = StringField(_l("Peer group"), validators=[Optional(), Length(max=32)])
    headcount = IntegerField(_l("Headcount"), validators=[Optional(), NumberRange(min=0, max=1000000)])
    principal_leader = StringField(_l("Principal leader"), validators=[Optional(), Length(max=60)])
    leaders = StringField(_l("Leadership team"), validators=[Optional(), Length(max=400)])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class StationForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), CODE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    host_code = StringField(_l("Host unit code"), validators=[Optional(), Length(max=32)])
    area = SelectMultipleField(_l("Units watched"), coerce=int, validate_choice=True)
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class CalendarForm(FlaskForm):
    table = TextAreaField(_l("Table (YYYY-MM-DD,holiday|workday[,name] per line)"),
                          validators=[Optional(), Length(max=20000)])
    file = FileField(_l("Or a file"))
    submit = SubmitField(_l("Load"))
