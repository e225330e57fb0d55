"""Paper ballots in a real Chromium: two clerks enter the same paper ballot (double entry) on the
office PC, and it counts once; then an evaluator's phone shows the progress count as grades are
picked, and the "next unanswered" link jumps to what is left."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from core.context import Actor
from core.services.plugins import PluginSettingIn, set_plugin
from tests.e2e.console import DESKTOP, screenshot, sign_in
from tests.e2e.phone import fits_the_screen

LEAVES = ("DE1", "DE2", "JI1", "ALL")


def _fill_paper(
    page: Page, code: str, subject_ids: list[int], grade: str = "称职", slips: dict[tuple[int, str], str] | None = None
) -> None:
    page.get_by_label("测评卡上的测评码（县领导）").fill(code)
    for subject_id in subject_ids:
        for leaf in LEAVES:
            picked = (slips or {}).get((subject_id, leaf), grade)
            page.locator(f'input[type=radio][name="g:{subject_id}:{leaf}"][value="{picked}"]').check()
    page.get_by_label("纸质票上的意见（照原文录入，可不填）").fill("纸质票意见")
    page.get_by_role("button", name="录入纸质票").click()


def test_two_clerks_enter_a_paper_ballot_then_a_phone_shows_its_progress(world, setup, browser, phone, tmp_path):
    paper_account, phone_account = setup.issue("县领导", 2)
    setup.issue("基层代表", 1)
    setup.open()
    set_plugin(
        world.ctx,
        Actor.system("test"),
        "county-a",
        "ballots",
        PluginSettingIn(enabled=True, options={"paper_double_entry": True}),
    )
    world.user("clerk-a", "office", "county-a")
    world.user("clerk-b", "office", "county-a")
    url = f"{world.url}/admin/localities/county-a/campaigns/{setup.campaign_id}/paper"

    first = browser.new_context(**DESKTOP).new_page()
    first.goto(url)
    sign_in(first, world.url, "clerk-a")
    first.wait_for_url(url)
    expect(first.get_by_text("双人录入：每张纸质票由两名不同的录入员分别录入")).to_be_visible()
    _fill_paper(first, paper_account["code"], setup.subject_ids)
    expect(first.get_by_role("status")).to_have_text(
        "第一次录入已保存。请另一名录入员再录入同一张纸质票，两次录入一致后计入。"
    )
    expect(first.get_by_text("等待第二次录入的纸质票：1 张。")).to_be_visible()
    screenshot(first, "paper-first-entry")
    assert setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()["total"]["submitted"] == 0

    second = browser.new_context(**DESKTOP).new_page()
    second.goto(url)
    sign_in(second, world.url, "clerk-b")
    second.wait_for_url(url)
    # A slip of the pen on the second entry: refused, the place named, nothing counted.
    _fill_paper(second, paper_account["code"], setup.subject_ids, slips={(setup.subject_ids[1], "JI1"): "优秀"})
    expect(second.get_by_role("alert")).to_have_text(
        "第二次录入与第一次录入不一致，本票未计入。请核对纸质票，然后由两名录入员重新录入。"
    )
    expect(second.locator("#paper-places")).to_have_text("第2个考核对象（单位1）第3项指标（工作实绩）")
    expect(second.get_by_text("等待第二次录入的纸质票：0 张。")).to_be_visible()  # the first entry was dropped
    screenshot(second, "paper-mismatch")
    assert setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()["total"]["submitted"] == 0
    # Both enter it again.
    _fill_paper(first, paper_account["code"], setup.subject_ids)
    expect(first.get_by_role("status")).to_contain_text("第一次录入已保存")
    _fill_paper(second, paper_account["code"], setup.subject_ids)
    expect(second.get_by_role("status")).to_have_text("纸质票已计入。")
    screenshot(second, "paper-second-entry")
    progress = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    assert progress["total"]["submitted"] == 1 and progress["total"]["valid"] == 1
    # The same slip again: refused in words.
    _fill_paper(first, paper_account["code"], setup.subject_ids)
    expect(first.get_by_role("alert")).to_have_text("该测评码已提交过测评表，不能重复提交。")
    first.context.close()
    second.context.close()

    # The evaluator with the other code, on a phone.
    page = phone()
    page.goto(f"{world.url}/b/#{phone_account['code']}")
    page.wait_for_url(f"{world.url}/b/ballot")
    total = len(setup.subject_ids) * len(LEAVES)
    expect(page.locator("#progress")).to_have_text(f"已评 0/{total}")
    s1 = setup.subject_ids[0]
    page.locator(f'input[name="g:{s1}:DE1"][value="优秀"]').check()
    page.locator(f'input[name="g:{s1}:DE2"][value="称职"]').check()
    expect(page.locator("#progress")).to_have_text(f"已评 2/{total}")  # no reload
    page.get_by_role("link", name="下一个未评项").click()
    expect(page.locator(f'input[name="g:{s1}:JI1"]').first).to_be_focused()
    for subject_id in setup.subject_ids:
        for leaf in LEAVES:
            page.locator(f'input[name="g:{subject_id}:{leaf}"][value="称职"]').check()
    expect(page.locator("#progress")).to_have_text(f"已评 {total}/{total}")
    expect(page.get_by_text("已全部评价，可以提交。")).to_be_visible()
    expect(page.get_by_role("link", name="下一个未评项")).to_be_hidden()
    assert fits_the_screen(page)
    screenshot(page, "phone-ballot-progress")
