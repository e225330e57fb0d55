"""Ballot slips: A4 pages of cut-out slips, each with the campaign, the category, the code in
groups, a short instruction and a QR code that opens ``{BASE_URL}/b/#CODE``.

QR codes are encoded with ``qrcode`` and drawn as one vector path per code (runs of dark
modules merged into rectangles); reportlab's own QR widget is about 25 times slower.
Chinese prints with reportlab's built-in CID font (no font files needed) or, when
``KAOPING_PDF_FONT`` names a TrueType/OpenType CJK font, with that font embedded.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ballots.codes import display
from ballots.service import Slip

COLUMNS, ROWS = 2, 5
MARGIN = 24.0
QR_SIZE = 96.0
BUILTIN_CJK_FONT = "STSong-Light"

INSTRUCTIONS = {
    "zh_CN": ["用手机扫描右侧二维码，或在浏览器打开", "{url} 输入测评码。", "每个测评码只能提交一次，请勿转借他人。"],
    "en": ["Scan the QR code with a phone, or open", "{url} and type the code.", "Each code submits one ballot only."],
}
LABELS = {
    "zh_CN": {"category": "测评类别：", "code": "测评码"},
    "en": {"category": "Category: ", "code": "Code"},
}


@lru_cache(maxsize=4)
def font_name(font_path: str | None) -> str:
    """Register the configured CJK font (embedded) or the built-in CID font; return its name."""
    if font_path:
        path = Path(font_path)
        name = "KaopingCJK-" + path.stem
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
        return name
    pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN_CJK_FONT))
    return BUILTIN_CJK_FONT


FIXED_MASK = 2  # any mask decodes; choosing one skips qrcode's 8-way mask search (5x faster)


@lru_cache(maxsize=64)
def _version_for_length(length: int) -> int:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data("x" * length)
    qr.make(fit=True)
    return qr.version


def qr_runs(data: str) -> tuple[int, list[tuple[int, int, int]]]:
    """The QR matrix as horizontal runs of dark modules: (row, first column, length)."""
    qr = qrcode.QRCode(version=_version_for_length(len(data.encode())), error_correction=ERROR_CORRECT_M,
                       border=0, mask_pattern=FIXED_MASK)
    qr.add_data(data)
    qr.make(fit=False)
    matrix = qr.get_matrix()
    runs: list[tuple[int, int, int]] = []
    for y, row in enumerate(matrix):
        x = 0
        width = len(row)
        while x < width:
            if row[x]:
                start = x
                while x < width and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return len(matrix), runs


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw a QR code whose lower-left corner is (x, y), with a white quiet zone around it."""
    modules, runs = qr_runs(data)
    quiet = 4
    cell = size / (modules + 2 * quiet)
    top = y + size - quiet * cell
    left = x + quiet * cell
    path = canvas.beginPath()
    for row, column, length in runs:
        path.rect(left + column * cell, top - (row + 1) * cell, length * cell, cell)
    canvas.drawPath(path, stroke=0, fill=1)


def write_slips(out: BinaryIO, campaign_name: str, slips: Iterable[Slip], *, base_url: str,
                locale: str = "zh_CN", font_path: str | None = None) -> int:
    """Write the slips PDF to ``out``; return the number of pages."""
    font = font_name(font_path)
    labels, instructions = LABELS.get(locale, LABELS["zh_CN"]), INSTRUCTIONS.get(locale, INSTRUCTIONS["zh_CN"])
    ballot_url = f"{base_url.rstrip('/')}/b/"
    page_width, page_height = A4
    slip_width = (page_width - 2 * MARGIN) / COLUMNS
    slip_height = (page_height - 2 * MARGIN) / ROWS
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(campaign_name)
    canvas.setCreator("Kaoping")
    per_page = COLUMNS * ROWS
    pages = 0
    index = 0
    for index, slip in enumerate(slips):
        position = index % per_page
        if position == 0:
            if index:
                canvas.showPage()
            pages += 1
            _cut_lines(canvas, slip_width, slip_height)
        column, row = position % COLUMNS, position // COLUMNS
        x = MARGIN + column * slip_width
        y = page_height - MARGIN - (row + 1) * slip_height
        _slip(canvas, slip, x, y, slip_width, slip_height, campaign_name, ballot_url, font, labels, instructions)
    if pages == 0:
        pages = 1
    canvas.showPage()
    canvas.save()
    return pages


def _cut_lines(canvas: Canvas, slip_width: float, slip_height: float) -> None:
    page_width, page_height = A4
    canvas.saveState()
    canvas.setDash(4, 3)
    canvas.setLineWidth(0.4)
    canvas.setStrokeGray(0.55)
    for column in range(COLUMNS + 1):
        x = MARGIN + column * slip_width
        canvas.line(x, MARGIN, x, page_height - MARGIN)
    for row in range(ROWS + 1):
        y = MARGIN + row * slip_height
        canvas.line(MARGIN, y, page_width - MARGIN, y)
    canvas.restoreState()


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> str:
    while text and canvas.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text


def _slip(canvas: Canvas, slip: Slip, x: float, y: float, width: float, height: float, campaign_name: str,
          ballot_url: str, font: str, labels: dict, instructions: list[str]) -> None:
    pad = 12.0
    text_width = width - QR_SIZE - 3 * pad
    top = y + height - pad
    canvas.setFont(font, 11)
    canvas.drawString(x + pad, top - 11, _fit(canvas, campaign_name, font, 11, text_width))
    canvas.setFont(font, 9)
    canvas.drawString(x + pad, top - 27, _fit(canvas, labels["category"] + slip.category, font, 9, text_width))
    canvas.setFont(font, 8)
    canvas.drawString(x + pad, top - 47, labels["code"])
    canvas.setFont("Courier-Bold", 15)
    canvas.drawString(x + pad, top - 64, display(slip.code))
    canvas.setFont(font, 7)
    for line_number, line in enumerate(instructions):
        canvas.drawString(x + pad, y + pad + 20 - line_number * 10, _fit(canvas, line.format(url=ballot_url), font, 7,
                                                                         text_width))
    draw_qr(canvas, f"{ballot_url}#{display(slip.code)}", x + width - QR_SIZE - pad, y + (height - QR_SIZE) / 2,
            QR_SIZE)
