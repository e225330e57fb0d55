"""The search table (``cadre_search``) against the search it replaced, on both databases: over a
synthetic locality with planted edge cases (a person without a profile, month-only and leap-day
births, a profile without a native place, zero bounds), every kind of condition and many
random AND/OR trees find exactly the people, in the same order, that the old evaluation over
``people`` joined to ``cadre_profiles`` finds; and the table stays the join's image after every
write path (the core's people create, change and delete, the profile API, the Excel sections,
the .lrmx import, the synthetic generator)."""

from __future__ import annotations

import io
import random
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import select, text
from sqlmodel import col

from core.models import Person
from core.schemas.org import PersonIn, PersonPatch, UnitIn
from core.services import org
from plugins.cadres import search, service
from plugins.cadres.imports import import_lrmx
from plugins.cadres.models import CadreProfile
from plugins.cadres.schemas import ProfileIn
from plugins.cadres.search_table import COLUMNS, CadreSearch, _source, refresh
from plugins.cadres.sheets import import_section
from plugins.cadres.synth import synthesize
from tests.plugins.cadres.conftest import form
from tests.plugins.cadres.setup import SYSTEM, make_world

ON = date(2026, 12, 1)

LEAVES = [
    *(
        {"kind": "post", "text": text_, **({"min_years": years} if years is not None else {})}
        for text_ in ("乡镇党委书记", "书记", "镇长", "局长", "副主任", "科员", "不存在的职务")
        for years in (None, 0, 1, 2.5, 3, 10)
    ),
    {"kind": "post", "text": "乡镇党委书记", "min_years": 2, "on": "2020-06-30"},
    {"kind": "post", "text": "主任", "on": "2001-01-01"},
    *(
        {"kind": "education", "at_least": level}
        for level in ("初中", "高中", "大专", "本科", "硕士研究生", "博士研究生")
    ),
    *({"kind": "education", "at_least": level, "full_time": True} for level in ("中专", "本科", "研究生")),
    *({"kind": "degree", "at_least": degree} for degree in ("学士", "硕士", "博士")),
    *({"kind": "age", "below": years} for years in (0, 30, 36, 40, 45)),
    *({"kind": "age", "at_least": years} for years in (0, 38, 50, 55)),
    {"kind": "age", "at_least": 45, "below": 55},
    {"kind": "age", "below": 40, "on": "2020-02-29"},
    {"kind": "age", "at_least": 36, "below": 37, "on": "2020-02-29"},
    *({"kind": "gender", "value": value} for value in ("男", "女")),
    *({"kind": "ethnicity", "value": value} for value in ("汉族", "苗族", "彝族")),
    *({"kind": "party", "value": value} for value in ("中共党员", "群众")),
    *({"kind": "rank", "value": value} for value in ("正科级", "副处级", "科员")),
    *({"kind": "rank_years", "min_years": years} for years in (0, 1, 3, 5.5, 10)),
    {"kind": "rank_years", "min_years": 2, "on": "2018-01-01"},
    *({"kind": "native", "code": code} for code in ("52", "5205", "520521", "5203", "11")),
    *({"kind": "tag", "value": value} for value in ("经济", "农业", "乡村振兴")),
    *({"kind": "training_hours", "min": hours} for hours in (0, 1, 40, 100)),
    {"kind": "grade", "value": "优秀"},
    {"kind": "grade", "value": "称职", "years": 1},
    {"kind": "grade", "value": "优秀", "years": 5, "year": 2025},
]


def _trees(count: int, seed: int = 15) -> list[dict]:
    rng = random.Random(seed)

    def tree(depth: int) -> dict:
        items = [
            tree(depth + 1) if depth < 2 and rng.random() < 0.3 else rng.choice(LEAVES)
            for _ in range(rng.randint(1, 3))
        ]
        return {"op": rng.choice(["and", "or"]), "items": items}

    return [tree(0) for _ in range(count)]


QUERIES = [*({"op": "and", "items": [leaf]} for leaf in LEAVES), *_trees(70)]


def _found(session, locality_id: int, query: dict, source: search.Source) -> list[int]:
    """The ids matching ``query`` in the search's order, over ``source``."""
    where, _compiled = search.compile_query(query, ON, locality_id, source)
    if source is search.LIVE:
        chosen = (
            select(Person.id)
            .outerjoin(CadreProfile, col(CadreProfile.person_id) == Person.id)
            .where(Person.locality_id == locality_id, where)
            .order_by(Person.name, Person.id)
        )
    else:
        chosen = (
            select(CadreSearch.person_id)
            .where(CadreSearch.locality_id == locality_id, where)
            .order_by(CadreSearch.name, CadreSearch.person_id)
        )
    return list(session.scalars(chosen))


def _check(ctx, locality_id: int) -> int:
    """The table is the join's image, and every query finds what the old evaluation finds; how
    many queries found someone (the comparison is not over empty answers only)."""
    with ctx.db.read() as session:
        table = {row[0]: tuple(row) for row in session.execute(select(*(CadreSearch.__table__.c[n] for n in COLUMNS)))}
        joined = {row[0]: tuple(row) for row in session.execute(_source())}
        assert table == joined
        answered = 0
        for query in QUERIES:
            old = _found(session, locality_id, query, search.LIVE)
            assert _found(session, locality_id, query, search.TABLE) == old, query
            answered += bool(old)
        return answered


@pytest.fixture
def world(ctx):
    world = make_world(ctx)
    synthesize(ctx, "ca", 240, seed=7, today=ON)
    unit = org.create_unit(ctx, SYSTEM, "ca", UnitIn(code="e1", name="边界镇")).id
    # planted: no profile at all (profile conditions unmet even with a zero bound), a month-only
    # birth, a leap-day birth, a blank birth date; a profile without native place or education
    world.bare = org.create_person(
        ctx, SYSTEM, "ca", PersonIn(name="无档案", unit_id=unit, birth_date="1990-02", gender="女", rank="科员")
    ).id
    leap = org.create_person(
        ctx, SYSTEM, "ca", PersonIn(name="闰日生", unit_id=unit, birth_date="1984-02-29", ethnicity="苗族")
    ).id
    org.create_person(ctx, SYSTEM, "ca", PersonIn(name="无生日", unit_id=unit, party="群众"))
    service.write_profile(
        ctx,
        world.actors["org_dept"],
        "ca",
        leap,
        ProfileIn.model_validate(
            {
                "rank_since": date(2020, 12, 1),
                "posts": [{"unit_name": "边界镇", "post": "党委书记", "start": date(2023, 12, 1)}],
            }
        ),
    )
    world.leap = leap
    with ctx.db.read() as session:
        world.locality_id = session.get(Person, leap).locality_id
    return world


def test_every_condition_and_group_finds_what_the_join_found(ctx, world):
    assert _check(ctx, world.locality_id) > len(QUERIES) // 2
    dept = world.actors["org_dept"]
    for query in QUERIES[:: len(QUERIES) // 12]:
        with ctx.db.read() as session:
            old = _found(session, world.locality_id, query, search.LIVE)
        for offset in (0, 7, len(old), len(old) + 5):
            found = search.run_search(ctx, dept, "ca", query, limit=9, offset=offset, today=ON)
            assert found["total"] == len(old)
            assert [i["person_id"] for i in found["items"]] == old[offset : offset + 9]
            assert all(len(i["evidence"]) >= 1 for i in found["items"])  # the evidence per person stays


def _row(session, person_id: int) -> CadreSearch | None:
    return session.scalars(select(CadreSearch).where(CadreSearch.person_id == person_id)).first()


def _workbook(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_table_follows_every_write_path(ctx, world):
    dept, people = world.actors["org_dept"], world.people
    # the core's people: a change of name, gender, birth date and rank; a new person; a deletion
    org.update_person(
        ctx,
        SYSTEM,
        "ca",
        people["张书记"],
        PersonPatch(name="张新名", gender="女", birth_date="1995-01", rank="副处级"),
    )
    created = org.create_person(ctx, SYSTEM, "ca", PersonIn(name="新来的", birth_date="1980-05-05", rank="正科级")).id
    org.delete_person(ctx, SYSTEM, "ca", world.leap)
    # the profile API: education, training, native place, time at rank for someone without a profile
    service.write_profile(
        ctx,
        dept,
        "ca",
        world.bare,
        ProfileIn.model_validate(
            {
                "native_code": "520521",
                "rank_since": date(2015, 1, 1),
                "education": [{"school": "贵州大学", "level": "博士研究生", "degree": "博士"}],
                "trainings": [{"course": "党校", "hours": 120}],
                "tags": ["经济"],
            }
        ),
    )
    # the Excel sections
    import_section(
        ctx,
        dept,
        "ca",
        "posts",
        "posts.xlsx",
        _workbook(
            [["姓名", "任职单位", "职务", "起始时间", "终止时间"], ["李镇长", "羊场镇", "党委书记", "2010.01", ""]]
        ),
    )
    # an appointment form (.lrmx): a new person with a profile
    [report] = import_lrmx(ctx, dept, "ca", "zhang.lrmx", form())
    assert report.status == "imported"
    assert _check(ctx, world.locality_id) > len(QUERIES) // 2
    with ctx.db.read() as session:
        row = _row(session, people["张书记"])
        assert (row.name, row.gender, row.birth_date, row.rank) == ("张新名", "女", "1995-01", "副处级")
        assert _row(session, created).training_hours is None  # no profile: NULL, as the join
        assert _row(session, world.leap) is None
        bare = _row(session, world.bare)
        assert (bare.native_code, bare.edu_rank_any, bare.degree_rank, bare.training_hours) == ("520521", 6, 3, 120)


def test_a_rebuild_restores_a_table_written_around(ctx, world):
    """Rows lost by a writer that bypassed the ORM come back with ``refresh`` of the locality
    (what the migration and the generator run)."""
    with ctx.db.write() as session:
        session.execute(text("DELETE FROM cadre_search WHERE person_id % 3 = 0"))
    with ctx.db.write() as session:
        refresh(session, locality_id=world.locality_id)
    assert _check(ctx, world.locality_id) > 0


def test_each_page_and_its_count_are_the_join_s(ctx, world):
    """The page and the count as the search reads them in one statement (on PostgreSQL: the
    count a scalar subquery beside the page read in name order, or, for posts, tags and grades,
    both from the people found once; on SQLite: a window, or a count then the page), for every
    query and a page inside, across and past the end of its answer."""
    kinds = set()
    with ctx.db.read() as session:
        for query in QUERIES:
            old = _found(session, world.locality_id, query, search.LIVE)
            where, compiled = search.compile_query(query, ON, world.locality_id)
            kinds.add(any(leaf["kind"] in search.SUBQUERY_KINDS for leaf in compiled.evidence))
            for offset in (0, 7, len(old) - 3, len(old), len(old) + 5):
                offset = max(0, offset)
                ids, total = search._page(session, world.locality_id, compiled, where, 9, offset)
                assert (ids, total) == (old[offset : offset + 9], len(old)), (query, offset)
    assert kinds == {True, False}  # both ways of reading a page were compared
