"""The worklog's use of the core's discussion (comments, likes) and attachments on an entry.

The check the core services take (``core.services.discussion.Access``) is the worklog's
visibility rule (``service.can_read``, a draft its author's only): whoever may read an entry
may read its comments, likes and files; anyone else gets 404. Who may write:

* comments and likes: every reader of a submitted entry acting in the entry's own locality (a
  parent's read-only grant reads, never writes); the author is told of each (link: the entry);
* files: the entry's author only (drafts too); the office may delete any file, as any comment.
"""

from __future__ import annotations

from sqlmodel import Session, select

from core.context import Actor
from core.models import User
from core.services.access import can_see_locality, locality_for
from core.services.discussion import Access, Resolver
from plugins.worklog import service
from plugins.worklog.models import EntryStatus

TARGET = "worklog.entry"
COMMENT_MESSAGE = "{who} commented on your work record: {excerpt}"
LIKE_MESSAGE = "{who} liked your work record"


def resolver(code: str, entry_id: int, *, files: bool = False) -> Resolver:
    """The check for entry ``entry_id`` of locality ``code``: for comments and likes, or for
    files (``files=True``). Raises ``NotFound`` for an entry the actor may not read."""

    def resolve(session: Session, actor: Actor) -> Access:
        locality = locality_for(session, actor, code, read_only=True)
        entry, person = service._entry(session, actor, locality, entry_id)
        mine = service.own_person(session, actor, locality)
        is_author = mine is not None and mine.id == person.id
        if files:
            may_write = is_author
        else:
            may_write = entry.status == EntryStatus.submitted and can_see_locality(actor, locality.id)
        author = session.exec(
            select(User.id).where(User.locality_id == locality.id, User.person_id == person.id)
        ).first()
        return Access(
            locality_id=locality.id,
            may_write=may_write,
            author_user_id=author,
            link=f"/me/worklog/entries/{entry.id}",
            comment_message=COMMENT_MESSAGE,
            like_message=LIKE_MESSAGE,
            catalogue="worklog",  # the messages are worklog's
        )

    return resolve


def prune_orphans(ctx) -> int:
    """Remove the comments, likes and files of entries that are gone (an entry goes with its
    person, by the database's CASCADE, which cannot reach these rows): the periodic task
    ``worklog-prune-discussion``. Idempotent; returns how many entries' leftovers were removed."""
    from sqlalchemy import exists, union
    from sqlmodel import col

    from core.models import Attachment, Comment, Like
    from core.services import attachments, discussion
    from plugins.worklog.models import WorkEntry

    def gone(model):
        return select(model.target_id).where(
            model.target_type == TARGET, ~exists().where(col(WorkEntry.id) == model.target_id)
        )

    with ctx.db.write() as session:
        ids = [row[0] for row in session.execute(union(gone(Comment), gone(Like), gone(Attachment)))]
        paths = []
        for target_id in ids:
            discussion.delete_for_target(session, TARGET, target_id)
            paths += attachments.delete_for_target(ctx, session, TARGET, target_id)
    attachments.remove_files(paths)
    return len(ids)
