"""The goals plugin's tables: the locality's indicator dictionary, goals (a tree per unit or team
and year), their assignments to people (role and responsibility share), progress reports by
period, and the versions of published goals (留痕).

Every table leads with ``locality_id``; rows of a deleted goal go with it (CASCADE)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Column, Date, Float, ForeignKey, Index, Integer, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class GoalKind(StrEnum):
    quantitative = "quantitative"  # 定量: baseline, target and an actual value
    qualitative = "qualitative"  # 定性: a percentage entered by hand


class Direction(StrEnum):
    higher = "higher"  # higher is better: the target is above the baseline
    lower = "lower"  # lower is better: the target is below the baseline


class GoalStatus(StrEnum):
    on_track = "on_track"
    behind = "behind"
    overdue = "overdue"
    done = "done"


def _fk(table: str, ondelete: str = "CASCADE", nullable: bool = False) -> Column:
    return Column(Integer, ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


class GoalIndicator(SQLModel, table=True):
    """An entry of the locality's indicator dictionary: what a quantitative goal measures and in
    which unit, so that values are comparable across units and years."""

    __tablename__ = "goals_indicators"
    __table_args__ = (UniqueConstraint("locality_id", "code", name="uq_goals_indicators_locality_code"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    measure: str = Field(default="", max_length=30)  # 计量单位: 亿元, %, 个, ...
    direction: str = Field(default=Direction.higher.value, max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class Goal(SQLModel, table=True):
    """A goal of a unit (``team_id`` null) or of a leadership team of that unit, for a year; a
    sub-goal names its ``parent_id`` (same unit, team and year)."""

    __tablename__ = "goals"
    __table_args__ = (
        Index("ix_goals_locality_unit_year", "locality_id", "unit_id", "year", "team_id"),
        Index("ix_goals_parent", "parent_id"),
        Index("ix_goals_locality_year_set", "locality_id", "year", "unit_id", "team_id"),
        Index("ix_goals_copied_from", "copied_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    unit_id: int = Field(sa_column=_fk("units", "RESTRICT"))
    team_id: int | None = Field(default=None, sa_column=_fk("teams", "CASCADE", nullable=True))
    year: int
    parent_id: int | None = Field(default=None, sa_column=_fk("goals", "CASCADE", nullable=True))
    sort_order: int = 0
    name: str = Field(max_length=300)
    weight: float = Field(default=1.0, sa_column=Column(Float, nullable=False, default=1.0))
    kind: str = Field(default=GoalKind.qualitative.value, max_length=16)
    source: str = Field(default="", max_length=50)  # 来源: a value of the locality's list
    supervising_unit_id: int | None = Field(default=None, sa_column=_fk("units", "SET NULL", nullable=True))
    start_date: date = Field(sa_column=Column(Date, nullable=False))
    end_date: date = Field(sa_column=Column(Date, nullable=False))
    standard: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # 完成标准
    indicator_id: int | None = Field(default=None, sa_column=_fk("goals_indicators", "RESTRICT", nullable=True))
    baseline: float | None = Field(default=None, sa_column=Column(Float))
    target: float | None = Field(default=None, sa_column=Column(Float))
    direction: str = Field(default=Direction.higher.value, max_length=8)
    counts_for_assessment: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, default=True))
    # the goal of an earlier year this one was copied from (``copying.copy_goals``): its lineage
    copied_from: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("goals.id", ondelete="SET NULL", name="fk_goals_copied_from"), nullable=True
        ),
    )
    published_at: datetime | None = Field(default=None, sa_type=tz_datetime())
    versions: int = 0  # versions kept since publishing (1: as published)
    changed_after_publish: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, default=False, server_default=false())
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class GoalAssignment(SQLModel, table=True):
    """A person responsible for a goal: their role (主办, 协办: the locality's list) and share in
    percent (the shares of one goal sum to 100)."""

    __tablename__ = "goals_assignments"
    __table_args__ = (
        UniqueConstraint("goal_id", "person_id", name="uq_goals_assignments_goal_person"),
        Index("ix_goals_assignments_locality_person", "locality_id", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    goal_id: int = Field(sa_column=_fk("goals"))
    person_id: int = Field(sa_column=_fk("people"))
    role: str = Field(max_length=20)
    share: float = Field(sa_column=Column(Float, nullable=False))


class GoalProgress(SQLModel, table=True):
    """The progress of a goal in one period (a month or quarter, canonical text): the actual
    value (quantitative), the percentage (computed, or by hand for qualitative goals), done or
    not, the work done and the reasons for delay."""

    __tablename__ = "goals_progress"
    __table_args__ = (
        UniqueConstraint("goal_id", "period", name="uq_goals_progress_goal_period"),
        Index("ix_goals_progress_locality_goal_start", "locality_id", "goal_id", "period_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    goal_id: int = Field(sa_column=_fk("goals"))
    period: str = Field(max_length=16)
    period_start: date = Field(sa_column=Column(Date, nullable=False))
    period_end: date = Field(sa_column=Column(Date, nullable=False))
    actual: float | None = Field(default=None, sa_column=Column(Float))
    percent: float = Field(default=0.0, sa_column=Column(Float, nullable=False, default=0.0))
    done: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    work_done: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    delay_reasons: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reported_by: str = Field(default="", max_length=100)
    reported_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class GoalVersion(SQLModel, table=True):
    """A published goal as it was published (number 1) and after each later change (2, 3, ...),
    with what changed (field: [before, after])."""

    __tablename__ = "goals_versions"
    __table_args__ = (UniqueConstraint("goal_id", "number", name="uq_goals_versions_goal_number"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    goal_id: int = Field(sa_column=_fk("goals"))
    number: int
    snapshot: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    changes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    written_by: str = Field(default="", max_length=100)
    written_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class GoalScore(SQLModel, table=True):
    """The office's score of a top-level goal for a period (usually its year): ``standard`` is its
    standard score (标准分), ``score`` what it got (direct, or the standard less ``deduction``)."""

    __tablename__ = "goals_scores"
    __table_args__ = (
        UniqueConstraint("goal_id", "period", name="uq_goals_scores_goal_period"),
        Index("ix_goals_scores_locality_period", "locality_id", "period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    goal_id: int = Field(sa_column=_fk("goals"))
    period: str = Field(max_length=16)
    standard: float = Field(sa_column=Column(Float, nullable=False))
    score: float = Field(sa_column=Column(Float, nullable=False))
    deduction: float = Field(default=0.0, sa_column=Column(Float, nullable=False, default=0.0))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    scored_by: str = Field(default="", max_length=100)
    scored_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class GoalAnswer(SQLModel, table=True):
    """The goal's unit answering a comment (点评) on a goal: ``public`` answers are shown to every
    reader of the goal, private ones only to the comment's writer (and the unit and office)."""

    __tablename__ = "goals_answers"
    __table_args__ = (UniqueConstraint("comment_id", name="uq_goals_answers_comment"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    goal_id: int = Field(sa_column=_fk("goals"))
    comment_id: int = Field(sa_column=_fk("comments"))
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    public: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, default=True))
    answered_by: str = Field(default="", max_length=100)
    answered_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class GoalRollup(SQLModel, table=True):
    """A set's roll-up kept for the county view (``plugins.goals.rollups``): its top goals'
    (weight, start, end, percent, done) as of the reports whose periods began in
    [``valid_from``, ``valid_until``), good while ``computed_version`` equals ``version``. Every
    ORM write of a goal or report of the set adds one to ``version``."""

    __tablename__ = "goals_rollups"
    __table_args__ = (
        UniqueConstraint("locality_id", "set_key", name="uq_goals_rollups_locality_set"),
        Index("ix_goals_rollups_locality_year", "locality_id", "year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    unit_id: int = Field(sa_column=_fk("units"))
    team_id: int | None = Field(default=None, sa_column=_fk("teams", "CASCADE", nullable=True))
    year: int
    set_key: str = Field(max_length=40)  # "unit:team:year", team empty for a unit's own goals
    version: int = 0
    computed_version: int | None = None
    tops: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    valid_from: date | None = Field(default=None, sa_column=Column(Date))
    valid_until: date | None = Field(default=None, sa_column=Column(Date))


class IndicatorShare(SQLModel, table=True):
    """一人一表: a unit's indicator of a template given to one of the unit's people with a role
    and a responsibility share (责任比重, percent; the shares of one unit's indicator sum to 100),
    so that the scoring can pass the unit's score of the indicator on to its people."""

    __tablename__ = "goals_indicator_shares"
    __table_args__ = (
        UniqueConstraint("unit_id", "indicator_id", "person_id", name="uq_goals_indicator_shares_unit_person"),
        Index("ix_goals_indicator_shares_locality_template", "locality_id", "template_id", "unit_id"),
        Index("ix_goals_indicator_shares_person", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    unit_id: int = Field(sa_column=_fk("units"))
    template_id: int = Field(sa_column=_fk("indicator_templates"))
    indicator_id: int = Field(sa_column=_fk("indicators"))
    person_id: int = Field(sa_column=_fk("people"))
    role: str = Field(max_length=20)
    share: float = Field(sa_column=Column(Float, nullable=False))
    written_by: str = Field(default="", max_length=100)
    written_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class GoalResult(SQLModel, table=True):
    """A set's year-end result, stored when the office finishes scoring it for a period
    (``plugins.goals.results``): the set's own row (``person_id`` null: the team's or unit's total
    over the scored goals that count for the assessment) and one row per person carrying them
    (score × share / 100 summed). Kept until the office reopens the set's scoring."""

    __tablename__ = "goals_results"
    __table_args__ = (
        UniqueConstraint("locality_id", "set_key", "period", "subject", name="uq_goals_results_set_period_subject"),
        Index("ix_goals_results_locality_period", "locality_id", "period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    set_key: str = Field(max_length=40)  # "unit:team:year" as the roll-ups' (team empty: the unit's own goals)
    unit_id: int = Field(sa_column=_fk("units"))
    team_id: int | None = Field(default=None, sa_column=_fk("teams", nullable=True))
    year: int
    period: str = Field(max_length=16)
    subject: str = Field(max_length=30)  # "set", or "person:<id>"
    person_id: int | None = Field(default=None, sa_column=_fk("people", "SET NULL", nullable=True))
    person_name: str = Field(default="", max_length=100)  # kept should the person be deleted
    score: float = Field(sa_column=Column(Float, nullable=False))
    standard: float = Field(sa_column=Column(Float, nullable=False))  # the set's: its standard; a person's: by share
    finished_by: str = Field(default="", max_length=100)
    finished_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
