"""Turnout per evaluator category, the locality's result settings (minimum turnout, decimals of
shown scores) and the minimum-turnout rule of the tally.

Turnout of a category = submitted accounts / accounts issued and not revoked, in percent. It is
read from the accounts' statuses only (no ballot is touched), so it is the same while the
campaign is open, after its close and after its tally.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pydantic import Field
from sqlalchemy import func
from sqlmodel import Session, select

from core.context import Actor, AppContext
from core.models import AccountStatus, BallotAccount, Campaign, Locality
from core.schemas.base import In
from core.services import audit
from core.services.access import (
    ADMIN_READ_ROLES,
    OFFICE_ROLES,
    locality_for,
    require_role,
)
from core.services.campaigns import categories_of, get_campaign_row
from core.services.errors import Conflict

REASON_MAX = 500


@dataclass(frozen=True)
class CategoryTurnout:
    """One evaluator category: ``issued`` accounts not revoked, ``submitted`` of them,
    ``percent`` = submitted / issued × 100 (0.0 when none were issued), rounded to 1 place."""

    category: str
    issued: int
    submitted: int
    percent: float

    def figures(self) -> str:
        """``"县领导 2/30 (6.7 %)"``: the same in every language."""
        return f"{self.category} {self.submitted}/{self.issued} ({self.percent:g} %)"


def category_turnout(session: Session, campaign: Campaign) -> list[CategoryTurnout]:
    """The campaign's categories in their order, with their turnout (one grouped query)."""
    counts: dict[tuple[int, str], int] = {}
    for category_id, status, n in session.exec(
        select(BallotAccount.category_id, BallotAccount.status, func.count())
        .where(BallotAccount.campaign_id == campaign.id, BallotAccount.locality_id == campaign.locality_id)
        .group_by(BallotAccount.category_id, BallotAccount.status)
    ):
        counts[(category_id, status)] = int(n)
    out = []
    for category in categories_of(session, campaign.id):
        issued = sum(n for (cid, status), n in counts.items() if cid == category.id and status != AccountStatus.revoked)
        submitted = counts.get((category.id, AccountStatus.submitted), 0)
        percent = round(submitted * 100 / issued, 1) if issued else 0.0
        out.append(CategoryTurnout(category.name, issued, submitted, percent))
    return out


def below_minimum(rows: list[CategoryTurnout], minimum: float | None) -> list[CategoryTurnout]:
    """The categories whose turnout is below ``minimum`` percent (none when there is no minimum).
    Compared unrounded: 19/30 is below 2/3 (66.67 %) even though both show as 63.3 / 66.7."""
    if minimum is None:
        return []
    return [r for r in rows if r.submitted * 100 < minimum * r.issued or (r.issued == 0 and minimum > 0)]


def check_minimum(session: Session, campaign: Campaign, reason: str | None) -> dict[str, Any] | None:
    """The minimum-turnout rule of a tally (call inside its transaction).

    Returns None when every category reaches the locality's minimum (or it has none), else what
    the audit entry records: ``{"minimum", "reason", "below": [{category, issued, submitted,
    percent}]}`` when the office confirmed with a ``reason``. Raises ``Conflict`` (409) naming
    each category's figures when a category is below and no reason was given; its ``errors``
    carry the figures for API callers (field ``confirm_low_turnout_reason``)."""
    locality = session.get(Locality, campaign.locality_id)
    minimum = locality.min_turnout_percent if locality else None
    low = below_minimum(category_turnout(session, campaign), minimum)
    if not low:
        return None
    reason = (reason or "").strip()
    if not reason:
        raise Conflict(
            "The turnout is below this locality's minimum of {minimum} %: {figures}. "
            "To tally anyway, confirm with a reason.",
            params={"minimum": f"{minimum:g}", "figures": "; ".join(r.figures() for r in low)},
            errors=[
                {
                    "field": "confirm_low_turnout_reason",
                    "message": "turnout below the minimum",
                    "minimum": minimum,
                    **asdict(r),
                }
                for r in low
            ],
        )
    return {"minimum": minimum, "reason": reason[:REASON_MAX], "below": [asdict(r) for r in low]}


def campaign_turnout(ctx: AppContext, actor: Actor, campaign_id: int) -> dict[str, Any]:
    """``{"minimum": float | None, "categories": [CategoryTurnout], "below": [CategoryTurnout]}``."""
    require_role(actor, ADMIN_READ_ROLES, "read campaign progress")
    with ctx.db.read() as session:
        campaign = get_campaign_row(session, actor, campaign_id, read_only=True)
        minimum = session.get(Locality, campaign.locality_id).min_turnout_percent
        rows = category_turnout(session, campaign)
        return {"minimum": minimum, "categories": rows, "below": below_minimum(rows, minimum)}


# --- the locality's result settings ----------------------------------------------------------


class ResultSettingsIn(In):
    """``min_turnout_percent``: 0–100 or null for none; ``result_decimals``: 0–6."""

    min_turnout_percent: float | None = Field(default=None, ge=0, le=100)
    result_decimals: int = Field(default=2, ge=0, le=6)


def result_settings(ctx: AppContext, actor: Actor, code: str) -> dict[str, Any]:
    """``{"min_turnout_percent": float | None, "result_decimals": int}`` of the locality."""
    require_role(actor, ADMIN_READ_ROLES, "read the locality's settings")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        return {"min_turnout_percent": locality.min_turnout_percent, "result_decimals": locality.result_decimals}


def set_result_settings(ctx: AppContext, actor: Actor, code: str, data: ResultSettingsIn) -> dict[str, Any]:
    """Change them (office of the locality; audited as ``locality.settings``)."""
    require_role(actor, OFFICE_ROLES, "change the locality's settings")
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        before = {"min_turnout_percent": locality.min_turnout_percent, "result_decimals": locality.result_decimals}
        locality.min_turnout_percent = data.min_turnout_percent
        locality.result_decimals = data.result_decimals
        session.add(locality)
        after = {"min_turnout_percent": locality.min_turnout_percent, "result_decimals": locality.result_decimals}
        old, new = audit.changed_fields(before, after)
        if new or old:
            audit.record(
                session,
                actor,
                locality_id=locality.id,
                action="locality.settings",
                target_type="locality",
                target_id=locality.id,
                before=old,
                after=new,
            )
        return after


class TallyIn(In):
    """The tally's optional body: ``confirm_low_turnout_reason`` (up to 500 characters) lets a
    tally run although a category's turnout is below the locality's minimum."""

    confirm_low_turnout_reason: str | None = Field(default=None, max_length=REASON_MAX)
