"""The arithmetic the scoring rules share: effective weights, per-ballot contributions,
category and subject scores, bonus / deduction / veto values.

Every function works on the aggregated ``TallyData`` (counts per grade), never on single
ballots, except where a rule asks the database for per-ballot scores (``ballot_scores``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel, Field

from core.scoring import SubjectScore, TallyData, TemplateData


class Threshold(BaseModel):
    model_config = {"extra": "forbid"}

    grade: str
    min_score: float


THRESHOLDS_FIELD = Field(default_factory=list, description="Proposed grade: the first (highest) min_score reached.")


def effective_weights(template: TemplateData) -> dict[int, float]:
    """Graded leaf id -> product along its path of weight / sum of its graded siblings' weights."""
    graded = [i for i in template.indicators if i.kind == "graded"]
    sums: dict[int | None, float] = defaultdict(float)
    for indicator in graded:
        sums[indicator.parent_id] += indicator.weight
    by_id = {i.id: i for i in template.indicators}
    out: dict[int, float] = {}
    for leaf in template.graded_leaves():
        weight, node = 1.0, leaf
        while node is not None:
            total = sums[node.parent_id]
            weight *= node.weight / total if total else 0.0
            node = by_id.get(node.parent_id) if node.parent_id is not None else None
        out[leaf.id] = weight
    return out


def contributions(template: TemplateData) -> dict[int, dict[int, float]]:
    """{leaf id: {grade index: effective weight x hidden score}}: a ballot's score is the sum of its items'."""
    weights = effective_weights(template)
    return {leaf: {g: w * score for g, (_label, score) in enumerate(template.grades)} for leaf, w in weights.items()}


def category_means(data: TallyData) -> dict[tuple[int, int], float]:
    """(category id, subject id) -> mean ballot score of the category's valid ballots, from the counts."""
    contrib = {c.id: contributions(data.templates[c.template_id]) for c in data.categories}
    totals: dict[tuple[int, int], float] = defaultdict(float)
    for (category_id, subject_id, indicator_id), counts in data.counts.items():
        table = contrib.get(category_id, {}).get(indicator_id)
        if table is None:
            continue
        totals[(category_id, subject_id)] += sum(n * table[g] for g, n in enumerate(counts) if n)
    return {key: totals[key] / n for key, n in data.ballots.items() if n}


def combine(
    data: TallyData, category_scores: dict[tuple[int, int], float], subject_id: int
) -> tuple[float | None, dict[str, dict[str, Any]]]:
    """Σ category weight x category score / Σ weights of the categories with valid ballots."""
    numerator = denominator = 0.0
    by_category: dict[str, dict[str, Any]] = {}
    for category in data.categories:
        key = (category.id, subject_id)
        n = data.ballots.get(key, 0)
        if not n or key not in category_scores:
            continue
        score = category_scores[key]
        by_category[category.name] = {"score": score, "ballots": n}
        numerator += category.weight * score
        denominator += category.weight
    return (numerator / denominator if denominator else None), by_category


def campaign_templates(data: TallyData) -> list[TemplateData]:
    seen: dict[int, TemplateData] = {}
    for category in data.categories:
        if category.template_id in data.templates:
            seen.setdefault(category.template_id, data.templates[category.template_id])
    return list(seen.values())


def lowest_grade(data: TallyData) -> str | None:
    for template in campaign_templates(data):
        if template.grades:
            return template.grades[-1][0]
    return None


def adjust(data: TallyData, result: SubjectScore) -> None:
    """Add capped bonus values, subtract capped deduction values; a non-zero veto value flags the
    subject and forces the lowest grade."""
    for template in campaign_templates(data):
        for indicator in template.indicators:
            if indicator.kind not in ("bonus", "deduction", "veto"):
                continue
            value = data.values.get((result.subject_id, template.id, indicator.code))
            if value is None:
                continue
            if indicator.kind == "veto":
                if value and "veto" not in result.flags:
                    result.flags.append("veto")
                    result.proposed_grade = lowest_grade(data)
                continue
            capped = min(value, indicator.max_score) if indicator.max_score is not None else value
            if result.score is not None:
                result.score += capped if indicator.kind == "bonus" else -capped
            result.by_indicator[indicator.code] = {"score": capped, "distribution": {}}


def by_indicator(data: TallyData, subject_id: int) -> dict[str, dict[str, Any]]:
    """Per graded indicator: the distribution of grades over all valid ballots and its mean hidden score."""
    out: dict[str, dict[str, Any]] = {}
    totals: dict[str, list[float]] = {}
    for category in data.categories:
        template = data.templates[category.template_id]
        for indicator in template.indicators:
            if indicator.kind != "graded":
                continue
            counts = data.counts.get((category.id, subject_id, indicator.id))
            if not counts:
                continue
            entry = out.setdefault(indicator.code, {"score": None, "distribution": {}})
            acc = totals.setdefault(indicator.code, [0.0, 0])
            for g, n in enumerate(counts):
                if g >= len(template.grades):
                    continue
                label, score = template.grades[g]
                entry["distribution"][label] = entry["distribution"].get(label, 0) + n
                acc[0] += n * score
                acc[1] += n
    for code, (total, n) in totals.items():
        out[code]["score"] = total / n if n else None
    return out


def score_subjects(data: TallyData, category_scores: dict[tuple[int, int], float]) -> list[SubjectScore]:
    """The weighted combination of category scores for every subject, then values."""
    results = []
    for subject in data.subjects:
        score, by_category = combine(data, category_scores, subject.id)
        result = SubjectScore(
            subject_id=subject.id,
            name=subject.name,
            category=subject.category,
            score=score,
            by_category=by_category,
            by_indicator=by_indicator(data, subject.id),
        )
        adjust(data, result)
        results.append(result)
    return results
