"""A notification's catalogue and the types of its date values are columns of their own
(``catalogue``, ``param_types``), never keys of ``params``: what ``notify``, ``notify_each`` and
``notify_many`` write, what the hook ``kaoping_notification_created`` receives (the same
``Notification``, with both fields) and what the list answers hold the message's values only.
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from core.hookspecs import hookimpl
from core.i18n import translator
from core.models import Notification
from core.plugins import get_plugin_manager
from core.services import notifications as notes
from core.services.errors import Invalid
from core.services.notifications import Notice
from core.services.plugins import PluginSettingIn, set_plugin
from tests.core.services.test_notifications import SYSTEM, VIEWED, _locality_id, _user, county  # noqa: F401

NOTE = "Note"  # goals' catalogue alone translates it (说明)
THIS_YEAR = datetime.now(ZoneInfo("Asia/Shanghai")).year
DAY = date(THIS_YEAR, 12, 1)


class Forwarder:
    """A plugin forwarding notifications (to SMS, say): keeps what the hook gave it."""

    def __init__(self) -> None:
        self.heard: list[Notification] = []

    @hookimpl
    def kaoping_notification_created(self, notification) -> None:
        self.heard.append(notification)


@pytest.fixture
def forwarder(county):  # noqa: F811
    listener = Forwarder()
    pm = get_plugin_manager()
    pm.register(listener, name="sms_forwarder")
    set_plugin(county, SYSTEM, "nc", "sms_forwarder", PluginSettingIn(enabled=True))
    yield listener
    pm.unregister(listener)


def _heard(forwarder: Forwarder) -> list[tuple]:
    return [(n.kind, n.params, n.catalogue, n.param_types) for n in forwarder.heard]


def test_the_hook_and_the_list_get_the_values_alone_and_the_columns_beside(county, forwarder):  # noqa: F811
    ctx = county
    (alice, alice_actor), (bob, bob_actor) = _user(ctx, "alice", "nc"), _user(ctx, "bob", "nc")
    here = _locality_id(ctx, "nc")
    with ctx.db.write() as session:
        notes.notify(session, here, alice.id, "test.viewed", VIEWED, {"viewer": "王", "day": DAY})
        notes.notify(session, here, alice.id, "cadres.warning", NOTE, {"x": 1}, catalogue="goals")
        notes.notify_each(
            session,
            here,
            "cadres.warning",
            [
                Notice([bob.id], NOTE, {"x": 2}),  # the call's catalogue
                Notice([bob.id], VIEWED, {"viewer": "李", "day": DAY}, catalogue="worklog"),  # its own
            ],
            catalogue="goals",
        )
        notes.notify_many(session, here, [bob.id], "test.viewed", VIEWED, {"viewer": "赵", "day": "soon"})
        assert forwarder.heard == []
    iso = DAY.isoformat()
    assert _heard(forwarder) == [
        ("test.viewed", {"viewer": "王", "day": iso}, None, {"day": "date"}),
        ("cadres.warning", {"x": 1}, "goals", None),
        ("cadres.warning", {"x": 2}, "goals", None),
        ("cadres.warning", {"viewer": "李", "day": iso}, "worklog", {"day": "date"}),
        ("test.viewed", {"viewer": "赵", "day": "soon"}, None, None),
    ]
    assert all(isinstance(n, Notification) and n.id for n in forwarder.heard)
    # a forwarder's text (docs/plugins.md): the notification centre's, in the recipient's language
    assert [notes.render(n, translator("zh_CN")) for n in forwarder.heard[:4]] == [
        "王 viewed your work on 12月1日",
        "说明",
        "说明",
        "李 viewed your work on 12月1日",
    ]

    def listed(actor, locale):
        return [(i.text, i.params) for i in reversed(notes.list_notifications(ctx, actor, translator(locale)).items)]

    assert listed(alice_actor, "zh_CN") == [
        ("王 viewed your work on 12月1日", {"viewer": "王", "day": iso}),
        ("说明", {"x": 1}),
    ]
    assert [text for text, _ in listed(bob_actor, "en")] == [
        NOTE,  # goals' catalogue has no English: the id
        "李 viewed your work on Dec 1",
        "赵 viewed your work on soon",
    ]
    assert [text for text, _ in listed(bob_actor, "zh_CN")][0] == "说明"

    with ctx.db.read() as session:  # no types, no catalogue: SQL NULL (not JSON null)
        untyped = session.exec(select(Notification.id).where(col(Notification.param_types).is_(None))).all()
        plain = session.exec(select(Notification.id).where(col(Notification.catalogue).is_(None))).all()
    assert (len(untyped), len(plain)) == (3, 2)


def test_without_a_listener_the_columns_are_written_too(county):  # noqa: F811
    ctx = county
    bob, bob_actor = _user(ctx, "bob", "quiet")  # no plugin listens in this locality
    with ctx.db.write() as session:
        notes.notify_many(
            session, _locality_id(ctx, "quiet"), [bob.id], "cadres.warning", VIEWED, {"viewer": "王", "day": DAY}
        )
        notes.notify_each(
            session, _locality_id(ctx, "quiet"), "cadres.warning", [Notice([bob.id], NOTE)], catalogue="goals"
        )
    with ctx.db.read() as session:
        rows = session.exec(select(Notification).order_by(col(Notification.id))).all()
    assert [(r.params, r.catalogue, r.param_types) for r in rows] == [
        ({"viewer": "王", "day": DAY.isoformat()}, None, {"day": "date"}),
        ({}, "goals", None),
    ]
    texts = [i.text for i in notes.list_notifications(ctx, bob_actor, translator("zh_CN")).items]
    assert texts == ["说明", "王 viewed your work on 12月1日"]


def test_a_notices_catalogue_is_checked_like_the_calls(county):  # noqa: F811
    ctx = county
    bob, _ = _user(ctx, "bob", "nc")
    with pytest.raises(Invalid), ctx.db.write() as session:
        notes.notify_each(session, None, "test.x", [Notice([bob.id], NOTE, catalogue="x" * 51)])
    with ctx.db.read() as session:
        assert session.exec(select(Notification)).all() == []
