"""Goal-making shortcuts for the goals' tests."""

from __future__ import annotations

from datetime import date

from plugins.goals import service
from plugins.goals.schemas import GoalIn, GoalOut
from tests.plugins.goals.setup import YEAR, World


def goal(ctx, world: World, name: str, *, actor=None, team: bool = True, **fields) -> GoalOut:
    """A goal of the team (``team=False``: of unit A) in ``YEAR``, created by unit A's admin."""
    data = {
        "unit_id": world.unit_a,
        "team_id": world.team if team else None,
        "year": YEAR,
        "name": name,
        "start": date(YEAR, 1, 1),
        "end": date(YEAR, 12, 31),
        **fields,
    }
    return service.create_goal(ctx, actor or world.actors["admin_a"], world.code, GoalIn(**data))


def revenue(ctx, world: World, name: str = "一般公共预算收入增长", **fields) -> GoalOut:
    """A quantitative goal: revenue from 10 to 12 (亿元)."""
    return goal(ctx, world, name, kind="quantitative", indicator_id=world.indicator, baseline=10, target=12, **fields)
