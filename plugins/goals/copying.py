"""Copying a set's goals (or chosen branches) to a later year, every field kept."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from core.context import Actor, AppContext
from core.services import audit
from core.services.access import locality_for
from plugins.goals import rollups
from plugins.goals.access import invalid, readable_set
from plugins.goals.models import Goal, GoalAssignment
from plugins.goals.schemas import CopyIn, GoalOut
from plugins.goals.service import COPIED_FIELDS, branch_ids, depth_first, goal_out, next_order, set_goals


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def copy_goals(ctx: AppContext, actor: Actor, code: str, data: CopyIn) -> list[GoalOut]:
    """Copy a set's goals, or the branches of ``data.goal_ids``, to ``data.to_year`` (default:
    the next year), every field kept, dates moved by the years between, people kept, each copy
    naming the goal it was copied from (``copied_from``: the goal's history across years follows
    it); each copied branch goes to the top of the new set, after its goals. The copies are
    drafts. Answers the copies depth first. 422 for a goal id not of the set, or a year that is
    not later."""
    to_year = data.to_year if data.to_year is not None else data.year + 1
    if to_year <= data.year:
        raise invalid("to_year", "copy to a later year than {year}", year=data.year)
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        readable_set(session, actor, locality, data.unit_id, data.team_id, write=True)
        goals = set_goals(session, locality.id, data.unit_id, data.team_id, data.year)
        by_id = {g.id: g for g in goals}
        if data.goal_ids is None:
            chosen = {g.id for g in goals}
        else:
            unknown = [i for i in data.goal_ids if i not in by_id]
            if unknown:
                raise invalid(
                    "goal_ids",
                    "goals {ids} are not goals of this unit, team and year",
                    ids=", ".join(map(str, unknown)),
                )
            chosen = set()
            for goal_id in data.goal_ids:
                chosen.update(branch_ids(session, by_id[goal_id]))
        years = to_year - data.year
        first = next_order(session, locality.id, data.unit_id, data.team_id, to_year, None)
        copies: dict[int, Goal] = {}
        tops = 0
        for goal, _depth in depth_first(goals):
            if goal.id not in chosen:
                continue
            parent = copies.get(goal.parent_id) if goal.parent_id is not None else None
            copy = Goal(
                locality_id=locality.id,
                unit_id=goal.unit_id,
                team_id=goal.team_id,
                year=to_year,
                parent_id=parent.id if parent is not None else None,
                copied_from=goal.id,
                start_date=_shift_year(goal.start_date, years),
                end_date=_shift_year(goal.end_date, years),
                **{name: getattr(goal, name) for name in COPIED_FIELDS},
            )
            if parent is None:
                copy.sort_order = first + tops
                tops += 1
            session.add(copy)
            session.flush()
            copies[goal.id] = copy
        for row in session.exec(select(GoalAssignment).where(col(GoalAssignment.goal_id).in_(list(copies)))):
            session.add(
                GoalAssignment(
                    locality_id=locality.id,
                    goal_id=copies[row.goal_id].id,
                    person_id=row.person_id,
                    role=row.role,
                    share=row.share,
                )
            )
        rollups.touch_goals(session, copies.values())
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="goals.copied",
            target_type="goal_set",
            target_id=f"{data.unit_id}/{data.team_id or ''}/{data.year}",
            after={"to_year": to_year, "goals": len(copies)},
        )
        session.flush()
        return [goal_out(c) for c in copies.values()]
