"""The goals plugin's answer to ``kaoping_person_warnings``: the people given a published goal
of the year of ``on`` that is behind schedule or overdue on ``on`` (``calc.status``: behind when
its percentage is below the share of its span elapsed), one warning per person and goal, keyed
``goals:<goal id>`` so a reader (the cadre cloud) raises it once, each with the ``link`` of the
goal's page (``goal_link``: its reports and comments, which the person's supervisors, county
leaders, may open as followers of a published goal).

The whole locality's goals of the year are read in a few queries (as the office's status view)
and rolled up in Python."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import col, select

from core.context import AppContext
from core.models import Locality
from plugins.goals import calc
from plugins.goals.models import Goal, GoalAssignment, GoalStatus
from plugins.goals.notices import goal_link
from plugins.goals.progress import latest_reports

BEHIND = "{name}: the goal “{goal}” of {year} is behind schedule ({percent}% done)"
OVERDUE = "{name}: the goal “{goal}” of {year} is overdue ({percent}% done)"


def person_warnings(ctx: AppContext, locality_id: int, on: date) -> list[dict[str, Any]]:
    with ctx.db.read() as session:
        of_year = (
            Goal.locality_id == locality_id,
            Goal.year == on.year,
            col(Goal.published_at).is_not(None),
        )
        goals = session.exec(
            select(Goal.id, Goal.parent_id, Goal.weight, Goal.start_date, Goal.end_date, Goal.name).where(*of_year)
        ).all()
        if not goals:
            return []
        code = session.exec(select(Locality.code).where(Locality.id == locality_id)).one()
        latest = {
            goal_id: (row.percent, row.done)
            for goal_id, row in latest_reports(session, select(Goal.id).where(*of_year), on).items()
        }
        assigned = session.exec(
            select(GoalAssignment.goal_id, GoalAssignment.person_id)
            .join(Goal, col(Goal.id) == GoalAssignment.goal_id)
            .where(*of_year)
        ).all()
    nodes: dict[int, calc.Node] = {}
    names: dict[int, str] = {}
    for goal_id, _parent, weight, start, end, name in goals:
        percent, done = latest.get(goal_id, (0.0, False))
        nodes[goal_id] = calc.Node(goal_id, weight, start, end, percent, done, [])
        names[goal_id] = name
    roots = []
    for goal_id, parent_id, *_rest in goals:
        parent = nodes.get(parent_id) if parent_id is not None else None
        (parent.children if parent is not None else roots).append(nodes[goal_id])
    calc.rollup(roots, on)
    found = []
    for goal_id, person_id in assigned:
        node = nodes.get(goal_id)
        if node is None or node.status not in (GoalStatus.behind, GoalStatus.overdue):
            continue
        found.append(
            {
                "person_id": person_id,
                "key": f"goals:{goal_id}",
                "source": "goals",
                "message_id": BEHIND if node.status == GoalStatus.behind else OVERDUE,
                "params": {"goal": names[goal_id][:100], "year": on.year, "percent": round(node.percent)},
                "link": goal_link(code, goal_id),
            }
        )
    return found
