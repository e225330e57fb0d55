"""People's accounts in the browser: the office issues activation codes for a unit and its
sub-units and downloads the list; on a phone a person activates with their ID-card number and
code, lands signed in with one unread notification in the header, reads it, and later signs in
with the ID-card number and their own password."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.core.people_setup import make_org
from tests.e2e.console import DESKTOP, screenshot, sign_in

PASSWORD = "wangwu-password-2026"


def test_office_issues_codes_and_a_person_activates_on_a_phone(world, browser, phone, tmp_path):
    o = make_org(world.ctx, "pa")
    world.user("office-pa", "office", "pa")
    context = browser.new_context(**DESKTOP, accept_downloads=True)
    office = context.new_page()
    office.set_default_timeout(15000)
    try:
        sign_in(office, world.url, "office-pa")
        office.wait_for_url("**/admin/")
        office.get_by_role("navigation", name="菜单").get_by_role("link", name="人员账号").click()
        expect(office.locator('[data-count="people"]')).to_have_text("4")
        office.get_by_label("范围").select_option(label="干部科")
        office.get_by_role("button", name="发放激活码").click()
        expect(office.get_by_role("status")).to_contain_text("已发放激活码 2 个")
        expect(office.locator('[data-count="waiting"]')).to_have_text("2")
        with office.expect_download() as download:
            office.get_by_role("link", name="清单（.xlsx）").click()
        rows = list(load_workbook(io.BytesIO(download.value.path().read_bytes())).active.iter_rows(values_only=True))
        assert rows[0][:4] == ("姓名", "单位", "用户名", "激活码")
        code = next(row[3] for row in rows[1:] if row[0] == "王五")
        screenshot(office, "office-issued")
    finally:
        context.close()

    page = phone()
    page.goto(world.url + "/activate")
    expect(page.get_by_role("heading", name="激活账号")).to_be_visible()
    page.get_by_label("身份证号或用户名").fill(o.cards["王五"])
    page.get_by_label("激活码").fill(code.lower())
    page.get_by_label("新密码", exact=True).fill(PASSWORD)
    page.get_by_label("再次输入新密码").fill(PASSWORD + "?")
    page.get_by_role("button", name="激活并登录").click()
    expect(page.locator("#e-password_again")).to_have_text("两次输入的密码不一致")
    expect(page.get_by_label("激活码")).to_have_value(code.lower())  # what was typed is kept
    page.get_by_label("新密码", exact=True).fill(PASSWORD)
    page.get_by_label("再次输入新密码").fill(PASSWORD)
    page.get_by_role("button", name="激活并登录").click()
    page.wait_for_url("**/admin/notifications")
    expect(page.locator("#unread-count")).to_have_text("1")
    expect(page.locator("#notifications")).to_contain_text("你的账号已激活。")
    screenshot(page, "activated-phone")
    page.get_by_role("button", name="你的账号已激活。").click()
    expect(page.locator("#unread-count")).to_have_count(0)

    page.get_by_role("button", name="退出").click()
    sign_in(page, world.url, o.cards["王五"], PASSWORD)
    page.wait_for_url("**/admin/")
    expect(page.locator("header")).to_contain_text(f"pa-{o.people['王五']}")
