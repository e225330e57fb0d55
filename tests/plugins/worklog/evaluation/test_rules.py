"""The quarterly evaluation's rules (``plugins.worklog.evaluation.rules``), without a database:
only a quarter can be evaluated; the score is the mean of the labels' scores weighted by the
dimensions' weights (weight 0 shown but not weighted; all of weight 0: the plain mean); the
grade is the overall indicator's label if there is one, else the label nearest the score, the
better one on a tie."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from core.services.errors import Invalid
from plugins.worklog.evaluation import parse_quarter, score_of

SCALE = [{"label": "好", "score": 95}, {"label": "较好", "score": 85}, {"label": "一般", "score": 70}]


def dim(id_: int, weight: float = 1, overall: bool = False):
    return SimpleNamespace(id=id_, weight=weight, overall=overall)


def test_only_a_quarter_is_evaluated():
    assert str(parse_quarter("2026年第3季度")) == "2026-Q3"
    for bad in ("2026-09", "2026-W40", "not a period"):
        with pytest.raises(Invalid) as refused:
            parse_quarter(bad)
        assert refused.value.errors[0]["field"] == "period"


def test_the_score_is_weighted_and_the_grade_the_nearest_label_the_better_on_a_tie():
    leaves = [dim(1, 2), dim(2, 1), dim(3, 1)]
    assert score_of({1: "好", 2: "一般", 3: "较好"}, leaves, SCALE, None) == ((2 * 95 + 70 + 85) / 4, "较好")
    assert score_of({1: "好", 2: "较好"}, [dim(1), dim(2)], SCALE, None) == (90, "好")  # 90: 好 and 较好 tie
    assert score_of({1: "较好", 2: "一般"}, [dim(1, 0), dim(2, 0)], SCALE, None) == (77.5, "较好")  # plain mean; a tie


def test_weight_zero_is_not_scored_and_an_overall_indicator_gives_the_grade():
    overall = dim(9, 0, overall=True)
    assert score_of({1: "一般", 9: "好"}, [dim(1), overall], SCALE, overall) == (70, "好")
