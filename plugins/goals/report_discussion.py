"""Comments (点评, 建议, 举报) on one progress report of a goal, and the unit's answers.

The same as comments on the goal (``plugins.goals.discussion``): whoever may read or follow the
goal (its readers; for a published goal the locality's leaders and unit admins and, where
allowed, public accounts) reads the report's comments and, acting in the goal's locality,
comments with one of the locality's kinds; the goal's writers (the unit's administrator, the
office) answer publicly or privately (a private answer: the comment's writer, the unit and the
office only); the unit is told of a new comment; the writer or the office deletes a comment
(audited by the core). 404 for a report that is not the goal's, as for a goal the actor may not
see. Comments are stored by the core under ``("goals.progress", report_id)``; they go with the
goal when a draft goal is deleted (``delete_for_goals``)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.services import discussion as core
from core.services.access import can_see_locality, locality_for
from core.services.discussion import Access, CommentOut, Resolver
from core.services.errors import NotFound
from plugins.goals.access import goal_to_follow
from plugins.goals.discussion import REPORT_TARGET, comment_on, read_target, save_answer
from plugins.goals.models import GoalProgress
from plugins.goals.schemas import AnswerIn, CommentIn, GoalDiscussion

TARGET = REPORT_TARGET
NO_REPORT = "no progress report with id {report_id} on this goal"


def resolver(code: str, goal_id: int, report_id: int) -> Resolver:
    """The core's check for report ``report_id`` of goal ``goal_id``: 404 unless the actor may read
    or follow the goal and the report is the goal's; comments from the goal's own locality."""

    def resolve(session: Session, actor: Actor) -> Access:
        locality = locality_for(session, actor, code, read_only=True)
        goal, _ = goal_to_follow(session, actor, locality, goal_id)
        report = session.get(GoalProgress, report_id) if 0 < report_id < 2**31 else None
        if report is None or report.goal_id != goal.id:
            raise NotFound(NO_REPORT, params={"report_id": report_id})
        return Access(
            locality_id=locality.id,
            may_write=can_see_locality(actor, locality.id),
            link=f"/admin/localities/{code}/goals/{goal.id}/comments#report-{report.id}",
        )

    return resolve


def comment(ctx: AppContext, actor: Actor, code: str, goal_id: int, report_id: int, data: CommentIn) -> CommentOut:
    """Comment on a progress report with one of the locality's kinds (422 for another kind; 404
    for a report that is not the goal's); the unit is told in the same transaction."""
    return comment_on(ctx, actor, code, goal_id, TARGET, report_id, resolver(code, goal_id, report_id), data)


def read(
    ctx: AppContext, actor: Actor, code: str, goal_id: int, report_id: int, kind: str | None = None
) -> GoalDiscussion:
    """The report's comments (of ``kind`` only, if given) with the answers the actor may see."""
    return read_target(
        ctx, actor, code, goal_id, TARGET, report_id, resolver(code, goal_id, report_id), kind, report_id=report_id
    )


def answer(
    ctx: AppContext, actor: Actor, code: str, goal_id: int, report_id: int, comment_id: int, data: AnswerIn
) -> GoalDiscussion:
    """Answer comment ``comment_id`` of the report (the goal's writers: 403 for other readers and
    followers; 404 for a comment not on this report)."""
    save_answer(ctx, actor, code, goal_id, comment_id, data, TARGET, report_id, resolver(code, goal_id, report_id))
    return read(ctx, actor, code, goal_id, report_id)


def delete_comment(ctx: AppContext, actor: Actor, code: str, goal_id: int, report_id: int, comment_id: int) -> None:
    """Delete a comment of the report (its writer, or the office: audited by the core)."""
    core.delete_comment(ctx, actor, TARGET, report_id, resolver(code, goal_id, report_id), comment_id)


def of_reports(
    ctx: AppContext, actor: Actor, code: str, goal_id: int, report_ids: list[int]
) -> dict[int, GoalDiscussion]:
    """The comments of each of the goal's reports, for the goal's page."""
    return {report_id: read(ctx, actor, code, goal_id, report_id) for report_id in report_ids}


def counts_of(ctx: AppContext, actor: Actor, code: str, goal_id: int) -> dict[int, int]:
    """How many comments each report of the goal has (reports without comments left out); 404
    for a goal the actor may neither read nor follow."""
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        goal, _ = goal_to_follow(session, actor, locality, goal_id)
        reports = list(session.exec(select(GoalProgress.id).where(GoalProgress.goal_id == goal.id)))
        found = core.kind_counts(session, TARGET, reports)
    return {report_id: sum(kinds.values()) for report_id, kinds in found.items()}


def delete_for_goals(session: Session, goal_ids: list[int]) -> None:
    """Remove the comments of the goals' reports in the caller's transaction (deleting the goals)."""
    if not goal_ids:
        return
    reports = session.exec(select(GoalProgress.id).where(col(GoalProgress.goal_id).in_(goal_ids))).all()
    for report_id in reports:
        core.delete_for_target(session, TARGET, report_id)
