"""Notifications: written in the caller's transaction, the hook called once after COMMIT (never
after a rollback, only for plugins the locality enabled), listed newest first in the reader's
language, unread count, marking read one (one's own only) or all (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.context import Actor
from core.hookspecs import hookimpl
from core.i18n import Translator
from core.models import Notification, User
from core.plugins import get_plugin_manager
from core.schemas.localities import LocalityIn
from core.services import auth, localities
from core.services import notifications as notes
from core.services.errors import Invalid, NotFound
from core.services.plugins import PluginSettingIn, set_plugin
from tests.conftest import TEST_PASSWORD

SYSTEM = Actor.system("test")
VIEWED = "{viewer} viewed your work on {day}"  # a message id with values


class Forwarder:
    """A plugin that forwards notifications (to SMS, say)."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.heard: list[tuple[int, str, bool]] = []

    @hookimpl
    def kaoping_notification_created(self, notification) -> None:
        with self.ctx.db.read() as session:  # committed already: another session sees it
            seen = session.get(Notification, notification.id) is not None
        self.heard.append((notification.user_id, notification.kind, seen))


def _user(ctx, name: str, locality: str) -> tuple[User, Actor]:
    user = auth.create_user(ctx, SYSTEM, username=name, password=TEST_PASSWORD, role="cadre", locality_code=locality)
    return user, auth.actor_of(user)


@pytest.fixture
def county(ctx):
    localities.create(ctx, SYSTEM, LocalityIn(code="nc", name="Notified county"))
    localities.create(ctx, SYSTEM, LocalityIn(code="quiet", name="Quiet county"))
    return ctx


def _locality_id(ctx, code: str) -> int:
    from core.models import Locality

    with ctx.db.read() as session:
        return session.exec(select(Locality.id).where(Locality.code == code)).one()


def test_the_hook_fires_once_after_commit_for_enabled_plugins_only(county):
    ctx = county
    forwarder = Forwarder(ctx)
    pm = get_plugin_manager()
    pm.register(forwarder, name="sms_forwarder")
    try:
        set_plugin(ctx, SYSTEM, "nc", "sms_forwarder", PluginSettingIn(enabled=True))
        alice, _ = _user(ctx, "alice", "nc")
        bob, _ = _user(ctx, "bob", "quiet")
        with ctx.db.write() as session:
            notes.notify(session, _locality_id(ctx, "nc"), alice.id, "test.viewed", VIEWED, {"viewer": "王局长"})
            assert forwarder.heard == []  # not before the commit
        assert forwarder.heard == [(alice.id, "test.viewed", True)]

        with pytest.raises(RuntimeError), ctx.db.write() as session:
            notes.notify(session, _locality_id(ctx, "nc"), alice.id, "test.viewed", VIEWED, {"viewer": "x"})
            raise RuntimeError("the caller's transaction fails")
        assert len(forwarder.heard) == 1  # rolled back: nobody is told
        with ctx.db.read() as session:
            assert len(session.exec(select(Notification)).all()) == 1

        with ctx.db.write() as session:  # a locality that has not enabled the plugin
            notes.notify(session, _locality_id(ctx, "quiet"), bob.id, "test.viewed", VIEWED, {"viewer": "y"})
        assert len(forwarder.heard) == 1
    finally:
        pm.unregister(forwarder)


def test_notify_many_writes_one_each_and_fires_the_hook_per_notification_after_commit(county):
    ctx = county
    forwarder = Forwarder(ctx)
    pm = get_plugin_manager()
    pm.register(forwarder, name="sms_forwarder")
    try:
        set_plugin(ctx, SYSTEM, "nc", "sms_forwarder", PluginSettingIn(enabled=True))
        (alice, alice_actor), (bob, _) = _user(ctx, "alice", "nc"), _user(ctx, "bob", "nc")
        with ctx.db.write() as session:
            made = notes.notify_many(
                session,
                _locality_id(ctx, "nc"),
                [alice.id, bob.id],
                "test.due",
                VIEWED,
                {"viewer": "王", "day": "11-28"},
                "/me/x",
            )
            assert made == 2 and forwarder.heard == []
            assert notes.notify_many(session, _locality_id(ctx, "nc"), [], "test.due", VIEWED) == 0
        assert sorted(forwarder.heard) == sorted([(alice.id, "test.due", True), (bob.id, "test.due", True)])
        page = notes.list_notifications(ctx, alice_actor, Translator("en"))
        assert [(i.text, i.link) for i in page.items] == [("王 viewed your work on 11-28", "/me/x")]
        with pytest.raises(RuntimeError), ctx.db.write() as session:
            notes.notify_many(session, _locality_id(ctx, "nc"), [alice.id], "test.due", "hello")
            raise RuntimeError("the caller's transaction fails")
        assert len(forwarder.heard) == 2 and notes.list_notifications(ctx, alice_actor, Translator("en")).total == 1
        with pytest.raises(Invalid), ctx.db.write() as session:
            notes.notify_many(session, None, [alice.id], "", "message")
    finally:
        pm.unregister(forwarder)


def test_a_failing_hook_changes_nothing(county, monkeypatch):
    ctx = county

    class Broken:
        @hookimpl
        def kaoping_notification_created(self, notification) -> None:
            raise ValueError("the SMS gateway is down")

    pm = get_plugin_manager()
    pm.register(Broken(), name="broken_forwarder")
    try:
        set_plugin(ctx, SYSTEM, "nc", "broken_forwarder", PluginSettingIn(enabled=True))
        alice, actor = _user(ctx, "alice", "nc")
        with ctx.db.write() as session:
            notes.notify(session, _locality_id(ctx, "nc"), alice.id, "test.x", "hello")
        assert notes.list_notifications(ctx, actor, Translator("en")).total == 1
    finally:
        pm.unregister(pm.get_plugin("broken_forwarder"))


def test_list_unread_count_and_mark_read(county):
    ctx = county
    alice, actor = _user(ctx, "alice", "nc")
    bob, bob_actor = _user(ctx, "bob", "nc")
    nc = _locality_id(ctx, "nc")
    with ctx.db.write() as session:
        for n in range(3):
            notes.notify(session, nc, alice.id, "test.n", "Notification {n}", {"n": n}, link=f"/me/entries/{n}")
        notes.notify(session, nc, alice.id, "test.evil", "Bad link", link="//evil.example/")
        notes.notify(session, nc, bob.id, "test.n", "For Bob")
    page = notes.list_notifications(ctx, actor, Translator("en"), limit=2)
    assert (page.total, page.unread) == (4, 4)
    assert [item.text for item in page.items] == ["Bad link", "Notification 2"]  # newest first
    assert page.items[0].link == "" and page.items[1].link == "/me/entries/2"
    second = notes.list_notifications(ctx, actor, Translator("en"), limit=2, offset=2)
    assert [item.text for item in second.items] == ["Notification 1", "Notification 0"]

    assert notes.mark_read(ctx, actor, page.items[1].id) == "/me/entries/2"
    assert notes.mark_read(ctx, actor, page.items[1].id) == "/me/entries/2"  # again: no change
    with ctx.db.read() as session:
        assert notes.unread_count(session, alice.id) == 3
    with pytest.raises(NotFound):  # Bob's notification is not Alice's to mark
        notes.mark_read(ctx, bob_actor, page.items[0].id)
    assert notes.list_notifications(ctx, actor, Translator("en"), unread_only=True).total == 3
    assert notes.mark_all_read(ctx, actor) == 3
    assert notes.list_notifications(ctx, actor, Translator("en")).unread == 0
    assert notes.list_notifications(ctx, bob_actor, Translator("en")).unread == 1  # Bob's untouched


def test_text_in_the_readers_language(county):
    ctx = county
    alice, actor = _user(ctx, "alice", "nc")
    with ctx.db.write() as session:
        notes.notify(session, _locality_id(ctx, "nc"), alice.id, "people.activated", "Your account is activated.")
    assert notes.list_notifications(ctx, actor, Translator("en")).items[0].text == "Your account is activated."
    assert notes.list_notifications(ctx, actor, Translator("zh_CN")).items[0].text == "你的账号已激活。"


def test_bad_arguments(county):
    ctx = county
    alice, actor = _user(ctx, "alice", "nc")
    with pytest.raises(Invalid), ctx.db.write() as session:
        notes.notify(session, None, alice.id, "", "message")
    with pytest.raises(Invalid), ctx.db.write() as session:
        notes.notify(session, None, alice.id, "k" * 51, "message")
    with pytest.raises(Invalid):
        notes.list_notifications(ctx, actor, Translator("en"), limit=0)
    with pytest.raises(NotFound):
        notes.mark_read(ctx, actor, 2**40)
