"""The goals' demo: enabled in the demo locality, the first team's goals of this year published
with a quarter of progress (a red flag among them), comments of each kind by demo accounts (one
answered publicly, one privately, one waiting, the unit notified), and loading it twice adds
nothing."""

from __future__ import annotations

from sqlmodel import select

from core.i18n import Translator
from core.models import User
from core.schemas.localities import LocalityIn
from core.schemas.org import PersonIn, TeamIn, TeamMemberIn, UnitIn
from core.services import auth, localities, org
from core.services import notifications as notes
from plugins.goals import discussion, progress
from plugins.goals.access import today
from plugins.goals.demo import LEADER, PEER, UNIT_ADMIN, load_demo
from tests.plugins.goals.setup import SYSTEM


def test_the_demo_gives_a_team_goals_with_a_quarter_of_progress(ctx):
    localities.create(ctx, SYSTEM, LocalityIn(code="demo", name="示范县"))
    unit = org.create_unit(ctx, SYSTEM, "demo", UnitIn(code="01", name="县委办")).id
    org.create_unit(ctx, SYSTEM, "demo", UnitIn(code="02", name="县发改局"))
    people = [org.create_person(ctx, SYSTEM, "demo", PersonIn(name=n, unit_id=unit)).id for n in ("王主任", "李副主任")]
    team = org.create_team(
        ctx,
        SYSTEM,
        "demo",
        TeamIn(unit_id=unit, name="县委办领导班子", members=[TeamMemberIn(person_id=p) for p in people]),
    ).id
    lines = load_demo(ctx, SYSTEM, "demo")
    assert any("县委办领导班子" in line for line in lines)
    year = today(ctx).year
    tree = progress.goal_tree(ctx, SYSTEM, "demo", unit, team, year)
    assert len(tree.goals) == 6 and tree.published and tree.drafts == 0
    assert all(g.people for g in tree.goals)
    assert sum(1 for g in tree.goals if g.latest_period) == 5  # every goal without sub-goals reported
    assert any(g.red_flag for g in tree.goals) and 0 < tree.percent < 100
    assert load_demo(ctx, SYSTEM, "demo") == []  # once
    assert len(progress.goal_tree(ctx, SYSTEM, "demo", unit, team, year).goals) == 6


def test_the_demo_has_comments_of_each_kind_answered_publicly_and_privately(ctx):
    localities.create(ctx, SYSTEM, LocalityIn(code="demo", name="示范县"))
    unit = org.create_unit(ctx, SYSTEM, "demo", UnitIn(code="01", name="县委办")).id
    org.create_unit(ctx, SYSTEM, "demo", UnitIn(code="02", name="县发改局"))
    people = [org.create_person(ctx, SYSTEM, "demo", PersonIn(name=n, unit_id=unit)).id for n in ("王主任", "李副主任")]
    team = org.create_team(
        ctx,
        SYSTEM,
        "demo",
        TeamIn(unit_id=unit, name="县委办领导班子", members=[TeamMemberIn(person_id=p) for p in people]),
    ).id
    lines = load_demo(ctx, SYSTEM, "demo")
    assert [name for name in (UNIT_ADMIN, LEADER, PEER) if not any(name in line for line in lines)] == []
    with ctx.db.read() as session:
        actors = {
            u.username: auth.actor_of(u, session)
            for u in session.exec(select(User).where(User.username.in_([UNIT_ADMIN, LEADER, PEER])))
        }
    assert actors[UNIT_ADMIN].role == "unit_admin" and actors[UNIT_ADMIN].unit_id == unit
    assert actors[PEER].unit_id != unit and actors[LEADER].role == "leader"
    tree = progress.goal_tree(ctx, SYSTEM, "demo", unit, team, today(ctx).year)
    talks = {g.name: discussion.read(ctx, actors[UNIT_ADMIN], "demo", g.id) for g in tree.goals}
    said = [(name, c.kind, c.answer.public if c.answer else None) for name, t in talks.items() for c in t.comments]
    assert sorted(said) == sorted(
        [
            ("一般公共预算收入增长8%", "点评", True),
            ("固定资产投资稳步增长", "建议", False),
            ("清理拖欠企业账款", "举报", None),
        ]
    )
    assert sum(t.unanswered for t in talks.values()) == 1  # the 举报 waits for the unit
    private = next(g for g in tree.goals if g.name == "固定资产投资稳步增长")
    seen_by = {
        name: discussion.read(ctx, actors[name], "demo", private.id).comments[0].answer for name in (PEER, LEADER)
    }
    assert seen_by[PEER] is not None and seen_by[LEADER] is None  # private: only its writer (and the unit)
    told = notes.list_notifications(ctx, actors[UNIT_ADMIN], Translator("zh_CN")).items
    assert sorted(n.kind for n in told) == ["goals.comment"] * 3
