"""The paper-ballot console page: who may open it, another locality's campaign, CSRF, and what
a clerk sees for each outcome (in zh-CN and en)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from core.services import auth
from core.web.auth import SESSION_COOKIE
from tests.ballots.test_paper import _double_entry, _open_with, _status
from tests.campaign_setup import full_items

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")


def _browser(world, username: str) -> httpx.Client:
    user = auth.find_user(world.ctx, username)
    issued = auth.issue_token(world.ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
    client = httpx.Client(base_url=world.url, timeout=30, cookies={SESSION_COOKIE: issued.token})
    client.csrf = issued.csrf_token
    return client


def _form(client, code: str, subject_ids, grade="称职", comment="") -> dict:
    data = {"_csrf": client.csrf, "code": code, "comment": comment}
    data.update({f"g:{i['subject_id']}:{i['indicator']}": i["grade"] for i in full_items(subject_ids, grade)})
    return data


def _page(setup) -> str:
    return f"/admin/localities/county-a/campaigns/{setup.campaign_id}/paper"


def test_only_the_office_of_the_campaigns_locality_opens_the_page(setup, world):
    _open_with(setup, 1)
    world.locality("county-b")
    world.user("office-b", "office", "county-b")
    world.user("unit-a", "unit_admin", "county-a", "U0")
    world.user("leader-a", "leader", "county-a", "U0")
    world.user("clerk-a", "office", "county-a")
    with httpx.Client(base_url=world.url, timeout=30) as anonymous:
        response = anonymous.get(_page(setup))
        assert response.status_code in (302, 303) and "/admin/login" in response.headers["location"]
    for name in ("office-b", "unit-a", "leader-a"):
        with _browser(world, name) as client:
            assert client.get(_page(setup)).status_code == 404, name
            assert client.post(_page(setup), data={"_csrf": client.csrf, "code": "x"}).status_code == 404, name
    with _browser(world, "office-b") as client:  # county-b's office under its own code: still 404
        client.get("/admin/")
        assert client.get(f"/admin/localities/county-b/campaigns/{setup.campaign_id}/paper").status_code == 404
    with _browser(world, "clerk-a") as client:
        page = client.get(_page(setup))
        assert page.status_code == 200
        assert "纸质票" in page.text and "2026年度民主测评" in page.text
        assert f'name="g:{setup.subject_ids[0]}:DE1"' in page.text
        assert client.get(_page(setup) + "?category=999999").status_code == 404


def test_a_form_without_the_csrf_token_is_refused_and_counts_nothing(setup, world):
    account = _open_with(setup, 1)[0]
    world.user("clerk-a", "office", "county-a")
    with _browser(world, "clerk-a") as client:
        data = _form(client, account["code"], setup.subject_ids)
        data["_csrf"] = "forged"
        assert client.post(_page(setup), data=data).status_code == 403
    assert _status(setup, account["id"]) == "issued"


def test_single_entry_counts_and_a_used_code_is_refused_with_the_reason(setup, world):
    account, other = _open_with(setup, 2)
    world.user("clerk-a", "office", "county-a")
    with _browser(world, "clerk-a") as client:
        done = client.post(_page(setup), data=_form(client, account["code"], setup.subject_ids), follow_redirects=True)
        assert done.status_code == 200 and "纸质票已计入" in done.text
        again = client.post(_page(setup), data=_form(client, account["code"], setup.subject_ids))
        assert again.status_code == 409 and "该测评码已提交过" in again.text
        english = client.post(_page(setup) + "?lang=en", data=_form(client, account["code"], setup.subject_ids))
        assert english.status_code == 409 and "already been used" in english.text
        unknown = client.post(_page(setup) + "?lang=zh_CN", data=_form(client, "ABCD-EFGH-JKMN", setup.subject_ids))
        assert unknown.status_code == 422 and "本次测评没有测评码为 ABCD-EFGH-JKMN 的账号" in unknown.text
        assert 'id="e-code"' in unknown.text  # beside the code field
        missing = _form(client, other["code"], setup.subject_ids, comment="意见")
        missing.pop(f"g:{setup.subject_ids[0]}:DE1")
        refused = client.post(_page(setup), data=missing)
        assert refused.status_code == 422 and "还有 1 项未评" in refused.text
        assert f'value="{other["code"]}"' in refused.text and "意见</textarea>" in refused.text  # nothing lost
        assert 'class="flagged"' in refused.text
    assert _status(setup, account["id"]) == "submitted" and _status(setup, other["id"]) == "issued"


def test_two_clerks_double_entry_and_a_mismatch_names_the_places(setup, world):
    account = _open_with(setup, 1)[0]
    _double_entry(world)
    world.user("clerk-a", "office", "county-a")
    world.user("clerk-b", "office", "county-a")
    with _browser(world, "clerk-a") as first, _browser(world, "clerk-b") as second:
        waiting = first.post(_page(setup), data=_form(first, account["code"], setup.subject_ids), follow_redirects=True)
        assert "第一次录入已保存" in waiting.text
        same = first.post(_page(setup), data=_form(first, account["code"], setup.subject_ids))
        assert same.status_code == 409 and "另一名录入员" in same.text
        differs = _form(second, account["code"], setup.subject_ids)
        differs[f"g:{setup.subject_ids[1]}:JI1"] = "优秀"
        refused = second.post(_page(setup), data=differs)
        assert refused.status_code == 409
        assert "第2个考核对象（单位1）第3项指标（工作实绩）" in refused.text
        assert _status(setup, account["id"]) == "issued"
        first.post(_page(setup), data=_form(first, account["code"], setup.subject_ids))
        counted = second.post(
            _page(setup), data=_form(second, account["code"], setup.subject_ids), follow_redirects=True
        )
        assert "纸质票已计入" in counted.text
    assert _status(setup, account["id"]) == "submitted"


def test_the_office_turns_double_entry_on_in_the_plugins_page(setup, world):
    _open_with(setup, 1)
    world.user("clerk-a", "office", "county-a")
    with _browser(world, "clerk-a") as client:
        assert "单人录入" in client.get(_page(setup)).text
        form = client.get("/admin/localities/county-a/plugins/ballots")
        assert form.status_code == 200
        assert "纸质票：双人录入" in form.text and "两次录入一致后才计入" in form.text
        saved = client.post(
            "/admin/localities/county-a/plugins/ballots",
            data={"_csrf": client.csrf, "enabled": "on", "opt_paper_double_entry": "on"},
        )
        assert saved.status_code == 200, saved.text
        page = client.get(_page(setup)).text
        assert "双人录入：每张纸质票由两名不同的录入员分别录入" in page
        assert "等待第二次录入的纸质票：0 张。" in page
