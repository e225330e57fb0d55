"""The office watches the turnout in a real Chromium while evaluators vote on their phones: the
numbers change by themselves (HTMX polls the numbers block) without the page reloading; the
projector view does the same in large figures; the accounts page links the slips of each
category. Screenshots are left under the test's tmp folder."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.console import DESKTOP, screenshot, sign_in
from tests.e2e.test_ballot_pages import everything, pick
from tests.e2e.test_ballot_pages import sign_in as sign_in_phone


def _cell(page: Page, category: str, count: str):
    return page.locator(f'#turnout-numbers tr[data-category="{category}"] [data-count="{count}"]')


def _vote(phone, world, setup, code: str) -> None:
    page = phone()
    sign_in_phone(page, world.url, code)
    page.wait_for_url("**/b/ballot")
    pick(page, everything(setup.subject_ids))
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="提交成功，感谢您的参与！")).to_be_visible()
    page.context.close()


def test_the_turnout_changes_without_a_reload_while_phones_vote(world, setup, browser, phone, tmp_path):
    leaders = setup.issue("县领导", 2)
    grassroots = setup.issue("基层代表", 2)
    setup.open()
    context = browser.new_context(**DESKTOP)
    try:
        office = context.new_page()
        office.set_default_timeout(20000)
        sign_in(office, world.url, "office-county-a")
        office.wait_for_url("**/admin/**")
        url = f"{world.url}/admin/localities/county-a/campaigns/{setup.campaign_id}/turnout"
        office.goto(url)
        expect(office.get_by_role("heading", name="参评情况")).to_be_visible()
        expect(office.locator('a[data-tab="ballots.turnout"]')).to_have_attribute("aria-current", "page")
        expect(_cell(office, "县领导", "submitted")).to_have_text("0")
        expect(_cell(office, "", "turnout")).to_have_text("0.0%")
        screenshot(office, "turnout-before")

        loads: list[str] = []
        office.on("load", lambda page: loads.append(page.url))
        polls: list[str] = []
        office.on("request", lambda request: polls.append(request.url) if "/turnout/numbers" in request.url else None)
        office.evaluate("window.stillTheSamePage = true")

        _vote(phone, world, setup, leaders[0]["code"])
        expect(_cell(office, "县领导", "submitted")).to_have_text("1")  # within a poll or two (3 s)
        expect(_cell(office, "县领导", "turnout")).to_have_text("50.0%")
        expect(_cell(office, "", "submitted")).to_have_text("1")
        expect(_cell(office, "", "turnout")).to_have_text("25.0%")
        _vote(phone, world, setup, grassroots[0]["code"])
        expect(_cell(office, "基层代表", "valid")).to_have_text("1")
        expect(_cell(office, "", "turnout")).to_have_text("50.0%")
        assert office.evaluate("window.stillTheSamePage") is True and loads == []  # no reload
        assert polls and all(p.startswith(url + "/numbers") for p in polls)
        screenshot(office, "turnout-after")

        projector = context.new_page()
        projector.set_default_timeout(20000)
        projector.set_viewport_size({"width": 1920, "height": 1080})
        projector.goto(url + "?view=projector")
        big = projector.locator('#turnout-numbers .big[data-count="turnout"]')
        expect(big).to_have_text("50.0%")
        size = projector.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('#turnout-numbers .big')).fontSize)"
        )
        assert size >= 150  # pixels on a 1080p projector: readable from the back of the room
        _vote(phone, world, setup, leaders[1]["code"])
        expect(big).to_have_text("75.0%")
        screenshot(projector, "turnout-projector")

        accounts = f"{world.url}/admin/localities/county-a/campaigns/{setup.campaign_id}/accounts"
        office.goto(accounts)
        expect(office.locator('#accounts tr[data-category="县领导"] [data-count="submitted"]')).to_have_text("2")
        expect(office.get_by_role("link", name="打印基层代表的票条")).to_be_visible()
        screenshot(office, "accounts")
    finally:
        context.close()
