"""The worklog's pages over HTTP, on both databases: a person writes, saves a draft and submits
on /me/worklog; the leader's board shows it and reading it tells the author; the sign-in
redirect, the CSRF check, English, and 404 where the worklog is off or the entry is not theirs."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from core.models import Notification
from core.periods import Period
from core.services.plugins import PluginSettingIn, set_plugin
from plugins.worklog import service
from tests.helpers import browser_session
from tests.plugins.worklog.setup import SYSTEM, make_world


@pytest.fixture
def site(ctx, live_server):
    world = make_world(ctx)

    def session(name: str) -> httpx.Client:
        return browser_session(ctx, live_server.url, world.actors[name].user_id)

    return world, session


def test_a_person_writes_and_submits_and_the_leader_reads_it_from_the_board(ctx, site):
    world, session = site
    week = str(Period.from_date("week", service.today(ctx)))
    with session("author") as author, session("leader") as leader:
        glance = author.get("/me/worklog")
        assert glance.status_code == 200
        assert "我的工作纪实" in glance.text and "周记实" in glance.text and "尚未填写" in glance.text
        assert f"/me/worklog/write/weekly_record/{week}" in glance.text
        assert author.get("/me/", follow_redirects=False).headers["location"] == "/me/worklog"

        url = f"/me/worklog/write/weekly_record/{week}"
        draft = author.post(
            url, data={"_csrf": author.csrf, "body": "走访企业3家\n整理台账", "action": "save"}, follow_redirects=True
        )
        assert draft.status_code == 200 and "已保存为草稿" in draft.text and "走访企业3家" in draft.text
        board = leader.get("/admin/localities/wa/worklog/board")
        assert board.status_code == 200 and "李明" in board.text and "王芳" in board.text
        assert "0 份已提交" in board.text  # a draft is not shown to the leader

        sent = author.post(
            url, data={"_csrf": author.csrf, "body": "走访企业3家\n整理台账", "action": "submit"}, follow_redirects=True
        )
        assert "已提交" in sent.text
        board = leader.get("/admin/localities/wa/worklog/board", params={"period": week})
        assert "1 份已提交" in board.text
        entry_id = service.own_entry(ctx, world.actors["author"], "wa", "weekly_record", week).id
        assert f"/admin/localities/wa/worklog/entries/{entry_id}" in board.text
        read = leader.get(f"/admin/localities/wa/worklog/entries/{entry_id}")
        assert read.status_code == 200 and "走访企业3家" in read.text

        changed = author.post(
            url,
            data={"_csrf": author.csrf, "body": "**走访企业4家**\n- 整理台账\n- <b>起草</b>", "action": "save"},
            follow_redirects=True,
        )
        assert "走访企业4家" in changed.text
        mine = author.get(f"/me/worklog/entries/{entry_id}")
        assert "版本 2" in mine.text and "版本 1" in mine.text and "zhang" in mine.text  # versions, read by
        assert "走访企业3家" in mine.text  # the first version is still there
        # simple formatting as the page shows it: bold and a list; what is typed stays text
        shown = leader.get(f"/admin/localities/wa/worklog/entries/{entry_id}").text
        assert "<strong>走访企业4家</strong>" in shown
        assert "<ul><li>整理台账</li><li>&lt;b&gt;起草&lt;/b&gt;</li></ul>" in shown
    with ctx.db.read() as db:
        notices = db.exec(select(Notification).where(Notification.user_id == world.actors["author"].user_id)).all()
    assert [n.params["viewer"] for n in notices] == ["张局长"]


def test_english_and_bad_input_on_the_pages(ctx, site):
    _world, session = site
    next_week = str(Period.from_date("week", service.today(ctx) + timedelta(days=7)))
    with session("author") as author:
        future = author.get(f"/me/worklog/write/weekly_plan/{next_week}")
        assert future.status_code == 422 and "尚未开始" in future.text
        wrong = author.post("/me/worklog/write/weekly_plan/2026-11", data={"_csrf": author.csrf, "body": "x"})
        assert wrong.status_code == 422 and "按周填写" in wrong.text
        week = str(Period.from_date("week", service.today(ctx)))
        expired = author.post(f"/me/worklog/write/weekly_plan/{week}", data={"_csrf": "nope", "body": "x"})
        assert expired.status_code == 403
        too_long = author.post(
            f"/me/worklog/write/weekly_plan/{week}",
            data={"_csrf": author.csrf, "body": "字" * 20_001, "action": "save"},
        )
        assert too_long.status_code == 422 and "20000" in too_long.text
        assert service.own_entry(ctx, _world.actors["author"], "wa", "weekly_plan", week) is None  # nothing saved
        english = author.get("/me/worklog?lang=en").text
        assert "My work records" in english and "Weekly record" in english and "Not written yet" in english
        # a kind that does not exist: the kinds by their names, not their codes
        bogus = author.get(f"/me/worklog/write/bogus/{week}?lang=zh-CN")
        assert bogus.status_code == 422 and "周计划、周记实" in bogus.text and "weekly_plan, " not in bogus.text
        bogus = author.get(f"/me/worklog/write/bogus/{week}?lang=en")
        assert bogus.status_code == 422 and "Weekly plan, Weekly record" in bogus.text


def test_who_gets_404_and_who_is_sent_to_sign_in(ctx, site, live_server):
    world, session = site
    week = str(Period.from_date("week", service.today(ctx)))
    entry = service.write_entry(
        ctx, world.actors["author"], "wa", "weekly_record", week, service.EntryIn(body="记实", submit=True)
    )
    anonymous = httpx.get(f"{live_server.url}/me/worklog", follow_redirects=False)
    assert anonymous.status_code in (302, 303) and "/admin/login?next=%2Fme%2Fworklog" in anonymous.headers["location"]
    with (
        session("leader_b") as other_leader,
        session("colleague") as colleague,
        session("office") as office,
        session("other_office") as stranger,
        session("author") as author,
    ):
        assert other_leader.get(f"/admin/localities/wa/worklog/entries/{entry.id}").status_code == 404
        assert colleague.get(f"/me/worklog/entries/{entry.id}").status_code == 404
        assert colleague.get("/admin/localities/wa/worklog/board").status_code == 404  # a cadre has no board
        assert office.get("/me/worklog").status_code == 403  # the office's account is no person's
        assert office.get("/me/", follow_redirects=False).headers["location"] == "/admin/"
        assert office.get("/admin/localities/wa/worklog/board").status_code == 200
        assert stranger.get("/admin/localities/wa/worklog/board").status_code == 404
        assert stranger.get(f"/admin/localities/wa/worklog/entries/{entry.id}").status_code == 404
        set_plugin(ctx, SYSTEM, "wa", "worklog", PluginSettingIn(enabled=False))
        assert author.get("/me/worklog").status_code == 404
        assert author.get("/me/", follow_redirects=False).headers["location"] == "/admin/"  # not a dead end
        assert office.get("/admin/localities/wa/worklog/board").status_code == 404
        assert 'data-key="worklog' not in office.get("/admin/localities/wa/units").text  # no menu entry


def test_the_office_lets_colleagues_read_each_other_on_the_plugins_page(ctx, site):
    world, session = site
    week = str(Period.from_date("week", service.today(ctx)))
    entry = service.write_entry(
        ctx, world.actors["author"], "wa", "weekly_record", week, service.EntryIn(body="记实", submit=True)
    )
    with session("office") as office, session("colleague") as colleague:
        page = office.get("/admin/localities/wa/plugins/worklog")
        assert page.status_code == 200 and "同单位同事可互相查阅工作纪实" in page.text
        assert colleague.get(f"/me/worklog/entries/{entry.id}").status_code == 404
        saved = office.post(
            "/admin/localities/wa/plugins/worklog",
            data={"_csrf": office.csrf, "enabled": "on", "opt_colleagues_can_read": "on"},
        )
        assert saved.status_code == 200, saved.text[-500:]
        assert "记实" in colleague.get(f"/me/worklog/entries/{entry.id}").text


def test_the_week_has_a_place_for_daily_records_where_the_locality_keeps_them(ctx, site):
    """The optional daily records (日记实) on /me/worklog: absent while the locality's option is
    off; on, a line per day of the week so far (not the days to come), each written from there
    and then shown as submitted; a past week lists all seven days; English day names."""
    world, session = site
    today = service.today(ctx)
    week = Period.from_date("week", today)
    days = [week.start + timedelta(days=n) for n in range(7)]
    with session("author") as author:
        off = author.get("/me/worklog").text
        assert "/me/worklog/write/daily_record/" not in off and "日记实" not in off

        set_plugin(ctx, SYSTEM, "wa", "worklog", PluginSettingIn(enabled=True, options={"daily_records": True}))
        page = author.get("/me/worklog").text
        assert "日记实" in page and "选填" in page
        for day in days:
            link = f"/me/worklog/write/daily_record/{day.isoformat()}"
            assert (link in page) == (day <= today), day
        assert f"{today.month}月{today.day}日" in page
        assert "尚未填写" in page  # the weekly slots are still due; the days are never counted as due

        written = author.post(
            f"/me/worklog/write/daily_record/{today.isoformat()}",
            data={"_csrf": author.csrf, "body": "走访两家企业", "action": "submit"},
            follow_redirects=True,
        )
        assert written.status_code == 200 and "走访两家企业" in written.text
        entry = service.own_entry(ctx, world.actors["author"], "wa", "daily_record", today.isoformat())
        assert entry is not None and entry.status == "submitted"
        page = author.get("/me/worklog").text
        line = page.split(f'data-period="{today.isoformat()}"', 1)[1].split("</li>", 1)[0]
        assert "已提交" in line and f"/me/worklog/entries/{entry.id}" in line

        last_week = author.get(f"/me/worklog?day={(today - timedelta(days=7)).isoformat()}").text
        for day in days:
            assert f"/me/worklog/write/daily_record/{(day - timedelta(days=7)).isoformat()}" in last_week

        english = author.get("/me/worklog?lang=en").text
        assert "Daily record" in english and "optional" in english
        assert today.strftime("%b") in english
