"""Over HTTP, a notification's ``params`` are the message's values alone (no catalogue, no
types): ``/api/me/notifications`` answers them with the text in the reader's language, read with
the notification's catalogue and its dates as days (说明, 12月1日 / Dec 1), and the notification
centre shows the same texts. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.services import auth
from core.services import notifications as notes
from core.services.notifications import Notice
from tests.core.web.test_console_permissions import _session
from tests.helpers import ok

VIEWED = "{viewer} viewed your work on {day}"
NOTE = "Note"  # goals' catalogue alone translates it (说明)


def test_the_api_answers_the_values_alone_and_the_page_shows_the_texts(world, cheap_password_hashes):
    world.locality("county-np", "示范县")
    token = world.user("reader-np", "office", "county-np")
    user = auth.find_user(world.ctx, "reader-np")
    day = date(datetime.now(ZoneInfo("Asia/Shanghai")).year, 12, 1)
    with world.ctx.db.write() as session:
        notes.notify(session, user.locality_id, user.id, "test.viewed", VIEWED, {"viewer": "王", "day": day})
        notes.notify_each(
            session, user.locality_id, "cadres.warning", [Notice([user.id], NOTE, {"x": 1})], catalogue="goals"
        )
    with world.client(token) as client:
        answers = {
            lang: ok(client.get("/api/me/notifications", headers={"Accept-Language": lang}))["items"]
            for lang in ("zh-CN", "en")
        }
    values = [{"x": 1}, {"viewer": "王", "day": day.isoformat()}]
    assert [i["params"] for i in answers["zh-CN"]] == [i["params"] for i in answers["en"]] == values
    assert [i["text"] for i in answers["zh-CN"]] == ["说明", "王 viewed your work on 12月1日"]
    assert [i["text"] for i in answers["en"]] == [NOTE, "王 viewed your work on Dec 1"]
    assert all(set(i) == set(notes.NotificationOut.model_fields) for i in answers["en"])  # no field added

    with _session(world, "reader-np") as browser:
        page = browser.get("/admin/notifications", params={"lang": "zh_CN"})
    assert page.status_code == 200
    assert "说明" in page.text and "王 viewed your work on 12月1日" in page.text
