"""Indicator values (bonus, deduction, veto, numeric) and the office's decisions on results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from core.periods import PeriodField
from core.schemas.base import MAX_ID, Id, In, Out

MAX_VALUE_ROWS = 10_000
# Kinds of indicator whose values are entered (or pulled by an adapter) rather than voted on.
VALUE_KINDS = frozenset({"bonus", "deduction", "veto", "numeric"})

IndicatorCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Source = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
# A finite number: no strings, no booleans, no NaN or infinity.
FiniteNumber = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class IndicatorValueIn(In):
    subject_id: Id
    indicator_code: IndicatorCode
    template_id: Id
    period: PeriodField
    value: FiniteNumber
    source: Source = ""


class IndicatorValueOut(Out):
    id: int
    subject_id: int
    template_id: int
    indicator_code: str
    period: str = Field(description="Canonical: 2026-11-30, 2026-W48, 2026-11, 2026-Q4, 2026-H2 or 2026")
    value: float
    source: str
    updated_at: datetime
    origin: str = Field(
        default="",
        description="typed (the console's grid), import (a file), adapter, api; "
        "empty for values written before this was kept",
    )
    origin_file: str = Field(default="", description="The imported file's name (origin import)")
    origin_run_id: int | None = Field(default=None, description="The adapter run that wrote it (origin adapter)")


class ValuesWritten(Out):
    written: int


# Emptiness is checked by the service (422 naming the field), like a label not on the scale.
Grade = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]


class AdjustmentIn(In):
    subject_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    grade: Grade
    reason: Reason


class AdjustmentOut(Out):
    id: int
    campaign_id: int
    subject_id: int
    from_grade: str | None
    grade: str
    reason: str
    actor: str
    created_at: datetime


class PublishOut(Out):
    campaign_id: int
    status: str
    subjects: int
