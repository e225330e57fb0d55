"""A notification's date and datetime values, on both databases: kept as ISO text with their type
(what the API answers in ``params``), read in the reader's language (Babel): a day of this year
as "12月1日" / "Dec 1", of another year with the year, a datetime in the reader's time zone; a
value whose stored text is not of its type stays as it is. The same for ``notify_many`` and
``notify_each``, which write them as ``notify`` does."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from core.i18n import Translator
from core.models import Notification
from core.services import notifications as notes
from core.services.notifications import Notice
from tests.core.services.test_notifications import VIEWED, _locality_id, _user, county  # noqa: F401


def _texts(ctx, actor, locale: str) -> list[str]:
    return [i.text for i in notes.list_notifications(ctx, actor, Translator(locale)).items]


def test_a_date_value_reads_as_a_day_in_the_readers_language(county):  # noqa: F811
    ctx = county
    alice, alice_actor = _user(ctx, "alice", "nc")
    here = _locality_id(ctx, "nc")
    this_year = datetime.now(ZoneInfo("Asia/Shanghai")).year  # the reader's (Translator's default) year
    with ctx.db.write() as session:
        notes.notify(session, here, alice.id, "test.viewed", VIEWED, {"viewer": "王", "day": date(this_year, 12, 1)})
    assert _texts(ctx, alice_actor, "zh_CN") == ["王 viewed your work on 12月1日"]  # the core has no translation
    assert _texts(ctx, alice_actor, "en") == ["王 viewed your work on Dec 1"]
    page = notes.list_notifications(ctx, alice_actor, Translator("en"))
    assert page.items[0].params == {"viewer": "王", "day": f"{this_year}-12-01"}  # the API's values: ISO text
    with ctx.db.read() as session:
        stored = session.exec(select(Notification.params, Notification.param_types)).one()
    assert tuple(stored) == ({"viewer": "王", "day": f"{this_year}-12-01"}, {"day": "date"})


def test_another_years_day_a_datetime_and_a_bad_stored_value(county):  # noqa: F811
    ctx = county
    (alice, alice_actor), (bob, bob_actor) = _user(ctx, "alice", "nc"), _user(ctx, "bob", "nc")
    here = _locality_id(ctx, "nc")
    with ctx.db.write() as session:
        notes.notify_many(session, here, [alice.id], "test.viewed", VIEWED, {"viewer": "王", "day": date(2025, 11, 28)})
        notes.notify_each(
            session,
            here,
            "test.viewed",
            [Notice([bob.id], VIEWED, {"viewer": "李", "day": datetime(2026, 12, 1, 1, 30, tzinfo=UTC)})],
        )
        bad = notes.notify(session, here, bob.id, "test.viewed", VIEWED, {"viewer": "赵", "day": date(2026, 1, 2)})
        bad.params = {**bad.params, "day": "soon"}  # a row whose text no longer reads as a date
        session.add(bad)
    assert _texts(ctx, alice_actor, "zh_CN") == ["王 viewed your work on 2025年11月28日"]
    assert _texts(ctx, alice_actor, "en") == ["王 viewed your work on Nov 28, 2025"]
    assert _texts(ctx, bob_actor, "zh_CN") == [
        "赵 viewed your work on soon",
        "李 viewed your work on 2026年12月1日 09:30",  # Asia/Shanghai
    ]
    assert _texts(ctx, bob_actor, "en")[1] == "李 viewed your work on December 1, 2026, 09:30"
