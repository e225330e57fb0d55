"""The cadre relationship check (``plugins.cadres.relations``) on synthetic facts, no database:
one candidate placed into a 15-member team, and a scan of every team of a locality.

A locality of N cadres (default 100,000) in one province: nine cities of eight to twelve
counties each, most cadres native to the locality's own city; 60 schools, the first few taking
most students, ten departments each, study between 1975 and 2020; three to six posts each in
3,000 units; one in ten served in one of 200 military units; four declared relatives each, some
of them cadres. Teams of 8 to 15 members take every cadre. Pairs planted in known teams (same
class, same county, same unit, same military unit, a declared relative by ID number) must be
found.

    .venv/bin/python -m bench.cadre_relations [--cadres 100000] [--placements 1000] [--seed 7]

Targets: one candidate against a 15-member team <= 20 ms (p95); the scan of every team of a
100,000-cadre locality <= 30 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date

from bench._figures import figure
from plugins.cadres.dates import id_check_character
from plugins.cadres.facts import DeclaredRelation, Education, MilitarySpan, PersonFacts, PostSpan
from plugins.cadres.relations import RelationChecker, Team

BENCH = "cadre_relations"
QUICK_ARGS = ["--cadres", "10000", "--placements", "200"]
TARGET_PLACEMENT_MS = 20.0
TARGET_SCAN_S = 30.0
FULL_SCALE = 100_000
TODAY = date(2026, 11, 30)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文斌辉鹏宇飞云峰"


def _id_number(county: str, birth: date, serial: int) -> str:
    first = f"{county}{birth:%Y%m%d}{serial % 1000:03d}"
    return first + id_check_character(first)


def locality(cadres: int, seed: int) -> tuple[list[PersonFacts], list[Team], list[tuple[str, int | str, int, int]]]:
    """The cadres, their teams, and the planted pairs (kind, team id, a, b)."""
    rng = random.Random(seed)
    cities = [f"52{c:02d}" for c in range(1, 10)]
    counties = {city: [f"{city}{n:02d}" for n in range(1, rng.randint(8, 12) + 1)] for city in cities}
    home = "5205"
    schools = [f"学校{n}" for n in range(60)]
    school_weights = [30 if n < 5 else 1 for n in range(60)]
    units = [f"单位{n}" for n in range(3000)]
    military = [f"{70000 + n}部队" for n in range(200)]
    people: list[PersonFacts] = []
    for pid in range(cadres):
        birth = date(rng.randint(1962, 2000), rng.randint(1, 12), rng.randint(1, 28))
        city = home if rng.random() < 0.7 else rng.choice(cities)
        county = rng.choice(counties[city])
        start_year = birth.year + 18
        education = [
            Education(
                rng.choices(schools, school_weights)[0],
                f"系{rng.randint(0, 9)}",
                start=date(start_year, 9, 1),
                end=date(start_year + 4, 7, 1),
            )
        ]
        if rng.random() < 0.3:
            year = start_year + rng.randint(8, 20)
            education.append(
                Education("党校", "函授学院", full_time=False, start=date(year, 9, 1), end=date(year + 2, 7, 1))
            )
        posts, year = [], start_year + 4
        for _ in range(rng.randint(3, 6)):
            length = rng.randint(2, 6)
            end = date(year + length, 3, 1) if year + length < 2026 else None
            posts.append(PostSpan(rng.choice(units), "职务", unit_id=None, start=date(year, 7, 1), end=end))
            if end is None:
                break
            year += length
        service = ()
        if rng.random() < 0.1:
            year = birth.year + 18
            service = (MilitarySpan(rng.choice(military), date(year, 12, 1), date(year + 4, 12, 1)),)
        relations = tuple(
            DeclaredRelation(
                kind,
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                date(birth.year + offset, rng.randint(1, 12), 1),
                _id_number(
                    county, date(birth.year + offset, rng.randint(1, 12), rng.randint(1, 28)), rng.randint(0, 999)
                ),
            )
            for kind, offset in (("父亲", -28), ("母亲", -26), ("配偶", 1), ("子女", 27))
        )
        people.append(
            PersonFacts(
                id=pid,
                name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                gender=rng.choice("男女"),
                birth_date=birth,
                id_number=_id_number(county, birth, pid),
                education=tuple(education),
                native_place=county,
                posts=tuple(posts),
                military=service,
                relations=relations,
            )
        )
    order = list(range(cadres))
    rng.shuffle(order)
    teams, index, number = [], 0, 0
    while index < cadres:
        size = rng.randint(8, 15)
        members = [people[i] for i in order[index : index + size]]
        teams.append(Team(f"T{number}", members, f"name:班子{number}"))
        index, number = index + size, number + 1
    planted = _plant(rng, people, teams)
    return people, teams, planted


def _plant(rng: random.Random, people: list[PersonFacts], teams: list[Team]):
    """Pairs of one kind each, in distinct teams, made to relate (and made unlike otherwise)."""
    planted = []
    kinds = ["classmate", "fellow_townsman", "colleague", "comrade", "relative"]
    for number, team in enumerate(rng.sample(teams, min(len(teams), 50))):
        if len(team.members) < 2:
            continue
        a, b = team.members[0], team.members[1]
        kind = kinds[number % len(kinds)]
        if kind == "classmate":
            entry = Education("规划大学", "规划系", class_name="规划1班", start=date(1990, 9, 1), end=date(1994, 7, 1))
            a2, b2 = _with(a, education=(*a.education, entry)), _with(b, education=(*b.education, entry))
        elif kind == "fellow_townsman":
            a2, b2 = _with(a, native_place="529999"), _with(b, native_place="529999")
        elif kind == "colleague":
            span = PostSpan("规划局", "科员", start=date(2001, 1, 1), end=date(2004, 1, 1))
            a2, b2 = _with(a, posts=(*a.posts, span)), _with(b, posts=(*b.posts, span))
        elif kind == "comrade":
            span = MilitarySpan("99999部队", date(1990, 12, 1), date(1994, 12, 1))
            a2, b2 = _with(a, military=(span,)), _with(b, military=(span,))
        else:
            declared = DeclaredRelation("表兄", b.name, b.birth_date, b.id_number)
            a2, b2 = _with(a, relations=(*a.relations, declared)), b
        team.members[0], team.members[1] = a2, b2
        people[a.id], people[b.id] = a2, b2
        planted.append((kind, team.id, a.id, b.id))
    return planted


def _with(person: PersonFacts, **changes) -> PersonFacts:
    from dataclasses import replace

    return replace(person, **changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cadres", type=int, default=FULL_SCALE)
    parser.add_argument("--placements", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    full = args.cadres >= FULL_SCALE

    started = time.perf_counter()
    people, teams, planted = locality(args.cadres, args.seed)
    built = time.perf_counter() - started
    checker = RelationChecker(today=TODAY)
    rng = random.Random(args.seed + 1)

    big_teams = [t for t in teams if len(t.members) == 15] or teams
    timings, cpu_timings = [], []
    for _ in range(args.placements):
        team = rng.choice(big_teams)
        candidate = rng.choice(people)
        members = [m for m in team.members if m.id != candidate.id]
        start, cpu = time.perf_counter(), time.thread_time()
        checker.placement([candidate], members, team_unit=team.unit_key)
        timings.append((time.perf_counter() - start) * 1000)
        cpu_timings.append((time.thread_time() - cpu) * 1000)
    timings.sort()
    cpu_timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    cpu_p95 = cpu_timings[int(len(cpu_timings) * 0.95) - 1]

    start, cpu = time.perf_counter(), time.process_time()
    found = checker.scan(teams)
    scan_s, scan_cpu = time.perf_counter() - start, time.process_time() - cpu
    relations = sum(len(v) for v in found.values())
    by_kind: dict[str, int] = {}
    for listed in found.values():
        for relation in listed:
            by_kind[relation.kind] = by_kind.get(relation.kind, 0) + 1
    missed = [p for p in planted if not any(r.kind == p[0] and {r.a, r.b} == {p[2], p[3]} for r in found.get(p[1], []))]

    print(f"locality: {args.cadres:,} cadres in {len(teams):,} teams, built in {built:.1f} s")
    print(
        f"placement of one candidate into a 15-member team: median {statistics.median(timings):.2f} ms, "
        f"p95 {p95:.2f} ms, {cpu_p95:.2f} ms of CPU (target <= {TARGET_PLACEMENT_MS:.0f} ms) over {len(timings)} placements"
    )
    print(
        f"scan of every team: {scan_s:.1f} s ({scan_cpu:.1f} s of CPU; target <= {TARGET_SCAN_S:.0f} s), {relations:,} relations in "
        f"{len(found):,} teams: " + ", ".join(f"{k} {v:,}" for k, v in sorted(by_kind.items()))
    )
    print(f"planted pairs found: {len(planted) - len(missed)} of {len(planted)}")
    figure(BENCH, "placement p95", p95, "ms", target=TARGET_PLACEMENT_MS, note="one candidate, 15-member team")
    figure(
        BENCH,
        "scan of every team",
        scan_s,
        "s",
        target=TARGET_SCAN_S,
        note=f"{args.cadres:,} cadres, {len(teams):,} teams",
        full_scale=full,
    )
    figure(BENCH, "planted pairs missed", len(missed), "", target=0)
    if missed:
        raise SystemExit(f"planted pairs not found: {missed[:5]}")


if __name__ == "__main__":
    main()
