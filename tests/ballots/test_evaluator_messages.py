"""What an evaluator is told, through the JSON API and the /b/ pages (live server, SQLite and
PostgreSQL): codes in any typed form, faults of form that never count as guesses, times in the
locality's time zone and language, and translated messages with values."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
from sqlalchemy import func
from sqlmodel import select

from ballots import login as ballot_login
from core.models import LoginFailureCount
from tests.campaign_setup import full_items

CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


def _login(world, code: str, headers: dict | None = None) -> httpx.Response:
    with world.client() as client:
        return client.post("/api/ballot/login", json={"code": code}, headers=headers or {})


def _failures(world) -> int:
    """Wrong codes counted against client addresses."""
    with world.ctx.db.read() as session:
        return session.exec(
            select(func.coalesce(func.sum(LoginFailureCount.failures), 0)).where(
                LoginFailureCount.key.startswith("ballot-client:")
            )
        ).one()


def _text(response: httpx.Response) -> str:
    return re.sub(r"\s+", " ", response.text)


def full_width(text: str) -> str:
    """As a Chinese IME in 全角 mode types it."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else "\u3000" if ch == " " else ch for ch in text)


# --- codes in every typed form ------------------------------------------------------------------


def test_codes_in_every_typed_form_sign_in_and_count_nothing(world, setup):
    accounts = setup.issue("县领导", 5)
    setup.issue("基层代表", 1)
    setup.open()
    codes = [a["code"] for a in accounts]
    forms = [
        full_width(codes[0]),  # ＲＧ７８－ＲＳＶＸ－ＷＺＢＴ
        codes[1].lower().replace("-", "\u2014\u2014"),  # the IME's dash: two em dashes
        codes[2].replace("-", "\u2013", 1).replace("-", "\u2212"),  # en dash, minus sign
        "\u3000" + codes[3].replace("-", "\u00a0") + "\u200b",  # ideographic, no-break, zero-width spaces
    ]
    for typed in forms:
        answer = _login(world, typed)
        assert answer.status_code == 200, (typed, answer.text)
    with world.client() as browser:  # and on the sign-in page
        signed_in = browser.post("/b/login", data={"code": full_width(codes[4].lower())})
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/b/ballot"
    assert _failures(world) == 0


def test_what_cannot_be_a_code_is_refused_for_its_form_and_never_counted(world, setup, monkeypatch):
    monkeypatch.setattr(ballot_login, "MAX_LOGIN_FAILURES_PER_CLIENT", 3)
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    malformed = [
        " ",
        "ABCD-EFGH-JKM",
        "ABCD-EFGH-JKMNP",
        "ABCD-EFGH-JKMU",
        "ＡＢＣＤ－ＥＦＧＨ",
        "测评码",
        "ABCD_EFGH_JKMN",
        "https://kaoping.example.gov.cn/b/#",
        "A" * 100,
    ]
    for typed in malformed * 2:  # far more than the limit of 3
        answer = _login(world, typed)
        assert answer.status_code == 422, (typed, answer.text)
        assert answer.json()["errors"][0]["field"] == "code"
    assert _failures(world) == 0
    short = _login(world, "ABCD-EFGH-JKM")
    assert (
        short.json()["detail"]
        == "a code has 12 letters and digits, like ABCD-EFGH-JKMN; this has 11: check what you typed"
    )
    assert (
        _login(world, "ABCD-EFGH-JKM", ZH).json()["detail"]
        == "测评码由 12 位字母和数字组成，如 ABCD-EFGH-JKMN；您输入了 11 位，请核对。"
    )
    assert (
        _login(world, "ABCD-EFGH-JKMU", ZH).json()["detail"]
        == "测评码只含测评卡上印的字母和数字，如 ABCD-EFGH-JKMN；以下字符不属于测评码：U"
    )
    with world.client() as browser:
        page = browser.post("/b/login", data={"code": "ABCD-EFGH-JKMNPQ"})
        assert page.status_code == 422
        assert "测评码由 12 位字母和数字组成，如 ABCD-EFGH-JKMN；您输入了 14 位，请核对。" in page.text
        assert 'value="ABCD-EFGH-JKMNPQ"' in page.text  # kept in the field to correct
    assert _failures(world) == 0
    assert _login(world, account["code"]).status_code == 200  # never locked out by typos of form

    # Well-formed wrong codes are guesses: they count, and the limit holds.
    for _ in range(3):
        assert _login(world, "AAAA-BBBB-CCCC").status_code == 401
    assert _failures(world) == 3
    assert _login(world, "AAAA-BBBB-CCCD").status_code == 429


# --- times and messages with values ---------------------------------------------------------


OPENS = datetime(2099, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
CLOSES = datetime(2099, 12, 31, 9, 30, tzinfo=UTC)  # 17:30 in Beijing


def test_opening_time_is_told_in_the_localitys_time_zone_and_language(world, setup, monkeypatch):
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    assert (
        setup.api.patch(
            f"/api/campaigns/{setup.campaign_id}", json={"opens_at": OPENS.isoformat(), "closes_at": CLOSES.isoformat()}
        ).status_code
        == 200
    )
    early = _login(world, account["code"], ZH)
    assert early.status_code == 409
    assert early.json()["detail"] == "本次测评将于2099年12月1日 09:00开始，请届时再进入。"
    assert _login(world, account["code"], EN).json()["detail"] == "this evaluation opens at December 1, 2099, 09:00"
    assert _login(world, account["code"]).json()["detail"] == "this evaluation opens at December 1, 2099, 09:00"
    with world.client() as browser:
        chinese = browser.post("/b/login", data={"code": account["code"]})
        assert chinese.status_code == 409
        assert (
            "本次测评将于2099年12月1日 09:00开始，请届时再进入。" in chinese.text and "2099-12-01" not in chinese.text
        )
        english = browser.post("/b/login?lang=en", data={"code": account["code"]})
        assert "this evaluation opens at December 1, 2099, 09:00" in english.text
    # KAOPING_TIMEZONE is where the evaluators are: Urumqi time is two hours behind Beijing.
    monkeypatch.setattr(world.ctx.settings, "timezone", "Asia/Urumqi")
    assert _login(world, account["code"], ZH).json()["detail"] == "本次测评将于2099年12月1日 07:00开始，请届时再进入。"


def test_closing_time_on_the_ballot_page_and_after_it(world, setup):
    [account, late] = setup.issue("县领导", 2)
    setup.issue("基层代表", 1)
    setup.open()
    assert (
        setup.api.patch(f"/api/campaigns/{setup.campaign_id}", json={"closes_at": CLOSES.isoformat()}).status_code
        == 200
    )
    with world.client() as browser:
        assert browser.post("/b/login", data={"code": account["code"]}).status_code == 303
        assert "请于2099年12月31日 17:30前提交。" in browser.get("/b/ballot").text
        assert "Open until December 31, 2099, 17:30." in browser.get("/b/ballot?lang=en").text
    past = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert (
        setup.api.patch(
            f"/api/campaigns/{setup.campaign_id}",
            json={"opens_at": datetime(2026, 1, 1, tzinfo=UTC).isoformat(), "closes_at": past.isoformat()},
        ).status_code
        == 200
    )
    closed = _login(world, late["code"], ZH)
    assert closed.status_code == 409 and closed.json()["detail"] == "本次测评已于2026年1月5日 18:00结束。"
    assert _login(world, late["code"]).json()["detail"] == "this evaluation closed at January 5, 2026, 18:00"


def test_other_refusals_answer_in_the_language_asked_for(world, setup):
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    assert _login(world, "AAAA-BBBB-CCCC", ZH).json()["detail"] == "测评码无效，请核对测评卡上的测评码。"
    assert (
        _login(world, "AAAA-BBBB-CCCC", {"Accept-Language": "fr-FR"}).json()["detail"]
        == "unknown code: check the code on your slip"
    )
    token = _login(world, account["code"]).json()["token"]
    with world.client(token) as voter:
        missing = voter.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids)[:-1]}, headers=ZH)
        assert missing.status_code == 422
        assert missing.json()["detail"] == "还有 1 项未评价，请对每个对象的每项指标作出评价。"
        assert {e["message"] for e in missing.json()["errors"]} == {"未评价"}
        bad = voter.put(
            "/api/ballot/draft",
            headers=ZH,
            json={"items": [{"subject_id": setup.subject_ids[0], "indicator": "DE1", "grade": "极好"}]},
        )
        assert bad.status_code == 422 and bad.json()["detail"] == "有 1 项填写无效。"
        assert bad.json()["errors"] == [
            {"field": "items[0].grade", "message": "等次须为以下之一：优秀, 称职, 基本称职, 不称职"}
        ]
    with world.client() as stranger:
        assert stranger.get("/api/ballot", headers=ZH).json()["detail"] == "请先输入测评码。"


# --- a repeated submission on the pages ---------------------------------------------------------


def _form(browser: httpx.Client, subject_ids: list[int], grade: str = "称职") -> dict[str, str]:
    page = browser.get("/b/ballot")
    form = {"_csrf": CSRF.search(page.text).group(1), "action": "submit", "comment": "好"}
    form.update({f"g:{i['subject_id']}:{i['indicator']}": i["grade"] for i in full_items(subject_ids, grade)})
    return form


def test_the_same_ballot_posted_again_gets_the_same_receipt_and_a_different_one_is_refused(world, setup):
    """A browser that sends the form twice (a double-click without JavaScript, a flaky
    connection's retry): the ballot cookie is still there, and the second POST answers with
    the receipt of the first. A different ballot from the used code is still refused."""
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    with world.client() as browser:
        assert browser.post("/b/login", data={"code": account["code"]}).status_code == 303
        form = _form(browser, setup.subject_ids)
        first = browser.post("/b/ballot", data=form)
        assert first.status_code == 303 and first.headers["location"] == "/b/done"
        assert "kaoping_ballot" not in first.headers.get("set-cookie", "")  # not dropped
        again = browser.post("/b/ballot", data=form)
        assert again.status_code == 303 and again.headers["location"] == "/b/done"
        assert "提交成功，感谢您的参与！" in browser.get("/b/done").text
        different = browser.post("/b/ballot", data={**form, "comment": "改主意了"})
        assert different.status_code == 409
        assert "该测评码已提交过测评表，不能重复提交。" in different.text
    setup.close()
    progress = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    assert progress["total"]["submitted"] == 1 and progress["total"]["valid"] == 1


def test_ballot_pages_follow_the_phones_language_unless_the_evaluator_chose(world):
    with world.client() as phone:
        assert "Sign in with your code" in phone.get("/b/", headers=EN).text
        assert "Sign in with your code" not in phone.get("/b/", headers=ZH).text
        assert "Sign in with your code" not in phone.get("/b/").text  # no header: zh-CN
        assert "Sign in with your code" not in phone.get("/b/", headers={"Accept-Language": "fr-FR"}).text
        chosen = phone.get("/b/?lang=zh", headers=EN)  # the evaluator's choice wins, and is kept
        assert "Sign in with your code" not in chosen.text
        assert "Sign in with your code" not in phone.get("/b/", headers=EN).text
