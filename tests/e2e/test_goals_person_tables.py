"""一人一表 in a browser: a unit admin opens the page from the menu, splits an indicator between
two people (the difference from 100 % shown while typing), saves with another indicator short of
100 % (refused, named beside it, nothing written), corrects it and saves everything."""

from __future__ import annotations

from playwright.sync_api import expect

from core.schemas.indicators import GradeIn, IndicatorIn, TemplateIn
from core.services import templates
from plugins.goals import person_tables
from tests.e2e.console import DESKTOP, screenshot, sign_in
from tests.plugins.goals.setup import SYSTEM, make_world


def test_a_unit_admin_edits_shares_of_the_units_indicators(world, browser, tmp_path):
    made = make_world(world.ctx)
    template = templates.create(
        world.ctx,
        SYSTEM,
        "ga",
        TemplateIn(
            name="机关一表",
            grade_scale=[GradeIn(label="好", score=95), GradeIn(label="一般", score=70)],
            indicators=[IndicatorIn(code="A", name="财政收入"), IndicatorIn(code="B", name="预算执行")],
        ),
    )
    a, b = (i.id for i in template.indicators)
    context = browser.new_context(**DESKTOP)
    desk = context.new_page()
    desk.set_default_timeout(15000)
    try:
        sign_in(desk, world.url, "admin-a")
        desk.get_by_role("navigation", name="菜单").get_by_role("link", name="一人一表").click()
        expect(desk.locator("#unset")).to_have_text("共 2 项指标，2 项尚未分解到人。")
        expect(desk.locator(f"#sum-{a}")).to_have_text("尚未分解")

        desk.locator(f"#person-{a}-0").select_option(label="李明")
        desk.locator(f"#share-{a}-0").fill("60")
        expect(desk.locator(f"#sum-{a}")).to_have_text("合计：60% · 距 100% 还差 40%")
        desk.locator(f"#person-{a}-1").select_option(label="周五")
        desk.locator(f"#role-{a}-1").select_option("协办")
        desk.locator(f"#share-{a}-1").fill("50")
        expect(desk.locator(f"#sum-{a}")).to_have_text("合计：110% · 超出 100% 10%")
        desk.locator(f"#share-{a}-1").fill("40")
        expect(desk.locator(f"#sum-{a}")).to_have_text("合计：100%")
        desk.locator(f"#person-{b}-0").select_option(label="王芳")
        desk.locator(f"#share-{b}-0").fill("90")
        expect(desk.locator(f"#sum-{b}")).to_have_text("合计：90% · 距 100% 还差 10%")

        desk.get_by_role("button", name="全部保存").click()
        expect(desk.locator("#tables-error")).to_have_text("未保存：有 1 项指标需要更正")
        expect(desk.locator(f"#error-{b}")).to_contain_text("预算执行")
        expect(desk.locator(f"#error-{a}")).to_have_count(0)
        expect(desk.locator(f"#share-{a}-1")).to_have_value("40")  # what was typed is kept
        unsaved = person_tables.unit_table(world.ctx, SYSTEM, "ga", made.unit_a, template.id)
        assert [i.people for i in unsaved.indicators] == [[], []]

        desk.locator(f"#share-{b}-0").fill("100")
        expect(desk.locator(f"#sum-{b}")).to_have_text("合计：100%")
        desk.get_by_role("button", name="全部保存").click()
        expect(desk.locator("#saved")).to_have_text("已保存。")
        expect(desk.locator(f"#sum-{a}")).to_have_text("合计：100%")
        expect(desk.locator(f"#person-{a}-1")).to_have_value(str(made.people["周五"]))
        screenshot(desk, "goals-person-tables")
    finally:
        context.close()
    saved = person_tables.unit_table(world.ctx, SYSTEM, "ga", made.unit_a, template.id)
    assert [sorted((p.person_name, p.role, p.share) for p in i.people) for i in saved.indicators] == [
        [("周五", "协办", 40.0), ("李明", "主办", 60.0)],
        [("王芳", "主办", 100.0)],
    ]
