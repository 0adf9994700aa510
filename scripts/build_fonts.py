#!/usr/bin/env python3
"""Rebuild the CJK fonts shipped in caseflow/static/fonts from Debian's fonts-noto-cjk.

The documents renderer embeds these fonts in every PDF (and draws chart labels with
them), so a PDF looks the same on a machine without any Chinese font.  The full Noto
CJK collections are 20-27 MB each; we keep the Simplified Chinese face only and
subset it to what official documents use: the whole GB 2312 repertoire (6,763 hanzi
plus its symbols), ASCII, Latin-1, general and CJK punctuation, fullwidth forms and a
few extra characters common in names and places.  Hinting and OpenType layout tables
go too (print resolution does not need them).

The CFF outlines are converted to TrueType (quadratic) outlines.  fpdf2 does embed
CID-keyed CFF fonts, but only with an embedded /Encoding CMap that common text
extractors (pypdf, search indexers) misread, so copy/search of the PDF text breaks;
TrueType fonts go in as CIDFontType2 with Identity-H, which pypdf and viewers read right.
TrueType costs ~35 % more bytes, so we ship two faces and the renderer draws bold
(title, red header) by stroking the serif outline.

The fonts are renamed (OFL: a modified version must not use the Reserved Font Name)
and the SIL Open Font License is written next to them as OFL.txt.

    apt-get install fonts-noto-cjk
    python scripts/build_fonts.py            # writes caseflow/static/fonts/*
"""
from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
COPYRIGHT_FILE = Path("/usr/share/doc/fonts-noto-cjk/copyright")
OUT_DIR = Path(__file__).resolve().parent.parent / "caseflow" / "static" / "fonts"

# output name -> (collection file, face name inside it, family name we give it, style)
FACES: dict[str, tuple[str, str, str, str]] = {
    "caseflow-serif.ttf": ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", "caseflow-serif", "Regular"),
    "caseflow-sans.ttf": ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC", "caseflow-sans", "Regular"),
}
MAX_CURVE_ERROR = 1.0  # font units (of 1000 per em) allowed when approximating cubics by quadratics

# Characters outside GB 2312 that still turn up in unit, place and person names.
EXTRA_CHARS = "堃喆昇珺琇旻玥婧晗琪瑾煜璐钰彧淼犇垚焱鑫森淇祎禕鎔镕赟頔浛渟"

UNICODE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement: · × ÷ ° §
    (0x2010, 0x2027),  # general punctuation: — ‘ ’ “ ” … ‧
    (0x2030, 0x203B),  # ‰ ′ ″ ※
    (0x2103, 0x2103),  # ℃
    (0x2116, 0x2116),  # №
    (0x2160, 0x216B),  # Ⅰ–Ⅻ
    (0x2190, 0x2193),  # arrows
    (0x2460, 0x2473),  # ①–⑳
    (0x2474, 0x2487),  # ⑴–⒇
    (0x25A0, 0x25CF),  # ■ □ ▲ △ ○ ●
    (0x2605, 0x2606),  # ★ ☆
    (0x3000, 0x303F),  # CJK symbols and punctuation: 、。〈〉《》「」『』【】〔〕
    (0xFF01, 0xFF5E),  # fullwidth forms
    (0xFFE0, 0xFFE5),  # fullwidth ￠ ￡ ￥
)


def gb2312_chars() -> set[str]:
    """Every character of GB 2312 (rows 0xA1-0xF7, symbols and both hanzi levels)."""
    chars: set[str] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def gbk_hanzi() -> set[str]:
    """Every CJK ideograph of GBK (CP936): covers the rarer characters of real names and places
    (e.g. 澥 in 澥浦镇) that GB 2312 lacks."""
    chars: set[str] = set()
    for hi in range(0x81, 0xFF):
        for lo in range(0x40, 0xFF):
            try:
                char = bytes((hi, lo)).decode("gbk")
            except UnicodeDecodeError:
                continue
            if "\u4e00" <= char <= "\u9fff":
                chars.add(char)
    return chars


def wanted_codepoints() -> set[int]:
    """The code points every shipped face keeps."""
    points = {ord(c) for c in gb2312_chars() | gbk_hanzi() | set(EXTRA_CHARS)}
    for lo, hi in UNICODE_RANGES:
        points.update(range(lo, hi + 1))
    return points


def load_face(collection: Path, face_name: str) -> TTFont:
    """Open the named face of a .ttc collection."""
    for font in TTCollection(str(collection)).fonts:
        if font["name"].getDebugName(4) == face_name:
            return font
    raise SystemExit(f"{face_name!r} not found in {collection}")


def rename(font: TTFont, family: str, style: str) -> None:
    """Give the subset its own names, keeping the copyright and licence records."""
    full = family if style == "Regular" else f"{family}-{style.lower()}"
    names = {1: family, 2: style, 3: f"{full};subset-of-noto-cjk", 4: full, 6: full, 16: family, 17: style}
    table = font["name"]
    table.names = [rec for rec in table.names if rec.nameID in (0, 7, 8, 9, 11, 12, 13, 14)]
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)


def to_truetype(font: TTFont) -> None:
    """Replace the CFF table by quadratic ``glyf`` outlines, in place."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, MAX_CURVE_ERROR, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 3.0  # no glyph names: readers derive them from cmap
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def build_face(out: Path, collection: Path, face_name: str, family: str, style: str) -> int:
    """Subset one face to ``out``; return the file size."""
    font = load_face(collection, face_name)
    options = subset.Options()
    options.hinting = False
    options.desubroutinize = False
    options.layout_features = []  # no GSUB/GPOS: documents need no shaping
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recommended_glyphs = True
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted_codepoints())
    subsetter.subset(font)
    rename(font, family, style)
    to_truetype(font)
    font.save(str(out))
    return out.stat().st_size


def write_licence(out_dir: Path, sample: Path) -> None:
    """Write OFL.txt: the upstream copyright notice and the SIL OFL 1.1 text."""
    notice = TTFont(str(sample))["name"].getDebugName(0) or "Copyright Adobe and Google"
    raw = COPYRIGHT_FILE.read_bytes()
    text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
    match = re.search(r"^License: SIL-1\.1\n((?: .*\n)+)", text, re.M)
    if not match:
        raise SystemExit(f"SIL OFL text not found in {COPYRIGHT_FILE}")
    body = "\n".join("" if line.strip() == "." else line[1:] for line in match.group(1).splitlines())
    header = (
        "caseflow-serif.ttf and caseflow-sans.ttf are subsets, converted to TrueType outlines, of\n"
        "Noto Serif CJK SC and Noto Sans CJK SC (https://github.com/notofonts/noto-cjk),\n"
        "made by scripts/build_fonts.py and renamed, as the licence requires of a modified\n"
        "version (upstream reserves the font name 'Source').\n\n"
        f"{notice}\n\n"
    )
    (out_dir / "OFL.txt").write_text(header + body.strip() + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Build every face in FACES and the licence file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=NOTO_DIR, help="folder with the Noto CJK .ttc files")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="where to write the fonts")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for filename, (collection, face_name, family, style) in FACES.items():
        size = build_face(args.out / filename, args.source / collection, face_name, family, style)
        total += size
        print(f"{filename}: {size / 1e6:.2f} MB")
    write_licence(args.out, args.out / next(iter(FACES)))
    print(f"total {total / 1e6:.2f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
