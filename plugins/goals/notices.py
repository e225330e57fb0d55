"""Telling a unit that a comment (点评, 建议, 举报) arrived on one of its goals.

Who is told, through the core's notifications (``core.services.notifications``): the unit's
administrators (active ``unit_admin`` accounts of the goal's unit) and the goal's lead people
(assigned with the first role of the locality's list, 主办 by default) through their own active
accounts; never the comment's writer. Nobody is told of the unit's own comments (its
administrator writing under its goal). The notice is written in the comment's transaction, so a
refused comment tells nobody; its text is a catalogue id translated for whoever reads it, and it
links to the goal's comments page."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.context import Actor
from core.models import Comment, Role, User
from core.services.notifications import notify_many
from plugins.goals.access import lists_of
from plugins.goals.models import Goal, GoalAssignment

KIND = "goals.comment"
MESSAGE = "{who} commented ({kind}) on the goal {goal}: {excerpt}"


def goal_link(code: str, goal_id: int) -> str:
    """The goal's page in the console (its progress reports, files and comments): where its
    notices and warnings link."""
    return f"/admin/localities/{code}/goals/{goal_id}/comments"


def own_comment(actor: Actor, goal: Goal) -> bool:
    """The unit itself writes: its administrator, under one of its goals."""
    return actor.role == Role.unit_admin and actor.locality_id == goal.locality_id and actor.unit_id == goal.unit_id


def to_tell(session: Session, goal: Goal) -> list[int]:
    """The user ids of the unit's administrators and of the goal's lead people's accounts."""
    admins = select(User.id).where(
        User.locality_id == goal.locality_id,
        User.role == Role.unit_admin.value,
        User.unit_id == goal.unit_id,
        col(User.is_active),
    )
    _sources, roles = lists_of(session, goal.locality_id)
    lead = roles[0] if roles else ""
    leads = select(User.id).where(
        User.locality_id == goal.locality_id,
        col(User.is_active),
        col(User.person_id).in_(
            select(GoalAssignment.person_id).where(GoalAssignment.goal_id == goal.id, GoalAssignment.role == lead)
        ),
    )
    return sorted(set(session.exec(admins)) | set(session.exec(leads)))


def tell_unit(session: Session, actor: Actor, code: str, goal_id: int, comment: Comment) -> int:
    """Notify the unit of ``comment`` on goal ``goal_id`` (in the comment's transaction); how many
    were told."""
    goal = session.get(Goal, goal_id)
    if goal is None or own_comment(actor, goal):
        return 0
    users = [u for u in to_tell(session, goal) if u != actor.user_id]
    excerpt = comment.body if len(comment.body) <= 60 else comment.body[:59] + "…"
    return notify_many(
        session,
        goal.locality_id,
        users,
        KIND,
        MESSAGE,
        {"who": comment.author_name, "kind": comment.kind or "", "goal": goal.name, "excerpt": excerpt},
        link=goal_link(code, goal.id),
    )
