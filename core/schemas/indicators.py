from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from core.periods import PeriodKind
from core.schemas.base import Code, In, Name, Out, Short

LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
IndicatorKindLiteral = Literal["graded", "numeric", "bonus", "deduction", "veto"]
MAX_INDICATORS = 5000


class GradeIn(In):
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    score: float


class IndicatorIn(In):
    code: Code
    name: Name
    kind: IndicatorKindLiteral = "graded"
    weight: float = Field(default=1.0, ge=0, le=1_000_000)  # 0: shown but not weighted (e.g. 总体评价)
    max_score: float | None = Field(default=None, ge=0)
    overall: bool = False
    standard: LongText = ""
    basis: LongText = ""
    data_source: Short = ""
    responsible: Short = ""
    unit_of_measure: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] = ""  # the column's
    children: list[IndicatorIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> IndicatorIn:
        if self.kind in ("bonus", "deduction") and self.max_score is None:
            raise ValueError(f"indicator {self.code}: a {self.kind} indicator needs max_score (its cap)")
        if self.overall and (self.kind != "graded" or self.children):
            raise ValueError(f"indicator {self.code}: only a graded leaf can be the overall indicator")
        if self.children and self.kind != "graded":
            raise ValueError(f"indicator {self.code}: only graded indicators can have children")
        return self


class TemplateIn(In):
    name: Name
    grade_scale: list[GradeIn] = Field(min_length=2, max_length=10)
    indicators: list[IndicatorIn] = Field(min_length=1)
    period_kind: PeriodKind | None = Field(
        default=None,
        description="The kind of period its indicator values are for (day, week, month, quarter, "
        "half_year, year): values of another kind, and campaigns whose period is of "
        "another kind, are refused. None: any kind the campaigns using it have.",
    )

    @model_validator(mode="after")
    def _check(self) -> TemplateIn:
        labels = [g.label for g in self.grade_scale]
        if len(set(labels)) != len(labels):
            raise ValueError("grade_scale: labels must be unique")
        codes: list[str] = []
        overall: list[str] = []

        def walk(items: list[IndicatorIn]) -> None:
            for item in items:
                codes.append(item.code)
                if item.overall:
                    overall.append(item.code)
                walk(item.children)

        walk(self.indicators)
        if len(codes) > MAX_INDICATORS:
            raise ValueError(f"indicators: at most {MAX_INDICATORS} indicators in a template")
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"indicators: codes must be unique in the template; repeated: {', '.join(duplicates)}")
        if len(overall) > 1:
            raise ValueError(f"indicators: only one overall indicator allowed; marked: {', '.join(overall)}")
        return self


class GradeOut(Out):
    label: str
    score: float


class IndicatorOut(Out):
    id: int
    code: str
    name: str
    kind: str
    weight: float
    max_score: float | None
    overall: bool
    standard: str
    basis: str
    data_source: str
    responsible: str
    unit_of_measure: str
    children: list[IndicatorOut]


class TemplateOut(Out):
    id: int
    name: str
    version: int
    status: str
    copied_from_id: int | None
    period_kind: str | None = None
    grade_scale: list[GradeOut]
    indicators: list[IndicatorOut]


class TemplateSummary(Out):
    id: int
    name: str
    version: int
    status: str
    period_kind: str | None = None
