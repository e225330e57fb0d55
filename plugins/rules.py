"""More scoring rules: trimmed mean, good-rating rate, score rate (optional)."""

from __future__ import annotations

from core.plugins import PluginInfo

KAOPING_PLUGIN = PluginInfo(
    label_zh="更多计分规则", label_en="More scoring rules", description="trimmed_mean, good_rate, score_rate"
)

import math

from pydantic import BaseModel, Field, field_validator

from core.hookspecs import hookimpl
from core.scoring import SubjectScore, TallyData
from plugins.scoring_math import (
    THRESHOLDS_FIELD,
    Threshold,
    adjust,
    by_indicator,
    campaign_templates,
    contributions,
    score_subjects,
)


class TrimmedMeanOptions(BaseModel):
    model_config = {"extra": "forbid"}

    trim_ratio: float = Field(default=0.1, ge=0, lt=0.5)
    thresholds: list[Threshold] = THRESHOLDS_FIELD


class TrimmedMean:
    """As weighted_mean, but per subject and category the floor(n x ratio) highest and lowest
    ballot scores are dropped before the mean."""

    name = "trimmed_mean"
    label_zh = "去极值平均"
    label_en = "Trimmed mean"
    options_model = TrimmedMeanOptions

    def score(self, data: TallyData, options: BaseModel) -> list[SubjectScore]:
        means: dict[tuple[int, int], float] = {}
        for category in data.categories:
            per_subject = data.ballot_scores(category.id, contributions(data.templates[category.template_id]))
            for subject_id, scores in per_subject.items():
                if scores:
                    means[(category.id, subject_id)] = trimmed(scores, options.trim_ratio)
        return score_subjects(data, means)


def trimmed(scores: list[float], ratio: float) -> float:
    ordered = sorted(scores)
    k = math.floor(len(ordered) * ratio)
    kept = ordered[k : len(ordered) - k] or ordered
    return sum(kept) / len(kept)


class GoodRateOptions(BaseModel):
    model_config = {"extra": "forbid"}

    grades: list[str] | None = Field(default=None, description="Labels that count as good; default the top grade.")
    thresholds: list[Threshold] = THRESHOLDS_FIELD

    @field_validator("grades")
    @classmethod
    def _not_empty(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError("name at least one grade")
        return value


class GoodRate:
    """Share of valid ballots whose overall-indicator grade is among ``grades``, x 100."""

    name = "good_rate"
    label_zh = "好评率"
    label_en = "Good-rating rate"
    options_model = GoodRateOptions

    def score(self, data: TallyData, options: BaseModel) -> list[SubjectScore]:
        results = []
        for subject in data.subjects:
            good = total = 0
            by_category = {}
            for category in data.categories:
                template = data.templates[category.template_id]
                overall = template.overall()
                wanted = set(options.grades or template.labels[:1])
                counts = data.counts.get((category.id, subject.id, overall.id)) if overall else None
                if not counts:
                    continue
                c_good = sum(
                    n for g, n in enumerate(counts) if g < len(template.labels) and template.labels[g] in wanted
                )
                c_total = sum(counts)
                if not c_total:
                    continue
                by_category[category.name] = {"score": c_good / c_total * 100, "ballots": c_total}
                good, total = good + c_good, total + c_total
            result = SubjectScore(
                subject_id=subject.id,
                name=subject.name,
                category=subject.category,
                score=good / total * 100 if total else None,
                by_category=by_category,
                by_indicator=by_indicator(data, subject.id),
            )
            adjust(data, result)
            results.append(result)
        return results


class ScoreRateOptions(BaseModel):
    model_config = {"extra": "forbid"}

    thresholds: list[Threshold] = THRESHOLDS_FIELD


class ScoreRate:
    """Numeric indicators: Σ actual values / Σ full scores (max_score) x 100; None without values;
    then bonus, deduction and veto values, as for weighted_mean."""

    name = "score_rate"
    label_zh = "得分率"
    label_en = "Score rate"
    options_model = ScoreRateOptions

    def score(self, data: TallyData, options: BaseModel) -> list[SubjectScore]:
        results = []
        for subject in data.subjects:
            actual = full = 0.0
            seen = False
            per_indicator = {}
            for template in campaign_templates(data):
                for indicator in template.indicators:
                    if indicator.kind != "numeric" or not indicator.max_score:
                        continue
                    full += indicator.max_score
                    value = data.values.get((subject.id, template.id, indicator.code))
                    if value is None:
                        continue
                    seen = True
                    actual += value
                    per_indicator[indicator.code] = {"score": value / indicator.max_score * 100, "distribution": {}}
            result = SubjectScore(
                subject_id=subject.id,
                name=subject.name,
                category=subject.category,
                score=actual / full * 100 if seen and full else None,
                by_indicator=per_indicator,
            )
            adjust(data, result)
            results.append(result)
        return results


@hookimpl
def kaoping_scoring_rules() -> list:
    return [TrimmedMean(), GoodRate(), ScoreRate()]
