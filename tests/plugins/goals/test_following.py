"""Following and commenting on published goals, on both databases: comment kinds (the locality's
list, filtered and counted), county leaders, other units and public accounts follow a published
goal (never a draft), see public answers and only their own private ones, the public only where
the locality allows it, another locality never; the comments overview counts only what the
reader may see; files on progress reports are served only to the goal's readers and followers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.models import Attachment
from core.services import attachments
from core.services import discussion as core
from core.services.errors import Forbidden, Invalid, NotFound
from plugins.goals import discussion, files, progress, service
from plugins.goals.schemas import AnswerIn, CommentIn, ProgressIn
from tests.core.services.test_attachments import pdf
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import YEAR, account, enable, make_world


@pytest.fixture
def world(ctx):
    w = make_world(ctx)
    w.actors["county_leader"] = account(ctx, "ga", "xianzhang", "leader")  # a county leader: no unit
    w.actors["leader_b"] = account(ctx, "ga", "leader-b", "leader", unit_id=w.unit_b)
    w.actors["public"] = account(ctx, "ga", "citizen", "public")
    w.actors["other_public"] = account(ctx, "gb", "citizen-gb", "public")
    return w


def publish(ctx, world):
    service.publish(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR)


def say(ctx, who, goal_id, body, kind=None):
    return discussion.comment(ctx, who, "ga", goal_id, CommentIn(body=body, kind=kind))


def test_kinds_come_from_the_locality_and_are_filtered_and_counted(ctx, world):
    target = goal(ctx, world, "招商引资")
    office = world.actors["office"]
    assert say(ctx, office, target.id, "进度偏慢").kind == "点评"  # the first kind when none is chosen
    say(ctx, office, target.id, "建议引进龙头企业", "建议")
    say(ctx, office, target.id, "数据不实", "举报")
    say(ctx, office, target.id, "再建议一条", "建议")
    with pytest.raises(Invalid) as refused:
        say(ctx, office, target.id, "x", "表扬")
    assert refused.value.params == {"kinds": "点评、建议、举报"}
    seen = discussion.read(ctx, office, "ga", target.id, "建议")
    assert [c.body for c in seen.comments] == ["建议引进龙头企业", "再建议一条"]
    assert seen.counts == {"点评": 1, "建议": 2, "举报": 1} and seen.kinds == ["点评", "建议", "举报"]
    enable(ctx, "ga", comment_kinds=["点评", "督办"])
    say(ctx, office, target.id, "请督办", "督办")
    with pytest.raises(Invalid):
        say(ctx, office, target.id, "x", "建议")
    overview = discussion.overview(ctx, world.actors["admin_a"], "ga", YEAR, kind="督办")
    assert [(g.name, g.counts.get("督办"), g.unanswered) for g in overview.goals] == [("招商引资", 1, 5)]


def test_leaders_and_other_units_follow_published_goals_never_drafts(ctx, world):
    target = goal(ctx, world, "招商引资")
    followers = ("county_leader", "leader_b", "admin_b")
    assert discussion.overview(ctx, world.actors["leader_b"], "ga", YEAR).units == []  # drafts only
    for name in (*followers, "public", "qian"):
        with pytest.raises(NotFound):  # a draft: as if it did not exist
            discussion.read(ctx, world.actors[name], "ga", target.id)
        with pytest.raises(NotFound):
            say(ctx, world.actors[name], target.id, "x")
    publish(ctx, world)
    leader, admin_a = world.actors["county_leader"], world.actors["admin_a"]
    asked = say(ctx, leader, target.id, "请说明招商进度", "点评")
    other = say(ctx, world.actors["admin_b"], target.id, "建议两局联合招商", "建议")
    seen = discussion.read(ctx, admin_a, "ga", target.id)
    assert seen.unanswered == 2 and not seen.follower
    discussion.answer(ctx, admin_a, "ga", target.id, asked.id, AnswerIn(body="已签约 3 个项目", public=False))
    discussion.answer(ctx, admin_a, "ga", target.id, other.id, AnswerIn(body="同意", public=True))

    def answers(actor):
        return [
            (c.body, c.answer.body if c.answer else None) for c in discussion.read(ctx, actor, "ga", target.id).comments
        ]

    assert answers(leader) == [("请说明招商进度", "已签约 3 个项目"), ("建议两局联合招商", "同意")]
    assert answers(world.actors["leader_b"]) == [("请说明招商进度", None), ("建议两局联合招商", "同意")]
    follower_view = discussion.read(ctx, world.actors["leader_b"], "ga", target.id)
    assert follower_view.follower and not follower_view.may_answer and follower_view.unanswered == 0
    for name in followers:
        with pytest.raises(Forbidden):  # they follow it: they may not answer for the unit
            discussion.answer(ctx, world.actors[name], "ga", target.id, asked.id, AnswerIn(body="x"))
    for name in ("qian", "public", "other", "other_office", "other_public"):  # cadres of other units, ...
        with pytest.raises(NotFound):
            discussion.read(ctx, world.actors[name], "ga", target.id)
    # a follower's overview: the goal and its counts, no unanswered count
    [row] = discussion.overview(ctx, world.actors["leader_b"], "ga", YEAR).goals
    assert (row.name, row.comments, row.unanswered) == ("招商引资", 2, None)
    qian = discussion.overview(ctx, world.actors["qian"], "ga", YEAR)
    assert qian.goals == [] and qian.units == []  # not even which units have goals
    assert discussion.overview(ctx, world.actors["leader_b"], "ga", YEAR).units == [(world.unit_a, "县财政局")]
    with pytest.raises(NotFound):
        discussion.overview(ctx, world.actors["other_office"], "ga", YEAR)


def test_the_public_follows_only_where_the_locality_allows_it(ctx, world):
    target = goal(ctx, world, "招商引资")
    publish(ctx, world)
    citizen = world.actors["public"]
    with pytest.raises(NotFound):
        discussion.read(ctx, citizen, "ga", target.id)
    enable(ctx, "ga", public_comments=True)
    mine = say(ctx, citizen, target.id, "路灯项目何时完工？", "建议")
    theirs = say(ctx, world.actors["county_leader"], target.id, "请加快")
    admin_a = world.actors["admin_a"]
    discussion.answer(ctx, admin_a, "ga", target.id, mine.id, AnswerIn(body="年底前完工", public=False))
    discussion.answer(ctx, admin_a, "ga", target.id, theirs.id, AnswerIn(body="内部说明", public=False))
    seen = discussion.read(ctx, citizen, "ga", target.id)
    assert [(c.body, c.answer.body if c.answer else None) for c in seen.comments] == [
        ("路灯项目何时完工？", "年底前完工"),
        ("请加快", None),  # another's private answer: never
    ]
    assert not seen.comments[1].answered  # not even whether it was answered
    core.toggle_like(ctx, citizen, discussion.TARGET, target.id, discussion.resolver("ga", target.id))
    assert discussion.read(ctx, admin_a, "ga", target.id).likes == 1
    with pytest.raises(NotFound):  # the public of another locality
        discussion.read(ctx, world.actors["other_public"], "ga", target.id)
    draft = goal(ctx, world, "未发布的目标")
    with pytest.raises(NotFound):
        say(ctx, citizen, draft.id, "x")


def test_progress_files_are_served_only_to_who_may_read_or_follow_the_goal(ctx, world):
    target = goal(ctx, world, "招商引资")
    admin_a = world.actors["admin_a"]
    report = progress.report(ctx, admin_a, "ga", target.id, ProgressIn(period=f"{YEAR}-Q1", percent=30))
    resolve = files.resolver("ga", target.id, report.id)
    added = attachments.add_file(ctx, admin_a, files.TARGET, report.id, resolve, "签约合同.pdf", pdf())
    with pytest.raises(Invalid):  # sniffed: a program renamed .pdf
        attachments.add_file(ctx, admin_a, files.TARGET, report.id, resolve, "x.pdf", b"MZ\x90\x00binary")
    assert attachments.open_file(ctx, admin_a, files.TARGET, report.id, resolve, added.id).file_name == "签约合同.pdf"
    for name in ("leader_b", "admin_b", "county_leader", "other_office"):  # a draft goal: readers only
        with pytest.raises(NotFound):
            attachments.open_file(ctx, world.actors[name], files.TARGET, report.id, resolve, added.id)
    publish(ctx, world)
    assert [
        f.file_name for f in attachments.list_files(ctx, world.actors["leader_b"], files.TARGET, report.id, resolve)
    ] == ["签约合同.pdf"]
    with pytest.raises(Forbidden):  # a follower reads the files but attaches none
        attachments.add_file(ctx, world.actors["leader_b"], files.TARGET, report.id, resolve, "a.pdf", pdf())
    with pytest.raises(NotFound):  # a report of another goal under this goal's path
        other = goal(ctx, world, "另一个")
        attachments.list_files(ctx, admin_a, files.TARGET, report.id, files.resolver("ga", other.id, report.id))
    for name in ("qian", "other", "other_office", "public"):
        with pytest.raises(NotFound):
            attachments.open_file(ctx, world.actors[name], files.TARGET, report.id, resolve, added.id)


def test_deleting_a_draft_goal_takes_its_reports_files(ctx, world):
    target = goal(ctx, world, "招商引资")
    admin_a = world.actors["admin_a"]
    report = progress.report(ctx, admin_a, "ga", target.id, ProgressIn(period=f"{YEAR}-Q1", percent=30))
    attachments.add_file(
        ctx, admin_a, files.TARGET, report.id, files.resolver("ga", target.id, report.id), "a.pdf", pdf()
    )
    with ctx.db.read() as session:
        [row] = session.exec(select(Attachment).where(Attachment.target_type == files.TARGET)).all()
    path = ctx.settings.var_dir / "attachments" / str(row.locality_id) / row.storage_key
    assert path.is_file()
    service.delete_goal(ctx, admin_a, "ga", target.id)
    with ctx.db.read() as session:
        assert session.exec(select(Attachment).where(Attachment.target_type == files.TARGET)).all() == []
    assert not path.exists()
