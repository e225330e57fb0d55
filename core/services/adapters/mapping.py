"""Mapping an adapter's records to indicator values: the subject, the period and each value of
a record, checked; every record that cannot be used is reported by where it came from.
See ``core.services.adapters``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from core.adapters import Record
from core.adapters import field_value as record_field
from core.models import Indicator, IndicatorTemplate, Subject, SubjectKind, Unit
from core.models.base import utcnow
from core.periods import Period, PeriodError, PeriodKind
from core.schemas.adapters import Mapping
from core.schemas.values import VALUE_KINDS
from core.services.errors import Invalid
from core.services.values import period_rules


def targets_for(session: Session, locality_id: int) -> dict[str, Any]:
    """The record targets (hook ``kaoping_adapter_targets``) of the plugins the locality enabled, by name."""
    from core.services.plugins import hooks_for

    return {t.name: t for targets in hooks_for(session, locality_id).kaoping_adapter_targets() for t in targets}


def target_of(session: Session, locality_id: int, mapping: Mapping) -> tuple[Any, BaseModel]:
    """The record target a mapping names and its options, checked: ``Invalid`` naming
    ``mapping.target`` (not enabled here) or the option at fault."""
    targets = targets_for(session, locality_id)
    target = targets.get(mapping.target or "")
    if target is None:
        message = f"{mapping.target!r} is not a record target of a plugin this locality enabled"
        raise Invalid(
            f"mapping.target: {message}; enabled: {', '.join(sorted(targets)) or 'none'}",
            errors=[{"field": "mapping.target", "message": message}],
        )
    try:
        return target, target.options_model.model_validate(mapping.options)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(["mapping.options", *map(str, e["loc"])]), "message": e["msg"]} for e in exc.errors()
        ]
        raise Invalid("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors) from None


def _check_mapping(session: Session, locality_id: int, mapping: Mapping) -> None:
    if mapping.target is not None:
        target_of(session, locality_id, mapping)
        return
    template_ids = {v.template_id for v in mapping.values}
    templates = set(
        session.exec(
            select(IndicatorTemplate.id).where(
                IndicatorTemplate.locality_id == locality_id, col(IndicatorTemplate.id).in_(template_ids)
            )
        ).all()
    )
    kinds = {
        (t, c): k
        for t, c, k in session.exec(
            select(Indicator.template_id, Indicator.code, Indicator.kind).where(
                col(Indicator.template_id).in_(templates or {0})
            )
        ).all()
    }
    errors = []
    for index, value in enumerate(mapping.values):
        field = f"mapping.values[{index}]"
        if value.template_id not in templates:
            errors.append(
                {
                    "field": f"{field}.template_id",
                    "message": f"no template with id {value.template_id} in this locality",
                }
            )
            continue
        kind = kinds.get((value.template_id, value.indicator_code))
        if kind is None:
            errors.append(
                {
                    "field": f"{field}.indicator_code",
                    "message": f"template {value.template_id} has no indicator {value.indicator_code!r}",
                }
            )
        elif kind not in VALUE_KINDS:
            errors.append(
                {
                    "field": f"{field}.indicator_code",
                    "message": f"indicator {value.indicator_code!r} is {kind}; adapters fill only "
                    f"{', '.join(sorted(VALUE_KINDS))} indicators",
                }
            )
    if mapping.period.from_run_date is not None:
        # The run date's period must be of the kind each template takes (PeriodRule).
        today = Period.from_date(mapping.period.from_run_date, utcnow().date())
        for _template_id, rule in sorted(period_rules(session, locality_id, templates).items()):
            problem = rule.problem(today)
            if problem:
                errors.append({"field": "mapping.period.from_run_date", "message": problem})
    if errors:
        raise Invalid("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)


def run_period(kind: PeriodKind | str, day: date) -> Period:
    """The period of ``kind`` holding the run date ``day`` (a date in KAOPING_TIMEZONE)."""
    return Period.from_date(kind, day)


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(value: Any) -> float:
    """A finite number from a record's cell: numbers, Decimals and numeric text ("1,234.5");
    raises ValueError with the reason otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"{str(value).lower()} is not a number")
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            raise ValueError("empty")
        if not _NUMBER.match(text):
            raise ValueError(f"{value.strip()[:50]!r} is not a number")
        number = float(text)
    elif value is None:
        raise ValueError("empty")
    else:
        raise ValueError(f"{type(value).__name__} is not a number")
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return number


class SubjectIndex:
    """Finds the locality's subjects by unit code, name or id, as a mapping says."""

    def __init__(self, session: Session, locality_id: int, by: str, kind: SubjectKind | None):
        self.by = by
        self.names: dict[int, str] = {}
        self.keys: dict[str, list[int]] = {}
        query = select(Subject).where(Subject.locality_id == locality_id)
        if kind is not None:
            query = query.where(Subject.kind == kind)
        subjects = list(session.exec(query))
        self.names = {s.id: s.name for s in subjects}
        if by == "code":
            units = dict(session.exec(select(Unit.id, Unit.code).where(Unit.locality_id == locality_id)).all())
            for s in subjects:
                if s.kind == SubjectKind.unit and s.ref_id in units:
                    self.keys.setdefault(units[s.ref_id].strip().upper(), []).append(s.id)
        elif by == "name":
            for s in subjects:
                self.keys.setdefault(s.name.strip(), []).append(s.id)
        else:
            self.keys = {str(s.id): [s.id] for s in subjects}

    def find(self, value: Any) -> int:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError("empty")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        key = str(value).strip()
        key = key.upper() if self.by == "code" else key
        found = self.keys.get(key, [])
        what = {"code": "unit code", "name": "name", "id": "id"}[self.by]
        if not found:
            raise ValueError(f"no subject with {what} {key[:100]!r} in this locality")
        if len(found) > 1:
            raise ValueError(f"{len(found)} subjects are named {key[:100]!r}; map by unit code or id instead")
        return found[0]


@dataclass
class Mapped:
    rows: list[dict[str, Any]]
    wheres: list[str]  # where each row came from
    rejected: list[dict[str, str]]
    rejected_records: int
    rejected_origins: set[str] = field(default_factory=set)
    subject_names: dict[int, str] = field(default_factory=dict)


def map_records(
    session: Session, locality_id: int, mapping: dict[str, Any], records: list[Record], run_date: date
) -> Mapped:
    """Turn records into indicator-value rows; every bad record is reported with where it came
    from, which field, and why."""
    spec = Mapping.model_validate(mapping)
    subjects = SubjectIndex(session, locality_id, spec.subject.by, spec.subject.kind)
    fixed_period = run_period(spec.period.from_run_date, run_date) if spec.period.from_run_date else None
    period_field = spec.period.field or "mapping.period.from_run_date"
    rules = period_rules(session, locality_id, {v.template_id for v in spec.values})
    rows: list[dict[str, Any]] = []
    wheres: list[str] = []
    rejected: list[dict[str, str]] = []
    origins: set[str] = set()
    bad_records = 0
    for record in records:
        problems: list[dict[str, str]] = []

        def problem(field: str, message: str) -> None:  # called in this iteration only
            problems.append({"where": record.where, "field": field, "message": message})  # noqa: B023

        subject_id = None
        try:
            subject_id = subjects.find(record_field(record.fields, spec.subject.field))
        except KeyError:
            problem(spec.subject.field, "missing")
        except ValueError as exc:
            problem(spec.subject.field, str(exc))
        period = fixed_period
        if period is None:
            try:
                period = Period.parse(record_field(record.fields, spec.period.field))
            except KeyError:
                problem(spec.period.field, "missing")
            except PeriodError as exc:
                problem(spec.period.field, exc.message)
        if period is not None:
            # A value of a kind its template cannot take would never count: the record is rejected.
            for message in dict.fromkeys(
                rules[v.template_id].problem(period) for v in spec.values if v.template_id in rules
            ):
                if message:
                    problem(period_field, message)
        values = []
        for value_spec in spec.values:
            try:
                values.append((value_spec, parse_number(record_field(record.fields, value_spec.field))))
            except KeyError:
                problem(value_spec.field, "missing")
            except ValueError as exc:
                problem(value_spec.field, str(exc))
        if problems:
            bad_records += 1
            rejected.extend(problems)
            origins.add(record.origin)
            continue
        for value_spec, number in values:
            rows.append(
                {
                    "subject_id": subject_id,
                    "template_id": value_spec.template_id,
                    "indicator_code": value_spec.indicator_code,
                    "period": str(period),
                    "value": number,
                }
            )
            wheres.append(record.where)
    return Mapped(
        rows=rows,
        wheres=wheres,
        rejected=rejected,
        rejected_records=bad_records,
        rejected_origins=origins,
        subject_names=subjects.names,
    )
