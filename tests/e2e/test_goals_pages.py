"""Goals in a browser: a unit admin on a PC enters a team's goal and a sub-goal, decomposes the
sub-goal to two members (the share difference shown while typing), publishes, then reports its
progress on a phone; the tree shows the roll-up."""

from __future__ import annotations

from playwright.sync_api import expect

from plugins.goals.access import today
from tests.conftest import TEST_PASSWORD
from tests.e2e.console import DESKTOP, screenshot, sign_in
from tests.e2e.phone import fits_the_screen, sign_in_admin
from tests.plugins.goals.setup import make_world


def test_a_unit_admin_enters_decomposes_publishes_and_reports_progress(world, browser, phone, tmp_path):
    make_world(world.ctx)
    quarter = f"{today(world.ctx).year}-Q{(today(world.ctx).month - 1) // 3 + 1}"
    context = browser.new_context(**DESKTOP)
    desk = context.new_page()
    desk.set_default_timeout(15000)
    try:
        sign_in(desk, world.url, "admin-a")
        desk.get_by_role("navigation", name="菜单").get_by_role("link", name="工作目标").click()
        desk.get_by_label("目标归属").select_option(label="县财政局领导班子")
        desk.get_by_role("button", name="显示").click()
        expect(desk.get_by_text("本年度还没有目标。")).to_be_visible()

        desk.get_by_role("link", name="新增目标").click()
        desk.get_by_label("名称").fill("一般公共预算收入增长")
        desk.get_by_label("类型").select_option(label="定量")
        desk.get_by_label("指标").select_option(label="一般公共预算收入（亿元）")
        desk.get_by_label("基数").fill("10")
        desk.get_by_label("目标值").fill("12")
        desk.get_by_role("button", name="保存").click()
        top = desk.locator("#goals tbody tr", has_text="一般公共预算收入增长")
        expect(top).to_contain_text("10.0 → 12.0 亿元")

        top.get_by_role("link", name="新增子目标").click()
        desk.get_by_label("名称").fill("清理历史欠税")
        desk.get_by_role("button", name="保存").click()
        sub = desk.locator("#goals tbody tr", has_text="清理历史欠税")
        expect(sub).to_be_visible()

        sub.get_by_role("link", name="分解").click()
        rows = desk.locator("#people tbody tr")
        li, wang = rows.filter(has_text="李明"), rows.filter(has_text="王芳")
        li.get_by_role("checkbox").check()
        li.get_by_label("责任比重（%）").fill("60")
        wang.get_by_role("checkbox").check()
        wang.get_by_label("角色").select_option("协办")
        wang.get_by_label("责任比重（%）").fill("30")
        expect(desk.locator("#share-sum")).to_have_text("合计：90% · 距 100% 还差 10%")
        wang.get_by_label("责任比重（%）").fill("40")
        expect(desk.locator("#share-sum")).to_have_text("合计：100%")
        desk.get_by_role("button", name="保存").click()
        expect(sub).to_contain_text("李明（主办 60.0%）")
        expect(sub).to_contain_text("王芳（协办 40.0%）")

        desk.once("dialog", lambda dialog: dialog.accept())
        desk.get_by_role("button", name="发布").click()
        expect(desk.locator("#published")).to_have_text("已发布 2 个目标。")
        screenshot(desk, "goals-tree")
        progress_href = sub.get_by_role("link", name="填报进度").get_attribute("href")
    finally:
        context.close()

    page = phone()
    page.goto(world.url + progress_href)
    page.wait_for_url("**/admin/login?next=*")
    sign_in_admin(page, "admin-a", TEST_PASSWORD)
    page.wait_for_url("**" + progress_href)
    expect(page.get_by_label("月份或季度")).to_have_value(quarter)
    page.get_by_label("完成百分比（0–100）").fill("50")
    page.get_by_label("主要工作完成情况").fill("已清理欠税 300 万元")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#saved")).to_have_text("进度已保存。")
    expect(page.locator("#reports")).to_contain_text("已清理欠税 300 万元")
    expect(page.locator("#goal-percent")).to_have_text("50.0%")
    assert fits_the_screen(page)
    screenshot(page, "goals-progress-phone")
    page.get_by_role("link", name="返回目标列表").click()
    expect(page.locator("#goals tbody tr", has_text="一般公共预算收入增长")).to_contain_text("50.0%")
    # The wide goals table scrolls in its own box, not the page: the page is the screen's width.
    # (A mobile browser widens its window to a wider page, so window.innerWidth proves nothing.)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] == 390


def test_a_county_leader_comments_and_the_unit_answers(world, browser, tmp_path):
    """A county leader opens a published goal from the comments menu, suggests something (kind 建议);
    the unit's admin sees the comment waiting, answers it privately; the leader reads the answer,
    and another unit's admin following the goal does not."""
    from plugins.goals import service
    from tests.plugins.goals.helpers import goal
    from tests.plugins.goals.setup import account

    ids = make_world(world.ctx)
    year = today(world.ctx).year
    account(world.ctx, "ga", "xianzhang", "leader")
    target = goal(world.ctx, ids, "一般公共预算收入增长", year=year, start=f"{year}-01-01", end=f"{year}-12-31")
    service.publish(world.ctx, ids.actors["admin_a"], "ga", ids.unit_a, ids.team, year)
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, world.url, "xianzhang")
        page.get_by_role("navigation", name="菜单").get_by_role("link", name="目标点评").click()
        page.get_by_label("单位").select_option(label="县财政局")
        page.get_by_role("button", name="显示").click()
        page.get_by_role("link", name="一般公共预算收入增长").click()
        page.get_by_label("点评类型").select_option("建议")
        page.get_by_label("写评论").fill("建议加大招商引资力度")
        page.get_by_role("button", name="发表评论").click()
        comment = page.locator("#comments li", has_text="建议加大招商引资力度")
        expect(comment).to_contain_text("建议")
        screenshot(page, "goals-comment")
        page.get_by_role("button", name="退出").click()

        sign_in(page, world.url, "admin-a")
        page.goto(f"{world.url}/admin/localities/ga/goals/comments?unit_id={ids.unit_a}&year={year}")
        expect(page.locator("#unanswered")).to_have_text("有 1 条点评等待答复。")
        page.get_by_role("link", name="一般公共预算收入增长").click()
        comment = page.locator("#comments li", has_text="建议加大招商引资力度")
        comment.get_by_label("答复", exact=True).fill("已制定专项方案")
        comment.get_by_label("公开答复").uncheck()
        comment.get_by_role("button", name="提交答复").click()
        expect(page.locator("#comments li", has_text="建议加大招商引资力度")).to_contain_text("已制定专项方案")
        expect(page.locator("#unanswered")).to_have_count(0)
        page.get_by_role("button", name="退出").click()

        sign_in(page, world.url, "xianzhang")
        page.goto(f"{world.url}/admin/localities/ga/goals/{target.id}/comments")
        expect(page.locator("#comments li", has_text="建议加大招商引资力度")).to_contain_text("已制定专项方案")
        page.get_by_role("button", name="退出").click()

        sign_in(page, world.url, "admin-b")
        page.goto(f"{world.url}/admin/localities/ga/goals/{target.id}/comments")
        expect(page.locator("#comments li", has_text="建议加大招商引资力度")).to_be_visible()
        expect(page.locator("#comments")).not_to_contain_text("已制定专项方案")
    finally:
        context.close()
