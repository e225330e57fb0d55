"""``notify_each``: many messages, each to its own users with its own text and link, in one
INSERT: each row as ``notify_many`` writes it (a link off this site dropped), how many each
notice reached, the hook once per notification after COMMIT when a plugin listens, nothing when
the caller's transaction fails. On both databases."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.i18n import Translator
from core.models import Notification
from core.plugins import get_plugin_manager
from core.services import notifications as notes
from core.services.errors import Invalid
from core.services.notifications import Notice
from core.services.plugins import PluginSettingIn, set_plugin
from tests.core.services.test_notifications import SYSTEM, VIEWED, Forwarder, _locality_id, _user, county  # noqa: F401


def test_each_notice_is_written_for_its_users_in_one_go(county):  # noqa: F811
    ctx = county
    (alice, alice_actor), (bob, bob_actor) = _user(ctx, "alice", "nc"), _user(ctx, "bob", "nc")
    here = _locality_id(ctx, "nc")
    with ctx.db.write() as session:
        counts = notes.notify_each(
            session,
            here,
            "test.viewed",
            [
                Notice([alice.id, bob.id], VIEWED, {"viewer": "王", "day": "11-28"}, "/me/a"),
                Notice([], VIEWED, {"viewer": "nobody", "day": "-"}, "/me/b"),
                Notice([bob.id], VIEWED, {"viewer": "李", "day": "11-29"}, "https://elsewhere.example/x"),
            ],
        )
        assert counts == [2, 0, 1]
        assert notes.notify_each(session, here, "test.viewed", []) == []
    alice_page = notes.list_notifications(ctx, alice_actor, Translator("en"))
    assert [(i.text, i.link) for i in alice_page.items] == [("王 viewed your work on 11-28", "/me/a")]
    bob_page = notes.list_notifications(ctx, bob_actor, Translator("en"))
    assert sorted((i.text, i.link) for i in bob_page.items) == [
        ("李 viewed your work on 11-29", ""),  # not a path of this site: dropped
        ("王 viewed your work on 11-28", "/me/a"),
    ]
    with pytest.raises(RuntimeError), ctx.db.write() as session:
        notes.notify_each(session, here, "test.viewed", [Notice([alice.id], "hello")])
        raise RuntimeError("the caller's transaction fails")
    with ctx.db.read() as session:
        assert len(session.exec(select(Notification)).all()) == 3
    with pytest.raises(Invalid), ctx.db.write() as session:
        notes.notify_each(session, here, "test.viewed", [Notice([alice.id], "")])


def test_the_hook_hears_each_notification_after_commit(county):  # noqa: F811
    ctx = county
    forwarder = Forwarder(ctx)
    pm = get_plugin_manager()
    pm.register(forwarder, name="sms_forwarder")
    try:
        set_plugin(ctx, SYSTEM, "nc", "sms_forwarder", PluginSettingIn(enabled=True))
        (alice, _), (bob, _) = _user(ctx, "alice", "nc"), _user(ctx, "bob", "nc")
        with ctx.db.write() as session:
            notes.notify_each(
                session,
                _locality_id(ctx, "nc"),
                "test.due",
                [Notice([alice.id], "first"), Notice([alice.id, bob.id], "second")],
            )
            assert forwarder.heard == []
        assert sorted(forwarder.heard) == sorted(
            [(alice.id, "test.due", True), (alice.id, "test.due", True), (bob.id, "test.due", True)]
        )
    finally:
        pm.unregister(forwarder)


@pytest.mark.parametrize("listening", [False, True], ids=["nobody-listens", "a-plugin-listens"])
def test_a_pass_of_many_notices_is_a_few_multi_row_inserts_not_one_a_row(county, listening):  # noqa: F811
    """2,400 notifications (800 notices to 3 users) and ``notify_many``'s 3: the INSERTs into
    ``notifications`` the database is sent, counted at the cursor. Multi-row statements of up to
    1,000 rows each (SQLAlchemy's insertmanyvalues), on PostgreSQL whether or not a plugin
    listens (psycopg's executemany would run one statement a row); on SQLite when nobody
    listens, one executemany of one prepared statement, run in-process."""
    from sqlalchemy import event

    ctx = county
    users = [_user(ctx, name, "nc")[0].id for name in ("alice", "bob", "carol")]
    here = _locality_id(ctx, "nc")
    forwarder = Forwarder(ctx)
    pm = get_plugin_manager()
    if listening:
        pm.register(forwarder, name="sms_forwarder")
        set_plugin(ctx, SYSTEM, "nc", "sms_forwarder", PluginSettingIn(enabled=True))
    inserts: list[tuple[str, object]] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO NOTIFICATIONS"):
            inserts.append((statement, parameters))

    executemany = ctx.db.engine.dialect.name == "sqlite" and not listening  # else multi-row INSERTs
    event.listen(ctx.db.engine, "before_cursor_execute", remember)
    try:
        with ctx.db.write() as session:
            notices = [Notice(users, VIEWED, {"viewer": f"王{n}", "day": "12-01"}, f"/me/{n}") for n in range(800)]
            assert sum(notes.notify_each(session, here, "test.viewed", notices)) == 2400
        if executemany:
            assert len(inserts) == 1 and len(inserts[0][1]) == 2400  # 2,400 sets of values for one statement
        else:  # 1,000 rows a statement, each sent with one set of values
            assert len(inserts) == 3 and not any(isinstance(values, list) for _, values in inserts)
        inserts.clear()
        with ctx.db.write() as session:
            assert notes.notify_many(session, here, users, "test.due", VIEWED, {"viewer": "李", "day": "12-02"}) == 3
        assert len(inserts) == 1
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", remember)
        if listening:
            pm.unregister(forwarder)
    with ctx.db.read() as session:
        assert len(session.exec(select(Notification)).all()) == 2403
    if listening:
        assert len(forwarder.heard) == 2403
