"""The counts of a locality's people's accounts, kept in one row per locality
(``PeopleAccountCounts``) by the services that change an account, so the people's accounts page
reads them instead of counting every account and code (100,000 people: three scans, 250 ms and
more).

What is counted is what ``scan`` counts: ``accounts``, users of the locality with a person;
``activated``, those of them with ``activated_at``; ``revoked``, those not ``is_active``;
``waiting``, their activation codes. A service that changes one account calls ``shift`` in its
transaction, after its own writes, with what it changed (+1/-1 each); one that changes many
(issuing codes for a whole locality) calls ``hold`` at its start and ``store(session, id,
scan(...))`` at its end. ``shift`` is an ``UPDATE ... SET n = n + d``, so concurrent writers
never lose one another's changes; ``hold`` takes the row's lock first so a change made while a
locality is being issued waits for it and lands on top of its count. A locality without a row
(made after migration 0023, or whose row went missing) is counted by ``scan`` the first time one
of its accounts changes.

This module imports no other service: ``people_accounts`` and ``users`` both use it.
"""

from __future__ import annotations

from sqlalchemy import case, false, func, update
from sqlmodel import Session, col, select

from core.models import ActivationCode, PeopleAccountCounts, User

FIELDS = ("accounts", "activated", "waiting", "revoked")


def scan(session: Session, locality_id: int) -> dict[str, int]:
    """The counts read from the accounts and codes themselves (every row of the locality)."""
    mine = (User.locality_id == locality_id) & col(User.person_id).is_not(None)
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
        .join(User, User.id == ActivationCode.user_id)
        .where(ActivationCode.locality_id == locality_id, mine)
    ).one()
    return {"accounts": accounts, "activated": activated, "waiting": waiting, "revoked": int(revoked)}


def read(session: Session, locality_id: int) -> dict[str, int]:
    """The kept counts of a locality (``scan`` when it has no row yet)."""
    row = session.get(PeopleAccountCounts, locality_id)
    if row is None:
        return scan(session, locality_id)
    return {name: getattr(row, name) for name in FIELDS}


def hold(session: Session, locality_id: int) -> None:
    """Lock the locality's row until the transaction ends (a no-op UPDATE): call it before a
    change of many accounts that ends with ``store``."""
    session.execute(
        update(PeopleAccountCounts)
        .where(PeopleAccountCounts.locality_id == locality_id)
        .values(accounts=PeopleAccountCounts.accounts)
    )


def store(session: Session, locality_id: int, counts: dict[str, int]) -> None:
    """Write the locality's counts as they are (``scan``'s, after a change of many accounts)."""
    session.flush()
    row = session.get(PeopleAccountCounts, locality_id)
    if row is None:
        row = PeopleAccountCounts(locality_id=locality_id)
    for name in FIELDS:
        setattr(row, name, int(counts[name]))
    session.add(row)
    session.flush()


def shift(session: Session, locality_id: int, **changes: int) -> None:
    """Add ``changes`` (e.g. ``activated=1, waiting=-1``) to the locality's counts, in the
    caller's transaction after its writes; a locality without a row is counted whole instead."""
    changes = {name: n for name, n in changes.items() if n}
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(f"not a kept count: {sorted(unknown)}")
    if not changes:
        return
    session.flush()
    done = session.execute(
        update(PeopleAccountCounts)
        .where(PeopleAccountCounts.locality_id == locality_id)
        .values({name: getattr(PeopleAccountCounts, name) + n for name, n in changes.items()})
        .execution_options(synchronize_session=False)
    )
    if done.rowcount == 0:
        store(session, locality_id, scan(session, locality_id))
