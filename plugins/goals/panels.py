"""The goals' panel on the ballot (hook ``kaoping_subject_panels``, SPEC 3: 测评时可按权限查询被测评
对象的相关信息): for a team subject its published goals, for a unit subject the unit's own, for a
person subject the published goals given to them (with role and share), each with its rolled-up
percentage and status; the year is the latest one with published goals, not after this year (a
January campaign looks back on last year).

Only published goals: a draft is the unit's own business until it is published. The core shows
panels only where the campaign allows it and caps their items; this reads, never writes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.context import AppContext
from core.services.subject_panels import PanelItem, SubjectPanel, SubjectRef
from plugins.goals.access import today
from plugins.goals.models import Goal, GoalAssignment, GoalProgress
from plugins.goals.progress import latest_reports, rolled
from plugins.goals.service import depth_first

KEY = "goals.progress"
STATUS_WORDS = {
    "on_track": ("正常推进", "on track"),
    "behind": ("进度滞后", "behind"),
    "overdue": ("已逾期", "overdue"),
    "done": ("已完成", "done"),
}


def goal_panels(ctx: AppContext, locality_id: int, subjects: list[SubjectRef]) -> list[SubjectPanel]:
    """A panel per team, unit or person subject with published goals (see the module docstring)."""
    wanted = [s for s in subjects if s.kind in ("team", "unit", "person") and s.ref_id is not None]
    if not wanted:
        return []
    as_of = today(ctx)
    panels = []
    with ctx.db.read() as session:
        for subject in wanted:
            panel = _panel(session, locality_id, subject, as_of)
            if panel is not None:
                panels.append(panel)
    return panels


def _published(locality_id: int) -> Any:
    return select(Goal).where(Goal.locality_id == locality_id, col(Goal.published_at).is_not(None))


def _year(session: Session, query: Any, as_of: date) -> int | None:
    years = query.with_only_columns(func.max(Goal.year)).where(Goal.year <= as_of.year)
    return session.execute(years).scalar()


def _panel(session: Session, locality_id: int, subject: SubjectRef, as_of: date) -> SubjectPanel | None:
    if subject.kind == "person":
        return _person_panel(session, locality_id, subject, as_of)
    query = _published(locality_id)
    if subject.kind == "team":
        query = query.where(Goal.team_id == subject.ref_id)
    else:
        query = query.where(Goal.unit_id == subject.ref_id, col(Goal.team_id).is_(None))
    year = _year(session, query, as_of)
    if year is None:
        return None
    goals = list(session.exec(query.where(Goal.year == year).order_by(col(Goal.sort_order), col(Goal.id))))
    items = _items(session, goals, {g.id for g in goals if g.parent_id is None}, as_of, {})
    return _titled(subject, year, items)


def _person_panel(session: Session, locality_id: int, subject: SubjectRef, as_of: date) -> SubjectPanel | None:
    mine = _published(locality_id).join(GoalAssignment, col(GoalAssignment.goal_id) == Goal.id)
    mine = mine.where(GoalAssignment.person_id == subject.ref_id)
    year = _year(session, mine, as_of)
    if year is None:
        return None
    roles = {
        goal_id: (role, share)
        for goal_id, role, share in session.exec(
            select(GoalAssignment.goal_id, GoalAssignment.role, GoalAssignment.share)
            .join(Goal, col(Goal.id) == GoalAssignment.goal_id)
            .where(GoalAssignment.person_id == subject.ref_id, Goal.year == year, Goal.locality_id == locality_id)
        )
    }
    sets = {(g.unit_id, g.team_id) for g in session.exec(mine.where(Goal.year == year))}
    items: list[PanelItem] = []
    for unit_id, team_id in sorted(sets, key=lambda s: (s[0], s[1] or 0)):
        query = _published(locality_id).where(Goal.unit_id == unit_id, Goal.year == year)
        query = (
            query.where(Goal.team_id == team_id) if team_id is not None else query.where(col(Goal.team_id).is_(None))
        )
        goals = list(session.exec(query.order_by(col(Goal.sort_order), col(Goal.id))))
        items.extend(_items(session, goals, set(roles), as_of, roles))
    return _titled(subject, year, items)


def _items(
    session: Session, goals: list[Goal], shown: set[int], as_of: date, roles: dict[int, tuple[str, float]]
) -> list[PanelItem]:
    """An item per goal of ``shown`` in tree order: name, percentage and status (and the person's
    role and share) as the heading, the latest report's work done (else the completion standard)."""
    ids = [g.id for g in goals]
    latest = latest_reports(session, ids, as_of)
    nodes, _percent, _done = rolled(goals, latest, as_of)
    texts = _work_done(session, [latest[i] for i in ids if i in latest and i in shown])
    items = []
    for goal, _depth in depth_first(goals):
        if goal.id not in shown:
            continue
        node = nodes[goal.id]
        zh, en = STATUS_WORDS[node.status.value]
        flag = "🚩" if node.done else ""
        heading = f"{flag}{goal.name}（完成 {node.percent:g}%，{zh}"
        heading_en = f"{flag}{goal.name} ({node.percent:g} % done, {en}"
        if goal.id in roles:
            role, share = roles[goal.id]
            heading += f"；{role} {share:g}%"
            heading_en += f"; {role} {share:g} %"
        items.append(
            PanelItem(
                heading=heading + "）",
                heading_en=heading_en + ")",
                text=texts.get(goal.id) or goal.standard,
            )
        )
    return items


def _work_done(session: Session, reports: Iterable[Any]) -> dict[int, str]:
    """The ``work_done`` of each of these latest reports (rows with ``goal_id`` and ``period``)."""
    wanted = {(r.goal_id, r.period) for r in reports}
    if not wanted:
        return {}
    rows = session.exec(
        select(GoalProgress.goal_id, GoalProgress.period, GoalProgress.work_done).where(
            col(GoalProgress.goal_id).in_(sorted({g for g, _p in wanted}))
        )
    )
    return {goal_id: text for goal_id, period, text in rows if (goal_id, period) in wanted and text}


def _titled(subject: SubjectRef, year: int, items: list[PanelItem]) -> SubjectPanel | None:
    if not items:
        return None
    return SubjectPanel(
        subject_id=subject.id,
        key=KEY,
        title_zh=f"{year}年工作目标及进展",
        title_en=f"Goals and progress, {year}",
        items=tuple(items),
    )
