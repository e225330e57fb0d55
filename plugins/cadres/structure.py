"""Team structure analysis (班子结构分析): the mix of a team by age, gender, ethnicity, party,
education, expertise and experience, scored per dimension against a locality's rules
(``StructureOptions``), with the people behind every count; before and after a simulated
placement or swap; members who reach retirement age before the term ends.

    report = analyse(members, StructureOptions(), on=date(2026, 11, 30), term_end=date(2031, 11, 30),
                     team_level="county")
    report.dimensions["gender"].status      # "green" | "yellow" | "red"
    report.dimensions["gender"].counts      # {"女": (12,), "男": (3, 7, ...)}  person ids
    before, after = simulate(members, add=[candidate], remove=[leaving_id], ...)

A dimension is red when a rule is not met now, yellow when it is met now but will not be by
the end of the term (the only member under 40 turns 40, the only woman retires), when a
member retires before the term ends, or when a softer target (average age, required
expertise, education share) is missed; green otherwise. ``why`` says which rule, as messages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from plugins.cadres.facts import (
    FEMALE,
    LEVEL_NAMES,
    MALE,
    Message,
    PersonFacts,
    age_on,
    highest_education,
    is_cpc_member,
)
from plugins.cadres.options import StructureOptions

Status = Literal["green", "yellow", "red"]
ORDER = {"green": 0, "yellow": 1, "red": 2}
UNKNOWN = "?"
HAN = "汉族"

# --- messages (ids of plugins/cadres/locales; keep the placeholders) ----------------------------
TOO_FEW_YOUNG = "{count} members under {age}; the rule asks for at least {minimum}"
YOUNG_AGE_OUT = "{count} members under {age} now, {later} by the end of the term ({end})"
AVERAGE_AGE_HIGH = "average age {average}, above the target of {target}"
TOO_FEW_WOMEN = "{count} women; the rule asks for at least {minimum}"
WOMEN_LEAVE = "{count} women now, {later} by the end of the term ({end})"
TOO_FEW_MINORITY = "{count} members of ethnic minorities; the rule asks for at least {minimum}"
TOO_FEW_NON_PARTY = "{count} members outside the Communist Party; the rule asks for at least {minimum}"
EDUCATION_SHARE = "{share}% hold {level} or higher; the target is {target}%"
EXPERTISE_MISSING = "no member has the expertise {tags}"
TOO_FEW_EXPERIENCED = "{count} members with {experience} experience; the rule asks for at least {minimum}"
RETIRING = "{names} reach retirement age before the term ends ({end})"
AGE_UNKNOWN = "the birth date of {names} is not known"


@dataclass(frozen=True)
class Dimension:
    """One dimension of a team: its status, the reasons (``why``), the people behind every
    count (``counts``: label -> person ids) and figures (e.g. ``average_age``)."""

    name: str
    status: Status
    counts: dict[str, tuple[int | str, ...]]
    why: tuple[Message, ...] = ()
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Retiring:
    person: int | str
    name: str
    retires_on: date


@dataclass(frozen=True)
class StructureReport:
    dimensions: dict[str, Dimension]
    retiring: tuple[Retiring, ...]
    members: tuple[int | str, ...]

    @property
    def status(self) -> Status:
        return max((d.status for d in self.dimensions.values()), key=ORDER.__getitem__, default="green")


# --- retirement -----------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = [
        31,
        29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    return date(year, month, min(day.day, last[month - 1]))


def retirement_date(person: PersonFacts, options: StructureOptions) -> date | None:
    """The day a person reaches retirement age, or None when the birth date (or gender, for the
    statutory age) is not known. ``person.retirement_age`` is taken as it is; otherwise the
    statutory age (``retirement_base_age``, else by gender) is raised as decided in 2024 for
    those who would retire from January 2025: by one month every four months of later birth, at
    most 36 months, for the ages 60 and 55; every two months, at most 60, for the age 50."""
    if person.birth_date is None:
        return None
    if person.retirement_age is not None:
        return _add_months(person.birth_date, person.retirement_age * 12)
    base = person.retirement_base_age
    if base is None:
        if person.gender == MALE:
            base = options.male_retirement_age
        elif person.gender == FEMALE:
            base = options.female_retirement_age
        else:
            return None
    original = _add_months(person.birth_date, base * 12)
    if options.statutory_reform and base in (50, 55, 60):
        index = (original.year - 2025) * 12 + original.month - 1
        if index >= 0:
            step, cap = (2, 60) if base == 50 else (4, 36)
            return _add_months(original, min(cap, index // step + 1))
    return original


# --- analysis -------------------------------------------------------------------------------------


def _applies(levels: list[str], team_level: str) -> bool:
    return not levels or team_level in levels


def _status(*statuses: Status) -> Status:
    return max(statuses, key=ORDER.__getitem__, default="green")


def _band(age: int, limits: list[int]) -> str:
    limits = sorted(limits)
    if age < limits[0]:
        return f"<{limits[0]}"
    for low, high in zip(limits, limits[1:], strict=False):
        if low <= age < high:
            return f"{low}–{high - 1}"
    return f"≥{limits[-1]}"


def _band_labels(limits: list[int]) -> list[str]:
    """Every band's label, youngest first (as ``_band`` names them)."""
    limits = sorted(limits)
    middle = [f"{low}–{high - 1}" for low, high in zip(limits, limits[1:], strict=False)]
    return [f"<{limits[0]}", *middle, f"≥{limits[-1]}"]


def _grouped(members: Sequence[PersonFacts], label) -> dict[str, tuple]:
    counts: dict[str, list] = defaultdict(list)
    for person in members:
        for name in label(person):
            counts[name].append(person.id)
    return {name: tuple(ids) for name, ids in counts.items()}


def _names(people: Iterable[PersonFacts]) -> str:
    return "、".join(p.name for p in people)


def analyse(
    members: Sequence[PersonFacts],
    options: StructureOptions | None = None,
    *,
    on: date,
    term_end: date | None = None,
    team_level: str = "",
) -> StructureReport:
    """Score a team on the day ``on``; ``term_end`` (the end of the team's term, default
    ``on``) is when members' ages and retirements are looked at for yellow."""
    options = options or StructureOptions()
    end = term_end or on
    shown_end = end.isoformat()
    retiring = []
    for person in members:
        retires = retirement_date(person, options)
        if retires is not None and retires <= end:
            retiring.append(Retiring(person.id, person.name, retires))
    leaving = {r.person for r in retiring}
    stay = [p for p in members if p.id not in leaving]
    dims = {
        "age": _age(members, options, on, end, shown_end, team_level),
        "gender": _count_rule(
            "gender",
            members,
            lambda p: [p.gender or UNKNOWN],
            lambda p: p.gender == FEMALE,
            options.min_women if _applies(options.women_levels, team_level) else 0,
            TOO_FEW_WOMEN,
            WOMEN_LEAVE,
            stay,
            shown_end,
        ),
        "ethnicity": _count_rule(
            "ethnicity",
            members,
            lambda p: [p.ethnicity or UNKNOWN],
            lambda p: bool(p.ethnicity) and p.ethnicity != HAN,
            options.min_minority if _applies(options.minority_levels, team_level) else 0,
            TOO_FEW_MINORITY,
            None,
            stay,
            shown_end,
        ),
        "party": _count_rule(
            "party",
            members,
            lambda p: [p.party or UNKNOWN],
            lambda p: bool(p.party) and not is_cpc_member(p.party),
            options.min_non_party if _applies(options.non_party_levels, team_level) else 0,
            TOO_FEW_NON_PARTY,
            None,
            stay,
            shown_end,
        ),
        "education": _education(members, options),
        "expertise": _expertise(members, options),
        "experience": _experience(members, options, team_level),
    }
    if retiring:
        dims["retirement"] = Dimension(
            "retirement",
            "yellow",
            {r.retires_on.isoformat(): (r.person,) for r in retiring},
            (Message(RETIRING, {"names": "、".join(r.name for r in retiring), "end": shown_end}),),
        )
    else:
        dims["retirement"] = Dimension("retirement", "green", {})
    return StructureReport(dims, tuple(sorted(retiring, key=lambda r: r.retires_on)), tuple(p.id for p in members))


def _age(members, options: StructureOptions, on: date, end: date, shown_end: str, team_level: str) -> Dimension:
    known = [p for p in members if p.birth_date]
    found = _grouped(known, lambda p: [_band(age_on(p.birth_date, on), options.age_bands)])
    counts = {band: found[band] for band in _band_labels(options.age_bands) if band in found}
    unknown = [p for p in members if not p.birth_date]
    if unknown:
        counts[UNKNOWN] = tuple(p.id for p in unknown)
    ages = [age_on(p.birth_date, on) for p in known]
    average = round(sum(ages) / len(ages), 1) if ages else None
    young = [p for p in known if age_on(p.birth_date, on) < options.young_age]
    young_later = [p for p in young if age_on(p.birth_date, end) < options.young_age]
    counts[f"<{options.young_age}"] = tuple(p.id for p in young)
    why, status = [], "green"
    minimum = options.min_young if _applies(options.young_levels, team_level) else 0
    if len(young) < minimum:
        status = "red"
        why.append(Message(TOO_FEW_YOUNG, {"count": len(young), "age": options.young_age, "minimum": minimum}))
    elif len(young_later) < minimum:
        status = "yellow"
        params = {"count": len(young), "age": options.young_age, "later": len(young_later), "end": shown_end}
        why.append(Message(YOUNG_AGE_OUT, params))
    if options.max_average_age is not None and average is not None and average > options.max_average_age:
        status = _status(status, "yellow")
        why.append(Message(AVERAGE_AGE_HIGH, {"average": average, "target": options.max_average_age}))
    if unknown:
        status = _status(status, "yellow")
        why.append(Message(AGE_UNKNOWN, {"names": _names(unknown)}))
    return Dimension("age", status, counts, tuple(why), {"average_age": average})


def _count_rule(name, members, label, counted, minimum, too_few, leave, stay, shown_end) -> Dimension:
    counts = _grouped(members, label)
    now = [p for p in members if counted(p)]
    later = [p for p in stay if counted(p)]
    status, why = "green", []
    if len(now) < minimum:
        status = "red"
        why.append(Message(too_few, {"count": len(now), "minimum": minimum}))
    elif len(later) < minimum and leave:
        status = "yellow"
        why.append(Message(leave, {"count": len(now), "later": len(later), "end": shown_end}))
    return Dimension(name, status, counts, tuple(why), {"counted": tuple(p.id for p in now)})


def _education(members, options: StructureOptions) -> Dimension:
    def level(person: PersonFacts) -> int:
        return highest_education(person, full_time_only=options.education_full_time_only)

    counts = _grouped(members, lambda p: [LEVEL_NAMES.get(level(p), UNKNOWN)])
    enough = [p for p in members if level(p) >= options.education_level]
    share = len(enough) / len(members) if members else 1.0
    status, why = "green", []
    if share < options.education_green_share:
        status = "yellow" if share >= options.education_yellow_share else "red"
        params = {
            "share": round(share * 100),
            "level": LEVEL_NAMES[options.education_level],
            "target": round(options.education_green_share * 100),
        }
        why.append(Message(EDUCATION_SHARE, params))
    return Dimension("education", status, counts, tuple(why), {"share": share, "enough": tuple(p.id for p in enough)})


def _expertise(members, options: StructureOptions) -> Dimension:
    counts = _grouped(members, lambda p: list(dict.fromkeys(p.expertise)))
    missing = [tag for tag in options.required_expertise if tag not in counts]
    if missing:
        return Dimension("expertise", "yellow", counts, (Message(EXPERTISE_MISSING, {"tags": "、".join(missing)}),))
    return Dimension("expertise", "green", counts)


def _experience(members, options: StructureOptions, team_level: str) -> Dimension:
    counts = _grouped(members, lambda p: list(dict.fromkeys(s.unit_level for s in p.posts if s.unit_level)))
    status, why = "green", []
    if _applies(options.experience_levels, team_level):
        for experience, minimum in options.min_experience.items():
            count = len(counts.get(experience, ()))
            if count < minimum:
                status = "red"
                label = options.experience_labels.get(experience, experience)
                why.append(Message(TOO_FEW_EXPERIENCED, {"count": count, "experience": label, "minimum": minimum}))
    labels = {level: options.experience_labels.get(level, level) for level in counts}
    return Dimension("experience", status, counts, tuple(why), {"labels": labels})


# --- simulation -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """How one dimension changes: its status before and after, and the count labels whose
    people changed (label -> (before ids, after ids))."""

    dimension: str
    before: Status
    after: Status
    counts: dict[str, tuple[tuple, tuple]]


def simulate(
    members: Sequence[PersonFacts],
    *,
    add: Sequence[PersonFacts] = (),
    remove: Iterable[int | str] = (),
    options: StructureOptions | None = None,
    on: date,
    term_end: date | None = None,
    team_level: str = "",
) -> tuple[StructureReport, StructureReport, list[Change]]:
    """The team before and after placing ``add`` and taking out the people ``remove`` (a swap
    is both), and the dimensions that change."""
    removed = set(remove)
    after_members = [p for p in members if p.id not in removed]
    present = {p.id for p in after_members}
    after_members += [p for p in add if p.id not in present]
    before = analyse(members, options, on=on, term_end=term_end, team_level=team_level)
    after = analyse(after_members, options, on=on, term_end=term_end, team_level=team_level)
    return before, after, compare(before, after)


def compare(before: StructureReport, after: StructureReport) -> list[Change]:
    changes = []
    for name in dict.fromkeys([*before.dimensions, *after.dimensions]):
        old = before.dimensions.get(name) or Dimension(name, "green", {})
        new = after.dimensions.get(name) or Dimension(name, "green", {})
        labels = dict.fromkeys([*old.counts, *new.counts])
        moved = {
            label: (old.counts.get(label, ()), new.counts.get(label, ()))
            for label in labels
            if old.counts.get(label, ()) != new.counts.get(label, ())
        }
        if old.status != new.status or moved:
            changes.append(Change(name, old.status, new.status, moved))
    return changes
