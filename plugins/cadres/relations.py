"""The relationship check (关系检查): which people of a set are classmates (同学), from one
hometown (同乡), former colleagues (同事), comrades-in-arms (战友) or relatives (亲戚), each with
its strength and evidence.

    checker = RelationChecker(RelationOptions(), today=date(2026, 11, 30))
    checker.placement([candidate], team_members)   # -> list[Relation]
    checker.within(people)                          # every pair of a set
    checker.scan(teams)                             # {team id: [Relation]} for every team

A relation kind (``RelationKind``) says which index keys a person has (two people can be
related only when they share a key, so a set is checked bucket by bucket, never pair by pair)
and how two people sharing a key relate. The five built-in kinds are ``KINDS``; a plugin adds
its own through the hook ``kaoping_cadre_relation_kinds`` (passed in as ``extra_kinds``), and
a locality turns kinds on and off and sets their strength rules in ``RelationOptions``.

Strengths are ``strong`` and ``weak``; a rule set to None does not report that case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

from plugins.cadres.facts import Message, PersonFacts, months_between, normalize_name, overlap
from plugins.cadres.options import RelationOptions, Strength  # noqa: F401 - the options are read here

STRENGTH_ORDER = {"weak": 1, "strong": 2}

# --- messages (ids of plugins/cadres/locales; keep the placeholders) ----------------------------
CLASSMATES = "classmates (同学)"
FELLOW_TOWNSMEN = "from one hometown (同乡)"
COLLEAGUES = "former colleagues (同事)"
COMRADES = "comrades-in-arms (战友)"
RELATIVES = "relatives (亲戚)"
SAME_CLASS = "same class {class_name} at {school}: {a} {a_years}, {b} {b_years}"
SAME_DEPARTMENT = "same department {department} at {school}: {a} {a_years}, {b} {b_years}"
SAME_SCHOOL = "same school {school}: {a} {a_years}, {b} {b_years}"
SAME_SCHOOL_YEARS_UNKNOWN = "same school {school}, years not known: {a} {a_years}, {b} {b_years}"
SAME_COUNTY = "same native county {place}"
SAME_CITY = "native counties {a_place} and {b_place} in one city"
SAME_PROVINCE = "native places {a_place} and {b_place} in one province"
SAME_BIRTH_COUNTY = "born in one county {place}"
SAME_BIRTH_CITY = "born in {a_place} and {b_place}, one city"
SAME_UNIT = "both at {unit} from {start} to {end} ({months} months): {a} as {a_post}, {b} as {b_post}"
SAME_MILITARY_UNIT = "both served in {unit} from {start} to {end} ({months} months)"
DECLARED_BY_ID = "{a} declares {b} as {kind} (matched by ID number)"
DECLARED_BY_NAME = "{a} declares {b} as {kind} (matched by name and birth month {birth})"
SHARED_RELATIVE = "{a} declares {name} as {a_kind}, {b} declares the same person as {b_kind}"
SOON = ""  # an open span reads "2015.03–", as résumés write it


@dataclass(frozen=True)
class Relation:
    """How two people (``a`` and ``b``, person ids) relate: the ``kind`` (a kind's name), the
    strongest ``strength`` found, and every piece of ``evidence`` (messages)."""

    kind: str
    a: int | str
    b: int | str
    strength: str
    evidence: tuple[Message, ...]
    details: tuple[dict[str, Any], ...] = field(default=(), hash=False, compare=False)


@dataclass(frozen=True)
class Context:
    """What a kind may use besides the two people: the day open spans end (``today``), the
    options, the name of a GB/T 2260 code (``place_name``) and units to leave out (a team's own
    unit, where every member is a colleague of every other)."""

    today: date
    options: RelationOptions
    place_name: Callable[[str], str]
    exclude_units: frozenset[str] = frozenset()


class RelationKind(Protocol):
    """The interface of a relation kind (a plugin's kinds are shaped like this).

    ``name``: stable id (``classmate``); ``label``: message id of its name for users.
    ``keys(person, context)``: hashable index keys; two people are compared only when they
    share at least one key, so keys should be as narrow as the kind allows (a school, a county's
    city prefix, a unit). ``relate(a, b, context)``: the ``Relation`` of the two (``a`` first),
    or None."""

    name: str
    label: str

    def keys(self, person: PersonFacts, context: Context) -> Iterable[Hashable]: ...

    def relate(self, a: PersonFacts, b: PersonFacts, context: Context) -> Relation | None: ...


def _month(day: date) -> str:
    return f"{day.year}.{day.month:02d}"


def _years(start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return "?"
    return f"{_month(start) if start else '?'}–{_month(end) if end else SOON}"


def _relation(kind: str, a: PersonFacts, b: PersonFacts, found: list[tuple[str, Message, dict]]) -> Relation | None:
    if not found:
        return None
    if len(found) > 1:
        found.sort(key=lambda item: -STRENGTH_ORDER[item[0]])
    strength = found[0][0]
    return Relation(kind, a.id, b.id, strength, tuple(item[1] for item in found), tuple(item[2] for item in found))


# --- the built-in kinds ---------------------------------------------------------------------------


class Classmates:
    name = "classmate"
    label = CLASSMATES

    def _entries(self, person: PersonFacts, context: Context):
        return [e for e in person.education if e.school and (e.full_time or context.options.classmate_in_service)]

    def keys(self, person, context):
        return {normalize_name(e.school) for e in self._entries(person, context)}

    def relate(self, a, b, context):
        options, found = context.options, []
        for ea in self._entries(a, context):
            school = normalize_name(ea.school)
            for eb in self._entries(b, context):
                if normalize_name(eb.school) != school:
                    continue
                params = {
                    "school": ea.school,
                    "a": a.name,
                    "a_years": _years(ea.start, ea.end),
                    "b": b.name,
                    "b_years": _years(eb.start, eb.end),
                }
                detail = {"school": ea.school, "a_entry": ea, "b_entry": eb}
                if ea.start is None or eb.start is None:
                    if options.classmate_years_unknown:
                        found.append(
                            (options.classmate_years_unknown, Message(SAME_SCHOOL_YEARS_UNKNOWN, params), detail)
                        )
                    continue
                common = overlap(ea.start, ea.end, eb.start, eb.end, context.today)
                if common is None or months_between(*common) < options.classmate_min_overlap_months:
                    continue
                detail["overlap"] = common
                if ea.class_name and normalize_name(ea.class_name) == normalize_name(eb.class_name):
                    strength, message = (
                        options.classmate_same_class,
                        Message(SAME_CLASS, {**params, "class_name": ea.class_name}),
                    )
                elif ea.department and normalize_name(ea.department) == normalize_name(eb.department):
                    strength, message = (
                        options.classmate_same_department,
                        Message(SAME_DEPARTMENT, {**params, "department": ea.department}),
                    )
                else:
                    strength, message = None, None
                if strength is None:  # the class or department rule is off, or they differ
                    strength, message = options.classmate_same_school, Message(SAME_SCHOOL, params)
                if strength:
                    found.append((strength, message, detail))
        return _relation(self.name, a, b, found)


@lru_cache(maxsize=65_536)
def _division(code: str) -> str | None:
    code = (code or "").strip()
    return code if len(code) == 6 and code.isdigit() and code[:2] != "00" else None


class FellowTownsmen:
    name = "fellow_townsman"
    label = FELLOW_TOWNSMEN

    def keys(self, person, context):
        width = 2 if context.options.hometown_province is not None else 4
        keys = set()
        if _division(person.native_place):
            keys.add(("native", person.native_place[:width]))
        if context.options.hometown_birthplace and _division(person.birthplace):
            keys.add(("birth", person.birthplace[:width]))
        return keys

    def relate(self, a, b, context):
        found: list = []
        self._compare("native", a.native_place, b.native_place, context, found)
        if context.options.hometown_birthplace:
            self._compare("birth", a.birthplace, b.birthplace, context, found)
        return _relation(self.name, a, b, found)

    def _compare(self, which: str, code_a: str, code_b: str, context: Context, found: list) -> None:
        if not (_division(code_a) and _division(code_b)):
            return
        options, name = context.options, context.place_name
        if code_a == code_b and code_a[4:] != "00":
            message = SAME_COUNTY if which == "native" else SAME_BIRTH_COUNTY
            strength, params = options.hometown_county, {"place": name(code_a)}
        elif code_a[:4] == code_b[:4] and code_a[2:4] != "00":
            message = SAME_CITY if which == "native" else SAME_BIRTH_CITY
            strength, params = options.hometown_city, {"a_place": name(code_a), "b_place": name(code_b)}
        elif code_a[:2] == code_b[:2]:
            message = SAME_PROVINCE
            strength, params = options.hometown_province, {"a_place": name(code_a), "b_place": name(code_b)}
        else:
            return
        if strength:
            found.append((strength, Message(message, params), {"which": which, "a_place": code_a, "b_place": code_b}))


class Colleagues:
    name = "colleague"
    label = COLLEAGUES

    def _posts(self, person: PersonFacts, context: Context):
        return [p for p in person.posts if p.unit_key not in context.exclude_units]

    def keys(self, person, context):
        return {p.unit_key for p in self._posts(person, context)}

    def relate(self, a, b, context):
        options, found = context.options, []
        for pa in self._posts(a, context):
            for pb in self._posts(b, context):
                if pa.unit_key != pb.unit_key:
                    continue
                common = overlap(pa.start, pa.end, pb.start, pb.end, context.today)
                if common is None:
                    continue
                months = months_between(*common)
                if months < options.colleague_min_overlap_months:
                    continue
                strength = "strong" if months >= options.colleague_strong_months else "weak"
                params = {
                    "unit": pa.unit_name or pb.unit_name,
                    "start": _month(common[0]),
                    "end": _month(common[1]),
                    "months": months,
                    "a": a.name,
                    "a_post": pa.post or "?",
                    "b": b.name,
                    "b_post": pb.post or "?",
                }
                found.append((strength, Message(SAME_UNIT, params), {"unit": pa.unit_key, "overlap": common}))
        return _relation(self.name, a, b, found)


class Comrades:
    name = "comrade"
    label = COMRADES

    def keys(self, person, context):
        return {normalize_name(m.unit) for m in person.military if m.unit}

    def relate(self, a, b, context):
        options, found = context.options, []
        if not options.comrade:
            return None
        for ma in a.military:
            for mb in b.military:
                if not ma.unit or normalize_name(ma.unit) != normalize_name(mb.unit):
                    continue
                common = overlap(ma.start, ma.end, mb.start, mb.end, context.today)
                if common is None or months_between(*common) < options.comrade_min_overlap_months:
                    continue
                params = {
                    "unit": ma.unit,
                    "start": _month(common[0]),
                    "end": _month(common[1]),
                    "months": months_between(*common),
                }
                found.append(
                    (options.comrade, Message(SAME_MILITARY_UNIT, params), {"unit": ma.unit, "overlap": common})
                )
        return _relation(self.name, a, b, found)


def _id_key(number: str) -> tuple | None:
    """An ID number as compared: 15 or 18 characters, or a stored number's keyed digest
    (``#`` and the digest, as ``loader`` gives them: nothing is decrypted to compare)."""
    if number and number[0] == "#":
        return ("id", number)
    number = "".join((number or "").split()).upper()
    return ("id", number) if len(number) in (15, 18) else None


def _name_key(name: str, birth: date | None) -> tuple | None:
    return ("name", normalize_name(name), birth.year, birth.month) if name and birth else None


class Relatives:
    name = "relative"
    label = RELATIVES

    def keys(self, person, context):
        keys = {_id_key(person.id_number), _name_key(person.name, person.birth_date)}
        for declared in person.relations:
            keys |= {_id_key(declared.id_number), _name_key(declared.name, declared.birth_date)}
        keys.discard(None)
        return keys

    def _declares(self, who: PersonFacts, other: PersonFacts, context: Context, found: list) -> None:
        options = context.options
        other_id, other_name = _id_key(other.id_number), _name_key(other.name, other.birth_date)
        for declared in who.relations:
            by_id = other_id is not None and _id_key(declared.id_number) == other_id
            if by_id and options.relative_by_id_number:
                params = {"a": who.name, "b": other.name, "kind": declared.kind}
                found.append((options.relative_by_id_number, Message(DECLARED_BY_ID, params), {"declared": declared}))
            elif (
                other_name is not None
                and _name_key(declared.name, declared.birth_date) == other_name
                and options.relative_by_name_and_birth
            ):
                params = {
                    "a": who.name,
                    "b": other.name,
                    "kind": declared.kind,
                    "birth": _month(other.birth_date),
                }
                found.append(
                    (options.relative_by_name_and_birth, Message(DECLARED_BY_NAME, params), {"declared": declared})
                )

    def relate(self, a, b, context):
        found: list = []
        self._declares(a, b, context, found)
        self._declares(b, a, context, found)
        shared = context.options.relative_shared
        if shared:
            for da in a.relations:
                keys_a = {_id_key(da.id_number), _name_key(da.name, da.birth_date)} - {None}
                for db in b.relations:
                    if keys_a & ({_id_key(db.id_number), _name_key(db.name, db.birth_date)} - {None}):
                        params = {"a": a.name, "b": b.name, "name": da.name, "a_kind": da.kind, "b_kind": db.kind}
                        found.append((shared, Message(SHARED_RELATIVE, params), {"a_declared": da, "b_declared": db}))
        return _relation(self.name, a, b, found)


KINDS: tuple[RelationKind, ...] = (Classmates(), FellowTownsmen(), Colleagues(), Comrades(), Relatives())


# --- the checker --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    """A team to scan: its id, its own unit (``PostSpan.unit_key``, left out of the colleague
    check) and its members."""

    id: int | str
    members: Sequence[PersonFacts]
    unit_key: str | None = None


class RelationChecker:
    """Checks people against each other with the kinds the options turn on.

    ``extra_kinds``: kinds from plugins (``kaoping_cadre_relation_kinds``); a kind is used only
    when ``options.kinds`` names it. ``place_name``: the name of a GB/T 2260 code, shown in the
    evidence (the code itself when not given). ``today``: where open spans end."""

    def __init__(
        self,
        options: RelationOptions | None = None,
        *,
        today: date,
        extra_kinds: Iterable[RelationKind] = (),
        place_name: Callable[[str], str] | None = None,
    ):
        self.options = options or RelationOptions()
        self.today = today
        available = {kind.name: kind for kind in (*KINDS, *extra_kinds)}
        unknown = [name for name in self.options.kinds if name not in available]
        if unknown:
            raise ValueError(f"unknown relation kinds: {', '.join(unknown)}")
        self.kinds = [available[name] for name in self.options.kinds]
        self.place_name = place_name or (lambda code: code)

    def context(self, exclude_units: Iterable[str] = ()) -> Context:
        return Context(self.today, self.options, self.place_name, frozenset(exclude_units))

    def pair(self, a: PersonFacts, b: PersonFacts, *, exclude_units: Iterable[str] = ()) -> list[Relation]:
        """Every relation of two people, one per kind at most."""
        context = self.context(exclude_units)
        found = []
        for kind in self.kinds:
            if set(kind.keys(a, context)) & set(kind.keys(b, context)):
                relation = kind.relate(a, b, context)
                if relation:
                    found.append(relation)
        return found

    def within(
        self, people: Sequence[PersonFacts], *, exclude_units: Iterable[str] = (), only_with: set | None = None
    ) -> list[Relation]:
        """Every relation between two people of a set, found bucket by bucket (people sharing a
        key of a kind): linear in the set's size for people that share nothing. ``only_with``:
        report only pairs with at least one of these person ids (the candidates)."""
        context = self.context(exclude_units)
        found: list[Relation] = []
        for kind in self.kinds:
            buckets: dict[Hashable, list[int]] = defaultdict(list)
            for index, person in enumerate(people):
                for key in set(kind.keys(person, context)):
                    buckets[key].append(index)
            pairs = set()
            for members in buckets.values():
                if len(members) > 1:
                    for i, first in enumerate(members):
                        for second in members[i + 1 :]:
                            pairs.add((first, second))
            for first, second in sorted(pairs):
                a, b = people[first], people[second]
                if a.id == b.id:
                    continue
                if only_with is not None and a.id not in only_with and b.id not in only_with:
                    continue
                relation = kind.relate(a, b, context)
                if relation:
                    found.append(relation)
        return found

    def placement(
        self, candidates: Sequence[PersonFacts], members: Sequence[PersonFacts], *, team_unit: str | None = None
    ) -> list[Relation]:
        """Relations of candidates placed into a team: each candidate with each member and the
        candidates among themselves (``a`` is the candidate). Members already in the team who
        are candidates too count once."""
        candidate_ids = {c.id for c in candidates}
        people = [*candidates, *(m for m in members if m.id not in candidate_ids)]
        exclude = (team_unit,) if team_unit else ()
        return self.within(people, exclude_units=exclude, only_with=candidate_ids)

    def scan(self, teams: Iterable[Team]) -> dict[int | str, list[Relation]]:
        """Relations within every team, by team id (teams without any left out)."""
        result = {}
        for team in teams:
            found = self.within(team.members, exclude_units=(team.unit_key,) if team.unit_key else ())
            if found:
                result[team.id] = found
        return result


def relation_kinds(extra_kinds: Iterable[RelationKind] = ()) -> Mapping[str, RelationKind]:
    """Every kind available, by name: the built-in ones and those of plugins."""
    return {kind.name: kind for kind in (*KINDS, *extra_kinds)}
