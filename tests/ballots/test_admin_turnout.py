"""The console page "Turnout" (ballots/admin_turnout.py) over HTTP, on SQLite and PostgreSQL:
per category and in total, accounts issued (revoked ones not counted), signed in, drafts,
submitted, valid, invalid and the turnout; the numbers block polls itself while the campaign is
open and stops once it is closed; the projector view; nothing that says who did what; and who
may open it (the office only; another locality's campaign is 404)."""

from __future__ import annotations

import re

import pytest

from tests.campaign_setup import full_items
from tests.core.web.test_console_permissions import _session

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")


def _url(setup, suffix: str = "") -> str:
    return f"/admin/localities/county-a/campaigns/{setup.campaign_id}/turnout{suffix}"


def _row(text: str, category: str) -> dict[str, str]:
    row = re.search(rf'<tr data-category="{re.escape(category)}"[^>]*>(.*?)</tr>', text, flags=re.DOTALL).group(1)
    return dict(re.findall(r'data-count="(\w+)">([^<]*)<', row))


def _login(world, code: str) -> str:
    with world.client() as phone:
        answer = phone.post("/api/ballot/login", json={"code": code})
        assert answer.status_code == 200, answer.text
        return answer.json()["token"]


def _vote(world, setup, code: str, *, draft_only: bool = False, items: list | None = None) -> None:
    with world.client(_login(world, code)) as voter:
        body = {"items": items if items is not None else full_items(setup.subject_ids)}
        if draft_only:
            assert voter.put("/api/ballot/draft", json={"items": body["items"][:2]}).status_code == 200
        else:
            assert voter.post("/api/ballot/submit", json=body).status_code == 200


def test_numbers_per_category_and_in_total(world, setup):
    # a ballot_cap on 总体评价: more than half of the subjects rated 优秀 there makes a ballot invalid
    assert setup.api.put("/api/localities/county-a/plugins/distribution", json={"enabled": True}).status_code == 200
    capped = setup.api.patch(
        f"/api/campaigns/{setup.campaign_id}",
        json={"distribution": [{"policy": "ballot_cap", "options": {"max_ratio": 0.5}}]},
    )
    assert capped.status_code == 200, capped.text
    leaders = setup.issue("县领导", 4)
    grassroots = setup.issue("基层代表", 3)
    setup.open()
    setup.api.post(f"/api/campaigns/{setup.campaign_id}/accounts/{leaders[3]['id']}/revoke")
    _vote(world, setup, leaders[0]["code"])
    _vote(world, setup, leaders[1]["code"], draft_only=True)
    _login(world, leaders[2]["code"])
    _vote(world, setup, grassroots[0]["code"])
    with _session(world, "office-county-a") as client:
        page = client.get(_url(setup))
        assert page.status_code == 200, page.text
        assert "参评情况" in page.text and 'data-tab="ballots.turnout"' in page.text
        assert _row(page.text, "县领导") == {
            "issued": "3",
            "logged_in": "3",
            "drafts": "1",
            "submitted": "1",
            "valid": "1",
            "invalid": "0",
            "turnout": "33.3%",
        }
        assert _row(page.text, "基层代表") == {
            "issued": "3",
            "logged_in": "1",
            "drafts": "0",
            "submitted": "1",
            "valid": "1",
            "invalid": "0",
            "turnout": "33.3%",
        }
        assert _row(page.text, "") == {
            "issued": "6",
            "logged_in": "4",
            "drafts": "1",
            "submitted": "2",
            "valid": "2",
            "invalid": "0",
            "turnout": "33.3%",
        }
        for account in leaders + grassroots:  # counts only: no account, code or number on the page
            assert account["code"] not in page.text
            assert f"No. {account['id']}" not in page.text and f"编号 {account['id']}" not in page.text

        numbers = client.get(_url(setup, "/numbers"))
        assert numbers.status_code == 200 and numbers.headers["cache-control"] == "no-store"
        assert not numbers.text.lstrip().startswith("<!doctype")  # the block alone, for HTMX to swap in
        assert f'hx-get="{_url(setup, "/numbers")}"' in numbers.text and 'hx-trigger="every 3s"' in numbers.text
        assert 'hx-swap="outerHTML"' in numbers.text and "每 3 秒自动刷新" in numbers.text

        _vote(world, setup, grassroots[1]["code"])
        over = [
            {**item, "grade": "优秀"} if item["indicator"] == "ALL" else item for item in full_items(setup.subject_ids)
        ]
        _vote(world, setup, grassroots[2]["code"], items=over)
        again = client.get(_url(setup, "/numbers"))
        assert _row(again.text, "基层代表") == {
            "issued": "3",
            "logged_in": "3",
            "drafts": "0",
            "submitted": "3",
            "valid": "2",
            "invalid": "1",
            "turnout": "100.0%",
        }
        assert _row(again.text, "")["turnout"] == "66.7%" and _row(again.text, "")["invalid"] == "1"

        projector = client.get(_url(setup), params={"view": "projector"})
        assert projector.status_code == 200
        assert 'class="big" data-count="turnout">66.7%' in projector.text
        assert 'hx-get="' + _url(setup, "/numbers") + '?view=projector"' in projector.text
        assert 'nav class="side"' not in projector.text  # a full screen of numbers, no console around them

        setup.close()
        closed = client.get(_url(setup, "/numbers"))
        assert "hx-trigger" not in closed.text and "数据不会自动刷新" in closed.text  # polling stops
        english = client.get(_url(setup), params={"lang": "en"})
        assert "Turnout rate" in english.text and "Issued accounts" in english.text


def test_only_the_office_of_the_locality(world, setup):
    setup.issue("县领导", 1)
    world.user("a-unit", "unit_admin", "county-a", "U0")
    world.user("a-cadre", "cadre", "county-a", "U0")
    world.office("county-b").close()
    other = f"/admin/localities/county-b/campaigns/{setup.campaign_id}/turnout"
    for username in ("a-unit", "a-cadre", "office-county-b"):
        with _session(world, username) as client:
            for url in (_url(setup), _url(setup, "/numbers"), other, other + "/numbers"):
                assert client.get(url).status_code == 404, (username, url)
    with world.client() as anonymous:
        answer = anonymous.get(_url(setup))
        assert answer.status_code in (302, 303) and answer.headers["location"].startswith("/admin/login?next=")
        polled = anonymous.get(_url(setup, "/numbers"), headers={"HX-Request": "true"})
        assert polled.headers.get("hx-redirect", "").startswith("/admin/login?next=")  # a session that ended
