"""The sign-in log and the assessment group in the browser: an office user mistypes its password,
signs in, and finds the failure in its sign-in log by filtering; a platform admin assigns a
campaign to an assessment-group user, who then sees only that campaign, read only."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.console import DESKTOP, screenshot, sign_in


def test_an_office_user_reads_its_sign_in_log(world, browser, tmp_path):
    world.locality("county-s", "示范县")
    world.user("office-s", "office", "county-s")
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, world.url, "office-s", password="not my password")
        expect(page.get_by_text("用户名或密码错误。")).to_be_visible()
        sign_in(page, world.url, "office-s")
        page.wait_for_url("**/admin/")
        page.get_by_role("navigation", name="菜单").get_by_role("link", name="登录日志").click()
        expect(page).to_have_title("登录日志 · 考评")
        rows = page.locator("#sign-ins tbody tr")
        expect(rows).to_have_count(2)
        page.get_by_label("结果").select_option("failed")
        page.get_by_role("button", name="筛选").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("密码错误")
        expect(rows.first).to_contain_text("office-s")
        expect(page.locator("#sign-ins")).not_to_contain_text("not my password")
        screenshot(page, "sign-ins")
    finally:
        context.close()


def test_an_assessment_group_sees_only_its_campaign(world, setup, browser, tmp_path):
    world.user("root-g", "platform_admin")
    world.user("group-g", "assessment_group", "county-a")
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, world.url, "root-g")
        page.wait_for_url("**/admin/")
        page.goto(world.url + "/admin/users?q=group-g")
        page.get_by_role("link", name="group-g").click()
        page.get_by_label("2026年度民主测评").check()
        page.locator("#assign-campaigns").get_by_role("button", name="保存").click()
        expect(page.get_by_role("status")).to_have_text("已保存。")
        expect(page.get_by_label("2026年度民主测评")).to_be_checked()
        context.clear_cookies()

        sign_in(page, world.url, "group-g")
        page.wait_for_url("**/admin/")
        menu = page.get_by_role("navigation", name="菜单")
        expect(menu.get_by_role("link")).to_have_text(["概览", "考核任务"])
        menu.get_by_role("link", name="考核任务").click()
        page.get_by_role("link", name="2026年度民主测评").click()
        expect(page.locator("#turnout")).to_contain_text("县领导")
        expect(page.locator("#no-results")).to_be_visible()
        expect(page.locator("form[method=post]:not([action='/admin/logout'])")).to_have_count(0)
        screenshot(page, "assessment-campaign")
    finally:
        context.close()
