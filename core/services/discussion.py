"""Comments and likes on any target of a plugin (a work record, later a goal): who and when.

**The caller decides who may do what.** A target is ``(target_type, target_id)``, e.g.
``("worklog.entry", 42)``. Every function takes ``resolve``, the owning plugin's check: a
callable ``resolve(session, actor) -> Access`` run inside this service's transaction. It raises
``NotFound`` (404) when the actor may not read the target (or it does not exist, or is of
another locality), and otherwise answers an ``Access``: the target's locality, whether the actor
may write (comment and like; ``Forbidden`` 403 otherwise), who is told of comments and likes
(``author_user_id``) and the link the notice points at. This service never decides visibility
itself.

**Deleting** a comment: its writer, or the office of the target's locality (roles ``office`` and
``platform_admin``, not a read-only grant); each deletion is written to the audit log with the
comment's text. Adding comments and likes is not audited (they are their own record: who and
when). A like is once per user: ``toggle_like`` adds it or takes it back.

**Kinds**: a comment may carry a ``kind``, the owning plugin's short word for what sort of
comment it is (goals: ``comment``, ``suggestion``, ``report``). The plugin decides which kinds
exist and refuses others before calling ``add_comment``; null is a plain comment.

**Deleting a target**: the owning plugin calls ``delete_for_target`` in the transaction that
deletes it (comments and likes go too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, func, literal, union_all
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Comment, Like, Person, User
from core.services import audit
from core.services.access import OFFICE_ROLES, can_see_locality
from core.services.errors import Forbidden, Invalid, NotFound
from core.services.notifications import notify

MAX_COMMENT = 2000
COMMENT_MESSAGE = "{who} commented on your work: {excerpt}"
LIKE_MESSAGE = "{who} liked your work"
MAY_NOT_WRITE = "you may read this but not comment on it or like it"
MAX_KIND = 20


@dataclass(frozen=True)
class Access:
    """What the owning plugin decided for one actor and target.

    ``locality_id``: the target's locality (comments are stored under it); ``may_write``:
    the actor may comment and like (for attachments: upload); ``author_user_id``: the user told
    of a comment or like (None: nobody); ``link``: a path of this site the notice points at;
    ``comment_message``/``like_message``: English message ids with ``{who}`` (and ``{excerpt}``),
    translated for the reader with the core's catalogue and, if given, the ``catalogue`` of the
    plugin (its name) that holds them."""

    locality_id: int
    may_write: bool = False
    author_user_id: int | None = None
    link: str = ""
    comment_message: str = COMMENT_MESSAGE
    like_message: str = LIKE_MESSAGE
    catalogue: str | None = None


Resolver = Callable[[Session, Actor], Access]


class CommentOut(BaseModel):
    id: int
    author_name: str
    body: str
    kind: str | None = None  # the owning plugin's kind of comment; None: a plain comment
    created_at: datetime
    mine: bool  # written by the caller
    may_delete: bool  # the caller may delete it (its writer or the office)


class Discussion(BaseModel):
    """A target's comments (oldest first), its likes and whether the caller liked it."""

    target_type: str
    target_id: int
    comments: list[CommentOut]
    likes: int
    liked: bool
    liked_by: list[str]  # names, first liker first
    may_write: bool


def _check_target(target_type: str, target_id: int) -> None:
    if not target_type or len(target_type) > 50 or not 0 < target_id < 2**63:
        raise NotFound("no such target")


def display_name(session: Session, actor: Actor) -> str:
    """The actor's person's name if the account is a person's, else its user name."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is not None and user.person_id is not None:
        person = session.get(Person, user.person_id)
        if person is not None:
            return person.name[:100]
    return actor.username[:100]


def is_office(actor: Actor, locality_id: int) -> bool:
    """The office of the locality (not a read-only grant): may delete anyone's comment or file."""
    return actor.role in OFFICE_ROLES and can_see_locality(actor, locality_id)


def _may_delete(actor: Actor, access: Access, user_id: int | None) -> bool:
    return (actor.user_id is not None and user_id == actor.user_id) or is_office(actor, access.locality_id)


def _discussion(session: Session, actor: Actor, target_type: str, target_id: int, access: Access) -> Discussion:
    comments = session.exec(
        select(Comment)
        .where(Comment.target_type == target_type, Comment.target_id == target_id)
        .order_by(col(Comment.id))
    ).all()
    likes = session.exec(
        select(Like).where(Like.target_type == target_type, Like.target_id == target_id).order_by(col(Like.id))
    ).all()
    return Discussion(
        target_type=target_type,
        target_id=target_id,
        comments=[
            CommentOut(
                id=c.id,
                author_name=c.author_name,
                body=c.body,
                kind=c.kind,
                created_at=c.created_at,
                mine=actor.user_id is not None and c.user_id == actor.user_id,
                may_delete=_may_delete(actor, access, c.user_id),
            )
            for c in comments
        ],
        likes=len(likes),
        liked=any(like.user_id == actor.user_id for like in likes),
        liked_by=[like.author_name for like in likes],
        may_write=access.may_write,
    )


def read(ctx: AppContext, actor: Actor, target_type: str, target_id: int, resolve: Resolver) -> Discussion:
    """The target's comments and likes; 404 when ``resolve`` says the actor may not read it."""
    _check_target(target_type, target_id)
    with ctx.db.read() as session:
        access = resolve(session, actor)
        return _discussion(session, actor, target_type, target_id, access)


def _writable(session: Session, actor: Actor, resolve: Resolver) -> Access:
    access = resolve(session, actor)
    if not access.may_write or actor.user_id is None:
        raise Forbidden(MAY_NOT_WRITE)
    return access


def _tell(session: Session, actor: Actor, access: Access, kind: str, message: str, params: dict) -> None:
    if access.author_user_id is not None and access.author_user_id != actor.user_id:
        notify(
            session,
            access.locality_id,
            access.author_user_id,
            kind,
            message,
            params,
            link=access.link,
            catalogue=access.catalogue,
        )


def add_comment(
    ctx: AppContext,
    actor: Actor,
    target_type: str,
    target_id: int,
    resolve: Resolver,
    body: str,
    kind: str | None = None,
    after: Callable[[Session, Comment], None] | None = None,
) -> CommentOut:
    """Add the actor's comment (1 to 2,000 characters, no NUL; 422 otherwise), of ``kind`` if
    given (the caller checked it is one of its kinds; at most 20 characters), and tell the
    target's author. 404 for a target the actor may not read; 403 one it may not write on.
    ``after(session, comment)``: the owning plugin's own work in the comment's transaction once
    it is written (telling more people, say); what it raises undoes the comment."""
    _check_target(target_type, target_id)
    text = (body or "").replace("\r\n", "\n").strip()
    with ctx.db.write() as session:
        access = _writable(session, actor, resolve)  # 404 and 403 before the text's checks
        if not text or len(text) > MAX_COMMENT or "\x00" in text:
            raise Invalid(
                "comment: 1 to {max} characters",
                params={"max": MAX_COMMENT},
                errors=[{"field": "body", "message": "empty or too long"}],
            )
        if kind is not None and (not kind or len(kind) > MAX_KIND or not kind.isprintable()):
            raise Invalid(
                "comment kind: 1 to {max} characters",
                params={"max": MAX_KIND},
                errors=[{"field": "kind", "message": "empty or too long"}],
            )
        who = display_name(session, actor)
        row = Comment(
            locality_id=access.locality_id,
            target_type=target_type,
            target_id=target_id,
            user_id=actor.user_id,
            author_name=who,
            body=text,
            kind=kind,
        )
        session.add(row)
        session.flush()
        excerpt = text if len(text) <= 60 else text[:59] + "…"
        _tell(session, actor, access, "discussion.comment", access.comment_message, {"who": who, "excerpt": excerpt})
        if after is not None:
            after(session, row)
        return CommentOut(
            id=row.id, author_name=who, body=text, kind=kind, created_at=row.created_at, mine=True, may_delete=True
        )


def delete_comment(
    ctx: AppContext, actor: Actor, target_type: str, target_id: int, resolve: Resolver, comment_id: int
) -> None:
    """Delete a comment: its writer or the office (403 for anyone else who may read the
    target); audited with its text. 404 for a comment not on this target."""
    _check_target(target_type, target_id)
    with ctx.db.write() as session:
        access = resolve(session, actor)
        row = session.get(Comment, comment_id) if 0 < comment_id < 2**31 else None
        if row is None or row.target_type != target_type or row.target_id != target_id:
            raise NotFound("no comment with id {comment_id}", params={"comment_id": comment_id})
        if not _may_delete(actor, access, row.user_id):
            raise Forbidden("only its writer or the office may delete a comment")
        audit.record(
            session,
            actor,
            locality_id=access.locality_id,
            action="comment.delete",
            target_type=target_type,
            target_id=f"{target_id}/comment/{row.id}",
            before={"author": row.author_name, "body": row.body, "at": row.created_at},
        )
        session.delete(row)


def toggle_like(ctx: AppContext, actor: Actor, target_type: str, target_id: int, resolve: Resolver) -> Discussion:
    """Like the target, or take the actor's like back; the author is told of a new like.
    Answers the discussion as it now is. 404/403 as for ``add_comment``."""
    _check_target(target_type, target_id)
    for attempt in range(2):  # two clicks racing each other: the second reads the first's row
        try:
            with ctx.db.write() as session:
                access = _writable(session, actor, resolve)
                row = session.exec(
                    select(Like).where(
                        Like.target_type == target_type, Like.target_id == target_id, Like.user_id == actor.user_id
                    )
                ).first()
                if row is not None:
                    session.delete(row)
                else:
                    who = display_name(session, actor)
                    session.add(
                        Like(
                            locality_id=access.locality_id,
                            target_type=target_type,
                            target_id=target_id,
                            user_id=actor.user_id,
                            author_name=who,
                        )
                    )
                    session.flush()
                    _tell(session, actor, access, "discussion.like", access.like_message, {"who": who})
                session.flush()
                return _discussion(session, actor, target_type, target_id, access)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def count_columns(target_type: str, target_id) -> tuple[Any, Any]:
    """Two correlated scalar subqueries, (comments, likes) of the target whose id is the column
    ``target_id`` of the caller's query (e.g. ``WorkEntry.id``), to select beside its rows: a
    list and its counts in one statement. A null id counts 0."""
    comments = (
        select(func.count())
        .select_from(Comment)
        .where(Comment.target_type == target_type, Comment.target_id == target_id)
        .scalar_subquery()
    )
    likes = (
        select(func.count())
        .select_from(Like)
        .where(Like.target_type == target_type, Like.target_id == target_id)
        .scalar_subquery()
    )
    return comments.label("comments"), likes.label("likes")


def counts(session: Session, target_type: str, target_ids: list[int]) -> dict[int, tuple[int, int]]:
    """For a list of targets (a board, a history): ``{target_id: (comments, likes)}`` in one
    grouped query over both tables; targets with neither are left out."""
    if not target_ids:
        return {}
    both = union_all(
        select(col(Comment.target_id).label("tid"), literal(0).label("slot")).where(
            Comment.target_type == target_type, col(Comment.target_id).in_(target_ids)
        ),
        select(col(Like.target_id).label("tid"), literal(1).label("slot")).where(
            Like.target_type == target_type, col(Like.target_id).in_(target_ids)
        ),
    ).subquery()
    found: dict[int, list[int]] = {}
    for tid, slot, n in session.exec(select(both.c.tid, both.c.slot, func.count()).group_by(both.c.tid, both.c.slot)):
        found.setdefault(tid, [0, 0])[slot] = n
    return {tid: (c, n) for tid, (c, n) in found.items()}


def kind_counts(session: Session, target_type: str, target_ids: list[int]) -> dict[int, dict[str | None, int]]:
    """For a list of targets: ``{target_id: {kind: comments}}`` in one grouped query (plain
    comments under ``None``); targets without comments are left out."""
    found: dict[int, dict[str | None, int]] = {}
    if not target_ids:
        return found
    rows = session.exec(
        select(Comment.target_id, Comment.kind, func.count())
        .where(Comment.target_type == target_type, col(Comment.target_id).in_(target_ids))
        .group_by(Comment.target_id, Comment.kind)
    )
    for tid, kind, n in rows:
        found.setdefault(tid, {})[kind] = n
    return found


def delete_for_target(session: Session, target_type: str, target_id: int) -> None:
    """Remove a target's comments and likes, in the caller's transaction that deletes it."""
    session.execute(delete(Comment).where(col(Comment.target_type) == target_type, col(Comment.target_id) == target_id))
    session.execute(delete(Like).where(col(Like.target_type) == target_type, col(Like.target_id) == target_id))
