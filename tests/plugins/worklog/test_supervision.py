"""分管 leaders, on both databases: a county leader in charge of unit B (a team member's
``supervised_unit_ids``) reads and reviews the records of B's people on the board, the pages
and the API, and gets 404 for A's; leaving the team takes the right away."""

from __future__ import annotations

import httpx
import pytest

from core.periods import Period
from core.schemas.org import PersonIn, TeamIn, TeamMemberIn, TeamPatch, UnitIn
from core.services import org
from core.services.errors import NotFound
from plugins.worklog import service
from plugins.worklog.service import EntryIn
from tests.helpers import browser_session, never_5xx
from tests.plugins.worklog.setup import SYSTEM, account, make_world, token


@pytest.fixture
def county(ctx):
    """The world of setup.py plus unit C (the county government) whose team member 周副县长 is in
    charge of unit B; 钱七 of B and 李明 of A have submitted this week's record."""
    world = make_world(ctx)
    unit_c = org.create_unit(ctx, SYSTEM, "wa", UnitIn(code="c", name="县政府")).id
    deputy = org.create_person(ctx, SYSTEM, "wa", PersonIn(name="周副县长", unit_id=unit_c)).id
    team = org.create_team(
        ctx,
        SYSTEM,
        "wa",
        TeamIn(
            unit_id=unit_c,
            name="县政府领导班子",
            members=[TeamMemberIn(person_id=deputy, post="副县长", supervised_unit_ids=[world.unit_b])],
        ),
    )
    world.actors["deputy"] = account(ctx, "wa", "zhou", "leader", person_id=deputy, unit_id=unit_c)
    world.actors["qian"] = account(ctx, "wa", "qianqi", "cadre", person_id=world.people["钱七"], unit_id=world.unit_b)
    week = str(Period.from_date("week", service.today(ctx)))
    entries = {
        name: service.write_entry(
            ctx, world.actors[name], "wa", "weekly_record", week, EntryIn(body=f"{name}的记实", submit=True)
        )
        for name in ("qian", "author")
    }
    return world, unit_c, team.id, week, entries


def test_a_leader_in_charge_of_a_unit_reads_its_people_and_no_others(ctx, county):
    world, unit_c, team_id, week, entries = county
    deputy = world.actors["deputy"]
    assert service.read_entry(ctx, deputy, "wa", entries["qian"].id).body == "qian的记实"
    with pytest.raises(NotFound):
        service.read_entry(ctx, deputy, "wa", entries["author"].id)
    assert service.history(ctx, deputy, "wa", world.people["钱七"]).total == 1
    with pytest.raises(NotFound):
        service.history(ctx, deputy, "wa", world.people["李明"])

    assert [u for u, _ in service.board_units(ctx, deputy, "wa")] == [unit_c, world.unit_b]
    own = service.board(ctx, deputy, "wa", week)  # default: their own unit, where nobody else is
    assert own.unit_id == unit_c and own.rows == []
    board = service.board(ctx, deputy, "wa", week, world.unit_b)
    assert {r.person_name: r.entries["weekly_record"] is not None for r in board.rows} == {
        "赵局长": False,
        "钱七": True,
    }
    with pytest.raises(NotFound):
        service.board(ctx, deputy, "wa", week, world.unit_a)
    # the unit's own leader still reads, a leader of another unit still does not
    assert service.read_entry(ctx, world.actors["leader_b"], "wa", entries["qian"].id).body == "qian的记实"
    with pytest.raises(NotFound):
        service.read_entry(ctx, world.actors["leader"], "wa", entries["qian"].id)
    assert [u for u, _ in service.board_units(ctx, world.actors["leader"], "wa")] == [world.unit_a]

    org.update_team(ctx, SYSTEM, "wa", team_id, TeamPatch(members=[]))  # no longer in charge of B
    with pytest.raises(NotFound):
        service.read_entry(ctx, deputy, "wa", entries["qian"].id)
    with pytest.raises(NotFound):
        service.board(ctx, deputy, "wa", week, world.unit_b)


def test_the_in_charge_leader_on_the_api_and_the_board_page(ctx, county, live_server):
    world, unit_c, _team_id, week, entries = county
    base = "/api/localities/wa/worklog"
    with httpx.Client(
        base_url=live_server.url,
        timeout=30,
        event_hooks={"response": [never_5xx]},
        headers={"Authorization": f"Bearer {token(ctx, world.actors['deputy'])}"},
    ) as api:
        board = api.get(f"{base}/board", params={"period": week, "unit_id": world.unit_b})
        assert board.status_code == 200 and [r["person_name"] for r in board.json()["rows"]] == ["赵局长", "钱七"]
        assert api.get(f"{base}/board", params={"period": week, "unit_id": world.unit_a}).status_code == 404
        assert api.get(f"{base}/entries/{entries['qian'].id}").status_code == 200
        assert api.get(f"{base}/entries/{entries['author'].id}").status_code == 404
        assert api.get(f"{base}/people/{world.people['李明']}/entries").status_code == 404
        comment = api.post(f"{base}/entries/{entries['qian'].id}/comments", json={"body": "很好"})
        assert comment.status_code in (200, 201), comment.text

    with browser_session(ctx, live_server.url, world.actors["deputy"].user_id) as browser:
        page = browser.get("/admin/localities/wa/worklog/board", params={"period": week, "unit_id": world.unit_b})
        assert page.status_code == 200 and "钱七" in page.text and "县教育局" in page.text  # the unit picker
        assert f"/admin/localities/wa/worklog/entries/{entries['qian'].id}" in page.text
        refused = browser.get("/admin/localities/wa/worklog/board", params={"period": week, "unit_id": world.unit_a})
        assert refused.status_code == 404
        assert browser.get(f"/admin/localities/wa/worklog/entries/{entries['author'].id}").status_code == 404
