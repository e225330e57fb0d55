"""Adapter sources (an instance of an adapter type with options, a mapping and a schedule)
and their runs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class RunStatus(StrEnum):
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class AdapterSource(SQLModel, table=True):
    """Where a locality pulls indicator values from.

    ``options`` holds the adapter's public options; options the adapter names as secret
    (passwords, tokens, URLs with credentials) are kept apart, encrypted, in ``secret_options``
    and never returned. ``next_run_at`` is when the schedule fires next: a firing claims the
    run by moving it forward with a conditional UPDATE, so several app instances fire it once.
    ``running_since`` is set while a run is under way, so a source is never run twice at once.
    """

    __tablename__ = "adapter_sources"
    __table_args__ = (
        UniqueConstraint("locality_id", "name", name="uq_adapter_sources_locality_name"),
        Index("ix_adapter_sources_due", "enabled", "next_run_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(
        sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), nullable=False)
    )
    name: str = Field(max_length=100)
    adapter: str = Field(max_length=100)
    options: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    secret_options: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    mapping: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    schedule: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    retry: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    enabled: bool = True
    next_run_at: datetime | None = Field(default=None, sa_type=tz_datetime())
    running_since: datetime | None = Field(default=None, sa_type=tz_datetime())
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class AdapterRun(SQLModel, table=True):
    """One pull of a source: it wrote all of its values, or none (there is no partial status)."""

    __tablename__ = "adapter_runs"
    __table_args__ = (Index("ix_adapter_runs_source_started", "source_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(
        sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), nullable=False)
    )
    source_id: int = Field(
        sa_column=Column(Integer, ForeignKey("adapter_sources.id", ondelete="CASCADE"), nullable=False)
    )
    trigger: str = Field(default="manual", max_length=20)  # manual (API), schedule, cli
    runner: str = Field(default="", max_length=100)  # host:pid of the process that ran it
    status: str = Field(default=RunStatus.running, max_length=20)
    started_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
    finished_at: datetime | None = Field(default=None, sa_type=tz_datetime())
    attempts: int = 0
    rows_read: int = 0
    rows_written: int = 0
    rows_rejected: int = 0
    rejected: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
