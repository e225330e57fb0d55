"""The reads behind console pages that were slow at 100,000 people (bench/console_pages.py):
they give the same answers by the faster path, on SQLite and PostgreSQL, and the ranks held are
read along an index rather than by a scan of the people."""

from __future__ import annotations

from sqlalchemy import text

from core.schemas.org import PersonIn, PersonPatch
from core.services import org, org_lists
from core.services import people_accounts as pa
from tests.core.people_setup import SYSTEM, make_org, office


def test_the_ranks_held_are_each_rank_once_in_order_without_empty(ctx):
    o = make_org(ctx)
    other = make_org(ctx, "pb", serial=10)
    for name, rank in (("张三", "二级主任科员"), ("李四", "一级科员"), ("王五", "一级科员"), ("赵六", "")):
        org.update_person(ctx, SYSTEM, o.code, o.people[name], PersonPatch(rank=rank))
    org.update_person(ctx, SYSTEM, other.code, other.people["张三"], PersonPatch(rank="四级调研员"))
    actor = office(ctx, o.code)

    held = org_lists.ranks_of(ctx, actor, o.code)

    assert held == sorted({"二级主任科员", "一级科员"})  # another locality's rank is not offered
    with ctx.db.read() as session:  # the order the database gives, as the list's ORDER BY did
        assert held == list(
            session.execute(
                text(
                    "SELECT DISTINCT rank FROM people WHERE locality_id = (SELECT id FROM localities WHERE code = :c) "
                    "AND rank <> '' ORDER BY rank"
                ),
                {"c": o.code},
            ).scalars()
        )


def test_the_ranks_held_are_read_along_the_rank_index_on_sqlite(ctx):
    if not ctx.db.is_sqlite:
        return  # PostgreSQL chooses its plan by the table's statistics; the answer is tested above
    o = make_org(ctx)
    org.update_person(ctx, SYSTEM, o.code, o.people["张三"], PersonPatch(rank="一级科员"))
    with ctx.db.read() as session:
        plan = " | ".join(
            str(row[3])
            for row in session.execute(
                text("EXPLAIN QUERY PLAN SELECT min(p.rank) FROM people p WHERE p.locality_id = 1 AND p.rank > ''")
            )
        )
    assert "ix_people_locality_rank" in plan and "SCAN people" not in plan, plan


def test_the_whole_localitys_account_counts_match_the_units_added_up(ctx):
    o = make_org(ctx)
    actor = office(ctx, o.code)
    org.create_person(ctx, SYSTEM, o.code, PersonIn(name="无单位", unit_id=None))  # counted by the whole only
    pa.issue(ctx, actor, o.code, unit_id=o.root, with_sub_units=True)
    pa.revoke(ctx, actor, o.code, o.people["李四"])
    org.delete_person(ctx, actor, o.code, o.people["王五"])  # its account is kept, detached, no code

    whole = pa.counts(ctx, actor, o.code).model_dump()
    parts = [pa.counts(ctx, actor, o.code, unit_id=u).model_dump() for u in (o.root, o.sibling)]

    assert whole == {"people": 4, "accounts": 2, "activated": 0, "waiting": 1, "revoked": 1}
    assert {k: sum(p[k] for p in parts) for k in whole} == {**whole, "people": 3}
    people, total = pa.list_people(ctx, actor, o.code, limit=2)
    assert total == 4 and len(people) == 2
    assert pa.list_people(ctx, actor, o.code, q="张")[1] == 1
    assert pa.list_people(ctx, actor, o.code, unit_id=o.child)[1] == 1  # 李四 (王五 was deleted)
