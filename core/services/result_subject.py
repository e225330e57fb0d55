"""One subject's results in a tallied campaign (read-only): its score per evaluator category,
the mean hidden score of each graded indicator, the grade distribution, the comments of its
ballots, its earlier campaigns and the adjustments of its grade.

Role and tenant are checked, and scores rounded, as in ``core.services.result_details`` (the
ranking, which this builds on). Counts per grade come from SQL aggregates, never a loop over
ballots; comments are returned sorted by their text, so their order says nothing about the
ballots they came from.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import (
    Adjustment,
    Campaign,
    CampaignResult,
    CampaignStatus,
    Subject,
)
from core.scoring import TemplateData
from core.services import ballot_grades
from core.services.campaigns import categories_of
from core.services.decisions import grade_labels
from core.services.errors import NotFound
from core.services.result_details import TALLIED, _campaign_out, _held, _load, _ranked, show_score
from core.services.templates import template_data


def _grade_counts(session: Session, campaign: Campaign, subject_id: int) -> list[tuple[int, int, int, int]]:
    """(category id, indicator id, grade index, count) over the valid ballots that rated the subject."""
    return [(c, i, g, n) for c, _s, i, g, n in ballot_grades.grade_counts(session, campaign, subject_id=subject_id)]


def indicator_means(
    templates: dict[int, TemplateData],
    category_names: dict[int, str],
    category_template: dict[int, int],
    counts: list[tuple[int, int, int, int]],
    decimals: int,
) -> tuple[list[dict[str, Any]], dict]:
    """Per graded leaf (by code, tree order): mean hidden score overall and per evaluator category."""
    parents = {i.parent_id for t in templates.values() for i in t.indicators if i.parent_id is not None}
    by_id = {i.id: (t, i) for t in templates.values() for i in t.indicators}
    names = {i.id: i.name for t in templates.values() for i in t.indicators}
    order: dict[str, dict[str, Any]] = {}
    for template in templates.values():
        for indicator in template.indicators:
            if indicator.kind == "graded" and indicator.id not in parents and indicator.code not in order:
                order[indicator.code] = {
                    "code": indicator.code,
                    "name": indicator.name,
                    "parent": names.get(indicator.parent_id, ""),
                    "overall": indicator.overall,
                    "max": max((s for _label, s in template.grades), default=None),
                }
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    per_category: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for category_id, indicator_id, grade, n in counts:
        found = by_id.get(indicator_id)
        if found is None or category_template.get(category_id) != found[0].id:
            continue
        template, indicator = found
        if indicator.code not in order or not 0 <= grade < len(template.grades):
            continue
        hidden = template.grades[grade][1]
        for acc in (sums[indicator.code], per_category[(indicator.code, category_names[category_id])]):
            acc[0] += n * hidden
            acc[1] += n
    rows = []
    for code, row in order.items():
        total, n = sums.get(code, (0.0, 0))
        mean = total / n if n else None
        by_category = {}
        for name in category_names.values():
            c_total, c_n = per_category.get((code, name), (0.0, 0))
            if c_n:
                by_category[name] = {"score": c_total / c_n, "shown": show_score(c_total / c_n, decimals)}
        rows.append(
            {**row, "score": mean, "shown": show_score(mean, decimals), "answers": n, "by_category": by_category}
        )
    return rows, by_id


def _distribution(
    templates: dict[int, TemplateData],
    category_template: dict[int, int],
    by_id: dict,
    counts: list[tuple[int, int, int, int]],
    labels: list[str],
) -> dict[str, Any]:
    """Grades given to the subject: on the overall indicator when the templates have one (one
    answer per ballot), else on every graded leaf."""
    overall_ids = {i.id for t in templates.values() for i in t.indicators if i.overall and i.kind == "graded"}
    parents = {i.parent_id for t in templates.values() for i in t.indicators if i.parent_id is not None}
    basis = "overall" if any(ind in overall_ids for _c, ind, _g, _n in counts) else "items"
    tally: dict[str, int] = dict.fromkeys(labels, 0)
    for category_id, indicator_id, grade, n in counts:
        found = by_id.get(indicator_id)
        if found is None or category_template.get(category_id) != found[0].id:
            continue
        template, indicator = found
        wanted = (
            indicator_id in overall_ids
            if basis == "overall"
            else (indicator.kind == "graded" and indicator.id not in parents)
        )
        if wanted and 0 <= grade < len(template.grades):
            label = template.grades[grade][0]
            tally[label] = tally.get(label, 0) + n
    return {
        "basis": basis,
        "counts": [{"grade": label, "count": count} for label, count in tally.items()],
        "total": sum(tally.values()),
    }


def _comments(session: Session, campaign: Campaign, subject_id: int) -> list[str]:
    return sorted(c.strip() for c in ballot_grades.comments_about(session, campaign, subject_id) if c.strip())


def _history(session: Session, campaign: Campaign, subject: dict[str, Any], decimals: int) -> list[dict[str, Any]]:
    """The same subject (or the same unit/team/person behind another subject) in earlier tallied
    campaigns of the same kind and locality, oldest first. ``subject``: its result row."""
    same = col(CampaignResult.subject_id) == subject["subject_id"]
    if subject["ref_id"] is not None:
        same = same | ((Subject.kind == subject["kind"]) & (Subject.ref_id == subject["ref_id"]))
    rows = session.exec(
        select(CampaignResult, Campaign, Subject)
        .join(Campaign, Campaign.id == CampaignResult.campaign_id)
        .join(Subject, Subject.id == CampaignResult.subject_id)
        .where(
            CampaignResult.locality_id == campaign.locality_id,
            Campaign.locality_id == campaign.locality_id,
            Campaign.kind == campaign.kind,
            col(Campaign.id) < campaign.id,
            col(Campaign.status).in_([s.value for s in TALLIED]),
            same,
        )
        .order_by(col(Campaign.created_at), col(Campaign.id))
    ).all()
    return [
        {
            "campaign_id": c.id,
            "campaign_name": c.name,
            "period": c.period,
            "status": c.status,
            "subject_id": s.id,
            "score": r.score,
            "shown": show_score(r.score, decimals),
            "rank": r.rank,
            "grade": r.grade if r.grade is not None else r.proposed_grade,
        }
        for r, c, s in rows
    ]


def subject_details(
    ctx: AppContext, actor: Actor, campaign_id: int, subject_id: int, *, locality_code: str | None = None
) -> dict[str, Any]:
    """One subject's results in a tallied campaign.

    Returns ``{"campaign": {...as campaign_results}, "tallied": bool, "published": bool,
    "decimals": int, "grade_labels": [str], "subject": row (as in campaign_results, with its
    flags), "group_size": int (subjects in its subject category),
    "by_category": [{"name", "weight", "score", "shown", "ballots"}] (every evaluator category that
    rates it, in the campaign's order; score None without ballots),
    "indicators": [{"code", "name", "parent" (name or ""), "overall" (bool), "max" (best grade's
    hidden score), "score" (mean hidden score, float|None), "shown", "answers" (int),
    "by_category": {name: {score, shown}}}] (graded leaves in tree order),
    "values": [{"code", "name", "kind", "score", "shown"}] (bonus/deduction/numeric indicators
    the rule counted), "distribution": {"basis": "overall"|"items", "counts": [{"grade",
    "count"}] (every label, best first), "total": int}, "comments": [str] (valid ballots that
    rated it, sorted by text), "history": [{"campaign_id", "campaign_name", "period", "status",
    "subject_id", "score", "shown", "rank", "grade"}] (oldest first), "adjustments": [{"from_grade",
    "grade", "reason", "actor", "created_at"}] (oldest first)}``.
    Errors: 404 campaign, locality or subject (not a subject with a result in this campaign),
    403 role. A campaign not tallied answers ``tallied: False`` and ``subject: None``."""
    with ctx.db.read() as session:
        loaded = _load(session, actor, campaign_id, locality_code)
        campaign, decimals = loaded.campaign, loaded.decimals
        labels = grade_labels(session, campaign.id)
        out: dict[str, Any] = {
            "campaign": _campaign_out(loaded),
            "tallied": campaign.status in TALLIED,
            "published": campaign.status == CampaignStatus.published,
            "decimals": decimals,
            "grade_labels": labels,
            "subject": None,
        }
        if not out["tallied"]:
            return out
        # its own row only (its flags need the grades held in the campaign: one grouped query),
        # never every subject's row to pick one out
        held = _held(session, campaign)
        found, _total = _ranked(session, loaded, labels, held, None, 0, subject_id=subject_id)
        if not found:
            raise NotFound("no subject with id {id} in this campaign's results", params={"id": subject_id})
        row = found[0]
        categories = [c for c in categories_of(session, campaign.id) if c.template_id is not None]
        templates = {tid: template_data(session, tid) for tid in dict.fromkeys(c.template_id for c in categories)}
        category_template = {c.id: c.template_id for c in categories}
        category_names = {c.id: c.name for c in categories}
        counts = _grade_counts(session, campaign, subject_id)
        indicators, by_id = indicator_means(templates, category_names, category_template, counts, decimals)
        rated = {category_names.get(c) for c, _i, _g, _n in counts}
        by_category = []
        for c in categories:
            entry = row["by_category"].get(c.name)
            if (
                entry is None
                and c.name not in rated
                and c.subject_categories
                and row["category"] not in c.subject_categories
            ):
                continue
            entry = entry or {"score": None, "shown": "", "ballots": 0}
            by_category.append({"name": c.name, "weight": float(c.weight), **entry})
        graded = {i["code"] for i in indicators}
        kinds = {i.code: (i.name, i.kind) for t in templates.values() for i in t.indicators}
        result = session.exec(
            select(CampaignResult).where(
                CampaignResult.campaign_id == campaign.id, CampaignResult.subject_id == subject_id
            )
        ).one()
        values = [
            {
                "code": code,
                "name": kinds.get(code, (code, ""))[0],
                "kind": kinds.get(code, ("", ""))[1],
                "score": entry.get("score"),
                "shown": show_score(entry.get("score"), decimals),
            }
            for code, entry in (result.by_indicator or {}).items()
            if code not in graded
        ]
        adjustments = session.exec(
            select(Adjustment)
            .where(Adjustment.campaign_id == campaign.id, Adjustment.subject_id == subject_id)
            .order_by(col(Adjustment.id))
        ).all()
        out.update(
            subject=row,
            group_size=sum(n for (category, _grade), n in held.items() if category == row["category"]),
            by_category=by_category,
            indicators=indicators,
            values=values,
            distribution=_distribution(templates, category_template, by_id, counts, labels),
            comments=_comments(session, campaign, subject_id),
            history=_history(session, campaign, row, decimals),
            adjustments=[
                {
                    "from_grade": a.from_grade,
                    "grade": a.grade,
                    "reason": a.reason,
                    "actor": a.actor,
                    "created_at": a.created_at,
                }
                for a in adjustments
            ],
        )
        return out
