"""A synthetic locality of cadres (for tests, the demo and the benchmarks): units with their
leadership teams, people with post histories, education, native places, military service,
family, training, grades and expertise, and KNOWN PLANTED relations (plus near misses that a
relationship check must not take for the real thing).

``synthesize(ctx, code, n, seed=...)`` writes ``n`` people into the existing locality ``code``
(bulk inserts: 100,000 people in a few minutes) and answers what it planted. Everything is
drawn from ``random.Random(seed)``: the same seed gives the same locality.

Planted, per repetition (``max(1, n // 400)``), each between two members of one team and
between a member and a candidate from another unit:

* ``classmate``: the same full-time school, department, major and class, the same years;
* ``fellow_townsman``: the same native county (GB/T 2260 code);
* ``colleague``: a post in the same unit over overlapping years;
* ``comrade``: military service in the same unit designation over overlapping years;
* ``relative``: one declares the other (relation, name, birth date and ID number).

Near misses: ``school_other_decade`` (same school and department, 12 years apart) and
``city_other_county`` (native counties of one city). Planted people get no in-service education
and no military service other than what is planted, so nothing else relates them by chance
in the planted kinds."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import select

from core.context import AppContext
from core.models import Locality, Person, Team, TeamMember, Unit
from core.models.base import utcnow
from core.services.errors import NotFound
from plugins.cadres.models import (
    DEGREES,
    EDUCATION_LEVELS,
    AnnualGrade,
    CadreProfile,
    EducationRecord,
    ExpertiseTag,
    FamilyRelation,
    MilitaryRecord,
    PostRecord,
    TrainingRecord,
)
from plugins.cadres.posts import post_kind
from plugins.cadres.search_table import refresh as refresh_search
from plugins.cadres.synth_data import (  # noqa: F401 - the vocabulary, also read from here
    COUNTIES,
    COURSES,
    DEPARTMENT_POSTS,
    DIVISIONS,
    ETHNICITIES,
    GIVEN,
    GRADES,
    PARTIES,
    RANKS,
    RELATIONS,
    SCHOOLS,
    SURNAMES,
    TAGS,
    TOWNSHIP_POSTS,
)

PLANTED_KINDS = ("classmate", "fellow_townsman", "colleague", "comrade", "relative")
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


@dataclass(frozen=True)
class Planted:
    """A relation put there on purpose: ``kind`` (``PLANTED_KINDS`` or a near miss), the two
    people's ids, and whether both are members of one team (``team_id``) or ``b`` is a candidate
    from elsewhere (``team_id`` is ``a``'s team)."""

    kind: str
    a: int
    b: int
    team_id: int
    candidate: bool


@dataclass
class Synthesized:
    person_ids: list[int]
    team_ids: list[int]
    planted: list[Planted] = field(default_factory=list)
    near_misses: list[Planted] = field(default_factory=list)


def id_card_number(region: str, birth: date, serial: int, male: bool) -> str:
    """A valid 18-digit resident ID number (GB 11643): region, birth date, a serial whose last
    digit is odd for a man, and the check digit."""
    order = f"{serial % 100:02d}{(serial % 5) * 2 + (1 if male else 0)}"
    body = f"{region}{birth:%Y%m%d}{order}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    return body + check


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _day(rng: random.Random, year: int) -> date:
    return date(year, rng.randint(1, 12), 1)


class _Builder:
    def __init__(self, ctx: AppContext, locality_id: int, n: int, seed: int, today: date):
        self.ctx, self.locality_id, self.n, self.rng, self.today = ctx, locality_id, n, random.Random(seed), today
        self.rows: dict[type, list[dict[str, Any]]] = {}

        self.by_person: dict[type, dict[int, list[dict[str, Any]]]] = {}

    def add(self, table: type, **values: Any) -> None:
        row = {"locality_id": self.locality_id, **values}
        self.rows.setdefault(table, []).append(row)
        self.by_person.setdefault(table, {}).setdefault(values["person_id"], []).append(row)


def _person_row(b: _Builder, i: int, unit: tuple[int, str, bool], now: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    rng = b.rng
    male = rng.random() < 0.72
    born = date(rng.randint(1964, 1998), rng.randint(1, 12), rng.randint(1, 28))
    native_code, native_name = rng.choice(COUNTIES)
    id_card = id_card_number(native_code, born, i, male)
    unit_id, unit_name, township = unit
    age_now = b.today.year - born.year
    rank = RANKS[min(3, max(0, (age_now - 24) // 8 + rng.randint(-1, 0)))]
    posts_list = TOWNSHIP_POSTS if township else DEPARTMENT_POSTS
    level = rng.choices(["大专", "本科", "硕士研究生"], weights=[25, 62, 13])[0]
    person = {
        "locality_id": b.locality_id,
        "unit_id": unit_id,
        "name": _name(rng),
        "gender": "男" if male else "女",
        "birth_date": born.isoformat(),
        "ethnicity": rng.choice(ETHNICITIES),
        "education": level,
        "degree": {"本科": "学士", "硕士研究生": "硕士"}.get(level, ""),
        "school": "",
        "native_place": native_name,
        "party": rng.choice(PARTIES),
        "post": rng.choice(posts_list),
        "rank": rank,
        "post_since": "",
        "post_history": [],
        "id_card_cipher": b.ctx.keys.encrypt(id_card),
        "id_card_digest": b.ctx.keys.digest(id_card),
        "created_at": now,
        "updated_at": now,
    }
    extra = {
        "born": born,
        "native": (native_code, native_name),
        "level": level,
        "unit_name": unit_name,
        "township": township,
        "id_card": id_card,
    }
    return person, extra


def _sections(
    b: _Builder, pid: int, person: dict, extra: dict, units: list[tuple[int, str, bool]], planted: bool
) -> None:
    rng, born = b.rng, extra["born"]
    school, departments = rng.choice(SCHOOLS)
    department = rng.choice(departments)
    start_year = born.year + 18
    years = 3 if extra["level"] == "大专" else 4
    b.add(
        EducationRecord,
        person_id=pid,
        kind="full_time",
        school=school,
        department=department,
        major=department.removesuffix("学院").removesuffix("系") or "综合",
        class_name="",
        level="大专" if extra["level"] == "大专" else "本科",
        degree="" if extra["level"] == "大专" else "学士",
        start=date(start_year, 9, 1),
        end=date(start_year + years, 7, 1),
    )
    if planted and extra["level"] == "硕士研究生":  # planted people: one school only, nothing else by chance
        extra["level"], person["education"], person["degree"] = "本科", "本科", "学士"
    if extra["level"] == "硕士研究生":
        b.add(
            EducationRecord,
            person_id=pid,
            kind="full_time",
            school=rng.choice(SCHOOLS)[0],
            department="研究生院",
            major="公共管理",
            class_name="",
            level="硕士研究生",
            degree="硕士",
            start=date(start_year + 4, 9, 1),
            end=date(start_year + 7, 7, 1),
        )
    if not planted and rng.random() < 0.3:
        year = rng.randint(start_year + 8, max(start_year + 8, b.today.year - 1))
        b.add(
            EducationRecord,
            person_id=pid,
            kind="in_service",
            school="中共贵州省委党校",
            department="在职研究生班",
            major="经济管理",
            class_name="",
            level="硕士研究生" if extra["level"] != "大专" else "本科",
            degree="",
            start=date(year, 3, 1),
            end=date(year + 3, 1, 1),
        )
    # posts: from work start to now, 2 to 5 spans, the last held now in the person's unit
    work_start = _day(rng, start_year + years + (3 if extra["level"] == "硕士研究生" else 0))
    spans = rng.randint(2, 5)
    cuts = sorted(
        {
            work_start + timedelta(days=rng.randint(365, max(366, (b.today - work_start).days - 200)))
            for _ in range(spans - 1)
        }
    )
    starts = [work_start, *cuts]
    for k, start in enumerate(starts):
        end = starts[k + 1] - timedelta(days=1) if k + 1 < len(starts) else None
        if end is None:
            unit_name, township = extra["unit_name"], extra["township"]
            post, unit_id = person["post"], person["unit_id"]
        else:
            unit_id, unit_name, township = rng.choice(units)
            post = rng.choice(TOWNSHIP_POSTS if township else DEPARTMENT_POSTS)
        b.add(
            PostRecord,
            person_id=pid,
            unit_name=unit_name,
            unit_id=unit_id,
            post=post,
            rank=person["rank"] if end is None else RANKS[max(0, RANKS.index(person["rank"]) - (len(starts) - k - 1))],
            start=start,
            end=end,
            principal=post in ("乡镇党委书记", "镇长", "局长", "主任"),
        )
    person["post_since"] = starts[-1].isoformat()
    if not planted and rng.random() < 0.08:
        s = _day(rng, start_year - 2)
        b.add(
            MilitaryRecord,
            person_id=pid,
            unit_designation=f"{rng.randint(61001, 61400)}部队",
            start=s,
            end=s + timedelta(days=365 * 2),
        )
    for relation in rng.sample(RELATIONS, rng.randint(2, 4)):
        b.add(
            FamilyRelation,
            person_id=pid,
            relation=relation,
            name=_name(rng),
            birth=None,
            id_card_cipher=None,
            id_card_digest=None,
            unit_post="",
            party="",
        )
    for course, organiser, hours in rng.sample(COURSES, rng.randint(0, 3)):
        s = _day(rng, rng.randint(max(work_start.year, b.today.year - 6), b.today.year - 1))
        b.add(
            TrainingRecord,
            person_id=pid,
            course=course,
            organiser=organiser,
            hours=hours,
            start=s,
            end=s + timedelta(days=20),
        )
    for tag in rng.sample(TAGS, rng.randint(1, 3)):
        b.add(ExpertiseTag, person_id=pid, tag=tag)
    for year in range(b.today.year - 3, b.today.year):
        b.add(AnnualGrade, person_id=pid, year=year, grade=rng.choice(GRADES))
    rank_since = starts[-1] if rng.random() < 0.6 else starts[max(0, len(starts) - 2)]
    b.add(
        CadreProfile,
        person_id=pid,
        native_code=extra["native"][0],
        native_name=extra["native"][1],
        birthplace_code=extra["native"][0],
        birthplace_name=extra["native"][1],
        party_joined=_day(rng, start_year + 2) if person["party"] == "中共党员" else None,
        work_started=work_start,
        rank_since=rank_since,
        resume="",
        birth=born,
        edu_rank_any=0,
        edu_rank_full_time=0,
        degree_rank=0,
        training_hours=0,
        updated_at=utcnow(),
    )


def _plant(b: _Builder, kind: str, a: int, c: int, info: dict[int, dict]) -> None:
    """Make ``a`` and ``c`` related by ``kind`` (or a near miss), editing the pending rows."""

    def first(table: type, pid: int, **match: Any) -> dict:
        rows = b.by_person[table][pid]
        return next(r for r in rows if all(r.get(k) == v for k, v in match.items()))

    if kind == "classmate":
        src, dst = first(EducationRecord, a, kind="full_time"), first(EducationRecord, c, kind="full_time")
        for key in ("school", "department", "major", "start", "end", "level", "degree"):
            dst[key] = src[key]
        src["class_name"] = dst["class_name"] = f"{src['start'].year}级{b.rng.randint(1, 4)}班"
    elif kind == "school_other_decade":
        src, dst = first(EducationRecord, a, kind="full_time"), first(EducationRecord, c, kind="full_time")
        dst["school"], dst["department"], dst["major"] = src["school"], src["department"], src["major"]
        dst["start"], dst["end"] = (
            src["start"].replace(year=src["start"].year + 12),
            src["end"].replace(year=src["end"].year + 12),
        )
    elif kind == "fellow_townsman":
        (
            first(
                CadreProfile,
                c,
            )["native_code"],
            first(CadreProfile, c)["native_name"],
        ) = first(CadreProfile, a)["native_code"], first(CadreProfile, a)["native_name"]
    elif kind == "city_other_county":
        code = first(CadreProfile, a)["native_code"]
        city = DIVISIONS[code[:4]]
        other = next(k for k in city[1] if k != code)
        profile = first(CadreProfile, c)
        profile["native_code"], profile["native_name"] = other, city[0] + city[1][other]
    elif kind == "colleague":
        src = first(PostRecord, a)  # a's first post, moved to a unit other than the team's (left out of a scan)
        current = first(PostRecord, a, end=None)
        if src["unit_id"] == current["unit_id"]:
            src["unit_id"], src["unit_name"] = None, src["unit_name"] + "（原）"
        start = src["start"] + timedelta(days=180)
        b.add(
            PostRecord,
            person_id=c,
            unit_name=src["unit_name"],
            unit_id=src["unit_id"],
            post="科员",
            rank="科员",
            start=start,
            end=start + timedelta(days=700),
            principal=False,
        )
    elif kind == "comrade":
        designation = f"{b.rng.randint(62001, 62999)}部队"
        for pid, shift in ((a, 0), (c, 200)):
            s = date(info[a]["born"].year + 18, 3, 1) + timedelta(days=shift)  # both from a's age
            b.add(MilitaryRecord, person_id=pid, unit_designation=designation, start=s, end=s + timedelta(days=730))
    elif kind == "relative":
        other = info[c]
        b.add(
            FamilyRelation,
            person_id=a,
            relation="表兄弟",
            name=other["name"],
            birth=other["born"],
            id_card_cipher=b.ctx.keys.encrypt(other["id_card"]),
            id_card_digest=b.ctx.keys.digest(other["id_card"]),
            unit_post=other["unit_name"],
            party="",
        )


def synthesize(ctx: AppContext, code: str, n: int, *, seed: int = 2026, today: date | None = None) -> Synthesized:
    """Write ``n`` synthetic cadres (at least 40) into locality ``code``; see the module."""
    n = max(40, n)
    today = today or date.today()
    with ctx.db.write() as session:
        locality = session.exec(select(Locality).where(Locality.code == code)).first()
        if locality is None:
            raise NotFound("no locality with code {code}", params={"code": code})
        b = _Builder(ctx, locality.id, n, seed, today)
        taken = set(session.exec(select(Unit.code).where(Unit.locality_id == locality.id)))
        unit_count = max(4, n // 12)
        now = utcnow()
        unit_rows = []
        for u in range(unit_count):
            township = u % 2 == 0
            county = COUNTIES[u % len(COUNTIES)][1]
            name = f"{county[-3:]}{'第' + str(u) + '镇' if township else '第' + str(u) + '局'}"
            unit_code = f"cs{u:05d}"
            if unit_code in taken:
                continue
            unit_rows.append(
                {
                    "locality_id": locality.id,
                    "code": unit_code,
                    "name": name,
                    # units.type is the office's own word, shown as stored (the demo's 乡镇, 业务部门);
                    # 乡镇 is what the structure rules read as township experience (loader.UNIT_LEVELS)
                    "type": "乡镇" if township else "业务部门",
                    "parent_id": None,
                    "duties": "",
                    "contact_name": "",
                    "contact_phone": "",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        unit_ids = list(session.scalars(insert(Unit).returning(Unit.id, sort_by_parameter_order=True), unit_rows))
        units = [(uid, row["name"], row["type"] == "乡镇") for uid, row in zip(unit_ids, unit_rows, strict=True)]
        people, extras = [], []
        for i in range(n):
            person, extra = _person_row(b, i, units[i % len(units)], now)
            people.append(person)
            extras.append(extra)
        info = {
            i: {**extra, "name": person["name"]} for i, (person, extra) in enumerate(zip(people, extras, strict=True))
        }
        # teams: each unit's first up to 9 people (by index until the people have ids)
        members: dict[int, list[int]] = {}
        for i in range(n):
            if len(members.setdefault(i % len(units), [])) < 9:
                members[i % len(units)].append(i)
        member_set = {i for m in members.values() for i in m}
        # planted pairs: within a team (its first two members) and a member with a candidate
        reps = max(1, n // 400)
        kinds = [*PLANTED_KINDS, "school_other_decade", "city_other_county"]
        usable = [t for t in range(len(units)) if len(members.get(t, [])) >= 4]
        candidates = [i for i in range(n) if i not in member_set]
        planted_people: set[int] = set()
        plan: list[Planted] = []
        for k in range(reps * len(kinds) * 2):
            kind, candidate = kinds[(k // 2) % len(kinds)], bool(k % 2) and bool(candidates)
            team = usable[k % len(usable)]
            a = members[team][0]
            # a member is planted with one other each time: its next teammate, or a candidate
            b_index = (
                candidates.pop() if candidate else members[team][1 + (k // len(usable)) % (len(members[team]) - 1)]
            )
            planted_people |= {a, b_index}
            plan.append(Planted(kind, a, b_index, team, candidate))
        for i in range(n):
            _sections(b, i, people[i], extras[i], units, i in planted_people)
        for p in plan:
            _plant(b, p.kind, p.a, p.b, info)
        # derived columns of the profiles
        by_person: dict[int, dict] = {r["person_id"]: r for r in b.rows[CadreProfile]}
        for r in b.rows[EducationRecord]:
            prof = by_person[r["person_id"]]
            rank = EDUCATION_LEVELS.get(r["level"], 0)
            prof["edu_rank_any"] = max(prof["edu_rank_any"], rank)
            if r["kind"] == "full_time":
                prof["edu_rank_full_time"] = max(prof["edu_rank_full_time"], rank)
            prof["degree_rank"] = max(prof["degree_rank"], DEGREES.get(r["degree"], 0))
        for r in b.rows.get(TrainingRecord, []):
            by_person[r["person_id"]]["training_hours"] += r["hours"]
        # write: people, then every row with its person's id
        ids: list[int] = []
        for chunk in range(0, n, 5000):
            ids += session.scalars(
                insert(Person).returning(Person.id, sort_by_parameter_order=True), people[chunk : chunk + 5000]
            )
        for rows in b.rows.values():
            for r in rows:
                r["person_id"] = ids[r["person_id"]]
        team_rows = [
            {
                "locality_id": locality.id,
                "unit_id": uid,
                "name": f"{name}领导班子",
                "type": "township" if township else "department",
                "created_at": now,
            }
            for uid, name, township in units
        ]
        team_ids = list(session.scalars(insert(Team).returning(Team.id, sort_by_parameter_order=True), team_rows))
        for row in b.rows.get(PostRecord, ()):  # a bulk insert runs no mapper events
            row["post_kind"] = post_kind(row["unit_name"], row["post"])
        for table, rows in b.rows.items():
            for chunk in range(0, len(rows), 5000):
                session.execute(insert(table.__table__), rows[chunk : chunk + 5000])
        blank = {"post": "", "in_charge_of": "", "admin_post": "", "phone": "", "supervised_unit_ids": []}
        session.execute(
            insert(TeamMember.__table__),
            [
                {"locality_id": locality.id, "team_id": team_ids[t], "person_id": ids[i], **blank}
                for t, indices in members.items()
                for i in indices
            ],
        )
        refresh_search(session, locality_id=locality.id)  # the bulk inserts ran no flush events
        plan = [Planted(p.kind, ids[p.a], ids[p.b], team_ids[p.team_id], p.candidate) for p in plan]
        near = [p for p in plan if p.kind not in PLANTED_KINDS]
        return Synthesized(
            person_ids=ids, team_ids=team_ids, planted=[p for p in plan if p.kind in PLANTED_KINDS], near_misses=near
        )


def main(argv: list[str] | None = None) -> int:
    """``python -m plugins.cadres.synth CODE N [--seed S]``: write N synthetic cadres into the
    existing locality CODE of the configured database (``KAOPING_*`` settings) and print what
    was planted."""
    import argparse

    from core.settings import load_settings

    parser = argparse.ArgumentParser(description=main.__doc__.split("\n")[0])
    parser.add_argument("code")
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    made = synthesize(AppContext.from_settings(load_settings()), args.code, args.n, seed=args.seed)
    print(f"{len(made.person_ids)} cadres and {len(made.team_ids)} teams written into {args.code}")
    for p in [*made.planted, *made.near_misses]:
        print(f"  {p.kind}: people {p.a} and {p.b}, team {p.team_id}{' (candidate)' if p.candidate else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
