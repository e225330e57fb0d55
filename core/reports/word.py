"""The results report as a Word document (.docx, python-docx), with the same content as the PDF
(``core.reports.layout``), for offices that edit a report in Word or WPS before filing it.

Text is set in SimSun (宋体) for Chinese and Times New Roman otherwise, fonts every Word and WPS
installation has; the footer numbers the pages with Word fields ("第 N 页 共 M 页"), the cover
has none. Radar charts are the PDF's drawings rendered to PNG when this server can
(``charts.png_available``); otherwise the report says so under the numbers table.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from core.pdf_fonts import CJKFont, cjk_font
from core.reports import charts
from core.reports.data import ReportData
from core.reports.layout import Content, report_content
from core.reports.words import translator

EAST_ASIAN_FONT = "SimSun"
LATIN_FONT = "Times New Roman"
CHART_WIDTH = Cm(13)


def _fonts(document: Any) -> None:
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = document.styles[name]
        style.font.name = LATIN_FONT
        r_pr = style.element.get_or_add_rPr()
        fonts = r_pr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            r_pr.append(fonts)
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
        fonts.set(qn("w:ascii"), LATIN_FONT)
        fonts.set(qn("w:hAnsi"), LATIN_FONT)
    document.styles["Normal"].font.size = Pt(10.5)


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) at the end of ``paragraph``; Word and WPS fill it in."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _footer(document: Any, page_text: str) -> None:
    section = document.sections[0]
    section.different_first_page_header_footer = True  # the cover is not numbered
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in re.split(r"(\{page\}|\{pages\})", page_text):
        if part == "{page}":
            _field(paragraph, "PAGE")
        elif part == "{pages}":
            _field(paragraph, "NUMPAGES")
        elif part:
            paragraph.add_run(part)


def _paragraph(document: Any, text: str = "", style_id: str | None = None) -> Any:
    """A paragraph of ``text`` in the style ``style_id`` ("Heading1", "ListBullet", ...), set by
    its id: python-docx looks a style up by name through every style of the document, each time
    (a report of 150 subjects spent a quarter of its time there)."""
    paragraph = document.add_paragraph(text)
    if style_id:
        paragraph._p.style = style_id
    return paragraph


def _table(document: Any, block: dict[str, Any]) -> None:
    header, rows = block["header"], block["rows"]
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table._tbl.tblStyle_val = "TableGrid"
    # a new cell holds one empty paragraph: add the text to it (``cell.text`` clears the cell first,
    # an XPath search per cell)
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].add_run(str(text)).bold = True
    for index, row in enumerate(rows, start=1):
        for cell, value in zip(table.rows[index].cells, row, strict=True):
            if value is not None and value != "":
                cell.paragraphs[0].add_run(str(value))
    document.add_paragraph()


def _note(document: Any, text: str) -> None:
    run = document.add_paragraph().add_run(text)
    run.font.size = Pt(8.5)
    run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)


def _block(document: Any, block: dict[str, Any], font: CJKFont, content: Content) -> None:
    kind = block["kind"]
    if kind == "heading":
        _paragraph(document, block["text"], "Heading2")
    elif kind == "text":
        document.add_paragraph(block["text"])
    elif kind == "note":
        _note(document, block["text"])
    elif kind == "list":
        for line in block["lines"]:
            _paragraph(document, line, "ListBullet")
    elif kind == "table":
        _table(document, block)
    elif kind == "radar":
        drawing = charts.radar(block["indicators"], font)
        if drawing is None:
            _note(document, block["too_few"])
        elif charts.png_available(font):
            picture = _paragraph(document)
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture.add_run().add_picture(io.BytesIO(charts.png(drawing)), width=CHART_WIDTH)
            _note(document, block["caption"])
        else:
            _note(document, content.no_chart_note)
    else:
        raise ValueError(f"unknown block {kind!r}")


def report_docx(data: ReportData, locale: str = "zh_CN", font_path: Path | str | None = None) -> bytes:
    """The .docx report of ``data`` in ``locale`` (``zh_CN`` or ``en``), as bytes. ``font_path``:
    the configured CJK font (``KAOPING_PDF_FONT``) the radar charts are drawn with."""
    tr = translator(locale)
    font = cjk_font(font_path)
    content = report_content(data, tr)
    document = Document()
    document.core_properties.title = content.title
    document.core_properties.author = data.campaign.get("locality_name") or ""
    _fonts(document)
    _footer(document, content.page_text)
    for _ in range(6):
        document.add_paragraph()
    title = _paragraph(document, content.title, "Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in content.cover_lines:
        paragraph = document.add_paragraph(line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_page_break()
    for section in content.sections:
        _paragraph(document, section.heading, "Heading1")
        for block in section.blocks:
            _block(document, block, font, content)
        if section.page_break:
            document.add_page_break()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
