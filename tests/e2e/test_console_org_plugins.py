"""Organisation and plugins in the browser, on a fresh locality: an office adds a unit and
moves another under it, imports people from an .xlsx with one bad row (sees the problem in a
table, fixes the file, imports it again), finds a person by name and by ID-card number (once
in English); and enables a plugin with a bad option, then a good one."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from playwright.sync_api import expect

from tests.e2e.console import DESKTOP, screenshot, sign_in

CARD = "11010519491231002X"


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(page, content: bytes) -> None:
    page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(
        files=[
            {
                "name": "人员.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": content,
            }
        ]
    )
    page.get_by_role("button", name="导入", exact=True).click()


def test_an_office_builds_its_units_imports_people_and_finds_them(world, browser, tmp_path):
    world.locality("county-e", "示范县")
    world.user("office-e", "office", "county-e")
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, world.url, "office-e")
        page.wait_for_url("**/admin/")
        menu = page.get_by_role("navigation", name="菜单")
        menu.get_by_role("link", name="单位").click()
        expect(page).to_have_title("单位 · 考评")

        # two units, then the second moved under the first
        for code, name in (("E1", "县教育局"), ("E2", "县教育局办公室")):
            page.get_by_label("单位编码（字母、数字、. _ -）").fill(code)
            page.get_by_label("单位名称").fill(name)
            page.get_by_label("单位类型").fill("县直部门")
            page.get_by_role("button", name="添加单位").click()
            expect(page.get_by_role("status")).to_have_text(f"已添加单位 {name}。")
        page.get_by_role("link", name="县教育局办公室").click()
        page.get_by_label("上级单位").select_option(label="县教育局 (E1)")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("status")).to_have_text("已保存。")
        menu.get_by_role("link", name="单位").click()
        expect(page.locator('tr[data-depth="1"]')).to_contain_text("县教育局办公室")
        screenshot(page, "units-zh")

        # import people: one bad row, nothing imported; the fixed file goes in
        menu.get_by_role("link", name="导入").click()
        expect(page.get_by_role("link", name="模板（.xlsx）").first).to_be_visible()
        page.get_by_label("文件内容").select_option("people")
        header = ["姓名", "性别", "出生年月", "单位编码", "身份证号", "现任职务"]
        rows = [
            ["王小明", "男", "1984-09", "E1", CARD, "局长"],
            ["李红", "女", "1990-13", "E2", "", "科员"],
            ["赵刚", "男", "1979-01", "E2", "", "科员"],
        ]
        _upload(page, _xlsx([header, *rows]))
        expect(page.locator("#import-error")).to_have_text("文件中有 1 处问题，未导入任何数据")
        problem = page.locator("#import-problems tbody tr")
        expect(problem).to_have_count(1)
        expect(problem).to_contain_text("3")
        expect(problem).to_contain_text("出生年月 (C)")
        expect(problem).to_contain_text("不是年月（例如 1984-09）")
        screenshot(page, "import-errors-zh")
        rows[1][2] = "1990-12"
        page.get_by_label("文件内容").select_option("people")
        _upload(page, _xlsx([header, *rows]))
        expect(page.locator("#import-result")).to_have_text("已导入 3 行：新增 3，更新 0。")

        # find people: by the beginning of a name, by ID-card number, by unit
        menu.get_by_role("link", name="人员", exact=True).click()
        expect(page.locator("#people-count")).to_have_text("第 1–3 人，共 3 人")
        page.get_by_label("姓名（开头部分）或身份证号").fill("王小")
        page.get_by_role("button", name="搜索").click()
        row = page.get_by_role("row", name=re.compile("王小明"))
        expect(row).to_contain_text("1101**********002X")
        expect(page.locator("#people-count")).to_have_text("第 1–1 人，共 1 人")
        page.get_by_label("姓名（开头部分）或身份证号").fill(CARD)
        page.get_by_role("button", name="搜索").click()
        expect(page.get_by_role("row", name=re.compile("王小明"))).to_be_visible()
        page.get_by_label("姓名（开头部分）或身份证号").fill("")
        page.get_by_label("单位", exact=True).select_option(label="\u3000县教育局办公室")
        page.get_by_role("button", name="搜索").click()
        expect(page.locator("#people-count")).to_have_text("第 1–2 人，共 2 人")
        screenshot(page, "people-zh")

        # one step in English
        page.goto(page.url + "&lang=en")
        expect(page).to_have_title("People · Kaoping")
        expect(page.locator("#people-count")).to_have_text("1–2 of 2 people")
        page.get_by_role("link", name="赵刚").click()
        expect(page.get_by_label("ID-card number")).to_have_value("")
        page.get_by_label("Post", exact=True).fill("副科长")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_have_text("Saved.")
        expect(page.get_by_label("Post", exact=True)).to_have_value("副科长")
        screenshot(page, "person-en")
    finally:
        context.close()


def test_an_office_enables_a_plugin_with_a_bad_then_a_good_option(world, browser, tmp_path):
    world.locality("county-g", "示范县")
    world.user("office-g", "office", "county-g")
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        sign_in(page, world.url, "office-g")
        page.wait_for_url("**/admin/")
        page.get_by_role("navigation", name="菜单").get_by_role("link", name="插件").click()
        expect(page).to_have_title("插件 · 考评")
        row = page.locator('tr[data-plugin="example"]')
        expect(row).to_contain_text("示例插件")
        expect(row).to_contain_text("以考核对象得分最高的测评人类别计分。")
        expect(row).to_contain_text("已停用")
        row.get_by_role("link", name="示例插件").click()

        page.get_by_label("为本地区启用").check()
        # the example plugin has no catalogue: its field is labelled as its schema says, "Note",
        # never with another plugin's translation of the word (the goals plugin's 说明)
        note = page.get_by_label("Note", exact=True)
        expect(page.get_by_label("说明")).to_have_count(0)
        note.fill("备" * 101)
        page.get_by_role("button", name="保存").click()
        expect(page.locator("#e-opt_note")).to_have_text("最多 100 个字符")
        expect(note).to_have_value("备" * 101)  # kept as typed
        expect(page.get_by_label("为本地区启用")).to_be_checked()
        screenshot(page, "plugin-error-zh")

        note.fill("试点")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("status")).to_have_text("已保存。")
        expect(page.locator("#e-opt_note")).to_have_count(0)
        # the plugin's menu entry now shows for this locality
        expect(page.get_by_role("navigation", name="菜单").get_by_role("link", name="示例页面")).to_be_visible()

        page.get_by_role("navigation", name="菜单").get_by_role("link", name="插件").click()
        expect(page.locator('tr[data-plugin="example"]')).to_contain_text("已启用")
        page.get_by_role("button", name="停用 示例插件").click()  # confirmed in the dialog
        expect(page.get_by_role("status")).to_have_text("已停用 示例插件。")
        screenshot(page, "plugins-zh")
    finally:
        context.close()


def test_an_office_creates_a_file_data_source_and_uploads_a_file(world, browser, tmp_path):
    from tests.adapter_setup import make_county

    county = make_county(world.ctx, "county-d", adapters_enabled=("tabular_file",))
    world.user("office-d", "office", "county-d")
    unit_code = sorted(county.subject_by_unit)[0]
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, world.url, "office-d")
        page.wait_for_url("**/admin/")
        page.get_by_role("navigation", name="菜单").get_by_role("link", name="数据源").click()
        page.get_by_role("link", name="新建数据源").click()
        page.get_by_label("数据从哪里来").select_option("tabular_file")
        page.get_by_role("button", name="下一页").click()
        page.get_by_label("名称").fill("月报文件")
        page.get_by_label("文件夹", exact=True).fill("inbox")
        page.get_by_label("标明考核对象的字段").fill("单位编码")
        page.get_by_label("标明期间的字段（或留空，在下面选择）").fill("月份")
        page.get_by_label("数值：每行一项").fill(f"办结件数, {county.template_id}")  # the indicator code is missing
        page.get_by_role("button", name="创建数据源").click()
        expect(page.locator("#e-values")).to_contain_text("第 1 行")
        expect(page.get_by_label("名称")).to_have_value("月报文件")
        page.get_by_label("数值：每行一项").fill(f"办结件数, {county.template_id}, CASES")
        page.get_by_role("button", name="创建数据源").click()
        expect(page.get_by_role("status")).to_have_text("已创建数据源。")

        page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(
            files=[
                {
                    "name": "月报.csv",
                    "mimeType": "text/csv",
                    "buffer": f"单位编码,月份,办结件数\n{unit_code},2026-10,95\n".encode(),
                }
            ]
        )
        page.get_by_role("button", name="上传", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("下次运行时读取")
        page.get_by_role("button", name="预览前几行").click()
        expect(page.locator("#preview")).to_contain_text("95.0")
        page.get_by_role("button", name="立即运行").click()
        expect(page.get_by_role("status")).to_contain_text("第 1 次运行")
        expect(page.locator("#runs")).to_contain_text("写入 1 个指标值")
        screenshot(page, "source-zh")
        assert county.values()[(county.subject_by_unit[unit_code], "CASES", "2026-10")] == 95
    finally:
        context.close()
