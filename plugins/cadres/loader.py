"""Profiles read from the database into the checks' plain dataclasses (``plugins.cadres.facts``):
``load_facts(session, keys, locality_id, person_ids)`` answers ``{person id: PersonFacts}`` in a
fixed number of queries (the people with their profiles' places, then one per section, in
chunks, or by the locality alone for all its people), whatever the number of people."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from core.models import Person, Unit
from core.security import Keyring
from plugins.cadres.facts import DeclaredRelation, Education, MilitarySpan, PersonFacts, PostSpan
from plugins.cadres.models import (
    CadreProfile,
    EducationRecord,
    ExpertiseTag,
    FamilyRelation,
    MilitaryRecord,
    PostRecord,
)
from plugins.cadres.service import birth_of

CHUNK = 5000
# a unit's type (units.type) -> the experience its posts give, as the structure rules name it
UNIT_LEVELS = {"township": "township", "乡镇": "township", "街道": "township"}


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _id_key(digest: str | None) -> str:
    """A stored ID number as the relative check compares it: its keyed digest (``#`` first), so
    nothing is decrypted to compare (the digest is taken of the number as the services store it)."""
    return f"#{digest}" if digest else ""


# the columns read per section (rows as tuples: no ORM objects for a scan of a whole locality)
_EDUCATION = (
    EducationRecord.person_id,
    EducationRecord.school,
    EducationRecord.department,
    EducationRecord.major,
    EducationRecord.class_name,
    EducationRecord.level,
    EducationRecord.degree,
    EducationRecord.kind,
    EducationRecord.start,
    EducationRecord.end,
)
_POSTS = (
    PostRecord.person_id,
    PostRecord.unit_name,
    PostRecord.post,
    PostRecord.unit_id,
    PostRecord.rank,
    PostRecord.start,
    PostRecord.end,
    PostRecord.principal,
)
_MILITARY = (MilitaryRecord.person_id, MilitaryRecord.unit_designation, MilitaryRecord.start, MilitaryRecord.end)
_RELATIONS = (
    FamilyRelation.person_id,
    FamilyRelation.relation,
    FamilyRelation.name,
    FamilyRelation.birth,
    FamilyRelation.id_card_digest,
    FamilyRelation.unit_post,
)
_TAGS = (ExpertiseTag.person_id, ExpertiseTag.tag)


def load_facts(
    session: Session, keys: Keyring | None, locality_id: int, person_ids: Iterable[int] | None = None
) -> dict[int, PersonFacts]:
    """The facts of the people of ``locality_id`` among ``person_ids`` (others are left out;
    None: every person of the locality, read by the locality's indexes without id lists).

    Rows are read as tuples, and ID numbers are compared by their keyed digests, so a scan of a
    whole locality builds no ORM object and decrypts nothing (``keys`` is not used)."""
    whole = person_ids is None
    ids = [] if whole else sorted(set(person_ids))
    groups: list[list[int] | None] = [None] if whole else list(_chunks(ids))
    people: dict[int, tuple] = {}
    profiles: dict[int, tuple] = {}
    sections: dict[str, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    levels: dict[int, str] = {}
    connection = session.connection()  # Core rows: the ORM's row processing is not needed here

    def scoped(query: Any, table: Any, chunk: list[int] | None) -> Any:
        if chunk is None:
            return query.where(table.locality_id == locality_id)
        if table is Person:
            return query.where(Person.locality_id == locality_id, col(Person.id).in_(chunk))
        # ``chunk`` holds people of the locality only (read first), so a section is read by their
        # ids alone: with the locality beside them SQLite took the (locality_id, ...) index and
        # read every row of the locality (a candidate's placement at 100,000 cadres: 0.7 s of
        # CPU). Every section has an index by person (military service's since cadres_0005).
        return query.where(col(table.person_id).in_(chunk))

    for asked in groups:
        # the person and the profile's places in one statement (a person may have no profile)
        person_query = select(
            Person.id,
            Person.name,
            Person.gender,
            Person.birth_date,
            Person.ethnicity,
            Person.party,
            Person.id_card_digest,
            CadreProfile.person_id,
            CadreProfile.native_code,
            CadreProfile.birthplace_code,
        ).outerjoin(CadreProfile, CadreProfile.person_id == Person.id)
        for row in connection.execute(scoped(person_query, Person, asked)).all():
            people[row[0]] = row[:7]
            if row[7] is not None:  # the person has a profile
                profiles[row[0]] = row[7:]
        chunk = asked if asked is None else [pid for pid in asked if pid in people]
        if chunk == []:
            continue
        for name, columns, table, order in (
            ("education", _EDUCATION, EducationRecord, EducationRecord.start),
            ("posts", _POSTS, PostRecord, PostRecord.start),
            ("military", _MILITARY, MilitaryRecord, MilitaryRecord.start),
            ("relations", _RELATIONS, FamilyRelation, FamilyRelation.id),
            ("tags", _TAGS, ExpertiseTag, ExpertiseTag.tag),
        ):
            query = scoped(select(*columns), table, chunk)
            if table is PostRecord and not whole:  # a few people: their posts' unit types in the same statement
                query = query.add_columns(Unit.type).outerjoin(Unit, Unit.id == PostRecord.unit_id)
            query = query.order_by(table.person_id, order)
            bucket = sections[name]
            for row in connection.execute(query).all():  # one fetch, not a call per row
                if table is PostRecord and not whole:
                    if row[3] and row[8] is not None:
                        levels[row[3]] = UNIT_LEVELS.get(row[8], "county")
                    row = row[:8]
                bucket[row[0]].append(row)
    if whole:  # the whole locality: its units' types once, not a join per post
        for uid, kind in connection.execute(select(Unit.id, Unit.type).where(Unit.locality_id == locality_id)):
            levels[uid] = UNIT_LEVELS.get(kind, "county")
    education, posts, military = sections["education"], sections["posts"], sections["military"]
    relations, tags = sections["relations"], sections["tags"]
    found = {}
    for pid, (_id, name, gender, birth_date, ethnicity, party, digest) in people.items():
        profile = profiles.get(pid)
        found[pid] = PersonFacts(
            id=pid,
            name=name,
            gender=gender,
            birth_date=birth_of(birth_date),
            ethnicity=ethnicity,
            party=party,
            id_number=_id_key(digest),
            education=tuple(
                Education(
                    school=school,
                    department=department,
                    major=major,
                    class_name=class_name,
                    level=level,
                    degree=degree,
                    full_time=kind == "full_time",
                    start=start,
                    end=end,
                )
                for _p, school, department, major, class_name, level, degree, kind, start, end in education.get(pid, ())
            ),
            native_place=profile[1] if profile else "",
            birthplace=profile[2] if profile else "",
            posts=tuple(
                PostSpan(
                    unit_name=unit_name,
                    post=post,
                    unit_id=unit_id,
                    rank=rank,
                    start=start,
                    end=end,
                    principal=principal,
                    unit_level=levels.get(unit_id or 0, ""),
                )
                for _p, unit_name, post, unit_id, rank, start, end, principal in posts.get(pid, ())
            ),
            military=tuple(MilitarySpan(unit, start, end) for _p, unit, start, end in military.get(pid, ())),
            relations=tuple(
                DeclaredRelation(kind, name, birth, _id_key(digest), unit_post)
                for _p, kind, name, birth, digest, unit_post in relations.get(pid, ())
            ),
            expertise=tuple(tag for _p, tag in tags.get(pid, ())),
        )
    return found
