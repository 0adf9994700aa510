"""WTForms per area: shape and field validation only."""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms 3.3 ``SelectChoice`` objects."""
    return [SelectChoice(value, label) for value, label in pairs]


def unit_code_field() -> StringField:
    """The unit field used instead of a <select> when there are too many units: a code or exact name,
    resolved and scope-checked by ``caseflow.selectors.units.unit_lookup``."""
    return StringField(_l("Unit"), validators=[Optional(), Length(max=100)],
                       render_kw={"maxlength": 100, "placeholder": _l("name or code"), "autocomplete": "off"})
