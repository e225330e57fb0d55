"""The types scoring rules and distribution policies work with.

The core knows no formula: it aggregates ballots in SQL into ``TallyData`` and hands it to
the campaign's scoring rule (a plugin, see ``kaoping_scoring_rules``), then to each of its
distribution policies (``kaoping_distribution_policies``). A rule or policy is any object
with the attributes and methods of ``ScoringRule`` / ``DistributionPolicy`` below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel


class NoOptions(BaseModel):
    """For rules and policies without options."""

    model_config = {"extra": "forbid"}


@dataclass(frozen=True)
class IndicatorData:
    id: int
    code: str
    name: str
    parent_id: int | None
    kind: str  # graded | numeric | bonus | deduction | veto
    weight: float
    max_score: float | None
    overall: bool


@dataclass(frozen=True)
class TemplateData:
    id: int
    grades: tuple[tuple[str, float], ...]  # (label, hidden score), best first
    indicators: tuple[IndicatorData, ...]  # in tree order (parents before children)

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.grades]

    def graded_leaves(self) -> list[IndicatorData]:
        parents = {i.parent_id for i in self.indicators if i.parent_id is not None}
        return [i for i in self.indicators if i.kind == "graded" and i.id not in parents]

    def overall(self) -> IndicatorData | None:
        return next((i for i in self.indicators if i.overall), None)


@dataclass(frozen=True)
class CategoryData:
    id: int
    name: str
    weight: float
    template_id: int


@dataclass(frozen=True)
class SubjectData:
    id: int
    name: str
    kind: str
    ref_id: int | None
    category: str  # the subject category, e.g. 班子主要领导
    unit_id: int | None = None  # for a person: their unit (people.unit_id), used by unit_quota


@dataclass
class TallyData:
    """Everything a rule needs, aggregated in SQL from the valid ballots of one campaign."""

    campaign_id: int
    locality_id: int
    period: str  # canonical (core.periods): "2026", "2026-Q4", "2026-11", ...; "" for none
    categories: list[CategoryData]
    templates: dict[int, TemplateData]
    subjects: list[SubjectData]
    # (category_id, subject_id, indicator_id) -> count of valid ballots per grade index
    counts: dict[tuple[int, int, int], list[int]]
    # (category_id, subject_id) -> number of valid ballots that rated the subject
    ballots: dict[tuple[int, int], int]
    # (subject_id, template_id, indicator_code) -> value entered or pulled for the campaign's period
    values: dict[tuple[int, int, str], float]
    # ballot_scores(category_id, {indicator_id: {grade index: contribution}}) -> {subject_id: [score of each
    # valid ballot]}; computed in SQL on demand (for rules that need single ballots, e.g. a trimmed mean).
    ballot_scores: Callable[[int, dict[int, dict[int, float]]], dict[int, list[float]]]
    # Other campaigns' stored results, by campaign id, for policies that depend on them (unit_quota).
    other_results: Callable[[int], list[dict[str, Any]]] = lambda _campaign_id: []


@dataclass
class SubjectScore:
    """One subject's result. A rule fills score, by_category and by_indicator; ranking and
    grading follow; policies may change proposed_grade and add flags."""

    subject_id: int
    name: str
    category: str
    score: float | None
    by_category: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {score, ballots}
    by_indicator: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> {score, distribution}
    rank: int | None = None
    proposed_grade: str | None = None
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BallotCheck:
    """A ballot about to be cast, for per-ballot policies (e.g. a cap on 优秀)."""

    campaign_id: int
    category: str
    template: TemplateData
    subjects: list[SubjectData]
    # (subject_id, indicator_id) -> grade index
    grades: dict[tuple[int, int], int]


@dataclass(frozen=True)
class BallotVerdict:
    valid: bool
    reason: str | None = None
    reject: bool = False  # True: refuse the submit (422) instead of storing an invalid ballot


class ScoringRule(Protocol):
    name: str
    label_zh: str
    label_en: str
    options_model: type[BaseModel]

    def score(self, data: TallyData, options: BaseModel) -> list[SubjectScore]:
        """Score every subject of the campaign from the aggregated counts."""


class DistributionPolicy(Protocol):
    name: str
    label_zh: str
    label_en: str
    options_model: type[BaseModel]

    def check_ballot(self, ballot: BallotCheck, options: BaseModel) -> BallotVerdict | None:
        """Judge one ballot at submit time; None when the policy has nothing to say."""

    def apply(self, results: list[SubjectScore], data: TallyData, options: BaseModel) -> None:
        """Change proposed grades and add flags after ranking (results are in rank order per category)."""
