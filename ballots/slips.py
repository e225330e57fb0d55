"""Ballot slips: A4 pages of cut-out slips, each with the campaign, the category, the code in
groups, a short instruction and a QR code that opens ``{BASE_URL}/b/#CODE``.

Speed (10,000 slips in about 2 s) comes from two things:

* QR codes (``core.pdf_qr``) are encoded with ``qrcode`` as the source of truth, but not one code at a time:
  per (version, error level, mask) a layout is built once with qrcode itself (the matrix with
  all-zero data, and where qrcode's own zig-zag placement puts each data bit, found by
  placing a few probe streams). Per code, qrcode's segmenting and bit writing
  (``qrcode.util``) give the data codewords, a table-driven Reed-Solomon over qrcode's GF(256)
  tables and block structure adds the error correction, and the bits are XOR-ed onto the
  template with precomputed tables. ``qr_matrix`` equals ``qrcode``'s ``get_matrix()``
  (a test checks hundreds of random URLs).
* The PDF is written by a small streaming writer (``core.slips_pdf``): each page's content is compressed and
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

from collections.abc import Iterable
from typing import TYPE_CHECKING, BinaryIO

from ballots.codes import display
from core.pdf_fonts import BUILTIN_CJK_FONT  # noqa: F401 - re-exported
from core.pdf_qr import (  # noqa: F401 - the QR encoder's names, also read from here
    ERROR_CORRECTION,
    FIXED_MASK,
    QUIET_ZONE,
    _layout,
    qr_matrix,
    qr_path,
)
from core.pdf_qr import qr_ops as _qr_ops
from core.slips_pdf import COMPRESSION, SlipSheet, embedded_font, font_name  # noqa: F401 - re-exported
from core.slips_pdf import fit as _fit
from core.slips_pdf import pdf_string as _pdf_string
from core.slips_pdf import text_op as _text
from core.slips_pdf import wrap as _wrap

if TYPE_CHECKING:
    from ballots.service import Slip

COLUMNS, ROWS = 2, 5
MARGIN = 24.0
HEADER = 16.0  # above the slips: the campaign and the category of the page
QR_SIZE = 96.0

INSTRUCTIONS = {
    "zh_CN": ["用手机扫描右侧二维码，或在浏览器打开", "{url} 输入测评码。", "每个测评码只能提交一次，请勿转借他人。"],
    "en": ["Scan the QR code with a phone, or open", "{url} and type the code.", "Each code submits one ballot only."],
}
LABELS = {
    "zh_CN": {"category": "测评类别：", "code": "测评码", "number": "编号"},
    "en": {"category": "Category: ", "code": "Code", "number": "No."},
}


def _by_category(slips: Iterable[Slip]) -> Iterable[Slip]:
    """A list of slips in order of category (first seen first, stable), so each category fills
    pages of its own; any other iterable is streamed as it comes (one category per run)."""
    if not isinstance(slips, list):
        return slips
    order: dict[str, int] = {}
    for slip in slips:
        order.setdefault(slip.category, len(order))
    return sorted(slips, key=lambda slip: order[slip.category])


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
    sheet = SlipSheet(out, columns=COLUMNS, rows=ROWS, margin=MARGIN, header=HEADER, font_path=font_path)
    font = sheet.font
    labels, instructions = LABELS.get(locale, LABELS["zh_CN"]), INSTRUCTIONS.get(locale, INSTRUCTIONS["zh_CN"])
    ballot_url = f"{base_url.rstrip('/')}/b/"
    slip_width, slip_height = sheet.slip_width, sheet.slip_height
    pad = 12.0
    text_width = slip_width - QR_SIZE - 3 * pad
    top = slip_height - pad  # in slip coordinates

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
        _text("F1", name_size, pad, top - name_size - leading * n, sheet.show(line))
        for n, line in enumerate(name_lines)
    ]
    static += [
        _text("F1", 8, pad, top - 51 - shift, sheet.show(labels["code"])),
        _text("F1", 7, pad + 60, top - 51 - shift, sheet.show(labels["number"])),
    ]
    for number, line in enumerate(instructions):
        static.append(
            _text(
                "F1", 7, pad, pad + 20 - number * 10, sheet.show(_fit(line.format(url=ballot_url), font, 7, text_width))
            )
        )
    sheet.form("".join(static))

    categories: dict[str, list[str]] = {}
    headers: dict[str, str] = {}
    header_width = sheet.page_width - 2 * MARGIN

    def header(category: str) -> str:
        shown = headers.get(category)
        if shown is None:
            line = f"{labels['category']}{category}　　{campaign_name}"
            shown = headers[category] = _text(
                "F1", 9, MARGIN, sheet.page_height - MARGIN - 10, sheet.show(_fit(line, font, 9, header_width))
            )
        return shown

    page_category: str | None = None
    for slip in _by_category(slips):
        x, y = sheet.next_slip(header(slip.category), new_page=slip.category != page_category)
        page_category = slip.category
        shown_category = categories.get(slip.category)
        if shown_category is None:  # up to 2 lines, in the room left above the code
            shown_category = categories[slip.category] = [
                sheet.show(line) for line in _wrap(labels["category"] + slip.category, font, 9, text_width, 2)
            ]
        code = display(slip.code)
        content = [_text("F1", 9, x + pad, y + top - 27 - shift - 10.5 * n, s) for n, s in enumerate(shown_category)]
        content.append(_text("F2", 8, x + pad + 60 + 18, y + top - 51 - shift, _pdf_string(str(slip.account_id))))
        content.append(_text("F2", 15, x + pad, y + top - 67 - shift, _pdf_string(code)))
        content.append(
            _qr_ops(f"{ballot_url}#{code}", x + slip_width - QR_SIZE - pad, y + (slip_height - QR_SIZE) / 2, QR_SIZE)
        )
        sheet.draw("".join(content))
    return sheet.close(campaign_name)
