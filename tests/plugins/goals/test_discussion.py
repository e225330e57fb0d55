"""Comments (点评) on goals on both databases: readers comment and like, the unit answers
publicly or privately (a private answer only for the comment's writer, the unit and the office),
unanswered comments counted for the unit, other units and localities get 404, and the office
removes a duplicate (audited)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.models import AuditEntry
from core.services import discussion as core
from core.services.errors import Forbidden, NotFound
from plugins.goals import discussion
from plugins.goals.discussion import TARGET, resolver
from plugins.goals.schemas import AnswerIn
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import account, make_world


@pytest.fixture
def world(ctx):
    return make_world(ctx)


def comment(ctx, actor, goal_id, body):
    return core.add_comment(ctx, actor, TARGET, goal_id, resolver("ga", goal_id), body)


def test_public_and_private_answers(ctx, world):
    target = goal(ctx, world, "招商引资")
    office, admin, member = world.actors["office"], world.actors["admin_a"], world.actors["member"]
    other_member = account(ctx, "ga", "wangfang", "cadre", person_id=world.people["王芳"], unit_id=world.unit_a)
    public = comment(ctx, office, target.id, "进度偏慢，请加快推进")
    private = comment(ctx, member, target.id, "建议调整目标值")
    seen = discussion.read(ctx, admin, "ga", target.id)
    assert seen.may_answer and seen.unanswered == 2
    discussion.answer(ctx, admin, "ga", target.id, public.id, AnswerIn(body="已制定赶进度方案", public=True))
    after = discussion.answer(ctx, admin, "ga", target.id, private.id, AnswerIn(body="年中统一调整", public=False))
    assert after.unanswered == 0 and [c.answer.public for c in after.comments] == [True, False]

    def answers(actor):
        return [
            (c.body, c.answer.body if c.answer else None) for c in discussion.read(ctx, actor, "ga", target.id).comments
        ]

    assert answers(member) == [("进度偏慢，请加快推进", "已制定赶进度方案"), ("建议调整目标值", "年中统一调整")]
    assert answers(other_member) == [("进度偏慢，请加快推进", "已制定赶进度方案"), ("建议调整目标值", None)]
    assert answers(office) == answers(member)  # the office sees every answer
    assert not discussion.read(ctx, other_member, "ga", target.id).may_answer
    with pytest.raises(Forbidden):
        discussion.answer(ctx, member, "ga", target.id, public.id, AnswerIn(body="x"))
    core.toggle_like(ctx, other_member, TARGET, target.id, resolver("ga", target.id))
    assert discussion.read(ctx, member, "ga", target.id).likes == 1


def test_outsiders_get_404_and_the_office_removes_a_duplicate(ctx, world):
    target = goal(ctx, world, "招商引资")
    other = goal(ctx, world, "另一个")
    first = comment(ctx, world.actors["office"], target.id, "请补充材料")
    duplicate = comment(ctx, world.actors["member"], target.id, "请补充材料")
    for name in ("admin_b", "outsider", "qian"):
        with pytest.raises(NotFound):
            discussion.read(ctx, world.actors[name], "ga", target.id)
        with pytest.raises(NotFound):
            comment(ctx, world.actors[name], target.id, "x")
    with pytest.raises(NotFound):
        discussion.read(ctx, world.actors["other_office"], "ga", target.id)
    with pytest.raises(NotFound):  # a comment of another goal
        discussion.answer(ctx, world.actors["admin_a"], "ga", other.id, first.id, AnswerIn(body="x"))
    core.delete_comment(ctx, world.actors["office"], TARGET, target.id, resolver("ga", target.id), duplicate.id)
    assert [c.id for c in discussion.read(ctx, world.actors["admin_a"], "ga", target.id).comments] == [first.id]
    with ctx.db.read() as session:
        deleted = session.exec(select(AuditEntry).where(AuditEntry.action == "comment.delete")).one()
        assert deleted.target_id == f"{target.id}/comment/{duplicate.id}" and deleted.actor == "office-ga"
