"""Accounts, evaluator login, drafts, submission and turnout.

The secrecy rules (DESIGN section 4): codes are stored only as HMACs; the plaintext of a
batch is held encrypted for a limited time so its slips can be printed; a cast ballot has a
random id, no link to its account and no time of its own. Submitting claims the account
with a conditional UPDATE, so a code votes once however many requests race.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import secrets
import sqlite3
import threading
import time
import weakref
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

import msgspec
from anyio import to_thread
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import (
    JSON,
    DateTime,
    Integer,
    LargeBinary,
    String,
    column,
    delete,
    func,
    text,
    update,
)
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
    CampaignSubject,
    IndicatorTemplate,
    SlipBatch,
    Subject,
)
from core.db import SQLITE_BUSY_TIMEOUT_MS
from core.models.base import utcnow
from core.schemas.base import In, Out
from core.scoring import BallotCheck, IndicatorData, SubjectData, TemplateData
from core.services import audit, ballot_box, throttle
from core.services.access import ADMIN_READ_ROLES, OFFICE_ROLES, require_role
from core.services.campaigns import as_utc, categories_of, get_campaign_row
from core.services.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    ServiceError,
    Unauthorized,
)
from core.services.plugins import policies_for
from core.services.templates import graded_leaves, indicator_tree, load_indicators

SLIP_HOLD = timedelta(hours=24)  # how long the plaintext of a batch is held for (re)printing
MAX_ACCOUNTS_PER_CALL = 5000
TOKEN_TTL = timedelta(hours=12)
# Wrong codes answered 401 in 15 minutes: per client network (a meeting room behind one address
# makes some typos), and from everywhere together (a wrong code names no campaign, so the
# platform stands in for it). More are answered 429; a right code is never refused (see login).
MAX_LOGIN_FAILURES_PER_CLIENT = 100
MAX_LOGIN_FAILURES_ALL = 2000
WRONG_CODE = "unknown code: check the code on your slip"
WRONG_CODE_SLOW_DOWN = ("unknown code: check the code on your slip. Too many wrong codes were typed lately: wait a few "
                        "minutes before trying another (a right code is always accepted)")
MAX_COMMENT = 2000


class Gone(ServiceError):
    status_code = 410


# --- schemas ---------------------------------------------------------------------------------


class AccountsIn(In):
    category: str = Field(min_length=1, max_length=100)
    count: int = Field(ge=1, le=MAX_ACCOUNTS_PER_CALL)


class AccountOut(Out):
    id: int
    category: str
    status: str
    batch: int
    code: str | None = None  # only in the answer of the call that created it


class IssuedAccounts(Out):
    batch: int
    accounts: list[AccountOut]


class LoginIn(In):
    code: str = Field(min_length=1, max_length=2048)  # a whole pasted slip URL is accepted


class LoginOut(Out):
    token: str
    expires_at: datetime


# The ballot body is a msgspec Struct, not a pydantic model: it is what a whole meeting posts
# at once (100+ items each), and Litestar decodes and checks a Struct in one pass of C code.
# Unknown fields are refused, as with the pydantic ``In`` models.


class ItemIn(msgspec.Struct, forbid_unknown_fields=True):
    subject_id: int
    indicator: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    grade: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]


class BallotIn(msgspec.Struct, forbid_unknown_fields=True):
    items: Annotated[list[ItemIn], msgspec.Meta(max_length=20000)] = msgspec.field(default_factory=list)
    comment: Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)] = ""


class SubmitOut(msgspec.Struct):
    status: str
    valid: bool
    reason: str | None = None


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
    raise Invalid(f"category: the campaign has no category {name!r}",
                  errors=[{"field": "category", "message": f"unknown category {name!r}"}])


def _issue(ctx: AppContext, session: Session, campaign: Campaign, category: CampaignCategory, count: int,
           replaces_id: int | None = None) -> tuple[int, list[tuple[BallotAccount, str]]]:
    # Numbered by the accounts, not the held batches: those are purged when their hold ends.
    number = (session.exec(select(func.max(BallotAccount.batch)).where(BallotAccount.campaign_id == campaign.id)).one()
              or 0) + 1
    # Issuing is also when expired plaintext of the locality's other batches is dropped.
    session.execute(delete(SlipBatch).where(SlipBatch.locality_id == campaign.locality_id,
                                            SlipBatch.expires_at < utcnow()))
    issued: list[tuple[BallotAccount, str]] = []
    for _ in range(count):
        code = codes.new_code()
        account = BallotAccount(locality_id=campaign.locality_id, campaign_id=campaign.id, category_id=category.id,
                                code_hash=ctx.keys.token_hash(code), batch=number, replaces_id=replaces_id)
        session.add(account)
        issued.append((account, code))
    session.flush()
    held = json.dumps([[account.id, code] for account, code in issued])
    session.add(SlipBatch(locality_id=campaign.locality_id, campaign_id=campaign.id, number=number,
                          codes_cipher=ctx.keys.encrypt(held), expires_at=utcnow() + SLIP_HOLD))
    return number, issued


def issue_accounts(ctx: AppContext, actor: Actor, campaign_id: int, data: AccountsIn) -> IssuedAccounts:
    """Generate ``count`` accounts; the plaintext codes are in this answer only (and held for printing)."""
    require_role(actor, OFFICE_ROLES, "issue accounts")
    with ctx.db.write() as session:
        campaign = get_campaign_row(session, actor, campaign_id, for_update=True)
        if campaign.status not in (CampaignStatus.draft, CampaignStatus.open):
            raise Conflict(f"campaign {campaign_id} is {campaign.status}; accounts can be issued only before closing")
        category = _category_by_name(session, campaign, data.category)
        number, issued = _issue(ctx, session, campaign, category, data.count)
        audit.record(session, actor, locality_id=campaign.locality_id, action="accounts.issue", target_type="campaign",
                     target_id=campaign.id, after={"category": category.name, "count": data.count, "batch": number})
        return IssuedAccounts(batch=number, accounts=[
            AccountOut(id=a.id, category=category.name, status=a.status, batch=number, code=codes.display(code))
            for a, code in issued
        ])


def list_accounts(ctx: AppContext, actor: Actor, campaign_id: int, *, category: str | None = None,
                  status: str | None = None) -> list[AccountOut]:
    require_role(actor, ADMIN_READ_ROLES, "read accounts")
    with ctx.db.read() as session:
        campaign = get_campaign_row(session, actor, campaign_id, read_only=True)
        names = {c.id: c.name for c in categories_of(session, campaign.id)}
        query = select(BallotAccount).where(BallotAccount.campaign_id == campaign.id).order_by(col(BallotAccount.id))
        if category is not None:
            query = query.where(BallotAccount.category_id == _category_by_name(session, campaign, category).id)
        if status is not None:
            query = query.where(BallotAccount.status == status)
        return [AccountOut(id=a.id, category=names[a.category_id], status=a.status, batch=a.batch)
                for a in session.exec(query)]


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
        .where(BallotAccount.id == account.id,
               col(BallotAccount.status).notin_([AccountStatus.submitted, AccountStatus.revoked]))
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
        audit.record(session, actor, locality_id=campaign.locality_id, action="account.revoke", target_type="account",
                     target_id=account.id, after={"campaign": campaign.id, "category": category.name})
        return AccountOut(id=account.id, category=category.name, status=account.status, batch=account.batch)


def replace_account(ctx: AppContext, actor: Actor, campaign_id: int, account_id: int) -> AccountOut:
    """Revoke a lost slip's account and issue a new one in the same category."""
    require_role(actor, OFFICE_ROLES, "replace accounts")
    with ctx.db.write() as session:
        campaign = get_campaign_row(session, actor, campaign_id, for_update=True)
        old = _revoke(session, campaign, account_id)
        category = session.get(CampaignCategory, old.category_id)
        number, [(account, code)] = _issue(ctx, session, campaign, category, 1, replaces_id=old.id)
        audit.record(session, actor, locality_id=campaign.locality_id, action="account.replace", target_type="account",
                     target_id=old.id, after={"new_account": account.id, "batch": number})
        return AccountOut(id=account.id, category=category.name, status=account.status, batch=number,
                          code=codes.display(code))


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


def slips_to_print(ctx: AppContext, actor: Actor, campaign_id: int, *, category: str | None = None,
                   batch: int | None = None) -> SlipJob:
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
            exists = session.exec(select(BallotAccount.id).where(BallotAccount.campaign_id == campaign.id,
                                                                 BallotAccount.batch == batch)).first()
            if exists is None:
                raise NotFound(f"campaign {campaign_id} has no batch {batch}")
            raise Gone(f"the codes of batch {batch} are no longer held (they are kept for "
                       f"{SLIP_HOLD.total_seconds() / 3600:.0f} hours); replace its accounts to print new slips")
        pairs: list[tuple[int, str]] = []
        for row in held:
            pairs.extend((int(a), str(c)) for a, c in json.loads(ctx.keys.decrypt(row.codes_cipher)))
        if not pairs:
            raise Gone("no codes are held for printing; issue or replace accounts to print new slips")
        accounts = {a.id: a for a in session.exec(select(BallotAccount).where(
            col(BallotAccount.id).in_([a for a, _ in pairs])))}
        slips = [
            Slip(account_id=a, code=code, category=categories[accounts[a].category_id])
            for a, code in pairs
            if accounts[a].status == AccountStatus.issued
            and (wanted_category is None or accounts[a].category_id == wanted_category)
        ]
        if not slips:
            raise Gone("nothing to print: the held accounts of this selection are all used or revoked; "
                       "issue or replace accounts to print new slips")
        audit.record(session, actor, locality_id=campaign.locality_id, action="slips.print", target_type="campaign",
                     target_id=campaign.id, after={"category": category, "batch": batch, "slips": len(slips)})
        return SlipJob(campaign_name=campaign.name, slips=slips)


# --- the evaluator ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotSession:
    account_id: int
    campaign_id: int
    nonce: str  # random, in the token only: keys the receipt of the ballot this session casts


def _token(ctx: AppContext, account_id: int, campaign_id: int, expires: int) -> str:
    message = f"{account_id}.{campaign_id}.{expires}.{secrets.token_hex(16)}"
    return f"{message}.{ctx.keys.sign('ballot:' + message)}"


def read_token(ctx: AppContext, token: str | None) -> BallotSession:
    """Check a ballot token's signature and expiry (the account and campaign are checked per request)."""
    parts = (token or "").split(".")
    if len(parts) != 5 or not all(p.isdigit() for p in parts[:3]) or not parts[3].isalnum():
        raise Unauthorized("sign in with the code on your slip first")
    message = ".".join(parts[:4])
    if not hmac.compare_digest(parts[4], ctx.keys.sign("ballot:" + message)) or int(parts[2]) < time.time():
        raise Unauthorized("your ballot session has expired; sign in with your code again")
    return BallotSession(account_id=int(parts[0]), campaign_id=int(parts[1]), nonce=parts[3])


def _check_open(campaign: Campaign) -> None:
    now = utcnow()
    if campaign.status != CampaignStatus.open:
        raise Conflict("this evaluation is closed" if campaign.status != CampaignStatus.draft
                       else "this evaluation has not started yet")
    opens_at, closes_at = as_utc(campaign.opens_at), as_utc(campaign.closes_at)
    # The times are values, not text: each reader sees them in the locality's time zone and
    # language ("本次测评将于2026年12月1日 09:00开始。").
    if opens_at and now < opens_at:
        raise Conflict("this evaluation opens at {opens_at}", params={"opens_at": opens_at})
    if closes_at and now >= closes_at:
        raise Conflict("this evaluation closed at {closes_at}", params={"closes_at": closes_at})


def _check_account(account: BallotAccount) -> None:
    if account.status == AccountStatus.revoked:
        raise Forbidden("this code has been revoked")
    if account.status == AccountStatus.submitted:
        raise Conflict("this code has already been used to submit a ballot")


def login_limits(client: str) -> list[throttle.Limit]:
    return [throttle.Limit(f"ballot-client:{throttle.client_network(client)}", MAX_LOGIN_FAILURES_PER_CLIENT),
            throttle.Limit("ballot-all", MAX_LOGIN_FAILURES_ALL)]


def wrong_code(ctx: AppContext, client: str) -> ServiceError:
    """The answer to a well-formed code that matches no account, counted as a guess."""
    wait = throttle.charge(ctx, login_limits(client))
    if wait is None:
        return Unauthorized(WRONG_CODE)
    return RateLimited(WRONG_CODE_SLOW_DOWN, retry_after=wait)


def login(ctx: AppContext, typed_code: str, client: str) -> LoginOut:
    """Exchange a code for a ballot token.

    The code is looked up first: a right code always signs in, whatever wrong codes came from
    the same address before (one typist or attacker in a meeting room never locks the room out).
    Only wrong codes are counted: per client network (``MAX_LOGIN_FAILURES_PER_CLIENT``) and
    from everywhere together (``MAX_LOGIN_FAILURES_ALL``; a wrong code names no campaign). Past
    either limit a wrong code is answered 429 with ``Retry-After`` instead of 401 and is no
    longer written down (a flood costs reads only). A 429 still tells a guesser that the code
    was wrong (a right one would have signed in): what keeps guessing hopeless is the 60-bit
    code space, not the limit (README, "Guessing codes").

    A real code refused because it was used, revoked or its campaign is closed is not a guess,
    and is not counted: a meeting room scans its used slips again. Nor does what cannot be a
    code at all (after NFKC, dashes and spaces: not 12 characters of the alphabet): a fault of
    form, answered 422 with what is wrong with it, before anything is looked up."""
    try:
        code = codes.parse(typed_code)
    except codes.CodeFormError as exc:
        raise Invalid(exc.message, params=exc.params, errors=[{"field": "code", "message": str(exc)}]) from None
    with ctx.db.read() as session:
        row = session.exec(
            select(BallotAccount, Campaign).join(Campaign, Campaign.id == BallotAccount.campaign_id)
            .where(BallotAccount.code_hash == ctx.keys.token_hash(code))
        ).first()
    if row is None:
        raise wrong_code(ctx, client)
    account, campaign = row
    _check_account(account)
    _check_open(campaign)
    if account.status == AccountStatus.issued:
        with ctx.db.write() as session:
            session.execute(update(BallotAccount).where(BallotAccount.id == account.id,
                                                        BallotAccount.status == AccountStatus.issued)
                            .values(status=AccountStatus.logged_in))
    expires_at = utcnow() + TOKEN_TTL
    closes_at = as_utc(campaign.closes_at)
    if closes_at and closes_at < expires_at:
        expires_at = closes_at
    return LoginOut(token=_token(ctx, account.id, campaign.id, int(expires_at.timestamp())), expires_at=expires_at)


@dataclass(frozen=True)
class BallotSheet:
    """What a category of an open campaign votes on. It cannot change while the campaign is
    open (subjects, categories and templates are frozen), so each process keeps it in a small
    cache; account and campaign status are read fresh on every request."""

    category_name: str
    template_id: int
    subjects: tuple[dict[str, Any], ...]  # id, name, kind, category
    leaves: dict[str, int]  # graded leaf code -> indicator id, in tree order
    grades: tuple[str, ...]
    template: TemplateData | None = None  # for distribution policies (hidden scores: never shown)
    subject_data: tuple[SubjectData, ...] = ()


@dataclass(frozen=True)
class AccountRow:
    id: int
    status: str
    category_id: int
    receipt: bytes | None = None


@dataclass(frozen=True)
class CampaignRow:
    id: int
    locality_id: int
    name: str
    kind: str
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    created_at: datetime
    distribution: list = field(default_factory=list)  # [{policy, options}]


@dataclass
class BallotContext:
    account: AccountRow
    campaign: CampaignRow
    sheet: BallotSheet

    @property
    def subject_ids(self) -> list[int]:
        return [s["id"] for s in self.sheet.subjects]


_SHEETS: OrderedDict[tuple, BallotSheet] = OrderedDict()
_SHEETS_LOCK = threading.Lock()
_SHEETS_MAX = 256


def _sheet_key(url: Any, campaign: CampaignRow, category_id: int) -> tuple:
    # Keyed by database, campaign (with its creation time: ids restart in a new database) and category.
    return (str(url), campaign.id, as_utc(campaign.created_at), category_id)


def _cached_sheet(key: tuple) -> BallotSheet | None:
    with _SHEETS_LOCK:
        sheet = _SHEETS.get(key)
        if sheet is not None:
            _SHEETS.move_to_end(key)
        return sheet


def _sheet(session: Session, campaign: CampaignRow, category_id: int) -> BallotSheet:
    key = _sheet_key(session.get_bind().engine.url, campaign, category_id)
    sheet = _cached_sheet(key)
    if sheet is not None:
        return sheet
    category = session.get(CampaignCategory, category_id)
    template = session.get(IndicatorTemplate, category.template_id)
    query = (select(Subject).join(CampaignSubject, CampaignSubject.subject_id == Subject.id)
             .where(CampaignSubject.campaign_id == campaign.id).order_by(col(Subject.id)))
    if category.subject_categories:
        query = query.where(col(Subject.category).in_(category.subject_categories))
    subjects = list(session.exec(query))
    indicators = load_indicators(session, template.id)
    sheet = BallotSheet(
        category_name=category.name, template_id=template.id,
        subjects=tuple({"id": s.id, "name": s.name, "kind": s.kind, "category": s.category} for s in subjects),
        leaves={i.code: i.id for i in graded_leaves(indicators)},
        grades=tuple(g["label"] for g in template.grade_scale),
        template=TemplateData(
            id=template.id, grades=tuple((g["label"], float(g["score"])) for g in template.grade_scale),
            indicators=tuple(IndicatorData(id=i.id, code=i.code, name=i.name, parent_id=i.parent_id, kind=i.kind,
                                           weight=i.weight, max_score=i.max_score, overall=i.overall)
                             for i in indicators)),
        subject_data=tuple(SubjectData(id=s.id, name=s.name, kind=s.kind, ref_id=s.ref_id, category=s.category)
                           for s in subjects),
    )
    if campaign.status == CampaignStatus.open:
        with _SHEETS_LOCK:
            _SHEETS[key] = sheet
            while len(_SHEETS) > _SHEETS_MAX:
                _SHEETS.popitem(last=False)
    return sheet


# The statements of the hot path (a meeting submitting at once), written once as SQL: building
# and caching ORM statements per request cost more than the work they do.
_LOAD_SQL = text(
    "SELECT a.id, a.status, a.category_id, c.id, c.locality_id, c.name, c.kind, c.status, c.opens_at, c.closes_at,"
    " c.created_at, c.distribution, a.receipt"
    " FROM ballot_accounts a JOIN campaigns c ON c.id = a.campaign_id WHERE a.id = :account_id"
).columns(
    column("a_id", Integer), column("a_status", String), column("category_id", Integer), column("c_id", Integer),
    column("locality_id", Integer), column("name", String), column("kind", String), column("c_status", String),
    column("opens_at", DateTime(timezone=True)), column("closes_at", DateTime(timezone=True)),
    column("created_at", DateTime(timezone=True)), column("distribution", JSON), column("receipt", LargeBinary),
)


def _rows(ballot: BallotSession, row: Any, *, replayable: bool = False) -> tuple[AccountRow, CampaignRow]:
    """The account and campaign of a ``_LOAD_SQL`` row, checked: 401, 403 or 409 if it may not vote.
    With ``replayable`` (submission) a used account passes unchecked: the caller compares receipts."""
    if row is None or row[3] != ballot.campaign_id:
        raise Unauthorized("sign in with the code on your slip first")
    account = AccountRow(id=row[0], status=row[1], category_id=row[2], receipt=row[12])
    campaign = CampaignRow(id=row[3], locality_id=row[4], name=row[5], kind=row[6], status=row[7], opens_at=row[8],
                           closes_at=row[9], created_at=row[10], distribution=row[11] or [])
    if replayable and account.status == AccountStatus.submitted:
        return account, campaign
    _check_account(account)
    _check_open(campaign)
    return account, campaign


def _load(session: Session, ballot: BallotSession) -> BallotContext:
    account, campaign = _rows(ballot, session.execute(_LOAD_SQL, {"account_id": ballot.account_id}).first())
    return BallotContext(account=account, campaign=campaign, sheet=_sheet(session, campaign, account.category_id))


def _policies(session: Session, bc: BallotContext) -> list[tuple[Any, Any]]:
    """The campaign's distribution policies with their options, loaded only when it names some.
    A policy the locality no longer provides is skipped (disabling one used by an open
    campaign is refused, see core.services.plugins.set_plugin)."""
    if not bc.campaign.distribution:
        return []
    available = policies_for(session, bc.campaign.locality_id)
    chosen = []
    for entry in bc.campaign.distribution:
        policy = available.get(entry.get("policy"))
        if policy is not None:
            try:
                chosen.append((policy, policy.options_model.model_validate(entry.get("options") or {})))
            except ValidationError:  # checked when the campaign is saved: a stored error is the office's to fix
                raise Conflict(f"the options of policy {policy.name} of this campaign are not valid; "
                               "ask the organisers") from None
    return chosen


def _caps(bc: BallotContext, policies: list[tuple[Any, Any]]) -> list[dict[str, Any]]:
    """What the ballot page counts as the evaluator picks (e.g. 优秀 2/3)."""
    caps = []
    for policy, options in policies:
        caps_of = getattr(policy, "caps", None)
        if caps_of is None or bc.sheet.template is None:
            continue
        for cap in caps_of(bc.sheet.template, list(bc.sheet.subject_data), options):
            caps.append({key: cap.get(key) for key in ("grade", "indicator", "indicator_name", "scope", "category",
                                                      "subject_ids", "total", "allowed", "action")})
    return caps


def _verdict(bc: BallotContext, policies: list[tuple[Any, Any]],
             triples: list[tuple[int, int, int]]) -> tuple[bool, str | None]:
    """Run the per-ballot policies: 422 for a refusing one, else (valid, reason)."""
    if not policies:
        return True, None
    check = BallotCheck(campaign_id=bc.campaign.id, category=bc.sheet.category_name, template=bc.sheet.template,
                        subjects=list(bc.sheet.subject_data), grades={(s, i): g for s, i, g in triples})
    reasons = []
    for policy, options in policies:
        verdict = policy.check_ballot(check, options)
        if verdict is None or verdict.valid:
            continue
        reason = verdict.reason or f"the ballot breaks {policy.name}"
        if verdict.reject:
            raise Invalid(reason, errors=[{"field": "items", "message": reason}])
        reasons.append(reason)
    return (False, "; ".join(reasons)) if reasons else (True, None)


def view(ctx: AppContext, ballot: BallotSession) -> dict[str, Any]:
    """The ballot as the evaluator sees it: labels only, never the hidden scores."""
    with ctx.db.read() as session:
        bc = _load(session, ballot)
        caps = _caps(bc, _policies(session, bc))
        draft = _read_draft(ctx, session.get(BallotDraft, bc.account.id))
        tree = indicator_tree(load_indicators(session, bc.sheet.template_id))

    def strip(node) -> dict[str, Any]:
        return {"code": node.code, "name": node.name, "kind": node.kind, "standard": node.standard,
                "overall": node.overall, "children": [strip(c) for c in node.children if c.kind == "graded"]}

    return {
        "campaign": {"id": bc.campaign.id, "name": bc.campaign.name, "kind": bc.campaign.kind,
                     "closes_at": as_utc(bc.campaign.closes_at)},
        "category": bc.sheet.category_name,
        "status": bc.account.status,
        "subjects": [dict(s) for s in bc.sheet.subjects],
        "indicators": [strip(n) for n in tree if n.kind == "graded"],
        "leaves": list(bc.sheet.leaves),
        "grades": list(bc.sheet.grades),
        "draft": {"items": draft[0], "comment": draft[1]} if draft else None,
        "caps": caps,
    }


def _check_items(bc: BallotContext, data: BallotIn, *, complete: bool) -> list[tuple[int, int, int]]:
    """Validate items against the ballot; return (subject_id, indicator_id, grade index) triples."""
    sheet = bc.sheet
    subject_ids = set(bc.subject_ids)
    grade_index = {label: i for i, label in enumerate(sheet.grades)}
    errors: list[dict[str, str]] = []
    seen: set[tuple[int, str]] = set()
    triples: list[tuple[int, int, int]] = []
    for index, item in enumerate(data.items):
        where = f"items[{index}]"
        if item.subject_id not in subject_ids:
            errors.append({"field": f"{where}.subject_id", "message": f"subject {item.subject_id} is not on this ballot"})
            continue
        if item.indicator not in sheet.leaves:
            errors.append({"field": f"{where}.indicator", "message": f"indicator {item.indicator} is not on this ballot"})
            continue
        if item.grade not in grade_index:
            errors.append({"field": f"{where}.grade", "message": f"grade must be one of {', '.join(sheet.grades)}"})
            continue
        key = (item.subject_id, item.indicator)
        if key in seen:
            errors.append({"field": where, "message": f"subject {item.subject_id}, indicator {item.indicator} twice"})
            continue
        seen.add(key)
        triples.append((item.subject_id, sheet.leaves[item.indicator], grade_index[item.grade]))
    if errors:
        raise Invalid(f"{len(errors)} item(s) are not valid", errors=errors)
    if complete:
        missing = [{"subject_id": s["id"], "subject": s["name"], "indicator": code}
                   for s in sheet.subjects for code in sheet.leaves if (s["id"], code) not in seen]
        if missing:
            raise Invalid(
                f"{len(missing)} item(s) are missing; rate every subject on every indicator",
                errors=[{"field": f"subject {m['subject_id']} ({m['subject']}), indicator {m['indicator']}",
                         "message": "missing"} for m in missing],
            )
    return triples


def save_draft(ctx: AppContext, ballot: BallotSession, data: BallotIn) -> dict[str, Any]:
    with ctx.db.write() as session:
        bc = _load(session, ballot)
        _check_items(bc, data, complete=False)
        items = [{"subject_id": i.subject_id, "indicator": i.indicator, "grade": i.grade} for i in data.items]
        draft = session.get(BallotDraft, bc.account.id)
        if draft is None:
            draft = BallotDraft(account_id=bc.account.id, locality_id=bc.campaign.locality_id,
                                campaign_id=bc.campaign.id)
        draft.sealed = ballot_box.seal_draft(ctx.keys, bc.campaign.id, bc.account.id, items, data.comment)
        draft.items, draft.comment, draft.updated_at = [], "", utcnow()
        session.add(draft)
        session.execute(update(BallotAccount).where(
            BallotAccount.id == bc.account.id,
            col(BallotAccount.status).in_([AccountStatus.issued, AccountStatus.logged_in]),
        ).values(status=AccountStatus.draft))
        return {"status": "draft", "items": len(items)}


def _read_draft(ctx: AppContext, draft: BallotDraft | None) -> tuple[list[dict[str, Any]], str] | None:
    """A draft's (items, comment): sealed ones opened; one saved before sealing existed as stored."""
    if draft is None:
        return None
    if draft.sealed is None:
        return list(draft.items), draft.comment
    try:
        return ballot_box.open_draft(ctx.keys, draft.campaign_id, draft.account_id, draft.sealed)
    except ballot_box.SealError:  # sealed under another secret key: the evaluator starts again
        return None


def _receipt(ctx: AppContext, ballot: BallotSession, triples: list[tuple[int, int, int]], comment: str) -> bytes:
    return ctx.keys.receipt(ballot.nonce, msgspec.msgpack.encode([sorted(triples), comment]))


def _replay(ctx: AppContext, ballot: BallotSession, bc: BallotContext, policies: list[tuple[Any, Any]],
            data: BallotIn, stored: bytes | None) -> SubmitOut:
    """A submission from a used account: the same ballot again from the session that cast it (a
    double click, a reload, a retried request) gets the answer it got then; anything else 409."""
    try:
        triples = _check_items(bc, data, complete=True)
        valid, reason = _verdict(bc, policies, triples)
    except Invalid:
        triples = None
    if triples is None or stored is None or not hmac.compare_digest(bytes(stored),
                                                                    _receipt(ctx, ballot, triples, data.comment)):
        raise Conflict("this code has already been used to submit a ballot")
    return SubmitOut(status="submitted", valid=valid, reason=reason)


def _submit_sqlite_waiting(ctx: AppContext, ballot: BallotSession, data: BallotIn) -> SubmitOut:
    """The SQLite submission in a thread, waiting for the write lock as any write does (when
    another process has held it for long)."""
    prepared = None
    while True:
        result = _submit_sqlite(ctx, ballot, data, wait=True, prepared=prepared)
        if not isinstance(result, _NeedsSheet):
            return result
        prepared = _prepare(ctx, result.account, result.campaign)


def _refuse_claim(status: str) -> None:
    if status == AccountStatus.revoked:
        raise Forbidden("this code has been revoked")
    raise Conflict("this code has already been used to submit a ballot")


def _claim_lost(status: str, stored: bytes | None, receipt: bytes, valid: bool, reason: str | None) -> SubmitOut:
    """The claim found the account used: a racing copy of this very ballot (a double click) won,
    and this one gets the same answer; else 403/409."""
    if status == AccountStatus.submitted and stored is not None and hmac.compare_digest(bytes(stored), receipt):
        return SubmitOut(status="submitted", valid=valid, reason=reason)
    _refuse_claim(status)


async def submit(ctx: AppContext, ballot: BallotSession, data: BallotIn) -> SubmitOut:
    """Cast the ballot, once, in one transaction: claim the account with a conditional UPDATE,
    write the ballot and its items, drop the draft. For the event loop (the JSON API and the
    /b/ pages): what a meeting submitting at once goes through.

    The work is a few statements of well under a millisecond, so handing each request to a
    thread (and the threads fighting over the GIL) costs more than the work. On SQLite the
    transaction runs on the loop whenever the write lock is free at once; while another thread
    or process holds it, this process's submissions queue on an asyncio lock and the first one
    retries (the loop is never blocked). On PostgreSQL it is one statement on an asyncio
    connection of psycopg."""
    if not ctx.db.is_sqlite:
        return await _submit_postgres(ctx, ballot, data)
    result = await _sqlite_batcher(ctx).submit(ballot, data)
    if isinstance(result, SubmitOut):
        return result
    prepared = None
    async with _sqlite_gate(ctx):
        delay, waited = 0.0005, 0.0
        while waited < SQLITE_BUSY_TIMEOUT_MS / 1000:
            result = _submit_sqlite(ctx, ballot, data, wait=False, prepared=prepared)
            if isinstance(result, _NeedsSheet):
                prepared = await to_thread.run_sync(_prepare, ctx, result.account, result.campaign)
            elif result is not None:
                return result
            else:
                await asyncio.sleep(delay)
                waited += delay
                delay = min(delay * 2, 0.01)
    return await to_thread.run_sync(_submit_sqlite_waiting, ctx, ballot, data)  # still locked: wait as any write


SQLITE_BATCH = 32  # ballots per group commit at most


class _SqliteBatcher:
    """Group commit on SQLite: the submissions that arrive together (a meeting) are written in
    one transaction, each in its own SAVEPOINT, so one refused ballot (401/403/409/422) is rolled
    back alone and the others are kept; every answer is sent only after the COMMIT. One commit
    and one pass over the same index pages for many ballots, instead of one each. A submission
    the batch cannot take (write lock busy, sheet not cached, distribution policies, an
    unexpected error) gets None and goes through the single path."""

    def __init__(self, ctx: AppContext, loop: asyncio.AbstractEventLoop):
        self._ctx, self._loop = ctx, loop
        self._pending: list[tuple[BallotSession, BallotIn, asyncio.Future]] = []
        self._scheduled = False

    def submit(self, ballot: BallotSession, data: BallotIn) -> asyncio.Future:
        future = self._loop.create_future()
        self._pending.append((ballot, data, future))
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._flush)
        return future

    def _flush(self) -> None:
        batch, self._pending = self._pending[:SQLITE_BATCH], self._pending[SQLITE_BATCH:]
        if self._pending:
            self._loop.call_soon(self._flush)
        else:
            self._scheduled = False
        try:
            results = _submit_sqlite_batch(self._ctx, [(b, d) for b, d, _ in batch])
        except Exception:  # noqa: BLE001 - e.g. no connection: the single path meets (and answers) it
            results = [None] * len(batch)
        for (_, _, future), result in zip(batch, results):
            if future.done():
                continue
            if isinstance(result, ServiceError):
                future.set_exception(result)
            else:
                future.set_result(result)


_SQLITE_BATCHERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _SqliteBatcher]] = \
    weakref.WeakKeyDictionary()


def _sqlite_batcher(ctx: AppContext) -> _SqliteBatcher:
    loop = asyncio.get_running_loop()
    batchers = _SQLITE_BATCHERS.setdefault(loop, {})
    batcher = batchers.get(ctx.db.url)
    if batcher is None or batcher._ctx is not ctx:
        batcher = batchers[ctx.db.url] = _SqliteBatcher(ctx, loop)
    return batcher


def _submit_sqlite_batch(ctx: AppContext, batch: list[tuple[BallotSession, BallotIn]]) -> list[Any]:
    """One transaction for the batch: per ballot a SubmitOut, a ServiceError (its savepoint
    rolled back), or None (not written: the single path takes it). Never waits for a lock."""
    nothing: list[Any] = [None] * len(batch)
    with ctx.db.sqlite_writer(wait=False) as connection:
        if connection is None:
            return nothing
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return nothing
        try:
            results: list[Any] = []
            for ballot, data in batch:
                connection.execute("SAVEPOINT ballot")
                try:
                    results.append(_sqlite_transaction(ctx, connection, ballot, data, None))
                except (ServiceError, _NeedsSheet) as exc:
                    connection.execute("ROLLBACK TO ballot")
                    results.append(exc if isinstance(exc, ServiceError) else None)
                connection.execute("RELEASE ballot")
            connection.execute("COMMIT")
            return results
        except Exception:  # noqa: BLE001 - nothing was written; each goes the single path and meets its error there
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            return nothing


_SQLITE_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = \
    weakref.WeakKeyDictionary()


def _sqlite_gate(ctx: AppContext) -> asyncio.Lock:
    gates = _SQLITE_GATES.setdefault(asyncio.get_running_loop(), {})
    return gates.setdefault(ctx.db.url, asyncio.Lock())


# SQLite: raw statements on the driver's connection (the ORM's per-statement work was most of
# the cost of a submission). Columns as in _LOAD_SQL.
_SQLITE_LOAD = _LOAD_SQL.element.text.replace(":account_id", "?")
_SQLITE_CLAIM = ("UPDATE ballot_accounts SET status = 'submitted', receipt = ?"
                 " WHERE id = ? AND status NOT IN ('submitted', 'revoked')")
_SQLITE_STATUS = "SELECT status, receipt FROM ballot_accounts WHERE id = ?"
_SQLITE_STAGE = "INSERT INTO ballot_staging (id, locality_id, campaign_id, head, body) VALUES (?, ?, ?, ?, ?)"
_SQLITE_DELETE_DRAFT = "DELETE FROM ballot_drafts WHERE account_id = ?"


def _sqlite_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _is_locked(exc: BaseException) -> bool:
    message = str(getattr(exc, "orig", None) or exc)
    return "database is locked" in message or "database is busy" in message


@dataclass(frozen=True)
class _Prepared:
    sheet: BallotSheet
    policies: list[tuple[Any, Any]]


class _NeedsSheet(Exception):
    """The ballot sheet is not cached yet, or the campaign has distribution policies: they are
    read with the ORM on another connection, outside the write lock (``_prepare``), then the
    transaction is run again with them."""

    def __init__(self, account: AccountRow, campaign: CampaignRow):
        self.account, self.campaign = account, campaign


def _prepare(ctx: AppContext, account: AccountRow, campaign: CampaignRow) -> _Prepared:
    # Both cannot change while the campaign is open: its distribution is frozen, and a policy
    # an open campaign uses cannot be disabled (core.services.plugins.set_plugin).
    with ctx.db.read() as session:
        sheet = _sheet(session, campaign, account.category_id)
        return _Prepared(sheet, _policies(session, BallotContext(account=account, campaign=campaign, sheet=sheet)))


def _submit_sqlite(ctx: AppContext, ballot: BallotSession, data: BallotIn, *, wait: bool,
                   prepared: _Prepared | None) -> SubmitOut | _NeedsSheet | None:
    """The submission on SQLite, in one ``BEGIN IMMEDIATE`` transaction on the driver's
    connection. With ``wait=False`` (on the event loop) it never waits for a lock: if another
    thread or process holds the write lock, nothing is written and the answer is None."""
    with ctx.db.sqlite_writer(wait=wait) as connection:
        if connection is None:
            return None
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = _sqlite_transaction(ctx, connection, ballot, data, prepared)
                connection.execute("COMMIT")
                return result
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except _NeedsSheet as needs:
            return needs
        except sqlite3.OperationalError as exc:
            if wait or not _is_locked(exc):
                raise
            return None  # another process is writing: nothing was written


def _sqlite_transaction(ctx: AppContext, connection: sqlite3.Connection, ballot: BallotSession, data: BallotIn,
                        prepared: _Prepared | None) -> SubmitOut:
    row = connection.execute(_SQLITE_LOAD, (ballot.account_id,)).fetchone()
    if row is not None:
        row = (*row[:8], _sqlite_time(row[8]), _sqlite_time(row[9]), _sqlite_time(row[10]),
               json.loads(row[11]) if isinstance(row[11], str) else row[11], row[12])
    account, campaign = _rows(ballot, row, replayable=True)
    if prepared is not None:
        sheet, policies = prepared.sheet, prepared.policies
    else:
        sheet, policies = _cached_sheet(_sheet_key(ctx.db.engine.url, campaign, account.category_id)), []
        if sheet is None or campaign.distribution:
            raise _NeedsSheet(account, campaign)
    bc = BallotContext(account=account, campaign=campaign, sheet=sheet)
    if account.status == AccountStatus.submitted:
        return _replay(ctx, ballot, bc, policies, data, account.receipt)
    triples = _check_items(bc, data, complete=True)
    valid, reason = _verdict(bc, policies, triples)
    receipt = _receipt(ctx, ballot, triples, data.comment)
    if connection.execute(_SQLITE_CLAIM, (receipt, account.id)).rowcount != 1:
        return _claim_lost(*connection.execute(_SQLITE_STATUS, (account.id,)).fetchone(), receipt, valid, reason)
    staged_id = ballot_box.new_ballot_id()
    head, body = ballot_box.seal_ballot(ctx.keys, campaign.id, staged_id, category_id=account.category_id,
                                        valid=valid, reason=reason, comment=data.comment, items=triples)
    connection.execute(_SQLITE_STAGE, (staged_id, campaign.locality_id, campaign.id, head, body))
    connection.execute(_SQLITE_DELETE_DRAFT, (account.id,))
    return SubmitOut(status="submitted", valid=valid, reason=reason)


# PostgreSQL: the load, then claim + ballot + items + draft in ONE statement (data-modifying
# CTEs run in one snapshot and one implicit transaction: all or nothing). The campaign row is
# held FOR SHARE, so closing waits for ballots being written, and a closed campaign claims
# nothing. psycopg prepares both statements on a connection after a few uses.
_PG_LOAD = _SQLITE_LOAD.replace("?", "%(account_id)s")
_PG_SUBMIT = """
WITH c AS (
    SELECT id FROM campaigns WHERE id = %(campaign_id)s AND status = 'open'
       AND (opens_at IS NULL OR opens_at <= %(now)s) AND (closes_at IS NULL OR closes_at > %(now)s)
    FOR SHARE
), claim AS (
    UPDATE ballot_accounts SET status = 'submitted', receipt = %(receipt)s
     WHERE id = %(account_id)s AND status NOT IN ('submitted', 'revoked') AND EXISTS (SELECT 1 FROM c)
    RETURNING id
), b AS (
    INSERT INTO ballot_staging (id, locality_id, campaign_id, head, body)
    SELECT %(id)s, %(locality_id)s, %(campaign_id)s, %(head)s, %(body)s FROM claim
), d AS (
    DELETE FROM ballot_drafts WHERE account_id IN (SELECT id FROM claim)
)
SELECT EXISTS (SELECT 1 FROM c), EXISTS (SELECT 1 FROM claim)
"""
_PG_CAMPAIGN = "SELECT status, opens_at, closes_at FROM campaigns WHERE id = %(campaign_id)s"
_PG_STATUS = "SELECT status, receipt FROM ballot_accounts WHERE id = %(account_id)s"
PG_ASYNC_CONNECTIONS = 10  # per process and event loop, like the engine's pool_size


@dataclass(frozen=True)
class _CampaignState:
    status: str
    opens_at: datetime | None
    closes_at: datetime | None


class _AsyncPool:
    """A few autocommit psycopg connections for one event loop. The queue holds a connection or
    None (a free slot: connect on use), so a broken connection just gives its slot back."""

    def __init__(self, conninfo: str, size: int):
        self._conninfo = conninfo
        self._free: asyncio.LifoQueue = asyncio.LifoQueue()
        for _ in range(size):
            self._free.put_nowait(None)

    async def get(self) -> Any:
        connection = await self._free.get()
        if connection is not None and not (connection.closed or connection.broken):
            return connection
        try:
            import psycopg

            return await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
        except BaseException:
            self._free.put_nowait(None)
            raise

    async def put(self, connection: Any, *, healthy: bool) -> None:
        if healthy and not (connection.closed or connection.broken):
            self._free.put_nowait(connection)
            return
        self._free.put_nowait(None)
        with contextlib.suppress(Exception):
            await connection.close()


_PG_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _AsyncPool]] = weakref.WeakKeyDictionary()


def _pg_pool(ctx: AppContext) -> _AsyncPool:
    pools = _PG_POOLS.setdefault(asyncio.get_running_loop(), {})
    url = ctx.db.engine.url
    key = url.render_as_string(hide_password=False)
    pool = pools.get(key)
    if pool is None:
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        pool = pools[key] = _AsyncPool(conninfo, PG_ASYNC_CONNECTIONS)
    return pool


async def _submit_postgres(ctx: AppContext, ballot: BallotSession, data: BallotIn) -> SubmitOut:
    pool = _pg_pool(ctx)
    connection = await pool.get()
    healthy = False
    try:
        cursor = connection.cursor()
        await cursor.execute(_PG_LOAD, {"account_id": ballot.account_id})
        account, campaign = _rows(ballot, await cursor.fetchone(), replayable=True)
        sheet, policies = _cached_sheet(_sheet_key(ctx.db.engine.url, campaign, account.category_id)), []
        if sheet is None or campaign.distribution:
            prepared = await to_thread.run_sync(_prepare, ctx, account, campaign)
            sheet, policies = prepared.sheet, prepared.policies
        bc = BallotContext(account=account, campaign=campaign, sheet=sheet)
        if account.status == AccountStatus.submitted:
            healthy = True
            return _replay(ctx, ballot, bc, policies, data, account.receipt)
        triples = _check_items(bc, data, complete=True)
        valid, reason = _verdict(bc, policies, triples)
        receipt = _receipt(ctx, ballot, triples, data.comment)
        staged_id = ballot_box.new_ballot_id()
        head, body = ballot_box.seal_ballot(ctx.keys, campaign.id, staged_id, category_id=account.category_id,
                                            valid=valid, reason=reason, comment=data.comment, items=triples)
        await cursor.execute(_PG_SUBMIT, {
            "campaign_id": campaign.id, "account_id": account.id, "now": utcnow(), "id": staged_id,
            "locality_id": campaign.locality_id, "receipt": receipt, "head": head, "body": body})
        is_open, claimed = await cursor.fetchone()
        if not claimed:
            if not is_open:
                await cursor.execute(_PG_CAMPAIGN, {"campaign_id": campaign.id})
                _check_open(_CampaignState(*await cursor.fetchone()))
                raise Conflict("this evaluation is closed")
            await cursor.execute(_PG_STATUS, {"account_id": account.id})
            healthy = True
            return _claim_lost(*await cursor.fetchone(), receipt, valid, reason)
        healthy = True
    except ServiceError:
        healthy = True
        raise
    finally:
        await pool.put(connection, healthy=healthy)
    return SubmitOut(status="submitted", valid=valid, reason=reason)


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
            .where(Ballot.campaign_id == campaign.id).group_by(Ballot.category_id, Ballot.valid)
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
            issued=issued, revoked=revoked, submitted=submitted,
            logged_in=statuses[AccountStatus.logged_in] + statuses[AccountStatus.draft] + submitted,
            drafts=statuses[AccountStatus.draft], valid=validity[True], invalid=validity[False],
            turnout=round(submitted / active, 4) if active else 0.0,
        )

    total_status: Counter = Counter()
    total_valid: Counter = Counter()
    result = {}
    for category in categories:
        result[category.name] = counts(by_status[category.id], by_validity[category.id])
        total_status.update(by_status[category.id])
        total_valid.update(by_validity[category.id])
    return ProgressOut(campaign_id=campaign.id, status=campaign.status, categories=result,
                       total=counts(total_status, total_valid))
