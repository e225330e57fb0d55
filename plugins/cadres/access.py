"""Who reads the cadre cloud: the organisation department of the locality (roles ``org_dept``
and ``org_dept_head``), and only where the locality enabled the plugin. Everyone else — the
office, leaders, platform admins included — gets 404, as for a locality that does not exist,
so a refusal never tells that a profile is there. The view log is the head's alone."""

from __future__ import annotations

from sqlmodel import Session, select

from core.context import Actor
from core.models import Locality, Role
from core.services.errors import NotFound
from core.services.plugins import enabled_names

PLUGIN = "cadres"
READERS = frozenset({Role.org_dept.value, Role.org_dept_head.value})
HEAD = frozenset({Role.org_dept_head.value})


def cadre_locality(session: Session, actor: Actor, code: str, *, head: bool = False) -> Locality:
    """The locality ``code`` if ``actor`` is of its organisation department (``head``: its head)
    and it enabled the cadre cloud; ``NotFound`` otherwise."""
    locality = session.exec(select(Locality).where(Locality.code == code)).first()
    allowed = HEAD if head else READERS
    if (
        locality is None
        or actor.role not in allowed
        or actor.locality_id != locality.id
        or PLUGIN not in enabled_names(session, locality.id)
    ):
        raise NotFound("page not found")
    return locality
