"""Comments (点评, 建议, 举报) on goals through the core's discussion, and the unit's answers.

**Who.** Whoever may read a goal (``plugins.goals.access``) may read its comments and likes, and,
acting in the goal's own locality, comment and like. A *published* goal is also followed by the
locality's leaders and unit admins (county leaders, other units, supervising units) and, where
the locality's option ``public_comments`` allows it, by ``public`` accounts: they comment and
like too. Anyone else gets 404, drafts included.

**Kinds.** A comment is of one of the locality's kinds (option ``comment_kinds``: 点评, 建议,
举报 by default; the first when none is chosen), kept in the core's ``comments.kind``; the list
can be filtered by kind and counts comments by kind.

**Answers.** The goal's writers (the unit's administrator, the office) answer a comment,
choosing whether the answer is public (every reader and follower sees it under the comment) or
private (only the comment's writer, the unit and the office see it); answering again replaces
the answer. Comments without an answer are counted for the unit. Deleting a comment (its
writer, or the office removing a duplicate: audited by the core) takes its answer with it.

**Reports.** One progress report of a goal is commented on the same way, with the same kinds,
answers and permissions (``plugins.goals.report_discussion``); the overview counts a goal's
comments with those on its reports (the answers are kept per goal, whatever they answer)."""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Comment, Like, Unit
from core.models.base import utcnow
from core.services import discussion
from core.services.access import can_see_locality, locality_for
from core.services.discussion import Access, CommentOut, Resolver
from core.services.errors import Forbidden, NotFound
from plugins.goals import notices
from plugins.goals.access import (
    MAY_NOT_CHANGE,
    can_read,
    can_write,
    comment_kinds,
    goal_to_follow,
    invalid,
    may_follow,
)
from plugins.goals.models import Goal, GoalAnswer, GoalProgress
from plugins.goals.schemas import (
    AnswerIn,
    AnswerOut,
    CommentedGoal,
    CommentIn,
    CommentsOverview,
    GoalComment,
    GoalDiscussion,
)

TARGET = "goals.goal"
REPORT_TARGET = "goals.progress"  # a progress report (``plugins.goals.report_discussion``)
NO_COMMENT = "no comment with id {comment_id} on this goal"
BAD_KIND = "a comment is one of: {kinds}"


def resolver(code: str, goal_id: int) -> Resolver:
    """The core's check for goal ``goal_id`` of locality ``code`` (404 for a goal the actor may
    neither read nor follow; comments and likes from the goal's own locality)."""

    def resolve(session: Session, actor: Actor) -> Access:
        locality = locality_for(session, actor, code, read_only=True)
        goal, _ = goal_to_follow(session, actor, locality, goal_id)
        return Access(
            locality_id=locality.id,
            may_write=can_see_locality(actor, locality.id),
            link=notices.goal_link(code, goal.id),
        )

    return resolve


def check_kind(session: Session, locality_id: int, kind: str | None) -> str:
    """The kind of a new comment: one of the locality's (422 naming them), the first if none."""
    kinds = comment_kinds(session, locality_id)
    if kind is None or not kind.strip():
        return kinds[0]
    if kind.strip() not in kinds:
        raise invalid("kind", BAD_KIND, kinds="、".join(kinds))
    return kind.strip()


def comment(ctx: AppContext, actor: Actor, code: str, goal_id: int, data: CommentIn) -> CommentOut:
    """Comment on a goal with one of the locality's kinds (422 for another kind; 404/403 as the
    core's ``add_comment``); the unit is told (``plugins.goals.notices``) in the same transaction."""
    return comment_on(ctx, actor, code, goal_id, TARGET, goal_id, resolver(code, goal_id), data)


def comment_on(
    ctx: AppContext,
    actor: Actor,
    code: str,
    goal_id: int,
    target: str,
    target_id: int,
    resolve: Resolver,
    data: CommentIn,
) -> CommentOut:
    """Comment on ``(target, target_id)`` of goal ``goal_id`` (the goal itself or one of its
    progress reports, ``resolve`` checking it: 404 before the kind's check) with one of the
    locality's kinds; the goal's unit is told in the comment's transaction."""
    with ctx.db.read() as session:
        access = resolve(session, actor)
        kind = check_kind(session, access.locality_id, data.kind)

    def tell(session: Session, row: Comment) -> None:
        notices.tell_unit(session, actor, code, goal_id, row)

    return discussion.add_comment(ctx, actor, target, target_id, resolve, data.body, kind=kind, after=tell)


def delete_comment(ctx: AppContext, actor: Actor, code: str, goal_id: int, comment_id: int) -> None:
    """Delete a comment of the goal (its writer, or the office removing a duplicate: audited by
    the core)."""
    discussion.delete_comment(ctx, actor, TARGET, goal_id, resolver(code, goal_id), comment_id)


def read(ctx: AppContext, actor: Actor, code: str, goal_id: int, kind: str | None = None) -> GoalDiscussion:
    """The goal's comments (of ``kind`` only, if given) with the answers the actor may see, and
    its likes; ``counts`` counts every comment by kind."""
    return read_target(ctx, actor, code, goal_id, TARGET, goal_id, resolver(code, goal_id), kind)


def read_target(
    ctx: AppContext,
    actor: Actor,
    code: str,
    goal_id: int,
    target: str,
    target_id: int,
    resolve: Resolver,
    kind: str | None = None,
    report_id: int | None = None,
) -> GoalDiscussion:
    """The comments on ``(target, target_id)`` (the goal itself or one of its progress reports,
    ``resolve`` checking it) with the answers the actor may see, as ``read`` tells."""
    base = discussion.read(ctx, actor, target, target_id, resolve)
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        goal, reads = goal_to_follow(session, actor, locality, goal_id)
        kinds = comment_kinds(session, locality.id)
        answering = can_write(actor, locality, goal.unit_id)
        ids = [c.id for c in base.comments]
        answers = {
            a.comment_id: a
            for start in range(0, len(ids), 4000)
            for a in session.exec(select(GoalAnswer).where(col(GoalAnswer.comment_id).in_(ids[start : start + 4000])))
        }
        writers = {c.id: c.user_id for c in session.exec(select(Comment).where(col(Comment.id).in_(list(answers))))}
    comments, counts = [], {}
    for c in base.comments:
        counts[c.kind or ""] = counts.get(c.kind or "", 0) + 1
        answer = answers.get(c.id)
        shown = answer is not None and (answer.public or answering or writers.get(c.id) == actor.user_id)
        comments.append(
            GoalComment(
                **c.model_dump(),
                answer=AnswerOut(
                    body=answer.body,
                    public=answer.public,
                    answered_by=answer.answered_by,
                    answered_at=answer.answered_at,
                )
                if shown
                else None,
                answered=answer is not None if answering else shown,
            )
        )
    return GoalDiscussion(
        goal_id=goal_id,
        report_id=report_id,
        comments=[c for c in comments if kind is None or c.kind == kind],
        likes=base.likes,
        liked=base.liked,
        may_write=base.may_write,
        may_answer=answering,
        unanswered=sum(1 for c in comments if not c.answered) if answering else 0,
        kinds=kinds,
        counts=counts,
        kind=kind,
        follower=not reads,
    )


def answer(ctx: AppContext, actor: Actor, code: str, goal_id: int, comment_id: int, data: AnswerIn) -> GoalDiscussion:
    """Answer comment ``comment_id`` of ``goal_id`` (the goal's writers: 403 for other readers
    and followers; 404 for a comment not on this goal)."""
    save_answer(ctx, actor, code, goal_id, comment_id, data, TARGET, goal_id)
    return read(ctx, actor, code, goal_id)


def save_answer(
    ctx: AppContext,
    actor: Actor,
    code: str,
    goal_id: int,
    comment_id: int,
    data: AnswerIn,
    target: str,
    target_id: int,
    resolve: Resolver | None = None,
) -> None:
    """Answer comment ``comment_id`` on ``(target, target_id)`` of goal ``goal_id`` (``resolve``,
    if given, checks the target is the goal's: 404 otherwise), in one transaction."""
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        goal, _ = goal_to_follow(session, actor, locality, goal_id)
        if resolve is not None:
            resolve(session, actor)
        if not can_write(actor, locality, goal.unit_id):
            raise Forbidden(MAY_NOT_CHANGE)
        comment = session.get(Comment, comment_id) if 0 < comment_id < 2**31 else None
        if comment is None or comment.target_type != target or comment.target_id != target_id:
            raise NotFound(NO_COMMENT, params={"comment_id": comment_id})
        row = session.exec(select(GoalAnswer).where(GoalAnswer.comment_id == comment.id)).first()
        if row is None:
            row = GoalAnswer(locality_id=locality.id, goal_id=goal.id, comment_id=comment.id)
        row.body, row.public = data.body.replace("\r\n", "\n").strip(), data.public
        row.answered_by, row.answered_at = actor.username, utcnow()
        session.add(row)


def overview(
    ctx: AppContext, actor: Actor, code: str, year: int, unit_id: int | None = None, kind: str | None = None
) -> CommentsOverview:
    """The goals of ``year`` the actor may read or follow, with their comments by kind and (for the
    goals it answers for) how many wait for an answer. With ``unit_id``: every such goal of that
    unit; without: only goals with comments, those waiting for an answer first. ``kind`` keeps
    the goals with comments of that kind. Nothing of a goal the actor may not see is counted."""
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        kinds = comment_kinds(session, locality.id)
        follows = may_follow(session, actor, locality)
        query = select(Goal).where(Goal.locality_id == locality.id, Goal.year == year)
        if unit_id is not None:
            query = query.where(Goal.unit_id == unit_id)
        else:
            commented = select(Comment.target_id).where(
                Comment.locality_id == locality.id, Comment.target_type == TARGET
            )
            on_reports = select(GoalProgress.goal_id).where(
                GoalProgress.locality_id == locality.id,
                col(GoalProgress.id).in_(
                    select(Comment.target_id).where(
                        Comment.locality_id == locality.id, Comment.target_type == REPORT_TARGET
                    )
                ),
            )
            query = query.where(or_(col(Goal.id).in_(commented), col(Goal.id).in_(on_reports)))
        readable: dict[tuple[int, int | None], bool] = {}

        def sees(unit: int, team: int | None, published: bool) -> bool:
            if (unit, team) not in readable:
                readable[(unit, team)] = can_read(session, actor, locality, unit, team)
            return readable[(unit, team)] or (follows and published)

        sets = session.exec(
            select(Goal.unit_id, Goal.team_id, func.count(Goal.published_at))
            .where(Goal.locality_id == locality.id, Goal.year == year)
            .group_by(Goal.unit_id, Goal.team_id)
        ).all()
        unit_ids = {unit for unit, team, published in sets if sees(unit, team, published > 0)}
        goals = []
        for goal in session.exec(query.order_by(col(Goal.unit_id), col(Goal.sort_order), col(Goal.id))):
            if sees(goal.unit_id, goal.team_id, goal.published_at is not None):
                goals.append(goal)
        ids = [g.id for g in goals]
        by_kind = {tid: {(k or ""): n for k, n in found.items()} for tid, found in _chunked(session, ids, _kind_counts)}
        for goal_id, found_kind, n in _chunked(session, ids, _report_kind_counts):
            counts = by_kind.setdefault(goal_id, {})
            counts[found_kind or ""] = counts.get(found_kind or "", 0) + n
        likes = dict(_chunked(session, ids, _like_counts))
        answered = dict(_chunked(session, ids, _answer_counts))
        units = dict(session.exec(select(Unit.id, Unit.name).where(Unit.locality_id == locality.id)).all())
    rows = []
    for goal in goals:
        counts = by_kind.get(goal.id, {})
        if kind is not None and not counts.get(kind):
            continue
        total = sum(counts.values())
        answers = can_write(actor, locality, goal.unit_id)
        rows.append(
            CommentedGoal(
                goal_id=goal.id,
                name=goal.name,
                unit_id=goal.unit_id,
                unit_name=units.get(goal.unit_id, ""),
                team_id=goal.team_id,
                year=goal.year,
                published=goal.published_at is not None,
                comments=total,
                counts=counts,
                unanswered=total - answered.get(goal.id, 0) if answers else None,
                likes=likes.get(goal.id, 0),
            )
        )
    if unit_id is None:
        rows.sort(key=lambda r: (-(r.unanswered or 0), r.unit_name, r.goal_id))
    return CommentsOverview(
        year=year,
        unit_id=unit_id,
        kind=kind,
        kinds=kinds,
        goals=rows,
        unanswered=sum(r.unanswered or 0 for r in rows),
        units=sorted(((u, units.get(u, "")) for u in unit_ids), key=lambda u: u[1]),
    )


def _chunked(session: Session, ids: list[int], count) -> list:
    found: list = []
    for start in range(0, len(ids), 4000):
        found += count(session, ids[start : start + 4000])
    return found


def _kind_counts(session: Session, ids: list[int]) -> list:
    return list(discussion.kind_counts(session, TARGET, ids).items())


def _report_kind_counts(session: Session, ids: list[int]) -> list:
    """(goal id, kind, how many) of the comments on the goals' progress reports."""
    return list(
        session.exec(
            select(GoalProgress.goal_id, Comment.kind, func.count())
            .join(Comment, col(Comment.target_id) == col(GoalProgress.id))
            .where(Comment.target_type == REPORT_TARGET, col(GoalProgress.goal_id).in_(ids))
            .group_by(GoalProgress.goal_id, Comment.kind)
        ).all()
    )


def _like_counts(session: Session, ids: list[int]) -> list:
    return list(
        session.exec(
            select(Like.target_id, func.count())
            .where(Like.target_type == TARGET, col(Like.target_id).in_(ids))
            .group_by(Like.target_id)
        ).all()
    )


def _answer_counts(session: Session, ids: list[int]) -> list:
    return list(
        session.exec(
            select(GoalAnswer.goal_id, func.count())
            .where(col(GoalAnswer.goal_id).in_(ids))
            .group_by(GoalAnswer.goal_id)
        ).all()
    )
