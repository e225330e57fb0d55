"""People's accounts: every person of a locality's organisation may get a user account of their
own (role ``cadre``; ``leader`` for a member of a leadership team), activated with a one-time code.

The office issues codes for a unit (with or without its sub-units) or the whole locality at
once (``issue``): accounts are created for people who have none (user name
``{locality code}-{person id}``, no usable password), each account not yet activated gets a
fresh code (an older one stops working), and the plaintext codes are kept encrypted in an
``ActivationBatch`` for ``HOLD`` so the office can download the slips (PDF) and the list
(.xlsx) (``core.services.people_slips``). Only ``Keyring.token_hash("activation:" + code)`` is
stored with the account; no password is hashed up front (100,000 codes take seconds).

With the code the person sets a password (``activate``), naming themself by their user name
or their ID-card number; afterwards they sign in with either (``core.services.auth.find_sign_in_users``, used by
``core.services.auth.authenticate``). ID-card numbers are looked up by their keyed digest
(``Person.id_card_digest``); the plain number is never stored or logged here.

Wrong codes are counted like ballot codes (``core.services.throttle``): per client network and
platform-wide; past a limit a wrong code is answered 429, while a right code always works.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import case, delete, false, func
from sqlmodel import Session, col, select

from core import codes
from core.context import Actor, AppContext
from core.models import ActivationBatch, ActivationCode, AuthToken, Person, Role, TeamMember, Unit, User
from core.models.base import utcnow
from core.security import Keyring, hash_password
from core.services import account_counts, audit, notifications, planner_stats, throttle
from core.services.access import OFFICE_ROLES, locality_for, require_role
from core.services.auth import MIN_PASSWORD_LENGTH, id_card_key
from core.services.bulk import insert_many as _insert_many
from core.services.errors import Invalid, NotFound, RateLimited, ServiceError, Unauthorized

HOLD = timedelta(hours=24)  # how long an issuing call's plaintext codes can be downloaded
NOT_ACTIVATED = "!"  # the password hash of an account nobody activated: no password matches it
MAX_FAILURES_PER_CLIENT = 30
MAX_FAILURES_ALL = 1000
MAX_ID = 2**31 - 1
_CHUNK = 5000

WRONG_CODE = "this user name or ID-card number and this code do not match an account waiting for activation"
ACTIVATED = "Your account is activated."  # the first notification of every person
WRONG_CODE_SLOW_DOWN = "too many wrong activation codes from your network; wait {seconds} seconds and try again"


@dataclass(frozen=True)
class Issued:
    """What one issuing call did: ``batch_id`` holds the new codes for download (None when no
    code was issued), ``created`` accounts were made, ``codes`` codes issued in all, ``skipped``
    people already activated or revoked."""

    batch_id: int | None
    created: int
    codes: int
    skipped: int


class AccountCounts(BaseModel):
    """People in scope and their accounts: ``accounts`` made, ``activated``, ``waiting`` (a live
    code, not yet activated), ``revoked`` (may not sign in)."""

    people: int
    accounts: int
    activated: int
    waiting: int
    revoked: int


class PersonAccountOut(BaseModel):
    person_id: int
    name: str
    unit_name: str | None
    username: str | None
    role: str | None
    state: str  # none | waiting | activated | revoked | issued (an account without a live code)


def activation_hash(keys: Keyring, code: str) -> str:
    """The stored form of an activation code (canonical form, ``core.codes.parse``)."""
    return keys.token_hash("activation:" + code)


# --- scope -------------------------------------------------------------------------------


def _unit_scope(session: Session, locality_id: int, unit_id: int | None, with_sub_units: bool) -> list[int] | None:
    """The unit ids a unit stands for (itself, and below it when ``with_sub_units``); None: the
    whole locality. Another locality's unit is ``NotFound``."""
    if unit_id is None:
        return None
    units = session.exec(select(Unit.id, Unit.parent_id).where(Unit.locality_id == locality_id)).all()
    if unit_id not in {u for u, _p in units}:
        raise NotFound("no unit with id {id}", params={"id": unit_id})
    if not with_sub_units:
        return [unit_id]
    children: dict[int | None, list[int]] = {}
    for uid, parent in units:
        children.setdefault(parent, []).append(uid)
    found, level = [unit_id], [unit_id]
    while level:
        level = [c for u in level for c in children.get(u, [])]
        found += level
    return found


def _people_in(locality_id: int, scope: list[int] | None):
    query = select(Person.id).where(Person.locality_id == locality_id)
    return query if scope is None else query.where(col(Person.unit_id).in_(scope))


def _leaders(session: Session, locality_id: int) -> set[int]:
    return set(session.exec(select(TeamMember.person_id).where(TeamMember.locality_id == locality_id)).all())


def _chunks(items: list, size: int = _CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- issuing -----------------------------------------------------------------------------


def issue(
    ctx: AppContext, actor: Actor, code: str, *, unit_id: int | None = None, with_sub_units: bool = True
) -> Issued:
    """Issue activation codes for the people of a unit (``unit_id``; below it too when
    ``with_sub_units``) or of the whole locality (``unit_id`` None). Office roles only;
    another locality's unit is ``NotFound``. People whose account is activated or revoked are
    skipped (``reissue`` one of them instead)."""
    require_role(actor, OFFICE_ROLES, "issue people's accounts")
    now = utcnow()
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        account_counts.hold(session, locality.id)
        scope = _unit_scope(session, locality.id, unit_id, with_sub_units)
        query = select(Person.id, Person.unit_id).where(Person.locality_id == locality.id)
        if scope is not None:
            query = query.where(col(Person.unit_id).in_(scope))
        people = session.exec(query.order_by(Person.id)).all()
        accounts = {
            pid: (uid, activated, active)
            for uid, pid, activated, active in session.exec(
                select(User.id, User.person_id, User.activated_at, User.is_active).where(
                    User.locality_id == locality.id, col(User.person_id).is_not(None)
                )
            ).all()
        }
        leaders = _leaders(session, locality.id)
        missing = [(pid, unit) for pid, unit in people if pid not in accounts]
        taken = set(
            session.exec(
                select(User.username).where(User.username >= f"{locality.code}-", User.username < f"{locality.code}.")
            ).all()
        )
        rows = []
        for pid, unit in missing:
            name = f"{locality.code}-{pid}"
            suffix = 1
            while name in taken:
                suffix += 1
                name = f"{locality.code}-{pid}-{suffix}"
            rows.append(
                {
                    "username": name,
                    "password_hash": NOT_ACTIVATED,
                    "role": Role.leader.value if pid in leaders else Role.cadre.value,
                    "locality_id": locality.id,
                    "unit_id": unit,
                    "is_active": True,
                    "reads_child_localities": False,
                    "person_id": pid,
                    "activated_at": None,
                    "created_at": now,
                }
            )
        _insert_many(session, User.__table__, rows)
        if rows:
            made = dict(
                session.exec(
                    select(User.person_id, User.id).where(
                        User.locality_id == locality.id,
                        col(User.person_id).is_not(None),
                        User.password_hash == NOT_ACTIVATED,
                    )
                ).all()
            )
        else:
            made = {}
        targets: list[tuple[int, int]] = []  # (person id, user id)
        skipped = 0
        for pid, _unit in people:
            if pid in accounts:
                uid, activated, active = accounts[pid]
                if activated is not None or not active:
                    skipped += 1
                    continue
                targets.append((pid, uid))
            else:
                targets.append((pid, made[pid]))
        batch_id = _new_codes(ctx, session, locality.id, targets, actor, unit_id, with_sub_units, now)
        account_counts.store(session, locality.id, account_counts.scan(session, locality.id))
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="people_accounts.issue",
            target_type="unit" if unit_id else "locality",
            target_id=unit_id or locality.id,
            after={
                "with_sub_units": with_sub_units,
                "created": len(rows),
                "codes": len(targets),
                "skipped": skipped,
                "batch_id": batch_id,
            },
        )
        issued = Issued(batch_id=batch_id, created=len(rows), codes=len(targets), skipped=skipped)
    if issued.created + issued.codes >= planner_stats.LARGE_WRITE:
        # a locality's worth of new accounts: without fresh statistics PostgreSQL planned the
        # accounts page as if users were empty (0.6 s a page far down at 100,000, 9 ms after)
        planner_stats.refresh(ctx.db, ("users", "activation_codes", "people_account_counts"))
    return issued


def _new_codes(
    ctx: AppContext,
    session: Session,
    locality_id: int,
    targets: list[tuple[int, int]],
    actor: Actor,
    unit_id: int | None,
    with_sub_units: bool,
    now: datetime,
) -> int | None:
    """Replace the codes of ``targets`` (person id, user id) by fresh ones, held in a new batch."""
    if not targets:
        return None
    batch = ActivationBatch(
        locality_id=locality_id,
        unit_id=unit_id,
        with_sub_units=with_sub_units,
        count=len(targets),
        created_by=actor.user_id,
        expires_at=now + HOLD,
        created_at=now,
    )
    session.add(batch)
    session.flush()
    user_ids = [uid for _pid, uid in targets]
    for chunk in _chunks(user_ids):
        session.execute(delete(ActivationCode).where(col(ActivationCode.user_id).in_(chunk)))
    fresh = codes.new_codes(len(targets))
    rows = [
        {
            "locality_id": locality_id,
            "user_id": uid,
            "code_hash": activation_hash(ctx.keys, c),
            "batch_id": batch.id,
            "created_at": now,
        }
        for (_pid, uid), c in zip(targets, fresh, strict=True)
    ]
    _insert_many(session, ActivationCode.__table__, rows)
    batch.codes_cipher = ctx.keys.encrypt(json.dumps([[pid, c] for (pid, _uid), c in zip(targets, fresh, strict=True)]))
    session.add(batch)
    return batch.id


def _account_of(session: Session, locality_id: int, person_id: int) -> tuple[Person, User | None]:
    person = session.get(Person, person_id) if 0 < person_id <= MAX_ID else None
    if person is None or person.locality_id != locality_id:
        raise NotFound("no person with id {id}", params={"id": person_id})
    user = session.exec(select(User).where(User.locality_id == locality_id, User.person_id == person_id)).first()
    return person, user


def reissue(ctx: AppContext, actor: Actor, code: str, person_id: int) -> Issued:
    """A new code for one person (another locality's person: ``NotFound``): their account is
    made if missing, or reset (no password, not activated, signed out everywhere, allowed to
    sign in again). The code is in a batch of one, to download like any other."""
    require_role(actor, OFFICE_ROLES, "issue people's accounts")
    now = utcnow()
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        person, user = _account_of(session, locality.id, person_id)
        created = 0
        change = {"waiting": 1}  # the new code
        if user is None:
            name = f"{locality.code}-{person.id}"
            if session.exec(select(User.id).where(User.username == name)).first() is not None:
                name = f"{name}-{now.strftime('%H%M%S')}"
            role = Role.leader if person.id in _leaders(session, locality.id) else Role.cadre
            user = User(
                username=name,
                password_hash=NOT_ACTIVATED,
                role=role,
                locality_id=locality.id,
                unit_id=person.unit_id,
                person_id=person.id,
            )
            session.add(user)
            session.flush()
            created = 1
            change["accounts"] = 1
        else:
            had_code = session.exec(select(ActivationCode.id).where(ActivationCode.user_id == user.id)).first()
            change["activated"] = -1 if user.activated_at is not None else 0
            change["revoked"] = -1 if not user.is_active else 0
            change["waiting"] -= 1 if had_code is not None else 0
            user.password_hash, user.activated_at, user.is_active = NOT_ACTIVATED, None, True
            session.add(user)
            session.execute(delete(AuthToken).where(AuthToken.user_id == user.id))
        batch_id = _new_codes(ctx, session, locality.id, [(person.id, user.id)], actor, None, False, now)
        account_counts.shift(session, locality.id, **change)
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="people_accounts.reissue",
            target_type="person",
            target_id=person.id,
            after={"user_id": user.id, "batch_id": batch_id},
        )
        return Issued(batch_id=batch_id, created=created, codes=1, skipped=0)


def revoke(ctx: AppContext, actor: Actor, code: str, person_id: int) -> None:
    """Take one person's account away: it may no longer sign in, its code stops working, its
    sessions end. ``NotFound`` for another locality's person or one without an account."""
    require_role(actor, OFFICE_ROLES, "revoke people's accounts")
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        person, user = _account_of(session, locality.id, person_id)
        if user is None:
            raise NotFound("{name} has no account", params={"name": person.name})
        newly = 1 if user.is_active else 0
        user.is_active = False
        session.add(user)
        codes_gone = session.execute(delete(ActivationCode).where(ActivationCode.user_id == user.id)).rowcount
        session.execute(delete(AuthToken).where(AuthToken.user_id == user.id))
        account_counts.shift(session, locality.id, revoked=newly, waiting=-codes_gone)
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="people_accounts.revoke",
            target_type="person",
            target_id=person.id,
            after={"user_id": user.id},
        )


def detach_person(session: Session, locality_id: int, person_id: int) -> int | None:
    """Before a person is deleted (``core.services.org.delete_person``, in its transaction): their
    account, if any, is kept for what it did (audit, plugins' records) but detached from the
    person and closed: no person, may not sign in, code and sessions gone. Returns its user id."""
    user = session.exec(select(User).where(User.locality_id == locality_id, User.person_id == person_id)).first()
    if user is None:
        return None
    was_activated, was_revoked = user.activated_at is not None, not user.is_active
    user.person_id, user.is_active = None, False
    session.add(user)
    codes_gone = session.execute(delete(ActivationCode).where(ActivationCode.user_id == user.id)).rowcount
    session.execute(delete(AuthToken).where(AuthToken.user_id == user.id))
    session.flush()
    account_counts.shift(  # no longer a person's account: it leaves every count
        session,
        locality_id,
        accounts=-1,
        activated=-1 if was_activated else 0,
        revoked=-1 if was_revoked else 0,
        waiting=-codes_gone,
    )
    return user.id


# --- reading -----------------------------------------------------------------------------


def counts(
    ctx: AppContext, actor: Actor, code: str, *, unit_id: int | None = None, with_sub_units: bool = True
) -> AccountCounts:
    """How many people are in scope and how far their accounts are (see ``AccountCounts``)."""
    require_role(actor, OFFICE_ROLES, "read people's accounts")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        scope = _unit_scope(session, locality.id, unit_id, with_sub_units)
        people = _people_in(locality.id, scope).subquery()
        total = session.exec(select(func.count()).select_from(people)).one()
        if scope is None:  # the whole locality: the counts its services keep, one row
            kept = account_counts.read(session, locality.id)
            accounts, activated, waiting, revoked = (kept[n] for n in account_counts.FIELDS)
        else:  # a unit (and below it): its people's accounts and their codes, counted
            mine = (User.locality_id == locality.id) & col(User.person_id).in_(select(people.c.id))
            accounts, activated, revoked = session.exec(
                select(
                    func.count(User.id),
                    func.count(User.activated_at),
                    func.coalesce(func.sum(case((User.is_active == false(), 1), else_=0)), 0),
                ).where(mine)
            ).one()
            waiting = session.exec(
                select(func.count())
                .select_from(ActivationCode)
                .where(
                    ActivationCode.locality_id == locality.id,
                    col(ActivationCode.user_id).in_(select(User.id).where(mine)),
                )
            ).one()
    return AccountCounts(people=total, accounts=accounts, activated=activated, waiting=waiting, revoked=revoked)


def list_people(
    ctx: AppContext,
    actor: Actor,
    code: str,
    *,
    q: str = "",
    unit_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
    count: bool = True,
    after: int | None = None,
    before: int | None = None,
) -> tuple[list[PersonAccountOut], int | None]:
    """People of the locality (a unit and below it), name beginning with ``q``, with their
    account's state; in id order. Returns the page and the total (None with ``count=False``,
    for a caller that knows it: ``counts().people`` is the total without a name or unit).

    Keyset paging (the console): ``after`` an id, the people after it; ``before`` an id, the
    ``limit`` people just before it (returned in id order); either replaces ``offset``, so a page
    far down reads ``limit`` rows of the (locality_id, id) key instead of skipping the ones before."""
    require_role(actor, OFFICE_ROLES, "read people's accounts")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        scope = _unit_scope(session, locality.id, unit_id, True)
        query = (
            select(
                Person.id,
                Person.name,
                Unit.name,
                User.username,
                User.role,
                User.activated_at,
                User.is_active,
                ActivationCode.id,
            )
            .outerjoin(Unit, Unit.id == Person.unit_id)
            .outerjoin(User, (User.person_id == Person.id) & (User.locality_id == Person.locality_id))
            .outerjoin(ActivationCode, ActivationCode.user_id == User.id)
            .where(Person.locality_id == locality.id)
        )
        counted = select(Person.id).where(Person.locality_id == locality.id)
        if scope is not None:
            query = query.where(col(Person.unit_id).in_(scope))
            counted = counted.where(col(Person.unit_id).in_(scope))
        if q.strip():
            query = query.where(col(Person.name).startswith(q.strip()[:100], autoescape=True))
            counted = counted.where(col(Person.name).startswith(q.strip()[:100], autoescape=True))
        # every join is to at most one row (a unit; the one account per person and locality; its
        # one code): the people alone are counted, on their index
        total = session.exec(select(func.count()).select_from(counted.subquery())).one() if count else None
        if before is not None:
            query = query.where(Person.id < before).order_by(col(Person.id).desc()).limit(limit)
            rows = list(reversed(session.exec(query).all()))
        else:
            query = query.order_by(Person.id).limit(limit)
            if after is not None:
                query = query.where(Person.id > after)
            elif offset:
                query = query.offset(offset)
            rows = session.exec(query).all()
    out = []
    for pid, name, unit_name, username, role, activated, active, code_id in rows:
        if username is None:
            state = "none"
        elif not active:
            state = "revoked"
        elif activated is not None:
            state = "activated"
        else:
            state = "waiting" if code_id is not None else "issued"
        out.append(
            PersonAccountOut(person_id=pid, name=name, unit_name=unit_name, username=username, role=role, state=state)
        )
    return out, total


@dataclass(frozen=True)
class AccountsPage:
    """One keyset page of ``list_people``: the people, everyone matching, the position of the
    first shown (1-based; 0 when none), and whether pages lie before and after it."""

    items: list[PersonAccountOut]
    total: int
    first: int
    has_prev: bool
    has_next: bool


def people_page(
    ctx: AppContext,
    actor: Actor,
    code: str,
    *,
    q: str = "",
    after: int | None = None,
    before: int | None = None,
    limit: int = 50,
    total: int | None = None,
) -> AccountsPage:
    """The console's page of people and their accounts, after or before an id (``list_people``);
    ``total`` when the caller knows it (everyone: ``counts().people``), else counted. The
    position is a count of the matching ids below the first shown, on the (locality_id, id) key
    (or the name's range with ``q``): page 400 of 100,000 costs what page 1 does, but that count."""
    q = q.strip()[:100]
    rows, counted = list_people(ctx, actor, code, q=q, limit=limit + 1, count=total is None, after=after, before=before)
    more = len(rows) > limit
    if before is not None:
        rows = rows[-limit:] if more else rows
        has_prev, has_next = more, True
    else:
        rows = rows[:limit]
        has_prev, has_next = after is not None, more
    first = 0
    if rows:
        with ctx.db.read() as session:
            locality = locality_for(session, actor, code, read_only=True)
            earlier = select(Person.id).where(Person.locality_id == locality.id, Person.id < rows[0].person_id)
            if q:
                earlier = earlier.where(col(Person.name).startswith(q, autoescape=True))
            first = 1 + session.exec(select(func.count()).select_from(earlier.subquery())).one()
        has_prev = first > 1
    return AccountsPage(
        items=rows,
        total=counted if total is None else total,
        first=first,
        has_prev=has_prev,
        has_next=has_next,
    )


# --- activation and sign-in ----------------------------------------------------------------


def activation_limits(client: str) -> list[throttle.Limit]:
    return [
        throttle.Limit(f"activation-client:{throttle.client_network(client)}", MAX_FAILURES_PER_CLIENT),
        throttle.Limit("activation-all", MAX_FAILURES_ALL),
    ]


def _wrong_code(ctx: AppContext, client: str) -> ServiceError:
    wait = throttle.charge(ctx, activation_limits(client))
    if wait is None:
        return Unauthorized(WRONG_CODE)
    return RateLimited(WRONG_CODE_SLOW_DOWN.format(seconds=wait), retry_after=wait)


def _field(field: str, message: str, **params: Any) -> Invalid:
    text = message.format(**params) if params else message
    return Invalid(f"{field}: {message}", params=params, errors=[{"field": field, "message": text}])


def _login_matches(session: Session, keys: Keyring, user: User, login: str) -> bool:
    login = (login or "").strip()
    if login and login.lower() == user.username.lower():
        return True
    digest = id_card_key(keys, login)
    if digest is None or user.person_id is None:
        return False
    return session.exec(select(Person.id_card_digest).where(Person.id == user.person_id)).first() == digest


def activate(ctx: AppContext, login: str, typed_code: str, password: str, password_again: str, client: str) -> User:
    """Set the password of the account ``login`` (user name or ID-card number) names, with its
    activation code; the code is used up. Form faults are ``Invalid`` (fields ``login``,
    ``code``, ``password``, ``password_again``) and never counted; a code that does not match
    the account (or no account waits) is ``Unauthorized``, counted as a guess, and past the
    limits ``RateLimited``. A right code always works, whatever wrong ones came before."""
    if not (login or "").strip() or len(login) > 100:
        raise _field("login", "type your user name or your ID-card number")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise _field("password", "must be at least {n} characters", n=MIN_PASSWORD_LENGTH)
    if len(password) > 1000:
        raise _field("password", "must be at most {n} characters", n=1000)
    if password != password_again:
        raise _field("password_again", "the two passwords differ")
    try:
        code = codes.parse(typed_code)
    except codes.CodeFormError as exc:
        raise Invalid(exc.message, params=exc.params, errors=[{"field": "code", "message": str(exc)}]) from None
    code_hash = activation_hash(ctx.keys, code)
    with ctx.db.read() as session:
        row = session.exec(
            select(ActivationCode, User)
            .join(User, User.id == ActivationCode.user_id)
            .where(ActivationCode.code_hash == code_hash)
        ).first()
        matches = row is not None and row[1].is_active and _login_matches(session, ctx.keys, row[1], login)
    if not matches:
        raise _wrong_code(ctx, client)
    new_hash = hash_password(password)  # slow: outside the write transaction
    with ctx.db.write() as session:
        used = session.execute(delete(ActivationCode).where(ActivationCode.code_hash == code_hash))
        if used.rowcount != 1:  # used up meanwhile by another request
            raise Unauthorized(WRONG_CODE)
        user = session.get(User, row[1].id)
        first_time = user.activated_at is None
        user.password_hash, user.activated_at = new_hash, utcnow()
        session.add(user)
        if user.person_id is not None and user.locality_id is not None:
            account_counts.shift(session, user.locality_id, activated=1 if first_time else 0, waiting=-1)
        audit.record(
            session,
            Actor(user_id=user.id, username=user.username, role=user.role, locality_id=user.locality_id),
            locality_id=user.locality_id,
            action="people_accounts.activate",
            target_type="user",
            target_id=user.id,
        )
        notifications.notify(session, user.locality_id, user.id, "people.activated", ACTIVATED)
        session.flush()
        session.expunge(user)
        return user
