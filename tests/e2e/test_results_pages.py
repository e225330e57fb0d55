"""A campaign's results in the browser, in zh-CN: the ranking with its bar chart, a subject's
radar chart beside its numbers, a grade adjusted with a reason, the results published (then
frozen), a team's bubble chart, and the ranking on a tablet. The charts are the vendored ECharts
drawing on a canvas from the numbers embedded in the page. Screenshots under the test's tmp folder."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.console import DESKTOP, TABLET, fits, sign_in
from tests.e2e.console import screenshot as _screenshot
from tests.results_setup import build


def _chart(page: Page, chart_id: str) -> dict:
    """The ECharts instance drawn in the chart box: its canvas size and the option it was given."""
    box = page.locator(f'div.chart[data-chart="{chart_id}"]')
    expect(box.locator("canvas").first).to_be_visible()
    return box.evaluate("""el => {
        const chart = echarts.getInstanceByDom(el);
        const canvas = el.querySelector("canvas");
        return {width: canvas.width, height: canvas.height, option: chart && chart.getOption()};
    }""")


def screenshot(page: Page, name: str) -> None:
    _screenshot(page, name, settle_ms=1200)  # the charts' opening animation


def test_an_office_reads_adjusts_and_publishes_results(world, browser, tmp_path):
    s = build(world)
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        sign_in(page, world.url, "office-county-r")
        page.wait_for_url("**/admin/")
        page.goto(world.url + s.results_url)
        expect(page.locator('nav.campaign-tabs a[aria-current="page"]')).to_have_attribute("data-tab", "results")
        expect(page.get_by_role("heading", name="班子成员")).to_be_visible()
        rows = page.locator("table.ranking tbody tr")
        expect(rows).to_have_count(4)
        expect(rows.nth(2)).to_contain_text("王五")
        expect(rows.nth(2)).to_contain_text("91.00")
        expect(rows.nth(0)).to_contain_text("名额临界并列")
        ranking = _chart(page, "chart-ranking-1")
        assert ranking["width"] > 100 and ranking["height"] > 100
        assert ranking["option"]["yAxis"][0]["data"][:2] == ["赵六", "王五"]  # best on top: drawn bottom up
        assert ranking["option"]["series"][0]["data"][:2] == [59, 91]
        assert fits(page)
        screenshot(page, "results-ranking")

        page.get_by_role("link", name="王五").click()
        expect(page.get_by_role("heading", name="王五", exact=True)).to_be_visible()
        radar = _chart(page, "chart-radar")
        assert [i["name"] for i in radar["option"]["radar"][0]["indicator"]] == ["政治品德", "职业道德", "工作实绩"]
        assert radar["option"]["series"][0]["data"][0]["value"] == [85, 85, 85]
        table = page.locator("#indicator-table")
        expect(table).to_contain_text("政治品德")
        expect(table.locator("tbody tr").first).to_contain_text("85.00")
        distribution = _chart(page, "chart-distribution")
        assert distribution["option"]["series"][0]["data"] == [1, 2, 0, 0]
        expect(page.locator("#distribution-table")).to_contain_text("66.7 %")
        expect(page.locator("ul.comments li")).to_have_count(2)
        expect(page.locator("#history-table")).to_contain_text("2025年度民主测评")
        screenshot(page, "results-subject")

        page.get_by_label("等次", exact=True).select_option("优秀")
        page.get_by_label("理由（必填，随结果保存并记入审计日志）").fill("加分项经组织核实，年度表现突出")
        page.get_by_role("button", name="调整等次").click()
        expect(page.get_by_role("status")).to_have_text("等次已调整，理由已记录。")
        expect(page.locator("#final-grade")).to_have_text("优秀")
        expect(page.locator("#adjustments-table")).to_contain_text("加分项经组织核实，年度表现突出")
        screenshot(page, "results-adjusted")

        page.locator('nav.campaign-tabs a[data-tab="results"]').click()
        expect(page.locator("table.ranking tbody tr").nth(2)).to_contain_text("已由称职调整为优秀")
        page.get_by_role("button", name="发布结果").click()
        expect(page.get_by_role("status")).to_have_text("已发布：结果已为最终结果。")
        expect(page.get_by_role("button", name="发布结果")).to_have_count(0)
        expect(page.get_by_role("button", name="重新计票")).to_have_count(0)
        expect(page.locator(".status-published")).to_have_text("状态：已发布")
        screenshot(page, "results-published")

        page.get_by_role("link", name="王五").click()
        expect(page.get_by_role("button", name="调整等次")).to_have_count(0)
        expect(page.get_by_text("结果已发布并冻结")).to_be_visible()

        page.goto(world.url + s.results_url)
        page.get_by_role("link", name="县财政局领导班子").click()
        bubbles = _chart(page, "chart-bubbles")
        assert [p[3] for p in bubbles["option"]["series"][0]["data"]] == ["王五"]
        page.get_by_label("纵轴").select_option("category:县领导")
        expect(page.locator("#team-table thead")).to_contain_text("县领导评分")
        bubbles = _chart(page, "chart-bubbles")
        assert sorted(p[3] for p in bubbles["option"]["series"][0]["data"]) == ["张三", "李四", "王五"]
        screenshot(page, "results-team")
    finally:
        context.close()

    tablet = browser.new_context(**TABLET)
    page = tablet.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, world.url, "office-county-r")
        page.wait_for_url("**/admin/")
        page.goto(world.url + s.results_url)
        assert _chart(page, "chart-ranking-1")["width"] > 100
        assert fits(page)
        page.get_by_role("link", name="王五").click()
        assert _chart(page, "chart-radar")["width"] > 100
        assert fits(page)
        screenshot(page, "results-subject-tablet")
    finally:
        tablet.close()
