"""What the results pages and reports read (core.services.result_details; a subject and a team in
test_result_subject.py and test_result_teams.py), on SQLite and
PostgreSQL, from a campaign voted and tallied through the API (tests/results_setup.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.context import Actor
from core.schemas.values import AdjustmentIn
from core.services import decisions, result_subject, result_teams
from core.services import result_details as rd
from core.services.errors import Forbidden, Invalid, NotFound
from tests.results_setup import build

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")


def _actor(world, username: str) -> Actor:
    from core.services.auth import actor_of, find_user

    return actor_of(find_user(world.ctx, username))


def test_rounding_is_half_up_with_fixed_places():
    assert rd.show_score(80.445, 2) == "80.45"
    assert rd.show_score(80.45000000000003, 2) == "80.45"
    assert rd.show_score(95, 2) == "95.00"
    assert rd.show_score(2.5, 0) == "3"
    assert rd.show_score(None, 2) == "" and rd.round_score(float("nan"), 2) is None
    assert rd.round_score(59.99999, 3) == 60.0


def test_ranking_flags_adjustments_and_over_quota(world):
    s = build(world)
    office = _actor(world, "office-county-r")
    data = rd.campaign_results(world.ctx, office, s.campaign_id, locality_code="county-r")
    assert data["tallied"] and not data["published"] and data["decimals"] == 2
    assert data["campaign"]["name"] == "2026年度民主测评" and data["campaign"]["rule"] == "weighted_mean"
    assert [c["name"] for c in data["evaluator_categories"]] == ["县领导", "基层代表"]
    assert data["grade_labels"] == ["优秀", "称职", "基本称职", "不称职"]
    [group] = data["groups"]
    assert group["category"] == "班子成员"
    rows = {r["name"]: r for r in group["subjects"]}
    assert [r["name"] for r in group["subjects"]][2:] == ["王五", "赵六"]
    assert (rows["张三"]["rank"], rows["李四"]["rank"], rows["王五"]["rank"], rows["赵六"]["rank"]) == (1, 1, 3, 4)
    assert rows["王五"]["score"] == pytest.approx(91) and rows["王五"]["shown"] == "91.00"
    assert rows["赵六"]["shown"] == "59.00" and rows["赵六"]["grade"] == "不称职"
    # the quota keeps 1 优秀 of 4; 张三 and 李四 tie across it: both demoted and flagged
    assert rows["张三"]["flags"] == ["tie_at_quota"] == rows["李四"]["flags"]
    assert rows["王五"]["proposed_grade"] == "称职" and rows["王五"]["flags"] == []
    assert rows["王五"]["by_category"]["县领导"]["shown"] == "80.00"
    assert rows["王五"]["by_category"]["基层代表"] == {"score": pytest.approx(95), "shown": "95.00", "ballots": 1}
    assert rows["王五"]["ballots"] == 3 and rows["张三"]["adjustment"] is None

    for name in ("张三", "李四"):
        decisions.adjust(
            world.ctx,
            office,
            s.campaign_id,
            AdjustmentIn(subject_id=s.subjects[name], grade="优秀", reason=f"{name}：年度表现突出"),
        )
    rows = {r["name"]: r for r in rd.campaign_results(world.ctx, office, s.campaign_id)["groups"][0]["subjects"]}
    assert rows["张三"]["grade"] == "优秀" and rows["张三"]["proposed_grade"] == "称职"
    assert rows["张三"]["adjustment"]["reason"] == "张三：年度表现突出"
    assert rows["张三"]["adjustment"]["from_grade"] == "称职"
    # two 优秀 where the quota allows one: both are flagged for the office
    assert rows["张三"]["flags"] == ["tie_at_quota", "over_quota"] == rows["李四"]["flags"]
    assert "over_quota" not in rows["王五"]["flags"]


def test_locality_decimals_round_what_is_shown_and_keep_the_score(world):
    s = build(world)
    with world.ctx.db.engine.begin() as connection:
        connection.execute(text("UPDATE localities SET result_decimals = 0 WHERE code = 'county-r'"))
        connection.execute(
            text("UPDATE campaign_results SET score = 80.45000000000003 WHERE campaign_id = :c AND subject_id = :s"),
            {"c": s.campaign_id, "s": s.subjects["王五"]},
        )
    office = _actor(world, "office-county-r")
    data = rd.campaign_results(world.ctx, office, s.campaign_id)
    row = next(r for r in data["groups"][0]["subjects"] if r["name"] == "王五")
    assert data["decimals"] == 0 and row["shown"] == "80" and row["score"] == 80.45000000000003


def test_untallied_campaign_is_no_error(world):
    s = build(world, publish_previous=False)
    office = _actor(world, "office-county-r")
    created = s.api.post(
        "/api/localities/county-r/campaigns",
        json={"name": "草稿", "kind": "annual", "subject_ids": list(s.subjects.values())},
    )
    assert created.status_code == 201, created.text
    draft = created.json()["id"]
    data = rd.campaign_results(world.ctx, office, draft)
    assert data["tallied"] is False and data["groups"] == []
    assert result_subject.subject_details(world.ctx, office, draft, s.subjects["张三"])["subject"] is None
    assert result_teams.campaign_teams(world.ctx, office, draft) == []
    with pytest.raises(NotFound):
        result_teams.team_bubbles(world.ctx, office, draft, s.team_id)
    # an unpublished earlier campaign counts in the comparison too (tallied)
    d = result_subject.subject_details(world.ctx, office, s.campaign_id, s.subjects["张三"])
    assert [h["status"] for h in d["history"]] == ["tallied"]


def test_tenants_and_roles(world):
    s = build(world)
    world.office("county-x")
    other = _actor(world, "office-county-x")
    for call in (
        lambda a: rd.campaign_results(world.ctx, a, s.campaign_id),
        lambda a: result_subject.subject_details(world.ctx, a, s.campaign_id, s.subjects["张三"]),
        lambda a: result_teams.campaign_teams(world.ctx, a, s.campaign_id),
        lambda a: result_teams.team_bubbles(world.ctx, a, s.campaign_id, s.team_id),
    ):
        with pytest.raises(NotFound):
            call(other)
    office = _actor(world, "office-county-r")
    with pytest.raises(NotFound):  # the campaign, asked for under another locality's code
        rd.campaign_results(world.ctx, office, s.campaign_id, locality_code="county-x")
    with pytest.raises(NotFound):  # a subject that is not in the campaign
        result_subject.subject_details(world.ctx, office, s.campaign_id, 10**9)
    world.user("unit-r", "unit_admin", "county-r", unit="CZJ")
    with pytest.raises(Forbidden):
        rd.campaign_results(world.ctx, _actor(world, "unit-r"), s.campaign_id)
    platform = Actor.system("test")
    assert rd.campaign_results(world.ctx, platform, s.campaign_id)["tallied"]


def test_a_page_of_the_ranking_is_the_whole_ranking_cut_with_global_ranks_and_flags(world):
    s = build(world)
    office = _actor(world, "office-county-r")
    for name in ("张三", "李四"):  # two 优秀 where the quota allows one: over_quota on both
        decisions.adjust(
            world.ctx, office, s.campaign_id, AdjustmentIn(subject_id=s.subjects[name], grade="优秀", reason="核实")
        )
    whole = rd.campaign_results(world.ctx, office, s.campaign_id)
    every = whole["groups"][0]["subjects"]
    assert whole["total"] == 4 and whole["offset"] == 0 and whole["groups"][0]["count"] == 4
    pages = [rd.campaign_results(world.ctx, office, s.campaign_id, limit=2, offset=o) for o in (0, 2, 4)]
    assert [p["total"] for p in pages] == [4, 4, 4] and [p["offset"] for p in pages] == [0, 2, 4]
    assert pages[0]["groups"][0]["subjects"] + pages[1]["groups"][0]["subjects"] == every
    assert pages[2]["groups"] == []  # past the end: no rows, the total still told
    second = pages[1]["groups"][0]
    assert second["count"] == 4  # the category's size, not the page's
    assert [r["rank"] for r in second["subjects"]] == [3, 4]  # ranks stay the campaign's
    assert [r["name"] for r in pages[0]["groups"][0]["subjects"]] == ["张三", "李四"]
    assert all("over_quota" in r["flags"] for r in pages[0]["groups"][0]["subjects"])
    assert pages[0]["groups"][0]["subjects"][0]["adjustment"]["reason"] == "核实"
    with pytest.raises(Invalid):
        rd.campaign_results(world.ctx, office, s.campaign_id, limit=0)


def _statements(world, call) -> list[str]:
    from sqlalchemy import event

    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(world.ctx.db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(world.ctx.db.engine, "before_cursor_execute", record)
    return seen


def test_a_page_of_the_ranking_is_counted_once_and_its_teams_in_one_statement(world):
    """The results page's reads: the ranking's total comes from the grades held per category (no
    second count of the ranking's rows), the grade labels from one statement however many
    templates the categories have, and the teams with their members counted in one statement
    (not each team by id after every member)."""
    s = build(world)
    office = _actor(world, "office-county-r")
    page: dict = {}
    ranking = _statements(world, lambda: page.update(rd.campaign_results(world.ctx, office, s.campaign_id, limit=2)))
    assert page["total"] == 4 and len(page["groups"][0]["subjects"]) == 2
    assert not [q for q in ranking if "count(*)" in q and "campaign_results.score" in q], ranking
    assert len([q for q in ranking if "FROM indicator_templates" in q]) == 1, ranking
    teams: list = []
    read = _statements(world, lambda: teams.extend(result_teams.campaign_teams(world.ctx, office, s.campaign_id)))
    assert [t["members"] for t in teams] == [3]
    assert len([q for q in read if "FROM teams" in q or "JOIN teams" in q]) == 1, read
    assert not [q for q in read if "FROM team_members" in q and "JOIN teams" not in q], read
