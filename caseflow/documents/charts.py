"""Bar and pie charts drawn as PNG with Pillow and the shipped sans font.

The same PNG goes into the DOCX, the PDF and (as a data: URL) the HTML page, so a
chart looks the same everywhere; each renderer prints the numbers as a table beneath.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

from .blocks import Cell, Chart, Row, Table
from .layout import COLOURS, FONT_FILES
from .templating import percent

DPI = 200
WIDTH_MM = 150.0
BAR_ROW_MM = 9.0
PIE_HEIGHT_MM = 50.0
TEXT_PT = 10.5  # 五号
INK = (51, 51, 51)
AXIS = (160, 160, 160)


@dataclass(frozen=True)
class ChartImage:
    """A rendered chart: PNG bytes and the size to print it at."""

    png: bytes
    width_mm: float
    height_mm: float


def compact(value: float) -> str:
    """A chart value: whole numbers without decimals, others with one."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def px(mm: float) -> int:
    """Millimetres to pixels at the chart resolution."""
    return round(mm / 25.4 * DPI)


@cache
def _font(pt: float = TEXT_PT) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILES["sans"]), round(pt / 72 * DPI))


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int) -> str:
    """Shorten ``text`` with an ellipsis until it fits ``width`` pixels."""
    font = _font()
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _bar(chart: Chart) -> Image.Image:
    """Horizontal bars: long Chinese labels stay readable on the left."""
    font = _font()
    rows = max(len(chart.items), 1)
    width, height = px(WIDTH_MM), px(BAR_ROW_MM * rows + 8)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    label_w = min(max((draw.textlength(i.label, font=font) for i in chart.items), default=0), width * 0.4)
    left, right = int(label_w) + px(4), width - px(16)
    top, row = px(4), px(BAR_ROW_MM)
    peak = max((i.value for i in chart.items), default=0) or 1
    draw.line([(left, top), (left, top + row * rows)], fill=AXIS, width=2)
    for n, item in enumerate(chart.items):
        y = top + n * row
        mid = y + row // 2
        draw.text((left - px(2), mid), _fit(draw, item.label, int(label_w)), font=font, fill=INK, anchor="rm")
        bar_end = left + max(int((right - left) * item.value / peak), 1 if item.value else 0)
        if item.value:
            draw.rectangle([left + 1, y + row * 0.2, bar_end, y + row * 0.8], fill=COLOURS[item.colour])
        draw.text((bar_end + px(1.5), mid), compact(item.value), font=font, fill=INK, anchor="lm")
    return image


def _pie(chart: Chart) -> Image.Image:
    """A pie on the left, a legend with value and share on the right."""
    font = _font()
    width, height = px(WIDTH_MM), px(PIE_HEIGHT_MM)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    box = (px(4), px(4), px(PIE_HEIGHT_MM - 4), px(PIE_HEIGHT_MM - 4))
    total = sum(max(i.value, 0) for i in chart.items)
    if total <= 0:
        draw.ellipse(box, outline=AXIS, width=3)
    else:
        start = -90.0
        for item in chart.items:
            sweep = 360.0 * max(item.value, 0) / total
            if sweep:
                draw.pieslice(box, start, start + sweep, fill=COLOURS[item.colour], outline="white", width=3)
            start += sweep
    x, line = px(PIE_HEIGHT_MM + 4), px(8)
    y = (height - line * len(chart.items)) // 2
    for item in chart.items:
        mid = y + line // 2
        draw.rectangle([x, mid - px(2), x + px(4), mid + px(2)], fill=COLOURS[item.colour])
        label = f"{item.label}  {compact(item.value)}{chart.unit}  {percent(item.value, total)}"
        draw.text((x + px(6), mid), _fit(draw, label, width - x - px(8)), font=font, fill=INK, anchor="lm")
        y += line
    return image


DRAWERS: dict[str, Callable[[Chart], Image.Image]] = {"bar": _bar, "pie": _pie}


@lru_cache(maxsize=32)
def render_chart(chart: Chart) -> ChartImage:
    """Draw ``chart`` as a PNG sized for the text block."""
    image = DRAWERS[chart.type](chart)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True, dpi=(DPI, DPI))
    return ChartImage(buffer.getvalue(), WIDTH_MM, image.height / DPI * 25.4)


def data_table(chart: Chart) -> Table:
    """The chart's numbers as a table block, printed beneath the picture."""
    total = sum(max(i.value, 0) for i in chart.items)
    value_head = f"数量（{chart.unit}）" if chart.unit else "数值"
    head = Row((Cell("项目", True), Cell(value_head, True), Cell("占比", True)))
    body = [Row((Cell(i.label), Cell(compact(i.value)), Cell(percent(i.value, total)))) for i in chart.items]
    return Table((head, *body), (3.0, 1.5, 1.5))
