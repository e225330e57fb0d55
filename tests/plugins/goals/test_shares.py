"""Decomposition on both databases: shares summing to 100 % (the difference named), people of
the team only, roles of the locality's list, many goals to many people in one step, all or
nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.services.errors import Forbidden, Invalid, NotFound
from plugins.goals import shares
from plugins.goals.models import GoalAssignment
from plugins.goals.schemas import AssignIn, AssignManyIn, ShareIn
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import enable, make_world


@pytest.fixture
def world(ctx):
    return make_world(ctx)


def people(world, *parts):
    return [ShareIn(person_id=world.people[name], role=role, share=share) for name, role, share in parts]


def assigned(ctx):
    with ctx.db.read() as session:
        return sorted((a.goal_id, a.person_id, a.role, a.share) for a in session.exec(select(GoalAssignment)))


def test_a_goal_is_split_between_a_lead_and_an_assistant(ctx, world):
    target = goal(ctx, world, "招商引资")
    out = shares.assign(
        ctx,
        world.actors["admin_a"],
        "ga",
        target.id,
        AssignIn(people=people(world, ("李明", "主办", 60), ("王芳", "协办", 40))),
    )
    assert [(p.person_name, p.role, p.share) for p in out.people] == [("李明", "主办", 60), ("王芳", "协办", 40)]
    again = shares.assign(
        ctx, world.actors["admin_a"], "ga", target.id, AssignIn(people=people(world, ("王芳", "主办", 100)))
    )
    assert [p.person_name for p in again.people] == ["王芳"]  # replaced, not added
    assert shares.assign(ctx, world.actors["admin_a"], "ga", target.id, AssignIn(people=[])).people == []


@pytest.mark.parametrize(
    ("parts", "words"),
    [
        ((("李明", "主办", 60), ("王芳", "协办", 30)), "招商引资: the shares sum to 90 %, 10 % short of 100 %"),
        ((("李明", "主办", 60), ("王芳", "协办", 45.5)), "招商引资: the shares sum to 105.5 %, 5.5 % over 100 %"),
        ((("李明", "主办", 50), ("周五", "协办", 50)), "is not a member of the team"),  # of the unit, not the team
        ((("李明", "主办", 50), ("钱七", "协办", 50)), "is not a member of the team"),
        ((("李明", "牵头", 100),), "the role 牵头 is not in the list: 主办、协办"),
        ((("李明", "主办", 50), ("李明", "协办", 50)), "a person is listed twice"),
    ],
)
def test_bad_decompositions_are_refused_naming_the_goal_and_write_nothing(ctx, world, parts, words):
    target = goal(ctx, world, "招商引资")
    with pytest.raises(Invalid) as raised:
        shares.assign(ctx, world.actors["admin_a"], "ga", target.id, AssignIn(people=people(world, *parts)))
    assert words in raised.value.message
    assert assigned(ctx) == []


def test_roles_come_from_the_localitys_list(ctx, world):
    enable(ctx, "ga", roles=["牵头", "配合"])
    target = goal(ctx, world, "招商引资")
    out = shares.assign(
        ctx, world.actors["admin_a"], "ga", target.id, AssignIn(people=people(world, ("李明", "牵头", 100)))
    )
    assert out.people[0].role == "牵头"


def test_unit_goals_go_to_the_units_people(ctx, world):
    target = goal(ctx, world, "单位目标", team=False)
    out = shares.assign(
        ctx,
        world.actors["admin_a"],
        "ga",
        target.id,
        AssignIn(people=people(world, ("周五", "主办", 50), ("王芳", "协办", 50))),
    )
    assert {p.person_name for p in out.people} == {"周五", "王芳"}


def test_many_goals_to_many_people_in_one_step_all_or_nothing(ctx, world):
    ids = [goal(ctx, world, f"目标{i}").id for i in range(5)]
    split = people(world, ("李明", "主办", 70), ("王芳", "协办", 30))
    out = shares.assign_many(ctx, world.actors["admin_a"], "ga", AssignManyIn(goal_ids=ids, people=split))
    assert len(out) == 5 and len(assigned(ctx)) == 10
    unit_goal = goal(ctx, world, "单位目标", team=False)
    before = assigned(ctx)
    with pytest.raises(Invalid) as raised:  # the team's members are of the unit too, but 钱七 is not
        shares.assign_many(
            ctx,
            world.actors["admin_a"],
            "ga",
            AssignManyIn(
                goal_ids=[*ids, unit_goal.id], people=people(world, ("李明", "主办", 50), ("钱七", "协办", 50))
            ),
        )
    assert "目标0" in raised.value.message
    assert assigned(ctx) == before


def test_only_writers_decompose(ctx, world):
    target = goal(ctx, world, "招商引资")
    split = AssignIn(people=people(world, ("李明", "主办", 100)))
    with pytest.raises(Forbidden):
        shares.assign(ctx, world.actors["member"], "ga", target.id, split)
    for name in ("admin_b", "other_office", "qian"):
        with pytest.raises(NotFound):
            shares.assign(ctx, world.actors[name], "ga" if name != "other_office" else "gb", target.id, split)
