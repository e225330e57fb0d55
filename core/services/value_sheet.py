"""The indicator value grid as a spreadsheet (``core.services.value_grid``): downloaded as .xlsx
prefilled with the stored values (``grid_workbook``) and read back from .xlsx or .csv
(``import_grid``): every problem named by row and column, all or nothing, an empty cell keeps
the stored value, and what is written remembers the file it came from."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from core import tabular
from core.context import Actor, AppContext
from core.models import IndicatorValue, Subject
from core.services.errors import Invalid
from core.services.value_grid import (
    COLUMN_TWICE,
    EMPTY_FILE,
    ID_HEADERS,
    LABEL_HEADERS,
    MAX_FILE_ROWS,
    NO_ID_COLUMN,
    NO_SUBJECT,
    NOT_AN_ID,
    NOT_AN_INDICATOR,
    ROWS_BAD,
    TWICE,
    Saved,
    parse_cell,
    scoped_template,
    value_columns,
    write_changed,
)
from core.services.value_scope import NOT_A_CAMPAIGN_SUBJECT, value_scope
from core.services.values import Origin


def grid_workbook(
    ctx: AppContext,
    actor: Actor,
    code: str,
    template_id: int,
    period: Any,
    *,
    category: str = "",
    campaign_id: int | None = None,
) -> tuple[bytes, str]:
    """The whole grid (every subject of ``category``, or all; at most ``MAX_FILE_ROWS``) as .xlsx
    in the layout ``import_grid`` reads: 对象编号, 考核对象, 类别, then a column "{code} {name}"
    per value indicator, prefilled with the stored values. Returns the bytes and the canonical
    period. Two plain queries and a streamed workbook: thousands of subjects take a second or two.
    With ``campaign_id``: that campaign's subjects, templates and period (``value_scope``)."""
    with ctx.db.read() as session:
        scope = value_scope(session, actor, code, campaign_id)
        template, wanted = scoped_template(session, scope, template_id, period)
        columns = value_columns(session, template)
        subjects = scope.subjects(
            select(Subject.id, Subject.name, Subject.category)
            .where(Subject.locality_id == scope.locality_id)
            .order_by(Subject.category, Subject.name, Subject.id)
            .limit(MAX_FILE_ROWS)
        )
        if category:
            subjects = subjects.where(Subject.category == category)
        listed = session.exec(subjects).all()
        stored: dict[tuple[int, str], float] = {}
        for subject_id, indicator, value in session.exec(
            select(IndicatorValue.subject_id, IndicatorValue.indicator_code, IndicatorValue.value).where(
                IndicatorValue.locality_id == scope.locality_id,
                IndicatorValue.template_id == template.id,
                IndicatorValue.period == str(wanted),
            )
        ):
            stored[(subject_id, indicator)] = value
    header = [ID_HEADERS[0], LABEL_HEADERS[0], LABEL_HEADERS[2], *(c.header for c in columns)]
    rows = ([sid, name, cat, *(stored.get((sid, c.code)) for c in columns)] for sid, name, cat in listed)
    return tabular.one_sheet_workbook("指标数据", header, rows), str(wanted)


def _header_columns(header: list[str], kinds: dict[str, str]) -> tuple[int | None, dict[int, str], list[dict]]:
    """(index of the id column, {index: indicator code}, errors of the header row)."""
    id_index, found, errors, seen = None, {}, [], set()
    for index, raw in enumerate(header):
        title = str(raw or "").lstrip("\ufeff").strip()
        if not title:
            continue
        if title.lower() in ID_HEADERS:
            id_index = index
            continue
        if title.lower() in LABEL_HEADERS:
            continue
        indicator = title.split()[0]
        if indicator not in kinds:
            errors.append({"row": 1, "column": title, "message": NOT_AN_INDICATOR.format(header=title)})
        elif indicator in seen:
            errors.append({"row": 1, "column": title, "message": COLUMN_TWICE})
        else:
            seen.add(indicator)
            found[index] = indicator
    return id_index, found, errors


def import_grid(
    ctx: AppContext,
    actor: Actor,
    code: str,
    template_id: int,
    period: Any,
    filename: str,
    content: bytes,
    campaign_id: int | None = None,
) -> Saved:
    """Read a grid sheet (.xlsx or .csv, header in row 1: see ``grid_workbook``) and write its
    values for the template and period, origin ``import`` with the file's name.

    Raises ``Invalid`` with ``errors=[{row, column, message}]`` (rows numbered as in the file)
    for every problem; nothing is written then. An empty cell keeps the stored value. With
    ``campaign_id`` (an assessment group must give it) a row of a subject not the campaign's is an
    error of its row."""
    with ctx.db.write() as session:
        scope = value_scope(session, actor, code, campaign_id, write=True)
        template, wanted_period = scoped_template(session, scope, template_id, period)
        kinds = {c.code: c.kind for c in value_columns(session, template)}
        locality_id = scope.locality_id
        rows = tabular.read_rows(filename, content, keep_types=True)
        header = next(rows, None) or []
        id_index, columns, errors = _header_columns(header, kinds)
        if id_index is None:
            errors.append({"row": 1, "column": ID_HEADERS[0], "message": NO_ID_COLUMN})
        if errors:
            raise Invalid(ROWS_BAD, params={"n": len(errors)}, errors=errors)
        titles = {index: str(header[index]).strip() for index in columns}
        id_title = str(header[id_index]).strip()
        cells: list[tuple[int, int, str, str, Any]] = []  # (row, subject, code, column title, cell)
        first_row: dict[int, int] = {}
        for number, row in enumerate(rows, start=2):
            if number - 1 > MAX_FILE_ROWS:
                raise Invalid(
                    ROWS_BAD,
                    params={"n": 1},
                    errors=[{"row": number, "column": "", "message": f"at most {MAX_FILE_ROWS} rows"}],
                )
            if not any(str(cell).strip() for cell in row):
                continue
            raw_id = row[id_index] if id_index < len(row) else ""
            try:
                subject_id = int(str(raw_id).strip())
                if not 0 < subject_id < 2**31:
                    raise ValueError
            except ValueError:
                errors.append({"row": number, "column": id_title, "message": NOT_AN_ID.format(value=raw_id)})
                continue
            if subject_id in first_row:
                errors.append(
                    {
                        "row": number,
                        "column": id_title,
                        "message": TWICE.format(id=subject_id, row=first_row[subject_id]),
                    }
                )
                continue
            first_row[subject_id] = number
            for index, indicator in columns.items():
                cells.append((number, subject_id, indicator, titles[index], row[index] if index < len(row) else ""))
        if not first_row and not errors:
            raise Invalid(EMPTY_FILE, errors=[{"row": 2, "column": "", "message": EMPTY_FILE}])
        ids = list(first_row)
        known: set[int] = set()
        for start in range(0, len(ids), 500):
            known.update(
                session.exec(
                    select(Subject.id).where(
                        Subject.locality_id == locality_id, col(Subject.id).in_(ids[start : start + 500])
                    )
                )
            )
        outside = scope.outside(session, known)
        for subject_id in ids:
            if subject_id not in known:
                errors.append(
                    {"row": first_row[subject_id], "column": id_title, "message": NO_SUBJECT.format(id=subject_id)}
                )
            elif subject_id in outside:
                text = NOT_A_CAMPAIGN_SUBJECT.format(id=subject_id, name=scope.campaign_name)
                errors.append({"row": first_row[subject_id], "column": id_title, "message": text})
        wanted: dict[tuple[int, str], float | None] = {}
        for number, subject_id, indicator, title, cell in cells:
            try:
                value = parse_cell(cell, kinds[indicator])
            except ValueError as exc:
                errors.append({"row": number, "column": title, "message": str(exc)})
                continue
            if value is not None and subject_id in known and subject_id not in outside:
                wanted[(subject_id, indicator)] = value
        if errors:
            errors.sort(key=lambda e: (e["row"], e["column"]))
            raise Invalid(ROWS_BAD, params={"n": len(errors)}, errors=errors)
        return write_changed(
            session,
            actor,
            locality_id,
            template,
            wanted_period,
            wanted,
            Origin("import", actor.user_id, file=filename[:200]),
            clear=False,
        )
