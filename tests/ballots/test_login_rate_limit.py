"""The evaluator login's rate limit (JSON API, live server): only failures count.

A county meeting room puts hundreds of phones behind one address, so correct logins must
never be throttled; a burst of wrong codes from one address is. Failures are rows in
``login_failures``, so every app instance sees them.

The live server runs in a thread of the test process, so monkeypatching the limits in
``ballots.service`` applies to it.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from sqlalchemy import func
from sqlmodel import select

from ballots import service
from core.models import LoginFailure
from core.models.base import utcnow
from core.services.auth import FAILURE_WINDOW
from tests.campaign_setup import full_items

WRONG_CODE = "AAAA-BBBB-CCCC"
CLIENT_KEY = "ballot-client:127.0.0.1"


def _login(world, code: str, address: str | None = None) -> httpx.Response:
    # The test server trusts X-Forwarded-For from 127.0.0.1 (uvicorn's default, as behind a local proxy).
    headers = {"X-Forwarded-For": address} if address else {}
    with world.client() as client:
        return client.post("/api/ballot/login", json={"code": code}, headers=headers)


def _failures(world, key: str | None = None) -> int:
    with world.ctx.db.read() as session:
        query = select(func.count()).select_from(LoginFailure)
        if key is not None:
            query = query.where(LoginFailure.key == key)
        return session.exec(query).one()


def _add_failures(world, key: str, count: int, age: timedelta = timedelta(0)) -> None:
    """Failures recorded by another app instance sharing the database."""
    with world.ctx.db.write() as session:
        for _ in range(count):
            session.add(LoginFailure(key=key, created_at=utcnow() - age))


def test_500_correct_logins_from_one_address_all_succeed(world, setup):
    accounts = setup.issue("县领导", 500)
    setup.issue("基层代表", 1)
    setup.open()
    assert len({a["code"] for a in accounts}) == 500
    assert 500 > service.MAX_LOGIN_FAILURES_PER_CLIENT  # more logins than failures allowed

    local = threading.local()
    clients: list[httpx.Client] = []

    def login(code: str) -> int:
        if not hasattr(local, "client"):  # one keep-alive client per thread, like one phone each
            local.client = httpx.Client(base_url=world.url, timeout=60)
            clients.append(local.client)
        return local.client.post("/api/ballot/login", json={"code": code}).status_code

    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(login, [a["code"] for a in accounts]))
    finally:
        for client in clients:
            client.close()
    elapsed = time.monotonic() - started
    assert statuses == [200] * 500
    assert elapsed < 120, f"500 logins took {elapsed:.0f}s"
    assert _failures(world) == 0  # successes add no rows
    progress = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    assert progress["categories"]["县领导"]["logged_in"] == 500
    # Logging in again (a second phone, a reload) is still fine and still records nothing.
    assert _login(world, accounts[0]["code"]).status_code == 200
    assert _failures(world) == 0


def test_burst_of_wrong_codes_answers_429_with_retry_after(world, setup):
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    limit = service.MAX_LOGIN_FAILURES_PER_CLIENT
    with world.client() as client:
        statuses = [client.post("/api/ballot/login", json={"code": WRONG_CODE}).status_code for _ in range(limit)]
        assert statuses == [401] * limit
        assert _failures(world, CLIENT_KEY) == limit
        blocked = client.post("/api/ballot/login", json={"code": WRONG_CODE})
        assert blocked.status_code == 429, blocked.text
        assert blocked.headers["Retry-After"] == str(int(FAILURE_WINDOW.total_seconds()))
        assert blocked.json()["detail"] == "too many failed logins; wait a few minutes and try again"
        # While blocked, even a correct code from that address waits; refusals add no rows.
        assert client.post("/api/ballot/login", json={"code": account["code"]}).status_code == 429
    assert _failures(world, CLIENT_KEY) == limit
    assert _failures(world) == limit  # unknown codes are not charged to any campaign
    # Another address is not affected.
    assert _login(world, account["code"], address="10.0.0.7").status_code == 200


def test_a_few_typos_then_the_right_code_works(world, setup, monkeypatch):
    monkeypatch.setattr(service, "MAX_LOGIN_FAILURES_PER_CLIENT", 5)
    accounts = setup.issue("县领导", 3)
    setup.issue("基层代表", 1)
    setup.open()
    typo = accounts[0]["code"][:-1] + ("A" if accounts[0]["code"][-1] != "A" else "B")
    for _ in range(4):
        assert _login(world, typo).status_code == 401
    assert _failures(world, CLIENT_KEY) == 4
    assert _login(world, accounts[0]["code"]).status_code == 200  # 4 < 5: still allowed
    assert _login(world, accounts[1]["code"]).status_code == 200
    assert _failures(world, CLIENT_KEY) == 4  # successes add none
    assert _login(world, typo).status_code == 401  # the 5th failure
    blocked = _login(world, accounts[2]["code"])
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "900"
    assert _failures(world, CLIENT_KEY) == 5


def test_failures_are_shared_through_the_database(world, setup):
    """Rows written by another instance count here; rows older than the window do not."""
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    limit = service.MAX_LOGIN_FAILURES_PER_CLIENT
    _add_failures(world, CLIENT_KEY, limit, age=FAILURE_WINDOW + timedelta(minutes=1))
    assert _login(world, account["code"]).status_code == 200  # old failures have expired
    _add_failures(world, CLIENT_KEY, limit - 1)
    assert _login(world, account["code"]).status_code == 200  # just under the limit
    assert _login(world, WRONG_CODE).status_code == 401  # reaches the limit (and prunes expired rows)
    assert _failures(world, CLIENT_KEY) == limit
    assert _login(world, account["code"]).status_code == 429


def test_used_codes_are_refused_but_never_counted_as_failures(world, setup, monkeypatch):
    """A used slip scanned again is not a guess: it answers 409 every time, adds no failure,
    and cannot lock out its meeting room or its campaign."""
    monkeypatch.setattr(service, "MAX_LOGIN_FAILURES_PER_CLIENT", 3)
    accounts = setup.issue("县领导", 2)
    setup.issue("基层代表", 1)
    setup.open()
    token = _login(world, accounts[0]["code"]).json()["token"]
    with world.client(token) as voter:
        assert voter.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids)}).status_code == 200
    for _ in range(6):
        assert _login(world, accounts[0]["code"]).status_code == 409
    assert _failures(world) == 0
    assert _login(world, accounts[1]["code"]).status_code == 200


def test_sign_in_page_answers_429_in_chinese_with_retry_after(world, setup, monkeypatch):
    """The form at /b/ and the JSON API share one limit per address."""
    monkeypatch.setattr(service, "MAX_LOGIN_FAILURES_PER_CLIENT", 2)
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    with world.client() as browser:
        for _ in range(2):
            wrong = browser.post("/b/login", data={"code": WRONG_CODE})
            assert wrong.status_code == 401 and "测评码无效，请核对测评卡上的测评码。" in wrong.text
        blocked = browser.post("/b/login", data={"code": account["code"]})
        assert blocked.status_code == 429
        assert blocked.headers["Retry-After"] == "900"
        assert "错误次数过多，请几分钟后再试。" in blocked.text
        assert "kaoping_ballot" not in blocked.headers.get("set-cookie", "")
    assert _login(world, account["code"]).status_code == 429
    assert _failures(world, CLIENT_KEY) == 2
