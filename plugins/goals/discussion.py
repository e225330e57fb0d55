"""Comments (点评) on goals through the core's discussion, and the unit's answers.

Whoever may read a goal (``plugins.goals.access``) may read its comments and likes, and, acting
in the goal's own locality, comment and like; anyone else gets 404. The goal's writers (the unit's
administrator, the office) answer a comment, choosing whether the answer is public (every reader
sees it under the comment) or private (only the comment's writer, the unit and the office see
it); answering again replaces the answer. Comments without an answer are counted for the unit.
Deleting a comment (its writer, or the office: audited by the core) takes its answer with it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Comment
from core.models.base import utcnow
from core.services import discussion
from core.services.access import can_see_locality, locality_for
from core.services.discussion import Access, Resolver
from core.services.errors import Forbidden, NotFound
from plugins.goals.access import MAY_NOT_CHANGE, can_write, goal_for
from plugins.goals.models import GoalAnswer
from plugins.goals.schemas import AnswerIn, AnswerOut, GoalComment, GoalDiscussion

TARGET = "goals.goal"
NO_COMMENT = "no comment with id {comment_id} on this goal"


def resolver(code: str, goal_id: int) -> Resolver:
    """The core's check for goal ``goal_id`` of locality ``code`` (404 for a goal the actor may
    not read; comments and likes from the goal's own locality)."""

    def resolve(session: Session, actor: Actor) -> Access:
        locality = locality_for(session, actor, code, read_only=True)
        goal = goal_for(session, actor, locality, goal_id)
        return Access(
            locality_id=locality.id,
            may_write=can_see_locality(actor, locality.id),
            link=f"/admin/localities/{code}/goals/{goal.id}/progress",
        )

    return resolve


def read(ctx: AppContext, actor: Actor, code: str, goal_id: int) -> GoalDiscussion:
    """The goal's comments with the answers the actor may see, and its likes."""
    base = discussion.read(ctx, actor, TARGET, goal_id, resolver(code, goal_id))
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        goal = goal_for(session, actor, locality, goal_id)
        answering = can_write(actor, locality, goal.unit_id)
        answers = {a.comment_id: a for a in session.exec(select(GoalAnswer).where(GoalAnswer.goal_id == goal.id))}
        writers = dict(
            session.exec(select(Comment.id, Comment.user_id).where(col(Comment.id).in_(list(answers)))).all()
        )
    comments = []
    for c in base.comments:
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
        comments=comments,
        likes=base.likes,
        liked=base.liked,
        may_write=base.may_write,
        may_answer=answering,
        unanswered=sum(1 for c in comments if not c.answered) if answering else 0,
    )


def answer(ctx: AppContext, actor: Actor, code: str, goal_id: int, comment_id: int, data: AnswerIn) -> GoalDiscussion:
    """Answer comment ``comment_id`` of ``goal_id`` (the goal's writers: 403 for other readers;
    404 for a comment not on this goal)."""
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        goal = goal_for(session, actor, locality, goal_id)
        if not can_write(actor, locality, goal.unit_id):
            raise Forbidden(MAY_NOT_CHANGE)
        comment = session.get(Comment, comment_id) if 0 < comment_id < 2**31 else None
        if comment is None or comment.target_type != TARGET or comment.target_id != goal.id:
            raise NotFound(NO_COMMENT, params={"comment_id": comment_id})
        row = session.exec(select(GoalAnswer).where(GoalAnswer.comment_id == comment.id)).first()
        if row is None:
            row = GoalAnswer(locality_id=locality.id, goal_id=goal.id, comment_id=comment.id)
        row.body, row.public = data.body.replace("\r\n", "\n").strip(), data.public
        row.answered_by, row.answered_at = actor.username, utcnow()
        session.add(row)
    return read(ctx, actor, code, goal_id)
