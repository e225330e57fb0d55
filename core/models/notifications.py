"""In-app notifications (core/services/notifications.py writes them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class Notification(SQLModel, table=True):
    """A message to one user. ``message_id`` is an English message id with ``{name}`` fields
    filled from ``params`` when shown, translated into the reader's language; ``link`` is a
    path inside the site (or empty). ``read_at`` is None while unread. ``params`` holds the
    message's values only: ``catalogue`` names the plugin whose catalogue holds the message when
    its kind does not (null: the kind's, or the core's), ``param_types`` the values kept as ISO
    text that are dates or datetimes (``{"day": "date"}``; null when none is)."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id", "user_id", "id"),  # the list, newest first
        Index("ix_notifications_user_read", "user_id", "read_at"),  # the unread count
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"))
    )
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False))
    kind: str = Field(max_length=50)
    message_id: str = Field(max_length=500)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    link: str = Field(default="", max_length=500)
    catalogue: str | None = Field(default=None, max_length=50)
    # none_as_null: a notification without typed values keeps SQL NULL, not the JSON 'null'
    param_types: dict | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
    read_at: datetime | None = Field(default=None, sa_type=tz_datetime())
