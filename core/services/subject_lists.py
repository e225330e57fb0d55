"""The subjects list as the console pages it: a page of a locality's subjects, filtered in SQL
by a word in the name, a category and a kind (unit, team, person), with the total."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import Subject
from core.schemas.org import SubjectOut
from core.services.access import ADMIN_READ_ROLES, locality_for, require_role

SUBJECTS_PAGE = 50
KINDS = ("unit", "team", "person")


@dataclass(frozen=True)
class SubjectsFound:
    items: list[SubjectOut]
    total: int  # of the filters, over all pages
    offset: int


def _like_anywhere(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_subjects(
    ctx: AppContext,
    actor: Actor,
    code: str,
    *,
    q: str = "",
    category: str = "",
    kind: str = "",
    offset: int = 0,
    limit: int = SUBJECTS_PAGE,
) -> SubjectsFound:
    """A page of the locality's subjects in the order they were made: ``q`` a word anywhere in
    the name, ``category`` exactly, ``kind`` one of ``KINDS`` (another kind finds none). An
    ``offset`` past the end gives the last page."""
    require_role(actor, ADMIN_READ_ROLES, "read subjects")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        query = select(Subject).where(Subject.locality_id == locality.id)
        if category:
            query = query.where(Subject.category == category[:100])
        if kind:
            query = query.where(Subject.kind == kind[:16])
        word = q.strip()[:100]
        if word:
            query = query.where(col(Subject.name).like(_like_anywhere(word), escape="\\"))
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        offset = min(max(offset, 0), max(total - 1, 0) // limit * limit)
        rows = session.exec(query.order_by(col(Subject.id)).offset(offset).limit(limit)).all()
        return SubjectsFound([SubjectOut.model_validate(s) for s in rows], total, offset)
