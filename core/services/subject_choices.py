"""What the subjects' bulk form chooses from, a page at a time: the locality's units (the tree in
order, or those whose name or code contains a word, with the units above each) or its leadership
teams (a word in the team's or its unit's name), and the ones already ticked, by their ids, so
they stay on the form while the office searches and pages. A locality with thousands of units
is never listed whole (``unit_tree.search_units`` and ``org_lists.search_teams`` page in SQL)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import Team, Unit
from core.services import org_lists, unit_tree
from core.services.access import OFFICE_ROLES, locality_for, require_role

KINDS = ("units", "teams")
PAGE = 30
MAX_CHOSEN = 2000  # ticked ids carried by the form; more are dropped (the bulk form takes at most this many)


@dataclass(frozen=True)
class Choice:
    id: int
    label: str
    note: str  # the units above (a unit), the unit (a team)
    depth: int = 0  # in the tree, when no word is searched


@dataclass(frozen=True)
class Choices:
    kind: str
    q: str
    items: list[Choice]  # this page's, without the chosen ones
    chosen: list[Choice]
    total: int  # of the search, over all pages
    page: int
    pages: int


def _ids(values: list[int]) -> list[int]:
    return list(dict.fromkeys(i for i in values if 0 < i < 2**31))[:MAX_CHOSEN]


def _chosen(ctx: AppContext, actor: Actor, code: str, kind: str, ids: list[int]) -> list[Choice]:
    if not ids:
        return []
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        if kind == "units":
            rows = session.exec(
                select(Unit.id, Unit.name, Unit.code)
                .where(Unit.locality_id == locality.id, col(Unit.id).in_(ids))
                .order_by(Unit.code)
            ).all()
            return [Choice(r[0], r[1], r[2]) for r in rows]
        rows = session.exec(
            select(Team.id, Team.name, Unit.name)
            .join(Unit, Unit.id == Team.unit_id)
            .where(Team.locality_id == locality.id, col(Team.id).in_(ids))
            .order_by(Unit.code, Team.id)
        ).all()
        return [Choice(r[0], r[1], r[2]) for r in rows]


def choices(
    ctx: AppContext,
    actor: Actor,
    code: str,
    kind: str,
    *,
    q: str = "",
    page: int = 1,
    chosen: list[int] | None = None,
    size: int = PAGE,
) -> Choices:
    """A page of units or teams (``kind``) to choose from, ``q`` a word in the name (or a unit's
    code), and the ``chosen`` ids as choices (another locality's ids, or unknown ones, drop out).
    A page past the end shows the last."""
    require_role(actor, OFFICE_ROLES, "change subjects")
    kind = kind if kind in KINDS else "units"
    q = q.strip()[:50]
    page = min(max(page, 1), 2**31 // size)
    picked = _chosen(ctx, actor, code, kind, _ids(chosen or []))
    taken = {c.id for c in picked}
    if kind == "units":
        found = unit_tree.search_units(ctx, actor, code, q=q, offset=(page - 1) * size, limit=size)
        items = [
            Choice(u.id, u.name, " › ".join(u.above) if q else u.code, 0 if q else u.depth)
            for u in found.items
            if u.id not in taken
        ]
    else:
        found = org_lists.search_teams(ctx, actor, code, q=q, offset=(page - 1) * size, limit=size)
        items = [Choice(t["id"], t["name"], t["unit"]) for t in found.items if t["id"] not in taken]
    pages = max(1, -(-found.total // size))
    return Choices(kind, q, items, picked, found.total, found.offset // size + 1, pages)
