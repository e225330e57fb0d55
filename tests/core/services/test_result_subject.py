"""One subject's results (core.services.result_subject), on SQLite and PostgreSQL, from a campaign
voted and tallied through the API (tests/results_setup.py)."""

from __future__ import annotations

import pytest

from core.context import Actor
from core.schemas.values import AdjustmentIn
from core.services import decisions, result_subject
from tests.results_setup import build

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")


def _actor(world, username: str) -> Actor:
    from core.services.auth import actor_of, find_user

    return actor_of(find_user(world.ctx, username))


def test_subject_details(world):
    s = build(world)
    office = _actor(world, "office-county-r")
    d = result_subject.subject_details(world.ctx, office, s.campaign_id, s.subjects["王五"], locality_code="county-r")
    assert d["subject"]["name"] == "王五" and d["group_size"] == 4
    assert [(c["name"], c["weight"], c["shown"], c["ballots"]) for c in d["by_category"]] == [
        ("县领导", 40.0, "80.00", 2),
        ("基层代表", 60.0, "95.00", 1),
    ]
    indicators = {i["code"]: i for i in d["indicators"]}
    assert list(indicators) == ["DE1", "DE2", "JI1", "ALL"]
    assert indicators["DE1"]["name"] == "政治品德" and indicators["DE1"]["parent"] == "德"
    assert indicators["DE1"]["score"] == pytest.approx((80 + 80 + 95) / 3) and indicators["DE1"]["shown"] == "85.00"
    assert indicators["DE1"]["answers"] == 3 and indicators["DE1"]["max"] == 95
    assert indicators["ALL"]["overall"] and not indicators["JI1"]["overall"]
    assert indicators["JI1"]["by_category"]["县领导"]["shown"] == "80.00"
    assert indicators["JI1"]["by_category"]["基层代表"]["shown"] == "95.00"
    assert d["values"] == [{"code": "BONUS", "name": "加分项", "kind": "bonus", "score": 2.0, "shown": "2.00"}]
    assert d["distribution"] == {
        "basis": "overall",
        "total": 3,
        "counts": [
            {"grade": "优秀", "count": 1},
            {"grade": "称职", "count": 2},
            {"grade": "基本称职", "count": 0},
            {"grade": "不称职", "count": 0},
        ],
    }
    # sorted by text, so their order says nothing about the ballots
    assert d["comments"] == sorted(["工作扎实", "希望加强学习"])
    [before] = d["history"]
    assert before["campaign_id"] == s.previous_id and before["campaign_name"] == "2025年度民主测评"
    assert before["shown"] == "80.00" and before["rank"] == 1 and before["grade"] == "称职"
    assert d["adjustments"] == []

    zhao = result_subject.subject_details(world.ctx, office, s.campaign_id, s.subjects["赵六"])
    assert [c["count"] for c in zhao["distribution"]["counts"]] == [0, 1, 1, 1]
    assert zhao["values"] == [] and len(zhao["comments"]) == 2

    decisions.adjust(
        world.ctx, office, s.campaign_id, AdjustmentIn(subject_id=s.subjects["王五"], grade="优秀", reason="加分项核实")
    )
    d = result_subject.subject_details(world.ctx, office, s.campaign_id, s.subjects["王五"])
    assert [(a["from_grade"], a["grade"], a["reason"]) for a in d["adjustments"]] == [("称职", "优秀", "加分项核实")]
    assert d["subject"]["grade"] == "优秀"


def test_a_subject_reads_its_own_rows_only(world):
    """The page of one subject reads that subject's result row and ballot positions, not every
    subject's (a campaign of hundreds of subjects built them all to pick one out)."""
    from sqlalchemy import event

    s = build(world)
    office = _actor(world, "office-county-r")
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    event.listen(world.ctx.db.engine, "before_cursor_execute", seen)
    try:
        d = result_subject.subject_details(world.ctx, office, s.campaign_id, s.subjects["王五"])
    finally:
        event.remove(world.ctx.db.engine, "before_cursor_execute", seen)
    assert d["subject"]["name"] == "王五" and d["group_size"] == 4 and d["indicators"] and d["comments"]
    positions = [q for q in statements if "FROM ballot_positions" in q]
    assert positions and all("ballot_positions.subject_id =" in q for q in positions), positions
    results = [q for q in statements if "FROM campaign_results" in q and "subjects.name" in q]  # rows, history
    assert results and all("campaign_results.subject_id =" in q for q in results), results
