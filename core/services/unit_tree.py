"""The units tree as the console pages it: a page of the tree depth first (children under their
parent, by code), of the whole locality or of what lies below one unit, optionally only the
units whose name or code contains a word; each with how many units are directly under it.

Done in SQL (a recursive query over the ``(locality_id, parent_id)`` index, ordered by the path
of codes, paged by LIMIT/OFFSET over a few thousand units), so a page costs the same whether the
locality has 200 units or 5,000, and nothing loads the whole tree into Python."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, text
from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import Unit
from core.services.access import ADMIN_READ_ROLES, locality_for, require_role

UNITS_PAGE = 100
# paths of codes are joined by a character below every character a code may hold ([A-Za-z0-9._-]),
# so a unit sorts right after its parent and before its parent's next sibling
_SEP = "\x01"
_NAMES_SEP = "\x02"
_MAX_DEPTH = 64  # a bound on the recursion, should a cycle ever be stored


@dataclass(frozen=True)
class UnitRow:
    id: int
    code: str
    name: str
    type: str
    contact_name: str
    contact_phone: str
    parent_id: int | None
    depth: int  # below the page's top (the locality's top level, or the chosen parent's children)
    above: list[str]  # names of the units above it, from the top down (within the listed subtree)
    children: int  # units directly under it


@dataclass(frozen=True)
class UnitsFound:
    items: list[UnitRow]
    total: int  # over all pages
    offset: int
    parent: tuple[int, str, str] | None  # (id, name, code) of the unit the page is below
    trail: list[tuple[int, str]] = field(default_factory=list)  # the parent's ancestors and itself, top down


def _like_anywhere(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _tree_sql(postgres: bool, below: bool, word: bool) -> str:
    start = "parent_id = :parent" if below else "parent_id IS NULL"
    order = 'tree.path COLLATE "C"' if postgres else "tree.path"
    match = "AND (lower(u.name) LIKE :word ESCAPE '\\' OR lower(u.code) LIKE :word ESCAPE '\\')" if word else ""
    return f"""
        WITH RECURSIVE tree(id, depth, path, names) AS (
            SELECT id, 0, CAST(code AS TEXT), CAST(name AS TEXT) FROM units WHERE locality_id = :locality AND {start}
            UNION ALL
            SELECT c.id, tree.depth + 1, tree.path || :sep || c.code, tree.names || :names_sep || c.name
            FROM units c JOIN tree ON c.parent_id = tree.id
            WHERE c.locality_id = :locality AND tree.depth < :max_depth
        )
        SELECT u.id, u.code, u.name, u.type, u.contact_name, u.contact_phone, u.parent_id, tree.depth,
               tree.names, count(*) OVER () AS total
        FROM tree JOIN units u ON u.id = tree.id
        WHERE 1 = 1 {match}
        ORDER BY {order}
        LIMIT :limit OFFSET :offset"""


def _walk_sql(below: bool) -> str:
    """SQLite, no word: the tree walked in path order by the recursive query itself (its queue
    ordered by the path, so the smallest path comes out next: depth first) and stopped after
    ``:upto`` units, so the first pages read a few hundred units, not every one, and sort nothing
    large (5,000 units: 1 ms of CPU for the first page, against 50 ms for a sort of them all)."""
    start = "parent_id = :parent" if below else "parent_id IS NULL"
    return f"""
        WITH RECURSIVE tree(id, depth, path, names) AS (
            SELECT id, 0, CAST(code AS TEXT), CAST(name AS TEXT) FROM units WHERE locality_id = :locality AND {start}
            UNION ALL
            SELECT c.id, tree.depth + 1, tree.path || :sep || c.code, tree.names || :names_sep || c.name
            FROM tree JOIN units c ON c.parent_id = tree.id AND c.locality_id = :locality
            WHERE tree.depth < :max_depth
            ORDER BY 3
            LIMIT :upto
        )
        SELECT u.id, u.code, u.name, u.type, u.contact_name, u.contact_phone, u.parent_id, tree.depth,
               tree.names, 0 AS total
        FROM tree JOIN units u ON u.id = tree.id
        ORDER BY tree.path
        LIMIT :limit OFFSET :offset"""


def _count_below(session, locality_id: int, parent_id: int | None) -> int:
    """How many units the tree has (below ``parent_id``, or in all)."""
    if parent_id is None:
        return session.exec(select(func.count()).where(Unit.locality_id == locality_id)).one()
    return session.execute(
        text("""
            WITH RECURSIVE tree(id, depth) AS (
                SELECT id, 0 FROM units WHERE locality_id = :locality AND parent_id = :parent
                UNION ALL
                SELECT c.id, tree.depth + 1 FROM tree JOIN units c ON c.parent_id = tree.id AND c.locality_id = :locality
                WHERE tree.depth < :max_depth
            )
            SELECT count(*) FROM tree"""),
        {"locality": locality_id, "parent": parent_id, "max_depth": _MAX_DEPTH},
    ).scalar_one()


def search_units(
    ctx: AppContext,
    actor: Actor,
    code: str,
    *,
    q: str = "",
    parent_id: int | None = None,
    offset: int = 0,
    limit: int = UNITS_PAGE,
) -> UnitsFound:
    """A page of the tree depth first: the whole locality's, or the units below ``parent_id``
    (its children at depth 0); with ``q``, only the units whose name or code contains it (any
    case), each with the names of the units above it. An unknown ``parent_id`` gives an empty
    page with no parent. An ``offset`` past the end shows the last page."""
    require_role(actor, ADMIN_READ_ROLES, "read units")
    word = q.strip()[:100].lower()
    offset = max(offset, 0)
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        parent = None
        trail: list[tuple[int, str]] = []
        if parent_id is not None:
            row = session.exec(
                select(Unit.id, Unit.name, Unit.code, Unit.parent_id).where(
                    Unit.locality_id == locality.id, Unit.id == parent_id
                )
            ).first()
            if row is None:
                return UnitsFound([], 0, 0, None)
            parent = (row[0], row[1], row[2])
            trail = _ancestors(session, locality.id, row[3])[::-1] + [(row[0], row[1])]
        sql = text(_tree_sql(not ctx.db.is_sqlite, parent is not None, bool(word)))
        params = {
            "locality": locality.id,
            "parent": parent_id,
            "sep": _SEP,
            "names_sep": _NAMES_SEP,
            "max_depth": _MAX_DEPTH,
            "word": _like_anywhere(word),
            "limit": limit,
            "offset": offset,
        }
        walk = ctx.db.is_sqlite and not word
        if walk:
            total = _count_below(session, locality.id, parent_id if parent else None)
            if offset >= total:  # past the end: the last page
                offset = max(total - 1, 0) // limit * limit
            rows = session.execute(
                text(_walk_sql(parent is not None)), params | {"offset": offset, "upto": offset + limit}
            ).all()
        else:
            rows = session.execute(sql, params).all()
        if not walk and not rows and offset > 0:  # past the end: the last page
            total = session.execute(
                text(f"SELECT count(*) FROM ({_tree_sql(not ctx.db.is_sqlite, parent is not None, bool(word))}) t"),
                params | {"offset": 0, "limit": 1_000_000},
            ).scalar_one()
            offset = max(total - 1, 0) // limit * limit
            rows = session.execute(sql, params | {"offset": offset}).all() if total else []
        ids = [r[0] for r in rows]
        children = (
            dict(
                session.exec(
                    select(Unit.parent_id, func.count())
                    .where(Unit.locality_id == locality.id, col(Unit.parent_id).in_(ids))
                    .group_by(Unit.parent_id)
                ).all()
            )
            if ids
            else {}
        )
        items = [
            UnitRow(
                id=r[0],
                code=r[1],
                name=r[2],
                type=r[3] or "",
                contact_name=r[4] or "",
                contact_phone=r[5] or "",
                parent_id=r[6],
                depth=r[7],
                above=r[8].split(_NAMES_SEP)[:-1],
                children=children.get(r[0], 0),
            )
            for r in rows
        ]
        if not walk:
            total = rows[0][9] if rows else 0
        return UnitsFound(items, total if rows else 0, offset if rows else 0, parent, trail)


def _ancestors(session, locality_id: int, parent_id: int | None) -> list[tuple[int, str]]:
    """(id, name) from ``parent_id`` up to the top."""
    found: list[tuple[int, str]] = []
    seen: set[int] = set()
    while parent_id is not None and parent_id not in seen and len(found) < _MAX_DEPTH:
        seen.add(parent_id)
        row = session.exec(
            select(Unit.id, Unit.name, Unit.parent_id).where(Unit.locality_id == locality_id, Unit.id == parent_id)
        ).first()
        if row is None:
            break
        found.append((row[0], row[1]))
        parent_id = row[2]
    return found


def count_units(ctx: AppContext, actor: Actor, code: str) -> int:
    require_role(actor, ADMIN_READ_ROLES, "read units")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        return session.exec(select(func.count()).where(Unit.locality_id == locality.id)).one()


def unit_id_by_code(ctx: AppContext, actor: Actor, code: str, unit_code: str) -> int | None:
    """The id of the locality's unit of code ``unit_code`` (exactly), or None."""
    require_role(actor, ADMIN_READ_ROLES, "read units")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        return session.exec(
            select(Unit.id).where(Unit.locality_id == locality.id, Unit.code == unit_code.strip()[:64])
        ).first()
