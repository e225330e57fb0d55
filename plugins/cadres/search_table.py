"""The search table (``cadre_search``): one narrow row per person with what the condition search
compares (``plugins.cadres.search``), so a search reads about fifty bytes a cadre instead of
joining the wide ``people`` rows to their profiles.

A row copies the person's name (the order of the results), birth date, gender, ethnicity, party
and rank, and the profile's native place, time at rank and derived columns (highest education,
degree, training hours). Those from the profile are NULL for a person without one, exactly as
the outer join they replace: a condition on them is then not met, whatever its bound. Posts,
expertise tags and annual grades stay in their own tables, which the search reads by index.

Kept in step in the writer's own transaction:

- every flush of the ORM that adds, changes or deletes a ``Person`` or a ``CadreProfile`` (the
  core's people pages, API and imports; the profile API, the Excel and .lrmx imports, which all
  write through ``service.write_profile``) rewrites the rows of those people (``_after_flush``);
- writers that insert in bulk without the ORM's unit of work (``synth``) call ``refresh`` for
  their locality;
- a deleted person's row goes with them (``ON DELETE CASCADE``).

``refresh(session)`` of a whole locality (or of all) rebuilds it, as migration ``cadres_0004``
did for existing data."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    delete,
    event,
    inspect,
    select,
)
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from core.models import Person
from plugins.cadres.models import CadreProfile

TABLE = "cadre_search"
CHUNK = 500  # people refreshed per statement


class CadreSearch(SQLModel, table=True):
    """A person as the condition search sees them (see the module)."""

    __tablename__ = TABLE
    # Clustered by locality on SQLite (WITHOUT ROWID): a search reads its locality's rows in one
    # range of the primary key, with no lookup per row; no other index for its conditions (most
    # match a large share of a locality, where a scan of narrow rows beats an index). On
    # PostgreSQL, the name order of a locality (migration cadres_0006): a page of a search that
    # matches most of it is read in that order and stops, instead of sorting every row found.
    __table_args__ = (
        UniqueConstraint("person_id", name="uq_cadre_search_person"),
        Index("ix_cadre_search_locality_name", "locality_id", "name", "person_id").ddl_if(dialect="postgresql"),
        {"sqlite_with_rowid": False},
    )

    locality_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("localities.id", ondelete="RESTRICT"), primary_key=True, autoincrement=False
        )
    )
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    )
    name: str = Field(sa_column=Column(String(100), nullable=False))
    birth_date: str = Field(default="", sa_column=Column(String(10), nullable=False, default=""))
    gender: str = Field(default="", sa_column=Column(String(10), nullable=False, default=""))
    ethnicity: str = Field(default="", sa_column=Column(String(50), nullable=False, default=""))
    party: str = Field(default="", sa_column=Column(String(50), nullable=False, default=""))
    rank: str = Field(default="", sa_column=Column(String(50), nullable=False, default=""))
    # from the profile: NULL without one
    native_code: str | None = Field(default=None, sa_column=Column(String(6), nullable=True))
    rank_since: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    edu_rank_any: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    edu_rank_full_time: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    degree_rank: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    training_hours: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))


_PERSON = ("name", "birth_date", "gender", "ethnicity", "party", "rank")
_PROFILE = ("native_code", "rank_since", "edu_rank_any", "edu_rank_full_time", "degree_rank", "training_hours")
COLUMNS = ("person_id", "locality_id", *_PERSON, *_PROFILE)


def _source() -> Any:
    """The rows of the search table as the join of people and profiles computes them."""
    return select(
        col(Person.id),
        col(Person.locality_id),
        *(getattr(Person, name) for name in _PERSON),
        *(getattr(CadreProfile, name) for name in _PROFILE),
    ).outerjoin(CadreProfile, col(CadreProfile.person_id) == Person.id)


def _rewrite(connection: Any, *, person_ids: Iterable[int] | None = None, locality_id: int | None = None) -> None:
    table = CadreSearch.__table__
    if person_ids is not None:
        ids = sorted({i for i in person_ids if i is not None})
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            connection.execute(delete(table).where(table.c.person_id.in_(chunk)))
            connection.execute(table.insert().from_select(list(COLUMNS), _source().where(col(Person.id).in_(chunk))))
        return
    removed, chosen = delete(table), _source()
    if locality_id is not None:
        removed = removed.where(table.c.locality_id == locality_id)
        chosen = chosen.where(Person.locality_id == locality_id)
    connection.execute(removed)
    connection.execute(table.insert().from_select(list(COLUMNS), chosen))


def refresh(session: Session, *, person_ids: Iterable[int] | None = None, locality_id: int | None = None) -> None:
    """Rewrite the search rows of ``person_ids``, or of every person of ``locality_id``, or of
    everyone, from ``people`` and ``cadre_profiles``, in the session's transaction (after a
    flush, so rows added through the ORM are seen)."""
    session.flush()
    _rewrite(session.connection(), person_ids=person_ids, locality_id=locality_id)


# --- kept in step with ORM writes ----------------------------------------------------------------

_has_table: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _table_exists(connection: Any) -> bool:
    """Whether the database has the table (a database whose cadre branch is not migrated this
    far has not: people are then written as before). Asked once per engine."""
    engine = connection.engine
    known = _has_table.get(engine)
    if known is None:
        known = _has_table[engine] = inspect(connection).has_table(TABLE)
    return known


def _after_flush(session: Session, _context: Any) -> None:
    """Rewrite the rows of the people whose person or profile this flush added, changed or
    deleted (the lists still show what was flushed)."""
    ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Person):
            ids.add(obj.id)
        elif isinstance(obj, CadreProfile):
            ids.add(obj.person_id)
    ids.discard(None)  # type: ignore[arg-type]
    if not ids:
        return
    connection = session.connection()
    if _table_exists(connection):
        _rewrite(connection, person_ids=ids)


event.listen(Session, "after_flush", _after_flush)
