"""caseflow.documents: every kind in every format, GB/T 9704 layout, escaping and the sandbox.

No Flask and no database: the renderer takes plain dicts and returns bytes.
"""
from __future__ import annotations

import io
import shutil
import subprocess
from functools import cache

import docx as python_docx
import pytest
from docx.oxml.ns import qn
from jinja2.exceptions import SecurityError, TemplateNotFound, UndefinedError
from PIL import Image
from pypdf import PdfReader

from caseflow.documents import FORMATS, KINDS, render
from caseflow.documents.blocks import DocumentTemplateError, parse
from caseflow.documents.linebreak import NO_LINE_END, NO_LINE_START, break_lines
from caseflow.documents.templating import environment, render_template, zh_date, zh_datetime
from caseflow.errors import InvalidField

from .document_contexts import CONTEXTS, EXPECTED, NOTICE

HOSTILE = '<script>alert("x")</script></p><p>注入 & {{ 7*7 }}'


@cache
def rendered(kind: str, fmt: str) -> bytes:
    """Render each sample once per test session (PDFs take a moment)."""
    return render(kind, CONTEXTS[kind], fmt)


@cache
def hostile(fmt: str) -> bytes:
    """A notice whose user-typed fields try to break out of their element."""
    return render("notice", {**NOTICE, "findings": HOSTILE, "unit_name": "荣吉村</addressee><p>x"}, fmt)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    document = python_docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# --- every kind, every format -------------------------------------------------------------

MAGIC = {"pdf": b"%PDF-", "docx": b"PK\x03\x04", "html": b"<!DOCTYPE html>"}


def test_registries_cover_the_five_kinds_and_three_formats():
    assert set(KINDS) == {"notice", "receipt", "recommendation", "quarterly_report", "halfyear_review"}
    assert FORMATS["pdf"] == "application/pdf"
    assert FORMATS["html"] == "text/html; charset=utf-8"
    assert FORMATS["docx"].endswith("wordprocessingml.document")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_in_every_format(kind, fmt):
    assert rendered(kind, fmt).startswith(MAGIC[fmt])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_pdf_text_holds_title_unit_and_number(kind):
    text = pdf_text(rendered(kind, "pdf"))
    for expected in EXPECTED[kind]:
        assert expected in text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_pdf_embeds_the_shipped_fonts(kind):
    page = PdfReader(io.BytesIO(rendered(kind, "pdf"))).pages[0]
    fonts = page["/Resources"]["/Font"]
    assert fonts
    for font in fonts.values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
        assert "caseflow-" in str(font.get_object()["/BaseFont"])


def test_pdf_is_a4_with_page_numbers():
    reader = PdfReader(io.BytesIO(rendered("quarterly_report", "pdf")))
    width, height = (float(v) * 25.4 / 72 for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (210, 297)
    assert len(reader.pages) > 1
    for number, page in enumerate(reader.pages, start=1):
        assert f"— {number} —" in page.extract_text()


def test_pdf_body_lines_keep_closing_punctuation_off_the_line_start():
    text = pdf_text(rendered("recommendation", "pdf"))
    starts = [line[0] for line in text.splitlines() if line]
    assert not set(starts) & set("，。、；：）》」】〕")


def rgb(image: Image.Image) -> list[tuple[int, int, int]]:
    """The pixels of an RGB image as (r, g, b) tuples."""
    data = image.tobytes()
    return list(zip(data[0::3], data[1::3], data[2::3], strict=True))


def rasterise(data: bytes, tmp_path, dpi: int = 40) -> Image.Image:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True)
    with Image.open(next(tmp_path.glob("page*.png"))) as image:
        return image.convert("RGB")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (apt: poppler-utils) is not installed")
@pytest.mark.parametrize("kind", ["notice", "recommendation", "quarterly_report", "halfyear_review"])
def test_pdf_first_page_is_printed_with_a_red_header(kind, tmp_path):
    image = rasterise(rendered(kind, "pdf"), tmp_path)
    pixels = rgb(image)
    assert sum(1 for r, g, b in pixels if r + g + b < 600) > 2000  # text, not a blank page
    # the red organ name and separator line sit between 70 and 125 mm from the top
    top, bottom = (round(image.height * mm / 297) for mm in (70, 125))
    header = rgb(image.crop((0, top, image.width, bottom)))
    assert sum(1 for r, g, b in header if r > 180 and g < 90 and b < 90) > 100


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (apt: poppler-utils) is not installed")
def test_pdf_receipt_is_a_one_page_form_without_red_header(tmp_path):
    data = rendered("receipt", "pdf")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    image = rasterise(data, tmp_path)
    top = rgb(image.crop((0, 0, image.width, round(image.height * 60 / 297))))
    assert not any(r > 180 and g < 90 and b < 90 for r, g, b in top)


# --- DOCX ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(KINDS))
def test_docx_has_gbt_page_and_the_texts(kind):
    data = rendered(kind, "docx")
    section = python_docx.Document(io.BytesIO(data)).sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert round(section.page_width.mm - section.left_margin.mm - section.right_margin.mm) == 156
    assert round(section.page_height.mm - section.top_margin.mm - section.bottom_margin.mm) == 225
    text = docx_text(data)
    for expected in EXPECTED[kind]:
        assert expected in text


def test_docx_names_office_fonts_and_has_a_page_field():
    document = python_docx.Document(io.BytesIO(rendered("notice", "docx")))
    fonts = {}
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            rfonts = run._r.rPr.find(qn("w:rFonts")) if run._r.rPr is not None else None
            if run.text and rfonts is not None:
                fonts[run.text] = rfonts.get(qn("w:eastAsia"))
    assert fonts["预警告知书"] == "方正小标宋简体"
    assert fonts["一、发现的问题"] == "黑体"
    assert fonts[NOTICE["number"]] == "仿宋_GB2312"
    red = [r for p in document.paragraphs for r in p.runs if r.text == NOTICE["organ"] and r.font.color.rgb]
    assert str(red[0].font.color.rgb) == "E60012"
    footer_xml = document.sections[0].footer._element.xml
    assert "PAGE" in footer_xml and "— " in footer_xml
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 22 lines of 28.95 pt in 225 mm
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    spacing_twips = int(defaults.find(qn("w:spacing")).get(qn("w:val")))
    assert 28 * (320 + spacing_twips) <= 156 / 25.4 * 1440 < 29 * (320 + spacing_twips)  # 28 characters a line


# --- HTML ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(KINDS))
def test_html_is_a_printable_a4_page(kind):
    page = rendered(kind, "html").decode("utf-8")
    assert "size: A4" in page and "margin: 37.0mm 26.0mm 35.0mm 28.0mm" in page
    for expected in EXPECTED[kind]:
        assert expected in page


def test_html_charts_are_inline_images_with_a_data_table():
    page = rendered("quarterly_report", "html").decode("utf-8")
    assert page.count('<img src="data:image/png;base64,') == 2
    assert "<th>占比</th>" in page and "廉情监测站点直报" in page


# --- user strings stay text ------------------------------------------------------------------

def test_hostile_user_strings_are_escaped_in_html():
    page = hostile("html").decode("utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;/p&gt;&lt;p&gt;注入 &amp; {{ 7*7 }}" in page
    assert "荣吉村&lt;/addressee&gt;&lt;p&gt;x：" in page


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_hostile_user_strings_come_out_literally(fmt):
    text = pdf_text(hostile("pdf")) if fmt == "pdf" else docx_text(hostile("docx"))
    assert HOSTILE in text.replace("\n", "")
    assert "49" not in text
    assert "荣吉村</addressee><p>x：" in text


# --- the sandbox -----------------------------------------------------------------------------

@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__ }}",
    "{{ unit_name.__class__.__base__.__subclasses__() }}",
    "{{ self.__init__.__globals__ }}",
    "{{ problems.append('x') }}",
    "{{ (''|attr('__class__')) }}",
])
def test_sandbox_blocks_escapes(source):
    template = environment().from_string(source)
    with pytest.raises(SecurityError):
        render_template(template, {"unit_name": "x", "problems": []})


def test_sandbox_has_no_globals_and_no_files_outside_its_folder():
    with pytest.raises(InvalidField):  # cycler, joiner, lipsum… are not there
        render_template(environment().from_string("{{ cycler }}"), {})
    with pytest.raises(SecurityError):
        render_template(environment().from_string("{{ cycler.__init__.__globals__ }}"), {})
    with pytest.raises(UndefinedError):
        environment().from_string("{{ range(3)|list }}").render()
    with pytest.raises(TemplateNotFound):
        environment().get_template("../templating.py")


def test_context_must_be_plain_data():
    with pytest.raises(InvalidField) as info:
        render("notice", {**NOTICE, "findings": object()}, "html")
    assert info.value.field == "context.findings"


def test_missing_context_key_names_the_field():
    context = {k: v for k, v in NOTICE.items() if k != "requirements"}
    with pytest.raises(InvalidField) as info:
        render("notice", context, "html")
    assert info.value.field == "requirements"


@pytest.mark.parametrize(("kind", "fmt", "field"), [("warrant", "pdf", "kind"), ("notice", "odt", "format")])
def test_unknown_kind_or_format_is_an_invalid_field(kind, fmt, field):
    with pytest.raises(InvalidField) as info:
        render(kind, NOTICE, fmt)
    assert info.value.field == field and info.value.status == 422


def test_parser_refuses_blocks_outside_the_vocabulary():
    with pytest.raises(DocumentTemplateError):
        parse("<document><script>x</script></document>")
    with pytest.raises(DocumentTemplateError):
        parse('<!DOCTYPE d [<!ENTITY e "boom">]><document><p>&e;</p></document>')


# --- helpers ---------------------------------------------------------------------------------

def test_line_breaking_follows_kinsoku_rules():
    measure = len  # one unit per character
    lines = break_lines("一二三四五六七八九（十一），二三。四五六七八九十“一二”", 10, measure)
    assert all(len(line) <= 10 for line in lines)
    assert not any(line[0] in NO_LINE_START for line in lines[1:])
    assert not any(line[-1] in NO_LINE_END for line in lines)
    assert "".join(lines) == "一二三四五六七八九（十一），二三。四五六七八九十“一二”"


def test_dates_are_written_the_chinese_way():
    assert zh_date("2026-09-24") == "2026年9月24日"
    assert zh_date("2026年10月3日 09:00") == "2026年10月3日"
    assert zh_datetime("2026-09-25T10:32:00") == "2026年9月25日 10时32分"
