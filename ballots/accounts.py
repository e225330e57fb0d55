"""Ballot accounts on the office's side: issuing, listing, revoking and replacing them, the
slips of a batch while its plaintext codes are held (``SLIP_HOLD``), and turnout.

Codes are stored only as HMACs; the plaintext of a batch is held encrypted for a limited time
so its slips can be printed (DESIGN section 4).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

import msgspec
from pydantic import BaseModel, Field
from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from ballots import codes
from core.context import Actor, AppContext
from core.models import (
    AccountStatus,
    Ballot,
    BallotAccount,
    BallotDraft,
    Campaign,
    CampaignCategory,
    CampaignStatus,
    SlipBatch,
)
from core.models.base import utcnow
from core.schemas.base import In, Out, Page
from core.services import audit, ballot_box, bulk
from core.services.access import ADMIN_READ_ROLES, OFFICE_ROLES, require_role
from core.services.campaigns import categories_of, get_campaign_row
from core.services.errors import Conflict, Invalid, NotFound, ServiceError
from core.services.paging import paginate

SLIP_HOLD = timedelta(hours=24)  # how long the plaintext of a batch is held for (re)printing
# The largest call: a county's whole meeting and more. The answer holds every code (about 9 MB
# of JSON for 100,000, built in well under a second); what is larger takes another call.
MAX_ACCOUNTS_PER_CALL = 100_000


class Gone(ServiceError):
    status_code = 410


class AccountsIn(In):
    category: str = Field(min_length=1, max_length=100)
    count: int = Field(ge=1, le=MAX_ACCOUNTS_PER_CALL)


class AccountOut(Out):
    id: int
    category: str
    status: str
    batch: int
    code: str | None = None  # only in the answer of the call that created it


class IssuedAccount(msgspec.Struct):
    """An account as the call that created it answers it: with its code (``XXXX-XXXX-XXXX``)."""

    id: int
    category: str
    status: str
    batch: int
    code: str


class IssuedAccounts(msgspec.Struct):
    """The answer to issuing: plain data (msgspec), 100,000 accounts are encoded at C speed."""

    batch: int
    accounts: list[IssuedAccount]


class CountsOut(BaseModel):
    issued: int = 0
    logged_in: int = 0
    drafts: int = 0
    submitted: int = 0
    valid: int = 0
    invalid: int = 0
    revoked: int = 0
    turnout: float = 0.0


class ProgressOut(BaseModel):
    campaign_id: int
    status: str
    categories: dict[str, CountsOut]
    total: CountsOut


# --- accounts (office) -----------------------------------------------------------------------


def _category_by_name(session: Session, campaign: Campaign, name: str) -> CampaignCategory:
    for category in categories_of(session, campaign.id):
        if category.name == name:
            return category
    raise Invalid(
        f"category: the campaign has no category {name!r}",
        errors=[{"field": "category", "message": f"unknown category {name!r}"}],
    )


def _issue(
    ctx: AppContext,
    session: Session,
    campaign: Campaign,
    category: CampaignCategory,
    count: int,
    replaces_id: int | None = None,
) -> tuple[int, list[tuple[int, str]]]:
    """Create ``count`` accounts of ``category`` as a new batch, their codes held for printing:
    ``(batch number, [(account id, code)])``. Codes come from one random buffer
    (``codes.new_codes``), rows go in by COPY / executemany with ids reserved up front, so
    100,000 take about a second; only each code's HMAC is stored."""
    # Numbered by the accounts, not the held batches: those are purged when their hold ends.
    number = (
        session.exec(select(func.max(BallotAccount.batch)).where(BallotAccount.campaign_id == campaign.id)).one() or 0
    ) + 1
    # Issuing is also when expired plaintext of the locality's other batches is dropped.
    session.execute(
        delete(SlipBatch).where(SlipBatch.locality_id == campaign.locality_id, SlipBatch.expires_at < utcnow())
    )
    table = BallotAccount.__table__
    ids = bulk.reserve_ids(session, table, count)
    fresh = codes.new_codes(count)
    token_hash = ctx.keys.token_hash
    common = {  # read once: attributes of ORM objects cost a lookup each
        "locality_id": campaign.locality_id,
        "campaign_id": campaign.id,
        "category_id": category.id,
        "status": AccountStatus.issued.value,
        "batch": number,
        "replaces_id": replaces_id,
        "created_at": utcnow(),
    }
    bulk.insert_many(
        session,
        table,
        [
            {"id": account_id, "code_hash": token_hash(code), **common}
            for account_id, code in zip(ids, fresh, strict=True)
        ],
    )
    issued = list(zip(ids, fresh, strict=True))
    session.add(
        SlipBatch(
            locality_id=campaign.locality_id,
            campaign_id=campaign.id,
            number=number,
            codes_cipher=ctx.keys.encrypt(json.dumps(issued)),
            expires_at=utcnow() + SLIP_HOLD,
        )
    )
    return number, issued


def issue_accounts(ctx: AppContext, actor: Actor, campaign_id: int, data: AccountsIn) -> IssuedAccounts:
    """Generate ``data.count`` accounts (1 to ``MAX_ACCOUNTS_PER_CALL``) of ``data.category``, in
    one transaction; the plaintext codes are in this answer only (and held for printing for
    ``SLIP_HOLD``). 404 unknown campaign, 409 campaign closed, 422 unknown category."""
    require_role(actor, OFFICE_ROLES, "issue accounts")
    with ctx.db.write() as session:
        campaign = get_campaign_row(session, actor, campaign_id, for_update=True)
        if campaign.status not in (CampaignStatus.draft, CampaignStatus.open):
            raise Conflict(f"campaign {campaign_id} is {campaign.status}; accounts can be issued only before closing")
        category = _category_by_name(session, campaign, data.category)
        number, issued = _issue(ctx, session, campaign, category, data.count)
        audit.record(
            session,
            actor,
            locality_id=campaign.locality_id,
            action="accounts.issue",
            target_type="campaign",
            target_id=campaign.id,
            after={"category": category.name, "count": data.count, "batch": number},
        )
    status, display, name = AccountStatus.issued.value, codes.display, category.name
    return IssuedAccounts(
        batch=number,
        accounts=[IssuedAccount(account_id, name, status, number, display(code)) for account_id, code in issued],
    )


def list_accounts(
    ctx: AppContext,
    actor: Actor,
    campaign_id: int,
    *,
    category: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[AccountOut]:
    """One page of a campaign's accounts, by id (``limit`` at most ``MAX_PAGE``), never the codes."""
    require_role(actor, ADMIN_READ_ROLES, "read accounts")
    with ctx.db.read() as session:
        campaign = get_campaign_row(session, actor, campaign_id, read_only=True)
        names = {c.id: c.name for c in categories_of(session, campaign.id)}
        columns = (BallotAccount.id, BallotAccount.category_id, BallotAccount.status, BallotAccount.batch)
        query = select(*columns).where(BallotAccount.campaign_id == campaign.id).order_by(col(BallotAccount.id))
        if category is not None:
            query = query.where(BallotAccount.category_id == _category_by_name(session, campaign, category).id)
        if status is not None:
            query = query.where(BallotAccount.status == status)
        return paginate(
            session,
            query,
            limit,
            offset,
            lambda _session, row: AccountOut(id=row[0], category=names[row[1]], status=row[2], batch=row[3]),
        )


def _account_in(session: Session, campaign: Campaign, account_id: int) -> BallotAccount:
    account = session.get(BallotAccount, account_id)
    if account is None or account.campaign_id != campaign.id:
        raise NotFound(f"no account with id {account_id} in campaign {campaign.id}")
    return account


def _revoke(session: Session, campaign: Campaign, account_id: int) -> BallotAccount:
    if campaign.status not in (CampaignStatus.draft, CampaignStatus.open):
        raise Conflict(f"campaign {campaign.id} is {campaign.status}; accounts can no longer change")
    account = _account_in(session, campaign, account_id)
    result = session.execute(
        update(BallotAccount)
        .where(
            BallotAccount.id == account.id,
            col(BallotAccount.status).notin_([AccountStatus.submitted, AccountStatus.revoked]),
        )
        .values(status=AccountStatus.revoked)
    )
    if result.rowcount != 1:
        session.refresh(account)
        raise Conflict(f"account {account_id} is {account.status}; it cannot be revoked")
    session.execute(delete(BallotDraft).where(BallotDraft.account_id == account.id))
    session.refresh(account)
    return account


def revoke_account(ctx: AppContext, actor: Actor, campaign_id: int, account_id: int) -> AccountOut:
    require_role(actor, OFFICE_ROLES, "revoke accounts")
    with ctx.db.write() as session:
        campaign = get_campaign_row(session, actor, campaign_id)
        account = _revoke(session, campaign, account_id)
        category = session.get(CampaignCategory, account.category_id)
        audit.record(
            session,
            actor,
            locality_id=campaign.locality_id,
            action="account.revoke",
            target_type="account",
            target_id=account.id,
            after={"campaign": campaign.id, "category": category.name},
        )
        return AccountOut(id=account.id, category=category.name, status=account.status, batch=account.batch)


def replace_account(ctx: AppContext, actor: Actor, campaign_id: int, account_id: int) -> AccountOut:
    """Revoke a lost slip's account and issue a new one in the same category."""
    require_role(actor, OFFICE_ROLES, "replace accounts")
    with ctx.db.write() as session:
        campaign = get_campaign_row(session, actor, campaign_id, for_update=True)
        old = _revoke(session, campaign, account_id)
        category = session.get(CampaignCategory, old.category_id)
        number, [(account_id, code)] = _issue(ctx, session, campaign, category, 1, replaces_id=old.id)
        audit.record(
            session,
            actor,
            locality_id=campaign.locality_id,
            action="account.replace",
            target_type="account",
            target_id=old.id,
            after={"new_account": account_id, "batch": number},
        )
        return AccountOut(
            id=account_id, category=category.name, status=AccountStatus.issued, batch=number, code=codes.display(code)
        )


@dataclass(frozen=True)
class Slip:
    account_id: int
    code: str
    category: str


@dataclass(frozen=True)
class SlipJob:
    campaign_name: str
    slips: list[Slip]


def purge_expired_slips(ctx: AppContext) -> int:
    """Drop the plaintext of every batch whose hold has ended (a periodic task, so codes do not
    outlive their 24 hours in a locality that prints or issues nothing more)."""
    with ctx.db.write() as session:
        return session.execute(delete(SlipBatch).where(SlipBatch.expires_at < utcnow())).rowcount


def slips_to_print(
    ctx: AppContext, actor: Actor, campaign_id: int, *, category: str | None = None, batch: int | None = None
) -> SlipJob:
    """The held codes of unused accounts, for printing. Expired batches answer 410: replace them."""
    require_role(actor, OFFICE_ROLES, "print slips")
    with ctx.db.write() as session:
        campaign = get_campaign_row(session, actor, campaign_id)
        # Purge expired plaintext in its own transaction, so an error below cannot keep it.
        session.execute(delete(SlipBatch).where(SlipBatch.campaign_id == campaign.id, SlipBatch.expires_at < utcnow()))
    with ctx.db.write() as session:
        campaign = get_campaign_row(session, actor, campaign_id)
        categories = {c.id: c.name for c in categories_of(session, campaign.id)}
        wanted_category = _category_by_name(session, campaign, category).id if category else None
        query = select(SlipBatch).where(SlipBatch.campaign_id == campaign.id).order_by(col(SlipBatch.number))
        if batch is not None:
            query = query.where(SlipBatch.number == batch)
        held = list(session.exec(query))
        if batch is not None and not held:
            exists = session.exec(
                select(BallotAccount.id).where(BallotAccount.campaign_id == campaign.id, BallotAccount.batch == batch)
            ).first()
            if exists is None:
                raise NotFound(f"campaign {campaign_id} has no batch {batch}")
            raise Gone(
                f"the codes of batch {batch} are no longer held (they are kept for "
                f"{SLIP_HOLD.total_seconds() / 3600:.0f} hours); replace its accounts to print new slips"
            )
        pairs: list[tuple[int, str]] = []
        for row in held:
            pairs.extend((int(a), str(c)) for a, c in json.loads(ctx.keys.decrypt(row.codes_cipher)))
        if not pairs:
            raise Gone("no codes are held for printing; issue or replace accounts to print new slips")
        accounts = {
            a.id: a for a in session.exec(select(BallotAccount).where(col(BallotAccount.id).in_([a for a, _ in pairs])))
        }
        slips = [
            Slip(account_id=a, code=code, category=categories[accounts[a].category_id])
            for a, code in pairs
            if accounts[a].status == AccountStatus.issued
            and (wanted_category is None or accounts[a].category_id == wanted_category)
        ]
        if not slips:
            raise Gone(
                "nothing to print: the held accounts of this selection are all used or revoked; "
                "issue or replace accounts to print new slips"
            )
        audit.record(
            session,
            actor,
            locality_id=campaign.locality_id,
            action="slips.print",
            target_type="campaign",
            target_id=campaign.id,
            after={"category": category, "batch": batch, "slips": len(slips)},
        )
        return SlipJob(campaign_name=campaign.name, slips=slips)


# --- turnout ---------------------------------------------------------------------------------


def progress(ctx: AppContext, actor: Actor, campaign_id: int) -> ProgressOut:
    require_role(actor, ADMIN_READ_ROLES, "read campaign progress")
    with ctx.db.read() as session:
        campaign = get_campaign_row(session, actor, campaign_id, read_only=True)
        categories = categories_of(session, campaign.id)
        by_status: dict[int, Counter] = defaultdict(Counter)
        for category_id, status, count in session.exec(
            select(BallotAccount.category_id, BallotAccount.status, func.count())
            .where(BallotAccount.campaign_id == campaign.id)
            .group_by(BallotAccount.category_id, BallotAccount.status)
        ):
            by_status[category_id][status] = count
        by_validity: dict[int, Counter] = defaultdict(Counter)
        for category_id, valid, count in session.exec(
            select(Ballot.category_id, Ballot.valid, func.count())
            .where(Ballot.campaign_id == campaign.id)
            .group_by(Ballot.category_id, Ballot.valid)
        ):
            by_validity[category_id][bool(valid)] += count
        # Ballots still in the ballot box (the campaign is open, or its close is still moving them).
        for (category_id, valid), count in ballot_box.staged_counts(session, ctx.keys, campaign.id).items():
            by_validity[category_id][valid] += count

    def counts(statuses: Counter, validity: Counter) -> CountsOut:
        issued = sum(statuses.values())
        revoked = statuses[AccountStatus.revoked]
        submitted = statuses[AccountStatus.submitted]
        active = issued - revoked
        return CountsOut(
            issued=issued,
            revoked=revoked,
            submitted=submitted,
            logged_in=statuses[AccountStatus.logged_in] + statuses[AccountStatus.draft] + submitted,
            drafts=statuses[AccountStatus.draft],
            valid=validity[True],
            invalid=validity[False],
            turnout=round(submitted / active, 4) if active else 0.0,
        )

    total_status: Counter = Counter()
    total_valid: Counter = Counter()
    result = {}
    for category in categories:
        result[category.name] = counts(by_status[category.id], by_validity[category.id])
        total_status.update(by_status[category.id])
        total_valid.update(by_validity[category.id])
    return ProgressOut(
        campaign_id=campaign.id, status=campaign.status, categories=result, total=counts(total_status, total_valid)
    )
