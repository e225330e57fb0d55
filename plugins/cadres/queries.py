"""Saved searches of a locality's organisation department: a name and a query, checked when saved."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from core.context import Actor, AppContext
from plugins.cadres.access import cadre_locality
from plugins.cadres.models import SavedQuery
from plugins.cadres.schemas import SavedQueryIn, SavedQueryOut
from plugins.cadres.search import compile_query

MAX_SAVED = 200


def list_queries(ctx: AppContext, actor: Actor, code: str) -> list[SavedQueryOut]:
    with ctx.db.read() as session:
        locality = cadre_locality(session, actor, code)
        rows = session.exec(select(SavedQuery).where(SavedQuery.locality_id == locality.id).order_by(SavedQuery.name))
        return [SavedQueryOut.model_validate(r, from_attributes=True) for r in rows]


def save_query(ctx: AppContext, actor: Actor, code: str, data: SavedQueryIn) -> SavedQueryOut:
    """Save ``data.query`` under ``data.name`` (an existing one of that name is replaced);
    ``Invalid`` naming the bad condition, as the search would."""
    compile_query(data.query, date.today())
    with ctx.db.write() as session:
        locality = cadre_locality(session, actor, code)
        row = session.exec(
            select(SavedQuery).where(SavedQuery.locality_id == locality.id, SavedQuery.name == data.name)
        ).first()
        row = row or SavedQuery(locality_id=locality.id, name=data.name)
        row.query, row.created_by = data.query, actor.username
        session.add(row)
        session.flush()
        return SavedQueryOut.model_validate(row, from_attributes=True)
