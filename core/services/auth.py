"""Users, passwords, bearer tokens, browser sessions and the login rate limit."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import AuthToken, Locality, Person, Role, Unit, User
from core.models.base import utcnow
from core.security import Keyring, hash_password, new_token, verify_password
from core.services import audit, throttle
from core.services.access import descendants, require_role
from core.services.errors import Conflict, Invalid, RateLimited, Unauthorized

FAILURE_WINDOW = throttle.WINDOW
# Admin sign-in (OWASP ASVS V6.3): failures count per user name *at one client network*, so
# whoever guesses alice's password from elsewhere locks only their own network out of alice,
# never alice; and, looser, per client network for every name it tries.
MAX_FAILURES_PER_USER = 10  # per user name and client network
MAX_FAILURES_PER_CLIENT = 50
SESSION_TTL = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10
_ID_CARD = re.compile(r"^\d{17}[\dX]$")  # how a person names themself by ID-card number


@dataclass(frozen=True)
class IssuedToken:
    token: str
    csrf_token: str
    expires_at: object


def sign_in_limits(username: str, client: str) -> list[throttle.Limit]:
    network = throttle.client_network(client)
    name = username.strip().lower()[:100]
    return [
        throttle.Limit(f"user:{name}|client:{network}", MAX_FAILURES_PER_USER),
        throttle.Limit(f"client:{network}", MAX_FAILURES_PER_CLIENT),
    ]


# --- who a sign-in names: a user name, or the ID-card number of a person (core.services.people_accounts)


def id_card_key(keys: Keyring, login: str) -> str | None:
    """The keyed digest of ``login`` when it reads as an ID-card number, else None."""
    value = (login or "").strip().upper()
    return keys.digest(value) if _ID_CARD.match(value) else None


def throttle_name(keys: Keyring, login: str) -> str:
    """What failed sign-ins of ``login`` are counted under: an ID-card number by (part of) its
    keyed digest, so the number itself is never written to the failure counts or the log."""
    digest = id_card_key(keys, login)
    return f"id-card:{digest[:32]}" if digest else login


def find_sign_in_users(session: Session, keys: Keyring, login: str) -> list[User]:
    """The users ``login`` may name at sign-in: the one with that user name, else the activated
    people's accounts whose person has that ID-card number (one per locality the person is in)."""
    login = (login or "").strip()
    user = session.exec(select(User).where(User.username == login)).first()
    if user is not None:
        return [user]
    digest = id_card_key(keys, login)
    if digest is None:
        return []
    return list(
        session.exec(
            select(User)
            .join(Person, (Person.id == User.person_id) & (Person.locality_id == User.locality_id))
            .where(Person.id_card_digest == digest, col(User.activated_at).is_not(None))
            .order_by(User.id)
            .limit(5)
        ).all()
    )


def authenticate(
    ctx: AppContext, username: str, password: str, client: str, *, user_agent: str = "", channel: str = "console"
) -> User:
    """Check a user name (or, for a person's own account, an ID-card number) and password. Only
    failures count towards the limits, which are checked before the (deliberately slow)
    password hash is computed. Every attempt, success or not, is written to the sign-in log
    (``core.services.signins``; ``channel``: ``console`` or ``api``): one INSERT."""
    from core.services import signins

    def log(user: User | None, reason: str = "") -> None:
        signins.record(
            ctx, typed=username, user=user, reason=reason, client=client, user_agent=user_agent, channel=channel
        )

    limits = sign_in_limits(throttle_name(ctx.keys, username), client)  # never an ID-card number in clear
    wait = throttle.retry_after(ctx, limits)
    with ctx.db.read() as session:
        candidates = find_sign_in_users(session, ctx.keys, username)
    if wait is not None:
        log(candidates[0] if len(candidates) == 1 else None, signins.THROTTLED)
        raise RateLimited("too many failed logins; wait a few minutes and try again", retry_after=wait)
    # a person in several localities has an account in each: the one whose password this is
    user = (
        next((u for u in candidates[1:] if verify_password(u.password_hash, password)), candidates[0])
        if len(candidates) > 1
        else (candidates[0] if candidates else None)
    )
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        throttle.record(ctx, [limit.key for limit in limits])
        log(user, signins.UNKNOWN_USER if user is None else signins.WRONG_PASSWORD if not ok else signins.INACTIVE)
        raise Unauthorized("wrong user name or password")
    log(user)
    return user


def actor_of(user: User, session: Session | None = None) -> Actor:
    """The actor of ``user``; with a session, its granted child localities are looked up too."""
    readable = frozenset()
    if session is not None and user.reads_child_localities and user.locality_id is not None:
        readable = descendants(session, user.locality_id)
    campaigns: frozenset[int] = frozenset()
    if session is not None and user.role == Role.assessment_group:
        from core.services.assessment import assigned_campaign_ids

        campaigns = assigned_campaign_ids(session, user)
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        locality_id=user.locality_id,
        unit_id=user.unit_id,
        readable_localities=readable,
        campaign_ids=campaigns,
    )


def issue_token(ctx: AppContext, user: User, *, kind: str, name: str = "", ttl: timedelta | None = None) -> IssuedToken:
    token = new_token()
    csrf = secrets.token_urlsafe(24) if kind == "session" else ""
    expires_at = utcnow() + ttl if ttl is not None else None  # a zero ttl is expired, not eternal
    with ctx.db.write() as session:
        session.add(
            AuthToken(
                token_hash=ctx.keys.token_hash(token),
                user_id=user.id,
                kind=kind,
                name=name,
                csrf_token=csrf,
                expires_at=expires_at,
            )
        )
        audit.record(
            session,
            actor_of(user),
            locality_id=user.locality_id,
            action=f"{kind}.create",
            target_type="user",
            target_id=user.id,
            after={"name": name} if name else None,
        )
    return IssuedToken(token=token, csrf_token=csrf, expires_at=expires_at)


@dataclass(frozen=True)
class TokenInfo:
    actor: Actor
    kind: str
    csrf_token: str


def resolve_token(ctx: AppContext, token: str, session: Session | None = None) -> TokenInfo | None:
    """The actor behind a bearer token or session id, or None when unknown, expired or disabled.
    ``session``: read in the caller's read session (a console page's shell reads all it needs in
    one), else in a read session of its own."""
    if not token or len(token) > 200:
        return None
    if session is None:
        with ctx.db.read() as own:
            return _token_info(ctx, own, token)
    return _token_info(ctx, session, token)


def _token_info(ctx: AppContext, session: Session, token: str) -> TokenInfo | None:
    row = session.exec(
        select(AuthToken, User)
        .join(User, User.id == AuthToken.user_id)
        .where(AuthToken.token_hash == ctx.keys.token_hash(token))
    ).first()
    if row is None:
        return None
    auth, user = row
    if not user.is_active:
        return None
    if auth.expires_at is not None:
        expires = auth.expires_at if auth.expires_at.tzinfo else auth.expires_at.replace(tzinfo=utcnow().tzinfo)
        if expires <= utcnow():
            return None
    return TokenInfo(actor=actor_of(user, session), kind=auth.kind, csrf_token=auth.csrf_token)


def revoke_token(ctx: AppContext, token: str) -> None:
    with ctx.db.write() as session:
        session.execute(delete(AuthToken).where(AuthToken.token_hash == ctx.keys.token_hash(token)))


def create_user(
    ctx: AppContext,
    actor: Actor,
    *,
    username: str,
    password: str,
    role: str,
    locality_code: str | None,
    unit_code: str | None = None,
) -> User:
    require_role(actor, frozenset({Role.platform_admin}), "create users")
    if role not in {r.value for r in Role}:
        raise Invalid(f"role: must be one of {', '.join(r.value for r in Role)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"password: must be at least {MIN_PASSWORD_LENGTH} characters")
    username = username.strip()
    if not username or len(username) > 100:
        raise Invalid("username: must be 1 to 100 characters")
    try:
        with ctx.db.write() as session:
            locality_id = unit_id = None
            if locality_code:
                locality = session.exec(select(Locality).where(Locality.code == locality_code)).first()
                if locality is None:
                    raise Invalid(f"locality: no locality with code {locality_code!r}")
                locality_id = locality.id
            elif role != Role.platform_admin:
                raise Invalid(f"locality: a {role} user needs a locality")
            if role in (Role.unit_admin, Role.leader, Role.cadre) and unit_code:
                unit = session.exec(select(Unit).where(Unit.locality_id == locality_id, Unit.code == unit_code)).first()
                if unit is None:
                    raise Invalid(f"unit: no unit with code {unit_code!r} in locality {locality_code!r}")
                unit_id = unit.id
            elif role == Role.unit_admin:
                raise Invalid("unit: a unit_admin user needs a unit")
            if session.exec(select(User).where(User.username == username)).first():
                raise Conflict(f"a user named {username!r} already exists")
            user = User(
                username=username,
                password_hash=hash_password(password),
                role=role,
                locality_id=locality_id,
                unit_id=unit_id,
            )
            session.add(user)
            session.flush()
            audit.record(
                session,
                actor,
                locality_id=locality_id,
                action="user.create",
                target_type="user",
                target_id=user.id,
                after={"username": username, "role": role, "unit_id": unit_id},
            )
            return user
    except IntegrityError as exc:
        raise Conflict(f"a user named {username!r} already exists") from exc


def set_password(ctx: AppContext, actor: Actor, username: str, password: str) -> User:
    require_role(actor, frozenset({Role.platform_admin}), "reset passwords")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"password: must be at least {MIN_PASSWORD_LENGTH} characters")
    with ctx.db.write() as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            raise Invalid(f"no user named {username!r}")
        user.password_hash = hash_password(password)
        session.add(user)
        audit.record(
            session,
            actor,
            locality_id=user.locality_id,
            action="user.set_password",
            target_type="user",
            target_id=user.id,
        )
        return user


def find_user(ctx: AppContext, username: str) -> User | None:
    with ctx.db.read() as session:
        return session.exec(select(User).where(User.username == username)).first()


GRANTABLE_ROLES = frozenset({Role.office, Role.leader})


def grant_child_localities(ctx: AppContext, actor: Actor, username: str, granted: bool) -> User:
    """Let an office or leader user of a parent locality read (never change) the localities below
    it, or take that back. Platform admins only; audited."""
    require_role(actor, frozenset({Role.platform_admin}), "grant read access to child localities")
    with ctx.db.write() as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            raise Invalid(f"no user named {username!r}")
        if granted and user.role not in GRANTABLE_ROLES:
            raise Invalid(
                f"a {user.role} user cannot be granted child localities (only {', '.join(sorted(GRANTABLE_ROLES))})"
            )
        before = user.reads_child_localities
        user.reads_child_localities = granted
        session.add(user)
        audit.record(
            session,
            actor,
            locality_id=user.locality_id,
            action="user.grant_child_localities",
            target_type="user",
            target_id=user.id,
            before={"reads_child_localities": before},
            after={"reads_child_localities": granted},
        )
        session.flush()
        session.refresh(user)
        session.expunge(user)
        return user
