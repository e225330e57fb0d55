from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from core.periods import OptionalPeriodField
from core.schemas.base import Id, In, Name, Out

CampaignKind = Literal["democratic", "annual", "monthly", "satisfaction"]


class CategoryIn(In):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]  # the column's
    weight: float = Field(default=1.0, gt=0, le=1000)
    template_id: Id | None = None
    subject_categories: list[Name] = Field(default_factory=list, max_length=50)


class CampaignIn(In):
    name: Name
    kind: CampaignKind = "democratic"
    # The indicator values of this period count (any form Period.parse reads; "" or null: none).
    period: OptionalPeriodField = None
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None
    subject_ids: list[Id] = Field(default_factory=list, max_length=20000)
    categories: list[CategoryIn] = Field(default_factory=list, max_length=50)
    scoring: dict[str, Any] = Field(default_factory=dict)
    distribution: list[dict[str, Any]] = Field(default_factory=list)
    subject_panels: bool = Field(
        default=False, description="Evaluators may open what feature plugins tell about each subject from the ballot"
    )

    @model_validator(mode="after")
    def _check(self) -> CampaignIn:
        _check_window(self.opens_at, self.closes_at)
        _check_lists(self.subject_ids, self.categories)
        return self


def _check_lists(subject_ids: list[int] | None, categories: list[CategoryIn] | None) -> None:
    names = [c.name for c in categories or []]
    if len(set(names)) != len(names):
        raise ValueError("categories: names must be unique in a campaign")
    if subject_ids is not None and len(set(subject_ids)) != len(subject_ids):
        raise ValueError("subject_ids: a subject is listed twice")


def _check_window(opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValueError("closes_at must be after opens_at")


class CampaignPatch(In):
    name: Name | None = None
    kind: CampaignKind | None = None
    period: OptionalPeriodField = None  # "" or null: no period
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None
    subject_ids: list[Id] | None = Field(default=None, max_length=20000)
    categories: list[CategoryIn] | None = Field(default=None, max_length=50)
    scoring: dict[str, Any] | None = None
    distribution: list[dict[str, Any]] | None = None
    subject_panels: bool | None = None

    @model_validator(mode="after")
    def _check(self) -> CampaignPatch:
        _check_window(self.opens_at, self.closes_at)
        _check_lists(self.subject_ids, self.categories)
        return self


class CategoryOut(Out):
    id: int
    name: str
    weight: float
    template_id: int | None
    subject_categories: list[str]


class CampaignWarning(Out):
    """What the campaign's policies would do that the office most likely did not mean (e.g. a
    rounding that allows 0 优秀): listed when it is saved; it cannot open while one remains."""

    field: str  # where to change it, e.g. "distribution[0].options"
    policy: str
    categories: list[str]  # the evaluator categories whose ballots it concerns
    grade: str | None = None
    indicator: str | None = None
    group: str | None = None  # the subject category, or None for a whole ballot
    total: int | None = None  # subjects in the group
    allowed: int = 0  # how many of them the policy allows the grade
    message: str


class CampaignOut(Out):
    id: int
    name: str
    kind: str
    period: str = Field(description='Canonical (2026, 2026-Q4, 2026-11, ...), or "" for none')
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    subject_ids: list[int]
    categories: list[CategoryOut]
    scoring: dict[str, Any]
    distribution: list[dict[str, Any]]
    subject_panels: bool = False
    # In the answers of create, update, open and get (not in lists).
    warnings: list[CampaignWarning] = Field(default_factory=list)
