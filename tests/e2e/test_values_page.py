"""Indicator values in the browser: an office opens 指标数据 from the menu, types a period as
offices write it, types two values (one wrong first: its message beside the cell), saves, and
sees the values with where they came from."""

from __future__ import annotations

from playwright.sync_api import expect

from core.context import Actor
from core.schemas.indicators import TemplateIn
from core.schemas.org import SubjectIn
from core.services import subjects as subject_service
from core.services import templates
from tests.e2e.console import DESKTOP, screenshot, sign_in

SYSTEM = Actor.system("test")
SCALE = [{"label": "优秀", "score": 95}, {"label": "称职", "score": 80}]


def test_an_office_types_two_values_and_sees_where_they_came_from(world, browser, tmp_path):
    world.locality("county-x", "示范县")
    world.user("office-x", "office", "county-x")
    templates.create(
        world.ctx,
        SYSTEM,
        "county-x",
        TemplateIn.model_validate(
            {
                "name": "月度考核",
                "grade_scale": SCALE,
                "period_kind": "month",
                "indicators": [
                    {"code": "DE", "name": "德", "weight": 100},
                    {"code": "N1", "name": "办件数", "kind": "numeric"},
                    {"code": "V1", "name": "一票否决", "kind": "veto"},
                ],
            }
        ),
    )
    subject_service.create_subject(
        world.ctx, SYSTEM, "county-x", SubjectIn(name="县财政局", kind="unit", category="部门")
    )
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, world.url, "office-x")
        page.wait_for_url("**/admin/")
        page.get_by_role("navigation", name="菜单").get_by_role("link", name="指标数据").click()
        expect(page).to_have_title("指标数据 · 考评")
        page.get_by_label("期间").fill("2026年11月")
        page.get_by_role("button", name="显示").click()
        expect(page.get_by_role("heading", name="月度考核 · 2026-11")).to_be_visible()

        page.get_by_label("县财政局 办件数").fill("12")
        page.get_by_label("县财政局 一票否决").fill("2")
        page.get_by_role("button", name="保存本页").click()
        expect(page.get_by_text("2 不是否决项的值：请填 1（否决）或 0（不否决）")).to_be_visible()
        expect(page.get_by_label("县财政局 办件数")).to_have_value("12")  # kept, not saved
        screenshot(page, "values-bad-cell")

        page.get_by_label("县财政局 一票否决").fill("0")
        page.get_by_role("button", name="保存本页").click()
        expect(page.get_by_role("status")).to_have_text("已保存：写入 2 个数值，清除 0 个。")
        expect(page.get_by_label("县财政局 办件数")).to_have_value("12")
        expect(page.get_by_label("县财政局 一票否决")).to_have_value("0")
        expect(page.get_by_text("键入：office-x")).to_have_count(2)
        screenshot(page, "values-grid")
    finally:
        context.close()
