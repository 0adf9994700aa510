"""Chart specs for templates/macros/charts.html and static/js/charts.js: plain, translated data."""
from __future__ import annotations

from flask_babel import gettext as _

from caseflow.models import CATEGORIES, CHANNELS
from caseflow.states import STATE_LABELS

COLOURS = ("green", "orange", "red")


def colour_names() -> dict[str, str]:
    """Translated colour names."""
    return {"green": _("Green"), "orange": _("Orange"), "red": _("Red"), "none": _("Not scored")}


def channel_name(code: str) -> str:
    """Translated name of a signal channel."""
    return _(CHANNELS[code][0]) if code in CHANNELS else code


def category_name(code: str) -> str:
    """Name of a risk category (the catalogue is in Chinese)."""
    return CATEGORIES.get(code, code)


def state_name(code: str) -> str:
    """Name of a case state in the current language."""
    from caseflow.i18n import label

    return label(STATE_LABELS[code]) if code in STATE_LABELS else code


def colour_pie(counts: dict[str, int]) -> dict:
    """Donut of units per colour."""
    names = colour_names()
    return {"type": "pie", "label_header": _("Colour"), "value_header": _("Units"),
            "items": [{"name": names[c], "value": counts.get(c, 0), "colour": c} for c in COLOURS]}


def colour_compare(now: dict[str, int], before: dict[str, int], now_label: str, before_label: str) -> dict:
    """Bars: units per colour in this and the previous period."""
    names = colour_names()
    return {"type": "bar", "label_header": _("Colour"), "integer": True, "labels": [names[c] for c in COLOURS],
            "series": [{"name": before_label, "values": [before.get(c, 0) for c in COLOURS], "colour": "none"},
                       {"name": now_label, "values": [now.get(c, 0) for c in COLOURS], "colour": "ink",
                        "itemColours": list(COLOURS)}]}


def counts_bar(pairs: list[tuple[str, int]], series_name: str, label_header: str, *, colour: str | None = None) -> dict:
    """Horizontal bars of (label, count) pairs."""
    return {"type": "bar", "horizontal": True, "legend": False, "integer": True, "label_header": label_header,
            "labels": [p[0] for p in pairs], "series": [{"name": series_name, "values": [p[1] for p in pairs],
                                                          "colour": colour}]}


def monthly(months: list[str], series: dict[str, list[int]], namer, label_header: str) -> dict:
    """Stacked monthly bars, one series per channel or category (largest first)."""
    ordered = sorted(series.items(), key=lambda kv: -sum(kv[1]))
    return {"type": "bar", "integer": True, "label_header": label_header, "labels": months,
            "series": [{"name": namer(code), "values": values, "stack": "all"} for code, values in ordered]}


def trend(labels: list[str], values: list[float], colours: list[str]) -> dict:
    """The index trend of a unit with the colour thresholds as dashed lines."""
    return {"type": "line", "label_header": _("Quarter"), "labels": labels, "min": 0, "max": 100, "legend": False,
            "series": [{"name": _("Index"), "values": values, "pointColours": colours}],
            "marks": [{"value": 85, "name": _("Green ≥ 85"), "colour": "green"},
                      {"value": 70, "name": _("Orange ≥ 70"), "colour": "orange"}]}
