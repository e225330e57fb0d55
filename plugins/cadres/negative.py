"""Negative-information records (负面信息: discipline, audit, complaints) pulled in by adapters.

The cadre cloud is a record target of the core's adapter framework (``cadres.negative``, hook
``kaoping_adapter_targets``): an adapter source of any type (a folder of spreadsheets from the
discipline commission, a JSON API of the complaints office) whose mapping is
``{"target": "cadres.negative", "options": {...}}`` hands its records here. The options name the
record fields: the person (by ID-card number, name or id), the record's own id at the source,
its title, and optionally its kind (or one kind for the whole source), detail and date.

A run is all or nothing, like the core's values: every record is checked first (person found,
kind known, date readable, lengths), every problem reported with where the record came from,
and a single bad record fails the run with nothing written. A record read again (same source and
id) updates its row; a new one raises a warning (``warnings``) to the cadre's supervisors and
the department, naming the source (the adapter source's name)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session, col, select

from core.adapters import Record, TargetResult, TargetRun
from core.adapters import field_value as record_field
from core.models import Person
from plugins.cadres.dates import try_parse_date
from plugins.cadres.models import NegativeKind, NegativeRecord, WarningKind
from plugins.cadres.warnings import NEGATIVE, WarningIn, raise_warnings

# words a source may write for a kind, besides the kinds' own names
KIND_WORDS = {
    NegativeKind.discipline: ("纪律", "纪检", "违纪", "监察", "处分"),
    NegativeKind.audit: ("审计",),
    NegativeKind.complaint: ("信访", "投诉", "举报"),
    NegativeKind.other: ("其他",),
}
MAX_DETAIL = 4000


class NegativeOptions(BaseModel):
    """Which record fields hold what (dotted paths into nested records allowed)."""

    model_config = ConfigDict(extra="forbid")
    person_field: str = Field(min_length=1, max_length=200, description="The field naming the person")
    person_by: Literal["id_card", "name", "id"] = Field(
        default="id_card", description="id_card: the ID-card number; name: the full name (unique); id: the person id"
    )
    id_field: str = Field(min_length=1, max_length=200, description="The record's own id at the source")
    title_field: str = Field(min_length=1, max_length=200, description="A one-line description")
    kind: NegativeKind | None = Field(default=None, description="One kind for every record of the source")
    kind_field: str | None = Field(
        default=None, min_length=1, max_length=200, description="Or the field giving each record's kind"
    )
    detail_field: str | None = Field(default=None, min_length=1, max_length=200)
    date_field: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _one_kind(self) -> NegativeOptions:
        if (self.kind is None) == (self.kind_field is None):
            raise ValueError("give exactly one of kind or kind_field")
        return self


def kind_of(value: Any) -> NegativeKind:
    text = str(value or "").strip()
    for kind, words in KIND_WORDS.items():
        if text.lower() == kind.value or any(word in text for word in words):
            return kind
    raise ValueError(f"{text[:50]!r} is not a kind of negative record (discipline, audit, complaint, other)")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed, problem = try_parse_date(_text(value))
    if parsed is None:
        raise ValueError(problem.text if problem else "not a date")
    return parsed.value


class People:
    """The locality's people found by ID-card number (digest), name or id."""

    def __init__(self, ctx, session: Session, locality_id: int, by: str):
        self.ctx, self.session, self.locality_id, self.by = ctx, session, locality_id, by

    def find(self, value: Any) -> int:
        text = _text(value)
        if not text:
            raise ValueError("empty")
        query = select(Person.id).where(Person.locality_id == self.locality_id)
        if self.by == "id_card":
            query = query.where(Person.id_card_digest == self.ctx.keys.digest(text.upper()))
        elif self.by == "name":
            query = query.where(Person.name == text)
        else:
            if not text.isdigit() or not 0 < int(text) < 2**31:
                raise ValueError(f"{text[:50]!r} is not a person id")
            query = query.where(Person.id == int(text))
        found = list(self.session.exec(query.limit(2)))
        if not found:
            what = {"id_card": "ID-card number", "name": "name", "id": "id"}[self.by]
            shown = text[:4] + "…" if self.by == "id_card" else text[:50]  # never a whole ID number
            raise ValueError(f"no person with this {what} in the locality ({shown})")
        if len(found) > 1:
            raise ValueError(f"several people are named {text[:50]!r}; map by ID-card number")
        return found[0]


class NegativeTarget:
    """The record target ``cadres.negative`` (``core.adapters.RecordTarget``)."""

    name = "cadres.negative"
    label_zh = "干部负面信息"
    label_en = "Negative information on cadres"
    options_model = NegativeOptions

    def write(
        self, ctx, session: Session, options: NegativeOptions, records: list[Record], run: TargetRun
    ) -> TargetResult:
        people = People(ctx, session, run.locality_id, options.person_by)
        result = TargetResult()
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        for record in records:
            problems = []

            def read(path: str | None, convert, required: bool = True):
                if path is None:
                    return None
                try:
                    value = record_field(record.fields, path)  # noqa: B023 - called in this iteration
                except KeyError:
                    if required:
                        problems.append({"where": record.where, "field": path, "message": "missing"})  # noqa: B023
                    return None
                try:
                    return convert(value)
                except ValueError as exc:
                    problems.append({"where": record.where, "field": path, "message": str(exc)})  # noqa: B023
                    return None

            person_id = read(options.person_field, people.find)
            external_id = read(options.id_field, _text) or ""
            title = read(options.title_field, _text) or ""
            kind = options.kind or read(options.kind_field, kind_of)
            detail = read(options.detail_field, _text, required=False) or ""
            on = read(options.date_field, _date, required=False)
            for path, text, limit in ((options.id_field, external_id, 100), (options.title_field, title, 300)):
                if not text and not any(p["field"] == path for p in problems):
                    problems.append({"where": record.where, "field": path, "message": "empty"})
                elif len(text) > limit:
                    problems.append({"where": record.where, "field": path, "message": f"more than {limit} characters"})
            if external_id and external_id in seen:
                problems.append(
                    {"where": record.where, "field": options.id_field, "message": f"id {external_id!r} appears twice"}
                )
            seen.add(external_id)
            if problems:
                result.rejected.extend(problems)
                result.rejected_records += 1
                result.rejected_origins.add(record.origin)
                continue
            rows.append(
                {
                    "person_id": person_id,
                    "external_id": external_id,
                    "title": title,
                    "kind": NegativeKind(kind).value,
                    "detail": detail[:MAX_DETAIL],
                    "on": on,
                }
            )
        result.written = len(rows)
        if result.rejected or run.dry_run:
            return result
        _store(session, run, rows)
        return result


def _store(session: Session, run: TargetRun, rows: list[dict[str, Any]]) -> None:
    source = run.source_name[:100]
    have = {
        row.external_id: row
        for row in session.exec(
            select(NegativeRecord).where(
                NegativeRecord.locality_id == run.locality_id,
                NegativeRecord.source == source,
                col(NegativeRecord.external_id).in_([r["external_id"] for r in rows]),
            )
        )
    }
    new: list[NegativeRecord] = []
    for values in rows:
        row = have.get(values["external_id"])
        if row is None:
            row = NegativeRecord(locality_id=run.locality_id, source=source, **values)
            new.append(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
        row.run_id = run.run_id
        session.add(row)
    session.flush()
    raise_warnings(session, run.locality_id, [warning_for(row) for row in new])


def warning_for(row: NegativeRecord) -> WarningIn:
    return WarningIn(
        person_id=row.person_id,
        kind=WarningKind.negative.value,
        key=f"negative:{row.id}",
        source=row.source,
        message_id=NEGATIVE.get(row.kind, NEGATIVE["other"]),
        params={"source": row.source, "title": row.title[:200]},
    )


def records_of(session: Session, locality_id: int, person_id: int) -> list[NegativeRecord]:
    """A person's negative records, newest first."""
    query = select(NegativeRecord).where(
        NegativeRecord.locality_id == locality_id, NegativeRecord.person_id == person_id
    )
    return list(session.exec(query.order_by(col(NegativeRecord.on).desc(), col(NegativeRecord.id).desc())))
