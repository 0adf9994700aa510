"""PDF renderer (fpdf2): GB/T 9704 layout with the shipped CJK fonts embedded.

Text is laid out on the official grid — 22 lines of 28 characters in a 156 × 225 mm
block — by our own line breaker, one ``Tj`` per line, so copied or extracted text
comes out as written.  The shipped serif has one weight; bold roles are drawn by
filling and stroking the outline.
"""
from __future__ import annotations

import io
import math
from collections.abc import Callable

from fpdf import FPDF

from .blocks import Block, Cell, Chart, Document, Row, Signature, Table, Text
from .charts import data_table, render_chart
from .layout import (
    BLOCK_H,
    BLOCK_W,
    BODY_PT,
    CHAR_PITCH,
    FONT_FILES,
    LINE_PITCH,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    ORGAN_TOP_GAP,
    PAGE_NO_GAP,
    PT,
    RED,
    RULE_GAP,
    RULE_WIDTH,
    SEAL_CENTRE_LINES,
    SEAL_DIAMETER,
    SEAL_LABEL,
    SEAL_LABEL_DROP,
    SIGNATURE_GAP_LINES,
    STYLES,
    TABLE_PT,
    TextStyle,
    cell_align,
    organ_size_pt,
    signature_offsets,
)
from .linebreak import break_lines

BLACK = (0, 0, 0)
ASCENT = 0.88  # Noto CJK: the em box runs from -0.12 to 0.88 em around the baseline
BOTTOM = MARGIN_TOP + BLOCK_H
CELL_PAD = 1.5
CELL_LINE = TABLE_PT * PT * 1.45


class Sheet(FPDF):
    """An A4 FPDF with a cursor that flows blocks down the text block page by page."""

    def __init__(self) -> None:
        super().__init__(unit="mm", format="A4")
        self.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
        self.set_auto_page_break(False)
        for face, path in FONT_FILES.items():
            self.add_font(face, "", str(path))
        self.cursor = MARGIN_TOP
        self.add_page()

    def new_page(self) -> None:
        """Start a page and put the cursor at the top of its text block."""
        self.add_page()
        self.cursor = MARGIN_TOP

    def ensure(self, height: float) -> None:
        """Break the page unless ``height`` mm still fit below the cursor."""
        if self.cursor + height > BOTTOM + 0.01:
            self.new_page()

    def snap(self) -> None:
        """Move the cursor down to the next line of the 22-line grid."""
        lines = math.ceil((self.cursor - MARGIN_TOP) / LINE_PITCH - 0.01)
        self.cursor = MARGIN_TOP + lines * LINE_PITCH

    def use(self, style: TextStyle, size_pt: float | None = None) -> float:
        """Select ``style``'s font; return its base character spacing in mm."""
        size = size_pt or style.size_pt
        self.set_font(style.face, size=size)
        # 3号 body text sits on the 28-character grid, a little tighter than 16 pt
        spacing_pt = (CHAR_PITCH / PT - size) if size == BODY_PT else 0.0
        self.set_char_spacing(spacing_pt)
        return spacing_pt * PT

    def glyph_width(self, text: str) -> float:
        """Width of ``text`` without the character spacing after its last glyph."""
        return self.get_string_width(text) - self.char_spacing * PT

    def put_text(self, text: str, x: float, top: float, height: float, style: TextStyle,
                 colour: tuple[int, int, int] = BLACK, size_pt: float | None = None) -> None:
        """Draw one line of text in a box ``height`` mm tall starting at ``top``."""
        size = (size_pt or style.size_pt) * PT
        baseline = top + (height - size) / 2 + ASCENT * size
        self.set_text_color(*colour)
        if not style.bold:
            self.text(x, baseline, text)
            return
        self.set_draw_color(*colour)
        with self.local_context(text_mode="FILL_STROKE", line_width=size * 0.035):
            self.text(x, baseline, text)

    def footer(self) -> None:
        """Page number ``— n —`` in 4号: odd pages right, even pages left, one character in."""
        style = STYLES["page_no"]
        self.use(style)
        label = f"— {self.page_no()} —"
        indent = style.size_pt * PT
        width = self.glyph_width(label)
        x = MARGIN_LEFT + BLOCK_W - indent - width if self.page_no() % 2 else MARGIN_LEFT + indent
        self.put_text(label, x, BOTTOM + PAGE_NO_GAP, style.size_pt * PT, style)


def _flow(sheet: Sheet, text: str, style: TextStyle, pitch: float = LINE_PITCH) -> None:
    """Break ``text`` into lines and draw them down the text block, aligned as ``style`` says."""
    base = sheet.use(style)
    indent = style.indent_chars * (CHAR_PITCH if style.size_pt == BODY_PT else style.size_pt * PT)
    lines = break_lines(text, BLOCK_W, sheet.get_string_width, indent)
    for n, line in enumerate(lines):
        sheet.ensure(pitch)
        room = BLOCK_W - (indent if n == 0 else 0)
        x = MARGIN_LEFT + (indent if n == 0 else 0)
        used = sheet.glyph_width(line)
        if style.align == "center":
            x = MARGIN_LEFT + (BLOCK_W - used) / 2
        elif style.align == "right":
            x = MARGIN_LEFT + BLOCK_W - used
        elif style.align == "justify" and n < len(lines) - 1 and len(line) > 1:
            # spread the slack over the gaps so both edges are straight (两端对齐)
            sheet.set_char_spacing((base + (room - used) / (len(line) - 1)) / PT)
        sheet.put_text(line, x, sheet.cursor, pitch, style)
        sheet.set_char_spacing(base / PT)
        sheet.cursor += pitch


def draw_text(sheet: Sheet, block: Text) -> None:
    """A title, heading, addressee or paragraph on the line grid."""
    style = STYLES[block.role]
    sheet.cursor += style.lines_before * LINE_PITCH
    if style.keep_with_next:  # a heading never ends a page: it needs a line of what follows
        sheet.ensure((style.lines_after + 2) * LINE_PITCH)
    _flow(sheet, block.text, style)
    sheet.cursor += style.lines_after * LINE_PITCH


def _row_layout(sheet: Sheet, cells: tuple[Cell, ...], widths: list[float]) -> list[list[str]]:
    """Each cell's text broken into the lines that fit its column."""
    out = []
    for cell, width in zip(cells, widths, strict=True):
        sheet.use(STYLES["header_cell" if cell.header else "cell"])
        out.append(break_lines(cell.text, width - 2 * CELL_PAD, sheet.get_string_width))
    return out


def _draw_row(sheet: Sheet, row: Row, widths: list[float], lines: list[list[str]], height: float) -> None:
    """Rule one row's cells and centre their lines vertically."""
    x = MARGIN_LEFT
    sheet.set_draw_color(*BLACK)
    sheet.set_line_width(0.3)
    for cell, width, cell_lines in zip(row.cells, widths, lines, strict=True):
        sheet.rect(x, sheet.cursor, width, height)
        style = STYLES["header_cell" if cell.header else "cell"]
        sheet.use(style)
        top = sheet.cursor + (height - len(cell_lines) * CELL_LINE) / 2
        for text in cell_lines:
            used = sheet.glyph_width(text)
            centred = cell_align(cell.text, cell.header) == "center"
            left = x + (width - used) / 2 if centred else x + CELL_PAD
            sheet.put_text(text, left, top, CELL_LINE, style)
            top += CELL_LINE
        x += width
    sheet.cursor += height


def draw_table(sheet: Sheet, table: Table) -> None:
    """A ruled table; header rows repeat when it runs onto a new page, never end one."""
    total = sum(table.widths) or 1
    widths = [BLOCK_W * w / total for w in table.widths]
    laid = [(row, _row_layout(sheet, row.cells, widths)) for row in table.rows]
    heights = [max(max(len(c) for c in lines), row.lines) * CELL_LINE + 2 * CELL_PAD for row, lines in laid]
    head = len(table.rows) if table.header_rows == len(table.rows) else table.header_rows
    caption_h = CELL_LINE * 1.4 if table.caption else 0
    sheet.ensure(caption_h + sum(heights[: head + 1]))  # caption, header and a first row together
    if table.caption:
        _flow(sheet, table.caption, STYLES["caption"], pitch=caption_h)
    for index, ((row, lines), height) in enumerate(zip(laid, heights, strict=True)):
        if sheet.cursor + height > BOTTOM + 0.01:
            sheet.new_page()
            repeat = zip(laid[:head], heights[:head], strict=True) if index >= head else ()
            for (header, header_lines), header_h in repeat:
                _draw_row(sheet, header, widths, header_lines, header_h)
        _draw_row(sheet, row, widths, lines, height)
    sheet.cursor += LINE_PITCH / 3
    sheet.snap()


def draw_chart(sheet: Sheet, chart: Chart) -> None:
    """Caption, the chart picture, and its numbers as a table."""
    image = render_chart(chart)
    caption_h = CELL_LINE * 1.4
    sheet.ensure(caption_h + image.height_mm)
    if chart.title:
        _flow(sheet, chart.title, STYLES["caption"], pitch=caption_h)
    x = MARGIN_LEFT + (BLOCK_W - image.width_mm) / 2
    sheet.image(io.BytesIO(image.png), x=x, y=sheet.cursor, w=image.width_mm, h=image.height_mm,
                alt_text=chart.title or None)
    sheet.cursor += image.height_mm + 2
    draw_table(sheet, data_table(chart))


def draw_signature(sheet: Sheet, block: Signature) -> None:
    """Organ name and date placed per GB/T 7.3.5.1, the seal area centred over both."""
    style = STYLES["signature"]
    sheet.use(style)
    organ_w, date_w = sheet.glyph_width(block.organ), sheet.glyph_width(block.date)
    organ_right, date_right = signature_offsets(organ_w / CHAR_PITCH, date_w / CHAR_PITCH)
    right = MARGIN_LEFT + BLOCK_W
    note = STYLES["p"]
    sheet.use(note)
    note_lines = break_lines(block.note, BLOCK_W, sheet.get_string_width, note.indent_chars * CHAR_PITCH)
    lines = 2 + (len(note_lines) if block.note else 0)
    # GB/T lets the gap shrink rather than leave the name and date alone on a new page
    gap = next((g for g in range(SIGNATURE_GAP_LINES, -1, -1)
                if sheet.cursor + (g + lines) * LINE_PITCH <= BOTTOM + 0.01), None)
    if gap is None:
        sheet.new_page()
        gap = 1
    top = sheet.cursor + gap * LINE_PITCH
    sheet.put_text(block.organ, right - organ_right * CHAR_PITCH - organ_w, top, LINE_PITCH, style)
    sheet.put_text(block.date, right - date_right * CHAR_PITCH - date_w, top + LINE_PITCH, LINE_PITCH, style)
    sheet.cursor = top + 2 * LINE_PITCH
    if block.seal:
        _seal(sheet, right - (date_right * CHAR_PITCH + date_w / 2), top + LINE_PITCH * SEAL_CENTRE_LINES)
    if block.note:
        _flow(sheet, block.note, note)


def _seal(sheet: Sheet, cx: float, cy: float) -> None:
    """A dashed red circle where the seal is pressed, labelled."""
    radius = SEAL_DIAMETER / 2
    with sheet.local_context(draw_color=RED, line_width=0.35):
        sheet.set_dash_pattern(dash=1.6, gap=1.2)
        sheet.circle(cx, cy, radius, style="D")
        sheet.set_dash_pattern()
    style = STYLES["caption"]
    sheet.use(style, 9)
    width = sheet.glyph_width(SEAL_LABEL)
    sheet.put_text(SEAL_LABEL, cx - width / 2, cy - radius + SEAL_LABEL_DROP, 9 * PT, style, (232, 120, 120), 9)


def draw_red_header(sheet: Sheet, doc: Document) -> None:
    """Organ name in red, the document number under it, the red separator line."""
    organ = STYLES["organ"]
    size = organ_size_pt(doc.organ)
    top = MARGIN_TOP + ORGAN_TOP_GAP
    sheet.use(organ, size)
    width = sheet.glyph_width(doc.organ)
    sheet.put_text(doc.organ, MARGIN_LEFT + (BLOCK_W - width) / 2, top, size * PT, organ, RED, size)
    sheet.cursor = top + size * PT + 2 * LINE_PITCH  # 发文字号在发文机关标志下空二行
    if doc.number:
        _flow(sheet, doc.number, STYLES["number"])
    text_bottom = sheet.cursor - (LINE_PITCH - BODY_PT * PT) / 2
    rule_y = text_bottom + RULE_GAP
    with sheet.local_context(draw_color=RED, line_width=RULE_WIDTH):
        sheet.line(MARGIN_LEFT, rule_y, MARGIN_LEFT + BLOCK_W, rule_y)
    sheet.cursor = rule_y + 1.5 * LINE_PITCH  # 标题在红色分隔线下空二行


DRAWERS: dict[type, Callable[[Sheet, Block], None]] = {
    Text: draw_text,
    Table: draw_table,
    Chart: draw_chart,
    Signature: draw_signature,
}


def render(doc: Document) -> bytes:
    """Lay ``doc`` out and return the PDF bytes."""
    sheet = Sheet()
    sheet.set_title(doc.title)
    sheet.set_author(doc.organ)
    sheet.set_creator("caseflow")
    sheet.set_lang("zh-CN")
    if doc.red_header:
        draw_red_header(sheet, doc)
    for block in doc.blocks:
        DRAWERS[type(block)](sheet, block)
    return bytes(sheet.output())
