"""The notice a reader's view sends the author reads its day as people write it, on both
databases: "张局长于12月1日查看了你的工作" in Chinese and "张局长 read your work on Dec 1" in
English, in the notification centre's page and in the API (whose ``params`` keep the ISO day)."""

from __future__ import annotations

from core.periods import Period
from plugins.worklog import service
from plugins.worklog.service import EntryIn
from tests.helpers import browser_session, ok
from tests.plugins.worklog.setup import make_world


def test_the_view_notice_names_the_day_in_the_readers_language(ctx, live_server):
    world = make_world(ctx)
    author = world.actors["author"]
    week = str(Period.from_date("week", service.today(ctx)))
    entry = service.write_entry(ctx, author, "wa", "weekly_record", week, EntryIn(body="走访企业", submit=True))
    service.read_entry(ctx, world.actors["leader"], "wa", entry.id)
    day = service.today(ctx)  # the locality's day the leader read it
    chinese, english = f"张局长于{day.month}月{day.day}日查看了你的工作", f"张局长 read your work on {day:%b} {day.day}"

    with browser_session(ctx, live_server.url, author.user_id) as browser:
        page = browser.get("/admin/notifications")
        assert page.status_code == 200 and chinese in page.text and day.isoformat() not in page.text
        page = browser.get("/admin/notifications?lang=en")
        assert page.status_code == 200 and english in page.text
        for language, text in [("zh-CN", chinese), ("en", english)]:
            found = ok(browser.get("/api/me/notifications", headers={"Accept-Language": language}))
            assert [(i["text"], i["params"]) for i in found["items"]] == [
                (text, {"viewer": "张局长", "day": day.isoformat()})
            ]
