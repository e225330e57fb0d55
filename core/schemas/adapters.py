"""Adapter sources, their mapping, schedule and retry policy, and their runs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from core.models import SubjectKind
from core.periods import PeriodKind
from core.schemas.base import Id, In, Out
from core.schemas.values import IndicatorCode

SourceName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]  # the column's

FieldPath = Field(min_length=1, max_length=200, description="A record field, or a dotted path into nested objects")


class SubjectMapping(In):
    field: str = FieldPath
    by: Literal["code", "name", "id"] = Field(
        default="code", description="code: the unit's code (unit subjects); name: the subject's name; id: its id"
    )
    kind: SubjectKind | None = Field(default=None, description="Only subjects of this kind (unit, team, person)")


class PeriodMapping(In):
    field: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The record field holding the period, in any form core.periods reads "
        "(2026-03, 2026年3月, 2026年第一季度, an Excel date cell, ...)",
    )
    from_run_date: PeriodKind | None = Field(
        default=None,
        description="Or the period of this kind that holds the run date (in KAOPING_TIMEZONE): "
        "day 2026-11-22, week 2026-W47, month 2026-11, quarter 2026-Q4, half_year "
        "2026-H2, year 2026",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> PeriodMapping:
        if (self.field is None) == (self.from_run_date is None):
            raise ValueError("give exactly one of field or from_run_date")
        return self


class ValueMapping(In):
    field: str = FieldPath
    template_id: Id
    indicator_code: IndicatorCode


class Mapping(In):
    """Records to indicator values (``subject``, ``period``, ``values``), or, with ``target``,
    to a plugin's record target (hook ``kaoping_adapter_targets``) with its ``options``."""

    subject: SubjectMapping | None = None
    period: PeriodMapping | None = None
    values: list[ValueMapping] | None = Field(default=None, min_length=1, max_length=100)
    target: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="A plugin's record target to hand the records to instead of indicator values "
        "(e.g. cadres.negative); then give only its options",
    )
    options: dict[str, Any] = Field(default_factory=dict, description="The target's options")

    @model_validator(mode="after")
    def _values_or_target(self) -> Mapping:
        if self.target is None:
            missing = [name for name in ("subject", "period", "values") if getattr(self, name) is None]
            if missing:
                raise ValueError(f"give {', '.join(missing)} (or a target)")
            if self.options:
                raise ValueError("options are a target's: give a target or leave them out")
        elif self.subject is not None or self.period is not None or self.values is not None:
            raise ValueError("a mapping with a target takes only its options, not subject, period or values")
        return self


class Schedule(In):
    interval_minutes: int | None = Field(default=None, ge=1, le=366 * 24 * 60)
    cron: str | None = Field(
        default=None,
        min_length=9,
        max_length=100,
        description="Five fields: minute hour day month weekday, e.g. '0 2 * * *'",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Schedule:
        if (self.interval_minutes is None) == (self.cron is None):
            raise ValueError("give exactly one of interval_minutes or cron")
        return self


class Retry(In):
    attempts: int = Field(default=5, ge=1, le=20, description="At most this many attempts in all")
    max_seconds: float = Field(
        default=300, ge=1, le=6 * 3600, description="No new attempt after this many seconds from the first"
    )
    initial_seconds: float = Field(default=1, ge=0, le=600, description="First backoff (doubles, with jitter)")
    max_backoff_seconds: float = Field(default=60, ge=0, le=3600, description="Longest single backoff")


class AdapterSourceIn(In):
    name: SourceName
    adapter: str = Field(min_length=1, max_length=100)
    options: dict[str, Any] = {}
    mapping: Mapping
    schedule: Schedule | None = None
    retry: Retry = Retry()
    enabled: bool = True


class AdapterSourcePatch(In):
    """Only the given fields change. In ``options``, a secret option left out keeps its stored
    value (it is never sent back, so a client cannot echo it); give ``""`` to clear it."""

    name: SourceName | None = None
    options: dict[str, Any] | None = None
    mapping: Mapping | None = None
    schedule: Schedule | None = None
    retry: Retry | None = None
    enabled: bool | None = None


class RejectedRow(Out):
    where: str
    field: str = ""
    message: str


class AdapterRunOut(Out):
    id: int
    source_id: int
    trigger: str
    runner: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    attempts: int
    rows_read: int
    rows_written: int
    rows_rejected: int
    rejected: list[RejectedRow]
    error: str


class AdapterSourceOut(Out):
    id: int
    locality_code: str
    name: str
    adapter: str
    options: dict[str, Any]
    secrets_set: list[str] = Field(description="Names of secret options that hold a value (never the values)")
    mapping: dict[str, Any]
    schedule: dict[str, Any] | None
    retry: dict[str, Any]
    enabled: bool
    next_run_at: datetime | None
    running_since: datetime | None
    created_at: datetime
    updated_at: datetime
    last_run: AdapterRunOut | None = None


class ConnectionTest(Out):
    ok: bool
    message: str


class PreviewRow(Out):
    where: str
    subject_id: int
    subject_name: str
    template_id: int
    indicator_code: str
    period: str
    value: float


class Preview(Out):
    rows_read: int
    rows: list[PreviewRow]
    rows_rejected: int
    rejected: list[RejectedRow]
