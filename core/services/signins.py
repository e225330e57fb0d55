"""The sign-in log: every console and API sign-in attempt, kept ``KAOPING_SIGNIN_LOG_DAYS`` days.

``record`` is called by ``core.services.auth.authenticate`` once per attempt (one INSERT, in
its own transaction). The log never holds a password: the password is never passed here, and a
typed name that names no user (often a password typed into the user-name field) is stored only as
a keyed digest (``?`` and 12 hex digits: the same text gives the same digest, so repeated
guesses can still be told apart). A person's ID-card number typed as a sign-in name is stored as
the resolved account's user name, never the number.

Readers: platform admins read every attempt; office users the attempts on users of their own
locality (``list_attempts``). ``prune`` deletes what is older than the retention (a periodic
task, see ``core.scheduler``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func
from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import Role, User
from core.models.base import utcnow
from core.models.signins import SignInAttempt
from core.services.access import require_role
from core.services.errors import Invalid

OK = "ok"
WRONG_PASSWORD = "wrong_password"
UNKNOWN_USER = "unknown_user"
INACTIVE = "inactive"
THROTTLED = "throttled"
REASONS = (WRONG_PASSWORD, UNKNOWN_USER, INACTIVE, THROTTLED)
RESULTS = (OK, "failed", *REASONS)  # what the ``result`` filter accepts
READERS = frozenset({Role.platform_admin, Role.office})
USER_AGENT_LENGTH = 120
DEFAULT_LIMIT = 50
THROTTLED_EVERY = timedelta(minutes=1)  # at most one "throttled" row per client address in this time


def shorten_user_agent(value: str) -> str:
    """A user agent cut to ``USER_AGENT_LENGTH`` characters, control characters removed."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in (value or ""))
    return " ".join(cleaned.split())[:USER_AGENT_LENGTH]


def masked_name(ctx: AppContext, typed: str) -> str:
    """What the log keeps of a name that names no user: ``?`` and 12 hex digits of its keyed digest."""
    return "?" + ctx.keys.digest("sign-in name:" + (typed or "").strip().lower())[:12]


def record(
    ctx: AppContext,
    *,
    typed: str,
    user: User | None,
    reason: str = "",
    client: str = "",
    user_agent: str = "",
    channel: str = "console",
) -> None:
    """Log one attempt: success when ``reason`` is empty. ``user``: the user the typed name
    resolved to, if any (its name is logged; else only ``masked_name(typed)``). One INSERT; a
    ``throttled`` attempt only when its client address logged none in the last minute, so a
    flood of refused attempts cannot grow the table by more than a row a minute per address."""
    name = user.username if user is not None else masked_name(ctx, typed)
    client = (client or "")[:64]
    with ctx.db.write() as session:
        if (
            reason == THROTTLED
            and session.exec(  # a flood of refused attempts: one row a minute per client
                select(SignInAttempt.id)
                .where(
                    SignInAttempt.client == client,
                    SignInAttempt.reason == THROTTLED,
                    SignInAttempt.at >= utcnow() - THROTTLED_EVERY,
                )
                .limit(1)
            ).first()
        ):
            return
        session.add(
            SignInAttempt(
                username=name[:100],
                user_id=user.id if user is not None else None,
                locality_id=user.locality_id if user is not None else None,
                ok=not reason,
                reason=reason[:16],
                channel=channel[:8],
                client=client,
                user_agent=shorten_user_agent(user_agent),
            )
        )


@dataclass(frozen=True)
class AttemptOut:
    id: int
    at: datetime
    username: str
    user_id: int | None
    ok: bool
    reason: str
    channel: str
    client: str
    user_agent: str


def _day(value: str) -> date | None | bool:
    """An ISO day, None when empty, False when not a date."""
    if not (value or "").strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return False
    return day if 1900 <= day.year <= 9998 else False  # the day before and after stay datetimes


def _filtered(
    ctx: AppContext,
    actor: Actor,
    *,
    user: str = "",
    user_id: int | None = None,
    result: str = "",
    date_from: str = "",
    date_to: str = "",
):
    require_role(actor, READERS, "read the sign-in log")
    query = select(SignInAttempt)
    if actor.role != Role.platform_admin:
        query = query.where(SignInAttempt.locality_id == actor.locality_id)
    if user_id is not None:
        query = query.where(SignInAttempt.user_id == user_id)
    if user.strip():
        query = query.where(SignInAttempt.username == user.strip())
    result = (result or "").strip()
    first, last = _day(date_from), _day(date_to)
    errors = (
        [{"field": "result", "message": "choose one of the listed results"}] if result and result not in RESULTS else []
    )
    errors += [
        {"field": name, "message": "type a date as 2026-11-30"}
        for name, day in (("date_from", first), ("date_to", last))
        if day is False
    ]
    if errors:
        raise Invalid(f"{errors[0]['field']}: {errors[0]['message']}", errors=errors)
    if result == OK:
        query = query.where(SignInAttempt.ok == True)  # noqa: E712 - SQL expression
    elif result == "failed":
        query = query.where(SignInAttempt.ok == False)  # noqa: E712 - SQL expression
    elif result:
        query = query.where(SignInAttempt.reason == result)
    zone = ZoneInfo(ctx.settings.timezone)
    if first is not None:
        query = query.where(SignInAttempt.at >= datetime.combine(first, time(), tzinfo=zone).astimezone(UTC))
    if last is not None:
        end = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
        query = query.where(SignInAttempt.at < end)
    return query


def _out(row: SignInAttempt) -> AttemptOut:
    return AttemptOut(
        id=row.id,
        at=row.at,
        username=row.username,
        user_id=row.user_id,
        ok=row.ok,
        reason=row.reason,
        channel=row.channel,
        client=row.client,
        user_agent=row.user_agent,
    )


def list_attempts(
    ctx: AppContext,
    actor: Actor,
    *,
    user: str = "",
    user_id: int | None = None,
    result: str = "",
    date_from: str = "",
    date_to: str = "",
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> tuple[list[AttemptOut], int]:
    """The attempts ``actor`` may read, newest first, and how many match.

    ``user``: an exact logged name (a user name, or a ``?…`` digest); ``user_id``: one user;
    ``result``: ``ok``, ``failed`` or one reason; ``date_from``/``date_to``: ISO days, inclusive,
    in the platform's time zone. Raises Forbidden for other roles, Invalid (field named) for a
    bad date or result."""
    query = _filtered(ctx, actor, user=user, user_id=user_id, result=result, date_from=date_from, date_to=date_to)
    with ctx.db.read() as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(
            query.order_by(col(SignInAttempt.at).desc(), col(SignInAttempt.id).desc())
            .limit(max(1, min(limit, 500)))
            .offset(max(0, offset))
        ).all()
        return [_out(row) for row in rows], total


def last_attempts(ctx: AppContext, actor: Actor, user_id: int, limit: int = 10) -> list[AttemptOut]:
    """One user's latest attempts (for its page), as ``list_attempts`` scopes them."""
    return list_attempts(ctx, actor, user_id=user_id, limit=limit)[0]


def prune(ctx: AppContext, now: datetime | None = None) -> int:
    """Delete the attempts older than ``KAOPING_SIGNIN_LOG_DAYS`` days; return how many."""
    days = ctx.settings.signin_log_days
    cutoff = (now or utcnow()) - timedelta(days=days)
    with ctx.db.write() as session:
        return session.execute(delete(SignInAttempt).where(col(SignInAttempt.at) < cutoff)).rowcount or 0
