"""The admin pages in a real browser at phone size: Chinese first, English on request."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from tests.e2e.phone import fits_the_screen, sign_in_admin


def test_office_user_signs_in_switches_language_and_signs_out(world, page):
    world.locality("county-e2e", "示范县")
    world.user("office-e2e", "office", "county-e2e")

    page.goto(world.url + "/admin/login")
    expect(page).to_have_title("登录 · 考评")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    assert fits_the_screen(page)

    sign_in_admin(page, "office-e2e", TEST_PASSWORD)
    page.wait_for_url("**/admin/")
    expect(page.get_by_text("当前用户：office-e2e（考核办）")).to_be_visible()
    expect(page.get_by_role("cell", name="county-e2e", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="示范县", exact=True)).to_be_visible()
    assert fits_the_screen(page)

    page.goto(world.url + "/admin/?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Signed in as office-e2e (assessment office)")).to_be_visible()
    expect(page.get_by_role("heading", name="Localities")).to_be_visible()
    assert fits_the_screen(page)

    page.goto(world.url + "/admin/")  # the choice is remembered
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/admin/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(world.url + "/admin/")  # signed out for real: back to the login page (and then here)
    page.wait_for_url("**/admin/login?next=*")

    page.get_by_role("link", name="中文").click()  # and back to Chinese with the header link
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_wrong_password_shows_the_chinese_error(world, page):
    world.locality("county-e2e", "示范县")
    world.user("office-e2e", "office", "county-e2e")

    page.goto(world.url + "/admin/login")
    sign_in_admin(page, "office-e2e", "not the right password")
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误。")
    expect(page).to_have_url(world.url + "/admin/login")
    expect(page.get_by_label("用户名")).to_be_visible()  # can try again at once
    assert fits_the_screen(page)

    sign_in_admin(page, "office-e2e", TEST_PASSWORD)  # the form still works after an error
    page.wait_for_url("**/admin/")
    expect(page.get_by_role("cell", name="示范县", exact=True)).to_be_visible()
