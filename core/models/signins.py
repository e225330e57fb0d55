"""The sign-in log: one row per console or API sign-in attempt (core/services/signins.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class SignInAttempt(SQLModel, table=True):
    """One sign-in attempt, kept ``KAOPING_SIGNIN_LOG_DAYS`` days.

    ``username``: the resolved user's name; for a name that names no user only a keyed digest
    (``?`` and 12 hex digits), as such a name is often a password typed into the wrong field.
    ``reason``: empty on success, else ``wrong_password``, ``unknown_user``, ``inactive`` or
    ``throttled``. ``locality_id``: the resolved user's locality (None for a platform admin or
    an unknown name), which scopes what an office user may read."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        Index("ix_sign_in_attempts_user_at", "user_id", "at"),
        Index("ix_sign_in_attempts_locality_at", "locality_id", "at"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    )
    at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime(), index=True)
    username: str = Field(max_length=100)
    user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    locality_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("localities.id", ondelete="CASCADE"), nullable=True)
    )
    ok: bool
    reason: str = Field(default="", max_length=16)
    channel: str = Field(default="console", max_length=8)
    client: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=120)
