"""A campaign set up in the browser, in zh-CN, on a fresh locality: an office creates it (a wrong
window is refused beside its field), adds the subjects of one category, defines two evaluator
categories, keeps the default scoring rule, sees what is still missing and that opening is
refused with that list, then (accounts issued) opens it; closes it after seeing the turnout,
sets a minimum turnout the leaders miss, and tallies with a reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from core.context import Actor
from core.schemas.org import SubjectIn, UnitIn
from core.services import org
from core.services import subjects as subject_service
from tests.campaign_setup import TEMPLATE
from tests.core.services.test_tally import vote
from tests.e2e.console import DESKTOP, screenshot, sign_in

SYSTEM = Actor.system("test")
LOCAL = "%Y-%m-%dT%H:%M"  # what a datetime-local input takes


def _fresh_locality(world) -> None:
    world.locality("county-k", "示范县")
    world.user("office-k", "office", "county-k")
    for index, (name, category) in enumerate(
        [("城关镇", "乡镇"), ("河口镇", "乡镇"), ("山南乡", "乡镇"), ("县财政局", "县直部门")]
    ):
        unit = org.create_unit(world.ctx, SYSTEM, "county-k", UnitIn(code=f"K{index}", name=name))
        subject_service.create_subject(
            world.ctx, SYSTEM, "county-k", SubjectIn(name=name, kind="unit", ref_id=unit.id, category=category)
        )


def test_an_office_sets_up_a_campaign_step_by_step_opens_closes_and_tallies_it(world, browser, tmp_path):
    _fresh_locality(world)
    api = world.client(world.user("office-k-api", "office", "county-k"))
    assert api.post("/api/localities/county-k/templates", json=TEMPLATE).status_code == 201
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        sign_in(page, world.url, "office-k")
        page.wait_for_url("**/admin/")
        page.get_by_role("navigation", name="菜单").get_by_role("link", name="测评活动").click()
        expect(page).to_have_title("测评活动 · 考评")
        page.get_by_role("link", name="新建测评活动").click()

        page.get_by_label("名称").fill("2026年度民主测评")
        now = datetime.now(ZoneInfo(world.ctx.settings.timezone))
        opens, closes = (now - timedelta(days=1)).strftime(LOCAL), (now + timedelta(days=7)).strftime(LOCAL)
        page.get_by_label("投票开始时间").fill(opens)
        page.get_by_label("投票结束时间").fill((now - timedelta(days=2)).strftime(LOCAL))
        page.get_by_role("button", name="创建测评活动").click()
        expect(page.locator("#e-closes_at")).to_have_text("结束时间必须晚于开始时间")
        expect(page.get_by_label("名称")).to_have_value("2026年度民主测评")
        page.get_by_label("投票结束时间").fill(closes)
        page.get_by_role("button", name="创建测评活动").click()
        expect(page.get_by_role("status")).to_have_text("测评活动已创建。下面请选择考核对象。")

        # subjects: the three 乡镇
        page.get_by_label("考核对象类别").select_option("乡镇")
        page.get_by_role("button", name="筛选").click()
        expect(page.locator("#subject-matching")).to_have_text("本地区有 3 个考核对象符合条件，其中 0 个已在本测评中。")
        page.get_by_role("button", name="添加符合条件的 3 个考核对象").click()
        expect(page.get_by_role("status")).to_have_text("已添加 3 个考核对象。")
        expect(page.locator("#campaign-subjects tbody tr")).to_have_count(3)

        # the overview says what is missing so far
        page.get_by_role("navigation", name="测评活动").get_by_role("link", name="概览").click()
        expect(page.locator("#missing")).to_contain_text("测评还没有测评主体")

        # evaluator categories
        page.get_by_role("navigation", name="测评活动").get_by_role("link", name="设置").click()
        page.get_by_role("navigation", name="设置步骤").get_by_role("link", name="测评主体").click()
        page.locator("#f-c0_name").fill("县领导")
        page.locator("#f-c0_weight").fill("40")
        page.locator("#f-c0_template").select_option(label="民主测评表")
        page.locator("#f-c1_name").fill("基层代表")
        page.locator("#f-c1_weight").fill("60")
        page.locator("#f-c1_template").select_option(label="民主测评表")
        page.locator("fieldset[data-row='1']").get_by_label("乡镇").check()
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("status")).to_have_text("已保存。")
        expect(page.locator("#f-c1_name")).to_have_value("基层代表")

        page.get_by_role("link", name="下一步：计分与分布").click()
        expect(page.locator("#f-rule-weighted_mean")).to_be_checked()
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("status")).to_have_text("已保存。")

        # before the accounts: missing in words, and opening refused with that list
        page.get_by_role("navigation", name="测评活动").get_by_role("link", name="概览").click()
        expect(page.locator("#missing li")).to_have_text(
            ["测评主体“县领导”：尚未发放测评账号", "测评主体“基层代表”：尚未发放测评账号"]
        )
        screenshot(page, "campaign-missing")
        page.get_by_role("button", name="开始测评").click()
        expect(page.get_by_role("alert")).to_contain_text("测评还不能开始")
        expect(page.locator("#open-problems li")).to_have_count(2)
        expect(page.locator("#campaign-status")).to_have_text("设置中")

        campaign_id = int(page.url.rstrip("/").split("/campaigns/")[1].split("/")[0])
        codes = {}
        for category in ("县领导", "基层代表"):
            issued = api.post(f"/api/campaigns/{campaign_id}/accounts", json={"category": category, "count": 3})
            assert issued.status_code == 201, issued.text
            codes[category] = [a["code"] for a in issued.json()["accounts"]]
        page.goto(f"{world.url}/admin/localities/county-k/campaigns/{campaign_id}")
        expect(page.locator("#ready")).to_have_text("设置已齐全：测评可以开始。")
        page.get_by_role("button", name="开始测评").click()
        expect(page.get_by_role("status")).to_have_text("测评已开始：测评人可以投票。")
        expect(page.locator("#campaign-status")).to_have_text("投票中")
        expect(page.locator("#turnout tbody tr")).to_have_count(2)
        screenshot(page, "campaign-open")

        # the setup is read-only now
        page.get_by_role("navigation", name="测评活动").get_by_role("link", name="设置").click()
        expect(page.get_by_role("button", name="保存")).to_have_count(0)
        expect(page.get_by_label("名称")).to_have_count(0)

        # two of three leaders and every representative vote; close after seeing the turnout
        subjects = [
            s["id"] for s in api.get("/api/localities/county-k/subjects").json()["items"] if s["category"] == "乡镇"
        ]
        for code in codes["县领导"][:2] + codes["基层代表"]:
            vote(world, code, {s: "称职" for s in subjects})
        page.get_by_role("navigation", name="测评活动").get_by_role("link", name="概览").click()
        page.get_by_role("link", name="结束测评…").click()
        expect(page.locator("#turnout tbody tr").first).to_contain_text("66.7 %")
        screenshot(page, "campaign-close")
        page.get_by_role("button", name="确认结束测评").click()
        expect(page.get_by_role("status")).to_have_text("测评已结束：不再接收测评票。")
        expect(page.locator("#campaign-status")).to_have_text("已结束")

        # a minimum of 80 %: the tally is refused with the figures until a reason is given
        page.get_by_role("navigation", name="菜单").get_by_role("link", name="测评活动").click()
        page.get_by_label("计票所需的各测评主体最低参评率（%）").fill("80")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("status")).to_have_text("已保存。")
        page.get_by_role("link", name="2026年度民主测评").click()
        page.get_by_role("button", name="计票").click()
        expect(page.get_by_role("alert")).to_contain_text("县领导 2/3 (66.7 %)")
        page.get_by_label("仍要计票的理由（记入审计日志）").fill("一名县领导出差，经研究同意计票")
        screenshot(page, "campaign-low-turnout")
        page.get_by_role("button", name="仍然计票").click()
        expect(page.get_by_role("status")).to_have_text("已完成计票。")
        expect(page.locator("#campaign-status")).to_have_text("已计票")
    finally:
        context.close()
