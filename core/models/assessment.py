"""Which campaigns an assessment-group (考核小组) user may read (core/services/assessment.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class AssessmentAssignment(SQLModel, table=True):
    """An ``assessment_group`` user may read this campaign (its overview, turnout and results)."""

    __tablename__ = "assessment_assignments"

    user_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    campaign_id: int = Field(
        sa_column=Column(Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
