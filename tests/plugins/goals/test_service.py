"""The goals' tree on both databases: creating goals with their field rules, editing, moving a
branch (cycles refused), reordering, copying to the next year with every field kept, deleting
drafts, publishing and the versions kept after it, audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from core.models import AuditEntry
from core.services.errors import Conflict, Forbidden, Invalid, NotFound
from plugins.goals import copying, progress, service, shares
from plugins.goals.models import Goal, GoalVersion
from plugins.goals.schemas import AssignIn, CopyIn, GoalPatch, MoveIn, ReorderIn, ShareIn
from tests.plugins.goals.helpers import goal, revenue
from tests.plugins.goals.setup import YEAR, make_world


@pytest.fixture
def world(ctx):
    return make_world(ctx)


def names(ctx, world, year=YEAR, actor="admin_a"):
    tree = progress.goal_tree(ctx, world.actors[actor], "ga", world.unit_a, world.team, year)
    return [("  " * g.depth) + g.name for g in tree.goals]


def test_a_tree_of_goals_is_built_and_read_depth_first(ctx, world):
    top = revenue(ctx, world)
    second = goal(ctx, world, "优化营商环境", source="县委县政府", weight=2)
    sub = goal(ctx, world, "减税降费落实", parent_id=second.id)
    goal(ctx, world, "清理拖欠账款", parent_id=sub.id)
    assert names(ctx, world) == ["一般公共预算收入增长", "优化营商环境", "  减税降费落实", "    清理拖欠账款"]
    assert top.kind == "quantitative" and top.direction == "higher" and (top.baseline, top.target) == (10, 12)
    assert not top.published and top.counts_for_assessment
    lower = goal(
        ctx, world, "降低能耗", kind="quantitative", indicator_id=world.indicator_lower, baseline=0.5, target=0.4
    )
    assert lower.direction == "lower"  # from the dictionary


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"kind": "quantitative", "indicator_id": 1, "baseline": 10, "target": 10}, "target", "equals the baseline"),
        ({"kind": "quantitative", "baseline": 10, "target": 12}, "indicator_id", "indicator of the dictionary"),
        ({"kind": "quantitative", "indicator_id": 1}, "target", "needs a baseline and a target"),
        ({"kind": "quantitative", "indicator_id": 1, "baseline": 10, "target": 8}, "target", "must be above"),
        ({"source": "自己想的"}, "source", "not in the list"),
        ({"start": date(YEAR, 6, 1), "end": date(YEAR, 5, 1)}, "end", "before it starts"),
        ({"end": date(YEAR + 1, 1, 31)}, "start", "starts and ends in"),
        ({"parent_id": 999999}, "parent_id", "same unit, team and year"),
    ],
)
def test_bad_fields_are_refused_naming_the_field_and_nothing_is_written(ctx, world, fields, field, words):
    if fields.get("indicator_id") == 1:
        fields["indicator_id"] = world.indicator
    with pytest.raises(Invalid) as raised:
        goal(ctx, world, "坏目标", **fields)
    assert raised.value.errors[0]["field"] == field and words in raised.value.message
    with ctx.db.read() as session:
        assert session.exec(select(Goal)).all() == []


def test_a_team_goal_under_a_unit_goal_is_refused(ctx, world):
    unit_goal = goal(ctx, world, "单位目标", team=False)
    with pytest.raises(Invalid):
        goal(ctx, world, "班子子目标", parent_id=unit_goal.id)


def test_who_may_write_and_read_a_set(ctx, world):
    assert goal(ctx, world, "科室目标", actor=world.actors["office"]).name == "科室目标"
    with pytest.raises(Forbidden):  # a team member reads but does not write
        goal(ctx, world, "x", actor=world.actors["member"])
    for name in ("admin_b", "outsider", "qian", "other", "other_office"):  # others: 404, as if nothing were there
        with pytest.raises(NotFound):
            goal(ctx, world, "x", actor=world.actors[name])
        with pytest.raises(NotFound):
            progress.goal_tree(ctx, world.actors[name], "ga", world.unit_a, world.team, YEAR)
    assert names(ctx, world, actor="member") == ["科室目标"]
    assert names(ctx, world, actor="office") == ["科室目标"]
    unit_goal = goal(ctx, world, "单位目标", team=False)
    tree = progress.goal_tree(ctx, world.actors["outsider"], "ga", world.unit_a, None, YEAR)
    assert [g.id for g in tree.goals] == [unit_goal.id]  # the unit's people read the unit's goals


def test_moving_a_branch_and_refusing_a_cycle(ctx, world):
    a = goal(ctx, world, "甲")
    b = goal(ctx, world, "乙")
    a1 = goal(ctx, world, "甲一", parent_id=a.id)
    a11 = goal(ctx, world, "甲一一", parent_id=a1.id)
    admin = world.actors["admin_a"]
    with pytest.raises(Invalid) as raised:
        service.move_goal(ctx, admin, "ga", a.id, MoveIn(parent_id=a11.id))
    assert "甲" in raised.value.message and "甲一一" in raised.value.message
    with pytest.raises(Invalid):
        service.move_goal(ctx, admin, "ga", a.id, MoveIn(parent_id=a.id))
    service.move_goal(ctx, admin, "ga", a1.id, MoveIn(parent_id=b.id))
    assert names(ctx, world) == ["甲", "乙", "  甲一", "    甲一一"]
    service.move_goal(ctx, admin, "ga", a1.id, MoveIn(parent_id=None, position=0))
    assert names(ctx, world) == ["甲一", "  甲一一", "甲", "乙"]


def test_reordering_siblings(ctx, world):
    ids = [goal(ctx, world, n).id for n in ("一", "二", "三")]
    admin = world.actors["admin_a"]
    service.reorder(ctx, admin, "ga", world.unit_a, world.team, YEAR, ReorderIn(order=[ids[2], ids[0], ids[1]]))
    assert names(ctx, world) == ["三", "一", "二"]
    with pytest.raises(Invalid):  # one missing
        service.reorder(ctx, admin, "ga", world.unit_a, world.team, YEAR, ReorderIn(order=[ids[0], ids[1]]))


def test_copying_goals_to_next_year_keeps_every_field_and_the_people(ctx, world):
    top = revenue(
        ctx,
        world,
        source="上级交办",
        supervising_unit_id=world.unit_b,
        standard="完成12亿元",
        weight=3,
        counts_for_assessment=False,
        start=date(YEAR, 2, 28),
        end=date(YEAR, 11, 30),
    )
    sub = goal(ctx, world, "子目标", parent_id=top.id)
    other = goal(ctx, world, "另一个")
    people = [
        ShareIn(person_id=world.people["李明"], role="主办", share=70),
        ShareIn(person_id=world.people["王芳"], role="协办", share=30),
    ]
    shares.assign(ctx, world.actors["admin_a"], "ga", top.id, AssignIn(people=people))
    service.publish(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR)
    copies = copying.copy_goals(
        ctx,
        world.actors["admin_a"],
        "ga",
        CopyIn(unit_id=world.unit_a, team_id=world.team, year=YEAR, goal_ids=[top.id]),
    )
    assert [c.name for c in copies] == ["一般公共预算收入增长", "子目标"]
    copy = progress.goal_detail(ctx, world.actors["admin_a"], "ga", copies[0].id)
    keep = (
        "name",
        "weight",
        "kind",
        "source",
        "supervising_unit_id",
        "standard",
        "indicator_id",
        "baseline",
        "target",
        "direction",
        "counts_for_assessment",
    )
    original = progress.goal_detail(ctx, world.actors["admin_a"], "ga", top.id)
    assert {k: getattr(copy, k) for k in keep} == {k: getattr(original, k) for k in keep}
    assert (copy.year, copy.start, copy.end) == (YEAR + 1, date(YEAR + 1, 2, 28), date(YEAR + 1, 11, 30))
    assert [(p.person_name, p.role, p.share) for p in copy.people] == [("李明", "主办", 70), ("王芳", "协办", 30)]
    assert not copy.published and copy.versions == 0 and copies[1].parent_id == copy.id
    assert names(ctx, world, YEAR + 1) == ["一般公共预算收入增长", "  子目标"]
    assert other.id not in [c.id for c in copies] and sub.id not in [c.id for c in copies]
    everything = copying.copy_goals(
        ctx, world.actors["admin_a"], "ga", CopyIn(unit_id=world.unit_a, team_id=world.team, year=YEAR)
    )
    assert len(everything) == 3  # appended after the year's goals
    assert names(ctx, world, YEAR + 1)[-1] == "另一个"
    with pytest.raises(Invalid):
        copying.copy_goals(
            ctx,
            world.actors["admin_a"],
            "ga",
            CopyIn(unit_id=world.unit_a, team_id=world.team, year=YEAR, to_year=YEAR),
        )


def test_publishing_then_every_change_is_a_version_with_what_changed_and_audited(ctx, world):
    admin = world.actors["admin_a"]
    top = revenue(ctx, world)
    draft_edit = service.update_goal(ctx, admin, "ga", top.id, GoalPatch(name="收入增长"))
    assert draft_edit.versions == 0 and not draft_edit.changed_after_publish  # drafts keep no versions
    assert service.publish(ctx, admin, "ga", world.unit_a, world.team, YEAR).published == 1
    assert service.publish(ctx, admin, "ga", world.unit_a, world.team, YEAR).published == 0
    with pytest.raises(Forbidden):
        service.publish(ctx, world.actors["member"], "ga", world.unit_a, world.team, YEAR)
    changed = service.update_goal(ctx, admin, "ga", top.id, GoalPatch(target=13, standard="13亿元"))
    assert changed.versions == 2 and changed.changed_after_publish
    same = service.update_goal(ctx, admin, "ga", top.id, GoalPatch(target=13))
    assert same.versions == 2  # nothing changed, no version
    shares.assign(
        ctx, admin, "ga", top.id, AssignIn(people=[ShareIn(person_id=world.people["李明"], role="主办", share=100)])
    )
    detail = progress.goal_detail(ctx, admin, "ga", top.id)
    assert [v.number for v in detail.history] == [1, 2, 3]
    assert detail.history[1].changes == {"target": [12.0, 13.0], "standard": ["", "13亿元"]}
    assert list(detail.history[2].changes) == ["people"]
    with ctx.db.read() as session:
        actions = list(session.exec(select(AuditEntry.action).where(AuditEntry.action.like("goals.%"))))
        assert len(session.exec(select(GoalVersion)).all()) == 3
    assert actions.count("goals.published") == 1 and actions.count("goals.changed") == 2
    with pytest.raises(Conflict):  # a published goal is changed, not deleted
        service.delete_goal(ctx, admin, "ga", top.id)


def test_deleting_a_draft_takes_its_branch(ctx, world):
    top = goal(ctx, world, "草稿")
    goal(ctx, world, "草稿子目标", parent_id=top.id)
    service.delete_goal(ctx, world.actors["admin_a"], "ga", top.id)
    assert names(ctx, world) == []
