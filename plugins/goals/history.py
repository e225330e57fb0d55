"""A goal's plan against its actual progress, period by period (the progress page's line chart).

For each period in which the goal, or any goal under it, was reported (oldest first): the plan,
the share of the goal's span elapsed by the period's end (``calc.elapsed_percent``: a steady pace
from 0 % at its start to 100 % at its end), and the actual percentage, the goal's own report or,
for a goal with sub-goals, its roll-up by weight as of the period's first day (the reports of
periods begun by then, as the tree shows them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from core.context import Actor, AppContext
from core.services.access import locality_for
from plugins.goals import calc
from plugins.goals.access import goal_for
from plugins.goals.models import GoalProgress
from plugins.goals.progress import latest_reports, rolled
from plugins.goals.service import branch_ids, set_goals

MAX_POINTS = 120  # ten years of months


@dataclass(frozen=True)
class Point:
    period: str
    plan: float
    actual: float


def plan_vs_actual(ctx: AppContext, actor: Actor, code: str, goal_id: int) -> list[Point]:
    """The goal's points (see the module docstring); 404 as for reading the goal."""
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        goal = goal_for(session, actor, locality, goal_id)
        branch = branch_ids(session, goal)
        periods: dict[str, tuple[date, date]] = {}
        for period, start, end in session.exec(
            select(GoalProgress.period, GoalProgress.period_start, GoalProgress.period_end)
            .where(col(GoalProgress.goal_id).in_(branch))
            .order_by(col(GoalProgress.period_start), col(GoalProgress.period_end))
        ):
            periods.setdefault(period, (start, end))
        chosen = sorted(periods.items(), key=lambda p: (p[1][0], p[1][1]))[-MAX_POINTS:]
        if len(branch) == 1:
            own = {
                r.period: r.percent for r in session.exec(select(GoalProgress).where(GoalProgress.goal_id == goal.id))
            }
            actual = {period: own[period] for period, _span in chosen}
        else:
            goals = set_goals(session, locality.id, goal.unit_id, goal.team_id, goal.year)
            ids = [g.id for g in goals]
            actual = {}
            for period, (start, _end) in chosen:
                nodes, _p, _d = rolled(goals, latest_reports(session, ids, start), start, every_status=False)
                actual[period] = round(nodes[goal.id].percent, 2)
    return [
        Point(period, round(calc.elapsed_percent(goal.start_date, goal.end_date, end), 2), actual[period])
        for period, (_start, end) in chosen
    ]
