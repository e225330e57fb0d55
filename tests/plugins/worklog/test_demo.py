"""The worklog's demo: enabled in the demo locality, a leader's and a cadre's working logins
printed, and a few weeks of entries on the leader's board."""

from __future__ import annotations

from datetime import timedelta

from core.periods import Period
from core.schemas.localities import LocalityIn
from core.schemas.org import PersonIn, TeamIn, TeamMemberIn, UnitIn
from core.services import auth, localities, org
from plugins.worklog import service
from plugins.worklog.demo import load_demo
from tests.plugins.worklog.setup import SYSTEM


def test_the_demo_enables_the_worklog_with_two_logins_and_entries(ctx):
    localities.create(ctx, SYSTEM, LocalityIn(code="demo", name="示范县"))
    unit = org.create_unit(ctx, SYSTEM, "demo", UnitIn(code="01", name="县委办")).id
    people = [
        org.create_person(ctx, SYSTEM, "demo", PersonIn(name=name, unit_id=unit)).id
        for name in ("王主任", "李副主任", "张科员", "赵科员")
    ]
    org.create_team(
        ctx,
        SYSTEM,
        "demo",
        TeamIn(
            unit_id=unit,
            name="县委办领导班子",
            members=[
                TeamMemberIn(person_id=people[0], post="主要领导"),
                TeamMemberIn(person_id=people[1], post="分管领导"),
            ],
        ),
    )
    lines = load_demo(ctx, SYSTEM, "demo")
    logins = {
        line.split(":")[0].strip(): line.split(":")[1].split("(")[0].strip()
        for line in lines
        if line.strip().startswith(("leader:", "cadre:"))
    }
    assert set(logins) == {"leader", "cadre"}
    actors = {}
    for role, login in logins.items():
        username, password = (part.strip() for part in login.split("/"))
        actors[role] = auth.actor_of(auth.authenticate(ctx, username, password, "127.0.0.1"))
    week = Period.from_date("week", service.today(ctx) - timedelta(days=7))
    board = service.board(ctx, actors["leader"], "demo", str(week))
    assert board.submitted >= 2 and board.rows
    assert service.history(ctx, actors["cadre"], "demo").total >= 3
    assert service.overview(ctx, actors["cadre"], "demo").person_name == "张科员"
    assert {row.person_name for row in board.rows} == {"李副主任", "张科员", "赵科员"}  # the unit but the leader
    from core.services import discussion
    from plugins.worklog.discussion import TARGET, resolver

    latest = service.history(ctx, actors["cadre"], "demo", kind="weekly_record", limit=1).items[0]
    talk = discussion.read(ctx, actors["cadre"], TARGET, latest.id, resolver("demo", latest.id))
    assert [c.author_name for c in talk.comments] == ["王主任"] and talk.likes == 1  # the leader's comment and like
    from plugins.worklog import evaluation

    quarter = str(Period.from_date("quarter", service.today(ctx)))
    sheet = evaluation.sheet(ctx, actors["leader"], "demo", quarter)  # this quarter is open for grading
    assert [d.name for d in sheet.dimensions] == ["德", "能", "勤", "绩", "廉"] and sheet.labels[0] == "好"
    assert any(quarter in line and "季度评价" in line for line in lines)
