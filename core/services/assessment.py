"""The assessment group (考核小组, SPEC 11): a user of role ``assessment_group`` reads the
campaigns it was assigned (their status, turnout and results), scores them (their indicator
values) and changes nothing else.

The rule lives where every campaign is looked up: ``core.services.campaigns.get_campaign_row``
answers 404 for a campaign not in the actor's ``campaign_ids`` (filled from
``assessment_assignments`` when the user's session or token is resolved,
``core.services.auth.actor_of``). Every other write service requires an office role, so an
assessment group gets 403 (API) or 404 (console) on every other change.

Assigning campaigns is platform-admin work, like the rest of a user's settings (the user pages):
``set_assignments``. The group scores an assigned campaign: the value indicators of its templates,
for its subjects and period, until it is tallied (``core.services.value_scope``, the values grid
with ``?campaign=`` and the indicator-values API with ``campaign_id``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Campaign, Locality, Role, User
from core.models.assessment import AssessmentAssignment
from core.services import audit
from core.services.access import require_role
from core.services.campaigns import get_campaign_row
from core.services.errors import Invalid, NotFound
from core.services.turnout import below_minimum, category_turnout

GROUP = frozenset({Role.assessment_group})
PLATFORM = frozenset({Role.platform_admin})
MAX_ASSIGNED = 500


def assigned_campaign_ids(session: Session, user: User) -> frozenset[int]:
    """The campaigns of the user's own locality it was assigned (ids)."""
    if user.locality_id is None:
        return frozenset()
    return frozenset(
        session.exec(
            select(AssessmentAssignment.campaign_id)
            .join(Campaign, Campaign.id == AssessmentAssignment.campaign_id)
            .where(AssessmentAssignment.user_id == user.id, Campaign.locality_id == user.locality_id)
        ).all()
    )


def _group_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        raise NotFound("no user with id {id}", params={"id": user_id})
    return user


def assignable(ctx: AppContext, actor: Actor, user_id: int) -> list[dict[str, Any]]:
    """The campaigns of the user's locality, newest first: ``[{id, name, status, assigned}]``.
    Platform admins only (403); 404 for an unknown user; [] for a user of another role."""
    require_role(actor, PLATFORM, "assign campaigns")
    with ctx.db.read() as session:
        user = _group_user(session, user_id)
        if user.role != Role.assessment_group or user.locality_id is None:
            return []
        assigned = assigned_campaign_ids(session, user)
        rows = session.exec(
            select(Campaign.id, Campaign.name, Campaign.status)
            .where(Campaign.locality_id == user.locality_id)
            .order_by(col(Campaign.id).desc())
            .limit(MAX_ASSIGNED)
        ).all()
        return [
            {"id": cid, "name": name, "status": str(status), "assigned": cid in assigned} for cid, name, status in rows
        ]


def set_assignments(ctx: AppContext, actor: Actor, user_id: int, campaign_ids: list[int]) -> list[int]:
    """Replace the campaigns an assessment-group user may read; return them, sorted.

    Errors: 403 not a platform admin; 404 unknown user; 422 (field ``campaign_ids``) when the user
    is not of role assessment_group or a campaign is not one of its locality's. Audited."""
    require_role(actor, PLATFORM, "assign campaigns")
    wanted = sorted(set(campaign_ids))
    if len(wanted) > MAX_ASSIGNED:
        raise Invalid(
            "campaign_ids: at most {n} campaigns",
            params={"n": MAX_ASSIGNED},
            errors=[{"field": "campaign_ids", "message": f"at most {MAX_ASSIGNED} campaigns"}],
        )
    with ctx.db.write() as session:
        user = _group_user(session, user_id)
        if user.role != Role.assessment_group:
            raise Invalid(
                "campaign_ids: only an assessment_group user is assigned campaigns",
                errors=[{"field": "campaign_ids", "message": "only an assessment_group user is assigned campaigns"}],
            )
        found = (
            set(
                session.exec(
                    select(Campaign.id).where(col(Campaign.id).in_(wanted), Campaign.locality_id == user.locality_id)
                ).all()
            )
            if wanted and all(0 < c < 2**31 for c in wanted)
            else set()
        )
        missing = [c for c in wanted if c not in found]
        if missing:
            raise Invalid(
                "campaign_ids: no campaign {id} in this user's locality",
                params={"id": missing[0]},
                errors=[{"field": "campaign_ids", "message": f"no campaign {missing[0]} in this user's locality"}],
            )
        before = sorted(assigned_campaign_ids(session, user))
        session.execute(delete(AssessmentAssignment).where(AssessmentAssignment.user_id == user.id))
        for cid in wanted:
            session.add(AssessmentAssignment(user_id=user.id, campaign_id=cid))
        if before != wanted:
            audit.record(
                session,
                actor,
                locality_id=user.locality_id,
                action="user.assign_campaigns",
                target_type="user",
                target_id=user.id,
                before={"campaign_ids": before},
                after={"campaign_ids": wanted},
            )
        return wanted


def my_campaigns(ctx: AppContext, actor: Actor) -> list[dict[str, Any]]:
    """An assessment group's campaigns, newest first: ``[{id, name, status, locality_code}]`` (403 other roles)."""
    require_role(actor, GROUP, "read assigned campaigns")
    if not actor.campaign_ids:
        return []
    with ctx.db.read() as session:
        rows = session.exec(
            select(Campaign.id, Campaign.name, Campaign.status, Locality.code)
            .join(Locality, Locality.id == Campaign.locality_id)
            .where(col(Campaign.id).in_(actor.campaign_ids), Campaign.locality_id == actor.locality_id)
            .order_by(col(Campaign.id).desc())
        ).all()
        return [
            {"id": cid, "name": name, "status": str(status), "locality_code": code} for cid, name, status, code in rows
        ]


def campaign_view(ctx: AppContext, actor: Actor, campaign_id: int) -> dict[str, Any]:
    """One assigned campaign: ``{"campaign": {id, name, status, period, locality_code}, "turnout":
    [CategoryTurnout], "minimum": percent | None, "below": [CategoryTurnout], "results":
    core.services.result_details.campaign_results(...)}`` (results have no rows until tallied).
    Errors: 403 other roles; 404 a campaign not assigned."""
    from core.services import result_details

    require_role(actor, GROUP, "read assigned campaigns")
    with ctx.db.read() as session:
        campaign = get_campaign_row(session, actor, campaign_id, read_only=True)
        rows = category_turnout(session, campaign)
        minimum = session.get(Locality, campaign.locality_id).min_turnout_percent
        head = {
            "id": campaign.id,
            "name": campaign.name,
            "status": str(campaign.status),
            "period": campaign.period,
            "locality_code": session.get(Locality, campaign.locality_id).code,
        }
    results = result_details.campaign_results(ctx, actor, campaign_id)
    return {
        "campaign": head,
        "turnout": rows,
        "minimum": minimum,
        "below": below_minimum(rows, minimum),
        "results": results,
    }
