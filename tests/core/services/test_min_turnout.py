"""The minimum turnout of a tally: a category below the locality's minimum refuses the tally
with its figures, unless the office confirms with a reason (then recorded in the audit log);
callers above the minimum (or of a locality without one) tally as before. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlmodel import select

from core.context import Actor
from core.models import AuditEntry, Campaign
from core.services import tally, turnout
from core.services.errors import Conflict, Forbidden
from tests.core.services.test_tally import vote

SYSTEM = Actor.system("test")


def _closed_campaign(world, setup, leaders_voting: int = 1):
    s0, s1, s2 = setup.subject_ids
    leaders = setup.issue("县领导", 3)
    [base] = setup.issue("基层代表", 1)
    setup.open()
    for account in leaders[:leaders_voting]:
        vote(world, account["code"], {s0: "优秀", s1: "称职", s2: "称职"})
    vote(world, base["code"], {s0: "称职", s1: "称职", s2: "优秀"})
    setup.close()


def _set_minimum(world, percent):
    turnout.set_result_settings(
        world.ctx, SYSTEM, "county-a", turnout.ResultSettingsIn(min_turnout_percent=percent, result_decimals=2)
    )


def test_turnout_per_category_and_the_refused_then_confirmed_tally(world, setup):
    _closed_campaign(world, setup, leaders_voting=1)
    figures = turnout.campaign_turnout(world.ctx, SYSTEM, setup.campaign_id)
    assert figures["minimum"] is None and figures["below"] == []
    assert [(r.category, r.issued, r.submitted, r.percent) for r in figures["categories"]] == [
        ("县领导", 3, 1, 33.3),
        ("基层代表", 1, 1, 100.0),
    ]

    _set_minimum(world, 66.67)
    with pytest.raises(Conflict) as refused:
        tally.tally(world.ctx, SYSTEM, setup.campaign_id)
    exc = refused.value
    assert exc.params == {"minimum": "66.67", "figures": "县领导 1/3 (33.3 %)"}
    assert "县领导 1/3 (33.3 %)" in exc.message and "66.67 %" in exc.message
    assert exc.errors == [
        {
            "field": "confirm_low_turnout_reason",
            "message": "turnout below the minimum",
            "minimum": 66.67,
            "category": "县领导",
            "issued": 3,
            "submitted": 1,
            "percent": 33.3,
        }
    ]
    with world.ctx.db.read() as session:  # nothing was written
        assert session.get(Campaign, setup.campaign_id).status == "closed"
    with pytest.raises(Conflict):
        tally.tally(world.ctx, SYSTEM, setup.campaign_id, low_turnout_reason="   ")

    done = tally.tally(world.ctx, SYSTEM, setup.campaign_id, low_turnout_reason="两名县领导出差，经考核办研究同意")
    assert len(done["subjects"]) == 3
    with world.ctx.db.read() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "campaign.tally")).one()
        low = entry.summary["after"]["low_turnout"]
    assert low == {
        "minimum": 66.67,
        "reason": "两名县领导出差，经考核办研究同意",
        "below": [{"category": "县领导", "issued": 3, "submitted": 1, "percent": 33.3}],
    }

    # the rule also holds for a second tally
    with pytest.raises(Conflict):
        tally.tally(world.ctx, SYSTEM, setup.campaign_id)


def test_the_api_refuses_with_figures_and_takes_a_reason_and_old_callers_above_the_minimum(world, setup):
    _closed_campaign(world, setup, leaders_voting=2)
    url = f"/api/campaigns/{setup.campaign_id}/tally"
    _set_minimum(world, 60)  # 2/3 and 1/1 reach it: a caller without a body tallies as before
    assert setup.api.post(url).status_code == 200
    _set_minimum(world, 70)
    refused = setup.api.post(url)
    assert refused.status_code == 409
    assert "县领导 2/3 (66.7 %)" in refused.json()["detail"]
    assert setup.api.post(url, json={"confirm_low_turnout_reason": ""}).status_code == 409
    assert setup.api.post(url, json={"confirm_low_turnout_reason": "x" * 501}).status_code == 400
    assert setup.api.post(url, json={"reason": "typo"}).status_code == 400
    confirmed = setup.api.post(url, json={"confirm_low_turnout_reason": "会议时间冲突"})
    assert confirmed.status_code == 200, confirmed.text


def test_the_settings_are_bounded_and_office_only(world, setup):
    with pytest.raises(ValidationError):
        turnout.ResultSettingsIn(min_turnout_percent=101)
    with pytest.raises(ValidationError):
        turnout.ResultSettingsIn(result_decimals=7)
    reader = Actor(user_id=None, username="u", role="unit_admin", locality_id=None)
    with pytest.raises(Forbidden):
        turnout.set_result_settings(world.ctx, reader, "county-a", turnout.ResultSettingsIn())
    assert turnout.result_settings(world.ctx, SYSTEM, "county-a") == {"min_turnout_percent": None, "result_decimals": 2}
