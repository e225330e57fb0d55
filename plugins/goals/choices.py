"""What the goals' pages offer to choose from: the sets an actor may manage, the people a goal may
be given to, the locality's lists, the indicators and units. Reads only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import Person, Role, Team, TeamMember, Unit
from core.services.access import OFFICE_ROLES, locality_for
from plugins.goals.access import goal_for, lists_of
from plugins.goals.models import GoalIndicator

# The default kinds of comment (``DEFAULT_COMMENT_KINDS``) by their English msgids; a locality's
# own kinds show as they are written.
COMMENT_KIND_LABELS = {"点评": "Review", "建议": "Suggestion", "举报": "Complaint"}


@dataclass
class Choices:
    units: list[tuple[int, str]]  # the units whose goals the actor manages (office: all)
    teams: dict[int, list[tuple[int, str]]]  # unit id -> its leadership teams
    all_units: list[tuple[int, str]]  # every unit of the locality (supervising units)
    sources: list[str]
    roles: list[str]
    indicators: list[tuple[int, str]]  # id, "name (measure)"


def choices(ctx: AppContext, actor: Actor, code: str) -> Choices:
    """The lists of the console's goal pages for ``actor`` (a unit admin: their unit only)."""
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        units = list(
            session.exec(select(Unit.id, Unit.name).where(Unit.locality_id == locality.id).order_by(col(Unit.code)))
        )
        mine = units if actor.role in OFFICE_ROLES else [u for u in units if u[0] == actor.unit_id]
        teams: dict[int, list[tuple[int, str]]] = {}
        ids = [u[0] for u in mine]
        for team_id, unit_id, name in session.exec(
            select(Team.id, Team.unit_id, Team.name)
            .where(Team.locality_id == locality.id, col(Team.unit_id).in_(ids))
            .order_by(col(Team.id))
        ):
            teams.setdefault(unit_id, []).append((team_id, name))
        sources, roles = lists_of(session, locality.id)
        indicators = [
            (i.id, f"{i.name}（{i.measure}）" if i.measure else i.name)
            for i in session.exec(
                select(GoalIndicator).where(GoalIndicator.locality_id == locality.id).order_by(col(GoalIndicator.code))
            )
        ]
        return Choices(
            units=[(u[0], u[1]) for u in mine],
            teams=teams,
            all_units=[(u[0], u[1]) for u in units],
            sources=sources,
            roles=roles,
            indicators=indicators,
        )


def candidates(ctx: AppContext, actor: Actor, code: str, goal_id: int) -> list[tuple[int, str]]:
    """The people ``goal_id`` may be given to: its team's members, or its unit's people (by name)."""
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        goal = goal_for(session, actor, locality, goal_id)
        if goal.team_id is not None:
            query = (
                select(Person.id, Person.name)
                .join(TeamMember, col(TeamMember.person_id) == Person.id)
                .where(TeamMember.team_id == goal.team_id)
            )
        else:
            query = select(Person.id, Person.name).where(
                Person.locality_id == locality.id, Person.unit_id == goal.unit_id
            )
        return [(p[0], p[1]) for p in session.exec(query.order_by(col(Person.name)).limit(2000))]


def manages_any(actor: Actor) -> bool:
    return actor.role in OFFICE_ROLES or actor.role == Role.unit_admin
