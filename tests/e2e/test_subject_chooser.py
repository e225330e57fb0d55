"""The subjects' bulk form in a browser: the office types in the units chooser and only its list
swaps (HTMX), ticks a unit, searches for another and ticks it too, the first still ticked, turns
the chooser's page, and adds both as subjects; without JavaScript the chooser's search button
opens the page with that search."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import select

from core.models import Locality, Subject, Unit
from tests.e2e.console import DESKTOP, sign_in


def _county(world) -> None:
    world.locality("county-q", "选择县")
    world.user("office-q", "office", "county-q")
    with world.ctx.db.write() as session:
        locality = session.exec(select(Locality.id).where(Locality.code == "county-q")).one()
        session.add_all(Unit(locality_id=locality, code=f"Q{i:03d}", name=f"第{i:03d}镇") for i in range(130))
        session.add(Unit(locality_id=locality, code="F1", name="县财政局"))


def test_the_office_searches_ticks_and_adds_subjects_in_place(world, browser):
    _county(world)
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, world.url, "office-q")
        page.wait_for_url("**/admin/")
        page.goto(world.url + "/admin/localities/county-q/subjects")
        page.evaluate("window.__kaopingChooserMark = 1")
        count = page.locator("#choose-units-count")
        expect(count).to_have_text("找到 131 个单位")
        expect(page.locator("#choose-units-list input[name='ids_units']")).to_have_count(30)
        search = page.get_by_label("按名称或编码查找单位")
        search.fill("财政")
        expect(count).to_have_text("找到 1 个单位")
        page.get_by_label("县财政局").check()
        search.fill("第12")
        expect(count).to_have_text("找到 10 个单位 · 已勾选 1 项")
        expect(page.get_by_label("县财政局")).to_be_checked()  # carried along
        page.get_by_label("第125镇").check()
        search.fill("镇")
        expect(count).to_have_text("找到 130 个单位 · 已勾选 2 项")
        page.locator("#choose-units-list").get_by_role("link", name="›").click()
        expect(page.locator("#choose-units-list .pager")).to_contain_text("2 / 5")
        expect(page.get_by_label("第125镇")).to_be_checked()
        assert page.evaluate("window.__kaopingChooserMark === 1")  # never reloaded
        page.get_by_label("考核对象类别（如").fill("乡镇和部门")
        page.get_by_label("下面勾选的单位").check()
        page.get_by_role("button", name="添加考核对象").click()
        expect(page.get_by_role("status")).to_contain_text("已添加 2 个考核对象。")
    finally:
        context.close()
    with world.ctx.db.read() as session:
        assert sorted(session.exec(select(Subject.name)).all()) == ["县财政局", "第125镇"]

    plain = browser.new_context(**DESKTOP, java_script_enabled=False)
    page = plain.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, world.url, "office-q")
        page.goto(world.url + "/admin/localities/county-q/subjects")
        page.get_by_label("按名称或编码查找单位").fill("第00")
        page.locator("#choose-units").get_by_role("button", name="搜索").click()
        expect(page.locator("#choose-units-count")).to_have_text("找到 10 个单位")
    finally:
        plain.close()
