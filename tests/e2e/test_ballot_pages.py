"""The evaluator's ballot pages (``/b/``) in a real Chromium at phone size.

Chinese first, English on request; the pages must also work with JavaScript turned off
(the script only takes the code out of the QR link's fragment).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.phone import fits_the_screen

LEAVES = ("DE1", "DE2", "JI1", "ALL")
GRADES = ("优秀", "称职", "基本称职", "不称职")


def radio(page: Page, subject_id: int, leaf: str, grade: str):
    return page.locator(f'input[type=radio][name="g:{subject_id}:{leaf}"][value="{grade}"]')


def sign_in(page: Page, base_url: str, typed: str, *, button: str = "进入测评", query: str = "") -> None:
    page.goto(f"{base_url}/b/{query}")
    page.get_by_label(re.compile("^(测评码|Code)$")).fill(typed)
    page.get_by_role("button", name=button).click()


def pick(page: Page, choices: dict[tuple[int, str], str]) -> None:
    for (subject_id, leaf), grade in choices.items():
        radio(page, subject_id, leaf, grade).check()


def assert_picked(page: Page, choices: dict[tuple[int, str], str]) -> None:
    for (subject_id, leaf), grade in choices.items():
        expect(radio(page, subject_id, leaf, grade)).to_be_checked()


def everything(subject_ids: list[int]) -> dict[tuple[int, str], str]:
    return {
        (s, leaf): GRADES[(i + j) % len(GRADES)] for i, s in enumerate(subject_ids) for j, leaf in enumerate(LEAVES)
    }


def test_qr_link_signs_in_without_typing_and_never_sends_the_code(world, setup, phone, tmp_path):
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    code = account["code"]
    page = phone()
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))

    page.goto(f"{world.url}/b/#{code}")  # exactly what the QR code holds
    page.wait_for_url(f"{world.url}/b/ballot")
    expect(page.get_by_role("heading", name="2026年度民主测评")).to_be_visible()
    expect(page.get_by_text("测评类别：县领导")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert page.url == f"{world.url}/b/ballot"  # no fragment left in the address bar or history

    bare = code.replace("-", "")
    assert sent, "no requests recorded"
    for url in sent:
        assert code not in url and bare not in url and bare.lower() not in url, url
    assert [u for u in sent if u.startswith(world.url)][:3] == [
        f"{world.url}/b/",
        f"{world.url}/b/login",
        f"{world.url}/b/ballot",
    ]
    # The ballot cookie is out of reach of scripts and limited to /b.
    [cookie] = [c for c in page.context.cookies() if c["name"] == "kaoping_ballot"]
    assert cookie["httpOnly"] and cookie["path"] == "/b" and cookie["sameSite"] == "Strict"
    assert "kaoping_ballot" not in page.evaluate("document.cookie")

    # Every subject and every graded indicator, with the grade labels only.
    for subject_id in setup.subject_ids:
        for leaf in LEAVES:
            assert radio(page, subject_id, leaf, "优秀").count() == 1
    assert page.locator("input[type=radio]").count() == len(setup.subject_ids) * len(LEAVES) * len(GRADES)
    expect(page.get_by_text("政治品德").first).to_be_visible()
    assert "加分项" not in page.content() and "95" not in page.inner_text("body")
    expect(page.get_by_role("button", name="暂存")).to_be_visible()
    expect(page.get_by_role("button", name="提交")).to_be_visible()
    assert fits_the_screen(page)

    shot = tmp_path / "ballot-phone.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000


def test_typed_code_draft_restore_missing_and_submit(world, setup, phone):
    [account] = setup.issue("基层代表", 1)
    setup.issue("县领导", 1)
    setup.open()
    code = account["code"]
    s1, s2, s3 = setup.subject_ids

    # (b) typed in lower case, without dashes
    page = phone()
    sign_in(page, world.url, code.replace("-", "").lower())
    page.wait_for_url("**/b/ballot")
    expect(page.get_by_text("测评类别：基层代表")).to_be_visible()

    # (c) a few picks, saved as a draft (tapped, as on a phone)
    some = {(s1, "DE1"): "优秀", (s1, "DE2"): "称职", (s2, "ALL"): "不称职"}
    for (subject_id, leaf), grade in some.items():
        radio(page, subject_id, leaf, grade).tap()
    page.get_by_label("意见建议（选填）").fill("多下基层")
    page.get_by_role("button", name="暂存").click()
    expect(page.get_by_role("status")).to_have_text("已暂存。可稍后用测评码再次进入继续填写。")
    assert_picked(page, some)
    page.context.close()

    # ... and restored on another phone, signing in with the same code
    page = phone()
    sign_in(page, world.url, code)
    page.wait_for_url("**/b/ballot")
    assert_picked(page, some)
    expect(page.get_by_label("意见建议（选填）")).to_have_value("多下基层")
    assert page.locator("input[type=radio]:checked").count() == len(some)

    # (d) submitting with items missing: the count, in Chinese, and the picks are kept
    more = {**some, (s3, "JI1"): "基本称职"}
    pick(page, {(s3, "JI1"): "基本称职"})
    page.get_by_role("button", name="提交").click()
    missing = len(setup.subject_ids) * len(LEAVES) - len(more)
    expect(page.get_by_role("alert")).to_have_text(f"还有 {missing} 项未评价，请全部评价后再提交。")
    assert_picked(page, more)
    assert page.locator("input[type=radio]:checked").count() == len(more)
    assert page.locator("fieldset.missing").count() == missing
    expect(page.get_by_label("意见建议（选填）")).to_have_value("多下基层")

    # (e) everything picked: submitted
    page.get_by_label("意见建议（选填）").fill("")
    pick(page, everything(setup.subject_ids))
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(f"{world.url}/b/done")  # nothing about the ballot in the URL
    expect(page.get_by_role("heading", name="提交成功，感谢您的参与！")).to_be_visible()
    expect(page.get_by_text("该测评码已失效，您可以关闭本页面。")).to_be_visible()
    # The ballot is not shown again: back at the ballot's address, the receipt.
    page.goto(f"{world.url}/b/ballot")
    page.wait_for_url(f"{world.url}/b/done")
    expect(page.get_by_role("heading", name="提交成功，感谢您的参与！")).to_be_visible()
    expect(page.locator("input[type=radio]")).to_have_count(0)

    # signing in again with that code
    page = phone()
    sign_in(page, world.url, code)
    expect(page.get_by_role("alert")).to_have_text("该测评码已提交过测评表，不能重复提交。")
    expect(page.locator("input[type=radio]")).to_have_count(0)

    progress = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    assert progress["categories"]["基层代表"]["submitted"] == 1


def test_wrong_code_and_english(world, setup, phone):
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()

    # (f) a wrong code: the Chinese error, the code kept in the field
    page = phone()
    sign_in(page, world.url, "AAAA-BBBB-CCCC")
    expect(page.get_by_role("alert")).to_have_text("测评码无效，请核对测评卡上的测评码。")
    expect(page.get_by_label("测评码")).to_have_value("AAAA-BBBB-CCCC")
    assert fits_the_screen(page)
    # A wrong code from a QR link shows the same error and does not loop.
    page.goto(f"{world.url}/b/#AAAA-BBBB-CCCD")
    expect(page.get_by_role("alert")).to_have_text("测评码无效，请核对测评卡上的测评码。")
    page.wait_for_timeout(300)
    assert page.url == f"{world.url}/b/login"
    # Switching language from the error page works.
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Sign in with your code")).to_be_visible()
    # The address a failed sign-in leaves behind, opened again, is the login form.
    page.goto(f"{world.url}/b/login")
    page.wait_for_url(f"{world.url}/b/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()

    # (g) English labels
    page = phone()
    page.goto(f"{world.url}/b/?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Sign in with your code")).to_be_visible()
    expect(page.get_by_text("Type the code printed on your slip, or scan its QR code.")).to_be_visible()
    page.get_by_label("Code").fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("unknown code: check the code on your slip")
    page.get_by_label("Code").fill(account["code"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/b/ballot")
    expect(page.get_by_text("Evaluator category: 县领导")).to_be_visible()
    expect(page.get_by_text("Comment (optional)")).to_be_visible()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Please rate every subject on every indicator before submitting (12 missing)."
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_have_text("Draft saved. You can come back with your code and finish later.")
    # ... and back to Chinese
    page.get_by_role("link", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("button", name="暂存")).to_be_visible()


def test_pages_work_without_javascript(world, setup, phone):
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    code = account["code"]
    page = phone(java_script_enabled=False)

    # Without a script the QR link cannot fill the form: it waits for the code to be typed.
    page.goto(f"{world.url}/b/#{code}")
    expect(page.get_by_role("heading", name="输入测评码")).to_be_visible()
    expect(page.get_by_label("测评码")).to_have_value("")
    sign_in(page, world.url, code.lower())
    page.wait_for_url("**/b/ballot")

    some = {(setup.subject_ids[0], "DE1"): "优秀", (setup.subject_ids[1], "JI1"): "不称职"}
    pick(page, some)
    page.get_by_role("button", name="暂存").click()
    expect(page.get_by_role("status")).to_have_text("已暂存。可稍后用测评码再次进入继续填写。")
    assert_picked(page, some)
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("alert")).to_have_text(
        f"还有 {len(setup.subject_ids) * len(LEAVES) - 2} 项未评价，请全部评价后再提交。"
    )
    assert_picked(page, some)
    pick(page, everything(setup.subject_ids))
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/b/done**")
    expect(page.get_by_role("heading", name="提交成功，感谢您的参与！")).to_be_visible()
    sign_in(page, world.url, code)
    expect(page.get_by_role("alert")).to_have_text("该测评码已提交过测评表，不能重复提交。")


# --- after submitting: the receipt, told once, shown again --------------------------------------


def _capped(setup, **options) -> None:
    """A ballot_cap on 总体评价 (ALL) for the campaign of ``setup`` (before it opens)."""
    assert setup.api.put("/api/localities/county-a/plugins/distribution", json={"enabled": True}).status_code == 200
    patched = setup.api.patch(
        f"/api/campaigns/{setup.campaign_id}", json={"distribution": [{"policy": "ballot_cap", "options": options}]}
    )
    assert patched.status_code == 200, patched.text


def _submit_posts(page: Page) -> list[str]:
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/b/ballot") else None)
    return posts


def test_a_ballot_recorded_invalid_is_told_so_and_why_and_a_reload_tells_it_again(world, setup, phone):
    _capped(setup, max_ratio=0.5)  # 1 优秀 of the 3 subjects on 总体评价; over it the ballot is invalid
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    page = phone()
    sign_in(page, world.url, account["code"])
    page.wait_for_url("**/b/ballot")
    s1, s2, _s3 = setup.subject_ids
    pick(page, {key: "称职" for key in everything(setup.subject_ids)})
    pick(page, {(s1, "ALL"): "优秀", (s2, "ALL"): "优秀"})
    expect(page.locator(".cap.over")).to_have_count(1)  # the count turns red as the evaluator picks
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(f"{world.url}/b/done")

    def told() -> None:
        expect(page.get_by_role("heading", name="您的测评表已提交，但被记为无效票。")).to_be_visible()
        expect(
            page.get_by_text("原因：3 个对象中最多 1 个可评为优秀（总体评价 · 综合管理部门：现有 2 个）")
        ).to_be_visible()
        expect(page.get_by_text("提交成功，感谢您的参与！")).to_have_count(0)

    told()
    page.reload()
    told()
    page.go_back()  # to the ballot's address: the receipt, not an error
    page.wait_for_url(f"{world.url}/b/done")
    told()
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Your ballot has been recorded, but it counts as invalid.")).to_be_visible()
    expect(
        page.get_by_text("Why: at most 1 of 3 subjects may be rated 优秀 (总体评价, 综合管理部门: 2 are)")
    ).to_be_visible()
    assert fits_the_screen(page)


def test_a_double_click_on_submit_sends_the_ballot_once(world, setup, phone):
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    page = phone()
    sign_in(page, world.url, account["code"])
    page.wait_for_url("**/b/ballot")
    pick(page, everything(setup.subject_ids))
    posts = _submit_posts(page)
    page.get_by_role("button", name="提交").dblclick()
    page.wait_for_url(f"{world.url}/b/done")
    expect(page.get_by_role("heading", name="提交成功，感谢您的参与！")).to_be_visible()
    assert len(posts) == 1
    page.reload()  # a reload after submitting: the same receipt
    expect(page.get_by_role("heading", name="提交成功，感谢您的参与！")).to_be_visible()
    progress = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    assert progress["total"]["submitted"] == 1 and progress["total"]["valid"] == 1


def test_the_buttons_are_usable_again_after_a_refusal(world, setup, phone):
    """The script that stops a second click must not stop the next try once the page answered."""
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    page = phone()
    sign_in(page, world.url, account["code"])
    page.wait_for_url("**/b/ballot")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("alert")).to_contain_text("项未评价")
    pick(page, everything(setup.subject_ids))
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(f"{world.url}/b/done")


def test_opening_and_closing_times_in_chinese_and_the_localitys_time_zone(world, setup, phone):
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    # 2099-12-01 01:00 UTC and 2099-12-31 09:30 UTC: 09:00 and 17:30 in Beijing (KAOPING_TIMEZONE)
    window = {"opens_at": "2099-12-01T01:00:00+00:00", "closes_at": "2099-12-31T09:30:00+00:00"}
    assert setup.api.patch(f"/api/campaigns/{setup.campaign_id}", json=window).status_code == 200
    page = phone()
    sign_in(page, world.url, account["code"])
    expect(page.get_by_role("alert")).to_have_text("本次测评将于2099年12月1日 09:00开始，请届时再进入。")
    assert (
        setup.api.patch(
            f"/api/campaigns/{setup.campaign_id}", json={"opens_at": "2026-01-01T00:00:00+08:00"}
        ).status_code
        == 200
    )
    page.get_by_role("button", name="进入测评").click()
    page.wait_for_url("**/b/ballot")
    expect(page.get_by_text("请于2099年12月31日 17:30前提交。")).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(page.get_by_text("Open until December 31, 2099, 17:30.")).to_be_visible()


def test_an_answer_lost_on_the_way_then_the_form_sent_again_shows_the_receipt(world, setup, phone):
    """The phone's connection drops after the server took the ballot; the browser sends the form
    again (a reload of the failed POST, a retry): the ballot cookie is still there, and the
    service answers the same ballot with the first one's receipt."""
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    page = phone(java_script_enabled=False)
    sign_in(page, world.url, account["code"])
    page.wait_for_url("**/b/ballot")
    pick(page, everything(setup.subject_ids))
    lost: list[int] = []

    def drop_the_first_answer(route) -> None:
        if route.request.method == "POST" and not lost:
            lost.append(route.fetch(max_redirects=0).status)  # the server took it ...
            route.abort("connectionreset")  # ... and the answer never arrived
        else:
            route.continue_()

    page.route("**/b/ballot", drop_the_first_answer)
    page.get_by_role("button", name="提交").click()
    page.wait_for_timeout(300)
    assert lost == [303]
    posts = _submit_posts(page)
    page.reload()  # sends the form again
    page.wait_for_url(f"{world.url}/b/done")
    expect(page.get_by_role("heading", name="提交成功，感谢您的参与！")).to_be_visible()
    assert len(posts) == 1
    progress = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    assert progress["total"]["submitted"] == 1
