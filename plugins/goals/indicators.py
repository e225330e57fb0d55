"""The locality's indicator dictionary of goals: what a quantitative goal measures, in which unit
of measure and which way is better, so that values compare across units and years."""

from __future__ import annotations

from sqlmodel import col, select

from core.context import Actor, AppContext
from core.services import audit
from core.services.access import OFFICE_ROLES, locality_for, require_role
from core.services.errors import Conflict
from plugins.goals.models import GoalIndicator
from plugins.goals.schemas import IndicatorIn, IndicatorOut


def indicator_out(row: GoalIndicator) -> IndicatorOut:
    return IndicatorOut(id=row.id, code=row.code, name=row.name, measure=row.measure, direction=row.direction)


def list_indicators(ctx: AppContext, actor: Actor, code: str) -> list[IndicatorOut]:
    """The locality's indicator dictionary, by code (anyone of the locality who may use goals)."""
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        rows = session.exec(
            select(GoalIndicator).where(GoalIndicator.locality_id == locality.id).order_by(col(GoalIndicator.code))
        )
        return [indicator_out(r) for r in rows]


def create_indicator(ctx: AppContext, actor: Actor, code: str, data: IndicatorIn) -> IndicatorOut:
    """Add an entry to the dictionary (the office only). 409 for a code already there."""
    require_role(actor, OFFICE_ROLES, "change the indicator dictionary")
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        taken = session.exec(
            select(GoalIndicator.id).where(GoalIndicator.locality_id == locality.id, GoalIndicator.code == data.code)
        ).first()
        if taken is not None:
            raise Conflict("the indicator code {code} is taken", params={"code": data.code})
        row = GoalIndicator(locality_id=locality.id, **data.model_dump(mode="json"))
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="goals.indicator_created",
            target_type="goal_indicator",
            target_id=row.id,
            after=data.model_dump(mode="json"),
        )
        return indicator_out(row)
