"""Comments, likes and files of a work record in a browser: the leader on a PC reads a record,
comments on it and likes it; the author on a 390 px phone sees the notices, follows one to the
record, reads the comment, and attaches a file that the leader then sees."""

from __future__ import annotations

from playwright.sync_api import expect

from core.periods import Period
from plugins.worklog import service
from plugins.worklog.schemas import EntryIn
from tests.conftest import TEST_PASSWORD
from tests.e2e.console import DESKTOP, screenshot, sign_in
from tests.e2e.phone import fits_the_screen, sign_in_admin
from tests.plugins.worklog.setup import make_world


def test_a_leader_comments_and_the_author_sees_the_notice_and_the_comment(world, phone, browser, tmp_path):
    setup = make_world(world.ctx)
    week = str(Period.from_date("week", service.today(world.ctx)))
    entry = service.write_entry(
        world.ctx,
        setup.actors["author"],
        "wa",
        "weekly_record",
        week,
        EntryIn(body="走访企业3家\n整理扶贫台账", submit=True),
    ).id

    context = browser.new_context(**DESKTOP)
    desk = context.new_page()
    desk.set_default_timeout(15000)
    try:
        sign_in(desk, world.url, "zhang")
        desk.goto(f"{world.url}/admin/localities/wa/worklog/entries/{entry}")
        expect(desk.locator("#entry-body")).to_have_text("走访企业3家\n整理扶贫台账")
        desk.get_by_label("写评论").fill("台账要按月归档，继续保持")
        desk.get_by_role("button", name="发表评论").click()
        expect(desk.locator("#comments")).to_contain_text("台账要按月归档，继续保持")
        desk.locator("#like").click()
        expect(desk.locator("#like")).to_have_text("已赞 · 1")
        screenshot(desk, "leader-comments")
    finally:
        context.close()

    page = phone()
    page.goto(world.url + "/me/worklog")
    page.wait_for_url("**/admin/login?next=*")
    sign_in_admin(page, "liming", TEST_PASSWORD)
    page.wait_for_url("**/me/worklog")
    expect(page.locator("#unread-count")).to_have_text("3")  # read, commented, liked
    page.locator("#notifications-link").click()
    notices = page.locator("#notifications")
    expect(notices).to_contain_text("张局长评论了你的工作纪实：台账要按月归档，继续保持")
    expect(notices).to_contain_text("张局长赞了你的工作纪实")
    notices.get_by_role("button", name="张局长评论了你的工作纪实：台账要按月归档，继续保持").click()
    page.wait_for_url(f"**/me/worklog/entries/{entry}")
    expect(page.locator("#comments")).to_contain_text("张局长")
    expect(page.locator("#comments")).to_contain_text("台账要按月归档，继续保持")
    expect(page.locator("#liked-by")).to_have_text("张局长赞了")
    assert fits_the_screen(page)

    page.get_by_label("上传附件").set_input_files(
        files=[{"name": "走访记录.txt", "mimeType": "text/plain", "buffer": "走访企业：甲、乙、丙".encode()}]
    )
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator("#files")).to_contain_text("走访记录.txt")
    page.get_by_label("上传附件").set_input_files(
        files=[{"name": "报告.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a pdf"}]
    )
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator("#files [role=alert]")).to_contain_text("报告.pdf：文件内容不是pdf格式")
    assert fits_the_screen(page)
    screenshot(page, "author-reads-comment-phone")
