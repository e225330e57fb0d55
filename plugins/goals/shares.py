"""Decomposition (分解): a goal's people, each with a role from the locality's list (主办 lead,
协办 assist) and a responsibility share (责任比重) in percent.

Rules, each refused with a 422 that names the goal: the shares of one goal sum to 100 % (within
0.01; the message gives the sum and the difference), or the goal has no one; each person once;
people of the team (a team's goal: its members) or of the unit (a unit's goal); roles of the
locality's list. ``assign_many`` gives the same people to many goals in one step, all or nothing.
A published goal whose people change keeps a version (``service.keep_version``)."""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from core.context import Actor, AppContext
from core.models import Locality, Person, TeamMember
from core.services.access import locality_for
from plugins.goals.access import goal_for, invalid, lists_of
from plugins.goals.models import Goal, GoalAssignment
from plugins.goals.schemas import AssignIn, AssignManyIn, GoalOut, ShareIn
from plugins.goals.service import goal_out, keep_version, people_of, snapshot

TOLERANCE = 0.01
SHORT = "{goal}: the shares sum to {total} %, {difference} % short of 100 %"
OVER = "{goal}: the shares sum to {total} %, {difference} % over 100 %"


def share_difference(shares: list[float]) -> float:
    """100 minus the sum of ``shares`` (positive: missing; negative: too much), to 2 places."""
    return round(100.0 - sum(shares), 2)


def check_shares(session: Session, locality: Locality, goal: Goal, people: list[ShareIn]) -> None:
    """Refuse ``people`` for ``goal`` unless they obey the module's rules."""
    if not people:
        return
    _sources, roles = lists_of(session, locality.id)
    seen: set[int] = set()
    for index, share in enumerate(people):
        if share.person_id in seen:
            raise invalid(f"people[{index}].person_id", "{goal}: a person is listed twice", goal=goal.name)
        seen.add(share.person_id)
        if share.role not in roles:
            raise invalid(
                f"people[{index}].role",
                "{goal}: the role {role} is not in the list: {roles}",
                goal=goal.name,
                role=share.role,
                roles="、".join(roles),
            )
    members = _members(session, locality, goal, list(seen))
    for index, share in enumerate(people):
        if share.person_id not in members:
            raise invalid(
                f"people[{index}].person_id",
                "{goal}: person {person_id} is not a member of the team or unit the goal belongs to",
                goal=goal.name,
                person_id=share.person_id,
            )
    difference = share_difference([p.share for p in people])
    if abs(difference) > TOLERANCE:
        total = round(sum(p.share for p in people), 2)
        message = SHORT if difference > 0 else OVER
        raise invalid("people", message, goal=goal.name, total=f"{total:g}", difference=f"{abs(difference):g}")


def _members(session: Session, locality: Locality, goal: Goal, person_ids: list[int]) -> set[int]:
    """Which of ``person_ids`` may carry ``goal``: its team's members, or its unit's people."""
    if goal.team_id is not None:
        query = select(TeamMember.person_id).where(
            TeamMember.team_id == goal.team_id, col(TeamMember.person_id).in_(person_ids)
        )
    else:
        query = select(Person.id).where(
            Person.locality_id == locality.id, Person.unit_id == goal.unit_id, col(Person.id).in_(person_ids)
        )
    return set(session.exec(query))


def _replace(session: Session, actor: Actor, goal: Goal, people: list[ShareIn]) -> None:
    before = snapshot(session, goal)
    session.exec(delete(GoalAssignment).where(GoalAssignment.goal_id == goal.id))
    for share in people:
        session.add(
            GoalAssignment(
                locality_id=goal.locality_id,
                goal_id=goal.id,
                person_id=share.person_id,
                role=share.role,
                share=round(share.share, 2),
            )
        )
    session.flush()
    keep_version(session, actor, goal, before)


def assign(ctx: AppContext, actor: Actor, code: str, goal_id: int, data: AssignIn) -> GoalOut:
    """Give ``goal_id`` the people of ``data`` (replacing its people). 422 per the rules."""
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        goal = goal_for(session, actor, locality, goal_id, write=True)
        check_shares(session, locality, goal, data.people)
        _replace(session, actor, goal, data.people)
        return goal_out(goal, people_of(session, [goal.id]).get(goal.id))


def assign_many(ctx: AppContext, actor: Actor, code: str, data: AssignManyIn) -> list[GoalOut]:
    """Give each of ``data.goal_ids`` the same people; every goal is checked before any is
    written (the first goal refused names itself; nothing is written)."""
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        goals = [goal_for(session, actor, locality, goal_id, write=True) for goal_id in dict.fromkeys(data.goal_ids)]
        for goal in goals:
            check_shares(session, locality, goal, data.people)
        for goal in goals:
            _replace(session, actor, goal, data.people)
        people = people_of(session, [g.id for g in goals])
        return [goal_out(g, people.get(g.id)) for g in goals]
