"""What a campaign's distribution policies would do that the office most likely did not mean.

Today: a rounding that leaves 0 of a grade (``ballot_cap`` of 15 % over 5 subjects, rounded
down, allows no 优秀: every ballot giving one would be invalid or refused). A policy reports
these through an optional method ``warnings(template, subjects, options)`` (see
plugins/distribution.py), called once per evaluator category with its template and the
subjects its ballots show. The campaign's answer lists them when it is saved; a campaign
cannot open while any remains (core.services.campaigns.open_campaign), unless the policy says
zero is intended (``accept_zero``, or ``max_ratio: 0``).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from core.models import Campaign, CampaignCategory, CampaignSubject, Subject
from core.scoring import SubjectData, TemplateData
from core.services.errors import NotFound
from core.services.plugins import policies_for
from core.services.templates import template_data


def policy_warnings(session: Session, campaign: Campaign) -> list[dict[str, Any]]:
    """One entry per problem: {field, policy, categories (the evaluator categories concerned),
    grade, indicator, group, total, allowed, message}; the same problem in several evaluator
    categories is one entry."""
    if not campaign.distribution:
        return []
    policies = policies_for(session, campaign.locality_id)
    checks = []
    for index, entry in enumerate(campaign.distribution):
        policy = policies.get(entry.get("policy"))
        warnings_of = getattr(policy, "warnings", None)
        if warnings_of is None:
            continue
        try:
            checks.append((index, policy, warnings_of, policy.options_model.model_validate(entry.get("options") or {})))
        except ValidationError:  # refused when saved; a stored error is reported by the policy's own checks
            continue
    if not checks:
        return []
    subjects = list(
        session.exec(
            select(Subject)
            .join(CampaignSubject, CampaignSubject.subject_id == Subject.id)
            .where(CampaignSubject.campaign_id == campaign.id)
            .order_by(col(Subject.id))
        )
    )
    categories = session.exec(
        select(CampaignCategory)
        .where(CampaignCategory.campaign_id == campaign.id)
        .order_by(col(CampaignCategory.position), col(CampaignCategory.id))
    ).all()
    templates: dict[int, TemplateData | None] = {}
    found: dict[tuple[int, str], dict[str, Any]] = {}
    for category in categories:
        if category.template_id is None:
            continue
        if category.template_id not in templates:
            try:
                templates[category.template_id] = template_data(session, category.template_id)
            except NotFound:
                templates[category.template_id] = None
        template = templates[category.template_id]
        shown = [
            SubjectData(id=s.id, name=s.name, kind=s.kind, ref_id=s.ref_id, category=s.category)
            for s in subjects
            if not category.subject_categories or s.category in category.subject_categories
        ]
        if template is None or not shown:
            continue
        for index, policy, warnings_of, options in checks:
            for warning in warnings_of(template, shown, options):
                key = (index, warning["message"])
                if key in found:
                    found[key]["categories"].append(category.name)
                    continue
                found[key] = {
                    "field": f"distribution[{index}].options",
                    "policy": policy.name,
                    "categories": [category.name],
                    "grade": warning.get("grade"),
                    "indicator": warning.get("indicator"),
                    "group": warning.get("group"),
                    "total": warning.get("total"),
                    "allowed": warning.get("allowed", 0),
                    "message": warning["message"],
                }
    return list(found.values())
