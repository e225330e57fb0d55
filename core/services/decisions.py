"""The office's decisions on a tallied campaign: adjust a subject's grade (with a reason), then
publish, which freezes the results.

Status flow: ``tallied`` -> (adjustments) -> ``published``. Once published, adjustments and
re-tallies answer 409; ``ensure_results_open`` is the check other services (the tally) use.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import (
    Adjustment,
    Campaign,
    CampaignCategory,
    CampaignResult,
    CampaignStatus,
    IndicatorTemplate,
)
from core.schemas.values import AdjustmentIn, AdjustmentOut, PublishOut
from core.services import audit
from core.services.access import ADMIN_READ_ROLES, OFFICE_ROLES, require_role
from core.services.campaigns import get_campaign_row
from core.services.errors import Conflict, Invalid


def ensure_results_open(campaign: Campaign) -> None:
    """409 when the campaign's results are published (frozen)."""
    if campaign.status == CampaignStatus.published:
        raise Conflict(f"campaign {campaign.id} is published; its results are frozen")


def _ensure_tallied(campaign: Campaign, what: str) -> None:
    ensure_results_open(campaign)
    if campaign.status != CampaignStatus.tallied:
        raise Conflict(f"campaign {campaign.id} is {campaign.status}; only a tallied campaign can {what}")


def grade_labels(session: Session, campaign_id: int) -> list[str]:
    """The labels of the grade scales of the campaign's templates, best first, without repeats
    (one statement: each category's template scale, in the categories' order)."""
    scales = session.exec(
        select(IndicatorTemplate.grade_scale)
        .join(CampaignCategory, CampaignCategory.template_id == IndicatorTemplate.id)
        .where(CampaignCategory.campaign_id == campaign_id)
        .order_by(col(CampaignCategory.position), col(CampaignCategory.id))
    ).all()
    labels: list[str] = []
    for scale in scales:
        for grade in scale or []:
            label = grade.get("label") if isinstance(grade, dict) else None
            if label and label not in labels:
                labels.append(label)
    return labels


def adjust(ctx: AppContext, actor: Actor, campaign_id: int, data: AdjustmentIn) -> AdjustmentOut:
    require_role(actor, OFFICE_ROLES, "adjust results")
    with ctx.db.write() as session:
        campaign = get_campaign_row(session, actor, campaign_id, for_update=True)
        _ensure_tallied(campaign, "be adjusted")
        errors = []
        if not data.reason:
            errors.append({"field": "reason", "message": "a reason is required"})
        labels = grade_labels(session, campaign.id)
        if not data.grade:
            errors.append({"field": "grade", "message": "a grade is required"})
        elif data.grade not in labels:
            errors.append(
                {
                    "field": "grade",
                    "message": f"{data.grade!r} is not a grade of this campaign's scale "
                    f"({', '.join(labels) or 'none'})",
                }
            )
        result = session.exec(
            select(CampaignResult)
            .where(CampaignResult.campaign_id == campaign.id, CampaignResult.subject_id == data.subject_id)
            .with_for_update()
        ).first()
        if result is None:
            errors.append(
                {"field": "subject_id", "message": f"subject {data.subject_id} has no result in this campaign"}
            )
        if errors:
            raise Invalid("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)
        before = result.grade if result.grade is not None else result.proposed_grade
        adjustment = Adjustment(
            locality_id=campaign.locality_id,
            campaign_id=campaign.id,
            subject_id=data.subject_id,
            from_grade=before,
            grade=data.grade,
            reason=data.reason,
            actor=actor.username[:100],
        )
        session.add(adjustment)
        result.grade = data.grade
        session.add(result)
        session.flush()
        audit.record(
            session,
            actor,
            locality_id=campaign.locality_id,
            action="campaign.adjust",
            target_type="campaign",
            target_id=campaign.id,
            before={"subject_id": data.subject_id, "grade": before, "proposed_grade": result.proposed_grade},
            after={"subject_id": data.subject_id, "grade": data.grade, "reason": data.reason},
        )
        return AdjustmentOut.model_validate(adjustment)


def list_adjustments(ctx: AppContext, actor: Actor, campaign_id: int) -> list[AdjustmentOut]:
    require_role(actor, ADMIN_READ_ROLES, "read adjustments")
    with ctx.db.read() as session:
        campaign = get_campaign_row(session, actor, campaign_id, read_only=True)
        rows = session.exec(
            select(Adjustment).where(Adjustment.campaign_id == campaign.id).order_by(col(Adjustment.id))
        ).all()
        return [AdjustmentOut.model_validate(row) for row in rows]


def publish(ctx: AppContext, actor: Actor, campaign_id: int) -> PublishOut:
    """Tallied -> published. Subjects the office did not adjust keep their proposed grade as final."""
    require_role(actor, OFFICE_ROLES, "publish results")
    with ctx.db.write() as session:
        campaign = get_campaign_row(session, actor, campaign_id, for_update=True)
        _ensure_tallied(campaign, "be published")
        results = session.exec(
            select(CampaignResult).where(CampaignResult.campaign_id == campaign.id).with_for_update()
        ).all()
        for result in results:
            if result.grade is None and result.proposed_grade is not None:
                result.grade = result.proposed_grade
                session.add(result)
        campaign.status = CampaignStatus.published
        session.add(campaign)
        session.flush()
        audit.record(
            session,
            actor,
            locality_id=campaign.locality_id,
            action="campaign.publish",
            target_type="campaign",
            target_id=campaign.id,
            before={"status": "tallied"},
            after={"status": "published", "subjects": len(results)},
        )
        return PublishOut(campaign_id=campaign.id, status=campaign.status, subjects=len(results))
