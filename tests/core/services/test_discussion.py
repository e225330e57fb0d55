"""Comments and likes (core/services/discussion.py) on a worklog entry, on both databases: the
owning plugin's check decides who reads and writes (404 for a colleague without the option, a
leader of another unit, another locality), the author is told, a like is once per user, and
only a comment's writer or the office deletes it, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import literal
from sqlmodel import select

from core.models import AuditEntry, Comment, Like, Notification
from core.periods import Period
from core.services import discussion
from core.services.errors import Forbidden, Invalid, NotFound
from plugins.worklog import service
from plugins.worklog.discussion import TARGET, resolver
from plugins.worklog.schemas import EntryIn
from tests.plugins.worklog.setup import enable, make_world


@pytest.fixture
def world(ctx):
    return make_world(ctx)


def _entry(ctx, world, submit=True) -> int:
    week = str(Period.from_date("week", service.today(ctx)))
    return service.write_entry(
        ctx, world.actors["author"], "wa", "weekly_record", week, EntryIn(body="周一：预算初审", submit=submit)
    ).id


def _notices(ctx, actor) -> list[Notification]:
    with ctx.db.read() as session:
        return session.exec(
            select(Notification).where(Notification.user_id == actor.user_id).order_by(Notification.id)
        ).all()


def test_a_leader_comments_and_the_author_is_told(ctx, world):
    entry = _entry(ctx, world)
    leader, author = world.actors["leader"], world.actors["author"]
    out = discussion.add_comment(ctx, leader, TARGET, entry, resolver("wa", entry), "  写得很好，继续保持\r\n  ")
    assert out.author_name == "张局长" and out.body == "写得很好，继续保持" and out.mine
    [notice] = [n for n in _notices(ctx, author) if n.kind == "discussion.comment"]
    # the resolver's plugin (the worklog) names the catalogue the notice is read with
    assert notice.params == {"who": "张局长", "excerpt": "写得很好，继续保持"} and notice.catalogue == "worklog"
    assert notice.link == f"/me/worklog/entries/{entry}"
    seen = discussion.read(ctx, author, TARGET, entry, resolver("wa", entry))
    assert [(c.author_name, c.body, c.mine, c.may_delete) for c in seen.comments] == [
        ("张局长", "写得很好，继续保持", False, False)
    ]
    # the author answers: nobody is told of their own comment
    discussion.add_comment(ctx, author, TARGET, entry, resolver("wa", entry), "谢谢")
    assert len([n for n in _notices(ctx, author) if n.kind == "discussion.comment"]) == 1


def test_who_may_not_read_the_entry_gets_404_for_its_comments(ctx, world):
    entry = _entry(ctx, world)
    discussion.add_comment(ctx, world.actors["leader"], TARGET, entry, resolver("wa", entry), "好")
    for name in ("colleague", "leader_b", "unit_admin"):
        actor = world.actors[name]
        with pytest.raises(NotFound):
            discussion.read(ctx, actor, TARGET, entry, resolver("wa", entry))
        with pytest.raises(NotFound):
            discussion.add_comment(ctx, actor, TARGET, entry, resolver("wa", entry), "看看")
        with pytest.raises(NotFound):
            discussion.toggle_like(ctx, actor, TARGET, entry, resolver("wa", entry))
        with pytest.raises(NotFound):  # not "too long": the entry is not theirs to know of
            discussion.add_comment(ctx, actor, TARGET, entry, resolver("wa", entry), "x" * 3000)
    for name in ("other", "other_office"):  # another locality: its code, or ours
        with pytest.raises(NotFound):
            discussion.read(ctx, world.actors[name], TARGET, entry, resolver("wa", entry))
        with pytest.raises(NotFound):
            discussion.read(ctx, world.actors[name], TARGET, entry, resolver("wb", entry))
    enable(ctx, "wa", colleagues_can_read=True)  # the option on: the colleague reads and writes
    discussion.add_comment(ctx, world.actors["colleague"], TARGET, entry, resolver("wa", entry), "学习了")
    assert len(discussion.read(ctx, world.actors["colleague"], TARGET, entry, resolver("wa", entry)).comments) == 2


def test_a_draft_has_no_discussion_but_its_author_s(ctx, world):
    entry = _entry(ctx, world, submit=False)
    with pytest.raises(NotFound):
        discussion.read(ctx, world.actors["leader"], TARGET, entry, resolver("wa", entry))
    with pytest.raises(Forbidden):  # the author reads it, nobody comments on a draft
        discussion.add_comment(ctx, world.actors["author"], TARGET, entry, resolver("wa", entry), "草稿")


def test_bad_comments_are_refused_and_nothing_is_written(ctx, world):
    entry = _entry(ctx, world)
    for body in ("", "   ", "x" * 2001, "a\x00b"):
        with pytest.raises(Invalid):
            discussion.add_comment(ctx, world.actors["leader"], TARGET, entry, resolver("wa", entry), body)
    with ctx.db.read() as session:
        assert session.exec(select(Comment)).all() == []


def test_a_like_is_once_per_user_and_toggles(ctx, world):
    entry = _entry(ctx, world)
    leader, office, author = world.actors["leader"], world.actors["office"], world.actors["author"]
    first = discussion.toggle_like(ctx, leader, TARGET, entry, resolver("wa", entry))
    assert first.likes == 1 and first.liked and first.liked_by == ["张局长"]
    assert discussion.toggle_like(ctx, office, TARGET, entry, resolver("wa", entry)).likes == 2
    back = discussion.toggle_like(ctx, leader, TARGET, entry, resolver("wa", entry))
    assert back.likes == 1 and not back.liked and back.liked_by == ["office-wa"]
    again = discussion.toggle_like(ctx, leader, TARGET, entry, resolver("wa", entry))
    assert again.likes == 2 and again.liked
    with ctx.db.read() as session:
        assert len(session.exec(select(Like).where(Like.user_id == leader.user_id)).all()) == 1
        assert discussion.counts(session, TARGET, [entry, entry + 1]) == {entry: (0, 2)}
        assert tuple(session.exec(select(*discussion.count_columns(TARGET, literal(entry)))).one()) == (0, 2)
    likes = [n for n in _notices(ctx, author) if n.kind == "discussion.like"]
    assert [n.params["who"] for n in likes] == ["张局长", "office-wa", "张局长"]


def test_only_the_writer_or_the_office_deletes_a_comment_and_it_is_audited(ctx, world):
    entry = _entry(ctx, world)
    enable(ctx, "wa", colleagues_can_read=True)
    leader, author, colleague, office = (world.actors[n] for n in ("leader", "author", "colleague", "office"))
    said = discussion.add_comment(ctx, leader, TARGET, entry, resolver("wa", entry), "请补充数据")
    other = discussion.add_comment(ctx, colleague, TARGET, entry, resolver("wa", entry), "赞")
    for actor in (author, colleague):  # the entry's author is not the comment's writer
        with pytest.raises(Forbidden):
            discussion.delete_comment(ctx, actor, TARGET, entry, resolver("wa", entry), said.id)
    with pytest.raises(NotFound):  # a comment of this target only
        discussion.delete_comment(ctx, leader, TARGET, entry + 1, resolver("wa", entry), said.id)
    discussion.delete_comment(ctx, leader, TARGET, entry, resolver("wa", entry), said.id)
    assert discussion.read(ctx, office, TARGET, entry, resolver("wa", entry)).comments[0].may_delete
    discussion.delete_comment(ctx, office, TARGET, entry, resolver("wa", entry), other.id)
    with ctx.db.read() as session:
        assert session.exec(select(Comment)).all() == []
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.action == "comment.delete").order_by(AuditEntry.id)
        ).all()
    assert [(e.actor, e.target_type, e.summary["before"]["body"]) for e in entries] == [
        ("zhang", TARGET, "请补充数据"),
        ("office-wa", TARGET, "赞"),
    ]


def test_delete_for_target_removes_comments_and_likes(ctx, world):
    entry = _entry(ctx, world)
    discussion.add_comment(ctx, world.actors["leader"], TARGET, entry, resolver("wa", entry), "好")
    discussion.toggle_like(ctx, world.actors["leader"], TARGET, entry, resolver("wa", entry))
    with ctx.db.write() as session:
        discussion.delete_for_target(session, TARGET, entry)
    with ctx.db.read() as session:
        assert session.exec(select(Comment)).all() == [] and session.exec(select(Like)).all() == []


def test_the_board_and_the_history_count_comments_and_likes(ctx, world):
    entry = _entry(ctx, world)
    leader = world.actors["leader"]
    discussion.add_comment(ctx, leader, TARGET, entry, resolver("wa", entry), "好")
    discussion.add_comment(ctx, world.actors["office"], TARGET, entry, resolver("wa", entry), "已阅")
    discussion.toggle_like(ctx, leader, TARGET, entry, resolver("wa", entry))
    week = str(Period.from_date("week", service.today(ctx)))
    row = next(r for r in service.board(ctx, leader, "wa", week).rows if r.person_name == "李明")
    assert (row.entries["weekly_record"].comments, row.entries["weekly_record"].likes) == (2, 1)
    [mine] = service.history(ctx, world.actors["author"], "wa").items
    assert (mine.comments, mine.likes) == (2, 1)


def test_a_comment_keeps_its_kind_and_kinds_are_counted_per_target(ctx, world):
    entry = _entry(ctx, world)
    leader = world.actors["leader"]
    said = discussion.add_comment(ctx, leader, TARGET, entry, resolver("wa", entry), "建议补充数据", kind="suggestion")
    discussion.add_comment(ctx, leader, TARGET, entry, resolver("wa", entry), "好")
    discussion.add_comment(ctx, leader, TARGET, entry, resolver("wa", entry), "再补充", kind="suggestion")
    assert said.kind == "suggestion"
    seen = discussion.read(ctx, leader, TARGET, entry, resolver("wa", entry))
    assert [c.kind for c in seen.comments] == ["suggestion", None, "suggestion"]
    with ctx.db.read() as session:
        assert discussion.kind_counts(session, TARGET, [entry, entry + 1000]) == {entry: {"suggestion": 2, None: 1}}
    for bad in ("", "x" * 21, "a\x00b"):
        with pytest.raises(Invalid):
            discussion.add_comment(ctx, leader, TARGET, entry, resolver("wa", entry), "好", kind=bad)
