"""The goals' input and output shapes (the API answers these; pages render them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from core.schemas.base import Id, In
from core.services.attachments import AttachmentOut
from plugins.goals.models import Direction, GoalKind, GoalStatus

GoalName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
LongText = Annotated[str, Field(max_length=5000)]
Year = Annotated[int, Field(ge=1900, le=2199)]
Amount = Annotated[float, Field(ge=-1e15, le=1e15, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class IndicatorIn(In):
    """An entry of the indicator dictionary: ``code`` unique in the locality, ``measure`` the
    unit of measure (亿元, %, 个), ``direction`` ``higher`` or ``lower`` (is better)."""

    code: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    ]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    measure: Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)] = ""
    direction: Direction = Direction.higher


class IndicatorOut(BaseModel):
    id: int
    code: str
    name: str
    measure: str
    direction: Direction


class GoalIn(In):
    """A goal. ``unit_id`` owns it; ``team_id`` (a leadership team of that unit) when it is the
    team's; ``parent_id`` makes it a sub-goal (same unit, team and year). ``weight`` > 0 weighs
    it among its siblings. A ``quantitative`` goal needs ``indicator_id`` (the locality's
    dictionary), ``baseline`` and ``target`` (different; the target above the baseline when
    higher is better, below when lower is better); ``direction`` defaults to the indicator's.
    ``source``: a value of the locality's list of sources (or empty). Dates: ``start`` ≤ ``end``,
    both in ``year``."""

    unit_id: Id
    team_id: Id | None = None
    year: Year
    parent_id: Id | None = None
    name: GoalName
    weight: Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)] = 1.0
    kind: GoalKind = GoalKind.qualitative
    source: ShortText = ""
    supervising_unit_id: Id | None = None
    start: date
    end: date
    standard: LongText = ""
    indicator_id: Id | None = None
    baseline: Amount | None = None
    target: Amount | None = None
    direction: Direction | None = None
    counts_for_assessment: bool = True


class GoalPatch(In):
    """A change of a goal's own fields (the tree place changes by ``move``): only the fields
    given change."""

    name: GoalName | None = None
    weight: Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)] | None = None
    kind: GoalKind | None = None
    source: ShortText | None = None
    supervising_unit_id: Id | None = None
    start: date | None = None
    end: date | None = None
    standard: LongText | None = None
    indicator_id: Id | None = None
    baseline: Amount | None = None
    target: Amount | None = None
    direction: Direction | None = None
    counts_for_assessment: bool | None = None


class MoveIn(In):
    """Move a goal (with its branch) under ``parent_id`` (null: to the top), at ``position``
    (0-based among its new siblings; null: last)."""

    parent_id: Id | None = None
    position: Annotated[int, Field(ge=0, le=100_000)] | None = None


class ReorderIn(In):
    """The children of ``parent_id`` (null: the top goals of the set) in their new order: every
    one of them, once."""

    parent_id: Id | None = None
    order: list[Id] = Field(max_length=10_000)


class CopyIn(In):
    """Copy a set's goals (``goal_ids``: only these branches; null: all) to ``to_year`` (default
    the next year), every field kept, dates moved by the same number of years, assignments kept;
    the copies are drafts."""

    unit_id: Id
    team_id: Id | None = None
    year: Year
    to_year: Year | None = None
    goal_ids: list[Id] | None = Field(default=None, max_length=10_000)


class ShareIn(In):
    """A person's part of a goal: ``role`` from the locality's list, ``share`` in percent."""

    person_id: Id
    role: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    share: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class AssignIn(In):
    """The people of one goal (replacing those it had): shares sum to 100 (or no one)."""

    people: list[ShareIn] = Field(max_length=500)


class AssignManyIn(In):
    """The same people, roles and shares for each of ``goal_ids`` (all or nothing)."""

    goal_ids: list[Id] = Field(min_length=1, max_length=5000)
    people: list[ShareIn] = Field(max_length=500)


class ShareOut(BaseModel):
    person_id: int
    person_name: str
    role: str
    share: float


class ProgressIn(In):
    """A progress report for ``period`` (a month 2026-03 or a quarter 2026-Q1 within the goal's
    span): ``actual`` for a quantitative goal (the percentage follows), ``percent`` (0–100) for a
    qualitative one; ``done`` marks it done."""

    period: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    actual: Amount | None = None
    percent: Percent | None = None
    done: bool = False
    work_done: LongText = ""
    delay_reasons: LongText = ""


class ProgressOut(BaseModel):
    """A progress report; ``percent`` 0–100."""

    id: int
    goal_id: int
    period: str
    actual: float | None
    percent: float
    done: bool
    work_done: str
    delay_reasons: str
    reported_by: str
    reported_at: datetime


class VersionOut(BaseModel):
    """A version of a published goal: ``changes`` maps each changed field to [before, after]."""

    number: int
    changes: dict
    snapshot: dict
    written_by: str
    written_at: datetime


class GoalOut(BaseModel):
    """A goal with its people. In a tree (``GoalTree``) also its ``depth``, rolled-up
    ``percent`` (0–100; a parent's is its children's weighted by weight), ``status``
    (on_track, behind, overdue, done) and ``red_flag`` (done: 红旗)."""

    id: int
    unit_id: int
    team_id: int | None
    year: int
    parent_id: int | None
    sort_order: int
    name: str
    weight: float
    kind: GoalKind
    source: str
    supervising_unit_id: int | None
    start: date
    end: date
    standard: str
    indicator_id: int | None
    measure: str = ""
    baseline: float | None
    target: float | None
    direction: Direction
    counts_for_assessment: bool
    published: bool
    changed_after_publish: bool
    versions: int
    copied_from: int | None = None  # the goal of an earlier year this one was copied from
    people: list[ShareOut] = []
    depth: int = 0
    percent: float = 0.0
    status: GoalStatus = GoalStatus.on_track
    red_flag: bool = False
    latest_period: str | None = None


class GoalDetail(GoalOut):
    progress: list[ProgressOut] = []
    history: list[VersionOut] = []


class GoalTree(BaseModel):
    """The goals of one set (a unit or team, a year) depth first, with the roll-up to ``as_of``
    and the set's overall ``percent`` (top goals weighted)."""

    unit_id: int
    team_id: int | None
    year: int
    as_of: date
    goals: list[GoalOut]
    percent: float
    published: bool
    drafts: int


class StatusRow(BaseModel):
    """One set of goals in the county-wide view: how many of its top goals are in each status."""

    unit_id: int
    unit_name: str
    team_id: int | None
    team_name: str = ""  # the leadership team's name (empty: the unit's own goals)
    goals: int
    percent: float
    on_track: int
    behind: int
    overdue: int
    done: int


class StatusView(BaseModel):
    year: int
    as_of: date
    rows: list[StatusRow]


class HistoryPoint(BaseModel):
    period: str
    plan: float  # the share of the goal's span elapsed by the period's end
    actual: float  # its report's percentage, or its roll-up as of the period's first day


class HistorySeries(BaseModel):
    year: int  # the calendar year of the periods
    goal_id: int  # the goal of the lineage they were reported on
    points: list[HistoryPoint]


class HistoryOut(BaseModel):
    """A goal's plan against its actual progress over the years of its lineage (the goal and its
    copies in other years; see ``plugins.goals.history``)."""

    goal_id: int
    years: list[int]  # every year with points
    chosen: list[int]  # the years of ``series``
    series: list[HistorySeries]


class PublishOut(BaseModel):
    published: int  # goals published now (drafts of the set)


class ImportOut(BaseModel):
    reports: int  # progress reports written from the file


Points = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]


class ScoreIn(In):
    """The office's score of a top-level goal for ``period`` (a year 2026, or any period):
    ``standard`` its standard score (标准分); either ``score`` directly (0 to the standard), or by
    grade: a goal done by the period's end gets the standard, otherwise the standard less
    ``deduction``."""

    period: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    standard: Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
    score: Points | None = None
    deduction: Points | None = None
    note: LongText = ""


class ScoreOut(BaseModel):
    goal_id: int
    goal_name: str
    period: str
    standard: float
    score: float
    deduction: float
    note: str
    scored_by: str
    scored_at: datetime


class PersonResult(BaseModel):
    """A person's result: the sum over the scored goals they carry of score × share / 100."""

    person_id: int
    person_name: str
    score: float
    standard: float = 0.0  # the standard scores of their goals × share / 100


class ScoreSheet(BaseModel):
    """A set's scores of a period: each scored goal, the team's or unit's total over the goals that
    count for the assessment, and each person's result through their shares."""

    unit_id: int
    team_id: int | None
    year: int
    period: str
    scores: list[ScoreOut]
    total: float
    standard: float
    people: list[PersonResult]
    finished_at: datetime | None = None  # the office finished scoring: the results are stored
    finished_by: str = ""


class StoredResult(BaseModel):
    """A result stored when the office finished scoring a set for a period: the set's own
    (``person_id`` null, ``subject`` "set") or a person's through their shares."""

    unit_id: int
    unit_name: str
    team_id: int | None
    year: int
    period: str
    subject: str  # "set" or "person:<id>"
    person_id: int | None
    person_name: str
    score: float
    standard: float
    finished_by: str
    finished_at: datetime


class CommentIn(In):
    """A comment (点评, suggestion or report) on a goal: 1 to 2,000 characters, of one of the
    locality's kinds (option ``comment_kinds``; the first of them when left out)."""

    body: Annotated[str, Field(min_length=1, max_length=2000)]
    kind: Annotated[
        str | None, Field(max_length=20, description="点评, 建议, 举报 or another kind the locality lists")
    ] = None


class AnswerIn(In):
    """The unit's answer to a comment: ``public`` shows it to every reader of the goal; otherwise
    only the comment's writer (and the unit and the office) see it."""

    body: Annotated[str, Field(min_length=1, max_length=2000)]
    public: bool = True


class AnswerOut(BaseModel):
    body: str
    public: bool
    answered_by: str
    answered_at: datetime


class GoalComment(BaseModel):
    """A comment with the unit's answer, if the reader may see it (null otherwise or unanswered)."""

    id: int
    author_name: str
    body: str
    kind: str | None = None
    created_at: datetime
    mine: bool
    may_delete: bool
    answer: AnswerOut | None = None
    answered: bool = False  # for the unit and office: whether it has an answer (public or not)


class GoalDiscussion(BaseModel):
    """A goal's comments (oldest first) with answers, its likes; ``may_answer``: the reader is of
    the goal's unit (or the office); ``unanswered``: for them, comments still waiting."""

    goal_id: int
    report_id: int | None = None  # the comments on this progress report of the goal (null: on the goal)
    comments: list[GoalComment]
    likes: int
    liked: bool
    may_write: bool
    may_answer: bool
    unanswered: int
    kinds: list[str] = []  # the kinds a comment may be (the locality's list)
    counts: dict[str, int] = {}  # comments of each kind (all of them, whatever the filter)
    kind: str | None = None  # the filter: only comments of this kind are listed
    follower: bool = False  # the reader follows the goal (published) without reading its set


class FollowedReport(BaseModel):
    """A progress report as its goal's followers see it, with its files."""

    id: int
    period: str
    actual: float | None
    percent: float
    done: bool
    work_done: str
    delay_reasons: str
    reported_at: datetime
    files: list[AttachmentOut] = []


class FollowedGoal(BaseModel):
    """A goal as its readers and followers see it beside its comments: what it is, how far it
    got (rolled up), its reports with their files; no decomposition, no history."""

    id: int
    name: str
    unit_id: int
    unit_name: str
    team_id: int | None
    year: int
    kind: GoalKind
    start: date
    end: date
    standard: str
    measure: str
    baseline: float | None
    target: float | None
    published: bool
    percent: float
    status: GoalStatus
    red_flag: bool
    reports: list[FollowedReport]
    may_attach: bool  # the reader reports the goal's progress (and attaches files)
    reads: bool  # the reader reads the goal's set (not only follows it)


class CommentedGoal(BaseModel):
    """A goal in the comments overview: its comments by kind and, for its unit and the office,
    how many wait for an answer."""

    goal_id: int
    name: str
    unit_id: int
    unit_name: str
    team_id: int | None
    year: int
    published: bool
    comments: int
    counts: dict[str, int]
    unanswered: int | None = None  # null: the reader does not answer for this goal
    likes: int = 0


class CommentsOverview(BaseModel):
    """The goals a reader may follow or read, with their comments (filtered by unit and kind)."""

    year: int
    unit_id: int | None
    kind: str | None
    kinds: list[str]
    goals: list[CommentedGoal]
    unanswered: int  # over the goals the reader answers for
    units: list[tuple[int, str]] = []  # the units with goals of the year the reader may read or follow
