"""Indicator templates (指标体系): a tree of indicators and a hidden grade scale."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class IndicatorKind(StrEnum):
    graded = "graded"
    numeric = "numeric"
    bonus = "bonus"
    deduction = "deduction"
    veto = "veto"


class TemplateStatus(StrEnum):
    draft = "draft"
    frozen = "frozen"  # used by an opened campaign: no more edits


class IndicatorTemplate(SQLModel, table=True):
    __tablename__ = "indicator_templates"
    __table_args__ = (Index("ix_indicator_templates_locality", "locality_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(
        sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), nullable=False)
    )
    name: str = Field(max_length=200)
    version: int = 1
    status: str = Field(default=TemplateStatus.draft, max_length=16)
    copied_from_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("indicator_templates.id", ondelete="SET NULL"))
    )
    # Ordered best first: [{"label": "优秀", "score": 95}, ...]. Evaluators see labels only.
    grade_scale: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The kind of period its indicator values are for (core.periods.PeriodKind: "month", "year",
    # ...); None: any kind, as long as it matches the campaigns that use the template.
    period_kind: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class Indicator(SQLModel, table=True):
    __tablename__ = "indicators"
    __table_args__ = (
        UniqueConstraint("template_id", "code", name="uq_indicators_template_code"),
        Index("ix_indicators_locality_template", "locality_id", "template_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(
        sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), nullable=False)
    )
    template_id: int = Field(
        sa_column=Column(Integer, ForeignKey("indicator_templates.id", ondelete="CASCADE"), nullable=False)
    )
    parent_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("indicators.id", ondelete="CASCADE"))
    )
    position: int = 0
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    weight: float = Field(default=1.0, sa_column=Column(Float, nullable=False, default=1.0))
    max_score: float | None = Field(default=None, sa_column=Column(Float))
    overall: bool = False
    standard: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    basis: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    data_source: str = Field(default="", max_length=200)
    responsible: str = Field(default="", max_length=200)
    unit_of_measure: str = Field(default="", max_length=50)
