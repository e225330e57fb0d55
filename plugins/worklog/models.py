"""The worklog plugin's tables: entries (plans and records of a person for a period), the
versions of submitted entries (留痕), and who viewed what.

Every table leads with ``locality_id``; rows of a deleted person go with it (CASCADE)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Date, Float, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow
from core.periods import PeriodKind


class EntryKind(StrEnum):
    weekly_plan = "weekly_plan"
    weekly_record = "weekly_record"  # 周记实
    monthly_plan = "monthly_plan"
    monthly_summary = "monthly_summary"  # 月小结
    quarterly_plan = "quarterly_plan"
    quarterly_self_assessment = "quarterly_self_assessment"  # 季度自评, read by whoever grades the quarter
    daily_record = "daily_record"  # 日记实: only where the locality's option daily_records is on


# The name of each kind of entry: a message id of the plugin's catalogue ("周计划", ...).
KIND_LABELS: dict[EntryKind, str] = {
    EntryKind.weekly_plan: "Weekly plan",
    EntryKind.weekly_record: "Weekly record",
    EntryKind.monthly_plan: "Monthly plan",
    EntryKind.monthly_summary: "Monthly summary",
    EntryKind.quarterly_plan: "Quarterly plan",
    EntryKind.quarterly_self_assessment: "Quarterly self-assessment",
    EntryKind.daily_record: "Daily record",
}

# The kind of period each kind of entry is written for.
PERIOD_OF_KIND: dict[EntryKind, PeriodKind] = {
    EntryKind.weekly_plan: PeriodKind.week,
    EntryKind.weekly_record: PeriodKind.week,
    EntryKind.monthly_plan: PeriodKind.month,
    EntryKind.monthly_summary: PeriodKind.month,
    EntryKind.quarterly_plan: PeriodKind.quarter,
    EntryKind.quarterly_self_assessment: PeriodKind.quarter,
    EntryKind.daily_record: PeriodKind.day,
}


class EntryStatus(StrEnum):
    draft = "draft"  # seen by its author only
    submitted = "submitted"


def _fk(table: str, ondelete: str = "CASCADE", nullable: bool = False) -> Column:
    return Column(Integer, ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


class WorkEntry(SQLModel, table=True):
    """One plan or record of a person for one period (canonical text, e.g. ``2026-W48``)."""

    __tablename__ = "worklog_entries"
    __table_args__ = (
        UniqueConstraint("locality_id", "person_id", "kind", "period", name="uq_worklog_entries_person_kind_period"),
        Index("ix_worklog_entries_locality_period", "locality_id", "period", "kind"),  # a board
        Index("ix_worklog_entries_person_start", "locality_id", "person_id", "period_start"),  # a history
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    person_id: int = Field(sa_column=_fk("people"))
    kind: str = Field(max_length=32)
    period: str = Field(max_length=16)
    period_start: date = Field(sa_column=Column(Date, nullable=False))  # its first day, to order and range
    status: str = Field(default=EntryStatus.draft.value, max_length=16)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    versions: int = 0  # submitted versions kept (0 for a draft never submitted)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
    submitted_at: datetime | None = Field(default=None, sa_type=tz_datetime())


class EntryVersion(SQLModel, table=True):
    """The text of an entry as submitted (number 1) and after each later change (2, 3, ...)."""

    __tablename__ = "worklog_entry_versions"
    __table_args__ = (UniqueConstraint("entry_id", "number", name="uq_worklog_entry_versions_entry_number"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    entry_id: int = Field(sa_column=_fk("worklog_entries"))
    number: int
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    written_by: str = Field(default="", max_length=100)  # the user name
    written_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class EntryView(SQLModel, table=True):
    """A reader other than the author opened a submitted entry: first and last time."""

    __tablename__ = "worklog_entry_views"
    __table_args__ = (UniqueConstraint("entry_id", "user_id", name="uq_worklog_entry_views_entry_user"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    entry_id: int = Field(sa_column=_fk("worklog_entries"))
    user_id: int = Field(sa_column=_fk("users"))
    first_viewed_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
    last_viewed_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class ViewNotice(SQLModel, table=True):
    """The author of ``person_id`` was told that ``user_id`` looked at their work on ``day``
    (the locality's calendar day): once per viewer per day, however many entries were read."""

    __tablename__ = "worklog_view_notices"
    __table_args__ = (UniqueConstraint("person_id", "user_id", "day", name="uq_worklog_view_notices_person_user_day"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    person_id: int = Field(sa_column=_fk("people"))
    user_id: int = Field(sa_column=_fk("users"))
    day: date = Field(sa_column=Column(Date, nullable=False))


class QuarterStatus(StrEnum):
    open = "open"  # leaders grade
    locked = "locked"  # the office closed grading
    published = "published"  # each person sees their grade


class EvaluationQuarter(SQLModel, table=True):
    """A quarter's evaluation (季度评价) of a locality, graded with an indicator template whose
    graded leaves are the dimensions and whose grade scale holds the hidden scores. The
    template is frozen when the quarter opens, so the scores cannot change under the grades."""

    __tablename__ = "worklog_quarters"
    __table_args__ = (UniqueConstraint("locality_id", "period", name="uq_worklog_quarters_locality_period"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    period: str = Field(max_length=16)  # 2026-Q4
    template_id: int = Field(sa_column=_fk("indicator_templates", "RESTRICT"))
    status: str = Field(default=QuarterStatus.open.value, max_length=16)
    opened_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
    locked_at: datetime | None = Field(default=None, sa_type=tz_datetime())
    published_at: datetime | None = Field(default=None, sa_type=tz_datetime())


class Evaluation(SQLModel, table=True):
    """A person's grades of a quarter: ``grades`` maps a dimension (indicator id, as text) to the
    chosen grade label; ``score`` (hidden from leaders and the person) is the weighted mean of
    the labels' scores, ``grade`` the overall grade label. Kept per person and period for the
    composites that come later."""

    __tablename__ = "worklog_evaluations"
    __table_args__ = (
        UniqueConstraint("quarter_id", "person_id", name="uq_worklog_evaluations_quarter_person"),
        Index("ix_worklog_evaluations_locality_person", "locality_id", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    quarter_id: int = Field(sa_column=_fk("worklog_quarters"))
    person_id: int = Field(sa_column=_fk("people"))
    grades: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    score: float = Field(sa_column=Column(Float, nullable=False))
    grade: str = Field(max_length=20)
    graded_by: int | None = Field(default=None, sa_column=_fk("users", "SET NULL", nullable=True))
    graded_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class Reminder(SQLModel, table=True):
    """A person was reminded that their entry of ``kind`` for ``period`` was due: once each."""

    __tablename__ = "worklog_reminders"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "period", name="uq_worklog_reminders_person_kind_period"),
        Index("ix_worklog_reminders_locality_period", "locality_id", "period", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    person_id: int = Field(sa_column=_fk("people"))
    kind: str = Field(max_length=32)
    period: str = Field(max_length=16)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class GraderAssignment(SQLModel, table=True):
    """Who grades whom in a quarter, where the office chose otherwise than the default (the
    supervising leaders): ``grader_id`` (a leader's account) grades the person ``person_id``,
    or every person of the unit ``unit_id`` that has no assignment of their own. Exactly one of
    the two is set; a person's assignment wins over their unit's."""

    __tablename__ = "worklog_graders"
    __table_args__ = (
        UniqueConstraint("quarter_id", "person_id", name="uq_worklog_graders_quarter_person"),
        UniqueConstraint("quarter_id", "unit_id", name="uq_worklog_graders_quarter_unit"),
        Index("ix_worklog_graders_quarter_grader", "quarter_id", "grader_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    quarter_id: int = Field(sa_column=_fk("worklog_quarters"))
    person_id: int | None = Field(default=None, sa_column=_fk("people", nullable=True))
    unit_id: int | None = Field(default=None, sa_column=_fk("units", nullable=True))
    grader_id: int = Field(sa_column=_fk("users"))
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
