"""A comment on a goal tells its unit, on both databases: the unit's administrators and the
goal's lead people with accounts get a translated notice linking to the goal's comments, the
writer, assistants and other units do not, the unit's own comments tell nobody, and a refused
comment tells nobody."""

from __future__ import annotations

import pytest

from core.i18n import LOCALES_DIR, Translator
from core.services import notifications as notes
from core.services.errors import Invalid
from plugins.goals import HERE, discussion, shares
from plugins.goals.schemas import AssignIn, CommentIn, ShareIn
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import account, make_world

ZH = Translator("zh_CN", (HERE / "locales", LOCALES_DIR))
EN = Translator("en", (HERE / "locales", LOCALES_DIR))


@pytest.fixture
def world(ctx):
    return make_world(ctx)


def told(ctx, actor, translator=ZH):
    return [(n.kind, n.text, n.link) for n in notes.list_notifications(ctx, actor, translator).items]


def split(ctx, world, goal_id):
    people = [
        ShareIn(person_id=world.people["李明"], role="主办", share=70),
        ShareIn(person_id=world.people["王芳"], role="协办", share=30),
    ]
    shares.assign(ctx, world.actors["admin_a"], "ga", goal_id, AssignIn(people=people))


def test_the_unit_admins_and_the_lead_people_are_told(ctx, world):
    target = goal(ctx, world, "招商引资")
    split(ctx, world, target.id)
    assistant = account(ctx, "ga", "wangfang", "cadre", person_id=world.people["王芳"], unit_id=world.unit_a)
    second_admin = account(ctx, "ga", "admin-a2", "unit_admin", unit_id=world.unit_a)
    discussion.comment(
        ctx, world.actors["office"], "ga", target.id, CommentIn(body="进度偏慢，请加快推进", kind="建议")
    )
    link = f"/admin/localities/ga/goals/{target.id}/comments"
    expected = [("goals.comment", "office-ga对目标“招商引资”提出了建议：进度偏慢，请加快推进", link)]
    for actor in (world.actors["admin_a"], second_admin, world.actors["member"]):
        assert told(ctx, actor) == expected
    assert told(ctx, world.actors["member"], EN) == [
        ("goals.comment", "office-ga commented (建议) on the goal 招商引资: 进度偏慢，请加快推进", link)
    ]
    for name in ("office", "admin_b", "outsider", "qian"):  # the writer, other units, the unit's other people
        assert told(ctx, world.actors[name]) == []
    assert told(ctx, assistant) == []  # 协办 is not told


def test_a_lead_person_comments_and_the_admins_are_told_but_not_the_writer(ctx, world):
    target = goal(ctx, world, "招商引资")
    split(ctx, world, target.id)
    discussion.comment(ctx, world.actors["member"], "ga", target.id, CommentIn(body="x" * 80))
    assert [t for _, t, _ in told(ctx, world.actors["admin_a"])] == [f"李明对目标“招商引资”提出了点评：{'x' * 59}…"]
    assert told(ctx, world.actors["member"]) == []


def test_the_units_own_comments_and_refused_ones_tell_nobody(ctx, world):
    target = goal(ctx, world, "招商引资")
    split(ctx, world, target.id)
    second_admin = account(ctx, "ga", "admin-a2", "unit_admin", unit_id=world.unit_a)
    discussion.comment(ctx, world.actors["admin_a"], "ga", target.id, CommentIn(body="已按要求补充材料"))
    with pytest.raises(Invalid):
        discussion.comment(ctx, world.actors["office"], "ga", target.id, CommentIn(body="   "))
    for actor in (world.actors["admin_a"], second_admin, world.actors["member"]):
        assert told(ctx, actor) == []
    assert [c.body for c in discussion.read(ctx, world.actors["office"], "ga", target.id).comments] == [
        "已按要求补充材料"
    ]


def test_a_unit_goal_without_people_tells_its_admins_only(ctx, world):
    target = goal(ctx, world, "控制一般性支出", team=False)
    discussion.comment(ctx, world.actors["office"], "ga", target.id, CommentIn(body="请说明口径", kind="举报"))
    assert len(told(ctx, world.actors["admin_a"])) == 1
    assert told(ctx, world.actors["member"]) == []
