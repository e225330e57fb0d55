"""Who may see and change what. Every tenant query goes through ``locality_for``."""

from __future__ import annotations

from sqlmodel import Session, select

from core.context import Actor
from core.models import Locality, Role
from core.services.errors import Forbidden, NotFound

OFFICE_ROLES = frozenset({Role.platform_admin, Role.office})
ADMIN_READ_ROLES = frozenset({Role.platform_admin, Role.office, Role.unit_admin})


def locality_for(session: Session, actor: Actor, code: str, *, read_only: bool = False) -> Locality:
    """The locality ``code`` if the actor may use it; otherwise 404 (never 403, so ids do not leak).

    ``read_only=True`` (reads only) also admits the child localities the actor was granted to read.
    """
    locality = session.exec(select(Locality).where(Locality.code == code)).first()
    if locality is None or not can_see_locality(actor, locality.id, read_only=read_only):
        raise NotFound(f"no locality with code {code!r}")
    return locality


def can_see_locality(actor: Actor, locality_id: int | None, *, read_only: bool = False) -> bool:
    """Own locality (or any, for a platform admin); with ``read_only``, granted children too."""
    if actor.is_platform_admin or (actor.locality_id is not None and actor.locality_id == locality_id):
        return True
    return read_only and locality_id in actor.readable_localities


def descendants(session: Session, locality_id: int) -> frozenset[int]:
    """Every locality below ``locality_id`` (children, their children, ...)."""
    found: set[int] = set()
    level = {locality_id}
    while level:
        level = set(session.exec(select(Locality.id).where(Locality.parent_id.in_(level)))) - found  # type: ignore[union-attr]
        found |= level
    return frozenset(found)


def require_role(actor: Actor, roles: frozenset[str], what: str) -> None:
    if actor.role not in roles:
        raise Forbidden(f"your role ({actor.role}) may not {what}")
