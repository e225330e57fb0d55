"""The worklog in a browser: a person on a 390 px phone signs in, writes this week's record and
submits it; the leader on a PC finds it on the board and reads it; the person sees the notice."""

from __future__ import annotations

from playwright.sync_api import expect

from core.periods import Period
from plugins.worklog import service
from tests.conftest import TEST_PASSWORD
from tests.e2e.console import DESKTOP, screenshot, sign_in
from tests.e2e.phone import fits_the_screen, sign_in_admin
from tests.plugins.worklog.setup import make_world


def test_a_person_writes_a_weekly_record_on_a_phone_and_the_leader_reads_it(world, phone, browser, tmp_path):
    make_world(world.ctx)
    week = str(Period.from_date("week", service.today(world.ctx)))
    page = phone()
    page.goto(world.url + "/me/worklog")
    page.wait_for_url("**/admin/login?next=*")
    sign_in_admin(page, "liming", TEST_PASSWORD)
    page.wait_for_url("**/me/worklog")
    expect(page.get_by_role("heading", name="我的工作纪实")).to_be_visible()
    record = page.locator('[data-kind="weekly_record"]')
    expect(record).to_contain_text("尚未填写")
    assert fits_the_screen(page)
    screenshot(page, "me-week-phone")

    record.get_by_role("link", name="填写").click()
    page.wait_for_url(f"**/me/worklog/write/weekly_record/{week}")
    page.get_by_label("计划或完成的工作（每行一项）").fill("走访企业3家\n整理扶贫台账")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("status")).to_have_text("已提交，领导现在可以查阅。")
    assert fits_the_screen(page)
    page.get_by_role("link", name="返回本周").click()
    expect(page.locator('[data-kind="weekly_record"]')).to_contain_text("已提交")
    expect(page.locator('[data-kind="weekly_record"]')).to_contain_text("走访企业3家")

    context = browser.new_context(**DESKTOP)
    desk = context.new_page()
    desk.set_default_timeout(15000)
    try:
        desk.goto(world.url + "/admin/login")
        sign_in(desk, world.url, "zhang")
        desk.get_by_role("navigation", name="菜单").get_by_role("link", name="工作纪实看板").click()
        expect(desk.locator("#board-counts")).to_contain_text("1 份已提交")
        row = desk.locator("#board tr", has_text="李明")
        row.get_by_role("link", name="已提交").click()
        expect(desk.locator("#entry-body")).to_have_text("走访企业3家\n整理扶贫台账")
        screenshot(desk, "leader-reads")
    finally:
        context.close()

    page.goto(world.url + "/me/worklog")
    expect(page.locator("#unread-count")).to_have_text("1")
