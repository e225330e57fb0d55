"""The organisation as the console lists it: the whole units tree, people found by name or
ID-card number a page at a time (keyset pagination on ``(locality_id, id)``, never a large
OFFSET), subjects created in bulk from units, teams and team members, and the units and people
lists as .xlsx workbooks."""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, func, text
from sqlmodel import Session, col, select

from core import tabular
from core.context import Actor, AppContext
from core.models import Person, Role, Subject, Team, TeamMember, Unit
from core.schemas.org import PersonOut, UnitOut, check_id_card
from core.security import mask_id_card
from core.services import audit
from core.services.access import ADMIN_READ_ROLES, OFFICE_ROLES, locality_for, require_role
from core.services.errors import Invalid
from core.services.name_grams import name_contains
from core.services.org import people_scope, person_out, unit_out
from core.tabular.xlsx_stream import xlsx_chunks

MAX_UNITS = 5000


def all_units(ctx: AppContext, actor: Actor, code: str) -> list[UnitOut]:
    """Every unit of the locality (a locality has hundreds, not hundreds of thousands), by code."""
    require_role(actor, ADMIN_READ_ROLES, "read units")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        rows = session.exec(select(Unit).where(Unit.locality_id == locality.id).order_by(Unit.code).limit(MAX_UNITS))
        return [unit_out(session, unit) for unit in rows]


def tree_order(units: list[UnitOut]) -> list[tuple[UnitOut, int]]:
    """The units depth first (children under their parent, by code), each with its depth."""
    children: dict[int | None, list[UnitOut]] = {}
    ids = {u.id for u in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent, []).append(unit)
    out: list[tuple[UnitOut, int]] = []
    stack = [(u, 0) for u in reversed(children.get(None, []))]
    seen: set[int] = set()
    while stack:
        unit, depth = stack.pop()
        if unit.id in seen:  # pragma: no cover - the tree is kept acyclic
            continue
        seen.add(unit.id)
        out.append((unit, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(unit.id, [])))
    return out


def below(units: list[UnitOut], unit_id: int) -> set[int]:
    """``unit_id`` and every unit under it: what may not become its parent."""
    found = {unit_id}
    changed = True
    while changed:
        changed = False
        for unit in units:
            if unit.parent_id in found and unit.id not in found:
                found.add(unit.id)
                changed = True
    return found


# --- people ----------------------------------------------------------------------------------


@dataclass
class PeoplePage:
    items: list[PersonOut]
    total: int
    first: int  # position of the first item in the whole list (1-based), 0 when empty
    has_prev: bool
    has_next: bool
    by_id_card: bool  # the search was an ID-card number (looked up by its keyed digest)
    # True: more than ``total`` (``COUNT_CAP``) match a filter read from each row's text (post,
    # a word anywhere in the name), which is not counted further; ``first`` is then 0
    total_capped: bool = False


# A count that has to read each row's text (LIKE '%word%') stops here: "more than 10,000".
COUNT_CAP = 10_000


def id_card_or_none(text: str) -> str | None:
    try:
        return check_id_card(text)
    except ValueError:
        return None


def _like_anywhere(text: str) -> str:
    """A LIKE pattern for ``text`` anywhere, its own % _ and \\ taken literally (ESCAPE '\\')."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# The posts held in a locality are read by a skip along ix_people_locality_post, one probe each;
# past this many distinct posts (free-text posts, one a person) the filter reads each person instead.
POSTS_SKIP_CAP = 5000
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)

_POSTS_HELD = """
    WITH RECURSIVE held(post, n) AS (
        SELECT (SELECT min(p.post) FROM people p WHERE p.locality_id = :locality AND p.post > ''), 1
        UNION ALL
        SELECT (SELECT min(p.post) FROM people p WHERE p.locality_id = :locality AND p.post > held.post),
               held.n + 1
        FROM held WHERE held.post IS NOT NULL AND held.n <= :cap
    )
    SELECT post, n FROM held WHERE post IS NOT NULL"""


def posts_containing(ctx: AppContext, locality_id: int, word: str) -> list[str] | None:
    """The posts held in the locality that contain ``word`` (LIKE, as the filter always matched:
    A-Z in any case on SQLite), found by skipping along the (locality_id, post) index; None when
    the locality holds more than ``POSTS_SKIP_CAP`` distinct posts (the caller reads each person)."""
    with ctx.db.read() as session:
        rows = session.execute(
            text(_POSTS_HELD),
            {"locality": locality_id, "cap": POSTS_SKIP_CAP},
        ).all()
        if len(rows) > POSTS_SKIP_CAP:
            return None
    # "contains" as the LIKE '%word%' over the people was: A-Z in any case on SQLite (its LIKE),
    # exactly on PostgreSQL
    if ctx.db.is_sqlite:
        word = word.translate(_ASCII_LOWER)
        return [post for post, _n in rows if word in post.translate(_ASCII_LOWER)]
    return [post for post, _n in rows if word in post]


def _people_query(
    ctx: AppContext,
    actor: Actor,
    locality_id: int,
    q: str,
    unit_id: int | None,
    rank: str = "",
    post: str = "",
    anywhere: bool = False,
):
    query = people_scope(actor, select(Person.id).where(Person.locality_id == locality_id))
    if unit_id is not None:
        query = query.where(Person.unit_id == unit_id)
    if rank:
        query = query.where(Person.rank == rank)
    if post:
        held = posts_containing(ctx, locality_id, post)
        if held is None:  # more posts than POSTS_SKIP_CAP: read from each person
            query = query.where(col(Person.post).like(_like_anywhere(post), escape="\\"))
            query = query.execution_options(kaoping_reads_each_row=True)
        else:  # the people of those posts, on the (locality_id, post) index
            query = query.where(col(Person.post).in_(held)) if held else query.where(false())
    card = id_card_or_none(q) if q else None
    if card:
        query = query.where(Person.id_card_digest == ctx.keys.digest(card))
    elif q and anywhere:  # along the name's grams, not a read of every name
        query = query.where(name_contains(locality_id, q, sqlite=ctx.db.is_sqlite))
    elif q:
        # names that begin with q (surname first: 王 finds every 王, 王伟 every 王伟*): a range of the
        # (locality_id, name) index, compared by code point (PostgreSQL: in the "C" collation)
        name = col(Person.name) if ctx.db.is_sqlite else col(Person.name).collate("C")
        query = query.where(name >= q, name < q + "\U0010ffff")
    return query, card is not None


def _rows_before(session: Session, base, locality_id: int, first_id: int, total: int) -> int:
    """How many rows of ``base`` (``total`` of them) come before the id ``first_id``: counted on
    the shorter side of it, as the locality's ids place it (an index's two ends), so a page far
    down counts the few rows after it, not the many before (the total less those)."""
    # each end its own subquery: one index probe each (min and max together scan every row on SQLite)
    low, high = session.exec(
        select(
            select(func.min(Person.id)).where(Person.locality_id == locality_id).scalar_subquery(),
            select(func.max(Person.id)).where(Person.locality_id == locality_id).scalar_subquery(),
        )
    ).one()
    if low is None or first_id - low <= high - first_id:
        return session.exec(select(func.count()).select_from(base.where(Person.id < first_id).subquery())).one()
    after = session.exec(select(func.count()).select_from(base.where(Person.id >= first_id).subquery())).one()
    return total - after


def search_people(
    ctx: AppContext,
    actor: Actor,
    code: str,
    *,
    q: str = "",
    unit_id: int | None = None,
    after: int | None = None,
    before: int | None = None,
    limit: int = 50,
    rank: str = "",
    post: str = "",
    anywhere: bool = False,
) -> PeoplePage:
    """One page of people in id order: after the id ``after`` (next page), before the id
    ``before`` (previous page), or the first. ``q``: a whole ID-card number (found by its keyed
    digest), else the beginning of a name (anywhere in it with ``anywhere``, along the names'
    grams); ``rank`` exactly, ``post`` anywhere in it (the posts held that contain it, found on
    their index: ``posts_containing``). A unit admin sees its own unit's people only. When a
    filter is read from each row's text (a post, in a locality of more than ``POSTS_SKIP_CAP``
    distinct posts), the count stops at ``COUNT_CAP`` (``total_capped``: "more than 10,000"), so
    it costs no more than a page; a word anywhere in the name is found and counted along the
    names' grams (``name_grams``)."""
    require_role(actor, ADMIN_READ_ROLES, "read people")
    q = q.strip()[:100]
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        base, by_card = _people_query(
            ctx, actor, locality.id, q, unit_id, rank.strip()[:50], post.strip()[:100], anywhere
        )
        ids = base
        if before is not None:
            ids = ids.where(Person.id < before).order_by(col(Person.id).desc())
        else:
            if after is not None:
                ids = ids.where(Person.id > after)
            ids = ids.order_by(col(Person.id))
        found = list(session.exec(ids.limit(limit + 1)))
        more = len(found) > limit
        found = found[:limit]
        if before is not None:
            found.reverse()
            has_prev, has_next = more, True
        else:
            has_prev, has_next = after is not None, more
        people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(found)))} if found else {}
        convert = person_out(ctx.keys)
        items = [convert(session, people[i]) for i in found]
        # a word in the name is counted on its grams (core.services.name_grams), a word in the post
        # on the posts' index; only a post read from each person (too many posts) is counted to a cap
        scans = bool(base.get_execution_options().get("kaoping_reads_each_row"))
        counted = base.limit(COUNT_CAP + 1) if scans else base
        total = session.exec(select(func.count()).select_from(counted.subquery())).one()
        capped = scans and total > COUNT_CAP
        first = 0
        if capped:
            total = COUNT_CAP
        elif found and after is None and before is None:
            first = 1  # the first page starts at the first row: nothing to count before it
        elif found:
            first = 1 + _rows_before(session, base, locality.id, found[0], total)
            has_prev = first > 1
        return PeoplePage(
            items=items,
            total=total,
            first=first,
            has_prev=has_prev,
            has_next=has_next,
            by_id_card=by_card,
            total_capped=capped,
        )


# --- subjects in bulk --------------------------------------------------------------------------

BULK_SOURCES = ("units", "teams", "members")


@dataclass
class BulkResult:
    created: list[str]
    skipped: list[str]  # already subjects


def create_subjects(ctx: AppContext, actor: Actor, code: str, source: str, ids: list[int], category: str) -> BulkResult:
    """Make subjects of the chosen units, teams, or the members of the chosen teams (people), in
    one category; those that already are subjects are left as they are."""
    require_role(actor, OFFICE_ROLES, "change subjects")
    category = category.strip()
    errors = []
    if source not in BULK_SOURCES:
        errors.append({"field": "source", "message": "choose units, teams or team members"})
    if not category:
        errors.append({"field": "category", "message": "required, but empty"})
    elif len(category) > 100:
        errors.append({"field": "category", "message": "longer than 100 characters"})
    if not ids:
        errors.append({"field": "ids", "message": "choose at least one"})
    if errors:
        raise Invalid("please check the input", errors=errors)
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        wanted = _bulk_targets(session, locality.id, source, ids)
        kind = {"units": "unit", "teams": "team", "members": "person"}[source]
        existing = (
            set(
                session.exec(
                    select(Subject.ref_id).where(
                        Subject.locality_id == locality.id,
                        Subject.kind == kind,
                        col(Subject.ref_id).in_([ref for ref, _name in wanted]),
                    )
                )
            )
            if wanted
            else set()
        )
        created, skipped = [], []
        for ref, name in wanted:
            if ref in existing:
                skipped.append(name)
                continue
            subject = Subject(locality_id=locality.id, name=name[:200], kind=kind, ref_id=ref, category=category)
            session.add(subject)
            session.flush()
            audit.record(
                session,
                actor,
                locality_id=locality.id,
                action="subject.create",
                target_type="subject",
                target_id=subject.id,
                after={"name": subject.name, "kind": kind, "ref_id": ref, "category": category},
            )
            existing.add(ref)
            created.append(subject.name)
        return BulkResult(created=created, skipped=skipped)


def _bulk_targets(session: Session, locality_id: int, source: str, ids: list[int]) -> list[tuple[int, str]]:
    ids = [i for i in ids if 0 < i < 2**31]
    if source == "units":
        rows = session.exec(
            select(Unit.id, Unit.name).where(Unit.locality_id == locality_id, col(Unit.id).in_(ids)).order_by(Unit.code)
        )
        return [(r[0], r[1]) for r in rows]
    if source == "teams":
        rows = session.exec(
            select(Team.id, Team.name, Unit.name)
            .join(Unit, Unit.id == Team.unit_id)
            .where(Team.locality_id == locality_id, col(Team.id).in_(ids))
            .order_by(Unit.code, Team.id)
        )
        return [(r[0], f"{r[2]}{r[1]}" if not r[1].startswith(r[2]) else r[1]) for r in rows]
    rows = session.exec(
        select(Person.id, Person.name)
        .join(TeamMember, TeamMember.person_id == Person.id)
        .where(TeamMember.locality_id == locality_id, col(TeamMember.team_id).in_(ids))
        .order_by(TeamMember.team_id, TeamMember.id)
    )
    seen: dict[int, str] = {}
    for person_id, name in rows:
        seen.setdefault(person_id, name)
    return list(seen.items())


def teams_with_units(ctx: AppContext, actor: Actor, code: str) -> list[dict[str, Any]]:
    require_role(actor, ADMIN_READ_ROLES, "read teams")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        members = dict(
            session.exec(
                select(TeamMember.team_id, func.count())
                .where(TeamMember.locality_id == locality.id)
                .group_by(TeamMember.team_id)
            ).all()
        )
        query = (
            select(Team.id, Team.name, Unit.name, Team.type)
            .join(Unit, Unit.id == Team.unit_id)
            .where(Team.locality_id == locality.id)
        )
        if unit_admin_unit(actor) is not None:  # a unit admin: its own unit's teams
            query = query.where(Team.unit_id == actor.unit_id)
        rows = session.exec(query.order_by(Unit.code, Team.id).limit(MAX_UNITS))
        return [{"id": r[0], "name": r[1], "unit": r[2], "type": r[3], "members": members.get(r[0], 0)} for r in rows]


TEAMS_PAGE = 50


@dataclass(frozen=True)
class TeamsFound:
    """One page of leadership teams: ``items`` ``[{id, name, unit, type, members}]``, ``total``
    (of the filters, over all pages), ``offset``."""

    items: list[dict[str, Any]]
    total: int
    offset: int


def search_teams(
    ctx: AppContext,
    actor: Actor,
    code: str,
    *,
    q: str = "",
    unit_id: int | None = None,
    team_type: str = "",
    offset: int = 0,
    limit: int = TEAMS_PAGE,
) -> TeamsFound:
    """A page of the locality's teams, ordered by unit code and id, filtered in SQL: ``q`` a word
    in the team's or its unit's name, ``unit_id`` one unit's, ``team_type`` one type. The member
    counts are read for the page's teams only. A unit admin sees its own unit's teams."""
    require_role(actor, ADMIN_READ_ROLES, "read teams")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        query = (
            select(Team.id, Team.name, Unit.name, Team.type)
            .join(Unit, Unit.id == Team.unit_id)
            .where(Team.locality_id == locality.id)
        )
        if unit_admin_unit(actor) is not None:
            query = query.where(Team.unit_id == actor.unit_id)
        if unit_id is not None:
            query = query.where(Team.unit_id == unit_id)
        if team_type:
            query = query.where(Team.type == team_type)
        word = q.strip()[:50]
        if word:
            pattern = _like_anywhere(word)
            query = query.where(col(Team.name).like(pattern, escape="\\") | col(Unit.name).like(pattern, escape="\\"))
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        offset = min(max(offset, 0), max(total - 1, 0) // limit * limit)
        rows = session.exec(query.order_by(Unit.code, Team.id).offset(offset).limit(limit)).all()
        ids = [r[0] for r in rows]
        members = (
            dict(
                session.exec(
                    select(TeamMember.team_id, func.count())
                    .where(TeamMember.locality_id == locality.id, col(TeamMember.team_id).in_(ids))
                    .group_by(TeamMember.team_id)
                ).all()
            )
            if ids
            else {}
        )
        items = [{"id": r[0], "name": r[1], "unit": r[2], "type": r[3], "members": members.get(r[0], 0)} for r in rows]
        return TeamsFound(items, total, offset)


# --- exports ---------------------------------------------------------------------------------

UNIT_EXPORT = [
    ("code", "单位编码"),
    ("name", "单位名称"),
    ("type", "单位类型"),
    ("parent_code", "上级单位编码"),
    ("contact_name", "联系人"),
    ("contact_phone", "联系电话"),
    ("duties", "职责"),
]
PEOPLE_EXPORT = [
    ("name", "姓名"),
    ("gender", "性别"),
    ("birth_date", "出生年月"),
    ("ethnicity", "民族"),
    ("education", "学历"),
    ("degree", "学位"),
    ("school", "毕业院校"),
    ("native_place", "籍贯"),
    ("party", "政治面貌"),
    ("post", "现任职务"),
    ("rank", "职级"),
    ("unit_code", "单位编码"),
    ("unit_name", "单位名称"),
    ("post_since", "任现职时间"),
    ("id_card_masked", "身份证号（隐去中间）"),
]


def export_units(ctx: AppContext, actor: Actor, code: str) -> Iterator[bytes]:
    """The units as the import template has them (with the parent's code), so the file imports
    back: an .xlsx in chunks of bytes (``core.tabular.xlsx_stream``). Who may read and the
    locality are checked by this call (403, 404) before any byte is written."""
    units = all_units(ctx, actor, code)
    code_of = {u.id: u.code for u in units}
    rows = (
        [u.code, u.name, u.type, code_of.get(u.parent_id, ""), u.contact_name, u.contact_phone, u.duties]
        for u, _depth in tree_order(units)
    )
    return xlsx_chunks("单位", [h for _k, h in UNIT_EXPORT], rows)


def export_people(
    ctx: AppContext,
    actor: Actor,
    code: str,
    *,
    q: str = "",
    unit_id: int | None = None,
    rank: str = "",
    post: str = "",
    anywhere: bool = False,
) -> bytes:
    """The people the list shows (same search and filters), ID-card numbers masked."""
    require_role(actor, ADMIN_READ_ROLES, "read people")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        units = {u.id: u for u in session.exec(select(Unit).where(Unit.locality_id == locality.id))}
        ids, _ = _people_query(
            ctx, actor, locality.id, q.strip()[:100], unit_id, rank.strip()[:50], post.strip()[:100], anywhere
        )
        query = select(Person).where(col(Person.id).in_(ids.scalar_subquery())).order_by(col(Person.id))

        def rows():
            for person in session.exec(query.execution_options(yield_per=1000)):
                unit = units.get(person.unit_id)
                masked = mask_id_card(ctx.keys.decrypt(person.id_card_cipher)) if person.id_card_cipher else ""
                fields = {
                    "unit_code": unit.code if unit else "",
                    "unit_name": unit.name if unit else "",
                    "id_card_masked": masked,
                }
                yield [fields[key] if key in fields else getattr(person, key) or None for key, _h in PEOPLE_EXPORT]

        return tabular.one_sheet_workbook("人员", [h for _k, h in PEOPLE_EXPORT], rows())


def ranks_of(ctx: AppContext, actor: Actor, code: str) -> list[str]:
    """The ranks (职级) people of the locality hold, for the list's rank filter (at most 200)."""
    require_role(actor, ADMIN_READ_ROLES, "read people")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        # a skip along the (locality_id, rank) index: one probe per rank held, not a scan (or a
        # DISTINCT) over every person of the locality
        rows = session.execute(
            text("""
            WITH RECURSIVE held(rank, n) AS (
                SELECT (SELECT min(p.rank) FROM people p WHERE p.locality_id = :locality AND p.rank > ''), 1
                UNION ALL
                SELECT (SELECT min(p.rank) FROM people p WHERE p.locality_id = :locality AND p.rank > held.rank),
                       held.n + 1
                FROM held WHERE held.rank IS NOT NULL AND held.n < 200
            )
            SELECT rank FROM held WHERE rank IS NOT NULL"""),
            {"locality": locality.id},
        ).scalars()
        return [r for r in rows if r]


SUBJECT_EXPORT = [("name", "考核对象"), ("kind", "类型"), ("category", "考核对象类别")]
SUBJECT_KIND_LABELS = {"unit": "单位", "team": "领导班子", "person": "个人"}


def subject_categories(ctx: AppContext, actor: Actor, code: str) -> list[tuple[str, int]]:
    """The locality's subject categories with how many subjects each has, by name."""
    require_role(actor, ADMIN_READ_ROLES, "read subjects")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        rows = session.exec(
            select(Subject.category, func.count())
            .where(Subject.locality_id == locality.id)
            .group_by(Subject.category)
            .order_by(Subject.category)
            .limit(500)
        )
        return [(r[0], r[1]) for r in rows]


def export_subjects(ctx: AppContext, actor: Actor, code: str, *, category: str = "") -> Iterator[bytes]:
    """The subjects (of one category, or all) as .xlsx in chunks of bytes, written as they are
    read (``core.tabular.xlsx_stream``): name, kind and category. Who may read and the locality
    are checked by this call (403, 404) before any byte; the subjects are read when the chunks are."""
    require_role(actor, ADMIN_READ_ROLES, "read subjects")
    with ctx.db.read() as session:
        locality_id = locality_for(session, actor, code, read_only=True).id
    query = select(Subject.name, Subject.kind, Subject.category).where(Subject.locality_id == locality_id)
    if category:
        query = query.where(Subject.category == category)

    def chunks() -> Iterator[bytes]:
        with ctx.db.read() as session:
            rows = (
                [name, SUBJECT_KIND_LABELS.get(kind, kind), subject_category]
                for name, kind, subject_category in session.execute(
                    query.order_by(col(Subject.category), col(Subject.id)).execution_options(yield_per=2000)
                )
            )
            yield from xlsx_chunks("考核对象", [h for _k, h in SUBJECT_EXPORT], rows)

    return chunks()


def unit_admin_unit(actor: Actor) -> int | None:
    return actor.unit_id if actor.role == Role.unit_admin else None


def export_people_stream(
    ctx: AppContext,
    actor: Actor,
    code: str,
    *,
    q: str = "",
    unit_id: int | None = None,
    rank: str = "",
    post: str = "",
    anywhere: bool = False,
) -> Iterator[bytes]:
    """``export_people``'s workbook in chunks of bytes, written as the people are read (a plain
    read of the columns, no objects; ``core.tabular.xlsx_stream``): a download of 100,000 people
    starts at once and holds one chunk in memory. Who may read and the locality are checked by
    this call (403, 404) before any byte; the people are read when the chunks are."""
    require_role(actor, ADMIN_READ_ROLES, "read people")
    with ctx.db.read() as session:
        locality_id = locality_for(session, actor, code, read_only=True).id
    keys = [key for key, _h in PEOPLE_EXPORT if key not in ("unit_code", "unit_name", "id_card_masked")]

    def chunks() -> Iterator[bytes]:
        with ctx.db.read() as session:
            units = {
                u.id: (u.code, u.name)
                for u in session.exec(select(Unit.id, Unit.code, Unit.name).where(Unit.locality_id == locality_id))
            }
            ids, _ = _people_query(
                ctx, actor, locality_id, q.strip()[:100], unit_id, rank.strip()[:50], post.strip()[:100], anywhere
            )
            query = ids.with_only_columns(
                Person.unit_id, Person.id_card_cipher, *(getattr(Person, key) for key in keys)
            ).order_by(col(Person.id))

            def rows() -> Iterator[list[Any]]:
                for unit, cipher, *values in session.execute(query.execution_options(yield_per=2000)):
                    fields = dict(zip(keys, values, strict=True))
                    fields["unit_code"], fields["unit_name"] = units.get(unit, ("", ""))
                    fields["id_card_masked"] = mask_id_card(ctx.keys.decrypt(cipher)) if cipher else ""
                    yield [fields[key] or None for key, _h in PEOPLE_EXPORT]

            yield from xlsx_chunks("人员", [h for _k, h in PEOPLE_EXPORT], rows())

    return chunks()
