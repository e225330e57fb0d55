"""The scoring rules on hand-computed examples (no database: TallyData built by hand)."""

from __future__ import annotations

import pytest

from core.scoring import (
    CategoryData,
    IndicatorData,
    SubjectData,
    SubjectScore,
    TallyData,
    TemplateData,
)
from core.services.tally import propose_grades, rank
from plugins.rules import GoodRate, ScoreRate, TrimmedMean, trimmed
from plugins.scoring_math import Threshold, effective_weights
from plugins.weighted_mean import RULE, WeightedMeanOptions, kaoping_scoring_rules

GRADES = (("优秀", 95.0), ("称职", 80.0), ("基本称职", 65.0), ("不称职", 50.0))


def ind(id, code, parent=None, kind="graded", weight=1.0, max_score=None, overall=False):
    return IndicatorData(
        id=id, code=code, name=code, parent_id=parent, kind=kind, weight=weight, max_score=max_score, overall=overall
    )


TEMPLATE = TemplateData(
    id=1,
    grades=GRADES,
    indicators=(
        ind(1, "A", weight=40),
        ind(2, "A1", 1, weight=50),
        ind(3, "A2", 1, weight=50),
        ind(4, "B", weight=60),
        ind(5, "B1", 4, weight=100),
        ind(6, "BONUS", kind="bonus", max_score=5),
        ind(7, "DED", kind="deduction", max_score=3),
        ind(8, "VETO", kind="veto"),
    ),
)
CATEGORIES = [CategoryData(1, "县领导", 40, 1), CategoryData(2, "群众", 60, 1), CategoryData(3, "无票", 100, 1)]
SUBJECTS = [
    SubjectData(11, "甲", "unit", None, "部门"),
    SubjectData(12, "乙", "unit", None, "部门"),
    SubjectData(13, "丙", "unit", None, "部门"),
]


def data(counts, ballots, values=None, scores=None, template=TEMPLATE, subjects=SUBJECTS):
    return TallyData(
        campaign_id=1,
        locality_id=1,
        period="2026",
        categories=CATEGORIES,
        templates={1: template},
        subjects=subjects,
        counts=counts,
        ballots=ballots,
        values=values or {},
        ballot_scores=lambda category_id, contrib: (scores or {}).get(category_id, {}),
    )


def example():
    counts = {
        # subject 11, category 1: one ballot all 优秀 (95), one 称职/称职/优秀 (16 + 16 + 57 = 89): mean 92
        (1, 11, 2): [1, 1, 0, 0],
        (1, 11, 3): [1, 1, 0, 0],
        (1, 11, 5): [2, 0, 0, 0],
        # subject 11, category 2: one ballot all 基本称职: 65
        (2, 11, 2): [0, 0, 1, 0],
        (2, 11, 3): [0, 0, 1, 0],
        (2, 11, 5): [0, 0, 1, 0],
        # subject 12, category 1 only: all 称职: 80
        (1, 12, 2): [0, 1, 0, 0],
        (1, 12, 3): [0, 1, 0, 0],
        (1, 12, 5): [0, 1, 0, 0],
    }
    ballots = {(1, 11): 2, (2, 11): 1, (1, 12): 1}
    values = {
        (11, 1, "BONUS"): 7.0,
        (11, 1, "DED"): 2.0,
        (12, 1, "VETO"): 1.0,
        (13, 1, "VETO"): 0.0,
        (11, 2, "BONUS"): 100.0,
    }  # another template's value does not count
    return data(counts, ballots, values)


def test_effective_weights_multiply_along_the_path():
    assert effective_weights(TEMPLATE) == pytest.approx({2: 0.2, 3: 0.2, 5: 0.6})


def test_only_graded_siblings_count_and_zero_weights():
    template = TemplateData(
        id=2,
        grades=GRADES,
        indicators=(
            ind(1, "X", weight=3),
            ind(2, "Y", weight=1),
            ind(3, "Z", weight=0),
            ind(4, "N", kind="numeric", weight=50),
        ),
    )
    assert effective_weights(template) == pytest.approx({1: 0.75, 2: 0.25, 3: 0.0})


def test_weighted_mean_hand_computed():
    results = {r.subject_id: r for r in RULE.score(example(), WeightedMeanOptions())}
    first = results[11]
    # (40 x 92 + 60 x 65) / (40 + 60) = 75.8; category 3 has no ballots and does not count
    assert first.by_category == {
        "县领导": {"score": pytest.approx(92), "ballots": 2},
        "群众": {"score": pytest.approx(65), "ballots": 1},
    }
    # + bonus 7 capped at 5, - deduction 2
    assert first.score == pytest.approx(75.8 + 5 - 2)
    assert first.flags == [] and first.proposed_grade is None
    assert first.by_indicator["B1"] == {
        "score": pytest.approx((2 * 95 + 65) / 3),
        "distribution": {"优秀": 2, "称职": 0, "基本称职": 1, "不称职": 0},
    }
    assert first.by_indicator["BONUS"]["score"] == 5 and first.by_indicator["DED"]["score"] == 2
    second = results[12]
    assert second.score == pytest.approx(80)
    assert second.flags == ["veto"] and second.proposed_grade == "不称职"
    third = results[13]
    assert third.score is None and third.by_category == {} and third.flags == []  # veto value 0: no veto


def test_deduction_cap_and_uncapped_value():
    counts = {(1, 11, i): [0, 1, 0, 0] for i in (2, 3, 5)}
    result = RULE.score(
        data(counts, {(1, 11): 1}, {(11, 1, "DED"): 10.0, (11, 1, "BONUS"): 1.5}), WeightedMeanOptions()
    )[0]
    assert result.score == pytest.approx(80 - 3 + 1.5)


def test_veto_overrides_thresholds_and_thresholds_grade():
    results = RULE.score(example(), WeightedMeanOptions())
    ranked = rank(results)
    thresholds = [Threshold(grade="称职", min_score=70), Threshold(grade="优秀", min_score=78.8)]
    propose_grades(ranked, thresholds)
    by_id = {r.subject_id: r for r in ranked}
    assert by_id[11].proposed_grade == "优秀"  # 78.8 reaches 78.8 exactly
    assert by_id[12].proposed_grade == "不称职"  # vetoed, though 80 would be 优秀
    assert by_id[13].proposed_grade is None and by_id[13].rank is None


def test_ties_share_a_rank_per_subject_category():
    scores = [(1, "a", 90.0), (2, "a", 85.0), (3, "a", 85.0 + 1e-12), (4, "a", 70.0), (5, "b", 10.0), (6, "a", None)]
    ranked = rank([SubjectScore(subject_id=i, name=str(i), category=c, score=s) for i, c, s in scores])
    assert [(r.subject_id, r.rank) for r in ranked] == [(1, 1), (2, 2), (3, 2), (4, 4), (6, None), (5, 1)]


def test_the_plugin_offers_the_rule():
    assert [r.name for r in kaoping_scoring_rules()] == ["weighted_mean"]
    assert WeightedMeanOptions().thresholds == []
    with pytest.raises(ValueError):
        WeightedMeanOptions.model_validate({"other": 1})


def test_trimmed_mean():
    assert trimmed([100, 10, 60, 50, 70], 0.2) == pytest.approx(60)
    assert trimmed([100, 10, 60, 50, 70], 0.1) == pytest.approx(58)
    assert trimmed([5.0], 0.4) == 5.0
    rule = TrimmedMean()
    tally = data({}, {(1, 11): 5, (2, 11): 2}, scores={1: {11: [100, 10, 60, 50, 70]}, 2: {11: [80, 90]}})
    result = rule.score(tally, rule.options_model(trim_ratio=0.2))[0]
    assert result.by_category["县领导"]["score"] == pytest.approx(60)
    assert result.by_category["群众"]["score"] == pytest.approx(85)  # floor(2 x 0.2) = 0 dropped
    assert result.score == pytest.approx((40 * 60 + 60 * 85) / 100)
    with pytest.raises(ValueError):
        rule.options_model(trim_ratio=0.5)


def test_good_rate():
    template = TemplateData(id=1, grades=GRADES, indicators=(ind(1, "A"), ind(2, "ALL", overall=True)))
    counts = {(1, 11, 2): [3, 1, 0, 0], (2, 11, 2): [1, 2, 1, 0], (1, 11, 1): [4, 0, 0, 0]}
    tally = data(counts, {(1, 11): 4, (2, 11): 4}, template=template, subjects=SUBJECTS[:1])
    rule = GoodRate()
    assert rule.score(tally, rule.options_model())[0].score == pytest.approx(4 / 8 * 100)
    result = rule.score(tally, rule.options_model(grades=["优秀", "称职"]))[0]
    assert result.score == pytest.approx(7 / 8 * 100)
    assert result.by_category["县领导"] == {"score": pytest.approx(100), "ballots": 4}
    with pytest.raises(ValueError):
        rule.options_model(grades=[])


def test_score_rate():
    template = TemplateData(
        id=1,
        grades=GRADES,
        indicators=(
            ind(1, "N1", kind="numeric", max_score=50),
            ind(2, "N2", kind="numeric", max_score=50),
            ind(3, "A"),
        ),
    )
    tally = data({}, {}, {(11, 1, "N1"): 40.0, (11, 1, "N2"): 30.0, (12, 1, "N1"): 50.0}, template=template)
    rule = ScoreRate()
    results = {r.subject_id: r for r in rule.score(tally, rule.options_model())}
    assert results[11].score == pytest.approx(70)
    assert results[11].by_indicator["N1"]["score"] == pytest.approx(80)
    assert results[12].score == pytest.approx(50)  # N2 missing counts as 0 of its 50
    assert results[13].score is None


def test_score_rate_applies_bonus_deduction_and_veto_like_weighted_mean():
    template = TemplateData(
        id=1,
        grades=GRADES,
        indicators=(
            ind(1, "N1", kind="numeric", max_score=50),
            ind(2, "N2", kind="numeric", max_score=50),
            ind(6, "BONUS", kind="bonus", max_score=5),
            ind(7, "DED", kind="deduction", max_score=3),
            ind(8, "VETO", kind="veto"),
        ),
    )
    values = {
        (11, 1, "N1"): 40.0,
        (11, 1, "N2"): 30.0,
        (11, 1, "BONUS"): 7.0,
        (11, 1, "DED"): 2.0,
        (12, 1, "N1"): 45.0,
        (12, 1, "N2"): 45.0,
        (12, 1, "VETO"): 1.0,
        (12, 1, "DED"): 10.0,
        (13, 1, "BONUS"): 2.0,
    }
    rule = ScoreRate()
    results = {r.subject_id: r for r in rule.score(data({}, {}, values, template=template), rule.options_model())}
    # 70 / 100 x 100 = 70, + bonus 7 capped at 5, - deduction 2
    assert results[11].score == pytest.approx(70 + 5 - 2)
    assert results[11].by_indicator["BONUS"]["score"] == 5 and results[11].by_indicator["DED"]["score"] == 2
    assert results[11].flags == [] and results[11].proposed_grade is None
    # 90 / 100 x 100 = 90, - deduction 10 capped at 3; the veto flags it and forces the lowest grade
    assert results[12].score == pytest.approx(90 - 3)
    assert results[12].flags == ["veto"] and results[12].proposed_grade == "不称职"
    propose_grades(rank(list(results.values())), [Threshold(grade="优秀", min_score=80)])
    assert results[12].proposed_grade == "不称职" and results[11].proposed_grade is None
    # no numeric values: no score, whatever the bonus
    assert results[13].score is None and results[13].by_indicator["BONUS"]["score"] == 2
