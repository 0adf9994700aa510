"""The block language templates produce, and its parser.

A template renders to a small XML document (vocabulary in README.md); ``parse`` turns
it into a ``Document`` of plain, frozen blocks that the three renderers draw.  User
strings arrive here already XML-escaped by the template engine, so nothing a user
types can become markup.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException, ElementTree

from .layout import COLOURS, PALETTE


class DocumentTemplateError(ValueError):
    """A template produced XML outside the block vocabulary (a maintainer's mistake)."""


@dataclass(frozen=True)
class Text:
    """A run of text in one of the ``layout.STYLES`` roles (title, p, h1…)."""

    role: str
    text: str


@dataclass(frozen=True)
class Cell:
    """One table cell; ``header`` cells are set in 黑体 and centred."""

    text: str
    header: bool = False


@dataclass(frozen=True)
class Row:
    """A table row; ``lines`` is the minimum height in table lines (room to sign)."""

    cells: tuple[Cell, ...]
    lines: int = 1


@dataclass(frozen=True)
class Table:
    """A ruled table spanning the text block; ``widths`` are relative column widths."""

    rows: tuple[Row, ...]
    widths: tuple[float, ...]
    caption: str = ""

    @property
    def header_rows(self) -> int:
        """How many leading rows are all header cells (repeated after a page break)."""
        count = 0
        for row in self.rows:
            if not all(cell.header for cell in row.cells):
                break
            count += 1
        return count


@dataclass(frozen=True)
class ChartItem:
    """One bar or slice."""

    label: str
    value: float
    colour: str


@dataclass(frozen=True)
class Chart:
    """A bar or pie chart; renderers draw it and then its data as a table."""

    type: str
    title: str
    items: tuple[ChartItem, ...]
    unit: str = ""


@dataclass(frozen=True)
class Signature:
    """The issuing organ's name and the date, the seal area over them, and an optional 附注.

    The note (e.g. ``（联系人：…）``) goes on the line after the date, and is kept on
    the same page as the name and date.
    """

    organ: str
    date: str
    seal: bool = True
    note: str = ""


Block = Text | Table | Chart | Signature


@dataclass(frozen=True)
class Document:
    """A parsed document: header fields and the blocks of its body."""

    organ: str
    number: str
    red_header: bool
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        """The text of the first title block (used for file metadata)."""
        return next((b.text for b in self.blocks if isinstance(b, Text) and b.role == "title"), "")


_CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]")
_LINE_JOIN = re.compile(r"\s*\n\s*")


def clean(text: str | None) -> str:
    """Strip template indentation; join wrapped lines (no space between CJK)."""
    text = (text or "").strip()

    def join(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        return "" if _CJK.match(before) or _CJK.match(after) else " "

    return _LINE_JOIN.sub(join, text)


def _no_children(el: Element) -> None:
    if len(el):
        raise DocumentTemplateError(f"<{el.tag}> holds text only, found <{el[0].tag}>")


def _text(el: Element) -> Text:
    _no_children(el)
    return Text(el.tag, clean(el.text))


def _flag(el: Element, name: str, default: bool) -> bool:
    value = el.get(name)
    return default if value is None else value.strip().lower() in ("true", "1", "yes")


def _table(el: Element) -> Table:
    rows = []
    for tr in el:
        if tr.tag != "tr":
            raise DocumentTemplateError(f"<table> holds <tr> only, found <{tr.tag}>")
        cells = []
        for cell in tr:
            if cell.tag not in ("th", "td"):
                raise DocumentTemplateError(f"<tr> holds <th>/<td> only, found <{cell.tag}>")
            _no_children(cell)
            cells.append(Cell(clean(cell.text), header=cell.tag == "th"))
        if cells:
            rows.append(Row(tuple(cells), max(1, int(tr.get("lines", "1")))))
    columns = max((len(r.cells) for r in rows), default=0)
    rows = [Row(r.cells + (Cell(""),) * (columns - len(r.cells)), r.lines) for r in rows]
    widths = tuple(float(w) for w in el.get("widths", "").split(",") if w.strip())
    if len(widths) != columns:
        widths = (1.0,) * columns
    return Table(tuple(rows), widths, clean(el.get("caption")))


def _number(raw: str | None) -> float:
    try:
        return float(raw or 0)
    except ValueError as exc:
        raise DocumentTemplateError(f"chart value {raw!r} is not a number") from exc


def _chart(el: Element) -> Chart:
    kind = el.get("type", "bar")
    if kind not in ("bar", "pie"):
        raise DocumentTemplateError(f"chart type {kind!r}: use bar or pie")
    items = []
    for i, item in enumerate(el):
        if item.tag != "item":
            raise DocumentTemplateError(f"<chart> holds <item> only, found <{item.tag}>")
        # bars share one colour unless told (a red bar would read as a red warning); slices rotate
        colour = item.get("colour") or (PALETTE[i % len(PALETTE)] if kind == "pie" else PALETTE[0])
        if colour not in COLOURS:
            raise DocumentTemplateError(f"colour {colour!r}: use one of {sorted(COLOURS)}")
        items.append(ChartItem(clean(item.get("label")), _number(item.get("value")), colour))
    return Chart(kind, clean(el.get("title")), tuple(items), clean(el.get("unit")))


def _signature(el: Element) -> Signature:
    _no_children(el)
    return Signature(clean(el.get("organ")), clean(el.get("date")), _flag(el, "seal", True), clean(el.get("note")))


PARSERS: dict[str, Callable[[Element], Block]] = {
    **{role: _text for role in ("title", "subtitle", "addressee", "p", "h1", "h2")},
    "table": _table,
    "chart": _chart,
    "signature": _signature,
}


def parse(xml: str) -> Document:
    """Parse a rendered template into a ``Document``; refuse anything unknown."""
    try:
        root = ElementTree.fromstring(xml)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise DocumentTemplateError(f"template output is not well-formed XML: {exc}") from exc
    if root.tag != "document":
        raise DocumentTemplateError(f"root element must be <document>, found <{root.tag}>")
    blocks = []
    for el in root:
        parser = PARSERS.get(el.tag)
        if parser is None:
            raise DocumentTemplateError(f"unknown block <{el.tag}>; known: {', '.join(PARSERS)}")
        block = parser(el)
        if not (isinstance(block, Text) and not block.text):  # an empty paragraph is no block
            blocks.append(block)
    return Document(
        organ=clean(root.get("organ")),
        number=clean(root.get("number")),
        red_header=_flag(root, "red-header", True),
        blocks=tuple(blocks),
    )
