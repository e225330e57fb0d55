"""Paper ballots (网下测评): the office enters a filled-in paper ballot against the code printed
on its slip, which then counts as used.

A paper ballot goes through the phone's path (``ballots.service.submit``): the same checks (the
code is this campaign's, not used, not revoked; the campaign is open; every subject rated on
every indicator; the distribution policies), the same sealed ballot box, so it is as
unlinkable from its code as a phone ballot (README, "Ballot secrecy").

A locality may ask for a **double entry** (the ballots plugin's option ``paper_double_entry``):
the first clerk's entry then waits in ``paper_entries``, sealed exactly like a draft (nothing of
what it says is readable in the database), until a different clerk enters the same slip again.
Equal: the ballot is submitted. Different: nothing is counted, the first entry is dropped and
the error names the differing positions; both clerks enter the slip again. A first entry of a
campaign that is no longer open is deleted (``discard_stale``, every 10 minutes).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from ballots import codes, service
from core.context import Actor, AppContext
from core.models import BallotAccount, Campaign, CampaignStatus, LocalityPlugin, PaperEntry
from core.models.base import utcnow
from core.services import audit, ballot_box
from core.services.access import OFFICE_ROLES, require_role
from core.services.campaigns import categories_of, get_campaign_row
from core.services.errors import Conflict, Forbidden, Invalid, NotFound
from core.services.templates import indicator_tree, load_indicators

PLUGIN = "ballots"
logger = logging.getLogger(__name__)
COMMENT_POSITION = 0  # a difference in the comment, not in a rated item


@dataclass(frozen=True)
class Difference:
    """One place where the second entry differs from the first: a rated item (positions from
    1, as printed on the paper ballot) or, with ``subject_position == 0``, the comment."""

    subject_position: int
    subject: str
    indicator_position: int
    indicator: str
    indicator_name: str
    subject_id: int = 0

    def describe(self) -> str:
        if self.subject_position == COMMENT_POSITION:
            return "the comment"
        return (
            f"subject {self.subject_position} ({self.subject}), indicator {self.indicator_position} "
            f"({self.indicator_name})"
        )


class Mismatch(Conflict):
    """The second entry differs from the first (409); ``differences`` says where."""

    def __init__(self, differences: list[Difference]):
        super().__init__(
            "the second entry differs from the first at {places}. Nothing was counted: check the "
            "paper ballot, then enter it twice again",
            params={"places": "; ".join(d.describe() for d in differences)},
            errors=[
                {
                    "field": f"g:{d.subject_id}:{d.indicator}" if d.subject_position else "comment",
                    "message": "differs from the first entry",
                }
                for d in differences
            ],
        )
        self.differences = differences


@dataclass(frozen=True)
class PaperOut:
    """``status``: ``submitted`` (counted, ``valid`` and ``reason`` as a phone ballot's receipt)
    or ``waiting`` (a first entry, waiting for the second clerk)."""

    status: str
    category: str
    valid: bool | None = None
    reason: str | None = None


@dataclass(frozen=True)
class _Checked:
    ballot: service.BallotSession
    locality_id: int
    category: str
    double: bool
    triples: list[tuple[int, int, int]]
    items: list[dict[str, Any]]
    sheet: service.BallotSheet


def double_entry(session: Session, locality_id: int) -> bool:
    """Whether the locality asks for a second clerk's entry (the ballots plugin's options)."""
    row = session.get(LocalityPlugin, (locality_id, PLUGIN))
    return bool(row and (row.options or {}).get("paper_double_entry"))


def _campaign_row(campaign: Campaign) -> service.CampaignRow:
    return service.CampaignRow(
        id=campaign.id,
        locality_id=campaign.locality_id,
        name=campaign.name,
        kind=campaign.kind,
        status=campaign.status,
        opens_at=campaign.opens_at,
        closes_at=campaign.closes_at,
        created_at=campaign.created_at,
        distribution=campaign.distribution or [],
    )


def paper_form(ctx: AppContext, actor: Actor, campaign_id: int) -> dict[str, Any]:
    """What the paper-ballot page shows: the campaign (``id``, ``name``, ``status``), whether a
    double entry is asked for, how many first entries wait, and per evaluator category the
    ballot as the phone shows it (``subjects``, ``indicators`` tree, ``grades``). 403 for a
    role other than office or platform admin, 404 for another locality's campaign."""
    require_role(actor, OFFICE_ROLES, "enter paper ballots")
    with ctx.db.read() as session:
        campaign = get_campaign_row(session, actor, campaign_id)
        row = _campaign_row(campaign)
        categories = []
        for category in categories_of(session, campaign.id):
            sheet = service._sheet(session, row, category.id)
            tree = indicator_tree(load_indicators(session, sheet.template_id))
            categories.append(
                {
                    "id": category.id,
                    "name": category.name,
                    "subjects": [dict(s) for s in sheet.subjects],
                    "indicators": [_strip(n) for n in tree if n.kind == "graded"],
                    "grades": list(sheet.grades),
                }
            )
        waiting = session.execute(
            select(func.count()).select_from(PaperEntry).where(PaperEntry.campaign_id == campaign.id)
        ).scalar_one()
        return {
            "campaign": {
                "id": campaign.id,
                "name": campaign.name,
                "status": campaign.status,
                "locality_id": campaign.locality_id,
            },
            "double_entry": double_entry(session, campaign.locality_id),
            "waiting": waiting,
            "categories": categories,
        }


def _strip(node) -> dict[str, Any]:
    return {
        "code": node.code,
        "name": node.name,
        "kind": node.kind,
        "standard": node.standard,
        "overall": node.overall,
        "children": [_strip(c) for c in node.children if c.kind == "graded"],
    }


def _check(
    ctx: AppContext,
    actor: Actor,
    campaign_id: int,
    code: str,
    data: service.BallotIn,
    category_id: int | None,
    locality_id: int | None,
) -> _Checked:
    require_role(actor, OFFICE_ROLES, "enter paper ballots")
    try:
        parsed = codes.parse(code)
    except codes.CodeFormError as exc:
        raise Invalid(exc.message, params=exc.params, errors=[{"field": "code", "message": str(exc)}]) from None
    with ctx.db.read() as session:
        campaign = get_campaign_row(session, actor, campaign_id)
        if locality_id is not None and campaign.locality_id != locality_id:
            raise NotFound(f"no campaign with id {campaign_id}")
        if campaign.status != CampaignStatus.open:
            raise Conflict("this campaign is not open: paper ballots are entered while it is open")
        account = (
            session.execute(
                select(BallotAccount).where(
                    BallotAccount.code_hash == ctx.keys.token_hash(parsed), BallotAccount.campaign_id == campaign.id
                )
            )
            .scalars()
            .first()
        )
        if account is None:
            raise Invalid(
                "no account of this campaign has the code {code}: check the code on the slip",
                params={"code": codes.display(parsed)},
                errors=[{"field": "code", "message": "not a code of this campaign"}],
            )
        service._check_account(account)
        if category_id is not None and account.category_id != category_id:
            category = next((c.name for c in categories_of(session, campaign.id) if c.id == account.category_id), "")
            raise Invalid(
                "the code {code} belongs to evaluator category {category}: enter it on that category's form",
                params={"code": codes.display(parsed), "category": category},
                errors=[{"field": "code", "message": "another category's code"}],
            )
        ballot = service.BallotSession(account_id=account.id, campaign_id=campaign.id, nonce=secrets.token_hex(16))
        bc = service._load(session, ballot)  # the campaign is open, the account may vote
        triples = service._check_items(bc, data, complete=True)
        service._verdict(bc, service._policies(session, bc), triples)  # a refusing policy: 422 now
        return _Checked(
            ballot=ballot,
            locality_id=campaign.locality_id,
            category=bc.sheet.category_name,
            double=double_entry(session, campaign.locality_id),
            triples=triples,
            items=[{"subject_id": i.subject_id, "indicator": i.indicator, "grade": i.grade} for i in data.items],
            sheet=bc.sheet,
        )


def _differences(
    sheet: service.BallotSheet, first: tuple[list[dict[str, Any]], str], second: service.BallotIn
) -> list[Difference]:
    before = {(i["subject_id"], i["indicator"]): i["grade"] for i in first[0]}
    after = {(i.subject_id, i.indicator): i.grade for i in second.items}
    names = {leaf: leaf for leaf in sheet.leaves}
    if sheet.template is not None:
        names.update({i.code: i.name for i in sheet.template.indicators})
    found = []
    for s_pos, subject in enumerate(sheet.subjects, start=1):
        for i_pos, leaf in enumerate(sheet.leaves, start=1):
            key = (subject["id"], leaf)
            if before.get(key) != after.get(key):
                found.append(Difference(s_pos, subject["name"], i_pos, leaf, names[leaf], subject["id"]))
    if first[1].strip() != second.comment.strip():
        found.append(Difference(COMMENT_POSITION, "", 0, "", ""))
    return found


def _audit(ctx: AppContext, actor: Actor, checked: _Checked, stage: str) -> None:
    with ctx.db.write() as session:
        audit.record(
            session,
            actor,
            locality_id=checked.locality_id,
            action="paper_ballot.entered",
            target_type="ballot_account",
            target_id=checked.ballot.account_id,
            after={"stage": stage},
        )


async def enter(
    ctx: AppContext,
    actor: Actor,
    campaign_id: int,
    code: str,
    data: service.BallotIn,
    *,
    category_id: int | None = None,
    locality_id: int | None = None,
) -> PaperOut:
    """Enter one paper ballot: ``code`` as printed on its slip (any form the phone accepts),
    ``data`` its items and comment, ``category_id`` the evaluator category whose form was
    filled in (a code of another category is refused), ``locality_id`` the locality the page
    shows (another's campaign is 404). Without a double entry, or as a
    matching second entry, the ballot is submitted like a phone's (``PaperOut.status ==
    "submitted"``); a first entry answers ``"waiting"``.

    Errors: 403 role, or a revoked code; 404 another locality's campaign; 409 a used code, a
    campaign not open, the same clerk's second entry, ``Mismatch`` (nothing counted, the first
    entry dropped); 422 a code of another campaign or category, a missing or unknown item, a
    policy that refuses the ballot."""
    from anyio import to_thread

    checked = await to_thread.run_sync(_check, ctx, actor, campaign_id, code, data, category_id, locality_id)
    if not checked.double:
        result = await service.submit(ctx, checked.ballot, data)
        await to_thread.run_sync(_audit, ctx, actor, checked, "single")
        return PaperOut(status="submitted", category=checked.category, valid=result.valid, reason=result.reason)
    second = await to_thread.run_sync(_first_or_compare, ctx, actor, checked, data)
    if not second:
        return PaperOut(status="waiting", category=checked.category)
    result = await service.submit(ctx, checked.ballot, data)
    await to_thread.run_sync(_drop_entry, ctx, actor, checked)
    return PaperOut(status="submitted", category=checked.category, valid=result.valid, reason=result.reason)


def _first_or_compare(ctx: AppContext, actor: Actor, checked: _Checked, data: service.BallotIn) -> bool:
    """Store a first entry (False), or check a second one against it (True when equal)."""
    account_id, campaign_id = checked.ballot.account_id, checked.ballot.campaign_id
    if actor.user_id is None:
        raise Forbidden("a double entry is made by signed-in clerks")
    differences: list[Difference] = []
    with ctx.db.write() as session:
        # Again inside the transaction: a matching second entry may have been counted meanwhile
        # (it drops the first entry after submitting), and this one must not start a new pair.
        service._check_account(session.get(BallotAccount, account_id))
        entry = (
            session.execute(select(PaperEntry).where(PaperEntry.account_id == account_id).with_for_update())
            .scalars()
            .first()
        )
        if entry is None:
            session.add(
                PaperEntry(
                    account_id=account_id,
                    locality_id=checked.locality_id,
                    campaign_id=campaign_id,
                    clerk_id=actor.user_id,
                    created_at=utcnow(),
                    sealed=ballot_box.seal_draft(ctx.keys, campaign_id, account_id, checked.items, data.comment),
                )
            )
            session.flush()
            audit.record(
                session,
                actor,
                locality_id=checked.locality_id,
                action="paper_ballot.entered",
                target_type="ballot_account",
                target_id=account_id,
                after={"stage": "first"},
            )
            return False
        if entry.clerk_id == actor.user_id:
            raise Conflict("you made the first entry of this slip: a different clerk must make the second entry")
        try:
            first = ballot_box.open_draft(ctx.keys, campaign_id, account_id, entry.sealed)
        except ballot_box.SealError:
            first = ([], "")  # sealed under another secret key: it differs everywhere
        differences = _differences(checked.sheet, first, data)
        if differences:
            session.delete(entry)
            audit.record(
                session,
                actor,
                locality_id=checked.locality_id,
                action="paper_ballot.mismatch",
                target_type="ballot_account",
                target_id=account_id,
                after={"places": len(differences)},
            )
    if differences:
        raise Mismatch(differences)
    return True


def _drop_entry(ctx: AppContext, actor: Actor, checked: _Checked) -> None:
    with ctx.db.write() as session:
        session.execute(delete(PaperEntry).where(PaperEntry.account_id == checked.ballot.account_id))
        audit.record(
            session,
            actor,
            locality_id=checked.locality_id,
            action="paper_ballot.entered",
            target_type="ballot_account",
            target_id=checked.ballot.account_id,
            after={"stage": "second"},
        )


def discard_stale(ctx: AppContext) -> int:
    """Delete the first entries of campaigns that are no longer open (never counted: the second
    clerk did not come), then leave no readable trace of deleted entries, as the ballot box's
    scrub does for drafts (``core.services.ballot_box.scrub``): a deleted entry still names its
    account and the secret key opens it. PostgreSQL rewrites the table (``VACUUM FULL``: a few
    rows, milliseconds); SQLite has zeroed the rows (``secure_delete``) and its WAL is
    checkpointed. Returns how many entries were deleted. The ballots plugin runs it every 10
    minutes."""
    with ctx.db.write() as session:
        open_ids = select(Campaign.id).where(Campaign.status == CampaignStatus.open)
        deleted = session.execute(delete(PaperEntry).where(col(PaperEntry.campaign_id).not_in(open_ids))).rowcount
    try:
        with ctx.db.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            if ctx.db.is_sqlite:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            else:
                connection.exec_driver_sql("VACUUM (FULL) paper_entries")
    except Exception:  # noqa: BLE001 - tried again at the next run
        logger.warning("could not scrub paper_entries; it is tried again in 10 minutes", exc_info=True)
    return deleted or 0


def category_of(form: dict[str, Any], category_id: int) -> dict[str, Any]:
    """The category ``category_id`` of a ``paper_form`` (404 if the campaign has no such category)."""
    for category in form["categories"]:
        if category["id"] == category_id:
            return category
    raise NotFound(f"no evaluator category with id {category_id}")
