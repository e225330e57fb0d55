from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class IndicatorValue(SQLModel, table=True):
    """A measured value of an indicator for a subject and period (bonus, deduction, veto,
    numeric), entered by the office or pulled by an adapter. Upserted on its natural key."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        UniqueConstraint(
            "locality_id", "subject_id", "template_id", "indicator_code", "period", name="uq_indicator_values_key"
        ),
        Index("ix_indicator_values_locality_template_period", "locality_id", "template_id", "period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(
        sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), nullable=False)
    )
    subject_id: int = Field(sa_column=Column(Integer, ForeignKey("subjects.id", ondelete="RESTRICT"), nullable=False))
    template_id: int = Field(
        sa_column=Column(Integer, ForeignKey("indicator_templates.id", ondelete="RESTRICT"), nullable=False)
    )
    indicator_code: str = Field(max_length=64)
    period: str = Field(max_length=20)  # canonical (core.periods), e.g. "2026-11"
    value: float = Field(sa_column=Column(Float, nullable=False))
    source: str = Field(default="", max_length=100)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
    # Where the value came from (see core.services.values.Origin): "typed" on the console grid,
    # "import" from a file (origin_file), "adapter" (origin_run_id), "api"; "" before 0016.
    origin: str = Field(default="", max_length=16, sa_column_kwargs={"server_default": ""})
    origin_user_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="SET NULL", name="fk_indicator_values_origin_user_id_users")
        ),
    )
    origin_file: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    origin_run_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("adapter_runs.id", ondelete="SET NULL", name="fk_indicator_values_origin_run_id_adapter_runs"),
        ),
    )
