"""An office builds a three-level indicator template in the browser's tree editor, sees a level
whose weights do not add up, and imports the bureau's own indicator table from a sheet."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.console import DESKTOP, fits, screenshot, sign_in

BUREAU = Path("/work/shared/data/bureau-indicator-table.xlsx")


def _add(page, parent_row: str | None, code: str, name: str, weight: str) -> None:
    if parent_row:
        page.locator(f'tr[id="i-{parent_row}"]').get_by_role("link", name="添加下级").click()
    else:
        page.get_by_role("link", name="添加一级指标").click()
    page.get_by_label("编码").fill(code)
    page.get_by_label("名称").fill(name)
    page.get_by_label("权重").fill(weight)
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#indicator-tree")).to_contain_text(name)


def test_an_office_builds_a_template_in_the_tree_editor_and_imports_a_sheet(world, browser, tmp_path):
    world.locality("county-tpl", "示范县")
    world.user("office-tpl", "office", "county-tpl")
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, world.url, "office-tpl")
        page.wait_for_url("**/admin/")
        page.goto(world.url + "/admin/localities/county-tpl/templates")
        expect(page.get_by_role("heading", name="指标模板")).to_be_visible()
        page.get_by_label("名称", exact=True).fill("科级干部年度考核")
        page.get_by_label("第一个指标").fill("德")
        page.get_by_role("button", name="创建模板").click()
        expect(page.locator("#indicator-tree")).to_contain_text("德")

        _add(page, "1", "1.1", "政治品德", "60")
        _add(page, "1.1", "1.1.1", "理想信念", "100")
        _add(page, "1", "1.2", "职业道德", "30")
        _add(page, None, "2", "能", "50")
        rows = page.locator("#indicator-tree tbody tr")
        expect(rows).to_have_count(5)
        expect(page.locator('#indicator-tree tr[data-depth="2"]')).to_contain_text("理想信念")
        warnings = page.locator("#weight-warnings")
        expect(warnings).to_contain_text("1 德：90")  # 60 + 30 under 德
        screenshot(page, "template-editor")
        assert fits(page)

        page.locator("#indicator-tree").get_by_role("link", name="德", exact=True).click()
        page.get_by_label("权重").fill("50")
        page.get_by_role("button", name="保存").click()
        page.get_by_role("link", name="职业道德").click()
        page.get_by_label("权重").fill("40")
        page.get_by_role("button", name="保存").click()
        expect(page.locator("#weight-warnings")).to_have_count(0)  # every level adds up to 100 now

        page.goto(world.url + "/admin/localities/county-tpl/templates")
        page.get_by_label("新模板名称").fill("市场监管局机关一表")
        page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(str(BUREAU))
        page.get_by_role("button", name="导入").click()
        expect(page.get_by_text("已导入。")).to_be_visible()
        expect(page.locator("#indicator-tree")).to_contain_text("遵守工作纪律")
        expect(page.locator('#indicator-tree tr[data-depth="2"]')).to_have_count(20)
        screenshot(page, "template-imported")
    finally:
        context.close()
