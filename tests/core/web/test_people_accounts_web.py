"""People's accounts and notifications over HTTP: the office's API and console page (issue,
download once-held codes as PDF and .xlsx, re-issue, revoke), the public activation page and
API, /api/me/notifications and the console header's unread count; another locality's ids are
404, lower roles get nothing, forms need the session's CSRF token (SQLite and PostgreSQL)."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import httpx
import pytest
from openpyxl import load_workbook

from core.services import auth
from core.web.auth import SESSION_COOKIE
from tests.core.people_setup import make_org
from tests.helpers import created, never_5xx, ok

PASSWORD = "my own new password"
A = "/api/localities/pa"


def _browser(world, username: str) -> httpx.Client:
    user = auth.find_user(world.ctx, username)
    issued = auth.issue_token(world.ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
    client = httpx.Client(
        base_url=world.url, timeout=30, cookies={SESSION_COOKIE: issued.token}, event_hooks={"response": [never_5xx]}
    )
    client.csrf = issued.csrf_token
    return client


@pytest.fixture
def county(world):
    o = make_org(world.ctx, "pa")
    make_org(world.ctx, "pb", serial=10)
    office = world.client(world.user("office-pa", "office", "pa"))
    office.event_hooks["response"].append(never_5xx)
    other = world.client(world.user("office-pb", "office", "pb"))
    other.event_hooks["response"].append(never_5xx)
    return world, o, office, other


def _codes_of(content: bytes) -> dict[str, tuple[str, str]]:
    """user name -> (name, code) from the .xlsx list."""
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Full name", "Unit", "User name", "Activation code")
    return {row[2]: (row[0], row[3]) for row in rows[1:]}


def test_office_issues_downloads_and_a_person_activates_by_api(county):
    world, o, office, other = county
    issued = created(office.post(f"{A}/people-accounts/issue", json={"unit_id": o.child, "with_sub_units": True}))
    assert (issued["created"], issued["codes"], issued["skipped"]) == (2, 2, 0)
    assert ok(office.get(f"{A}/people-accounts/", params={"unit_id": o.root})) == {
        "people": 3,
        "accounts": 2,
        "activated": 0,
        "waiting": 2,
        "revoked": 0,
    }
    batch = issued["batch_id"]
    pdf = office.get(f"{A}/people-accounts/batches/{batch}/slips.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and pdf.headers["cache-control"] == "no-store"
    sheet = office.get(f"{A}/people-accounts/batches/{batch}/codes.xlsx", headers={"Accept-Language": "en"})
    listed = _codes_of(sheet.content)
    assert sorted(name for name, _code in listed.values()) == sorted(["李四", "王五"])

    # another locality's office: 404 for pa's things, whatever the path says
    assert other.get(f"{A}/people-accounts/").status_code == 404
    assert other.get(f"{A}/people-accounts/batches/{batch}/slips.pdf").status_code == 404
    assert other.get(f"/api/localities/pb/people-accounts/batches/{batch}/codes.xlsx").status_code == 404
    assert other.post(f"/api/localities/pb/people-accounts/people/{o.people['王五']}/reissue").status_code == 404
    assert other.post(f"/api/localities/pb/people-accounts/people/{o.people['王五']}/revoke").status_code == 404
    assert other.post("/api/localities/pb/people-accounts/issue", json={"unit_id": o.root}).status_code == 404

    username = next(u for u, (name, _c) in listed.items() if name == "王五")
    code = listed[username][1]
    with world.client() as anonymous:
        wrong = anonymous.post(
            "/api/activate",
            json={"login": o.cards["王五"], "code": "ABCD-EFGH-JKMN", "password": PASSWORD, "password_again": PASSWORD},
        )
        assert wrong.status_code == 401
        bad = anonymous.post(
            "/api/activate",
            json={"login": o.cards["王五"], "code": code, "password": "short", "password_again": "short"},
            headers={"Accept-Language": "zh-CN"},
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "password"
        token = ok(
            anonymous.post(
                "/api/activate",
                json={"login": o.cards["王五"], "code": code, "password": PASSWORD, "password_again": PASSWORD},
            )
        )
        assert token["username"] == username
        again = anonymous.post(
            "/api/activate", json={"login": username, "code": code, "password": PASSWORD, "password_again": PASSWORD}
        )
        assert again.status_code == 401  # used up
        signed = ok(anonymous.post("/api/auth/token", json={"username": o.cards["王五"], "password": PASSWORD}))
    with world.client(signed["token"]) as person:
        mine = ok(person.get("/api/me/notifications", headers={"Accept-Language": "zh-CN"}))
        assert (mine["total"], mine["unread"]) == (1, 1)
        assert mine["items"][0]["text"] == "你的账号已激活。"
        assert person.post(f"/api/me/notifications/{mine['items'][0]['id']}/read").status_code == 204
        assert ok(person.get("/api/me/notifications", params={"unread": True}))["total"] == 0
        # a person's account may not issue codes nor read the office's counts
        assert person.post(f"{A}/people-accounts/issue", json={}).status_code == 403
        assert person.get(f"{A}/people-accounts/").status_code == 403
    with world.client(token["token"]) as person:
        assert ok(person.post("/api/me/notifications/read-all")) == {"marked": 0}

    # revoke: the person can no longer sign in
    assert office.post(f"{A}/people-accounts/people/{o.people['王五']}/revoke").status_code == 204
    with world.client(signed["token"]) as person:
        assert person.get("/api/me/notifications").status_code == 401
    people = ok(office.get(f"{A}/people-accounts/people", params={"q": "王"}))
    assert people["total"] == 1 and people["items"][0]["state"] == "revoked"


def test_notifications_are_ones_own(county):
    world, o, office, _other = county
    from core.services import notifications as notes

    alice = auth.find_user(world.ctx, "office-pa")
    bob = auth.find_user(world.ctx, "office-pb")
    with world.ctx.db.write() as session:
        note = notes.notify(session, alice.locality_id, alice.id, "test", "For Alice only")
        notes.notify(session, bob.locality_id, bob.id, "test", "For Bob only")
    with world.client(world.user("office2-pb", "office", "pb")) as stranger:
        assert stranger.post(f"/api/me/notifications/{note.id}/read").status_code == 404
    page = ok(office.get("/api/me/notifications"))
    assert [item["text"] for item in page["items"]] == ["For Alice only"] and page["unread"] == 1
    assert office.get("/api/me/notifications", params={"limit": 0}).status_code == 400


def test_console_page_issues_and_downloads(county):
    world, o, _office, _other = county
    with _browser(world, "office-pa") as browser:
        page = browser.get("/admin/localities/pa/people-accounts", params={"lang": "zh_CN"})
        assert page.status_code == 200 and "人员账号" in page.text and "发放激活码" in page.text
        refused = browser.post("/admin/localities/pa/people-accounts/issue", data={"unit_id": str(o.root)})
        assert refused.status_code == 403  # no CSRF token
        done = browser.post(
            "/admin/localities/pa/people-accounts/issue",
            data={"_csrf": browser.csrf, "unit_id": str(o.root), "with_sub_units": "1"},
        )
        assert done.status_code in (302, 303)
        target = done.headers["location"]
        batch = int(re.search(r"batch=(\d+)", target).group(1))
        shown = browser.get(target)
        assert "已发放激活码 3 个" in shown.text and f"/batches/{batch}/slips.pdf" in shown.text
        assert browser.get(f"/admin/localities/pa/people-accounts/batches/{batch}/slips.pdf").content.startswith(
            b"%PDF"
        )
        listed = _codes_of(
            browser.get(
                f"/admin/localities/pa/people-accounts/batches/{batch}/codes.xlsx", params={"lang": "en"}
            ).content
        )
        assert len(listed) == 3
        english = browser.get("/admin/localities/pa/people-accounts", params={"lang": "en"})
        assert "People's accounts" in html.unescape(english.text) and "Waiting for activation" in english.text
        # another locality's page and batch: 404
        assert browser.get("/admin/localities/pb/people-accounts").status_code == 404
        reissue = browser.post(
            f"/admin/localities/pa/people-accounts/{o.people['赵六'] + 10_000}/reissue", data={"_csrf": browser.csrf}
        )
        assert reissue.status_code == 404
    with _browser(world, "office-pb") as stranger:
        assert stranger.get(f"/admin/localities/pb/people-accounts/batches/{batch}/slips.pdf").status_code == 404
        wrong = stranger.post(
            f"/admin/localities/pb/people-accounts/{o.people['张三']}/revoke", data={"_csrf": stranger.csrf}
        )
        assert wrong.status_code == 404


def test_activation_page_signs_in_and_the_header_counts_unread(county):
    world, o, office, _other = county
    batch = created(office.post(f"{A}/people-accounts/issue", json={}))["batch_id"]
    listed = _codes_of(
        office.get(f"{A}/people-accounts/batches/{batch}/codes.xlsx", headers={"Accept-Language": "en"}).content
    )
    username, (_name, code) = next((u, v) for u, v in listed.items() if v[0] == "李四")
    with httpx.Client(base_url=world.url, timeout=30, event_hooks={"response": [never_5xx]}) as browser:
        form = browser.get("/activate")
        assert form.status_code == 200 and "激活账号" in form.text
        csrf = re.search(r'name="_csrf" value="([^"]+)"', form.text).group(1)
        mismatch = browser.post(
            "/activate",
            data={
                "_csrf": csrf,
                "login": o.cards["李四"],
                "code": code,
                "password": PASSWORD,
                "password_again": PASSWORD + "x",
            },
        )
        assert mismatch.status_code == 422 and "两次输入的密码不一致" in mismatch.text
        expired = browser.post(
            "/activate",
            data={
                "_csrf": "forged",
                "login": o.cards["李四"],
                "code": code,
                "password": PASSWORD,
                "password_again": PASSWORD,
            },
        )
        assert expired.status_code == 403
        done = browser.post(
            "/activate",
            data={
                "_csrf": csrf,
                "login": o.cards["李四"],
                "code": code,
                "password": PASSWORD,
                "password_again": PASSWORD,
            },
        )
        assert done.status_code in (302, 303), done.text
        overview = browser.get("/admin/notifications")
        assert overview.status_code == 200
        assert re.search(r'id="unread-count"[^>]*>1<', overview.text)
        assert "你的账号已激活。" in overview.text
        note_id = re.search(r'action="/admin/notifications/(\d+)/read"', overview.text).group(1)
        session_csrf = re.search(r'name="_csrf" value="([^"]+)"', overview.text).group(1)
        browser.post(f"/admin/notifications/{note_id}/read", data={"_csrf": session_csrf})
        assert 'id="unread-count"' not in browser.get("/admin/notifications").text
    # and signs in later by user name at the console's sign-in page
    assert auth.authenticate(world.ctx, username, PASSWORD, "127.0.0.1").username == username


def _shown_counts(text: str) -> dict[str, int]:
    return {name: int(n) for name, n in re.findall(r'<dd data-count="(\w+)">(\d+)</dd>', text)}


def test_console_page_counts_follow_issuing_and_revoking(county):
    """The page's counts (kept by the services, core.services.account_counts) after the office
    issues codes for a unit and revokes one account from the page."""
    world, o, _office, _other = county
    with _browser(world, "office-pa") as browser:
        page = browser.get("/admin/localities/pa/people-accounts")
        assert _shown_counts(page.text) == {"people": 4, "accounts": 0, "activated": 0, "waiting": 0, "revoked": 0}
        browser.post(
            "/admin/localities/pa/people-accounts/issue",
            data={"_csrf": browser.csrf, "unit_id": str(o.root), "with_sub_units": "1"},
        )
        page = browser.get("/admin/localities/pa/people-accounts")
        assert _shown_counts(page.text) == {"people": 4, "accounts": 3, "activated": 0, "waiting": 3, "revoked": 0}
        assert page.text.count("<tr data-person=") == 4  # everyone listed, the total from the people count
        revoked = browser.post(
            f"/admin/localities/pa/people-accounts/{o.people['李四']}/revoke", data={"_csrf": browser.csrf}
        )
        assert revoked.status_code == 200
        assert _shown_counts(revoked.text) == {"people": 4, "accounts": 3, "activated": 0, "waiting": 2, "revoked": 1}
