from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class SubjectKind(StrEnum):
    unit = "unit"
    team = "team"
    person = "person"


class Subject(SQLModel, table=True):
    """What gets assessed (考核对象): a unit, a team or a person, in a subject category."""

    __tablename__ = "subjects"
    __table_args__ = (
        UniqueConstraint("locality_id", "kind", "ref_id", name="uq_subjects_locality_kind_ref"),
        Index("ix_subjects_locality_category", "locality_id", "category"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(
        sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), nullable=False)
    )
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    ref_id: int | None = None
    category: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
