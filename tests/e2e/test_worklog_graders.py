"""In a browser on a PC (SQLite and PostgreSQL): a leader pages through a board of 62 people with
HTMX (only the list is swapped, the address follows); the office sets who grades whom for a
quarter, and the leader assigned finds the person on their grading sheet."""

from __future__ import annotations

from playwright.sync_api import expect

from core.schemas.indicators import GradeIn, IndicatorIn, TemplateIn
from core.schemas.org import PersonIn
from core.services import org, templates
from plugins.worklog import evaluation
from tests.e2e.console import DESKTOP, sign_in
from tests.plugins.worklog.setup import SYSTEM, make_world

QUARTER = "2026-Q3"


def test_the_board_pages_in_place_and_the_office_reassigns_a_grader(world, browser):
    people = make_world(world.ctx)
    for i in range(60):
        org.create_person(world.ctx, SYSTEM, "wa", PersonIn(name=f"干部{i:02d}", unit_id=people.unit_a))
    template = templates.create(
        world.ctx,
        SYSTEM,
        "wa",
        TemplateIn(
            name="季度评价",
            grade_scale=[GradeIn(label="好", score=95), GradeIn(label="一般", score=75)],
            indicators=[IndicatorIn(code="de", name="德")],
        ),
    )
    evaluation.open_quarter(
        world.ctx, people.actors["office"], "wa", evaluation.QuarterIn(period=QUARTER, template_id=template.id)
    )
    context = browser.new_context(**DESKTOP)
    desk = context.new_page()
    desk.set_default_timeout(15000)
    try:
        sign_in(desk, world.url, "zhang")
        desk.goto(world.url + "/admin/localities/wa/worklog/board")
        expect(desk.locator("#board-range")).to_contain_text("第 1–50 人，共 62 人")
        desk.evaluate("window.__kept = 1")  # survives an HTMX swap, not a page load
        desk.locator("#board-pager a[rel=next]").click()
        expect(desk.locator("#board-range")).to_contain_text("第 51–62 人，共 62 人")
        assert desk.evaluate("window.__kept") == 1 and "page=2" in desk.url
        expect(desk.locator("#board tbody tr")).to_have_count(12)
        context.clear_cookies()

        sign_in(desk, world.url, "office-wa")
        desk.goto(world.url + f"/admin/localities/wa/worklog/quarters/{QUARTER}")
        desk.get_by_role("link", name="评价人设置").click()
        desk.get_by_label("李明").check()
        desk.get_by_label("评价人").select_option(label="赵局长")
        desk.get_by_role("button", name="为勾选的人员设置").click()
        expect(desk.locator("#graders-done")).to_contain_text("1 项已更改")
        expect(desk.locator('#graders tr:has-text("李明") .grader')).to_have_text("赵局长")
        context.clear_cookies()

        sign_in(desk, world.url, "zhao")
        desk.goto(world.url + f"/admin/localities/wa/worklog/quarters/{QUARTER}?unit_id={people.unit_a}")
        expect(desk.locator("form.grade-row", has_text="李明")).to_have_count(1)
        expect(desk.locator("form.grade-row", has_text="王芳")).to_have_count(0)
    finally:
        context.close()
