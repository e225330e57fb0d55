"""The cadre cloud's API shapes: a profile with its sections (in and out), the view log."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from plugins.cadres.models import DEGREES, EDUCATION_LEVELS

Text = Field(max_length=200)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PostIn(_In):
    unit_name: str = Field(min_length=1, max_length=200)
    post: str = Field(min_length=1, max_length=200)
    rank: str = Field(default="", max_length=50)
    start: date
    end: date | None = None
    principal: bool = False


class EducationIn(_In):
    kind: str = Field(default="full_time", pattern="^(full_time|in_service)$")
    school: str = Field(min_length=1, max_length=200)
    department: str = Field(default="", max_length=200)
    major: str = Field(default="", max_length=200)
    class_name: str = Field(default="", max_length=100)
    level: str = Field(default="", max_length=20, description="、".join(EDUCATION_LEVELS))
    degree: str = Field(default="", max_length=20, description="、".join(DEGREES) + " or empty")
    start: date | None = None
    end: date | None = None


class MilitaryIn(_In):
    unit_designation: str = Field(min_length=1, max_length=200)
    start: date
    end: date | None = None


class RelationIn(_In):
    relation: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=100)
    birth: date | None = None
    id_card: str | None = Field(default=None, max_length=18)
    unit_post: str = Field(default="", max_length=300)
    party: str = Field(default="", max_length=50)


class TrainingIn(_In):
    course: str = Field(min_length=1, max_length=200)
    organiser: str = Field(default="", max_length=200)
    hours: int = Field(default=0, ge=0, le=10_000)
    start: date | None = None
    end: date | None = None


class RewardIn(_In):
    kind: str = Field(default="reward", pattern="^(reward|punishment)$")
    title: str = Field(min_length=1, max_length=300)
    issuer: str = Field(default="", max_length=200)
    on: date | None = None


class GradeIn(_In):
    year: int = Field(ge=1950, le=2100)
    grade: str = Field(min_length=1, max_length=20)


class GradeOut(BaseModel):
    """A year's grade: ``source`` "" when entered or imported, "kaoping" when taken from the
    published annual campaign ``campaign_id`` (``campaign_name``) of Kaoping itself."""

    year: int
    grade: str
    source: str = ""
    campaign_id: int | None = None
    campaign_name: str = ""


class ProfileIn(_In):
    """A whole profile: each section given replaces that section (a section left out is kept)."""

    native_code: str = Field(default="", pattern=r"^(\d{6})?$", description="GB/T 2260 code, 6 digits")
    native_name: str = Field(default="", max_length=100)
    birthplace_code: str = Field(default="", pattern=r"^(\d{6})?$")
    birthplace_name: str = Field(default="", max_length=100)
    party_joined: date | None = None
    work_started: date | None = None
    rank_since: date | None = None
    resume: str = Field(default="", max_length=20_000)
    posts: list[PostIn] | None = Field(default=None, max_length=200)
    education: list[EducationIn] | None = Field(default=None, max_length=50)
    military: list[MilitaryIn] | None = Field(default=None, max_length=20)
    relations: list[RelationIn] | None = Field(default=None, max_length=100)
    trainings: list[TrainingIn] | None = Field(default=None, max_length=500)
    rewards: list[RewardIn] | None = Field(default=None, max_length=200)
    grades: list[GradeIn] | None = Field(default=None, max_length=100)
    tags: list[str] | None = Field(default=None, max_length=50)


class RelationOut(BaseModel):
    relation: str
    name: str
    birth: date | None
    id_card_masked: str | None
    unit_post: str
    party: str


class Derived(BaseModel):
    """Figures derived at ``on``: ``age`` in whole years, ``years_in_post`` / ``years_at_rank``
    in years with one decimal (None when the start is not known)."""

    on: date
    age: int | None
    years_in_post: float | None
    years_at_rank: float | None
    highest_education: str
    highest_full_time_education: str
    highest_degree: str
    training_hours: int


class ProfileOut(BaseModel):
    person_id: int
    name: str
    gender: str
    birth_date: str
    ethnicity: str
    party: str
    unit_id: int | None
    post: str
    rank: str
    native_code: str
    native_name: str
    birthplace_code: str
    birthplace_name: str
    party_joined: date | None
    work_started: date | None
    rank_since: date | None
    resume: str
    posts: list[PostIn]
    education: list[EducationIn]
    military: list[MilitaryIn]
    relations: list[RelationOut]
    trainings: list[TrainingIn]
    rewards: list[RewardIn]
    grades: list[GradeOut]
    tags: list[str]
    derived: Derived


class ViewLogRow(BaseModel):
    at: datetime
    username: str
    action: str
    person_ids: list[int]
    names: list[str]
    detail: str


class ViewLogPage(BaseModel):
    total: int
    items: list[ViewLogRow]


class SearchIn(_In):
    """A condition search (``plugins.cadres.search``): ``query`` the tree of conditions; ``on``
    the day ages and years are counted to (default today)."""

    query: dict = Field(default_factory=dict)
    on: date | None = None
    limit: int = Field(default=100, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class SavedQueryIn(_In):
    name: str = Field(min_length=1, max_length=100)
    query: dict


class SavedQueryOut(BaseModel):
    id: int
    name: str
    query: dict
    created_by: str
    created_at: datetime


class PlacementIn(_In):
    """Candidates (``add``, person ids) placed into a team, members taken out (``remove``)."""

    add: list[int] = Field(default_factory=list, max_length=20)
    remove: list[int] = Field(default_factory=list, max_length=200)
    on: date | None = None


class PeopleIn(_In):
    person_ids: list[int] = Field(min_length=2, max_length=200)
    on: date | None = None
