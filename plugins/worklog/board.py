"""A leader's board: the people of one unit a leader supervises (but themselves) with, per kind
of entry of the period, the submitted entry or null (missing), a page at a time.

A leader names one of their supervised units (``unit_id``; default the first of
``supervision.supervised_units``, their own); the office names any unit of the locality, and
so does a leader of a parent locality granted to read it (``queries.reads_below``). A unit
may hold hundreds of people: the board is paged in SQL (``limit`` people from ``offset``, in id
order), and its counts (people, submitted, missing) cover every page. Reading one costs two
statements after the locality: the unit's counts, and the page's people with their entries and
each entry's comments and likes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func
from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import Person, Role, Unit
from core.services.access import OFFICE_ROLES
from core.services.errors import Forbidden, Invalid, NotFound
from plugins.worklog.models import EntryStatus, WorkEntry
from plugins.worklog.queries import entry_out, kinds_for, parse_period, reads_below, scope, talk
from plugins.worklog.schemas import Board, BoardRow
from plugins.worklog.supervision import supervised_units

PAGE = 50  # people a page, by default
MAX_PAGE = 200
NO_UNIT = "no unit with id {unit_id}"


def board(
    ctx: AppContext,
    actor: Actor,
    code: str,
    period: Any,
    unit_id: int | None = None,
    *,
    limit: int = PAGE,
    offset: int = 0,
) -> Board:
    """One page of the board of ``unit_id`` for ``period`` (a week, month or quarter). 422 for
    another kind of period, for the office without a unit, for a page out of range; 403 for roles
    other than the office and leaders; 404 for a unit of another locality or, for a leader, one
    they do not supervise."""
    when = parse_period(period)
    kinds = kinds_for(when)
    if not kinds:
        raise Invalid(
            "period: work records are kept by week, month or quarter, not {period}",
            params={"period": str(when)},
            errors=[{"field": "period", "message": "not a week, month or quarter"}],
        )
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise Invalid(
            "limit: between 1 and {max} people a page, from an offset of 0 or more",
            params={"max": MAX_PAGE},
            errors=[{"field": "limit", "message": "out of range"}],
        )
    if actor.role not in (*OFFICE_ROLES, Role.leader):
        raise Forbidden("your role ({role}) may not read a board of work records", params={"role": actor.role})
    empty = Board(period=str(when), kinds=kinds, unit_id=None, rows=[], submitted=0, missing=0, limit=limit)
    with ctx.db.read(autocommit=True) as session:  # a few statements, no BEGIN/ROLLBACK round trips
        locality, mine = scope(session, actor, code, read_only=True)
        if actor.role == Role.leader and not reads_below(actor, locality):
            allowed = supervised_units(session, actor, locality)
            if unit_id is not None and unit_id not in allowed:
                raise NotFound(NO_UNIT, params={"unit_id": unit_id})
            unit_id = unit_id if unit_id is not None else (allowed[0] if allowed else None)
            if unit_id is None:
                return empty
        elif unit_id is None:
            raise Invalid(
                "unit_id: choose the unit whose people to show", errors=[{"field": "unit_id", "message": "required"}]
            )
        on_board = and_(
            Person.locality_id == locality.id, Person.unit_id == unit_id, Person.id != (mine.id if mine else -1)
        )
        submitted_of = and_(
            WorkEntry.person_id == Person.id,
            WorkEntry.locality_id == locality.id,
            WorkEntry.period == str(when),
            col(WorkEntry.kind).in_([k.value for k in kinds]),
            WorkEntry.status == EntryStatus.submitted.value,
        )
        # The page and the counts over every page in one statement (the counts as uncorrelated
        # scalar subqueries, computed once); only a page with nobody on it (past the end, or a
        # unit without people, or of another locality) asks the counts apart.
        people_count = select(func.count()).select_from(Person).where(on_board).correlate(None).scalar_subquery()
        submitted_count = (  # correlate(None): the outer query's worklog_entries is another one
            select(func.count())
            .select_from(WorkEntry)
            .join(Person, submitted_of)
            .where(on_board)
            .correlate(None)
            .scalar_subquery()
        )
        page = (
            select(Person.id, Person.name, Person.unit_id)
            .where(on_board)
            .order_by(col(Person.id))
            .limit(limit)
            .offset(offset)
            .subquery()
        )
        if offset == 0:  # a unit on one page (the usual board) is counted from its rows, in Python:
            # its submitted count (a second probe of every person's entries) is not run then
            submitted_count = case((people_count <= limit, None), else_=submitted_count)
        comments, likes = talk()
        found = session.exec(
            select(
                page.c.id,
                page.c.name,
                page.c.unit_id,
                WorkEntry,
                comments,
                likes,
                people_count.label("people"),
                submitted_count.label("submitted"),
            )
            .select_from(page)
            .outerjoin(WorkEntry, _entry_of(page, locality.id, when, kinds))
            .order_by(page.c.id)
        ).all()
        if found:
            people, submitted = found[0][6], found[0][7]
            if submitted is None:  # every person on this page: their entries are all there
                submitted = sum(1 for row in found if row[3] is not None)
        else:
            counted = session.exec(
                select(func.count(func.distinct(Person.id)), func.count(WorkEntry.id))
                .select_from(Unit)
                .outerjoin(Person, and_(col(Person.unit_id) == Unit.id, on_board))
                .outerjoin(WorkEntry, submitted_of)
                .where(Unit.id == unit_id, Unit.locality_id == locality.id)
                .group_by(Unit.id)
            ).first()
            if counted is None:
                raise NotFound(NO_UNIT, params={"unit_id": unit_id})
            people, submitted = counted
        rows: dict[int, BoardRow] = {}
        for pid, name, unit, entry, n_comments, n_likes, _people, _submitted in found:
            row = rows.get(pid) or rows.setdefault(
                pid,
                BoardRow(person_id=pid, person_name=name, unit_id=unit, entries={k.value: None for k in kinds}),
            )
            if entry is not None:
                row.entries[entry.kind] = entry_out(entry, name, False, comments=n_comments, likes=n_likes)
        return Board(
            period=str(when),
            kinds=kinds,
            unit_id=unit_id,
            rows=list(rows.values()),
            submitted=submitted,
            missing=people * len(kinds) - submitted,
            total=people,
            limit=limit,
            offset=offset,
        )


def _entry_of(page: Any, locality_id: int, when: Any, kinds: list) -> Any:
    """The join of a page's person to their submitted entries of the period's kinds."""
    return and_(
        WorkEntry.person_id == page.c.id,
        WorkEntry.locality_id == locality_id,
        WorkEntry.period == str(when),
        col(WorkEntry.kind).in_([k.value for k in kinds]),
        WorkEntry.status == EntryStatus.submitted.value,
    )


def board_units(ctx: AppContext, actor: Actor, code: str) -> list[tuple[int, str]]:
    """The units whose board ``actor`` may show, as (id, name): the office (and a reader
    granted from a parent locality) every unit of the locality (by code), a leader the units
    they supervise (their own first); others none."""
    with ctx.db.read() as session:
        locality, _ = scope(session, actor, code, read_only=True)
        below = reads_below(actor, locality)
        if actor.role == Role.leader and not below:
            ids = supervised_units(session, actor, locality)
            names = dict(session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(ids or [-1]))).all())
            return [(u, names[u]) for u in ids if u in names]
        if actor.role not in OFFICE_ROLES and not below:
            return []
        return [
            (u.id, u.name)
            for u in session.exec(select(Unit).where(Unit.locality_id == locality.id).order_by(col(Unit.code)))
        ]
