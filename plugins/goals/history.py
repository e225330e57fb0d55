"""A goal's plan against its actual progress, period by period and year by year (the progress
page's line chart and ``GET .../goals/{id}/history``).

**Points.** For each period in which the goal, or any goal under it, was reported (oldest first):
the plan, the share of the goal's span elapsed by the period's end (``calc.elapsed_percent``: a
steady pace from 0 % at its start to 100 % at its end), and the actual percentage, the goal's own
report or, for a goal with sub-goals, its roll-up by weight as of the period's first day (the
reports of periods begun by then, as the tree shows them).

**Years.** A goal's history runs over every year it lives in: a goal whose span covers several
years is reported in each of them, and a goal copied to a later year (``copying.copy_goals`` keeps
every field and names the goal in ``copied_from``) goes on as that year's goal. The *lineage* of
a goal is the goal, the goals it was copied from (back along ``copied_from``) and the copies made
from it or from them (the goal's own copies first), whatever they are called now. Copies made
before goals kept the link are found by name: for a year before the oldest linked goal (of any
year when the goal has no link), the goal of the same unit and team at the same place of its tree
(the same names from the top goal down) as that oldest goal. Of several goals of a year the first
by sort order and id counts. The points of the lineage are grouped by the calendar
year of their period, one series a year, each with the plan of the goal it was reported on; of
two goals reporting the same period, the one of that year wins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.services.access import locality_for
from plugins.goals import calc
from plugins.goals.access import goal_for
from plugins.goals.models import Goal, GoalProgress
from plugins.goals.progress import latest_reports, rolled
from plugins.goals.service import branch_ids, set_goals

MAX_POINTS = 120  # ten years of months
MAX_YEARS = 10  # years in a lineage


@dataclass(frozen=True)
class Point:
    period: str
    plan: float
    actual: float


@dataclass(frozen=True)
class Series:
    """One calendar year's points (``goal_id``: the goal most of them were reported on)."""

    year: int
    goal_id: int
    points: list[Point]


@dataclass(frozen=True)
class History:
    """A goal's lineage history: every ``year`` with points, the ``chosen`` ones and their series
    (oldest first)."""

    goal_id: int
    years: list[int]
    chosen: list[int]
    series: list[Series] = field(default_factory=list)

    @property
    def points(self) -> list[Point]:
        return [p for s in self.series for p in s.points]


def plan_vs_actual(ctx: AppContext, actor: Actor, code: str, goal_id: int) -> list[Point]:
    """The goal's own points (see the module docstring), of every year; 404 as for reading it."""
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        goal = goal_for(session, actor, locality, goal_id)
        return [p for _span, p in _points(session, goal)]


def across_years(ctx: AppContext, actor: Actor, code: str, goal_id: int, years: list[int] | None = None) -> History:
    """The goal's lineage, a series per calendar year (see the module docstring); ``years``: the
    years to give (those of them with points; none or none known: every year). 404 as for
    reading the goal."""
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        goal = goal_for(session, actor, locality, goal_id)
        # calendar year -> period -> ((start, end), the reporting goal's year, its id, the point)
        by_year: dict[int, dict[str, tuple[tuple[date, date], int, int, Point]]] = {}
        for other in lineage(session, goal):
            for span, point in _points(session, other):
                kept = by_year.setdefault(span[0].year, {}).get(point.period)
                if kept is None or (other.year == span[0].year and kept[1] != span[0].year):
                    by_year[span[0].year][point.period] = (span, other.year, other.id, point)
    known = sorted(by_year)[-MAX_YEARS:]
    chosen = [y for y in known if y in set(years or [])] or known
    series = []
    for year in chosen:
        rows = sorted(by_year[year].values(), key=lambda r: r[0])
        owners = [r[2] for r in rows]
        series.append(Series(year, max(sorted(set(owners)), key=owners.count), [r[3] for r in rows]))
    return History(goal.id, known, chosen, series)


def lineage(session: Session, goal: Goal) -> list[Goal]:
    """The goal, its originals and copies, and its namesakes of other years (see the module
    docstring), by year."""
    found: dict[int, Goal] = {goal.year: goal}
    seen = {goal.id}
    root = goal
    while root.copied_from is not None and root.copied_from not in seen:
        original = session.get(Goal, root.copied_from)
        if original is None or original.locality_id != goal.locality_id:
            break
        seen.add(original.id)
        found.setdefault(original.year, original)
        root = original
    for start in (goal, root):  # the goal's own copies, then those of the originals' other copies
        frontier = [start.id]
        while frontier:
            copies = session.exec(
                select(Goal)
                .where(Goal.locality_id == goal.locality_id, col(Goal.copied_from).in_(frontier))
                .order_by(col(Goal.year), col(Goal.sort_order), col(Goal.id))
            ).all()
            frontier = []
            for copy in copies:
                if copy.id in seen:
                    continue
                seen.add(copy.id)
                found.setdefault(copy.year, copy)
                frontier.append(copy.id)
    # copies made before the link was kept: the root's namesakes of the years before it (of any
    # year when no link was found at all)
    path = _names(session, root)
    query = select(Goal).where(
        Goal.locality_id == goal.locality_id,
        Goal.unit_id == goal.unit_id,
        Goal.name == root.name,
        col(Goal.year).not_in(list(found)),
    )
    if len(seen) > 1:
        query = query.where(Goal.year < root.year)
    query = (
        query.where(Goal.team_id == goal.team_id)
        if goal.team_id is not None
        else query.where(col(Goal.team_id).is_(None))
    )
    for other in session.exec(query.order_by(col(Goal.year), col(Goal.sort_order), col(Goal.id))):
        if other.year not in found and _names(session, other) == path:
            found[other.year] = other
    return [found[y] for y in sorted(found)]


def _names(session: Session, goal: Goal) -> list[str]:
    """The names from the top goal down to ``goal``."""
    names, parent_id, seen = [goal.name], goal.parent_id, {goal.id}
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        row = session.exec(select(Goal.name, Goal.parent_id).where(Goal.id == parent_id)).first()
        if row is None:
            break
        names.append(row[0])
        parent_id = row[1]
    return names[::-1]


def _points(session: Session, goal: Goal) -> list[tuple[tuple[date, date], Point]]:
    """The goal's points, each with its period's (start, end)."""
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
        own = {r.period: r.percent for r in session.exec(select(GoalProgress).where(GoalProgress.goal_id == goal.id))}
        actual = {period: own[period] for period, _span in chosen}
    else:
        goals = set_goals(session, goal.locality_id, goal.unit_id, goal.team_id, goal.year)
        ids = [g.id for g in goals]
        actual = {}
        for period, (start, _end) in chosen:
            nodes, _p, _d = rolled(goals, latest_reports(session, ids, start), start, every_status=False)
            actual[period] = round(nodes[goal.id].percent, 2)
    return [
        (span, Point(period, round(calc.elapsed_percent(goal.start_date, goal.end_date, span[1]), 2), actual[period]))
        for period, span in chosen
    ]
