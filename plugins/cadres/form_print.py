"""The appointment and removal form (干部任免审批表) printed: as PDF (reportlab, with the CJK
font the core's PDFs use, ``core.pdf_fonts``) and as Word (python-docx), in the standard layout.

Page one: name, gender, birth month and age, the photo box (with the photo kept, ``photo``,
when there is one that decodes), ethnicity, native place, birthplace,
party and work dates, health, professional title and expertise, full-time and in-service
education with school and major, current, proposed and removed posts, and the résumé. Page two:
rewards and punishments, annual assessment results, the reason, the family members and important
social relations, the reporting unit and the approving bodies' opinions. The form is Chinese,
whatever the reader's language: it is a fixed official form. The free texts and the family run
on over as many pages as they need (in the PDF, tables of short rows that reportlab can break).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

from core.pdf_fonts import cjk_font
from plugins.cadres.appointment_form import FormData

TITLE = "干部任免审批表"
EAST_ASIAN_FONT = "SimSun"
MIN_FAMILY_ROWS = 6  # the printed form has room for at least this many
PHOTO_BOX_MM = (26, 35)  # the photo's room in the box (a 2-inch photo is 35 x 49 mm: scaled down)
MAX_PHOTO_PIXELS = 25_000_000  # a photo larger than this is left out (a decompression bomb, not a photo)
PHOTO_CELL = (6, 0)


def _dotted(text: str) -> str:
    """``197603`` as printed: ``1976.03`` (``20261130``: ``2026.11.30``)."""
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}.{text[4:6]}.{text[6:]}"
    return f"{text[:4]}.{text[4:6]}" if len(text) == 6 and text.isdigit() else text


def _age(form: FormData) -> str:
    birth = _dotted(form.profile.fields.get("ChuShengNianYue", ""))
    return f"{birth}\n（{form.age}岁）" if birth and form.age is not None else birth


def _family_rows(form: FormData) -> list[list[str]]:
    rows = [[m.relation, m.name, _dotted(m.birth_text), m.politics, m.unit_and_post] for m in form.profile.family]
    return rows + [[""] * 5] * max(0, MIN_FAMILY_ROWS - len(rows))


def photo_size(photo: bytes | None) -> tuple[float, float] | None:
    """The photo's printed size in mm, fitting ``PHOTO_BOX_MM`` with its proportions; None when
    there is no photo, or it does not decode as a JPEG or PNG of a sensible size (the box is then
    left with its caption, as on a form without a photo)."""
    if not photo:
        return None
    try:
        with PILImage.open(io.BytesIO(photo)) as image:
            if image.format not in ("JPEG", "PNG"):
                return None
            width, height = image.size
            if not (0 < width * height <= MAX_PHOTO_PIXELS):
                return None
            image.load()  # decodes: a truncated or damaged file is left out here, not in the printer
    except (OSError, ValueError, PILImage.DecompressionBombError, SyntaxError):
        return None
    scale = min(PHOTO_BOX_MM[0] / width, PHOTO_BOX_MM[1] / height)
    return width * scale, height * scale


def page_one(form: FormData) -> tuple[list[list[str]], list[tuple]]:
    """Page one as a 7-column grid of texts and its spans ``((col, row), (col, row))``."""
    f = form.profile.fields
    grid = [
        ["姓名", f["XingMing"], "性别", f["XingBie"], "出生年月\n（岁）", _age(form), "照片"],
        ["民族", f["MinZu"], "籍贯", f["JiGuan"], "出生地", f["ChuShengDi"], ""],
        ["入党时间", _dotted(f["RuDangShiJian"]), "参加工作时间", _dotted(f["CanJiaGongZuoShiJian"]), "健康状况", f["JianKangZhuangKuang"], ""],
        ["专业技术职务", f["ZhuanYeJiShuZhiWu"], "", "熟悉专业\n有何专长", f["ShuXiZhuanYeYouHeZhuanChang"], "", ""],
        ["学历\n学位", "全日制\n教育", " ".join(filter(None, (f["QuanRiZhiJiaoYu_XueLi"], f["QuanRiZhiJiaoYu_XueWei"]))), "", "毕业院校\n系及专业", f["QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi"], ""],
        ["", "在职\n教育", " ".join(filter(None, (f["ZaiZhiJiaoYu_XueLi"], f["ZaiZhiJiaoYu_XueWei"]))), "", "毕业院校\n系及专业", f["ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi"], ""],
        ["现任职务", f["XianRenZhiWu"], "", "", "", "", ""],
        ["拟任职务", f["NiRenZhiWu"], "", "", "", "", ""],
        ["拟免职务", f["NiMianZhiWu"], "", "", "", "", ""],
        ["简\n\n历", f["JianLi"], "", "", "", "", ""],
    ]  # fmt: skip
    spans = [
        ((6, 0), (6, 3)),  # the photo box
        ((1, 3), (2, 3)),
        ((4, 3), (6, 3)),
        ((0, 4), (0, 5)),
        ((2, 4), (3, 4)),
        ((5, 4), (6, 4)),
        ((2, 5), (3, 5)),
        ((5, 5), (6, 5)),
        *(((1, row), (6, row)) for row in range(6, 10)),
    ]
    return grid, spans


# --- PDF ------------------------------------------------------------------------------------------

WIDTHS_MM = (20, 28, 22, 26, 24, 30, 30)  # 180 mm on A4 with 15 mm margins


CHUNK = 240  # characters of a free text per table row, so that every row fits on a page


def _chunks(text: str) -> list[str]:
    """A free text in pieces a table row each: its lines, long lines cut at ``CHUNK``."""
    pieces = [line[i : i + CHUNK] for line in text.split("\n") for i in range(0, max(len(line), 1), CHUNK)]
    return pieces or [""]


def form_pdf(form: FormData, font_path: Path | str | None = None) -> bytes:
    """The form as an A4 PDF: page one the facts and the résumé, then the rest. The free texts
    (résumé, rewards, assessment, reason) and the family run on over as many pages as they
    need: each is a table of short rows, so reportlab always finds a place to break."""
    font = cjk_font(font_path)
    cell = ParagraphStyle("cell", fontName=font.name, fontSize=10, leading=14, wordWrap="CJK")
    label = ParagraphStyle("label", parent=cell, alignment=1)
    title = ParagraphStyle("title", parent=cell, fontSize=20, leading=30, alignment=1, spaceAfter=6)

    def para(text: str, style: ParagraphStyle) -> Paragraph | str:
        return Paragraph(escape(text).replace("\n", "<br/>"), style) if text else ""

    def grid_table(grid: list[list[str]], spans: list[tuple], widths=WIDTHS_MM, pictures=None) -> Table:
        data = [
            [
                (pictures or {}).get((c, r)) or para(text, label if _is_label(grid, c, r) else cell)
                for c, text in enumerate(row)
            ]
            for r, row in enumerate(grid)
        ]
        made = Table(data, colWidths=[w * mm for w in widths], repeatRows=0)
        made.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                    ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    *(("ALIGN", at, at, "CENTER") for at in (pictures or {})),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                    *(("SPAN", a, b) for a, b in spans),
                ]
            )
        )
        return made

    def text_block(caption: str, text: str, min_rows: int = 1) -> Table:
        """A captioned free text: the caption in the first row, the text in rows of its own,
        drawn as one cell (no lines between the rows)."""
        pieces = _chunks(text)
        pieces += [""] * max(0, min_rows - len(pieces))
        data = [[para(caption if i == 0 else "", label), para(piece, cell)] for i, piece in enumerate(pieces)]
        made = Table(data, colWidths=[WIDTHS_MM[0] * mm, (sum(WIDTHS_MM) - WIDTHS_MM[0]) * mm])
        made.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                    ("LINEAFTER", (0, 0), (0, -1), 0.6, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return made

    f = form.profile.fields
    one, one_spans = page_one(form)
    family = [
        ["家庭主要成员及重要社会关系", "", "", "", ""],
        ["称谓", "姓名", "出生年月", "政治面貌", "工作单位及职务"],
    ]
    family += _family_rows(form)
    family_table = grid_table(family, [((0, 0), (4, 0))], widths=(20, 28, 24, 24, 84))
    family_table.repeatRows = 2
    closing = [
        ["呈报单位", f["ChengBaoDanWei"], "", "", "填表时间", _dotted(f["TianBiaoShiJian"]), ""],
        ["审批机关意见", "", "", "", "行政机关任免意见", "", ""],
    ]
    closing_spans = [((1, r), (3, r)) for r in range(2)] + [((5, r), (6, r)) for r in range(2)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{TITLE} {form.profile.name}",
    )
    doc.build(
        [
            Paragraph(TITLE, title),
            grid_table(one[:9], [span for span in one_spans if span[1][1] < 9], pictures=_pdf_photo(form)),
            text_block("简历", f["JianLi"], min_rows=12),
            PageBreak(),
            text_block("奖惩情况", f["JiangChengQingKuang"], min_rows=4),
            text_block("年度考核结果", f["NianDuKaoHeJieGuo"], min_rows=2),
            text_block("任免理由", f["RenMianLiYou"], min_rows=2),
            family_table,
            grid_table(closing, closing_spans),
        ]
    )
    return buffer.getvalue()


def _pdf_photo(form: FormData) -> dict[tuple[int, int], Image]:
    size = photo_size(form.profile.photo)
    if size is None:
        return {}
    return {PHOTO_CELL: Image(io.BytesIO(form.profile.photo), width=size[0] * mm, height=size[1] * mm)}


def _is_label(grid: list[list[str]], col: int, row: int) -> bool:
    """The form's printed captions: the first column, and the fixed captions elsewhere."""
    text = grid[row][col]
    return col == 0 or text in CAPTIONS


CAPTIONS = frozenset(
    {
        "性别",
        "籍贯",
        "参加工作时间",
        "出生年月\n（岁）",
        "出生地",
        "健康状况",
        "熟悉专业\n有何专长",
        "全日制\n教育",
        "在职\n教育",
        "毕业院校\n系及专业",
        "照片",
        "称谓",
        "姓名",
        "出生年月",
        "政治面貌",
        "工作单位及职务",
        "填表时间",
        "行政机关\n任免意见",
        "行政机关任免意见",
        "家庭主要成员及重要社会关系",
    }
)


# --- Word -----------------------------------------------------------------------------------------


def _cell_text(cell: Any, text: str, bold: bool = False, centred: bool = False) -> None:
    paragraphs = text.split("\n") if text else [""]
    cell.text = ""
    first = cell.paragraphs[0]
    for index, line in enumerate(paragraphs):
        paragraph = first if index == 0 else cell.add_paragraph()
        run = paragraph.add_run(line)
        run.bold = bold
        if centred:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _word_table(document: Any, grid: list[list[str]], spans: list[tuple], widths=WIDTHS_MM) -> Any:
    """A grid as a Word table: each row's cells read once (``table.cell`` is slow on big tables)."""
    table = document.add_table(rows=len(grid), cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    covered: set[tuple[int, int]] = set()
    for (c0, r0), (c1, r1) in spans:
        covered |= {(c, r) for c in range(c0, c1 + 1) for r in range(r0, r1 + 1)} - {(c0, r0)}
    for r, (row, cells) in enumerate(zip(grid, (row.cells for row in table.rows), strict=True)):
        for c, (text, cell) in enumerate(zip(row, cells, strict=True)):
            cell.width = Mm(widths[c])
            if (c, r) not in covered:
                _cell_text(cell, text, centred=_is_label(grid, c, r))
    for (c0, r0), (c1, r1) in spans:
        table.cell(r0, c0).merge(table.cell(r1, c1))
    return table


def form_docx(form: FormData) -> bytes:
    """The form as a Word document (A4, SimSun for Chinese: Word substitutes where it is missing)."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    r_pr = style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.append(fonts)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(TITLE)
    run.bold, run.font.size = True, Pt(20)
    first = _word_table(document, *page_one(form))
    size = photo_size(form.profile.photo)
    if size is not None:  # the photo in place of the box's caption
        box = first.cell(PHOTO_CELL[1], PHOTO_CELL[0])
        for extra in box.paragraphs[1:]:
            extra._element.getparent().remove(extra._element)
        paragraph = box.paragraphs[0]
        for run in paragraph.runs:
            run._element.getparent().remove(run._element)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run().add_picture(io.BytesIO(form.profile.photo), width=Mm(size[0]), height=Mm(size[1]))
    document.add_page_break()
    f = form.profile.fields
    text_rows = [
        ["奖惩\n情况", f["JiangChengQingKuang"]],
        ["年度考核\n结果", f["NianDuKaoHeJieGuo"]],
        ["任免\n理由", f["RenMianLiYou"]],
    ]
    _word_table(document, text_rows, [], widths=(WIDTHS_MM[0], sum(WIDTHS_MM) - WIDTHS_MM[0]))
    family = [
        ["家庭主要成员及重要社会关系", "", "", "", ""],
        ["称谓", "姓名", "出生年月", "政治面貌", "工作单位及职务"],
    ]
    _word_table(document, family + _family_rows(form), [((0, 0), (4, 0))], widths=(20, 28, 24, 24, 84))
    closing = [
        ["呈报单位", f["ChengBaoDanWei"], "", "", "填表时间", _dotted(f["TianBiaoShiJian"]), ""],
        ["审批机关意见", "", "", "", "行政机关任免意见", "", ""],
    ]
    _word_table(document, closing, [((1, r), (3, r)) for r in range(2)] + [((5, r), (6, r)) for r in range(2)])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
