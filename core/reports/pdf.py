"""The results report for the party committee, as PDF (reportlab platypus).

A4 portrait: a cover (campaign, locality, period, date), the turnout, the campaign's rule and
policies in words, the ranking per subject category, then one page per subject with its score
per evaluator category, its per-indicator table and radar chart (from the same numbers), the
grade distribution of its ballots and any adjustment with its reason. Every page but the cover
is numbered "第 N 页 共 M 页" ("Page N of M"). Chinese is drawn with ``core.pdf_fonts.cjk_font``
(embedded when the machine has a CJK font file).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.pdf_fonts import CJKFont, cjk_font
from core.reports import charts
from core.reports.data import ReportData
from core.reports.layout import Content, report_content
from core.reports.words import translator

MARGIN = 20 * mm


def _styles(font: CJKFont) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font.name, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#555555")),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "title": ParagraphStyle("title", parent=base, fontSize=24, leading=34, alignment=1, spaceAfter=12),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=13, leading=22, alignment=1),
        "h1": ParagraphStyle("h1", parent=base, fontSize=15, leading=22, spaceBefore=6, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4),
    }


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


SHORT = 8  # cells of at most this many characters are drawn as plain strings (no wrapping needed)


def _cell(value: Any, style: ParagraphStyle) -> Any:
    """Short text as a plain string (a Paragraph costs a parse per cell: most of a long report's
    time), longer text as a Paragraph that wraps."""
    text = "" if value is None else str(value)
    return text if len(text) <= SHORT and "\n" not in text else _paragraph(text, style)


def _table(
    header: list[str],
    rows: list[list[Any]],
    styles: dict[str, ParagraphStyle],
    widths: list[float] | None = None,
    total_row: bool = False,
) -> Table:
    cell = styles["cell"]
    data = [[_paragraph(str(h), cell) for h in header]]
    data += [[_cell(v, cell) for v in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
        ("FONTNAME", (0, 0), (-1, -1), cell.fontName),
        ("FONTSIZE", (0, 0), (-1, -1), cell.fontSize),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if total_row:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f4f4f4")))
    table.setStyle(TableStyle(commands))
    return table


class _NumberedCanvas(Canvas):
    """Holds every page until the end, so each can say how many pages there are."""

    page_text = "Page {page} of {pages}"
    font_name = "Helvetica"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            if number > 1:  # the cover has no number
                self.setFont(self.font_name, 9)
                self.drawCentredString(A4[0] / 2, 10 * mm, self.page_text.format(page=number, pages=total))
            super().showPage()
        super().save()


def _flowables(content: Content, font: CJKFont, styles: dict[str, ParagraphStyle]) -> list:
    width = A4[0] - 2 * MARGIN
    story: list = [Spacer(1, 50 * mm), _paragraph(content.title, styles["title"])]
    story += [_paragraph(line, styles["subtitle"]) for line in content.cover_lines]
    if not font.embedded:
        story += [Spacer(1, 20 * mm), _paragraph(content.no_font_note, styles["small"])]
    story.append(PageBreak())
    for section in content.sections:
        story.append(_paragraph(section.heading, styles["h1"]))
        for block in section.blocks:
            story += _block(block, font, styles, width)
        if section.page_break:
            story.append(PageBreak())
    return story


def _block(block: dict[str, Any], font: CJKFont, styles: dict[str, ParagraphStyle], width: float) -> list:
    kind = block["kind"]
    if kind == "heading":
        return [_paragraph(block["text"], styles["h2"])]
    if kind == "text":
        return [_paragraph(block["text"], styles["body"])]
    if kind == "note":
        return [Spacer(1, 2 * mm), _paragraph(block["text"], styles["small"])]
    if kind == "list":
        return [_paragraph("• " + line, styles["body"]) for line in block["lines"]]
    if kind == "table":
        widths = [width * share for share in block["widths"]] if block.get("widths") else None
        return [
            _table(block["header"], block["rows"], styles, widths, block.get("total_row", False)),
            Spacer(1, 3 * mm),
        ]
    if kind == "radar":
        drawing = charts.radar(block["indicators"], font, width=width * 0.8, height=72 * mm)
        if drawing is None:
            return [_paragraph(block["too_few"], styles["small"])]
        return [KeepTogether([drawing, _paragraph(block["caption"], styles["small"])])]
    raise ValueError(f"unknown block {kind!r}")


def report_pdf(data: ReportData, locale: str = "zh_CN", font_path: Path | str | None = None) -> bytes:
    """The PDF report of ``data`` in ``locale`` (``zh_CN`` or ``en``), as bytes; ``font_path``
    is the configured CJK font (``KAOPING_PDF_FONT``), else one is looked for (core.pdf_fonts)."""
    tr = translator(locale)
    font = cjk_font(font_path)
    content = report_content(data, tr)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=content.title,
        author=data.campaign.get("locality_name") or "",
        creator="Kaoping",
    )

    class Numbered(_NumberedCanvas):
        page_text = content.page_text
        font_name = font.name

    document.build(_flowables(content, font, _styles(font)), canvasmaker=Numbered)
    return buffer.getvalue()
