"""A fast streaming PDF writer of printed slips (ballot slips, activation codes): A4 pages of
cut-out slips in a grid, each page's content compressed and written out as soon as it is full
(memory stays flat whatever the number of slips), the parts that are the same on every slip one
form XObject, QR codes as vector paths (``core.pdf_qr``: runs of dark modules as rectangles).

Chinese prints with a subset of a TrueType CJK font embedded (Type0/CIDFontType2, with a
ToUnicode map so the text can be copied and searched): the one ``KAOPING_PDF_FONT`` names, else
the first one this machine has (``core.pdf_fonts``, shared with the reports: Debian's
fonts-wqy-microhei, fonts-wqy-zenhei, ...). With none, the built-in CID font STSong-Light (no
font file needed; viewers substitute a Song face, if they have one).

``SlipSheet`` lays the pages out; the callers (``ballots.slips``, ``core.services.people_slips``)
say what a slip shows. Fonts: ``F1`` the CJK font (text through ``SlipSheet.show``), ``F2``
Courier-Bold (codes and numbers, through ``pdf_string``); the shared form is ``/S``.
"""

from __future__ import annotations

import threading
import zlib
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase._cidfontdata import CIDFontInfo, defaultUnicodeEncodings
from reportlab.pdfbase.ttfonts import TTFont

from core.pdf_fonts import cjk_font
from core.pdf_qr import qr_ops

CODE_FONT = "Courier-Bold"
COMPRESSION = 3  # zlib level of page streams: 6 is 3 times slower for 25% less


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


def _text(font: str, size: float, x: float, y: float, shown: str) -> str:
    return f"BT /{font} {size:g} Tf {x:.2f} {y:.2f} Td {shown} Tj ET\n"


# --- the page grid ------------------------------------------------------------------------------


class SlipSheet:
    """A4 pages of ``columns`` x ``rows`` slips inside ``margin`` (points), below a page header
    ``header`` points high, with dashed cut lines. Use: ``form`` once (what every slip shows,
    in slip coordinates), then ``next_slip`` per slip and ``draw`` its own operators at the
    corner it returns, then ``close``."""

    def __init__(
        self,
        out: BinaryIO,
        *,
        columns: int = 2,
        rows: int = 5,
        margin: float = 24.0,
        header: float = 16.0,
        font_path: str | None = None,
    ):
        self.font = font_name(font_path)
        self.cjk = _cjk_font(self.font)
        self.columns, self.rows, self.margin, self.header = columns, rows, margin, header
        self.page_width, self.page_height = A4
        self.slip_width = (self.page_width - 2 * margin) / columns
        self.slip_height = (self.page_height - 2 * margin - header) / rows
        self.pdf = _PdfWriter(out)
        self._catalog, self._pages, self._info, self._cjk_number, self._code_number, self._form = (
            self.pdf.reserve() for _ in range(6)
        )
        self._has_form = False
        cut = ["q [4 3] 0 d 0.4 w 0.55 G\n"]
        for column in range(columns + 1):
            x = margin + column * self.slip_width
            cut.append(f"{x:.2f} {margin:.2f} m {x:.2f} {self.page_height - margin - header:.2f} l S\n")
        for row in range(rows + 1):
            y = margin + row * self.slip_height
            cut.append(f"{margin:.2f} {y:.2f} m {self.page_width - margin:.2f} {y:.2f} l S\n")
        cut.append("Q\n")
        self._page_start = "".join(cut)
        self.corners = [
            (
                margin + (p % columns) * self.slip_width,
                self.page_height - margin - header - (p // columns + 1) * self.slip_height,
            )
            for p in range(columns * rows)
        ]
        self._resources = (
            f" /Resources <</Font <</F1 {self._cjk_number} 0 R /F2 {self._code_number} 0 R>>"
            f" /XObject <</S {self._form} 0 R>> /ProcSet [/PDF /Text]>>"
        )
        self._kids: list[int] = []
        self._content: list[str] = []
        self._position = 0

    def show(self, text: str) -> str:
        """``text`` as a string operand of the CJK font ``F1``."""
        return self.cjk.show(text)

    def form(self, ops: str) -> None:
        """What every slip shows (operators in slip coordinates), drawn at each slip's corner."""
        self.pdf.stream(
            self._form,
            f" /Type /XObject /Subtype /Form /BBox [0 0 {self.slip_width:.2f} {self.slip_height:.2f}]"
            f" /Resources <</Font <</F1 {self._cjk_number} 0 R /F2 {self._code_number} 0 R>>>>",
            ops.encode("latin-1"),
        )
        self._has_form = True

    def _flush(self) -> None:
        stream_number, page_number = self.pdf.reserve(), self.pdf.reserve()
        self.pdf.stream(stream_number, "", "".join(self._content).encode("latin-1"))
        self.pdf.object(
            page_number,
            f"<</Type /Page /Parent {self._pages} 0 R /MediaBox [0 0 {self.page_width:.2f} "
            f"{self.page_height:.2f}]{self._resources} /Contents {stream_number} 0 R>>",
        )
        self._kids.append(page_number)
        self._content, self._position = [], 0

    def next_slip(self, header: str = "", *, new_page: bool = False) -> tuple[float, float]:
        """The lower-left corner of the next slip (with the form drawn there): on a new page,
        whose header shows the operators ``header``, when the page is full or ``new_page``."""
        if self._position and (new_page or self._position == len(self.corners)):
            self._flush()
        if self._position == 0:
            self._content = [self._page_start, header]
        x, y = self.corners[self._position]
        self._position += 1
        if self._has_form:
            self._content.append(f"q 1 0 0 1 {x:.2f} {y:.2f} cm /S Do Q\n")
        return x, y

    def draw(self, ops: str) -> None:
        """Operators on the current page (page coordinates)."""
        self._content.append(ops)

    def close(self, title: str) -> int:
        """Finish the document (``title`` in its information); the number of pages."""
        if self._position or not self._kids:
            self._flush()
        if not self._has_form:
            self.form("")
        pdf = self.pdf
        kids = " ".join(f"{k} 0 R" for k in self._kids)
        pdf.object(self._pages, f"<</Type /Pages /Count {len(self._kids)} /Kids [{kids}]>>")
        self.cjk.write(pdf, self._cjk_number)
        pdf.object(
            self._code_number, f"<</Type /Font /Subtype /Type1 /BaseFont /{CODE_FONT} /Encoding /WinAnsiEncoding>>"
        )
        pdf.object(self._info, f"<</Title {_pdf_text_string(title)} /Creator (Kaoping) /Producer (Kaoping)>>")
        pdf.object(self._catalog, f"<</Type /Catalog /Pages {self._pages} 0 R>>")
        pdf.close(self._catalog, self._info)
        return len(self._kids)


# public names of the helpers
pdf_string, text_op, fit, wrap = _pdf_string, _text, _fit, _wrap
__all__ = ["SlipSheet", "embedded_font", "fit", "font_name", "pdf_string", "qr_ops", "text_op", "wrap"]
