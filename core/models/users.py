from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer, false
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class Role(StrEnum):
    platform_admin = "platform_admin"
    office = "office"
    unit_admin = "unit_admin"
    leader = "leader"
    cadre = "cadre"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=32)
    locality_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), index=True)
    )
    unit_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("units.id", ondelete="RESTRICT")))
    is_active: bool = True
    # Granted by a platform admin: may also read (never change) the localities under its own.
    reads_child_localities: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class AuthToken(SQLModel, table=True):
    """A bearer token (kind ``api``) or a browser session (kind ``session``).

    Only a keyed hash of the token is stored.
    """

    __tablename__ = "auth_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True))
    kind: str = Field(max_length=16)
    name: str = Field(default="", max_length=100)
    csrf_token: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
    expires_at: datetime | None = Field(default=None, sa_type=tz_datetime())


class LoginFailure(SQLModel, table=True):
    """One failed login, kept for the rate-limit window. Shared by every app instance."""

    __tablename__ = "login_failures"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime(), index=True)
