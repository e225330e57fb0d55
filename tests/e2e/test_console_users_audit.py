"""Users and the audit log in the browser: a platform admin creates a user (a mistake first,
kept in the form), changes its role and unit, resets its password, grants it the localities
below, deactivates it (asked to confirm); an office user reads, filters and verifies the audit log."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from core.context import Actor
from core.schemas.org import UnitIn
from core.services import org
from tests.e2e.console import DESKTOP, screenshot, sign_in


def test_a_platform_admin_manages_users(world, browser, tmp_path):
    world.locality("city-u", "示范市")
    world.locality("county-u", "示范县", parent_code="city-u")
    org.create_unit(world.ctx, Actor.system("test"), "city-u", UnitIn(code="U1", name="市财政局"))
    world.user("root-u", "platform_admin")
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        sign_in(page, world.url, "root-u")
        page.wait_for_url("**/admin/")
        page.get_by_role("navigation", name="菜单").get_by_role("link", name="用户").click()
        expect(page).to_have_title("用户 · 考评")
        page.get_by_role("link", name="新建用户").click()

        page.get_by_label("用户名").fill("clerk-u")
        page.get_by_label("密码（至少 10 个字符）").fill("short")
        page.get_by_label("角色").select_option("unit_admin")
        page.get_by_label("地区", exact=True).select_option("city-u")
        page.get_by_role("button", name="创建用户").click()
        expect(page.locator("#e-password")).to_have_text("至少需要 10 个字符")
        expect(page.get_by_label("用户名")).to_have_value("clerk-u")  # what was typed is kept
        expect(page.get_by_label("角色")).to_have_value("unit_admin")

        page.get_by_label("密码（至少 10 个字符）").fill("a long enough password")
        page.get_by_role("button", name="创建用户").click()
        expect(page.locator("#e-unit_code")).to_have_text("单位管理员必须指定单位")
        page.get_by_label("单位编码（单位管理员、领导、干部填写）").fill("U1")
        page.get_by_label("密码（至少 10 个字符）").fill("a long enough password")
        page.get_by_role("button", name="创建用户").click()
        expect(page.get_by_role("status")).to_have_text("已创建用户 clerk-u。")
        expect(page.get_by_role("heading", name="clerk-u")).to_be_visible()

        page.get_by_label("角色").select_option("office")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("status")).to_have_text("已保存。")
        expect(page.get_by_label("角色")).to_have_value("office")

        page.get_by_role("button", name="允许查看下级地区").click()
        expect(page.get_by_text("该用户可以查看（不能修改）本地区以下的地区。")).to_be_visible()

        page.get_by_label("新密码（至少 10 个字符）").fill("another long password")
        page.get_by_role("button", name="重置密码").click()
        expect(page.get_by_role("status")).to_have_text("已重置 clerk-u 的密码。")

        page.get_by_role("button", name="停用").click()  # confirmed in the dialog
        expect(page.get_by_role("status")).to_have_text("clerk-u 已停用，不能再登录。")
        screenshot(page, "user-zh")

        page.goto(world.url + "/admin/users?q=clerk")
        row = page.get_by_role("row", name=re.compile("clerk-u"))
        expect(row).to_contain_text("已停用")
        expect(row).to_contain_text("可查看下级地区")
        screenshot(page, "users-zh")
    finally:
        context.close()


def test_an_office_reads_filters_and_verifies_the_audit_log(world, browser, tmp_path):
    world.locality("county-a", "示范县")
    world.user("office-a", "office", "county-a")
    system = Actor.system("loader")
    unit = org.create_unit(world.ctx, system, "county-a", UnitIn(code="A1", name="县教育局"))
    from core.schemas.org import UnitPatch

    org.update_unit(world.ctx, system, "county-a", unit.id, UnitPatch(name="县教育和体育局"))
    context = browser.new_context(**{**DESKTOP, "locale": "en-US"})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(world.url + "/admin/login?lang=en")
        sign_in(page, world.url, "office-a", lang="en")
        page.wait_for_url("**/admin/")
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Audit log").click()
        expect(page).to_have_title("Audit log · Kaoping")
        expect(page.get_by_role("cell", name="Changed a unit")).to_be_visible()

        page.get_by_label("Action").select_option("unit.update")
        page.get_by_role("button", name="Filter").click()
        expect(page.get_by_text("1 entries")).to_be_visible()
        page.get_by_label("From").fill("2001-01-01")
        page.get_by_label("To").fill("2001-01-02")
        page.get_by_role("button", name="Filter").click()
        expect(page.get_by_text("No entries.")).to_be_visible()
        expect(page.get_by_label("Action")).to_have_value("unit.update")  # the filters are kept

        page.goto(world.url + "/admin/localities/county-a/audit?action=unit.update")
        page.locator("table a").first.click()
        expect(page.get_by_role("heading", name=re.compile("Audit entry"))).to_be_visible()
        row = page.get_by_role("row", name=re.compile("^Name"))
        expect(row).to_contain_text("县教育局")
        expect(row).to_contain_text("县教育和体育局")
        screenshot(page, "audit-entry-en")

        page.goto(world.url + "/admin/localities/county-a/audit")
        page.get_by_role("button", name="Verify the chain").click()
        expect(page.locator("#verify-result")).to_contain_text("The audit log is intact")
        screenshot(page, "audit-en")
    finally:
        context.close()
