from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class Locality(SQLModel, table=True):
    """A tenant: a city, a county or a bureau. Counties hang under their city."""

    __tablename__ = "localities"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    parent_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), index=True)
    )
    # Bumped on every change of the locality's plugin settings, so every app instance drops
    # its cached hook caller for the locality at once.
    plugin_config_version: int = 0
    # How results are shown and when a tally may run (the office sets them; SPEC 3):
    # scores are rounded to ``result_decimals`` places in tables, exports and reports (the
    # unrounded value is kept beside them); a tally of an evaluator category whose turnout
    # (submitted / issued, in percent) is below ``min_turnout_percent`` is refused unless the
    # office confirms with a reason. None: no minimum.
    result_decimals: int = Field(default=2, ge=0, le=6)
    min_turnout_percent: float | None = Field(default=None, ge=0, le=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
