"""GB/T 9704-2012 page figures and block styles, shared by the DOCX, PDF and HTML renderers.

Every number a renderer needs about the page lives here once, so the three formats
cannot drift apart.  Lengths are millimetres unless the name says ``_pt``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# --- the page (GB/T 9704-2012, 5.2) -------------------------------------------------
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_TOP = 37.0  # 天头
MARGIN_LEFT = 28.0  # 订口
BLOCK_W, BLOCK_H = 156.0, 225.0  # 版心
MARGIN_RIGHT = PAGE_W - MARGIN_LEFT - BLOCK_W  # 26
MARGIN_BOTTOM = PAGE_H - MARGIN_TOP - BLOCK_H  # 35
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
LINE_PITCH = BLOCK_H / LINES_PER_PAGE  # 10.23 mm = 28.99 pt, "fixed line spacing"
CHAR_PITCH = BLOCK_W / CHARS_PER_LINE  # 5.57 mm: 3号 glyphs set slightly tighter than 16 pt

PT = 25.4 / 72  # one point in mm
BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
PAGE_NO_PT = 14.0  # 4号
TABLE_PT = 14.0  # tables and chart captions: 4号
ORGAN_MAX_PT = 36.0  # the red organ name: as large as fits, at most this

# --- the red header (7.2) -------------------------------------------------------------
ORGAN_TOP_GAP = 35.0  # 发文机关标志上边缘至版心上边缘
RULE_GAP = 4.0  # 发文字号之下 4 mm 处印红色分隔线
RULE_WIDTH = 0.5  # thickness of the red separator line
RED = (230, 0, 18)  # "红色"; the printing red of official documents
RED_HEX = "E60012"
PAGE_NO_GAP = 7.0  # 页码一字线上距版心下边缘 7 mm

# --- signature and seal (7.3.5) -------------------------------------------------------
DATE_RIGHT_CHARS = 4  # 成文日期右空四字
SIGNATURE_GAP_LINES = 2  # blank lines between the body and the organ's name
SEAL_DIAMETER = 42.0  # a standard 公章
SEAL_LABEL = "印章位置"
# seal centre, in lines below the top of the organ's name: name and date sit just below the
# centre (居印章中心偏下) and the circle ends where the date line does
SEAL_CENTRE_LINES = 0.1
SEAL_LABEL_DROP = 12.0  # label's top below the circle's top: in the line just above the name

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT_FILES = {"serif": FONT_DIR / "caseflow-serif.ttf", "sans": FONT_DIR / "caseflow-sans.ttf"}


@dataclass(frozen=True)
class TextStyle:
    """How one kind of text block looks, in every format."""

    face: str  # shipped font used in PDF and charts: "serif" or "sans"
    office_font: str  # East Asian font name Word and WPS look for
    css_family: str  # CSS font-family stack for the printable page
    size_pt: float
    align: str = "justify"  # left / center / right / justify
    indent_chars: float = 0  # first-line indent
    bold: bool = False  # PDF draws it by stroking the outline (the shipped serif has one weight)
    lines_before: float = 0  # blank grid lines above
    lines_after: float = 0
    keep_with_next: bool = False  # never the last line on a page (headings, captions)


SERIF_CSS = '"FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋", "STFangsong", "caseflow-serif", serif'
TITLE_CSS = '"FZXiaoBiaoSong-B05S", "方正小标宋简体", "STZhongsong", "SimSun", "caseflow-serif", serif'
HEI_CSS = '"SimHei", "黑体", "STHeiti", "caseflow-sans", sans-serif'
KAI_CSS = '"KaiTi_GB2312", "楷体_GB2312", "KaiTi", "楷体", "STKaiti", "caseflow-serif", serif'

STYLES: dict[str, TextStyle] = {
    "organ": TextStyle("serif", "方正小标宋简体", TITLE_CSS, ORGAN_MAX_PT, "center", bold=True),
    "number": TextStyle("serif", "仿宋_GB2312", SERIF_CSS, BODY_PT, "center"),
    "title": TextStyle("serif", "方正小标宋简体", TITLE_CSS, TITLE_PT, "center", bold=True, lines_after=1,
                       keep_with_next=True),
    "subtitle": TextStyle("serif", "楷体_GB2312", KAI_CSS, BODY_PT, "center", lines_after=1, keep_with_next=True),
    "addressee": TextStyle("serif", "仿宋_GB2312", SERIF_CSS, BODY_PT, "left"),
    "p": TextStyle("serif", "仿宋_GB2312", SERIF_CSS, BODY_PT, indent_chars=2),
    "h1": TextStyle("sans", "黑体", HEI_CSS, BODY_PT, "left", indent_chars=2, keep_with_next=True),
    "h2": TextStyle("serif", "楷体_GB2312", KAI_CSS, BODY_PT, "left", indent_chars=2, bold=True, keep_with_next=True),
    "caption": TextStyle("sans", "黑体", HEI_CSS, TABLE_PT, "center", keep_with_next=True),
    "cell": TextStyle("serif", "仿宋_GB2312", SERIF_CSS, TABLE_PT, "left"),
    "header_cell": TextStyle("sans", "黑体", HEI_CSS, TABLE_PT, "center"),
    "signature": TextStyle("serif", "仿宋_GB2312", SERIF_CSS, BODY_PT, "right"),
    "page_no": TextStyle("serif", "宋体", '"SimSun", "宋体", "caseflow-serif", serif', PAGE_NO_PT, "right"),
}

# Colour words used by charts (and the three-colour board): name -> RGB
COLOURS: dict[str, tuple[int, int, int]] = {
    "green": (46, 139, 87),
    "orange": (237, 125, 49),
    "red": RED,
    "blue": (47, 84, 150),
    "grey": (127, 127, 127),
}
PALETTE = ("blue", "orange", "green", "red", "grey")


def width_units(text: str) -> float:
    """Width of ``text`` in character cells: full-width characters 1, others ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def signature_offsets(organ_units: float, date_units: float) -> tuple[float, float]:
    """Right indents, in characters, of the organ's name and of the date under it.

    GB/T 9704 7.3.5.1: the date sits four characters in from the right and the name is
    centred over it; a name too long for that is set two characters in and the date
    centred under it instead.  The seal is centred on both.
    """
    organ_right = DATE_RIGHT_CHARS + (date_units - organ_units) / 2
    if organ_right >= 0:
        return organ_right, float(DATE_RIGHT_CHARS)
    return 2.0, 2.0 + (organ_units - date_units) / 2


def organ_size_pt(organ: str) -> float:
    """Font size for the red organ name: as large as fits 90 % of the text block."""
    units = max(width_units(organ), 1.0)
    return min(ORGAN_MAX_PT, BLOCK_W * 0.9 / units / PT)


_NUMERIC = re.compile(r"^[+\-—]?[\d.,]+%?$|^—$")


def cell_align(text: str, header: bool) -> str:
    """Header cells and numbers are centred; other cells start at the left."""
    return "center" if header or _NUMERIC.match(text) else "left"
