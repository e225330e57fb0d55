"""Who may read and change which goals.

A **set** of goals is a unit's (``team_id`` null) or a leadership team's goals of one year.

- **Write** (create, edit, move, decompose, publish, report progress): the office of the locality
  (roles ``office`` and ``platform_admin``), and the ``unit_admin`` of the owning unit.
- **Read**: the writers; an office granted to read the locality; the members of the team (a team
  set) or the people of the unit (a unit set), through their own account (``users.person_id``),
  and a ``leader`` or ``unit_admin`` account of the unit.
- **Report progress** on a goal: the writers and the people the goal is assigned to.
- **Follow** a *published* goal (read it, its progress reports and files, the comments with their
  public answers; comment, suggest, report and like): its readers, and in the goal's locality
  every ``leader`` (county leaders, other units' leaders) and ``unit_admin`` (other units,
  supervising units) account, and ``public`` accounts where the locality's option
  ``public_comments`` allows it. Followers see no draft goal, no decomposition, no history, and
  never a private answer to someone else's comment.

Anyone else gets 404, as for a goal that does not exist (not even counts).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from core.context import Actor, AppContext
from core.models import Locality, LocalityPlugin, Person, Role, Team, TeamMember, Unit, User
from core.services.access import OFFICE_ROLES, can_see_locality
from core.services.errors import Forbidden, Invalid, NotFound
from plugins.goals import DEFAULT_COMMENT_KINDS, DEFAULT_ROLES, DEFAULT_SOURCES
from plugins.goals.models import Goal

PLUGIN = "goals"
NO_GOAL = "no goal with id {goal_id}"
NO_SET = "no goals of unit {unit_id} to show"
MAY_NOT_CHANGE = "you may read these goals but not change them"


def today(ctx: AppContext) -> Any:
    """The locality's calendar day now (``KAOPING_TIMEZONE``)."""
    return datetime.now(ZoneInfo(ctx.settings.timezone)).date()


def lists_of(session: Session, locality_id: int) -> tuple[list[str], list[str]]:
    """The locality's lists: (sources, roles), read once a session (an import checks thousands
    of goals against them)."""
    key = ("goals.lists", locality_id)
    if key not in session.info:
        row = session.get(LocalityPlugin, (locality_id, PLUGIN))
        options = dict(row.options or {}) if row is not None else {}
        session.info[key] = (options.get("sources") or DEFAULT_SOURCES, options.get("roles") or DEFAULT_ROLES)
    sources, roles = session.info[key]
    return list(sources), list(roles)


def comment_kinds(session: Session, locality_id: int) -> list[str]:
    """The kinds of comment the locality allows (点评, 建议, 举报 unless its options say otherwise)."""
    row = session.get(LocalityPlugin, (locality_id, PLUGIN))
    options = dict(row.options or {}) if row is not None else {}
    return list(options.get("comment_kinds") or DEFAULT_COMMENT_KINDS)


def own_person(session: Session, actor: Actor, locality: Locality) -> Person | None:
    """The person whose account this is (``users.person_id``), if of this locality."""
    if actor.user_id is None or actor.locality_id != locality.id:
        return None
    user = session.get(User, actor.user_id)
    if user is None or user.person_id is None:
        return None
    person = session.get(Person, user.person_id)
    return person if person is not None and person.locality_id == locality.id else None


def can_write(actor: Actor, locality: Locality, unit_id: int) -> bool:
    if actor.role in OFFICE_ROLES:
        return can_see_locality(actor, locality.id)
    return actor.role == Role.unit_admin and actor.locality_id == locality.id and actor.unit_id == unit_id


def can_read(session: Session, actor: Actor, locality: Locality, unit_id: int, team_id: int | None) -> bool:
    if can_write(actor, locality, unit_id):
        return True
    if actor.role in OFFICE_ROLES:
        return can_see_locality(actor, locality.id, read_only=True)
    if actor.locality_id != locality.id:
        return False
    if actor.role in (Role.leader, Role.unit_admin) and actor.unit_id == unit_id:
        return True
    person = own_person(session, actor, locality)
    if person is None:
        return False
    if team_id is None:
        return person.unit_id == unit_id
    return (
        session.exec(
            select(TeamMember.id).where(TeamMember.team_id == team_id, TeamMember.person_id == person.id)
        ).first()
        is not None
    )


def check_set(session: Session, locality: Locality, unit_id: int, team_id: int | None) -> tuple[Unit, Team | None]:
    """The unit and team of a set, both of this locality (the team of that unit): 404 otherwise."""
    unit = session.get(Unit, unit_id)
    if unit is None or unit.locality_id != locality.id:
        raise NotFound("no unit with id {unit_id}", params={"unit_id": unit_id})
    team = None
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None or team.locality_id != locality.id or team.unit_id != unit_id:
            raise NotFound(
                "no leadership team with id {team_id} in unit {unit}", params={"team_id": team_id, "unit": unit.name}
            )
    return unit, team


def readable_set(
    session: Session, actor: Actor, locality: Locality, unit_id: int, team_id: int | None, *, write: bool = False
) -> tuple[Unit, Team | None]:
    """A set the actor may read (404 otherwise) and, with ``write``, change (403 otherwise)."""
    if not can_read(session, actor, locality, unit_id, team_id):
        raise NotFound(NO_SET, params={"unit_id": unit_id})
    unit, team = check_set(session, locality, unit_id, team_id)
    if write and not can_write(actor, locality, unit_id):
        raise Forbidden(MAY_NOT_CHANGE)
    return unit, team


FOLLOWERS = frozenset({Role.leader.value, Role.unit_admin.value})


def public_allowed(session: Session, locality_id: int) -> bool:
    """The locality lets the public (``public`` accounts) follow and comment on published goals."""
    row = session.get(LocalityPlugin, (locality_id, PLUGIN))
    return bool(row is not None and (row.options or {}).get("public_comments"))


def may_follow(session: Session, actor: Actor, locality: Locality) -> bool:
    """The actor may follow the locality's published goals (readers of a goal aside)."""
    if actor.locality_id != locality.id or actor.user_id is None:
        return False
    if actor.role in FOLLOWERS:
        return True
    return actor.role == Role.public and public_allowed(session, locality.id)


def goal_to_follow(session: Session, actor: Actor, locality: Locality, goal_id: int) -> tuple[Goal, bool]:
    """A goal the actor may read or follow, and whether it reads it (404 otherwise, as for a
    goal that does not exist: a draft goal is never followed)."""
    goal = session.get(Goal, goal_id) if 0 < goal_id < 2**31 else None
    if goal is None or goal.locality_id != locality.id:
        raise NotFound(NO_GOAL, params={"goal_id": goal_id})
    if can_read(session, actor, locality, goal.unit_id, goal.team_id):
        return goal, True
    if goal.published_at is not None and may_follow(session, actor, locality):
        return goal, False
    raise NotFound(NO_GOAL, params={"goal_id": goal_id})


def goal_for(session: Session, actor: Actor, locality: Locality, goal_id: int, *, write: bool = False) -> Goal:
    """A goal the actor may read (404 otherwise) and, with ``write``, change (403 otherwise)."""
    goal = session.get(Goal, goal_id)
    if (
        goal is None
        or goal.locality_id != locality.id
        or not can_read(session, actor, locality, goal.unit_id, goal.team_id)
    ):
        raise NotFound(NO_GOAL, params={"goal_id": goal_id})
    if write and not can_write(actor, locality, goal.unit_id):
        raise Forbidden(MAY_NOT_CHANGE)
    return goal


def invalid(field: str, message: str, **params: Any) -> Invalid:
    """A 422 naming the field; ``message`` is a catalogue id with ``params``."""
    return Invalid(message, params=params, errors=[{"field": field, "message": message.format(**params)}])
