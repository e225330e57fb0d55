"""Daily records (日记实) in a browser: where the locality keeps them, a person on a 390 px phone
finds today's line on their week, writes and submits it there, and sees it submitted; where it
does not, the week has no such card."""

from __future__ import annotations

from playwright.sync_api import expect

from core.periods import Period
from core.services.plugins import PluginSettingIn, set_plugin
from plugins.worklog import service
from tests.conftest import TEST_PASSWORD
from tests.e2e.console import screenshot
from tests.e2e.phone import fits_the_screen, sign_in_admin
from tests.plugins.worklog.setup import SYSTEM, make_world


def test_a_person_writes_todays_daily_record_on_a_phone(world, phone, tmp_path):
    make_world(world.ctx)
    today = str(Period.from_date("day", service.today(world.ctx)))
    page = phone()
    page.goto(world.url + "/me/worklog")
    page.wait_for_url("**/admin/login?next=*")
    sign_in_admin(page, "liming", TEST_PASSWORD)
    page.wait_for_url("**/me/worklog")
    expect(page.locator('[data-kind="weekly_record"]')).to_be_visible()
    expect(page.locator('[data-kind="daily_record"]')).to_have_count(0)  # the locality keeps none

    set_plugin(world.ctx, SYSTEM, "wa", "worklog", PluginSettingIn(enabled=True, options={"daily_records": True}))
    page.reload()
    days = page.locator('[data-kind="daily_record"]')
    expect(days).to_contain_text("日记实")
    line = days.locator(f'[data-period="{today}"]')
    expect(line.get_by_role("link", name="填写")).to_be_visible()
    assert fits_the_screen(page)
    screenshot(page, "me-week-daily-phone")

    line.get_by_role("link", name="填写").click()
    page.wait_for_url(f"**/me/worklog/write/daily_record/{today}")
    page.get_by_label("计划或完成的工作（每行一项）").fill("上午走访两家企业\n下午整理台账")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("status")).to_have_text("已提交，领导现在可以查阅。")
    assert fits_the_screen(page)
    page.get_by_role("link", name="返回本周").click()
    line = page.locator(f'[data-kind="daily_record"] [data-period="{today}"]')
    expect(line).to_contain_text("已提交")
    expect(line.get_by_role("link", name="修改")).to_be_visible()
    line.get_by_role("link", name="查看").click()
    expect(page.locator("#entry-body")).to_have_text("上午走访两家企业\n下午整理台账")
    assert fits_the_screen(page)
