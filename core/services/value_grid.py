"""The office's grid of indicator values: one template, one period, the locality's subjects as
rows (50 a page, optionally of one subject category) and the template's value indicators
(numeric, bonus, deduction, veto: ``VALUE_KINDS``) as columns, each stored value with where it
came from (``IndicatorValue.origin*``).

A grid page is saved in one transaction (``save_grid``): every cell is checked first, each bad
cell named by its field ``v-{subject_id}-{code}``, and nothing is written if any is bad. Only
cells that changed are written (so an adapter's value that nobody touched keeps its origin); a
cell emptied on the page deletes its stored value. The same grid is downloaded as an .xlsx
(``value_sheet.grid_workbook``, prefilled) and read back (``value_sheet.import_grid``): errors name the row and column,
and again all or nothing; an empty cell in a file keeps what is stored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, tuple_
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Indicator, IndicatorTemplate, IndicatorValue, Subject
from core.models.adapters import AdapterRun, AdapterSource
from core.models.users import User
from core.periods import Period, PeriodError
from core.schemas.values import VALUE_KINDS
from core.services import audit
from core.services.errors import Invalid, NotFound
from core.services.templates import depth_first, load_indicators
from core.services.value_scope import NOT_A_CAMPAIGN_SUBJECT, ValueScope, value_scope
from core.services.values import VETO_NOT_0_OR_1, Origin, period_rules, upsert_values

PAGE_SIZE = 50
MAX_FILE_ROWS = 20_000
ID_HEADERS = ("对象编号", "subject id", "subject_id", "编号")
LABEL_HEADERS = ("考核对象", "subject", "类别", "category", "name")

# Message ids (core/locales/zh_CN/LC_MESSAGES/values.po).
NO_TEMPLATE = "no template with id {id} in this locality"
NO_VALUE_INDICATORS = "template {name} has no numeric, bonus, deduction or veto indicators: it takes no values"
NOT_A_NUMBER = "{value} is not a number"
NO_SUBJECT = "no subject with id {id} in this locality"
CELLS_BAD = "{n} cells are not acceptable; nothing was saved"
ROWS_BAD = "{n} problems in the file; nothing was imported"
NO_ID_COLUMN = "the sheet has no column 对象编号 (the subject's id): download the grid as the template"
NOT_AN_INDICATOR = "{header} is not a value indicator of this template"
NOT_AN_ID = "{value} is not a subject id"
TWICE = "subject {id} appears twice (also in row {row})"
COLUMN_TWICE = "this column appears twice"
EMPTY_FILE = "the file has no rows of values under its header"


@dataclass(frozen=True)
class ValueColumn:
    code: str
    name: str
    kind: str  # numeric | bonus | deduction | veto
    unit: str = ""

    @property
    def header(self) -> str:
        return f"{self.code} {self.name}"


@dataclass(frozen=True)
class StoredValue:
    """A stored value and where it came from: ``origin`` typed | import | adapter | api | ""
    (before provenance was kept: ``source`` says what there is), ``user`` (username), ``file``,
    ``run_id``, ``source_id`` and ``source_name`` (the adapter source), ``updated_at`` (UTC)."""

    value: float
    origin: str
    user: str
    file: str
    run_id: int | None
    source_name: str
    source: str
    updated_at: datetime | None
    source_id: int | None = None


@dataclass
class GridRow:
    subject_id: int
    name: str
    category: str
    cells: dict[str, StoredValue] = field(default_factory=dict)


@dataclass
class ValueGrid:
    template_id: int
    template_name: str
    period: Period
    columns: list[ValueColumn]
    rows: list[GridRow]
    total: int  # subjects (of the category) in all pages
    offset: int
    limit: int
    writable: bool = True  # False: a campaign's grid after its tally (``value_scope``)
    campaign_name: str = ""  # the campaign whose grid this is, if any


@dataclass(frozen=True)
class TemplateChoice:
    id: int
    name: str
    version: int
    period_kind: str | None


def format_value(value: float | None) -> str:
    """A value as typed: 3 not 3.0, no exponent for ordinary numbers; "" for none."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def parse_cell(text: Any, kind: str) -> float | None:
    """A typed or read cell as a value of an indicator of ``kind``: None when empty; ``ValueError``
    (its message an id of this module) when it is not a number, or for a veto not 1 or 0 (是/否 too)."""
    if isinstance(text, bool):
        raise ValueError(NOT_A_NUMBER.format(value=text))
    if isinstance(text, str) and len(text) > 40:  # no number is this long; keep the message short
        raise ValueError(NOT_A_NUMBER.format(value=text.strip()[:40] + "…"))
    if isinstance(text, int | float):
        number = float(text)
    else:
        shown = str(text or "").strip()
        if not shown:
            return None
        if kind == "veto" and shown in ("是", "否"):
            return 1.0 if shown == "是" else 0.0
        cleaned = shown.replace(",", "").replace("，", "").translate(_FULL_WIDTH)
        if "_" in cleaned:  # Python reads 1_000; an office does not write it
            raise ValueError(NOT_A_NUMBER.format(value=shown))
        try:
            number = float(cleaned)
        except ValueError:
            raise ValueError(NOT_A_NUMBER.format(value=shown)) from None
        if cleaned.lower().strip("+-") in ("inf", "infinity", "nan"):
            raise ValueError(NOT_A_NUMBER.format(value=shown))
    if not math.isfinite(number):
        raise ValueError(NOT_A_NUMBER.format(value=text))
    if kind == "veto" and number not in (0, 1):
        raise ValueError(VETO_NOT_0_OR_1.format(value=format_value(number)))
    return number


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")


# --- reading -----------------------------------------------------------------------------------


def value_templates(ctx: AppContext, actor: Actor, code: str, campaign_id: int | None = None) -> list[TemplateChoice]:
    """The locality's templates that have value indicators, newest first (of the campaign's
    evaluator categories only, with ``campaign_id``: ``core.services.value_scope``)."""
    with ctx.db.read() as session:
        scope = value_scope(session, actor, code, campaign_id)
        has_values = (
            select(Indicator.id)
            .where(Indicator.template_id == IndicatorTemplate.id, col(Indicator.kind).in_(VALUE_KINDS))
            .exists()
        )
        rows = session.exec(
            select(
                IndicatorTemplate.id, IndicatorTemplate.name, IndicatorTemplate.version, IndicatorTemplate.period_kind
            )
            .where(IndicatorTemplate.locality_id == scope.locality_id, has_values)
            .order_by(col(IndicatorTemplate.id).desc())
        ).all()
        return [TemplateChoice(*row) for row in rows if scope.allows_template(row[0])]


def subject_categories(ctx: AppContext, actor: Actor, code: str, campaign_id: int | None = None) -> list[str]:
    """The subject categories of the grid's subjects (the campaign's, with ``campaign_id``), sorted."""
    with ctx.db.read() as session:
        scope = value_scope(session, actor, code, campaign_id)
        query = scope.subjects(select(Subject.category).where(Subject.locality_id == scope.locality_id))
        return list(session.exec(query.distinct().order_by(Subject.category)).all())


def template_of(session: Session, locality_id: int, template_id: int) -> IndicatorTemplate:
    template = session.get(IndicatorTemplate, template_id) if 0 < template_id < 2**31 else None
    if template is None or template.locality_id != locality_id:
        raise NotFound(NO_TEMPLATE, params={"id": template_id})
    return template


def value_columns(session: Session, template: IndicatorTemplate) -> list[ValueColumn]:
    columns = [
        ValueColumn(i.code, i.name, i.kind, i.unit_of_measure)
        for i in depth_first(load_indicators(session, template.id))
        if i.kind in VALUE_KINDS
    ]
    if not columns:
        raise Invalid(
            NO_VALUE_INDICATORS,
            params={"name": template.name},
            errors=[{"field": "template_id", "message": NO_VALUE_INDICATORS.format(name=template.name)}],
        )
    return columns


def value_period(session: Session, locality_id: int, template: IndicatorTemplate, text: Any) -> Period:
    """``text`` as a period the template's values may have, else ``Invalid`` naming ``period``."""
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        raise Invalid(exc.message, errors=[{"field": "period", "message": exc.message}]) from None
    problem = period_rules(session, locality_id, [template.id])[template.id].problem(period)
    if problem:
        raise Invalid(problem, errors=[{"field": "period", "message": problem}])
    return period


def _subjects_query(scope: ValueScope, category: str):
    query = scope.subjects(
        select(Subject.id, Subject.name, Subject.category).where(Subject.locality_id == scope.locality_id)
    )
    return query.where(Subject.category == category) if category else query


def scoped_template(
    session: Session, scope: ValueScope, template_id: int, period: Any
) -> tuple[IndicatorTemplate, Period]:
    """The template (404 another locality's, or not the scope's) and ``period`` as a period of it
    (``Invalid`` naming ``period``: not a period, not of its kind, not the campaign's)."""
    template = template_of(session, scope.locality_id, template_id)
    scope.check_template(template)
    wanted = value_period(session, scope.locality_id, template, period)
    scope.check_period(wanted)
    return template, wanted


def _same_period(period: Period):
    """``period = :period`` written so that no index is used for it (``period || ''``): a lookup of
    some subjects' values then takes the key's index (locality, subject, template, …) instead of
    (locality, template, period), which SQLite would otherwise pick and scan every subject's row."""
    return (IndicatorValue.period + "") == str(period)


def _stored(
    session: Session, locality_id: int, template_id: int, period: Period, subject_ids: list[int]
) -> dict[tuple[int, str], StoredValue]:
    """The stored values of some subjects, with who and what wrote them (outer joins)."""
    if not subject_ids:
        return {}
    # plain columns, not mapped objects: a page's hundreds of values are only read
    query = (
        select(
            col(IndicatorValue.subject_id),
            col(IndicatorValue.indicator_code),
            col(IndicatorValue.value),
            col(IndicatorValue.origin),
            col(IndicatorValue.origin_file),
            col(IndicatorValue.origin_run_id),
            col(IndicatorValue.source),
            col(IndicatorValue.updated_at),
            User.username,
            AdapterSource.name,
            AdapterSource.id,
        )
        .join(User, User.id == IndicatorValue.origin_user_id, isouter=True)
        .join(AdapterRun, AdapterRun.id == IndicatorValue.origin_run_id, isouter=True)
        .join(AdapterSource, AdapterSource.id == AdapterRun.source_id, isouter=True)
        .where(
            IndicatorValue.locality_id == locality_id,
            IndicatorValue.template_id == template_id,
            _same_period(period),
            col(IndicatorValue.subject_id).in_(subject_ids),
        )
    )
    return {
        (subject_id, code): StoredValue(
            value, origin, user or "", origin_file, run_id, source_name or "", source, updated_at, source_id
        )
        for (
            subject_id,
            code,
            value,
            origin,
            origin_file,
            run_id,
            source,
            updated_at,
            user,
            source_name,
            source_id,
        ) in session.exec(query)
    }


def load_grid(
    ctx: AppContext,
    actor: Actor,
    code: str,
    template_id: int,
    period: Any,
    *,
    category: str = "",
    offset: int = 0,
    limit: int = PAGE_SIZE,
    campaign_id: int | None = None,
) -> ValueGrid:
    """One page of the grid: subjects ordered by category, name and id (``offset``/``limit`` in
    SQL); with ``campaign_id``, that campaign's subjects only (``value_scope``). Raises
    ``NotFound`` for a template of another locality (or campaign), ``Invalid`` (field ``period``)
    for a period that is no period, not of the template's kind, or not the campaign's."""
    with ctx.db.read() as session:
        scope = value_scope(session, actor, code, campaign_id)
        template, wanted = scoped_template(session, scope, template_id, period)
        columns = value_columns(session, template)
        locality_id = scope.locality_id
        base = _subjects_query(scope, category)
        total = session.exec(select(func.count()).select_from(base.subquery())).one()
        subjects = session.exec(
            base.order_by(Subject.category, Subject.name, Subject.id).offset(max(offset, 0)).limit(limit)
        ).all()
        stored = _stored(session, locality_id, template.id, wanted, [s[0] for s in subjects])
        rows = [
            GridRow(sid, name, cat, {c.code: stored[(sid, c.code)] for c in columns if (sid, c.code) in stored})
            for sid, name, cat in subjects
        ]
        return ValueGrid(
            template.id,
            template.name,
            wanted,
            columns,
            rows,
            total,
            max(offset, 0),
            limit,
            scope.writable,
            scope.campaign_name,
        )


# --- writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    written: int  # values added or changed
    cleared: int  # stored values deleted (cells emptied on the page)


def write_changed(
    session: Session,
    actor: Actor,
    locality_id: int,
    template: IndicatorTemplate,
    period: Period,
    wanted: Mapping[tuple[int, str], float | None],
    origin: Origin,
    *,
    clear: bool,
) -> Saved:
    """Write the cells of ``wanted`` that differ from what is stored; with ``clear``, None deletes."""
    keys = list(wanted)
    stored: dict[tuple[int, str], float] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        stored.update(
            {
                (s, c): v
                for s, c, v in session.exec(
                    select(IndicatorValue.subject_id, IndicatorValue.indicator_code, IndicatorValue.value).where(
                        IndicatorValue.locality_id == locality_id,
                        IndicatorValue.template_id == template.id,
                        _same_period(period),
                        tuple_(IndicatorValue.subject_id, IndicatorValue.indicator_code).in_(chunk),
                    )
                )
            }
        )
    rows = [
        {"subject_id": s, "template_id": template.id, "indicator_code": c, "period": str(period), "value": v}
        for (s, c), v in wanted.items()
        if v is not None and stored.get((s, c)) != v
    ]
    gone = [key for key, v in wanted.items() if v is None and key in stored] if clear else []
    written = (
        upsert_values(
            session, locality_id, rows, source=origin.kind, actor=actor, origin=origin, max_rows=max(len(rows), 1)
        )
        if rows
        else 0
    )
    for start in range(0, len(gone), 500):
        session.execute(
            delete(IndicatorValue).where(
                IndicatorValue.locality_id == locality_id,
                IndicatorValue.template_id == template.id,
                _same_period(period),
                tuple_(IndicatorValue.subject_id, IndicatorValue.indicator_code).in_(gone[start : start + 500]),
            )
        )
    if gone:
        audit.record(
            session,
            actor,
            locality_id=locality_id,
            action="indicator_values.clear",
            target_type="indicator_values",
            target_id="",
            after={
                "cleared": len(gone),
                "template": template.id,
                "period": str(period),
                "cells": [f"{s}:{c}" for s, c in gone[:50]],
            },
        )
    return Saved(written, len(gone))


def save_grid(
    ctx: AppContext,
    actor: Actor,
    code: str,
    template_id: int,
    period: Any,
    cells: Mapping[tuple[int, str], str],
    campaign_id: int | None = None,
) -> Saved:
    """Save a grid page as typed: ``cells`` maps (subject id, indicator code) to the cell's text.

    Raises ``Invalid`` whose ``errors`` are ``{field: "v-{subject_id}-{code}", message}`` for each
    bad cell (not a number, a veto not 1 or 0, a subject not of this locality, a column not a
    value indicator of the template, with ``campaign_id`` a subject not the campaign's); nothing is
    written then. Scope errors as ``value_scope`` (an assessment group names its campaign)."""
    with ctx.db.write() as session:
        scope = value_scope(session, actor, code, campaign_id, write=True)
        template, wanted_period = scoped_template(session, scope, template_id, period)
        kinds = {c.code: c.kind for c in value_columns(session, template)}
        locality_id = scope.locality_id
        ids = {s for s, _ in cells}
        known = (
            set(session.exec(select(Subject.id).where(Subject.locality_id == locality_id, col(Subject.id).in_(ids))))
            if ids
            else set()
        )
        outside = scope.outside(session, known)
        errors: list[dict[str, Any]] = []
        wanted: dict[tuple[int, str], float | None] = {}
        for (subject_id, indicator), text in cells.items():
            name = f"v-{subject_id}-{indicator}"
            if subject_id not in known:
                errors.append({"field": name, "message": NO_SUBJECT.format(id=subject_id)})
            elif subject_id in outside:
                text = NOT_A_CAMPAIGN_SUBJECT.format(id=subject_id, name=scope.campaign_name)
                errors.append({"field": name, "message": text})
            elif indicator not in kinds:
                errors.append({"field": name, "message": NOT_AN_INDICATOR.format(header=indicator)})
            else:
                try:
                    wanted[(subject_id, indicator)] = parse_cell(text, kinds[indicator])
                except ValueError as exc:
                    errors.append({"field": name, "message": str(exc)})
        if errors:
            raise Invalid(CELLS_BAD, params={"n": len(errors)}, errors=errors)
        return write_changed(
            session, actor, locality_id, template, wanted_period, wanted, Origin("typed", actor.user_id), clear=True
        )
