from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class LocalityPlugin(SQLModel, table=True):
    """Whether a locality uses a plugin, and with which options. No row: disabled (unless essential)."""

    __tablename__ = "locality_plugins"

    locality_id: int = Field(
        sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), primary_key=True)
    )
    plugin: str = Field(primary_key=True, max_length=100)
    enabled: bool = False
    options: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
