"""The console's shell in a browser: header, menu from the hook, breadcrumbs and titles, the
locality switcher, session expiry that comes back to the page, languages, the reachability note,
and the API documentation working without the internet."""

from __future__ import annotations

from playwright.sync_api import expect

from core.context import Actor
from core.services import auth
from core.services.plugins import PluginSettingIn, set_plugin
from tests.e2e.console import DESKTOP, TABLET, fits, screenshot, sign_in


def test_the_shell_in_chinese_then_english(world, browser, tmp_path):
    world.locality("city-c", "示范市")
    world.locality("county-c", "示范县", parent_code="city-c")
    world.user("office-city", "office", "city-c")
    auth.grant_child_localities(world.ctx, Actor.system("test"), "office-city", True)
    set_plugin(world.ctx, Actor.system("test"), "city-c", "example", PluginSettingIn(enabled=True))

    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        # Signed out: the page asked for comes back after signing in.
        page.goto(world.url + "/admin/account/password")
        page.wait_for_url("**/admin/login?next=*")
        sign_in(page, world.url, "office-city")
        page.wait_for_url("**/admin/account/password")
        expect(page).to_have_title("修改我的密码 · 考评")
        expect(page.get_by_role("heading", name="修改我的密码")).to_be_visible()

        page.goto(world.url + "/admin/")
        expect(page).to_have_title("概览 · 考评")
        expect(page.get_by_text("当前用户：office-city（考核办）")).to_be_visible()
        menu = page.get_by_role("navigation", name="菜单")
        labels = menu.get_by_role("link").all_inner_texts()
        assert labels == [
            "概览",
            "单位",
            "人员",
            "人员账号",
            "领导班子",
            "考核对象",
            "导入",
            "指标模板",
            "指标数据",
            "测评活动",
            "示例页面",
            "插件",
            "数据源",
            "审计日志",
            "登录日志",
        ], labels
        expect(menu.get_by_role("link", name="概览")).to_have_attribute("aria-current", "page")
        expect(page.get_by_role("navigation", name="当前位置")).to_contain_text("概览")
        # the server announces 127.0.0.1: phones cannot reach it, and the page says how to fix it
        note = page.locator("#reachability")
        expect(note).to_contain_text("只有本机能打开考评系统")
        expect(note).to_contain_text("KAOPING_HOST=0.0.0.0")
        expect(note).to_contain_text("KAOPING_BASE_URL=")
        screenshot(page, "overview-zh")

        # Switching to the child locality (read only): the plugin is not enabled there, its entry goes.
        switcher = page.get_by_label("当前地区")
        expect(switcher.locator("option")).to_have_count(2)
        switcher.select_option("county-c")
        page.wait_for_load_state()
        expect(page.get_by_label("当前地区")).to_have_value("county-c")
        labels = page.get_by_role("navigation", name="菜单").get_by_role("link").all_inner_texts()
        assert "示例页面" not in labels and "审计日志" in labels

        # A page that does not exist: a page in the shell's look, not a bare error.
        response = page.goto(world.url + "/admin/localities/nowhere/people")
        assert response.status == 404
        expect(page.get_by_role("alert")).to_contain_text("没有")

        # The session ends (expired or revoked): the next click comes back here after signing in again.
        with world.ctx.db.write() as session:
            from sqlalchemy import delete

            from core.models import AuthToken

            session.execute(delete(AuthToken))
        page.goto(world.url + "/admin/account/password?x=1")
        page.wait_for_url("**/admin/login?next=*")
        sign_in(page, world.url, "office-city")
        page.wait_for_url("**/admin/account/password?x=1")

        # English, once.
        page.goto(world.url + "/admin/?lang=en")
        expect(page).to_have_title("Overview · Kaoping")
        labels = page.get_by_role("navigation", name="Menu").get_by_role("link").all_inner_texts()
        assert labels == [
            "Overview",
            "Units",
            "People",
            "People's accounts",
            "Leadership teams",
            "Subjects",
            "Import",
            "Indicator templates",
            "Indicator values",
            "Campaigns",
            "Plugins",
            "Data sources",
            "Audit log",
            "Sign-in log",
        ], labels  # still the child locality: no example plugin there
        expect(page.locator("#reachability")).to_contain_text("Only this computer can open Kaoping")
        screenshot(page, "overview-en")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/admin/login")
    finally:
        context.close()


def test_a_tablet_sees_the_menu_without_scrolling_sideways(world, browser, tmp_path):
    world.locality("county-t", "示范县")
    world.user("office-t", "office", "county-t")
    context = browser.new_context(**TABLET)
    page = context.new_page()
    try:
        sign_in(page, world.url, "office-t")
        page.wait_for_url("**/admin/")
        expect(page.get_by_role("navigation", name="菜单").get_by_role("link", name="审计日志")).to_be_visible()
        assert fits(page)
        screenshot(page, "overview-tablet")
    finally:
        context.close()


def test_the_api_documentation_loads_nothing_from_the_internet(world, browser, tmp_path):
    context = browser.new_context(**DESKTOP)
    outside = []

    def only_local(route):
        if route.request.url.startswith(world.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    try:
        page.goto(world.url + "/schema")
        expect(page.get_by_role("heading", name="Kaoping API")).to_be_visible(timeout=20000)
        expect(page.get_by_text("/api/auth/token").first).to_be_visible()
        screenshot(page, "api-docs")
        fonts = page.evaluate(
            "[...document.styleSheets].flatMap(s => { try { return [...s.cssRules] } catch (e) "
            "{ return [] } }).filter(r => r instanceof CSSFontFaceRule).length"
        )
        assert fonts == 0
    finally:
        context.close()
    assert outside == []
