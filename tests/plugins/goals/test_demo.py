"""The goals' demo: enabled in the demo locality, the first team's goals of this year published
with a quarter of progress (a red flag among them), and loading it twice adds nothing."""

from __future__ import annotations

from core.schemas.localities import LocalityIn
from core.schemas.org import PersonIn, TeamIn, TeamMemberIn, UnitIn
from core.services import localities, org
from plugins.goals import progress
from plugins.goals.access import today
from plugins.goals.demo import load_demo
from tests.plugins.goals.setup import SYSTEM


def test_the_demo_gives_a_team_goals_with_a_quarter_of_progress(ctx):
    localities.create(ctx, SYSTEM, LocalityIn(code="demo", name="示范县"))
    unit = org.create_unit(ctx, SYSTEM, "demo", UnitIn(code="01", name="县委办")).id
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
