"""The default scoring rule, ``weighted_mean`` (essential: every locality has it)."""

from __future__ import annotations

from core.plugins import PluginInfo

KAOPING_PLUGIN = PluginInfo(
    label_zh="加权平均计分",
    label_en="Weighted grade mean",
    essential=True,
    description="Grade -> hidden score, weighted by indicator, then by evaluator category.",
)

from pydantic import BaseModel

from core.hookspecs import hookimpl
from core.scoring import SubjectScore, TallyData
from plugins.scoring_math import (
    THRESHOLDS_FIELD,
    Threshold,
    category_means,
    score_subjects,
)


class WeightedMeanOptions(BaseModel):
    model_config = {"extra": "forbid"}

    thresholds: list[Threshold] = THRESHOLDS_FIELD


class WeightedMean:
    """Effective leaf weight x hidden score per ballot; mean per category; weighted by category;
    then bonus, deduction and veto values."""

    name = "weighted_mean"
    label_zh = "加权平均"
    label_en = "Weighted mean"
    options_model = WeightedMeanOptions

    def score(self, data: TallyData, options: BaseModel) -> list[SubjectScore]:
        return score_subjects(data, category_means(data))


RULE = WeightedMean()


@hookimpl
def kaoping_scoring_rules() -> list:
    return [RULE]
