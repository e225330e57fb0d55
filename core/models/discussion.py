"""Comments, likes and attachments on any target of a plugin (core/services/discussion.py and
core/services/attachments.py write them).

A target is named by ``target_type`` (the owning plugin's name for it, ``worklog.entry``) and
``target_id`` (its id there); the owning plugin decides who may read and write it. Rows of a
deleted user keep their author's name (``user_id`` becomes NULL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


def _locality() -> Column:
    return Column(Integer, ForeignKey("localities.id", ondelete="CASCADE"), nullable=False)


def _user() -> Column:
    return Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class Comment(SQLModel, table=True):
    """A comment of ``user_id`` (shown as ``author_name``) on a target; ``kind`` is the owning
    plugin's word for what sort of comment it is (goals: ``comment``, ``suggestion``,
    ``report``), which the plugin validates; null for a plain comment."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_target", "target_type", "target_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_locality())
    target_type: str = Field(max_length=50)
    target_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    user_id: int | None = Field(default=None, sa_column=_user())
    author_name: str = Field(default="", max_length=100)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    kind: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class Like(SQLModel, table=True):
    """One user's like of a target (at most one: toggled)."""

    __tablename__ = "likes"
    __table_args__ = (UniqueConstraint("target_type", "target_id", "user_id", name="uq_likes_target_user"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_locality())
    target_type: str = Field(max_length=50)
    target_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False))
    author_name: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class Attachment(SQLModel, table=True):
    """A file on a target, stored as ``var/attachments/<locality_id>/<storage_key>``;
    ``file_name`` is the uploader's name for it, shown and sent back, never used as a path."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_target", "target_type", "target_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_locality())
    target_type: str = Field(max_length=50)
    target_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    user_id: int | None = Field(default=None, sa_column=_user())
    author_name: str = Field(default="", max_length=100)
    file_name: str = Field(max_length=200)
    kind: str = Field(max_length=8)  # pdf, docx, xlsx, jpg, png, txt: what its content is
    size: int  # bytes
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
