"""The campaigns a unit admin (单位系统管理员) may read, scoped to its unit (SPEC 11): those that
assess its unit, that is that have a subject which is the unit itself, one of its people or one
of its leadership teams. For each, read only: the status, the turnout per evaluator category,
and which of its unit's subjects are assessed. Another unit's campaign is 404, as is every other
role's call (the office reads campaigns on its own pages)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Campaign, CampaignSubject, Locality, Role, Subject
from core.services.access import locality_for, require_role
from core.services.errors import NotFound
from core.services.turnout import below_minimum, category_turnout
from core.services.unit_scope import own_subjects

UNIT_ADMIN = frozenset({Role.unit_admin})
MAX_LISTED = 500


def _scope(session: Session, actor: Actor, code: str) -> tuple[int, int]:
    require_role(actor, UNIT_ADMIN, "read its unit's campaigns")
    if actor.unit_id is None:
        raise NotFound(f"no locality with code {code!r}")
    return locality_for(session, actor, code).id, actor.unit_id


def unit_campaigns(ctx: AppContext, actor: Actor, code: str) -> list[dict[str, Any]]:
    """The campaigns assessing the unit admin's unit, newest first: ``[{id, name, status,
    subjects}]`` (``subjects``: how many of its unit's). 403 other roles; 404 another locality."""
    with ctx.db.read() as session:
        locality_id, unit_id = _scope(session, actor, code)
        own = own_subjects(locality_id, unit_id).subquery()
        rows = session.exec(
            select(Campaign.id, Campaign.name, Campaign.status, CampaignSubject.subject_id)
            .join(CampaignSubject, CampaignSubject.campaign_id == Campaign.id)
            .where(Campaign.locality_id == locality_id, col(CampaignSubject.subject_id).in_(select(own.c.id)))
            .order_by(col(Campaign.id).desc())
            .limit(MAX_LISTED * 20)
        ).all()
        found: dict[int, dict[str, Any]] = {}
        for cid, name, status, _subject in rows:
            entry = found.setdefault(cid, {"id": cid, "name": name, "status": str(status), "subjects": 0})
            entry["subjects"] += 1
        return list(found.values())[:MAX_LISTED]


def unit_campaign_view(ctx: AppContext, actor: Actor, code: str, campaign_id: int) -> dict[str, Any]:
    """One campaign assessing the unit, read only: ``{"campaign": {id, name, status, period},
    "turnout": [CategoryTurnout], "minimum": percent | None, "below": [CategoryTurnout],
    "subjects": [{id, name, category}]`` (its unit's subjects in the campaign). 404 a campaign of
    another locality or that does not assess the unit."""
    with ctx.db.read() as session:
        locality_id, unit_id = _scope(session, actor, code)
        campaign = session.get(Campaign, campaign_id) if 0 < campaign_id < 2**31 else None
        if campaign is None or campaign.locality_id != locality_id:
            raise NotFound(f"no campaign with id {campaign_id}")
        own = own_subjects(locality_id, unit_id).subquery()
        subjects = session.exec(
            select(Subject.id, Subject.name, Subject.category)
            .join(CampaignSubject, CampaignSubject.subject_id == Subject.id)
            .where(CampaignSubject.campaign_id == campaign.id, col(Subject.id).in_(select(own.c.id)))
            .order_by(Subject.category, Subject.name, Subject.id)
        ).all()
        if not subjects:
            raise NotFound(f"no campaign with id {campaign_id}")
        rows = category_turnout(session, campaign)
        minimum = session.get(Locality, locality_id).min_turnout_percent
        return {
            "campaign": {
                "id": campaign.id,
                "name": campaign.name,
                "status": str(campaign.status),
                "period": campaign.period,
            },
            "turnout": rows,
            "minimum": minimum,
            "below": below_minimum(rows, minimum),
            "subjects": [{"id": s, "name": n, "category": c} for s, n, c in subjects],
        }
