"""Who may see and change what. Every tenant query goes through ``locality_for``."""

from __future__ import annotations

from sqlmodel import Session, select

from core.context import Actor
from core.models import Locality, Role
from core.services.errors import Forbidden, NotFound

OFFICE_ROLES = frozenset({Role.platform_admin, Role.office})
ADMIN_READ_ROLES = frozenset({Role.platform_admin, Role.office, Role.unit_admin})


def locality_for(session: Session, actor: Actor, code: str) -> Locality:
    """The locality ``code`` if the actor may see it; otherwise 404 (never 403, so ids do not leak)."""
    locality = session.exec(select(Locality).where(Locality.code == code)).first()
    if locality is None or not can_see_locality(actor, locality.id):
        raise NotFound(f"no locality with code {code!r}")
    return locality


def can_see_locality(actor: Actor, locality_id: int | None) -> bool:
    return actor.is_platform_admin or (actor.locality_id is not None and actor.locality_id == locality_id)


def require_role(actor: Actor, roles: frozenset[str], what: str) -> None:
    if actor.role not in roles:
        raise Forbidden(f"your role ({actor.role}) may not {what}")
