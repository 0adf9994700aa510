"""DOCX renderer (python-docx): GB/T 9704 page, grid and fonts named as offices install them.

Word and WPS pick fonts by name, so runs name 方正小标宋简体 / 仿宋_GB2312 / 黑体 /
楷体_GB2312 in ``w:eastAsia``; the section has a 22-line grid and the text a character
spacing that fits 28 characters a line; the footer holds a PAGE field between dashes;
the seal area is a picture floating behind the organ's name and the date.
"""
from __future__ import annotations

import io
import math
from collections.abc import Callable
from functools import cache

from docx import Document as new_document
from docx.document import Document as WordDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from PIL import Image, ImageDraw, ImageFont

from .blocks import Block, Chart, Document, Signature, Table, Text
from .charts import DPI, data_table, render_chart
from .layout import (
    BLOCK_W,
    BODY_PT,
    CHAR_PITCH,
    FONT_FILES,
    LINE_PITCH,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    ORGAN_TOP_GAP,
    PAGE_H,
    PAGE_NO_GAP,
    PAGE_W,
    PT,
    RED,
    RED_HEX,
    RULE_GAP,
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
    width_units,
)

WESTERN_FONT = "Times New Roman"
ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
LINE_PITCH_PT = math.floor(LINE_PITCH / PT * 20) / 20  # 579 twips: 22 lines must fit 225 mm
CELL_LINE_PT = TABLE_PT * 1.45
CELL_PAD = 1.5  # mm
# character spacing in twips: 16 pt glyphs 0.25 pt tighter, so 28 fit the 156 mm line (28 × 315 ≤ 8844)
CHAR_SPACING_TWIPS = math.floor((CHAR_PITCH / PT - BODY_PT) * 20)
# w:pPr children in schema order (ECMA-376 CT_PPrBase), for inserting what python-docx has no API for
PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
    "sectPr", "pPrChange",
)


def _set_fonts(run: Run, east_asian: str) -> None:
    """Name the run's East Asian and Western fonts (w:rFonts): Word picks fonts by name."""
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:ascii"), WESTERN_FONT)
    fonts.set(qn("w:hAnsi"), WESTERN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), WESTERN_FONT)


def _run(paragraph: Paragraph, text: str, style: TextStyle, colour: tuple[int, int, int] | None = None,
         size_pt: float | None = None) -> Run:
    """Add a run of ``text`` in ``style``'s size and fonts."""
    run = paragraph.add_run(text)
    run.font.size = Pt(size_pt or style.size_pt)
    _set_fonts(run, style.office_font)
    if colour:
        run.font.color.rgb = RGBColor(*colour)
    return run


def _paragraph(container: WordDocument, text: str, style: TextStyle, *, colour: tuple[int, int, int] | None = None,
               size_pt: float | None = None, line_pt: float | None = LINE_PITCH_PT) -> Paragraph:
    """Add a paragraph in ``style``; ``line_pt=None`` means single spacing off the grid."""
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = ALIGN[style.align]
    fmt.space_before = Pt(style.lines_before * LINE_PITCH_PT)
    fmt.space_after = Pt(style.lines_after * LINE_PITCH_PT)
    if style.indent_chars:
        fmt.first_line_indent = Pt(style.indent_chars * style.size_pt)
        fmt._element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), str(int(style.indent_chars * 100)))
    if line_pt is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _off_grid(paragraph)
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line_pt)
    fmt.keep_with_next = style.keep_with_next or None
    if text:
        _run(paragraph, text, style, colour, size_pt)
    return paragraph


def _add_to_ppr(paragraph: Paragraph, element) -> None:
    """Insert ``element`` into the paragraph properties where the schema wants it."""
    tag = element.tag.split("}")[1]
    later = PPR_ORDER[PPR_ORDER.index(tag) + 1:]
    paragraph._p.get_or_add_pPr().insert_element_before(element, *(f"w:{t}" for t in later))


def _off_grid(paragraph: Paragraph) -> None:
    """Let a paragraph keep its own height instead of snapping to the line grid."""
    _add_to_ppr(paragraph, parse_xml(f'<w:snapToGrid {nsdecls("w")} w:val="0"/>'))


def _setup(document: WordDocument) -> None:
    """A4, GB/T margins, 22 lines of 28 characters, 仿宋 3号 as the default font."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(MARGIN_BOTTOM - PAGE_NO_GAP - STYLES["page_no"].size_pt * PT)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # A line grid only: Word and LibreOffice disagree on character grids (LibreOffice gives a
    # 16 pt glyph two cells of a 15.8 pt grid), so the 28 characters per line come from a
    # character spacing every office suite honours instead.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))
    grid.attrib.pop(qn("w:charSpace"), None)
    document.styles["Normal"].font.size = Pt(BODY_PT)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    defaults.getparent().replace(defaults, parse_xml(
        f'<w:docDefaults {nsdecls("w")}><w:rPrDefault><w:rPr>'
        f'<w:rFonts w:ascii="{WESTERN_FONT}" w:hAnsi="{WESTERN_FONT}" w:eastAsia="{STYLES["p"].office_font}" '
        f'w:cs="{WESTERN_FONT}"/><w:spacing w:val="{CHAR_SPACING_TWIPS}"/><w:kern w:val="2"/>'
        f'<w:sz w:val="{round(BODY_PT * 2)}"/><w:szCs w:val="{round(BODY_PT * 2)}"/>'
        f'<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
        f'</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="{round(LINE_PITCH_PT * 20)}" '
        f'w:lineRule="exact"/></w:pPr></w:pPrDefault></w:docDefaults>'
    ))
    document.settings.odd_and_even_pages_header_footer = True
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        _page_number(footer.paragraphs[0], odd)


def _page_number(paragraph: Paragraph, odd: bool) -> None:
    """``— PAGE —`` in 4号 宋体; odd pages right, even pages left, one character in."""
    style = STYLES["page_no"]
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    indent = Pt(style.size_pt)
    if odd:
        fmt.right_indent = indent
    else:
        fmt.left_indent = indent
    _run(paragraph, "— ", style)
    _field(paragraph, "PAGE", "1", style)
    _run(paragraph, " —", style)


def _field(paragraph: Paragraph, instruction: str, placeholder: str, style: TextStyle) -> None:
    """A field Word computes (PAGE…): begin, instruction, separate, shown result, end."""
    w = nsdecls("w")
    parts = (
        f'<w:fldChar {w} w:fldCharType="begin"/>',
        f'<w:instrText {w} xml:space="preserve"> {instruction} </w:instrText>',
        f'<w:fldChar {w} w:fldCharType="separate"/>',
        None,
        f'<w:fldChar {w} w:fldCharType="end"/>',
    )
    for xml in parts:
        run = _run(paragraph, "" if xml else placeholder, style)
        if xml:
            run._r.append(parse_xml(xml))


def draw_red_header(document: WordDocument, doc: Document) -> None:
    """Red organ name 35 mm below the top of the block, the number, the red line under it."""
    size = organ_size_pt(doc.organ)
    organ = _paragraph(document, doc.organ, STYLES["organ"], colour=RED, size_pt=size, line_pt=None)
    organ.paragraph_format.space_before = Mm(ORGAN_TOP_GAP)
    for _ in range(2):  # 发文字号在发文机关标志下空二行
        _paragraph(document, "", STYLES["p"])
    number = _paragraph(document, doc.number, STYLES["number"])
    border = parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="12" '
        f'w:space="{round(RULE_GAP / PT)}" w:color="{RED_HEX}"/></w:pBdr>'
    )
    _add_to_ppr(number, border)
    _paragraph(document, "", STYLES["p"])  # 标题在分隔线下空二行 (the border takes one)


def draw_text(document: WordDocument, block: Text) -> None:
    """A title, heading, addressee or paragraph."""
    _paragraph(document, block.text, STYLES[block.role])


def draw_table(document: WordDocument, table: Table) -> None:
    """A ruled table; the header rows repeat on every page."""
    if table.caption:
        _paragraph(document, table.caption, STYLES["caption"], line_pt=CELL_LINE_PT * 1.4)
    total = sum(table.widths) or 1
    grid = document.add_table(rows=len(table.rows), cols=len(table.widths))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for column, weight in zip(grid.columns, table.widths, strict=True):
        column.width = Mm(BLOCK_W * weight / total)  # w:gridCol, which LibreOffice and WPS follow
    for r, row in enumerate(table.rows):
        doc_row = grid.rows[r]
        if r < table.header_rows:
            doc_row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        doc_row.height = Mm(row.lines * CELL_LINE_PT * PT + 2 * CELL_PAD)
        doc_row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for c, cell in enumerate(row.cells):
            doc_cell = doc_row.cells[c]
            doc_cell.width = Mm(BLOCK_W * table.widths[c] / total)
            doc_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            style = STYLES["header_cell" if cell.header else "cell"]
            paragraph = doc_cell.paragraphs[0]
            paragraph.paragraph_format.alignment = ALIGN[cell_align(cell.text, cell.header)]
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            paragraph.paragraph_format.line_spacing = Pt(CELL_LINE_PT)
            _off_grid(paragraph)
            if cell.text:
                _run(paragraph, cell.text, style)
    _paragraph(document, "", STYLES["p"], line_pt=LINE_PITCH_PT / 2)


def draw_chart(document: WordDocument, chart: Chart) -> None:
    """Caption, the chart picture (with alt text), and its numbers as a table."""
    image = render_chart(chart)
    if chart.title:
        _paragraph(document, chart.title, STYLES["caption"], line_pt=CELL_LINE_PT * 1.4)
    holder = _paragraph(document, "", STYLES["caption"], line_pt=None)
    holder.add_run().add_picture(io.BytesIO(image.png), width=Mm(image.width_mm))
    for doc_pr in holder._p.xpath(".//wp:docPr"):
        doc_pr.set("descr", chart.title)
    draw_table(document, data_table(chart))


@cache
def seal_png() -> bytes:
    """A dashed red circle labelled 印章位置, transparent elsewhere."""
    size = round(SEAL_DIAMETER / 25.4 * DPI)
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    steps = 72
    for i in range(0, steps, 2):
        draw.arc([3, 3, size - 4, size - 4], i * 360 / steps, (i + 1.2) * 360 / steps, fill=RED + (255,), width=4)
    font = ImageFont.truetype(str(FONT_FILES["sans"]), round(9 / 72 * DPI))
    draw.text((size / 2, round(SEAL_LABEL_DROP / 25.4 * DPI)), SEAL_LABEL, font=font, fill=(232, 120, 120, 255), anchor="mt")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _float_behind(run: Run, x_mm: float, y_mm: float) -> None:
    """Turn the run's inline picture into one floating behind the text, offset from the column."""
    inline = run._r.xpath(".//wp:inline")[0]
    anchor = parse_xml(
        f'<wp:anchor {nsdecls("wp")} distT="0" distB="0" distL="0" distR="0" simplePos="0" '
        f'relativeHeight="251659264" behindDoc="1" locked="0" layoutInCell="1" allowOverlap="1">'
        f'<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="column"><wp:posOffset>{Mm(x_mm)}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="paragraph"><wp:posOffset>{Mm(y_mm)}</wp:posOffset></wp:positionV>'
        f"</wp:anchor>"
    )
    anchor.append(inline.find(qn("wp:extent")))
    anchor.append(parse_xml(f'<wp:effectExtent {nsdecls("wp")} l="0" t="0" r="0" b="0"/>'))
    anchor.append(parse_xml(f'<wp:wrapNone {nsdecls("wp")}/>'))
    for child in (inline.find(qn("wp:docPr")), inline.find(qn("wp:cNvGraphicFramePr")), inline.find(qn("a:graphic"))):
        anchor.append(child)
    inline.getparent().replace(inline, anchor)


def draw_signature(document: WordDocument, block: Signature) -> None:
    """Organ name and date placed per GB/T 7.3.5.1, the seal area floating over both."""
    style = STYLES["signature"]
    for _ in range(SIGNATURE_GAP_LINES):
        _paragraph(document, "", STYLES["p"])
    date_units = width_units(block.date)
    organ_right, date_right = signature_offsets(width_units(block.organ), date_units)
    organ = _paragraph(document, block.organ, style)
    organ.paragraph_format.right_indent = Mm(organ_right * CHAR_PITCH)
    organ.paragraph_format.keep_with_next = True
    date = _paragraph(document, block.date, style)
    date.paragraph_format.right_indent = Mm(date_right * CHAR_PITCH)
    if block.seal:
        centre = BLOCK_W - (date_right + date_units / 2) * CHAR_PITCH
        run = organ.add_run()
        run.add_picture(io.BytesIO(seal_png()), width=Mm(SEAL_DIAMETER))
        radius = SEAL_DIAMETER / 2
        _float_behind(run, centre - radius, LINE_PITCH * SEAL_CENTRE_LINES - radius)
    if block.note:
        date.paragraph_format.keep_with_next = True
        _paragraph(document, block.note, STYLES["p"])


DRAWERS: dict[type, Callable[[WordDocument, Block], None]] = {
    Text: draw_text,
    Table: draw_table,
    Chart: draw_chart,
    Signature: draw_signature,
}


def render(doc: Document) -> bytes:
    """Build the DOCX for ``doc`` and return its bytes."""
    document = new_document()
    _setup(document)
    document.core_properties.title = doc.title
    document.core_properties.author = doc.organ
    document.core_properties.last_modified_by = "caseflow"
    document.core_properties.language = "zh-CN"
    body = document._body._body
    for paragraph in list(body.iterchildren(qn("w:p"))):  # the template's empty first paragraph
        body.remove(paragraph)
    if doc.red_header:
        draw_red_header(document, doc)
    for block in doc.blocks:
        DRAWERS[type(block)](document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
