"""Profiles read from the database into the checks' plain dataclasses (``plugins.cadres.facts``):
``load_facts(session, keys, locality_id, person_ids)`` answers ``{person id: PersonFacts}`` in a
fixed number of queries (one per section, in chunks), whatever the number of people."""

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


def _decrypt(keys: Keyring, cipher: str | None) -> str:
    if not cipher:
        return ""
    try:
        return keys.decrypt(cipher)
    except ValueError:
        return ""


def load_facts(session: Session, keys: Keyring, locality_id: int, person_ids: Iterable[int]) -> dict[int, PersonFacts]:
    """The facts of the people of ``locality_id`` among ``person_ids`` (others are left out)."""
    ids = sorted(set(person_ids))
    people: dict[int, Person] = {}
    profiles: dict[int, CadreProfile] = {}
    sections: dict[str, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    levels: dict[int, str] = {}
    for chunk in _chunks(ids):
        for person in session.exec(select(Person).where(Person.locality_id == locality_id, col(Person.id).in_(chunk))):
            people[person.id] = person
        for profile in session.exec(select(CadreProfile).where(col(CadreProfile.person_id).in_(chunk))):
            profiles[profile.person_id] = profile
        for name, table, order in (
            ("education", EducationRecord, EducationRecord.start),
            ("posts", PostRecord, PostRecord.start),
            ("military", MilitaryRecord, MilitaryRecord.start),
            ("relations", FamilyRelation, FamilyRelation.id),
            ("tags", ExpertiseTag, ExpertiseTag.tag),
        ):
            query = select(table).where(table.locality_id == locality_id, col(table.person_id).in_(chunk))
            for row in session.exec(query.order_by(table.person_id, order)):
                sections[name][row.person_id].append(row)
    unit_ids = {r.unit_id for rows in sections["posts"].values() for r in rows if r.unit_id}
    for chunk in _chunks(sorted(unit_ids)):
        for uid, kind in session.exec(select(Unit.id, Unit.type).where(col(Unit.id).in_(chunk))):
            levels[uid] = UNIT_LEVELS.get(kind, "county")
    found = {}
    for pid, person in people.items():
        profile = profiles.get(pid)
        found[pid] = PersonFacts(
            id=pid,
            name=person.name,
            gender=person.gender,
            birth_date=birth_of(person.birth_date),
            ethnicity=person.ethnicity,
            party=person.party,
            id_number=_decrypt(keys, person.id_card_cipher),
            education=tuple(
                Education(
                    school=e.school,
                    department=e.department,
                    major=e.major,
                    class_name=e.class_name,
                    level=e.level,
                    degree=e.degree,
                    full_time=e.kind == "full_time",
                    start=e.start,
                    end=e.end,
                )
                for e in sections["education"][pid]
            ),
            native_place=profile.native_code if profile else "",
            birthplace=profile.birthplace_code if profile else "",
            posts=tuple(
                PostSpan(
                    unit_name=p.unit_name,
                    post=p.post,
                    unit_id=p.unit_id,
                    rank=p.rank,
                    start=p.start,
                    end=p.end,
                    principal=p.principal,
                    unit_level=levels.get(p.unit_id or 0, ""),
                )
                for p in sections["posts"][pid]
            ),
            military=tuple(MilitarySpan(m.unit_designation, m.start, m.end) for m in sections["military"][pid]),
            relations=tuple(
                DeclaredRelation(r.relation, r.name, r.birth, _decrypt(keys, r.id_card_cipher), r.unit_post)
                for r in sections["relations"][pid]
            ),
            expertise=tuple(t.tag for t in sections["tags"][pid]),
        )
    return found
