"""The quarterly evaluation's input and output shapes (rules in ``plugins.worklog.evaluation``).

A leader's ``Sheet`` and ``SheetRow`` carry labels only; scores are in the office's ``Summary``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from core.schemas.base import In
from plugins.worklog.models import QuarterStatus


class QuarterIn(In):
    """Open a quarter's evaluation: ``period`` a quarter (``2026-Q4``), ``template_id`` an
    indicator template of the locality with graded dimensions."""

    period: str = Field(min_length=1, max_length=50)
    template_id: int = Field(ge=1, le=2**31 - 1)


class GradesIn(In):
    """A person's grades: dimension (indicator) id -> the chosen label, every dimension once."""

    grades: dict[int, Annotated[str, StringConstraints(max_length=20)]] = Field(max_length=100)


class QuarterOut(BaseModel):
    period: str
    template_id: int
    template_name: str
    status: QuarterStatus
    opened_at: datetime
    locked_at: datetime | None
    published_at: datetime | None


class Dimension(BaseModel):
    """A dimension to grade: its indicator id, name and standard (what each grade means)."""

    id: int
    name: str
    standard: str


class SheetRow(BaseModel):
    """A person to grade, with the labels chosen so far (dimension id -> label; empty: not yet)."""

    person_id: int
    person_name: str
    grades: dict[int, str]
    graded_at: datetime | None
    self_assessment_id: int | None = None  # their submitted 季度自评 of the quarter (an entry id)


class Sheet(BaseModel):
    """A leader's grading sheet for one unit: the labels to choose from, best first (no
    scores), the dimensions and the people."""

    quarter: QuarterOut
    unit_id: int | None
    labels: list[str]
    dimensions: list[Dimension]
    rows: list[SheetRow]
    units: list[dict[str, Any]] = []  # [{"id", "name"}]: the units holding someone the leader grades


class ResultRow(BaseModel):
    """The office's view of a person: ``score`` and ``grade`` null while not graded."""

    person_id: int
    person_name: str
    unit_id: int | None
    grades: dict[int, str]
    score: float | None
    grade: str | None
    graded_by: str | None
    graded_at: datetime | None


class UnitSummary(BaseModel):
    unit_id: int
    unit_name: str
    people: int
    graded: int
    mean_score: float | None  # of the graded, rounded to 2 decimals
    grades: dict[str, int]  # overall grade label -> how many


class Summary(BaseModel):
    quarter: QuarterOut
    dimensions: list[Dimension]
    scale: list[dict[str, Any]]  # [{"label": ..., "score": ...}], best first
    units: list[UnitSummary]
    rows: list[ResultRow]


class MyResult(BaseModel):
    """A person's published grade of a quarter: the overall label and the label per dimension."""

    period: str
    grade: str
    dimensions: list[Dimension]
    grades: dict[int, str]
    published_at: datetime | None
