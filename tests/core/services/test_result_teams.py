"""A team's members in the results (core.services.result_teams), on SQLite and PostgreSQL, from a
campaign voted and tallied through the API (tests/results_setup.py)."""

from __future__ import annotations

import pytest

from core.context import Actor
from core.services import result_teams
from tests.results_setup import build

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")


def _actor(world, username: str) -> Actor:
    from core.services.auth import actor_of, find_user

    return actor_of(find_user(world.ctx, username))


def test_team_bubbles(world):
    s = build(world)
    office = _actor(world, "office-county-r")
    assert result_teams.campaign_teams(world.ctx, office, s.campaign_id) == [
        {"team_id": s.team_id, "name": "县财政局领导班子", "unit_id": s.unit_id, "members": 3}
    ]
    b = result_teams.team_bubbles(world.ctx, office, s.campaign_id, s.team_id)
    assert [c["key"] for c in b["components"]] == ["indicator:BONUS", "category:县领导", "category:基层代表"]
    assert b["y"] == "indicator:BONUS" and b["team"]["name"] == "县财政局领导班子"
    members = {m["name"]: m for m in b["members"]}
    assert set(members) == {"张三", "李四", "王五"}
    assert members["王五"]["y"] == 2.0 and members["张三"]["y"] is None and members["王五"]["ballots"] == 3
    b = result_teams.team_bubbles(world.ctx, office, s.campaign_id, s.team_id, y="category:县领导")
    assert {m["name"]: m["y_shown"] for m in b["members"]} == {"张三": "95.00", "李四": "95.00", "王五": "80.00"}
    assert (
        result_teams.team_bubbles(world.ctx, office, s.campaign_id, s.team_id, y="nonsense")["y"] == "indicator:BONUS"
    )
