"""The units tree and the subjects list update in place like the people list: typing a word or
opening what lies below a unit swaps only the list (HTMX), the address follows (a reload shows the
same), a word typed while below a unit searches there; without JavaScript the same links and form
work as plain pages."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from core.models import Locality, Subject, Unit
from tests.e2e.console import DESKTOP, screenshot, sign_in


def _county(world) -> None:
    world.locality("county-w", "单位县")
    world.user("office-w", "office", "county-w")
    with world.ctx.db.write() as session:
        locality = session.exec(select(Locality.id).where(Locality.code == "county-w")).one()
        towns = Unit(locality_id=locality, code="W0", name="乡镇")
        offices = Unit(locality_id=locality, code="W1", name="县直部门")
        session.add_all([towns, offices])
        session.flush()
        session.add_all(
            Unit(locality_id=locality, code=f"W0-{i:03d}", name=f"第{i:03d}镇", parent_id=towns.id) for i in range(130)
        )
        session.add(Unit(locality_id=locality, code="W1-1", name="县财政局", parent_id=offices.id))
        session.add_all(
            Subject(locality_id=locality, name=f"第{i:03d}镇", kind="unit", category="乡镇") for i in range(60)
        )
        session.add(Subject(locality_id=locality, name="王局长", kind="person", category="干部"))


def _marked(page) -> bool:
    return page.evaluate("window.__kaopingListMark === 1")


def test_units_and_subjects_update_in_place_and_work_without_js(world, browser, tmp_path):
    _county(world)
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, world.url, "office-w")
        page.wait_for_url("**/admin/")
        page.goto(world.url + "/admin/localities/county-w/units")
        count = page.locator("#units-count")
        expect(count).to_have_text("共 133 个单位")
        page.evaluate("window.__kaopingListMark = 1")

        page.locator("#units-results").get_by_role("link", name="130 个下级单位").click()
        expect(count).to_have_text("乡镇下共 130 个单位")
        expect(page).to_have_url(re.compile(r"/units\?parent=\d+"))
        assert _marked(page)
        page.get_by_label("名称或编码包含").fill("第12")
        expect(count).to_have_text("乡镇下共 10 个单位")  # searched below 乡镇 only
        expect(page).to_have_url(re.compile(r"q=%E7%AC%AC12.*parent=\d+|parent=\d+.*q=%E7%AC%AC12"))
        assert _marked(page)
        screenshot(page, "units-below-filtered")
        page.locator("#units-trail").get_by_role("link", name="全部单位").click()
        expect(count).to_have_text("共 10 个单位")  # the word is kept, the parent dropped
        page.get_by_label("名称或编码包含").fill("")
        expect(count).to_have_text("共 133 个单位")
        page.locator("#units-results").get_by_role("link", name="›").click()
        expect(page.locator("#units-results")).to_contain_text("县财政局")
        expect(page).to_have_url(re.compile(r"page=2"))
        assert _marked(page)
        page.reload()
        expect(page.locator("#units-results")).to_contain_text("县财政局")

        page.goto(world.url + "/admin/localities/county-w/subjects")
        page.evaluate("window.__kaopingListMark = 1")
        subjects = page.locator("#subjects-count")
        expect(subjects).to_have_text("61 个考核对象")
        page.locator("#f-filter-kind").select_option("person")
        expect(subjects).to_have_text("1 个考核对象")
        expect(page.locator("#subjects-results")).to_contain_text("王局长")
        expect(page).to_have_url(re.compile(r"kind=person"))
        page.locator("#f-filter-kind").select_option("")
        page.get_by_label("名称包含").fill("镇")
        expect(subjects).to_have_text("60 个考核对象")
        page.locator("#subjects-results").get_by_role("link", name="›").click()
        expect(page.locator("#subjects-results")).to_contain_text("第059镇")
        assert _marked(page)
        screenshot(page, "subjects-second-page")
    finally:
        context.close()

    plain = browser.new_context(**DESKTOP, java_script_enabled=False)
    page = plain.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, world.url, "office-w")
        page.goto(world.url + "/admin/localities/county-w/units")
        page.locator("#units-results").get_by_role("link", name="›").click()  # 县直部门 is on page 2
        expect(page).to_have_url(re.compile(r"page=2"))
        page.locator("#units-results").get_by_role("link", name="1 个下级单位").click()
        expect(page.locator("#units-count")).to_have_text("县直部门下共 1 个单位")
        page.get_by_label("名称或编码包含").fill("财政")
        page.get_by_role("button", name="搜索").click()
        expect(page.locator("#units-count")).to_have_text("县直部门下共 1 个单位")
        expect(page).to_have_url(re.compile(r"q=%E8%B4%A2%E6%94%BF"))
        page.goto(world.url + "/admin/localities/county-w/subjects?kind=person")
        expect(page.locator("#subjects-count")).to_have_text("1 个考核对象")
    finally:
        plain.close()
