from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Locality, Role
from core.schemas.localities import LocalityIn, LocalityOut
from core.services import audit
from core.services.access import locality_for, require_role
from core.services.errors import Conflict, Invalid


def to_out(session: Session, locality: Locality) -> LocalityOut:
    parent_code = session.get(Locality, locality.parent_id).code if locality.parent_id else None
    return LocalityOut(id=locality.id, code=locality.code, name=locality.name, parent_code=parent_code)


def create(ctx: AppContext, actor: Actor, data: LocalityIn) -> LocalityOut:
    require_role(actor, frozenset({Role.platform_admin}), "create localities")
    try:
        with ctx.db.write() as session:
            if session.exec(select(Locality).where(Locality.code == data.code)).first():
                raise Conflict(f"a locality with code {data.code!r} already exists")
            parent_id = None
            if data.parent_code:
                parent = session.exec(select(Locality).where(Locality.code == data.parent_code)).first()
                if parent is None:
                    raise Invalid(
                        f"parent_code: no locality with code {data.parent_code!r}",
                        errors=[{"field": "parent_code", "message": "unknown locality"}],
                    )
                parent_id = parent.id
            locality = Locality(code=data.code, name=data.name, parent_id=parent_id)
            session.add(locality)
            session.flush()
            out = to_out(session, locality)
            audit.record(
                session,
                actor,
                locality_id=locality.id,
                action="locality.create",
                target_type="locality",
                target_id=locality.id,
                after=out.model_dump(),
            )
            return out
    except IntegrityError as exc:  # a concurrent create of the same code
        raise Conflict(f"a locality with code {data.code!r} already exists") from exc


def get(ctx: AppContext, actor: Actor, code: str) -> LocalityOut:
    with ctx.db.read() as session:
        return to_out(session, locality_for(session, actor, code, read_only=True))


def list_visible(ctx: AppContext, actor: Actor) -> list[LocalityOut]:
    with ctx.db.read() as session:
        query = select(Locality).order_by(Locality.code)
        if not actor.is_platform_admin:
            query = query.where(col(Locality.id).in_({actor.locality_id, *actor.readable_localities}))
        return [to_out(session, loc) for loc in session.exec(query)]
