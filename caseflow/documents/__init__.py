"""Official documents — notices, receipts, recommendations, reports — as PDF, DOCX or HTML.

Pure of Flask and of the database: ``render(kind, context, fmt)`` takes plain data and
returns bytes.  Each kind is a sandboxed Jinja template (``templates/<kind>.xml.j2``)
producing a small block language (see README.md) that the three renderers draw in
the GB/T 9704-2012 layout.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from caseflow.errors import InvalidField

from . import docx, html, pdf
from .blocks import Document, parse
from .templating import render_template


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document: its template file and its Chinese name."""

    name: str
    template: str
    title_zh: str


KINDS: dict[str, DocumentKind] = {
    kind.name: kind
    for kind in (
        DocumentKind("notice", "notice.xml.j2", "预警告知书"),
        DocumentKind("receipt", "receipt.xml.j2", "送达回证"),
        DocumentKind("recommendation", "recommendation.xml.j2", "预警建议书"),
        DocumentKind("quarterly_report", "quarterly_report.xml.j2", "廉情分析报告"),
        DocumentKind("halfyear_review", "halfyear_review.xml.j2", "廉情形势研究报告"),
    )
}

FORMATS: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}

RENDERERS: dict[str, Callable[[Document], bytes]] = {
    "pdf": pdf.render,
    "docx": docx.render,
    "html": html.render,
}


def build(kind: str, context: Mapping[str, Any]) -> Document:
    """Render ``kind``'s template with ``context`` and parse it into blocks."""
    if kind not in KINDS:
        raise InvalidField(field="kind")
    return parse(render_template(KINDS[kind].template, context))


def render(kind: str, context: Mapping[str, Any], fmt: str) -> bytes:
    """Render a document of ``kind`` from ``context`` as ``fmt`` (a key of FORMATS)."""
    if fmt not in RENDERERS:
        raise InvalidField(field="format")
    return RENDERERS[fmt](build(kind, context))


__all__ = ["FORMATS", "KINDS", "DocumentKind", "build", "render"]
