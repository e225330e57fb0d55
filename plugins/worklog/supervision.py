"""Whom a leader supervises: the units whose people's work they read, review and grade.

A user of role ``leader`` supervises

* the unit they lead: their account's unit (``users.unit_id``), else their person's unit;
* the units they are in charge of as a member of a leadership team (分管):
  ``team_members.supervised_unit_ids`` of every team membership of their person, in the same
  locality.

Both come from the office's data (users, teams); nothing here is written.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.context import Actor
from core.models import Locality, Person, Role, TeamMember, Unit, User

OWN_PERSON = "worklog_own_person"  # session.info: (user id, locality id) -> their Person or None
SUPERVISED = "worklog_supervised"  # session.info: (user id, locality id) -> the unit ids they supervise


def own_person(session: Session, actor: Actor, locality: Locality) -> Person | None:
    """The person whose account this is (``users.person_id``), if of this locality: one
    statement, then remembered for the rest of the session (``remember_person``)."""
    if actor.user_id is None:
        return None
    known = session.info.setdefault(OWN_PERSON, {})
    key = (actor.user_id, locality.id)
    if key not in known:
        known[key] = session.exec(
            select(Person)
            .join(User, col(User.person_id) == Person.id)
            .where(User.id == actor.user_id, User.locality_id == locality.id, Person.locality_id == locality.id)
        ).first()
    return known[key]


def remember_person(session: Session, actor: Actor, locality: Locality, person: Person | None) -> None:
    """Record ``actor``'s own person (or None), read by a caller in the same statement as
    something else (``queries.scope``), so ``own_person`` asks no more in this session."""
    if actor.user_id is not None:
        session.info.setdefault(OWN_PERSON, {})[(actor.user_id, locality.id)] = person


def viewer_unit(session: Session, actor: Actor, locality: Locality) -> int | None:
    """The unit a leader leads or a colleague works in: the account's unit, else its person's."""
    if actor.unit_id is not None:
        return actor.unit_id
    person = own_person(session, actor, locality)
    return person.unit_id if person is not None else None


def supervised_units(session: Session, actor: Actor, locality: Locality) -> list[int]:
    """The ids of the units ``actor`` supervises in ``locality``: empty unless a leader of it;
    their own unit first, then the units in charge of (分管) in the order the teams list them,
    each once, only units of this locality. Remembered for the rest of the session."""
    if actor.role != Role.leader or actor.locality_id != locality.id:
        return []
    known = session.info.setdefault(SUPERVISED, {})
    key = (actor.user_id, locality.id)
    if key not in known:
        known[key] = _supervised_units(session, actor, locality)
    return list(known[key])


def _supervised_units(session: Session, actor: Actor, locality: Locality) -> list[int]:
    units: list[int] = []
    own = viewer_unit(session, actor, locality)
    if own is not None:
        units.append(own)
    person = own_person(session, actor, locality)
    if person is not None:
        lists = session.exec(
            select(TeamMember.supervised_unit_ids)
            .where(TeamMember.locality_id == locality.id, TeamMember.person_id == person.id)
            .order_by(TeamMember.id)
        ).all()
        for unit_ids in lists:
            units.extend(int(u) for u in unit_ids or [])
    units = list(dict.fromkeys(units))
    if len(units) > (own is not None):  # in charge of other units: keep those of this locality only
        known = set(session.exec(select(Unit.id).where(Unit.locality_id == locality.id, Unit.id.in_(units))))
        units = [u for u in units if u in known]
    return units


def supervises(session: Session, actor: Actor, locality: Locality, person: Person) -> bool:
    """Whether ``actor`` is a leader supervising ``person`` (not themself)."""
    if person.unit_id is None or person.locality_id != locality.id:
        return False
    mine = own_person(session, actor, locality)
    if mine is not None and mine.id == person.id:
        return False
    return person.unit_id in supervised_units(session, actor, locality)
