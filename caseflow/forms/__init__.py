"""WTForms per area: shape and field validation only."""
from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms 3.3 ``SelectChoice`` objects."""
    return [SelectChoice(value, label) for value, label in pairs]
