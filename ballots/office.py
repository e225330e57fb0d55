"""What the office's console pages about accounts and turnout read (the writes are
``ballots.service``'s): a campaign of the page's locality with its evaluator categories, and the
account a slip names, by the number printed on it or by its code.

Errors are ``core.services.errors`` (English message ids, translated by the pages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import select

from ballots import codes
from ballots.service import AccountOut
from core.context import Actor, AppContext
from core.models import BallotAccount, CampaignStatus
from core.services.access import OFFICE_ROLES, require_role
from core.services.campaigns import categories_of, get_campaign_row
from core.services.errors import Invalid, NotFound

SLIP_EMPTY = "type the number printed on the slip (No.) or its code"
SLIP_UNKNOWN = "no slip in this campaign has the number or code {slip}"
_NUMBER = re.compile(r"\s*(?:no\.?|编号|#)?\s*(\d{1,10})\s*", re.IGNORECASE)


@dataclass(frozen=True)
class CampaignInfo:
    """``categories``: (id, name) in the campaign's order; ``changeable``: accounts may still be
    issued, revoked or replaced (draft or open)."""

    id: int
    name: str
    status: str
    locality_id: int
    categories: list[tuple[int, str]]

    @property
    def changeable(self) -> bool:
        return self.status in (CampaignStatus.draft, CampaignStatus.open)

    def category_name(self, category_id: int) -> str:
        """The name of one of the campaign's categories; NotFound for any other id."""
        for id_, name in self.categories:
            if id_ == category_id:
                return name
        raise NotFound("no evaluator category with id {category} in this campaign", params={"category": category_id})


def campaign_in(ctx: AppContext, actor: Actor, locality_id: int, campaign_id: int) -> CampaignInfo:
    """The campaign ``campaign_id`` if it belongs to the locality ``locality_id`` (the page's) and
    the actor is the office (or a platform admin); NotFound otherwise, Forbidden for other roles."""
    require_role(actor, OFFICE_ROLES, "manage accounts")
    with ctx.db.read() as session:
        campaign = get_campaign_row(session, actor, campaign_id)
        if campaign.locality_id != locality_id:
            raise NotFound("no campaign with id {campaign}", params={"campaign": campaign_id})
        return CampaignInfo(
            id=campaign.id,
            name=campaign.name,
            status=str(campaign.status),
            locality_id=campaign.locality_id,
            categories=[(c.id, c.name) for c in categories_of(session, campaign.id)],
        )


def find_account(ctx: AppContext, actor: Actor, campaign: CampaignInfo, typed: str) -> AccountOut:
    """The account of a slip of ``campaign``: ``typed`` is the number printed on it ("No. 123",
    "编号 123", "123": the account's id) or its code (as an evaluator types it, or the slip's URL).
    Invalid (field ``slip``) when it names none of the campaign's accounts."""
    require_role(actor, OFFICE_ROLES, "find accounts")
    typed = (typed or "").strip()
    if not typed:
        raise Invalid(SLIP_EMPTY, errors=[{"field": "slip", "message": SLIP_EMPTY}])
    names = dict(campaign.categories)
    number = _NUMBER.fullmatch(typed)
    with ctx.db.read() as session:
        query = select(BallotAccount).where(BallotAccount.campaign_id == campaign.id)
        if number:
            value = int(number.group(1))
            account = session.exec(query.where(BallotAccount.id == value)).first() if value < 2**31 else None
        else:
            code = codes.normalize(typed)
            account = (
                session.exec(query.where(BallotAccount.code_hash == ctx.keys.token_hash(code))).first()
                if code
                else None
            )
    if account is None:
        shown = typed if len(typed) <= 40 else typed[:40] + "…"
        raise Invalid(
            SLIP_UNKNOWN, params={"slip": shown}, errors=[{"field": "slip", "message": SLIP_UNKNOWN.format(slip=shown)}]
        )
    return AccountOut(
        id=account.id, category=names.get(account.category_id, "?"), status=account.status, batch=account.batch
    )
