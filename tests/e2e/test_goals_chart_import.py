"""Goals in a browser: the progress page draws the plan-against-actual line chart (ECharts draws
its canvas; the chart's series, the numbers table and the goal's reports agree, over two years of
a goal copied to the next year, one year chosen after); the tree page imports a whole goal tree
from a sheet (the goals appear as drafts) and refuses a bad sheet with its row and column,
changing nothing."""

from __future__ import annotations

import io

from openpyxl import Workbook
from playwright.sync_api import expect

from plugins.goals import copying, progress, sheets
from plugins.goals.access import today
from plugins.goals.schemas import CopyIn, ProgressIn
from tests.e2e.console import DESKTOP, screenshot, sign_in
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import make_world


def _desk(browser):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _table(page) -> list[tuple[str, float, float]]:
    rows = page.locator("#plan-table tbody tr")
    out = []
    for i in range(rows.count()):
        period, plan, actual = (c.strip() for c in rows.nth(i).locator("td").all_inner_texts())
        out.append((period, float(plan.rstrip("%")), float(actual.rstrip("%"))))
    return out


def _drawn(page) -> list[dict]:
    """The series ECharts drew (its own option, read back from the chart)."""
    return page.evaluate(
        """() => {
          const box = document.querySelector('#plan-vs-actual div.chart');
          const chart = window.echarts.getInstanceByDom(box);
          const option = chart.getOption();
          return option.series.map(s => ({name: s.name, data: s.data}));
        }"""
    )


def test_the_progress_page_draws_plan_against_actual_over_the_years(world, browser, tmp_path):
    ids = make_world(world.ctx)
    year = today(world.ctx).year
    admin = ids.actors["admin_a"]
    leaf = goal(world.ctx, ids, "制度建设", year=year, start=f"{year}-01-01", end=f"{year}-12-31")
    for period, percent in ((f"{year}-03", 20), (f"{year}-Q2", 45), (f"{year}-09", 70)):
        progress.report(world.ctx, admin, "ga", leaf.id, ProgressIn(period=period, percent=percent))
    copy = copying.copy_goals(
        world.ctx, admin, "ga", CopyIn(unit_id=ids.unit_a, team_id=ids.team, year=year, to_year=year + 1)
    )[0]
    progress.report(world.ctx, admin, "ga", copy.id, ProgressIn(period=f"{year + 1}-03", percent=30))
    reports = [
        (r.period, r.percent)
        for g in (leaf.id, copy.id)
        for r in progress.goal_detail(world.ctx, admin, "ga", g).progress
    ]
    context, page = _desk(browser)
    try:
        sign_in(page, world.url, "admin-a")
        page.goto(f"{world.url}/admin/localities/ga/goals/{copy.id}/progress")
        chart = page.locator("#plan-vs-actual div.chart")
        expect(chart).to_be_visible()
        expect(chart.locator("canvas")).to_have_count(1)
        box = chart.bounding_box()
        assert box["width"] > 200 and box["height"] > 200
        page.locator("#plan-vs-actual summary").click()
        table = _table(page)
        assert [(period, actual) for period, _plan, actual in table] == reports
        drawn = _drawn(page)
        assert [s["name"] for s in drawn] == [f"{year} 计划", f"{year} 实际", f"{year + 1} 计划", f"{year + 1} 实际"]
        # the x axis: the period's place in the year, a quarter after the months it ends with
        places = ["03", "Q2", "09"]
        by_year = {
            y: {p[5:]: (plan, actual) for p, plan, actual in table if p.startswith(str(y))} for y in (year, year + 1)
        }
        for index, y in enumerate((year, year + 1)):
            assert drawn[2 * index]["data"] == [by_year[y].get(n, (None,))[0] for n in places]
            assert drawn[2 * index + 1]["data"] == [by_year[y].get(n, (None, None))[1] for n in places]
        screenshot(page, "goals-plan-vs-actual-years")

        form = page.locator("#history-years")
        form.get_by_label(str(year + 1)).uncheck()
        form.get_by_role("button", name="显示").click()
        expect(page.locator("#history-years").get_by_label(str(year + 1))).not_to_be_checked()
        expect(page.locator("#plan-vs-actual div.chart canvas")).to_have_count(1)
        drawn = _drawn(page)
        assert [s["name"] for s in drawn] == ["计划进度", "实际进度"]
        assert drawn[1]["data"] == [actual for period, actual in reports if period.startswith(str(year))]
    finally:
        context.close()


def _book(rows: list[dict]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheets.GOALS_SHEET
    sheet.append(sheets.GOAL_HEADER)
    for values in rows:
        sheet.append([values.get(column) for column in sheets.GOAL_HEADER])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_unit_admin_imports_a_whole_goal_tree_and_a_bad_sheet_changes_nothing(world, browser, tmp_path):
    ids = make_world(world.ctx)
    year = today(world.ctx).year
    good = _book(
        [
            {"目标编号": "A", "上级编号": None, "目标名称": "优化营商环境", "权重": 2, "类型": "定性"},
            {"目标编号": "A1", "上级编号": "A", "目标名称": "压缩审批时限", "权重": 1, "类型": "定性"},
            {"目标编号": "A2", "上级编号": "A", "目标名称": "推行一网通办", "权重": 1, "类型": "定性"},
        ]
    )
    bad = _book(
        [
            {"目标编号": "B", "上级编号": None, "目标名称": "乡村振兴", "类型": "定性"},
            {"目标编号": "B1", "上级编号": "X9", "目标名称": "产业发展", "类型": "定性"},
            {"目标编号": "B2", "上级编号": "B", "目标名称": "人居环境", "权重": "很多", "类型": "定性"},
        ]
    )
    (tmp_path / "good.xlsx").write_bytes(good)
    (tmp_path / "bad.xlsx").write_bytes(bad)
    context, page = _desk(browser)
    try:
        sign_in(page, world.url, "admin-a")
        page.goto(f"{world.url}/admin/localities/ga/goals?unit_id={ids.unit_a}&team_id={ids.team}&year={year}")
        expect(page.get_by_text("本年度还没有目标。")).to_be_visible()
        page.locator("#f-tree").set_input_files(str(tmp_path / "good.xlsx"))
        page.locator("#upload-tree").click()
        expect(page.locator("#goals-imported")).to_have_text("已导入 3 个目标（草稿）。")
        rows = page.locator("#goals tbody tr")
        expect(rows).to_have_count(3)
        names = [t.split("\n")[0].split("（")[0].strip() for t in rows.locator("th").all_inner_texts()]
        assert names == ["优化营商环境", "压缩审批时限", "推行一网通办"]
        expect(rows.filter(has_text="压缩审批时限")).to_contain_text("草稿")
        screenshot(page, "goals-tree-imported")

        page.locator("#f-tree").set_input_files(str(tmp_path / "bad.xlsx"))
        page.locator("#upload-tree").click()
        expect(page.locator("#sheet-error")).to_be_visible()
        problems = page.locator("#problems tbody tr")
        expect(problems.filter(has_text="上级编号")).to_contain_text("3")
        expect(problems.filter(has_text="X9")).to_have_count(1)
        expect(problems.filter(has_text="权重")).to_contain_text("很多")
        cells = [r.split("\t") for r in problems.all_inner_texts()]
        assert sorted((c[0].strip(), c[1].strip()) for c in cells) == [("3", "上级编号"), ("4", "权重")]
        screenshot(page, "goals-tree-import-refused")

        page.goto(f"{world.url}/admin/localities/ga/goals?unit_id={ids.unit_a}&team_id={ids.team}&year={year}")
        expect(page.locator("#goals tbody tr")).to_have_count(3)
        expect(page.locator("#goals")).not_to_contain_text("乡村振兴")
    finally:
        context.close()
    tree = progress.goal_tree(world.ctx, ids.actors["admin_a"], "ga", ids.unit_a, ids.team, year)
    assert [g.name for g in tree.goals] == ["优化营商环境", "压缩审批时限", "推行一网通办"]
