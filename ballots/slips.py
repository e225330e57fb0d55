"""Ballot slips: A4 pages of cut-out slips, each with the campaign, the category, the code in
groups, a short instruction and a QR code that opens ``{BASE_URL}/b/#CODE``.

Speed (10,000 slips in about 2 s) comes from two things:

* QR codes (``ballots.qr``) are encoded with ``qrcode`` as the source of truth, but not one code at a time:
  per (version, error level, mask) a layout is built once with qrcode itself (the matrix with
  all-zero data, and where qrcode's own zig-zag placement puts each data bit, found by
  placing a few probe streams). Per code, qrcode's segmenting and bit writing
  (``qrcode.util``) give the data codewords, a table-driven Reed-Solomon over qrcode's GF(256)
  tables and block structure adds the error correction, and the bits are XOR-ed onto the
  template with precomputed tables. ``qr_matrix`` equals ``qrcode``'s ``get_matrix()``
  (a test checks hundreds of random URLs).
* The PDF is written by a small streaming writer: each page's content is compressed and
  written out as soon as it is full, so memory stays flat whatever the number of slips. The
  parts that are the same on every slip are one form XObject; a QR code is one vector path
  (runs of dark modules as rectangles, in module units, from precomputed strings).

Chinese prints with a subset of a TrueType CJK font embedded (Type0/CIDFontType2, with a
ToUnicode map so the text can be copied and searched): the one ``KAOPING_PDF_FONT`` names, else
the first one this machine has (``core.pdf_fonts``, shared with the reports: Debian's
fonts-wqy-microhei, fonts-wqy-zenhei, ...). With none, the built-in CID font STSong-Light (no
font file needed; viewers substitute a Song face, if they have one).

Each page holds the slips of one category, named in the page's header with the campaign, so
cut stacks are not mixed up; each slip carries its account's number ("No."), by which the
office finds the account of a spoiled or lost slip.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase._cidfontdata import CIDFontInfo, defaultUnicodeEncodings
from reportlab.pdfbase.ttfonts import TTFont

from ballots.codes import display
from ballots.qr import (  # noqa: F401 - the QR encoder's names, also read from here
    ERROR_CORRECTION,
    FIXED_MASK,
    QUIET_ZONE,
    _layout,
    _qr_ops,
    qr_matrix,
    qr_path,
)
from core.pdf_fonts import BUILTIN_CJK_FONT, cjk_font  # noqa: F401 (BUILTIN_CJK_FONT: re-exported)

if TYPE_CHECKING:
    from ballots.service import Slip

COLUMNS, ROWS = 2, 5
MARGIN = 24.0
HEADER = 16.0  # above the slips: the campaign and the category of the page
QR_SIZE = 96.0
CODE_FONT = "Courier-Bold"
COMPRESSION = 3  # zlib level of page streams: 6 is 3 times slower for 25% less

INSTRUCTIONS = {
    "zh_CN": ["用手机扫描右侧二维码，或在浏览器打开", "{url} 输入测评码。", "每个测评码只能提交一次，请勿转借他人。"],
    "en": ["Scan the QR code with a phone, or open", "{url} and type the code.", "Each code submits one ballot only."],
}
LABELS = {
    "zh_CN": {"category": "测评类别：", "code": "测评码", "number": "编号"},
    "en": {"category": "Category: ", "code": "Code", "number": "No."},
}


def embedded_font(font_path: str | None = None) -> str | None:
    """The font file slips embed: ``font_path`` (KAOPING_PDF_FONT) when given, else the first
    TrueType CJK font of this machine (``core.pdf_fonts.SYSTEM_FONTS``: Debian's
    fonts-wqy-microhei, fonts-wqy-zenhei, fonts-arphic-uming, fonts-droid-fallback); None when
    slips fall back to the built-in CID font (not embedded: a viewer without a Chinese font
    shows no Chinese)."""
    path = cjk_font(font_path).path
    return str(path) if path else None


def font_name(font_path: str | None) -> str:
    """Register the CJK font slips print with (see ``embedded_font``); return its name."""
    return cjk_font(font_path).name


# --- a streaming PDF writer ---------------------------------------------------------------------


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _pdf_text_string(text: str) -> str:
    """A text string (document info): UTF-16BE with a byte order mark."""
    return "<feff" + text.encode("utf-16-be").hex() + ">"


def _pdf_value(value) -> str:
    if isinstance(value, dict):
        return "<<" + " ".join(f"/{k} {_pdf_value(v)}" for k, v in value.items()) + ">>"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(_pdf_value(v) for v in value) + "]"
    return str(value)


class _PdfWriter:
    """Objects are written as they are made; only their offsets are kept for the xref table."""

    def __init__(self, out: BinaryIO):
        self._out = out
        self._position = 0
        self._offsets: dict[int, int] = {}
        self._next = 1
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._position += len(data)

    def reserve(self) -> int:
        number = self._next
        self._next += 1
        return number

    def object(self, number: int, body: str | bytes) -> None:
        self._offsets[number] = self._position
        if isinstance(body, str):
            body = body.encode("latin-1")
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def stream(self, number: int, entries: str, data: bytes, compress: bool = True) -> None:
        if compress:
            data = zlib.compress(data, COMPRESSION)
            entries += " /Filter /FlateDecode"
        self._offsets[number] = self._position
        self._write(b"%d 0 obj\n<<%s /Length %d>>\nstream\n" % (number, entries.encode("latin-1"), len(data)))
        self._write(data)
        self._write(b"\nendstream\nendobj\n")

    def close(self, root: int, info: int) -> None:
        xref = self._position
        count = self._next
        lines = [b"xref\n0 %d\n0000000000 65535 f \n" % count]
        for number in range(1, count):
            lines.append(b"%010d 00000 n \n" % self._offsets[number])
        lines.append(
            b"trailer\n<</Size %d /Root %d 0 R /Info %d 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (count, root, info, xref)
        )
        self._write(b"".join(lines))


class _BuiltinCJKFont:
    """reportlab's built-in CID font (not embedded): text as UTF-16BE through UniGB-UCS2-H."""

    def __init__(self, name: str):
        self.name = name

    def show(self, text: str) -> str:
        return "<" + text.encode("utf-16-be").hex() + ">"

    def write(self, pdf: _PdfWriter, number: int) -> None:
        info = dict(CIDFontInfo[self.name])
        info.pop("Name", None)
        info["Encoding"] = "/" + defaultUnicodeEncodings[self.name][1]
        pdf.object(number, _pdf_value(info))


class _EmbeddedFont:
    """A TrueType font registered with reportlab, embedded as a subset (Type0, Identity-H).

    A character's CID is its glyph's index in the subset that reportlab's ``makeSubset``
    builds from the characters in order of first use; CIDToGIDMap is the identity.
    """

    _lock = threading.Lock()  # makeSubset moves the shared face's read position

    def __init__(self, name: str):
        self.name = name
        self.face = pdfmetrics.getFont(name).face
        self._glyph_cid = {0: 0}
        self._char_cid: dict[str, int] = {}
        self._chars: list[int] = []
        self._cache: dict[str, str] = {}

    def _cid(self, char: str) -> int:
        cid = self._char_cid.get(char)
        if cid is None:
            code = ord(char)
            glyph = self.face.charToGlyph.get(code, 0)
            cid = self._glyph_cid.get(glyph)
            if cid is None:
                cid = self._glyph_cid[glyph] = len(self._glyph_cid)
            self._char_cid[char] = cid
            self._chars.append(code)
        return cid

    def show(self, text: str) -> str:
        shown = self._cache.get(text)
        if shown is None:
            shown = self._cache[text] = "<" + "".join(f"{self._cid(ch):04x}" for ch in text) + ">"
        return shown

    def write(self, pdf: _PdfWriter, number: int) -> None:
        face = self.face
        with self._lock:
            subset = face.makeSubset(self._chars or [32])
        base_name = "KPSUBS+" + face.name.decode("latin-1")
        descendant, descriptor, file_, to_unicode = (pdf.reserve() for _ in range(4))
        pdf.object(
            number,
            _pdf_value(
                {
                    "Type": "/Font",
                    "Subtype": "/Type0",
                    "BaseFont": "/" + base_name,
                    "Encoding": "/Identity-H",
                    "DescendantFonts": [f"{descendant} 0 R"],
                    "ToUnicode": f"{to_unicode} 0 R",
                }
            ),
        )
        widths: dict[int, int] = {}
        for char, cid in self._char_cid.items():
            widths.setdefault(cid, round(face.charWidths.get(ord(char), face.defaultWidth)))
        pdf.object(
            descendant,
            _pdf_value(
                {
                    "Type": "/Font",
                    "Subtype": "/CIDFontType2",
                    "BaseFont": "/" + base_name,
                    "CIDSystemInfo": {"Registry": "(Adobe)", "Ordering": "(Identity)", "Supplement": 0},
                    "FontDescriptor": f"{descriptor} 0 R",
                    "DW": round(face.defaultWidth),
                    "W": [x for cid in sorted(widths) for x in (cid, [widths[cid]])],
                    "CIDToGIDMap": "/Identity",
                }
            ),
        )
        pdf.object(
            descriptor,
            _pdf_value(
                {
                    "Type": "/FontDescriptor",
                    "FontName": "/" + base_name,
                    "Flags": face.flags,
                    "FontBBox": [round(v) for v in face.bbox],
                    "ItalicAngle": face.italicAngle,
                    "Ascent": round(face.ascent),
                    "Descent": round(face.descent),
                    "CapHeight": round(face.capHeight),
                    "StemV": face.stemV,
                    "FontFile2": f"{file_} 0 R",
                }
            ),
        )
        pdf.stream(file_, f" /Length1 {len(subset)}", subset)
        pairs = {}
        for char, cid in self._char_cid.items():
            pairs.setdefault(cid, char)
        ordered = sorted(pairs.items())
        chunks = []
        for start in range(0, len(ordered), 100):
            chunk = ordered[start : start + 100]
            chunks.append(
                f"{len(chunk)} beginbfchar\n"
                + "".join(f"<{cid:04x}> <{ch.encode('utf-16-be').hex()}>\n" for cid, ch in chunk)
                + "endbfchar\n"
            )
        cmap = (
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n"
            + "".join(chunks)
            + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        )
        pdf.stream(to_unicode, "", cmap.encode("ascii"))


def _cjk_font(name: str):
    font = pdfmetrics.getFont(name)
    return _EmbeddedFont(name) if isinstance(font, TTFont) else _BuiltinCJKFont(name)


# --- the slips ----------------------------------------------------------------------------------


def _fit(text: str, font: str, size: float, width: float) -> str:
    while text and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text


def _wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (between any two characters, as Chinese
    is; at a space when a Latin word would be cut), at most ``max_lines``, the last one cut with
    "…" when even they do not hold it all."""
    lines: list[str] = []
    rest = text.strip()
    while rest and len(lines) < max_lines - 1:
        end = len(rest)
        while end > 1 and pdfmetrics.stringWidth(rest[:end], font, size) > width:
            end -= 1
        if end < len(rest) and rest[end - 1] != " " and rest[end] != " ":
            space = rest.rfind(" ", 0, end)
            if space > 0 and rest[space - 1].isascii() and rest[end].isascii():
                end = space
        lines.append(rest[:end].rstrip())
        rest = rest[end:].lstrip()
    if rest:
        lines.append(_fit(rest, font, size, width))
    return lines or [""]


def _by_category(slips: Iterable[Slip]) -> Iterable[Slip]:
    """A list of slips in order of category (first seen first, stable), so each category fills
    pages of its own; any other iterable is streamed as it comes (one category per run)."""
    if not isinstance(slips, list):
        return slips
    order: dict[str, int] = {}
    for slip in slips:
        order.setdefault(slip.category, len(order))
    return sorted(slips, key=lambda slip: order[slip.category])


def _text(font: str, size: float, x: float, y: float, shown: str) -> str:
    return f"BT /{font} {size:g} Tf {x:.2f} {y:.2f} Td {shown} Tj ET\n"


def write_slips(
    out: BinaryIO,
    campaign_name: str,
    slips: Iterable[Slip],
    *,
    base_url: str,
    locale: str = "zh_CN",
    font_path: str | None = None,
) -> int:
    """Write the slips PDF to ``out`` page by page; return the number of pages.

    Each page holds one category's slips (a list is grouped by category first; an iterator
    starts a new page where the category changes) under a header naming the campaign and the
    category. ``font_path``: a TrueType CJK font to embed (else see ``embedded_font``)."""
    font = font_name(font_path)
    cjk = _cjk_font(font)
    labels, instructions = LABELS.get(locale, LABELS["zh_CN"]), INSTRUCTIONS.get(locale, INSTRUCTIONS["zh_CN"])
    ballot_url = f"{base_url.rstrip('/')}/b/"
    page_width, page_height = A4
    slip_width = (page_width - 2 * MARGIN) / COLUMNS
    slip_height = (page_height - 2 * MARGIN - HEADER) / ROWS
    pad = 12.0
    text_width = slip_width - QR_SIZE - 3 * pad
    top = slip_height - pad  # in slip coordinates

    pdf = _PdfWriter(out)
    catalog, pages_node, info, cjk_number, code_number, slip_form = (pdf.reserve() for _ in range(6))

    # What every slip shows: one form, drawn at each slip's corner. The campaign's name wraps
    # (up to 3 lines, or 4 smaller ones for a long name); what follows moves down by the lines
    # it took.
    name_size, leading = 10.5, 12.5
    name_lines = _wrap(campaign_name, font, name_size, text_width, 3)
    if name_lines[-1].endswith("…") and not campaign_name.rstrip().endswith("…"):
        name_size, leading = 9.0, 11.0
        name_lines = _wrap(campaign_name, font, name_size, text_width, 4)
    shift = leading * (len(name_lines) - 1)
    static = [
        _text("F1", name_size, pad, top - name_size - leading * n, cjk.show(line)) for n, line in enumerate(name_lines)
    ]
    static += [
        _text("F1", 8, pad, top - 51 - shift, cjk.show(labels["code"])),
        _text("F1", 7, pad + 60, top - 51 - shift, cjk.show(labels["number"])),
    ]
    for number, line in enumerate(instructions):
        static.append(
            _text(
                "F1", 7, pad, pad + 20 - number * 10, cjk.show(_fit(line.format(url=ballot_url), font, 7, text_width))
            )
        )
    pdf.stream(
        slip_form,
        f" /Type /XObject /Subtype /Form /BBox [0 0 {slip_width:.2f} {slip_height:.2f}]"
        f" /Resources <</Font <</F1 {cjk_number} 0 R>>>>",
        "".join(static).encode("latin-1"),
    )

    cut_lines = ["q [4 3] 0 d 0.4 w 0.55 G\n"]
    for column in range(COLUMNS + 1):
        x = MARGIN + column * slip_width
        cut_lines.append(f"{x:.2f} {MARGIN:.2f} m {x:.2f} {page_height - MARGIN - HEADER:.2f} l S\n")
    for row in range(ROWS + 1):
        y = MARGIN + row * slip_height
        cut_lines.append(f"{MARGIN:.2f} {y:.2f} m {page_width - MARGIN:.2f} {y:.2f} l S\n")
    cut_lines.append("Q\n")
    page_start = "".join(cut_lines)

    corners = []
    for position in range(COLUMNS * ROWS):
        column, row = position % COLUMNS, position // COLUMNS
        corners.append((MARGIN + column * slip_width, page_height - MARGIN - HEADER - (row + 1) * slip_height))
    categories: dict[str, str] = {}
    kids: list[int] = []
    resources = (
        f" /Resources <</Font <</F1 {cjk_number} 0 R /F2 {code_number} 0 R>>"
        f" /XObject <</S {slip_form} 0 R>> /ProcSet [/PDF /Text]>>"
    )

    def flush(content: list[str]) -> None:
        stream_number, page_number = pdf.reserve(), pdf.reserve()
        pdf.stream(stream_number, "", "".join(content).encode("latin-1"))
        pdf.object(
            page_number,
            f"<</Type /Page /Parent {pages_node} 0 R /MediaBox [0 0 {page_width:.2f} "
            f"{page_height:.2f}]{resources} /Contents {stream_number} 0 R>>",
        )
        kids.append(page_number)

    headers: dict[str, str] = {}
    header_width = page_width - 2 * MARGIN

    def header(category: str) -> str:
        shown = headers.get(category)
        if shown is None:
            line = f"{labels['category']}{category}　　{campaign_name}"
            shown = headers[category] = _text(
                "F1", 9, MARGIN, page_height - MARGIN - 10, cjk.show(_fit(line, font, 9, header_width))
            )
        return shown

    content: list[str] = []
    position = 0
    page_category: str | None = None
    for slip in _by_category(slips):
        if position and slip.category != page_category:
            flush(content)
            position = 0
        if position == 0:
            content = [page_start, header(slip.category)]
            page_category = slip.category
        x, y = corners[position]
        shown_category = categories.get(slip.category)
        if shown_category is None:  # up to 2 lines, in the room left above the code
            shown_category = categories[slip.category] = [
                cjk.show(line) for line in _wrap(labels["category"] + slip.category, font, 9, text_width, 2)
            ]
        code = display(slip.code)
        content.append(f"q 1 0 0 1 {x:.2f} {y:.2f} cm /S Do Q\n")
        for n, shown in enumerate(shown_category):
            content.append(_text("F1", 9, x + pad, y + top - 27 - shift - 10.5 * n, shown))
        content.append(_text("F2", 8, x + pad + 60 + 18, y + top - 51 - shift, _pdf_string(str(slip.account_id))))
        content.append(_text("F2", 15, x + pad, y + top - 67 - shift, _pdf_string(code)))
        content.append(
            _qr_ops(f"{ballot_url}#{code}", x + slip_width - QR_SIZE - pad, y + (slip_height - QR_SIZE) / 2, QR_SIZE)
        )
        position += 1
        if position == COLUMNS * ROWS:
            flush(content)
            position = 0
    if position or not kids:
        flush(content)

    pdf.object(pages_node, f"<</Type /Pages /Count {len(kids)} /Kids [{' '.join(f'{k} 0 R' for k in kids)}]>>")
    cjk.write(pdf, cjk_number)
    pdf.object(code_number, f"<</Type /Font /Subtype /Type1 /BaseFont /{CODE_FONT} /Encoding /WinAnsiEncoding>>")
    pdf.object(info, f"<</Title {_pdf_text_string(campaign_name)} /Creator (Kaoping) /Producer (Kaoping)>>")
    pdf.object(catalog, f"<</Type /Catalog /Pages {pages_node} 0 R>>")
    pdf.close(catalog, info)
    return len(kids)
