"""HTML renderer: one self-contained printable page (A4 print CSS, red header, seal area).

Everything the page needs is inline — styles, and charts as data: URLs — except the
shipped fonts, which the browser fetches from the app's static folder only when the
office fonts (仿宋_GB2312, 方正小标宋简体…) are not installed.
"""
from __future__ import annotations

import base64
from collections.abc import Callable
from functools import cache
from html import escape

from .blocks import Block, Chart, Document, Row, Signature, Table, Text
from .charts import data_table, render_chart
from .layout import (
    BLOCK_W,
    BODY_PT,
    CHAR_PITCH,
    LINE_PITCH,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    ORGAN_TOP_GAP,
    PAGE_NO_GAP,
    PT,
    RED_HEX,
    RULE_GAP,
    RULE_WIDTH,
    SEAL_CENTRE_LINES,
    SEAL_DIAMETER,
    SEAL_LABEL,
    SEAL_LABEL_DROP,
    SIGNATURE_GAP_LINES,
    STYLES,
    TextStyle,
    cell_align,
    organ_size_pt,
    signature_offsets,
    width_units,
)

FONT_URL = "/static/fonts/"  # where the app serves caseflow/static/fonts


def _font(style: TextStyle) -> str:
    return f"font-family: {style.css_family}; font-size: {style.size_pt}pt;"


@cache
def _css() -> str:
    """The page's style sheet, built from the figures in layout.py."""
    s = STYLES
    line = f"{LINE_PITCH:.3f}mm"
    spacing = f"{CHAR_PITCH / PT - BODY_PT:.3f}pt"
    return f"""
@font-face {{ font-family: "caseflow-serif"; src: url("{FONT_URL}caseflow-serif.ttf") format("truetype"); }}
@font-face {{ font-family: "caseflow-sans"; src: url("{FONT_URL}caseflow-sans.ttf") format("truetype"); }}
@page {{ size: A4; margin: {MARGIN_TOP}mm {MARGIN_RIGHT}mm {MARGIN_BOTTOM}mm {MARGIN_LEFT}mm;
  @bottom-right {{ content: "— " counter(page) " —"; {_font(s["page_no"])} vertical-align: top;
    padding-top: {PAGE_NO_GAP}mm; padding-right: 1em; }} }}
@page :left {{ @bottom-right {{ content: none; }}
  @bottom-left {{ content: "— " counter(page) " —"; {_font(s["page_no"])} vertical-align: top;
    padding-top: {PAGE_NO_GAP}mm; padding-left: 1em; }} }}
html {{ background: #e8e8e8; }}
body {{ margin: 0; }}
.sheet {{ box-sizing: border-box; width: 210mm; min-height: 297mm; margin: 8mm auto; background: #fff;
  padding: {MARGIN_TOP}mm {MARGIN_RIGHT}mm {MARGIN_BOTTOM}mm {MARGIN_LEFT}mm; box-shadow: 0 1mm 4mm #999; }}
.doc {{ width: {BLOCK_W}mm; {_font(s["p"])} line-height: {line}; letter-spacing: {spacing};
  text-align: justify; color: #000; }}
.doc p, .doc h1, .doc h2, .doc h3, .doc figure {{ margin: 0; font-weight: normal; }}
.red-header {{ padding-top: {ORGAN_TOP_GAP}mm; text-align: center; }}
.red-header .organ {{ color: #{RED_HEX}; font-family: {s["organ"].css_family}; line-height: 1.2;
  letter-spacing: 0.05em; }}
.red-header .number {{ margin-top: calc(2 * {line}); }}
.red-header hr {{ border: 0; border-top: {RULE_WIDTH}mm solid #{RED_HEX};
  margin: {RULE_GAP - (LINE_PITCH - BODY_PT * PT) / 2:.2f}mm 0 calc(1.5 * {line}); }}
.doc .title {{ {_font(s["title"])} text-align: center; letter-spacing: 0; margin-bottom: {line}; }}
.doc .subtitle {{ {_font(s["subtitle"])} text-align: center; margin-bottom: {line}; }}
.doc .addressee {{ text-align: left; }}
.doc p.body {{ text-indent: 2em; }}
.doc .h1 {{ {_font(s["h1"])} text-indent: 2em; }}
.doc .h2 {{ {_font(s["h2"])} text-indent: 2em; }}
.doc table {{ width: 100%; border-collapse: collapse; {_font(s["cell"])} line-height: 1.45;
  letter-spacing: 0; margin: 0 0 calc({line} / 3); page-break-inside: auto; }}
.doc caption, .doc figcaption {{ {_font(s["caption"])} text-align: center; padding: 1.5mm 0; }}
.doc th, .doc td {{ border: 0.3mm solid #000; padding: 1.5mm; vertical-align: middle; }}
.doc th {{ {_font(s["header_cell"])} font-weight: normal; text-align: center; }}
.doc td.center {{ text-align: center; }}
.doc thead {{ display: table-header-group; }}
.doc figure {{ text-align: center; page-break-inside: avoid; }}
.doc figure img {{ max-width: 100%; }}
.signature {{ position: relative; text-align: right; padding-top: calc({SIGNATURE_GAP_LINES} * {line});
  page-break-inside: avoid; break-inside: avoid; }}
.signature .seal {{ position: absolute; text-align: center;
  top: calc({SIGNATURE_GAP_LINES + SEAL_CENTRE_LINES} * {line} - {SEAL_DIAMETER / 2}mm);
  width: {SEAL_DIAMETER}mm; height: {SEAL_DIAMETER}mm;
  box-sizing: border-box; border: 0.35mm dashed #{RED_HEX}; border-radius: 50%; color: #e87878;
  font: 9pt {s["caption"].css_family}; letter-spacing: 0; line-height: 1; padding-top: {SEAL_LABEL_DROP}mm; }}
.signature p.body {{ text-align: left; }}
@media print {{ html {{ background: none; }}
  .sheet {{ width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }} }}
"""


# text role -> (element, class)
TAGS = {
    "title": ("h1", "title"),
    "subtitle": ("p", "subtitle"),
    "addressee": ("p", "addressee"),
    "p": ("p", "body"),
    "h1": ("h2", "h1"),
    "h2": ("h3", "h2"),
}


def draw_text(block: Text) -> str:
    """A text block as the matching HTML element."""
    tag, css = TAGS[block.role]
    return f'<{tag} class="{css}">{escape(block.text)}</{tag}>'


def draw_table(table: Table) -> str:
    """A ruled table; header rows go in <thead> so print repeats them."""
    cols = "".join(f'<col style="width:{100 * w / (sum(table.widths) or 1):.1f}%">' for w in table.widths)

    def row_html(row: Row) -> str:
        height = f' style="height:{row.lines * 1.45 * STYLES["cell"].size_pt}pt"' if row.lines > 1 else ""
        cells = "".join(
            f'<th>{escape(c.text)}</th>' if c.header
            else f'<td class="{cell_align(c.text, False)}">{escape(c.text)}</td>'
            for c in row.cells
        )
        return f"<tr{height}>{cells}</tr>"

    head = "".join(row_html(r) for r in table.rows[: table.header_rows])
    body = "".join(row_html(r) for r in table.rows[table.header_rows :])
    caption = f"<caption>{escape(table.caption)}</caption>" if table.caption else ""
    return f"<table>{caption}<colgroup>{cols}</colgroup><thead>{head}</thead><tbody>{body}</tbody></table>"


def draw_chart(chart: Chart) -> str:
    """The chart as an <img> with a data: URL, its caption, and the numbers as a table."""
    image = render_chart(chart)
    src = "data:image/png;base64," + base64.b64encode(image.png).decode("ascii")
    caption = f"<figcaption>{escape(chart.title)}</figcaption>" if chart.title else ""
    return (
        f'<figure>{caption}<img src="{src}" alt="{escape(chart.title)}" '
        f'style="width:{image.width_mm}mm"></figure>' + draw_table(data_table(chart))
    )


def draw_signature(block: Signature) -> str:
    """Organ name and date placed per GB/T 7.3.5.1, the seal circle centred over both."""
    date_units = width_units(block.date)
    organ_right, date_right = signature_offsets(width_units(block.organ), date_units)
    seal = ""
    if block.seal:
        right = (date_right + date_units / 2) * CHAR_PITCH - SEAL_DIAMETER / 2
        seal = f'<div class="seal" style="right:{right:.2f}mm" aria-hidden="true">{SEAL_LABEL}</div>'
    return (
        f'<div class="signature">{seal}'
        f'<div style="padding-right:{organ_right * CHAR_PITCH:.2f}mm">{escape(block.organ)}</div>'
        f'<div style="padding-right:{date_right * CHAR_PITCH:.2f}mm">{escape(block.date)}</div>'
        + (f'<p class="body">{escape(block.note)}</p>' if block.note else "")
        + "</div>"
    )


def draw_red_header(doc: Document) -> str:
    """Red organ name, the document number, the red separator line."""
    size = organ_size_pt(doc.organ)
    number = f'<div class="number">{escape(doc.number)}</div>' if doc.number else ""
    return (
        f'<header class="red-header"><div class="organ" style="font-size:{size:.1f}pt">'
        f"{escape(doc.organ)}</div>{number}<hr></header>"
    )


DRAWERS: dict[type, Callable[[Block], str]] = {
    Text: draw_text,
    Table: draw_table,
    Chart: draw_chart,
    Signature: draw_signature,
}


def render(doc: Document) -> bytes:
    """Return the printable page for ``doc`` as UTF-8 bytes."""
    header = draw_red_header(doc) if doc.red_header else ""
    body = "\n".join(DRAWERS[type(block)](block) for block in doc.blocks)
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(doc.title or doc.number)}</title><style>{_css()}</style></head>"
        f'<body><div class="sheet"><article class="doc">{header}\n{body}\n</article></div></body></html>\n'
    )
    return page.encode("utf-8")
