"""The evaluator's sign-in: a code from a slip exchanged for a signed ballot token, the limits
on wrong codes, and the checks every ballot request repeats (account and campaign status).
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field
from sqlalchemy import update
from sqlmodel import select

from ballots import codes
from core.context import AppContext
from core.models import AccountStatus, BallotAccount, Campaign, CampaignStatus
from core.models.base import utcnow
from core.schemas.base import In, Out
from core.services import throttle
from core.services.campaigns import as_utc
from core.services.errors import Conflict, Forbidden, Invalid, RateLimited, ServiceError, Unauthorized

TOKEN_TTL = timedelta(hours=12)
# Wrong codes answered 401 in 15 minutes: per client network (a meeting room behind one address
# makes some typos), and from everywhere together (a wrong code names no campaign, so the
# platform stands in for it). More are answered 429; a right code is never refused (see login).
MAX_LOGIN_FAILURES_PER_CLIENT = 100
MAX_LOGIN_FAILURES_ALL = 2000
WRONG_CODE = "unknown code: check the code on your slip"
WRONG_CODE_SLOW_DOWN = (
    "unknown code: check the code on your slip. Too many wrong codes were typed lately: wait a few "
    "minutes before trying another (a right code is always accepted)"
)


class LoginIn(In):
    code: str = Field(min_length=1, max_length=2048)  # a whole pasted slip URL is accepted


class LoginOut(Out):
    token: str
    expires_at: datetime


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
        raise Conflict(
            "this evaluation is closed"
            if campaign.status != CampaignStatus.draft
            else "this evaluation has not started yet"
        )
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
    return [
        throttle.Limit(f"ballot-client:{throttle.client_network(client)}", MAX_LOGIN_FAILURES_PER_CLIENT),
        throttle.Limit("ballot-all", MAX_LOGIN_FAILURES_ALL),
    ]


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
            select(BallotAccount, Campaign)
            .join(Campaign, Campaign.id == BallotAccount.campaign_id)
            .where(BallotAccount.code_hash == ctx.keys.token_hash(code))
        ).first()
    if row is None:
        raise wrong_code(ctx, client)
    account, campaign = row
    _check_account(account)
    _check_open(campaign)
    if account.status == AccountStatus.issued:
        with ctx.db.write() as session:
            session.execute(
                update(BallotAccount)
                .where(BallotAccount.id == account.id, BallotAccount.status == AccountStatus.issued)
                .values(status=AccountStatus.logged_in)
            )
    expires_at = utcnow() + TOKEN_TTL
    closes_at = as_utc(campaign.closes_at)
    if closes_at and closes_at < expires_at:
        expires_at = closes_at
    return LoginOut(token=_token(ctx, account.id, campaign.id, int(expires_at.timestamp())), expires_at=expires_at)
