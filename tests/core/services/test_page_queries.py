"""The reads behind console pages that were slow at 100,000 people (bench/console_pages.py):
they give the same answers by the faster path, on SQLite and PostgreSQL, and the ranks held are
read along an index rather than by a scan of the people."""

from __future__ import annotations

from sqlalchemy import text

from core.schemas.org import PersonIn, PersonPatch, TeamIn
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


def test_a_count_that_reads_each_rows_text_stops_at_the_cap_and_says_so(ctx, monkeypatch):
    o = make_org(ctx)
    actor = office(ctx, o.code)
    for name in ("张三", "李四", "王五"):
        org.update_person(ctx, SYSTEM, o.code, o.people[name], PersonPatch(post="科员", rank="一级科员"))
    monkeypatch.setattr(org_lists, "COUNT_CAP", 2)
    monkeypatch.setattr(org_lists, "POSTS_SKIP_CAP", 0)  # as if every person had a post of their own

    by_post = org_lists.search_people(ctx, actor, o.code, post="科员", limit=2)
    assert (by_post.total, by_post.total_capped, by_post.first, by_post.has_next) == (2, True, 0, True)
    assert [p.name for p in by_post.items] == ["张三", "李四"]
    by_rank = org_lists.search_people(ctx, actor, o.code, rank="一级科员", limit=2)  # read from its index: exact
    assert (by_rank.total, by_rank.total_capped, by_rank.first) == (3, False, 1)
    few = org_lists.search_people(ctx, actor, o.code, post="科员", rank="一级科员", q="王", limit=2)
    assert (few.total, few.total_capped, few.first, [p.name for p in few.items]) == (1, False, 1, ["王五"])
    anywhere = org_lists.search_people(ctx, actor, o.code, q="五", anywhere=True)
    assert (anywhere.total, anywhere.total_capped, [p.name for p in anywhere.items]) == (1, False, ["王五"])


def test_a_word_in_the_post_is_found_along_the_posts_held_and_counted_exactly(ctx, monkeypatch):
    o = make_org(ctx)
    other = make_org(ctx, "pb", serial=10)
    actor = office(ctx, o.code)
    posts = {"张三": "财政局局长", "李四": "副局长", "王五": "科员", "赵六": "Office Clerk"}
    for name, post in posts.items():
        org.update_person(ctx, SYSTEM, o.code, o.people[name], PersonPatch(post=post))
    org.update_person(ctx, SYSTEM, other.code, other.people["张三"], PersonPatch(post="局长"))  # another locality's
    org.create_person(ctx, SYSTEM, o.code, PersonIn(name="无职务", unit_id=o.root))
    monkeypatch.setattr(org_lists, "COUNT_CAP", 1)  # never reached: the posts' people are counted on the index

    with ctx.db.read() as session:
        locality = session.execute(text("SELECT id FROM localities WHERE code = :c"), {"c": o.code}).scalar_one()
    assert sorted(org_lists.posts_containing(ctx, locality, "局长")) == sorted(["财政局局长", "副局长"])
    heads = org_lists.search_people(ctx, actor, o.code, post="局长", limit=1)
    assert (heads.total, heads.total_capped, heads.first, heads.has_next) == (2, False, 1, True)
    assert [p.name for p in heads.items] == ["张三"]
    assert [p.name for p in org_lists.search_people(ctx, actor, o.code, post="局长", after=o.people["张三"]).items] == [
        "李四"
    ]
    assert org_lists.search_people(ctx, actor, o.code, post="没有").total == 0
    assert org_lists.search_people(ctx, actor, o.code, post="%").total == 0  # a character, not a wildcard
    # as the LIKE over the people matched: A-Z in any case on SQLite, exactly on PostgreSQL
    clerks = org_lists.search_people(ctx, actor, o.code, post="office").total
    assert clerks == (1 if ctx.db.is_sqlite else 0)
    assert org_lists.search_people(ctx, actor, o.code, post="Clerk").total == 1
    with ctx.db.read() as session:  # the same people as a LIKE read from each of them
        like = session.execute(
            text("SELECT count(*) FROM people WHERE locality_id = :l AND post LIKE '%局长%'"), {"l": locality}
        ).scalar_one()
    assert like == 2


def test_the_posts_held_are_read_along_the_post_index_on_sqlite(ctx):
    if not ctx.db.is_sqlite:
        return  # PostgreSQL chooses its plan by the table's statistics; the answers are tested above
    with ctx.db.read() as session:
        plan = " | ".join(
            str(row[3])
            for row in session.execute(text("EXPLAIN QUERY PLAN " + org_lists._POSTS_HELD), {"locality": 1, "cap": 10})
        )
        people = " | ".join(
            str(row[3])
            for row in session.execute(
                text("EXPLAIN QUERY PLAN SELECT id FROM people WHERE locality_id = 1 AND post IN ('a', 'b')")
            )
        )
    assert "ix_people_locality_post" in plan and "SCAN people" not in plan, plan
    assert "ix_people_locality_post" in people and "SCAN people" not in people, people


def test_teams_are_found_by_a_word_unit_and_type_a_page_at_a_time(ctx):
    o = make_org(ctx)
    actor = office(ctx, o.code)
    org.create_team(ctx, SYSTEM, o.code, TeamIn(unit_id=o.sibling, name="党组", type="party_committee"))
    org.create_team(ctx, SYSTEM, o.code, TeamIn(unit_id=o.child, name="科务会", type="department"))

    every = org_lists.search_teams(ctx, actor, o.code, limit=2)
    assert (every.total, every.offset, len(every.items)) == (3, 0, 2)
    last = org_lists.search_teams(ctx, actor, o.code, offset=999, limit=2)  # past the end: the last page
    assert (last.offset, len(last.items)) == (2, 1)
    assert [t["name"] for t in org_lists.search_teams(ctx, actor, o.code, q="财政").items] == [
        "党组"
    ]  # the unit's name
    assert [t["name"] for t in org_lists.search_teams(ctx, actor, o.code, q="%").items] == []  # taken literally
    assert [t["name"] for t in org_lists.search_teams(ctx, actor, o.code, team_type="department").items] == ["科务会"]
    root = org_lists.search_teams(ctx, actor, o.code, unit_id=o.root).items
    assert [(t["name"], t["members"]) for t in root] == [("领导班子", 1)]


def test_the_first_page_of_people_counts_once_and_a_later_page_counts_what_is_before_it(ctx):
    """The position of the first page is 1 without a count (a word anywhere in the names counted
    twice at 100,000 people: once for the total, once for the nothing before the first row); a
    later page counts the rows on the shorter side of it for its position: those from its first
    row on (subtracted from the total) for a page in the second half of the ids, those before it
    in the first half."""
    from sqlalchemy import event

    o = make_org(ctx)  # 张三 李四 王五 赵六
    actor = office(ctx, o.code)
    counts: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        if "count(" in statement:
            counts.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", seen)
    try:
        first = org_lists.search_people(ctx, actor, o.code, limit=2)
        first_counts, counts[:] = len(counts), []
        later = org_lists.search_people(ctx, actor, o.code, limit=2, after=first.items[-1].id)
        back = org_lists.search_people(ctx, actor, o.code, limit=2, before=later.items[0].id)
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", seen)
    assert (first.total, first.first, first.has_prev, first.has_next) == (4, 1, False, True)
    assert first_counts == 1
    assert (later.total, later.first, later.has_prev, later.has_next) == (4, 3, True, False)
    assert (back.first, back.has_prev, [p.id for p in back.items]) == (1, False, [p.id for p in first.items])
    assert len(counts) == 4  # the total and one side of the page, for each of the two pages
    later_side, back_side = counts[1], counts[3]
    assert "people.id >=" in later_side and "people.id <" not in later_side  # 3 of 4: the 2 after
    assert "people.id <" in back_side and "people.id >=" not in back_side  # 1 of 4: none before
