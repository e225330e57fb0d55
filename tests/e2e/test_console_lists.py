"""The people and teams lists update in place: typing in a filter or turning a page swaps only the
table (HTMX), the address follows (so a reload or a shared link shows the same), and Back goes
back; without JavaScript the same filters and pages work as a form and links."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from core.models import Locality, Person, Team, Unit
from tests.e2e.console import DESKTOP, screenshot, sign_in


def _county(world) -> None:
    world.locality("county-l", "列表县")
    world.user("office-l", "office", "county-l")
    with world.ctx.db.write() as session:
        locality = session.exec(select(Locality.id).where(Locality.code == "county-l")).one()
        finance = Unit(locality_id=locality, code="U0", name="县财政局")
        education = Unit(locality_id=locality, code="U1", name="县教育局")
        session.add_all([finance, education])
        session.flush()
        people = [(f"王{i:02d}", finance.id, "一级科员") for i in range(60)]
        people += [(f"李{i:02d}", education.id, "二级主任科员") for i in range(5)]
        session.add_all(
            Person(locality_id=locality, name=name, unit_id=unit, rank=rank, post="科员") for name, unit, rank in people
        )
        session.add(Team(locality_id=locality, unit_id=finance.id, name="财政局党组", type="party_committee"))
        session.add(Team(locality_id=locality, unit_id=education.id, name="教育局班子", type="department"))


def _marked(page) -> bool:
    """Whether the page is still the one loaded before (a full load would drop the mark)."""
    return page.evaluate("window.__kaopingListMark === 1")


def test_filters_and_pages_update_the_table_in_place_and_the_address_follows(world, browser, tmp_path):
    _county(world)
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, world.url, "office-l")
        page.wait_for_url("**/admin/")
        page.goto(world.url + "/admin/localities/county-l/people")
        count = page.locator("#people-count")
        expect(count).to_have_text("第 1–50 人，共 65 人")
        page.evaluate("window.__kaopingListMark = 1")

        page.get_by_label("职级").select_option("二级主任科员")
        expect(count).to_have_text("第 1–5 人，共 5 人")
        expect(page).to_have_url(re.compile(r"/people\?.*rank=%E4%BA%8C"))
        assert _marked(page)
        expect(page.locator("#people-export")).to_have_attribute("href", re.compile(r"rank=%E4%BA%8C"))

        page.get_by_label("职级").select_option("")
        page.get_by_label("姓名（开头部分）或身份证号").fill("王")
        expect(count).to_have_text("第 1–50 人，共 60 人")
        page.locator("#people-results").get_by_role("link", name="下一页").click()
        expect(count).to_have_text("第 51–60 人，共 60 人")
        expect(page).to_have_url(re.compile(r"q=%E7%8E%8B.*after=\d+"))
        assert _marked(page)
        screenshot(page, "people-second-page")
        page.go_back()
        expect(count).to_have_text("第 1–50 人，共 60 人")

        page.reload()  # the address alone shows the same list
        expect(count).to_have_text("第 1–50 人，共 60 人")
        expect(page.get_by_label("姓名（开头部分）或身份证号")).to_have_value("王")

        page.goto(world.url + "/admin/localities/county-l/teams")
        page.evaluate("window.__kaopingListMark = 1")
        expect(page.locator("#teams-count")).to_have_text("共 2 个领导班子")
        page.get_by_label("类型").select_option("department")
        expect(page.locator("#teams-count")).to_have_text("共 1 个领导班子")
        expect(page.locator("#teams-results")).to_contain_text("教育局班子")
        expect(page.locator("#teams-results")).not_to_contain_text("财政局党组")
        expect(page).to_have_url(re.compile(r"/teams\?.*type=department"))
        assert _marked(page)
        screenshot(page, "teams-filtered")
    finally:
        context.close()

    plain = browser.new_context(**DESKTOP, java_script_enabled=False)
    page = plain.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, world.url, "office-l")
        page.goto(world.url + "/admin/localities/county-l/people")
        page.get_by_label("姓名（开头部分）或身份证号").fill("李")
        page.get_by_role("button", name="搜索").click()
        expect(page.locator("#people-count")).to_have_text("第 1–5 人，共 5 人")
        expect(page).to_have_url(re.compile(r"q=%E6%9D%8E"))
    finally:
        plain.close()
