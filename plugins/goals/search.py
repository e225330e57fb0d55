"""Browsing and searching a year's goals across a locality's sets (issue #14 item 7): by unit,
supervising unit, goal type and status (on track, behind, overdue, done) as of a day (a period's
end, say), each goal with its set's roll-up (its percentage and status as the tree shows them).

Strict permissions, as ``plugins.goals.access`` has them: a set's readers find every goal of it,
drafts too; followers (leaders and unit admins of the locality, the public where the locality
allows it) find published goals only; anyone else finds nothing, and the counts by status are of
the goals found, so they tell nothing of the rest. Another locality's caller gets 404."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import Team, Unit
from core.services.access import OFFICE_ROLES, locality_for
from plugins.goals.access import can_read, may_follow, today
from plugins.goals.models import Goal, GoalKind, GoalStatus
from plugins.goals.progress import latest_reports, rolled
from plugins.goals.service import depth_first

MAX_ROWS = 500  # rows answered; the counts are of every goal found


class SearchRow(BaseModel):
    id: int
    name: str
    unit_id: int
    unit_name: str
    team_id: int | None
    team_name: str
    parent_id: int | None
    depth: int
    kind: GoalKind
    supervising_unit_id: int | None
    supervising_unit_name: str
    start: date
    end: date
    weight: float
    percent: float
    status: GoalStatus
    red_flag: bool
    published: bool
    reader: bool  # the caller reads the goal's set (else follows the published goal)


class SearchOut(BaseModel):
    """The goals found (the first ``MAX_ROWS``, by unit, team and tree), ``total`` found and how
    many of them are in each status."""

    year: int
    as_of: date
    total: int
    counts: dict[str, int]
    rows: list[SearchRow]


def search(
    ctx: AppContext,
    actor: Actor,
    code: str,
    year: int,
    *,
    unit_id: int | None = None,
    supervising_unit_id: int | None = None,
    kind: GoalKind | None = None,
    status: GoalStatus | None = None,
    as_of: date | None = None,
) -> SearchOut:
    """The goals of ``year`` the actor may read or follow that match every filter given."""
    as_of = as_of or today(ctx)
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        query = select(Goal).where(Goal.locality_id == locality.id, Goal.year == year)
        if unit_id is not None:
            query = query.where(Goal.unit_id == unit_id)
        sets: dict[tuple[int, int | None], list[Goal]] = {}
        for goal in session.exec(query.order_by(col(Goal.unit_id), col(Goal.team_id), col(Goal.id))):
            sets.setdefault((goal.unit_id, goal.team_id), []).append(goal)
        follows = may_follow(session, actor, locality)
        readers = {key: can_read(session, actor, locality, *key) for key in sets}
        sets = {key: goals for key, goals in sets.items() if readers[key] or follows}
        units = dict(session.exec(select(Unit.id, Unit.name).where(Unit.locality_id == locality.id)).all())
        teams = dict(session.exec(select(Team.id, Team.name).where(Team.locality_id == locality.id)).all())
        latest = latest_reports(session, [g.id for goals in sets.values() for g in goals], as_of)
        rows: list[SearchRow] = []
        counts = {s.value: 0 for s in GoalStatus}
        for (unit, team), goals in sorted(
            sets.items(), key=lambda item: (units.get(item[0][0], ""), item[0][0], item[0][1] or 0)
        ):
            nodes, _percent, _done = rolled(goals, latest, as_of)
            for goal, depth in depth_first(goals):
                node = nodes[goal.id]
                if not readers[(unit, team)] and goal.published_at is None:
                    continue
                if supervising_unit_id is not None and goal.supervising_unit_id != supervising_unit_id:
                    continue
                if kind is not None and goal.kind != kind.value:
                    continue
                if status is not None and node.status != status:
                    continue
                counts[GoalStatus(node.status).value] += 1
                if len(rows) < MAX_ROWS:
                    rows.append(
                        SearchRow(
                            id=goal.id,
                            name=goal.name,
                            unit_id=unit,
                            unit_name=units.get(unit, ""),
                            team_id=team,
                            team_name=teams.get(team, "") if team is not None else "",
                            parent_id=goal.parent_id,
                            depth=depth,
                            kind=GoalKind(goal.kind),
                            supervising_unit_id=goal.supervising_unit_id,
                            supervising_unit_name=units.get(goal.supervising_unit_id, "")
                            if goal.supervising_unit_id
                            else "",
                            start=goal.start_date,
                            end=goal.end_date,
                            weight=goal.weight,
                            percent=node.percent,
                            status=node.status,
                            red_flag=node.done,
                            published=goal.published_at is not None,
                            reader=readers[(unit, team)],
                        )
                    )
        return SearchOut(year=year, as_of=as_of, total=sum(counts.values()), counts=counts, rows=rows)


def unit_names(ctx: AppContext, actor: Actor, code: str, year: int) -> list[tuple[int, str]]:
    """The search form's choices of unit and supervising unit: for the office every unit of the
    locality; for anyone else only the units (owning or supervising) of the goals of ``year`` they
    may find, so that the form names no unit of goals hidden from them."""
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        units = [
            (u[0], u[1])
            for u in session.exec(
                select(Unit.id, Unit.name).where(Unit.locality_id == locality.id).order_by(col(Unit.code))
            )
        ]
        if actor.role in OFFICE_ROLES:
            return units
        follows = may_follow(session, actor, locality)
        readers: dict[tuple[int, int | None], bool] = {}
        shown: set[int] = set()
        rows = session.exec(
            select(Goal.unit_id, Goal.team_id, Goal.supervising_unit_id, col(Goal.published_at).is_not(None))
            .where(Goal.locality_id == locality.id, Goal.year == year)
            .distinct()
        )
        for unit, team, supervising, published in rows:
            if (unit, team) not in readers:
                readers[(unit, team)] = can_read(session, actor, locality, unit, team)
            if readers[(unit, team)] or (follows and published):
                shown.update(u for u in (unit, supervising) if u is not None)
        return [u for u in units if u[0] in shown]
