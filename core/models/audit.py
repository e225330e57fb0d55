from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, SmallInteger
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class AuditEntry(SQLModel, table=True):
    """One write by a user. Entries form a hash chain (each hash covers the previous one), keyed
    by the secret key, so a changed or deleted entry is detected by ``services.audit.verify``.

    ``hash_version`` 2 is HMAC-SHA256 under a key derived from the secret key; 1 was plain
    SHA-256 (entries written before migration 0008), re-keyed to 2 by ``services.audit.rekey``."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_locality_id", "locality_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"))
    )
    at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
    user_id: int | None = None
    actor: str = Field(max_length=100)
    action: str = Field(max_length=100)
    target_type: str = Field(max_length=50)
    target_id: str = Field(default="", max_length=100)
    summary: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(max_length=64)
    hash_version: int = Field(default=2, sa_column=Column(SmallInteger, nullable=False, server_default="1"))
