"""The quarterly evaluation in a browser (SQLite and PostgreSQL): the leader on a PC opens 季度评价
from the menu, grades a person by descriptions (no score on the page), the office publishes, and
the person sees the notice and their grade on a phone."""

from __future__ import annotations

from playwright.sync_api import expect

from core.schemas.indicators import GradeIn, IndicatorIn, TemplateIn
from core.services import templates
from plugins.worklog import evaluation
from tests.conftest import TEST_PASSWORD
from tests.e2e.console import DESKTOP, sign_in
from tests.e2e.phone import fits_the_screen, sign_in_admin
from tests.plugins.worklog.setup import SYSTEM, make_world

QUARTER = "2026-Q3"


def test_a_leader_grades_a_quarter_and_the_person_sees_the_published_grade(world, phone, browser):
    people = make_world(world.ctx)
    office = people.actors["office"]
    template = templates.create(
        world.ctx,
        SYSTEM,
        "wa",
        TemplateIn(
            name="季度评价",
            grade_scale=[
                GradeIn(label="好", score=95),
                GradeIn(label="较好", score=85),
                GradeIn(label="一般", score=75),
            ],
            indicators=[IndicatorIn(code="de", name="德"), IndicatorIn(code="ji", name="绩")],
        ),
    )
    evaluation.open_quarter(world.ctx, office, "wa", evaluation.QuarterIn(period=QUARTER, template_id=template.id))

    context = browser.new_context(**DESKTOP)
    desk = context.new_page()
    desk.set_default_timeout(15000)
    try:
        desk.goto(world.url + "/admin/login")
        sign_in(desk, world.url, "zhang")
        desk.get_by_role("navigation", name="菜单").get_by_role("link", name="季度评价").click()
        desk.get_by_role("link", name=QUARTER).click()
        card = desk.locator("form.grade-row", has_text="李明")
        card.get_by_label("德").select_option("好")
        card.get_by_label("绩").select_option("一般")
        card.get_by_role("button", name="保存评价").click()
        card = desk.locator("form.grade-row", has_text="李明")
        expect(card.locator("h2")).to_contain_text("已评价")
        shown = desk.locator("main").inner_text()  # what the leader reads (no hidden tokens)
        assert "95" not in shown and "75" not in shown  # descriptions only
    finally:
        context.close()

    evaluation.lock_quarter(world.ctx, office, "wa", QUARTER)
    evaluation.publish_quarter(world.ctx, office, "wa", QUARTER)
    page = phone()
    page.goto(world.url + "/me/worklog")
    page.wait_for_url("**/admin/login?next=*")
    sign_in_admin(page, "liming", TEST_PASSWORD)
    page.wait_for_url("**/me/worklog")
    expect(page.locator("#unread-count")).to_have_text("1")
    page.get_by_role("link", name="我的季度评价").click()
    expect(page.locator(".quarter-result h2")).to_have_text(f"{QUARTER}: 较好")  # (95 + 75) / 2 = 85
    assert fits_the_screen(page)
