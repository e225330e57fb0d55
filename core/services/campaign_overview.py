"""What the console's campaign pages read: a locality's campaigns (one row each, no subject
lists), one campaign as seen from a locality (404 for another locality's id), what it still
misses before it can open, and the scoring rules and distribution policies it may use."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import Campaign, CampaignSubject, IndicatorTemplate, Locality
from core.schemas.campaigns import CampaignOut
from core.services.access import ADMIN_READ_ROLES, locality_for, require_role
from core.services.campaigns import (
    as_utc,
    campaign_out,
    get_campaign_row,
    missing_for_opening,
    with_warnings,
)
from core.services.errors import NotFound
from core.services.plugins import policies_for, rules_for
from core.services.turnout import below_minimum, category_turnout

LIST_COLUMNS = (
    Campaign.id,
    Campaign.name,
    Campaign.kind,
    Campaign.period,
    Campaign.status,
    Campaign.opens_at,
    Campaign.closes_at,
)


def list_rows(ctx: AppContext, actor: Actor, code: str, *, limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """(``[{id, name, kind, period, status, opens_at, closes_at, subjects}]`` newest first, total)."""
    require_role(actor, ADMIN_READ_ROLES, "read campaigns")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        total = session.exec(
            select(func.count()).select_from(Campaign).where(Campaign.locality_id == locality.id)
        ).one()
        rows = session.exec(
            select(*LIST_COLUMNS)
            .where(Campaign.locality_id == locality.id)
            .order_by(col(Campaign.id).desc())
            .limit(limit)
            .offset(offset)
        ).all()
        ids = [r[0] for r in rows]
        counts = (
            dict(
                session.exec(
                    select(CampaignSubject.campaign_id, func.count())
                    .where(col(CampaignSubject.campaign_id).in_(ids))
                    .group_by(CampaignSubject.campaign_id)
                ).all()
            )
            if ids
            else {}
        )
        out = [
            {
                "id": r[0],
                "name": r[1],
                "kind": r[2],
                "period": r[3],
                "status": r[4],
                "opens_at": as_utc(r[5]),
                "closes_at": as_utc(r[6]),
                "subjects": counts.get(r[0], 0),
            }
            for r in rows
        ]
        return out, int(total)


def _row_in(session, actor: Actor, code: str, campaign_id: int) -> Campaign:
    locality = locality_for(session, actor, code, read_only=True)
    campaign = get_campaign_row(session, actor, campaign_id, read_only=True)
    if campaign.locality_id != locality.id:
        raise NotFound(f"no campaign with id {campaign_id}")
    return campaign


def get_in(ctx: AppContext, actor: Actor, code: str, campaign_id: int) -> CampaignOut:
    """The campaign if it belongs to locality ``code`` and the actor may read it, else 404."""
    require_role(actor, ADMIN_READ_ROLES, "read campaigns")
    with ctx.db.read() as session:
        return campaign_out(session, _row_in(session, actor, code, campaign_id))


def overview(ctx: AppContext, actor: Actor, code: str, campaign_id: int) -> dict[str, Any]:
    """``{"campaign": CampaignOut with warnings, "missing": [English messages, translatable],
    "templates": {id: name}, "turnout": [CategoryTurnout], "minimum": percent | None,
    "below": [CategoryTurnout], "subjects": n}``; ``missing`` only while draft."""
    require_role(actor, ADMIN_READ_ROLES, "read campaigns")
    with ctx.db.read() as session:
        campaign = _row_in(session, actor, code, campaign_id)
        out = with_warnings(session, campaign, campaign_out(session, campaign))
        missing = missing_for_opening(session, campaign) if campaign.status == "draft" else []
        template_ids = {c.template_id for c in out.categories if c.template_id}
        templates = (
            dict(
                session.exec(
                    select(IndicatorTemplate.id, IndicatorTemplate.name).where(
                        col(IndicatorTemplate.id).in_(template_ids)
                    )
                ).all()
            )
            if template_ids
            else {}
        )
        rows = category_turnout(session, campaign)
        minimum = session.get(Locality, campaign.locality_id).min_turnout_percent
        return {
            "campaign": out,
            "missing": missing,
            "templates": templates,
            "turnout": rows,
            "minimum": minimum,
            "below": below_minimum(rows, minimum),
            "subjects": len(out.subject_ids),
        }


def plugin_choices(ctx: AppContext, actor: Actor, code: str, campaign_id: int) -> dict[str, list[dict[str, Any]]]:
    """The scoring rules and distribution policies the campaign's locality enabled:
    ``{"rules": [...], "policies": [...]}``, each ``{name, label_zh, label_en, schema, module}``
    (the JSON schema of its options, or None; the module that defines it), by name."""
    require_role(actor, ADMIN_READ_ROLES, "read campaigns")
    with ctx.db.read() as session:
        campaign = _row_in(session, actor, code, campaign_id)

        def described(items: dict[str, Any]) -> list[dict[str, Any]]:
            out = []
            for name, item in sorted(items.items()):
                model = getattr(item, "options_model", None)
                out.append(
                    {
                        "name": name,
                        "label_zh": getattr(item, "label_zh", name),
                        "label_en": getattr(item, "label_en", name),
                        "schema": model.model_json_schema() if model is not None else None,
                        # where it is defined: a page reads its texts with its plugin's catalogue
                        "module": item.__name__ if isinstance(item, ModuleType) else type(item).__module__,
                    }
                )
            return out

        return {
            "rules": described(rules_for(session, campaign.locality_id)),
            "policies": described(policies_for(session, campaign.locality_id)),
        }
