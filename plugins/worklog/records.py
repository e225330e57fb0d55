"""A person's work records for a period, as a spreadsheet (.xlsx) and a printable PDF.

``person_records`` reads the entries of one person whose period starts within ``period`` (a
week, month, quarter, half-year or year: a quarter holds its weeks, months and the quarter's
own entries), oldest first, with the history's rule for who reads what: the author sees their
drafts too, every other reader (their supervising leaders, the office, colleagues where the
locality allows it) the submitted entries only; a person they may not read is a 404.

``GET /api/localities/{code}/worklog/people/{person_id}/records.xlsx?period=`` and
``.../records.pdf`` answer the files, in the language of ``lang`` (``zh-CN`` by default, or
``en``). The office's completion page links to them for each person.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Annotated, Any
from xml.sax.saxutils import escape

from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter
from pydantic import BaseModel
from sqlmodel import col, select

from core.context import Actor, AppContext
from core.i18n import LOCALES_DIR, normalize_locale
from core.models import Person, Unit
from core.services.errors import NotFound
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode
from plugins.worklog import HERE
from plugins.worklog.models import KIND_LABELS, EntryKind, EntryStatus, WorkEntry
from plugins.worklog.queries import NO_PERSON, can_read, parse_period, scope

MAX_ENTRIES = 1000  # a year of daily, weekly, monthly and quarterly entries fits many times
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_WORDS = {EntryStatus.draft: "Draft", EntryStatus.submitted: "Submitted"}


class RecordRow(BaseModel):
    kind: EntryKind
    period: str
    status: EntryStatus
    body: str
    versions: int
    submitted_at: datetime | None


class PersonRecords(BaseModel):
    person_id: int
    person_name: str
    unit_name: str | None
    period: str
    entries: list[RecordRow]


def person_records(ctx: AppContext, actor: Actor, code: str, person_id: int, period: Any) -> PersonRecords:
    """``person_id``'s entries of ``period`` (the module docstring's rule). 404 for a person the
    actor may not read or of another locality; 422 for a bad period."""
    when = parse_period(period)
    with ctx.db.read() as session:
        locality, mine = scope(session, actor, code, read_only=True)
        person = session.get(Person, person_id)
        if person is None or person.locality_id != locality.id or not can_read(session, actor, locality, person):
            raise NotFound(NO_PERSON, params={"person_id": person_id})
        where = [
            WorkEntry.locality_id == locality.id,
            WorkEntry.person_id == person.id,
            col(WorkEntry.period_start) >= when.start,
            col(WorkEntry.period_start) <= when.end,
        ]
        if mine is None or mine.id != person.id:
            where.append(WorkEntry.status == EntryStatus.submitted.value)
        entries = session.exec(
            select(WorkEntry)
            .where(*where)
            .order_by(col(WorkEntry.period_start), col(WorkEntry.kind), col(WorkEntry.id))
            .limit(MAX_ENTRIES)
        ).all()
        unit = session.get(Unit, person.unit_id) if person.unit_id is not None else None
        return PersonRecords(
            person_id=person.id,
            person_name=person.name,
            unit_name=unit.name if unit else None,
            period=str(when),
            entries=[
                RecordRow(
                    kind=EntryKind(e.kind),
                    period=e.period,
                    status=EntryStatus(e.status),
                    body=e.body,
                    versions=e.versions,
                    submitted_at=e.submitted_at,
                )
                for e in entries
            ],
        )


def _title(data: PersonRecords, tr) -> str:
    return tr.gettext("Work records of {name}, {period}", name=data.person_name, period=data.period)


def _rows(data: PersonRecords, tr) -> tuple[list[str], list[list[Any]]]:
    header = [tr.gettext("Period"), tr.gettext("Kind"), tr.gettext("Status"), tr.gettext("Submitted at")]
    header.append(tr.gettext("Content"))
    rows = [
        [
            e.period,
            tr.gettext(KIND_LABELS[e.kind]),
            tr.gettext(STATUS_WORDS[e.status]),
            tr.datetime(e.submitted_at) if e.submitted_at else "",
            e.body,
        ]
        for e in data.entries
    ]
    return header, rows


def workbook(data: PersonRecords, tr) -> bytes:
    """An .xlsx: the person, unit and period, then one row an entry."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    from core.tabular.writer import append_row

    header, rows = _rows(data, tr)
    book = Workbook()
    sheet = book.active
    sheet.title = tr.gettext("Work records")
    append_row(sheet, [_title(data, tr)])
    append_row(sheet, [tr.gettext("Unit"), data.unit_name or ""])
    append_row(sheet, header)
    for row in rows:
        append_row(sheet, row)
    sheet.column_dimensions["E"].width = 80
    for (cell,) in sheet.iter_rows(min_row=4, min_col=5, max_col=5):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(data: PersonRecords, tr, font_path=None) -> bytes:
    """A printable A4 PDF: a heading per entry (period, kind, status, when submitted) and its text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from core.pdf_fonts import cjk_font

    font = cjk_font(font_path)
    body = ParagraphStyle("body", fontName=font.name, fontSize=10, leading=15, wordWrap="CJK")
    heading = ParagraphStyle("heading", parent=body, fontSize=11, leading=16, spaceBefore=8, spaceAfter=3)
    title = ParagraphStyle("title", parent=body, fontSize=15, leading=22, spaceAfter=6)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm, bottomMargin=15 * mm
    )
    story: list = [Paragraph(escape(_title(data, tr)), title)]
    if data.unit_name:
        story.append(Paragraph(escape(f"{tr.gettext('Unit')}: {data.unit_name}"), body))
    story.append(Spacer(1, 4 * mm))
    _header, rows = _rows(data, tr)
    for period, kind, status, submitted, text in rows:
        line = " · ".join(part for part in (period, kind, status, submitted) if part)
        story.append(Paragraph(escape(line), heading))
        story.append(Paragraph(escape(text).replace("\n", "<br/>") or "—", body))
    if not rows:
        story.append(Paragraph(escape(tr.gettext("No entries in this period.")), body))
    document.title = _title(data, tr)
    document.build(story)
    return out.getvalue()


PeriodQuery = Annotated[
    str, QueryParameter(min_length=1, max_length=50, description="A week, month, quarter, half-year or year")
]
LangQuery = Annotated[str | None, QueryParameter(max_length=10, description="zh-CN (default) or en")]


class RecordsController(Controller):
    path = "/api/localities/{code:str}/worklog/people/{person_id:int}"
    tags = ["worklog"]
    opt = {"locales_dirs": (HERE / "locales", LOCALES_DIR)}

    def _file(self, request: Request, ctx, actor, code, person_id, period, lang, kind: str) -> Response:
        from core.web.downloads import attachment
        from core.web.i18n import request_translator

        data = person_records(ctx, actor, code, person_id, period)
        tr = request_translator(request, normalize_locale(lang))
        if kind == "xlsx":
            content, media = workbook(data, tr), XLSX
        else:
            content, media = pdf(data, tr, ctx.settings.pdf_font), "application/pdf"
        name = attachment(
            tr,
            "worklog-{person}-{period}",
            f".{kind}",
            person=data.person_id,
            name=data.person_name,
            period=data.period,
        )
        return Response(content, media_type=media, headers={"Content-Disposition": name})

    @get(
        "/records.xlsx",
        sync_to_thread=True,
        summary="A person's work records of a period as a spreadsheet (.xlsx)",
        media_type=XLSX,
    )
    def records_xlsx(
        self,
        request: Request,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        person_id: ItemId,
        period: PeriodQuery,
        lang: LangQuery = None,
    ) -> Response:
        return self._file(request, ctx, actor, code, person_id, period, lang, "xlsx")

    @get(
        "/records.pdf",
        sync_to_thread=True,
        summary="A person's work records of a period as a printable PDF",
        media_type="application/pdf",
    )
    def records_pdf(
        self,
        request: Request,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        person_id: ItemId,
        period: PeriodQuery,
        lang: LangQuery = None,
    ) -> Response:
        return self._file(request, ctx, actor, code, person_id, period, lang, "pdf")
