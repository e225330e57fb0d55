"""A word anywhere in a name, found along ``person_name_grams`` (migration 0024's triggers keep
it): every way people are written keeps the grams, 1-, 2- and longer words find the same people
as a LIKE over every name did, in any case, in the own locality only, and SQLite reads the
grams' index rather than every person."""

from __future__ import annotations

from sqlalchemy import insert, text
from sqlmodel import select

from core.models import Locality, Person, PersonNameGram
from core.schemas.org import PersonIn, PersonPatch
from core.services import org, org_lists
from tests.core.people_setup import SYSTEM, make_org, office


def _grams(ctx, person_id: int) -> set[str]:
    with ctx.db.read() as session:
        return set(session.exec(select(PersonNameGram.gram).where(PersonNameGram.person_id == person_id)))


def _found(ctx, actor, code: str, word: str) -> list[str]:
    return [p.name for p in org_lists.search_people(ctx, actor, code, q=word, anywhere=True, limit=50).items]


def test_the_triggers_keep_the_grams_on_every_write(ctx):
    o = make_org(ctx)
    person = org.create_person(ctx, SYSTEM, o.code, PersonIn(name="欧阳娜娜")).id
    assert _grams(ctx, person) == {"欧", "阳", "娜", "欧阳", "阳娜", "娜娜"}
    org.update_person(ctx, SYSTEM, o.code, person, PersonPatch(name="Anna 李"))
    assert _grams(ctx, person) == {"a", "n", " ", "李", "an", "nn", "na", "a ", " 李"}  # lower-cased
    with ctx.db.write() as session:  # plain SQL, as an import's bulk insert (COPY on PostgreSQL)
        locality = session.exec(select(Locality.id).where(Locality.code == o.code)).one()
        session.execute(insert(Person), [{"locality_id": locality, "name": "司马光", "post_history": []}])
        raw = session.exec(select(Person.id).where(Person.name == "司马光")).one()
    assert _grams(ctx, raw) == {"司", "马", "光", "司马", "马光"}
    org.delete_person(ctx, SYSTEM, o.code, person)
    assert _grams(ctx, person) == set()
    with ctx.db.write() as session:
        session.execute(text("DELETE FROM people WHERE id = :id"), {"id": raw})
    assert _grams(ctx, raw) == set()


def test_a_word_anywhere_finds_what_a_like_over_every_name_found(ctx):
    o = make_org(ctx)  # 张三 李四 王五 赵六
    other = make_org(ctx, "pb", serial=10)
    for name in ("王建国", "李建华", "建", "Jian Guo", "钱_%", "欧阳建国"):
        org.create_person(ctx, SYSTEM, o.code, PersonIn(name=name))
    org.create_person(ctx, SYSTEM, other.code, PersonIn(name="别县建国"))
    actor = office(ctx, o.code)
    assert _found(ctx, actor, o.code, "建") == ["王建国", "李建华", "建", "欧阳建国"]
    assert _found(ctx, actor, o.code, "建国") == ["王建国", "欧阳建国"]
    assert _found(ctx, actor, o.code, "阳建国") == ["欧阳建国"]
    assert _found(ctx, actor, o.code, "阳国") == []
    assert _found(ctx, actor, o.code, "jian g") == ["Jian Guo"]  # any case
    assert _found(ctx, actor, o.code, "_") == ["钱_%"] and _found(ctx, actor, o.code, "_%") == ["钱_%"]
    assert _found(ctx, actor, o.code, "钱_%") == ["钱_%"] and _found(ctx, actor, o.code, "钱x%") == []
    counted = org_lists.search_people(ctx, actor, o.code, q="建", anywhere=True, limit=2)
    assert (counted.total, counted.total_capped, counted.first, counted.has_next) == (4, False, 1, True)
    later = org_lists.search_people(ctx, actor, o.code, q="建", anywhere=True, limit=2, after=counted.items[-1].id)
    assert [p.name for p in later.items] == ["建", "欧阳建国"] and later.first == 3


def test_sqlite_reads_the_grams_index_not_every_person(ctx):
    if not ctx.db.is_sqlite:
        return  # PostgreSQL chooses its plan by the table's statistics; the answers are tested above
    make_org(ctx)
    with ctx.db.read() as session:
        # the statistics as the file has them (none: the suite empties them between tests), not as
        # this pooled connection read them after an earlier test's ANALYZE
        session.execute(text("ANALYZE sqlite_schema"))
        plan = " | ".join(
            str(row[3])
            for row in session.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT people.id FROM people WHERE people.locality_id = 1 AND people.id IN "
                    "(SELECT person_id FROM person_name_grams WHERE locality_id = 1 AND gram = '建') "
                    "AND people.id > 0 ORDER BY people.id LIMIT 51"
                )
            )
        )
    assert "person_name_grams" in plan and "SCAN people" not in plan, plan
