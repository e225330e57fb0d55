"""A goal as its readers and followers see it beside its comments (``FollowedGoal``): what it
is, its rolled-up progress and status, its reports (newest first) with their files. Who may
follow is ``plugins.goals.access.goal_to_follow``'s decision (404 otherwise)."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import Unit
from core.services.access import can_see_locality, locality_for
from plugins.goals import files
from plugins.goals.access import can_write, goal_to_follow, today
from plugins.goals.models import GoalIndicator, GoalProgress
from plugins.goals.schemas import FollowedGoal, FollowedReport


def followed_goal(ctx: AppContext, actor: Actor, code: str, goal_id: int, as_of: date | None = None) -> FollowedGoal:
    from plugins.goals.progress import _carries, latest_reports, rolled
    from plugins.goals.service import set_goals

    as_of = as_of or today(ctx)
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        goal, reads = goal_to_follow(session, actor, locality, goal_id)
        tree = set_goals(session, locality.id, goal.unit_id, goal.team_id, goal.year)
        nodes, _p, _d = rolled(tree, latest_reports(session, [g.id for g in tree], as_of), as_of)
        node = nodes[goal.id]
        reports = list(
            session.exec(
                select(GoalProgress)
                .where(GoalProgress.goal_id == goal.id)
                .order_by(col(GoalProgress.period_start).desc(), col(GoalProgress.id).desc())
            )
        )
        attached = files.files_of(session, actor, locality.id, [r.id for r in reports])
        unit = session.get(Unit, goal.unit_id)
        indicator = session.get(GoalIndicator, goal.indicator_id) if goal.indicator_id else None
        may_attach = can_see_locality(actor, locality.id) and (
            can_write(actor, locality, goal.unit_id) or (reads and _carries(session, actor, locality, goal))
        )
        return FollowedGoal(
            id=goal.id,
            name=goal.name,
            unit_id=goal.unit_id,
            unit_name=unit.name if unit is not None else "",
            team_id=goal.team_id,
            year=goal.year,
            kind=goal.kind,
            start=goal.start_date,
            end=goal.end_date,
            standard=goal.standard,
            measure=indicator.measure if indicator is not None else "",
            baseline=goal.baseline,
            target=goal.target,
            published=goal.published_at is not None,
            percent=node.percent,
            status=node.status,
            red_flag=node.done,
            reports=[
                FollowedReport(
                    id=r.id,
                    period=r.period,
                    actual=r.actual,
                    percent=r.percent,
                    done=r.done,
                    work_done=r.work_done,
                    delay_reasons=r.delay_reasons,
                    reported_at=r.reported_at,
                    files=attached.get(r.id, []),
                )
                for r in reports
            ],
            may_attach=may_attach,
            reads=reads,
        )
