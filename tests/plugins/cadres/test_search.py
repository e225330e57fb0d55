"""Condition search on both databases: each kind of condition, AND/OR groups, the evidence
shown, the view log, and bad queries answered with the path of the bad condition."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from core.services.errors import Invalid, NotFound
from plugins.cadres import queries, search, service
from plugins.cadres.schemas import SavedQueryIn
from plugins.cadres.synth import synthesize
from tests.plugins.cadres.setup import make_world

ON = date(2026, 12, 1)


@pytest.fixture
def find(ctx):
    world = make_world(ctx)

    def run(*items, op="and"):
        query = {"op": op, "items": list(items)}
        found = search.run_search(ctx, world.actors["org_dept"], "ca", query, today=ON)
        assert found["total"] == len(found["items"])
        return sorted(item["name"] for item in found["items"])

    run.world = world
    return run


CASES = [
    ({"kind": "post", "text": "乡镇党委书记"}, ["张书记", "李镇长"]),
    ({"kind": "post", "text": "党委书记", "min_years": 5}, ["张书记"]),  # since 2016; 李: since 2022
    ({"kind": "post", "text": "乡镇党委书记", "min_years": 5, "on": "2020-12-01"}, []),  # 张: 4.4 years then
    ({"kind": "education", "at_least": "本科"}, ["张书记", "李镇长", "王局长"]),
    ({"kind": "education", "at_least": "本科", "full_time": True}, ["张书记", "王局长"]),  # 李: in-service only
    ({"kind": "degree", "at_least": "硕士"}, ["王局长"]),
    ({"kind": "age", "below": 40}, ["张书记"]),  # 38
    ({"kind": "age", "below": 44, "at_least": 43}, ["李镇长"]),  # 43 (born 1983-02: a month)
    ({"kind": "age", "at_least": 51}, ["王局长"]),  # 51 on 2026-12-01
    ({"kind": "gender", "value": "女"}, ["李镇长"]),
    ({"kind": "ethnicity", "value": "苗族"}, ["李镇长"]),
    ({"kind": "party", "value": "群众"}, ["王局长"]),
    ({"kind": "rank", "value": "正科级"}, ["张书记"]),
    ({"kind": "rank_years", "min_years": 6}, ["张书记", "王局长"]),
    ({"kind": "native", "code": "5205"}, ["张书记", "李镇长"]),  # a city
    ({"kind": "native", "code": "520521"}, ["张书记"]),  # a county
    ({"kind": "native", "code": "52"}, ["张书记", "李镇长", "王局长"]),  # the province
    ({"kind": "tag", "value": "经济"}, ["张书记"]),
    ({"kind": "training_hours", "min": 70}, ["张书记", "李镇长"]),
    ({"kind": "grade", "value": "优秀"}, ["张书记", "李镇长"]),  # 2023..2025; 王's 2021 is too old
    ({"kind": "grade", "value": "优秀", "years": 5}, ["张书记", "李镇长", "王局长"]),
]


def test_each_condition(find):
    answers = {str(condition): find(condition) for condition, _expected in CASES}
    assert answers == {str(condition): expected for condition, expected in CASES}


def test_and_or_groups(find):
    township_secretary = {"kind": "post", "text": "乡镇党委书记"}
    assert find(township_secretary, {"kind": "age", "below": 40}) == ["张书记"]
    assert find({"kind": "gender", "value": "女"}, {"kind": "party", "value": "群众"}, op="or") == ["李镇长", "王局长"]
    nested = {"op": "or", "items": [{"kind": "degree", "at_least": "硕士"}, {"kind": "tag", "value": "农业"}]}
    assert find(township_secretary, nested) == ["李镇长"]


def test_results_carry_the_evidence_and_the_search_is_logged(ctx, find):
    world = find.world
    query = {"op": "and", "items": [{"kind": "post", "text": "书记", "min_years": 3}, {"kind": "age", "below": 45}]}
    found = search.run_search(ctx, world.actors["org_dept"], "ca", query, today=ON)
    zhang = next(i for i in found["items"] if i["name"] == "张书记")
    post, age = zhang["evidence"]
    assert post["met"] and post["years"] == 10.4 and "羊场镇乡镇党委书记" in post["detail"]
    assert age == {"kind": "age", "met": True, "detail": "38"}
    log = service.view_log(ctx, world.actors["org_dept_head"], "ca")
    assert log.items[0].action == "search" and "书记" in log.items[0].detail
    assert sorted(log.items[0].names) == sorted(i["name"] for i in found["items"])


BAD = [
    ({"op": "and", "items": [{"kind": "height"}]}, "query.items.0.kind"),
    ({"op": "and", "items": [{"kind": "post", "text": "x", "min_years": "ten"}]}, "query.items.0.min_years"),
    ({"op": "and", "items": [{"kind": "native", "code": "52a"}]}, "query.items.0.code"),
    ({"op": "and", "items": [{"kind": "education", "at_least": "大学"}]}, "query.items.0.at_least"),
    ({"op": "xor", "items": [{"kind": "gender", "value": "女"}]}, "query.op"),
    ({"op": "and", "items": [{"kind": "age", "below": 40, "on": "2026-13-01"}]}, "query.items.0.on"),
    ({"op": "or", "items": [{"kind": "gender", "value": "女"}, {"op": "and", "items": []}]}, "query.items.1.items"),
]


def test_a_bad_condition_is_named_by_its_path():
    for query, path in BAD:
        with pytest.raises(Invalid) as caught:
            search.compile_query(query, ON)
        assert caught.value.errors[0]["field"] == path, query


def test_saved_queries_and_access(ctx, find):
    world = find.world
    query = {"op": "and", "items": [{"kind": "gender", "value": "女"}]}
    queries.save_query(ctx, world.actors["org_dept"], "ca", SavedQueryIn(name="女干部", query=query))
    queries.save_query(ctx, world.actors["org_dept_head"], "ca", SavedQueryIn(name="女干部", query=query))  # replaced
    assert [(q.name, q.created_by) for q in queries.list_queries(ctx, world.actors["org_dept"], "ca")] == [
        ("女干部", "org_dept_head-ca")
    ]
    with pytest.raises(Invalid):
        queries.save_query(ctx, world.actors["org_dept"], "ca", SavedQueryIn(name="x", query={"kind": "nope"}))
    for role in ("office", "leader", "other_dept"):
        with pytest.raises(NotFound):
            search.run_search(ctx, world.actors[role], "ca", query)
        with pytest.raises(NotFound):
            queries.list_queries(ctx, world.actors[role], "ca")


BROAD = {"op": "and", "items": [{"kind": "education", "at_least": "本科"}]}  # most of a locality
POSTS = {
    "op": "and",
    "items": [{"kind": "post", "text": "主任", "min_years": 1}, {"kind": "gender", "value": "男"}],
}


def _page_plans(ctx, actor, queries: list[dict]) -> list[str]:
    """The PostgreSQL plan (EXPLAIN ANALYZE) of the statement reading each query's page and count."""
    plans = []
    for query in queries:
        sent = []

        def keep(_conn, _cursor, statement, parameters, *_args, sent=sent) -> None:
            if "cadre_search" in statement and "count(" in statement:
                sent.append((statement, parameters))

        event.listen(ctx.db.engine, "before_cursor_execute", keep)
        try:
            found = search.run_search(ctx, actor, "ca", query, limit=20, today=ON)
        finally:
            event.remove(ctx.db.engine, "before_cursor_execute", keep)
        assert len(sent) == 1 and found["total"] > 20  # the page and the count in one statement
        with ctx.db.engine.connect() as connection:
            statement, parameters = sent[0]
            rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters)
            plans.append("\n".join(row[0] for row in rows))
    return plans


def test_the_page_reads_in_name_order_and_the_count_stays_exact_on_postgresql(ctx):
    """PostgreSQL: a search matching most of a locality reads its page in name order through
    ix_cadre_search_locality_name and stops there, its exact count a subquery of its own, with no
    window keeping and sorting every row found; a search on posts finds its people once for the
    count and the page."""
    if ctx.db.engine.dialect.name != "postgresql":
        pytest.skip("the plan of PostgreSQL")
    world = make_world(ctx)
    synthesize(ctx, "ca", 3000, seed=5, today=ON)
    with ctx.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
    broad, posts = _page_plans(ctx, world.actors["org_dept"], [BROAD, POSTS])
    assert "Index Scan using ix_cadre_search_locality_name" in broad, broad
    assert "WindowAgg" not in broad and "Sort" not in broad, broad
    assert "CTE found" in posts and "WindowAgg" not in posts, posts
    assert posts.count("on cadre_posts") == 1, posts  # the posts read once, for the count and the page
