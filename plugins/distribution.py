"""Forced-distribution policies: ballot_cap, result_quota, unit_quota.

- ``ballot_cap`` judges each ballot at submit time: at most ``max_ratio`` of the subjects of
  a ballot (per subject category, or of the whole ballot) may be given ``grade`` on
  ``indicator``. Over the cap the ballot is stored but counted invalid (``action: invalid``)
  or refused with 422 (``action: reject``).
- ``result_quota`` runs after ranking: at most ``max_ratio`` of each subject category keep
  ``grade``, by rank; subjects tied across the boundary all get the next grade and are
  flagged ``tie_at_quota`` for the office.
- ``unit_quota`` (the Nanchang rule) runs after ranking: people's quota of the top grade
  depends on their unit's rank in another (unit) campaign.

Allowed counts are ``rounding(max_ratio × number of subjects)``; the product is rounded to
9 decimals first, so 0.15 × 20 is 3, not 3.0000000000000004 (which ``ceil`` would make 4).
``round`` rounds halves up (2.5 -> 3), not to even.

A rounding that leaves 0 (15 % of 5 subjects, rounded down) is almost always a mistake: under
``ballot_cap`` every ballot giving the grade there would be invalid (or refused). ``warnings``
names each such group with the number it allows; the campaign's answer lists them when it is
saved, and it cannot open while any remains, unless the policy says zero is intended
(``max_ratio: 0``, or ``accept_zero: true``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Literal

from pydantic import BaseModel, Field

from core.hookspecs import hookimpl
from core.plugins import PluginInfo
from core.scoring import (
    BallotCheck,
    BallotVerdict,
    IndicatorData,
    SubjectData,
    SubjectScore,
    TallyData,
    TemplateData,
)

KAOPING_PLUGIN = PluginInfo(
    label_zh="强制分布", label_en="Forced distribution", description="ballot_cap, result_quota, unit_quota"
)

Rounding = Literal["floor", "round", "ceil"]
TIE_FLAG = "tie_at_quota"


def allowed_count(ratio: float, n: int, rounding: str) -> int:
    """rounding(ratio × n), with float noise removed first."""
    x = round(ratio * n, 9)
    if rounding == "ceil":
        return math.ceil(x)
    if rounding == "round":
        return math.floor(x + 0.5)
    return math.floor(x)


class _Options(BaseModel):
    model_config = {"extra": "forbid"}


# --- ballot_cap ------------------------------------------------------------------------------


class BallotCapOptions(_Options):
    grade: str | None = Field(default=None, description="The capped grade; default: the template's top grade")
    indicator: str | None = Field(
        default=None,
        description="Indicator code; default: the template's overall "
        "indicator, or, without one, every graded leaf separately",
    )
    max_ratio: float = Field(ge=0, le=1)
    rounding: Rounding = "floor"
    scope: Literal["subject_category", "ballot"] = "subject_category"
    action: Literal["invalid", "reject"] = "invalid"
    accept_zero: bool = Field(
        default=False,
        description="A group whose rounding allows 0 of the grade is intended (otherwise the campaign cannot open)",
    )


# The reasons are English message ids with values filled in; the ballot pages translate them
# (ballots/locales, ``Translator.translate``).
CAP_REASON = "at most {allowed} of {total} subjects may be rated {grade} ({indicator}, {category}: {count} are)"
CAP_REASON_NO_CATEGORY = "at most {allowed} of {total} subjects may be rated {grade} ({indicator}: {count} are)"


# Warnings when the rounding leaves 0 (message ids with their values; core/locales translates them).
ZERO_CAP = (
    "ballot_cap allows 0 of the {total} subjects of {group} to be rated {grade} on {indicator} "
    "({percent}, rounding {rounding}): no ballot may give any of them {grade}; raise max_ratio, round up, "
    "or set accept_zero if that is intended"
)
ZERO_CAP_BALLOT = (
    "ballot_cap allows 0 of the {total} subjects of a ballot to be rated {grade} on {indicator} "
    "({percent}, rounding {rounding}): no ballot may give any subject {grade}; raise max_ratio, "
    "round up, or set accept_zero if that is intended"
)
ZERO_QUOTA = (
    "result_quota allows 0 of the {total} subjects of {group} to keep {grade} ({percent}, rounding "
    "{rounding}): none of them can be {grade} in the results; raise max_ratio, round up, or set "
    "accept_zero if that is intended"
)


def _percent(ratio: float) -> str:
    return f"{round(ratio * 100, 6):g}%"


def _zero_warning(
    message: str,
    *,
    policy: str,
    grade: str,
    group: str | None,
    total: int,
    ratio: float,
    rounding: str,
    indicator: str | None = None,
    indicator_name: str | None = None,
) -> dict[str, Any]:
    params = {
        "total": total,
        "group": group or "",
        "grade": grade,
        "indicator": indicator_name or indicator or "",
        "percent": _percent(ratio),
        "rounding": rounding,
    }
    return {
        "policy": policy,
        "grade": grade,
        "indicator": indicator,
        "group": group,
        "total": total,
        "allowed": 0,
        "message": message.format(**params),
        "msgid": message,
        "params": params,
    }


def cap_reason(cap: dict[str, Any], count: int) -> str:
    """Why a ballot breaks ``cap`` (one of ``BallotCap.caps``), naming the cap."""
    values = {"allowed": cap["allowed"], "total": cap["total"], "grade": cap["grade"], "count": count}
    names = [x for x in (cap["indicator_name"], cap["category"]) if x]
    if len(names) == 2:
        return CAP_REASON.format(indicator=names[0], category=names[1], **values)
    return CAP_REASON_NO_CATEGORY.format(indicator=names[0] if names else "", **values)


class BallotCap:
    name = "ballot_cap"
    label_zh = "每票优秀比例上限"
    label_en = "Cap on a grade per ballot"
    options_model = BallotCapOptions

    def _indicators(self, template: TemplateData, options: BallotCapOptions) -> list[IndicatorData]:
        if options.indicator:
            return [i for i in template.indicators if i.code == options.indicator]
        overall = template.overall()
        return [overall] if overall is not None else template.graded_leaves()

    def caps(self, template: TemplateData, subjects: list[SubjectData], options: BaseModel) -> list[dict[str, Any]]:
        """The caps a ballot on ``subjects`` must respect: one per indicator and scope group
        ({grade, indicator, indicator_name, scope, category, subject_ids, total, allowed, action})."""
        opts = options if isinstance(options, BallotCapOptions) else BallotCapOptions.model_validate(options)
        grade = opts.grade or (template.labels[0] if template.grades else None)
        if grade is None or grade not in template.labels:
            return []
        groups: dict[str | None, list[int]] = defaultdict(list)
        for subject in subjects:
            groups[subject.category if opts.scope == "subject_category" else None].append(subject.id)
        return [
            {
                "grade": grade,
                "grade_index": template.labels.index(grade),
                "indicator": indicator.code,
                "indicator_id": indicator.id,
                "indicator_name": indicator.name,
                "scope": opts.scope,
                "category": category,
                "subject_ids": ids,
                "total": len(ids),
                "allowed": allowed_count(opts.max_ratio, len(ids), opts.rounding),
                "action": opts.action,
            }
            for indicator in self._indicators(template, opts)
            for category, ids in groups.items()
        ]

    def warnings(self, template: TemplateData, subjects: list[SubjectData], options: BaseModel) -> list[dict[str, Any]]:
        """The caps of a ballot on ``subjects`` that allow 0 of the grade, when that is not intended."""
        opts = options if isinstance(options, BallotCapOptions) else BallotCapOptions.model_validate(options)
        if opts.accept_zero or opts.max_ratio == 0:
            return []
        return [
            _zero_warning(
                ZERO_CAP if cap["scope"] == "subject_category" else ZERO_CAP_BALLOT,
                policy=self.name,
                grade=cap["grade"],
                group=cap["category"],
                total=cap["total"],
                ratio=opts.max_ratio,
                rounding=opts.rounding,
                indicator=cap["indicator"],
                indicator_name=cap["indicator_name"],
            )
            for cap in self.caps(template, subjects, opts)
            if cap["allowed"] == 0 and cap["total"] > 0
        ]

    def check_ballot(self, ballot: BallotCheck, options: BaseModel) -> BallotVerdict | None:
        opts = options if isinstance(options, BallotCapOptions) else BallotCapOptions.model_validate(options)
        for cap in self.caps(ballot.template, ballot.subjects, opts):
            count = sum(
                1 for s in cap["subject_ids"] if ballot.grades.get((s, cap["indicator_id"])) == cap["grade_index"]
            )
            if count > cap["allowed"]:
                return BallotVerdict(valid=False, reason=cap_reason(cap, count), reject=opts.action == "reject")
        return None

    def apply(self, results: list[SubjectScore], data: TallyData, options: BaseModel) -> None:
        return None


# --- shared by the quotas --------------------------------------------------------------------


def _labels(data: TallyData) -> list[str]:
    for template_id in sorted(data.templates):
        if data.templates[template_id].grades:
            return data.templates[template_id].labels
    return []


def _order_key(result: SubjectScore) -> tuple:
    # Rank first (ties share a rank); unranked subjects last.
    return (
        result.rank is None,
        result.rank if result.rank is not None else 0,
        -(result.score if result.score is not None else -math.inf),
    )


def _same_place(a: SubjectScore, b: SubjectScore) -> bool:
    if a.rank is not None and b.rank is not None:
        return a.rank == b.rank
    return a.rank is None and b.rank is None and a.score == b.score


def _limit(group: list[SubjectScore], grade: str, next_grade: str, allowed: int) -> None:
    """In ``group`` (rank order), at most ``allowed`` keep ``grade``; the rest get ``next_grade``,
    and those tied with a kept one across the boundary are all demoted and flagged."""
    holders = [r for r in sorted(group, key=_order_key) if r.proposed_grade == grade]
    if len(holders) <= allowed:
        return
    first_out = holders[allowed]
    keep = holders[:allowed]
    kept = {id(r) for r in keep}
    tied = allowed > 0 and _same_place(keep[-1], first_out)
    for result in holders:
        if id(result) in kept and not (tied and _same_place(result, first_out)):
            continue
        result.proposed_grade = next_grade
        if tied and _same_place(result, first_out) and TIE_FLAG not in result.flags:
            result.flags.append(TIE_FLAG)


# --- result_quota ----------------------------------------------------------------------------


class ResultQuotaOptions(_Options):
    grade: str | None = Field(default=None, description="The limited grade; default: the top grade")
    max_ratio: float = Field(ge=0, le=1)
    rounding: Rounding = "floor"
    accept_zero: bool = Field(
        default=False,
        description="A subject category whose rounding allows 0 of the "
        "grade is intended (otherwise the campaign cannot open)",
    )


class ResultQuota:
    name = "result_quota"
    label_zh = "结果等次比例"
    label_en = "Quota of a grade in the results"
    options_model = ResultQuotaOptions

    def check_ballot(self, ballot: BallotCheck, options: BaseModel) -> BallotVerdict | None:
        return None

    def warnings(self, template: TemplateData, subjects: list[SubjectData], options: BaseModel) -> list[dict[str, Any]]:
        """The subject categories (of ``subjects``) in which the quota allows 0 of the grade."""
        opts = options if isinstance(options, ResultQuotaOptions) else ResultQuotaOptions.model_validate(options)
        labels = template.labels
        grade = opts.grade or (labels[0] if labels else None)
        if opts.accept_zero or opts.max_ratio == 0 or grade is None or grade not in labels:
            return []
        sizes: dict[str, int] = defaultdict(int)
        for subject in subjects:
            sizes[subject.category] += 1
        return [
            _zero_warning(
                ZERO_QUOTA,
                policy=self.name,
                grade=grade,
                group=category,
                total=total,
                ratio=opts.max_ratio,
                rounding=opts.rounding,
            )
            for category, total in sizes.items()
            if allowed_count(opts.max_ratio, total, opts.rounding) == 0
        ]

    def apply(self, results: list[SubjectScore], data: TallyData, options: BaseModel) -> None:
        opts = options if isinstance(options, ResultQuotaOptions) else ResultQuotaOptions.model_validate(options)
        labels = _labels(data)
        grade = opts.grade or (labels[0] if labels else None)
        if grade is None or grade not in labels or labels.index(grade) + 1 >= len(labels):
            return
        next_grade = labels[labels.index(grade) + 1]
        by_category: dict[str, list[SubjectScore]] = defaultdict(list)
        for result in results:
            by_category[result.category].append(result)
        for group in by_category.values():
            _limit(group, grade, next_grade, allowed_count(opts.max_ratio, len(group), opts.rounding))


# --- unit_quota ------------------------------------------------------------------------------


class UnitQuotaOptions(_Options):
    unit_campaign_id: int = Field(description="The campaign whose stored results rank the units")
    top_n: int = Field(default=3, ge=0)
    top_ratio: float = Field(default=0.30, ge=0, le=1)
    default_ratio: float = Field(default=0.15, ge=0, le=1)
    split: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="Share of the last unit's people given the second grade (the rest get the third)",
    )
    rounding: Rounding = "floor"


class UnitQuota:
    """People's top-grade quota by their unit's rank in a unit campaign (the Nanchang rule).

    Needs, from the tally: ``SubjectData.unit_id`` for people subjects (their unit), and
    ``TallyData.other_results(unit_campaign_id)`` rows with ``rank`` and the unit's id as
    ``unit_id`` or ``ref_id`` (the unit subject's ``ref_id``). Units without a rank are
    ignored; the people of a unit not ranked there get ``default_ratio``.
    """

    name = "unit_quota"
    label_zh = "按单位名次分配优秀名额"
    label_en = "Top-grade quota by unit rank"
    options_model = UnitQuotaOptions

    def check_ballot(self, ballot: BallotCheck, options: BaseModel) -> BallotVerdict | None:
        return None

    def apply(self, results: list[SubjectScore], data: TallyData, options: BaseModel) -> None:
        opts = options if isinstance(options, UnitQuotaOptions) else UnitQuotaOptions.model_validate(options)
        labels = _labels(data)
        if len(labels) < 3:
            return
        unit_rank: dict[int, int] = {}
        for row in data.other_results(opts.unit_campaign_id):
            unit_id = row.get("unit_id", row.get("ref_id"))
            if unit_id is not None and row.get("rank") is not None:
                unit_rank[int(unit_id)] = int(row["rank"])
        if not unit_rank:
            return
        last_rank = max(unit_rank.values())
        subjects = {s.id: s for s in data.subjects}
        people: dict[int, list[SubjectScore]] = defaultdict(list)
        for result in results:
            subject = subjects.get(result.subject_id)
            unit_id = getattr(subject, "unit_id", None) if subject is not None else None
            if subject is not None and subject.kind == "person" and unit_id is not None:
                people[unit_id].append(result)
        for unit_id, group in people.items():
            rank = unit_rank.get(unit_id)
            if rank is not None and rank == last_rank and len(unit_rank) > 1:
                self._split_last(group, labels, opts)
                continue
            ratio = opts.top_ratio if rank is not None and rank <= opts.top_n else opts.default_ratio
            _limit(group, labels[0], labels[1], allowed_count(ratio, len(group), opts.rounding))

    @staticmethod
    def _split_last(group: list[SubjectScore], labels: list[str], opts: UnitQuotaOptions) -> None:
        """The last unit gets no top grade: its people proposed the top, second or third grade
        are split ``split`` / rest between the second and third grades, by rank."""
        movable = [r for r in sorted(group, key=_order_key) if r.proposed_grade in labels[:3]]
        second = allowed_count(opts.split, len(movable), opts.rounding)
        for index, result in enumerate(movable):
            result.proposed_grade = labels[1] if index < second else labels[2]


@hookimpl
def kaoping_distribution_policies() -> list:
    return [BallotCap(), ResultQuota(), UnitQuota()]
