"""Completion of work records for the office: per unit and period, who has submitted (on time or
late) and who has not, as data, an .xlsx and a PDF.

**Statuses** of a person's entry of one kind for one period: ``submitted`` (on time),
``late`` (submitted after the deadline: the period's last working day at the locality's hour,
``plugins.worklog.reminders.deadline``; the same rule for plans), ``missing`` (no submitted
entry: a draft counts as missing). People are those of the locality with a unit.

**Who**: the office (``office``, ``platform_admin``, and an office granted to read the
locality); others 403, another locality 404. A unit of another locality: 404.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import Person, Unit
from core.services.access import OFFICE_ROLES, locality_for
from core.services.errors import Forbidden, Invalid, NotFound
from plugins.worklog.models import KIND_LABELS, EntryKind, EntryStatus, WorkEntry
from plugins.worklog.reminders import deadline, reminder_options
from plugins.worklog.service import kinds_for, options_of, parse_period

MAX_ROWS = 5000  # people listed at once (a unit); the summary covers any number


class KindCount(BaseModel):
    submitted: int  # on time
    late: int
    missing: int


class UnitCompletion(BaseModel):
    unit_id: int
    unit_name: str
    people: int
    kinds: dict[str, KindCount]


class PersonCompletion(BaseModel):
    """A person's entries: per kind ``submitted``, ``late`` or ``missing`` and when submitted."""

    person_id: int
    person_name: str
    unit_id: int
    status: dict[str, str]
    submitted_at: dict[str, datetime | None]


class Completion(BaseModel):
    period: str
    kinds: list[EntryKind]
    deadlines: dict[str, datetime]
    units: list[UnitCompletion]
    unit_id: int | None  # the unit whose people are listed (null: none listed)
    rows: list[PersonCompletion]


def completion(ctx: AppContext, actor: Actor, code: str, period: Any, unit_id: int | None = None) -> Completion:
    """The summary per unit of ``period`` (a week, month or quarter), and the people of
    ``unit_id`` if given. 422 for another kind of period."""
    if actor.role not in OFFICE_ROLES:
        raise Forbidden("your role ({role}) may not read the completion of work records", params={"role": actor.role})
    when = parse_period(period)
    kinds = kinds_for(when)
    if not kinds:
        raise Invalid(
            "period: work records are kept by week, month or quarter, not {period}",
            params={"period": str(when)},
            errors=[{"field": "period", "message": "not a week, month or quarter"}],
        )
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        _on, grace, hour = reminder_options(options_of(session, locality.id))
        due = deadline(when, ctx.settings.timezone, grace_workdays=grace, hour=hour).astimezone(UTC)
        units = session.exec(
            select(Unit.id, Unit.name).where(Unit.locality_id == locality.id).order_by(col(Unit.code))
        ).all()
        if unit_id is not None and unit_id not in {u for u, _ in units}:
            raise NotFound("no unit with id {unit_id}", params={"unit_id": unit_id})
        people = dict(
            session.exec(
                select(Person.unit_id, func.count())
                .where(Person.locality_id == locality.id, col(Person.unit_id).is_not(None))
                .group_by(Person.unit_id)
            ).all()
        )
        counted: dict[tuple[int, str], tuple[int, int]] = {}
        for uid, kind, total, late in session.exec(
            select(
                Person.unit_id,
                WorkEntry.kind,
                func.count(),
                func.count().filter(col(WorkEntry.submitted_at) > due),
            )
            .join(Person, col(Person.id) == WorkEntry.person_id)
            .where(
                WorkEntry.locality_id == locality.id,
                WorkEntry.period == str(when),
                WorkEntry.status == EntryStatus.submitted.value,
                col(WorkEntry.kind).in_([k.value for k in kinds]),
                Person.locality_id == locality.id,  # the people of this locality only (ix_people_locality_id)
                col(Person.unit_id).is_not(None),
            )
            .group_by(Person.unit_id, WorkEntry.kind)
        ):
            counted[(uid, kind)] = (total, late)
        summaries = []
        for uid, name in units:
            n = people.get(uid, 0)
            per_kind = {}
            for kind in kinds:
                total, late = counted.get((uid, kind.value), (0, 0))
                per_kind[kind.value] = KindCount(submitted=total - late, late=late, missing=n - total)
            summaries.append(UnitCompletion(unit_id=uid, unit_name=name, people=n, kinds=per_kind))
        rows = []
        if unit_id is not None:
            members = session.exec(
                select(Person.id, Person.name)
                .where(Person.locality_id == locality.id, Person.unit_id == unit_id)
                .order_by(col(Person.id))
                .limit(MAX_ROWS)
            ).all()
            found = {
                (pid, kind): at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite keeps no zone: UTC
                for pid, kind, at in session.exec(
                    select(WorkEntry.person_id, WorkEntry.kind, WorkEntry.submitted_at).where(
                        WorkEntry.locality_id == locality.id,
                        WorkEntry.period == str(when),
                        WorkEntry.status == EntryStatus.submitted.value,
                        col(WorkEntry.person_id).in_([p for p, _ in members] or [-1]),
                    )
                )
            }
            for pid, name in members:
                status, times = {}, {}
                for kind in kinds:
                    at = found.get((pid, kind.value))
                    times[kind.value] = at
                    status[kind.value] = "missing" if at is None else ("late" if at > due else "submitted")
                rows.append(
                    PersonCompletion(
                        person_id=pid, person_name=name, unit_id=unit_id, status=status, submitted_at=times
                    )
                )
        return Completion(
            period=str(when),
            kinds=kinds,
            deadlines={k.value: due for k in kinds},
            units=summaries,
            unit_id=unit_id,
            rows=rows,
        )


# --- files ---------------------------------------------------------------------------------------

STATUS_WORDS = {"submitted": "Submitted on time", "late": "Submitted late", "missing": "Missing"}


def _table(data: Completion, tr) -> tuple[list[str], list[list[Any]], list[str], list[list[Any]]]:
    """(header, rows) of the units and of the people, in ``tr``'s language."""
    kinds = [k.value for k in data.kinds]
    unit_header = [tr.gettext("Unit"), tr.gettext("Number of people")]
    for kind in kinds:
        label = tr.gettext(KIND_LABELS[kind])
        unit_header += [f"{label} · {tr.gettext(STATUS_WORDS[s])}" for s in ("submitted", "late", "missing")]
    unit_rows = [
        [u.unit_name, u.people]
        + [n for kind in kinds for n in (u.kinds[kind].submitted, u.kinds[kind].late, u.kinds[kind].missing)]
        for u in data.units
    ]
    person_header = [tr.gettext("Person's name")] + [tr.gettext(KIND_LABELS[k]) for k in kinds]
    person_rows = [
        [r.person_name]
        + [
            tr.gettext(STATUS_WORDS[r.status[k]])
            + (f" {tr.datetime(r.submitted_at[k])}" if r.submitted_at[k] is not None else "")
            for k in kinds
        ]
        for r in data.rows
    ]
    return unit_header, unit_rows, person_header, person_rows


def workbook(data: Completion, tr) -> bytes:
    """An .xlsx: a sheet of the units, and one of the people when a unit is chosen."""
    from openpyxl import Workbook

    from core.tabular.writer import append_row

    unit_header, unit_rows, person_header, person_rows = _table(data, tr)
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = tr.gettext("Units")
    append_row(sheet, [tr.gettext("Period"), data.period])
    append_row(sheet, unit_header)
    for row in unit_rows:
        append_row(sheet, row)
    if data.unit_id is not None:
        people = book.create_sheet(tr.gettext("People"))
        append_row(people, person_header)
        for row in person_rows:
            append_row(people, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(data: Completion, tr, font_path=None) -> bytes:
    """A printable A4 PDF: the period and deadline, the units' table, and the people of the chosen unit."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from core.pdf_fonts import cjk_font

    font = cjk_font(font_path)
    body = ParagraphStyle("body", fontName=font.name, fontSize=9, leading=12, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=15, leading=22, spaceAfter=6)

    def table(header: list[str], rows: list[list[Any]]) -> Table:
        cells = [[Paragraph(str(h), body) for h in header]] + [[Paragraph(str(v), body) for v in row] for row in rows]
        t = Table(cells, repeatRows=1, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        return t

    unit_header, unit_rows, person_header, person_rows = _table(data, tr)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm
    )
    deadline_text = tr.datetime(next(iter(data.deadlines.values())))
    story: list = [
        Paragraph(tr.gettext("Completion of work records, {period}", period=data.period), title),
        Paragraph(tr.gettext("Due: {deadline}", deadline=deadline_text), body),
        Spacer(1, 4 * mm),
        table(unit_header, unit_rows),
    ]
    if data.unit_id is not None:
        name = next((u.unit_name for u in data.units if u.unit_id == data.unit_id), "")
        story += [Spacer(1, 6 * mm), Paragraph(name, title), table(person_header, person_rows)]
    document.title = tr.gettext("Completion of work records, {period}", period=data.period)
    document.build(story)
    return out.getvalue()
