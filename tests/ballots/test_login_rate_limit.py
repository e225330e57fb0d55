"""The evaluator login's limits (live server and the service, SQLite and PostgreSQL): a right
code always signs in; only wrong codes are counted.

A county meeting room puts hundreds of phones behind one address, and one typist or attacker
among them must not lock the room out. So the code is looked up first and a right code is
never refused, whatever wrong codes came from the same address; wrong codes are counted per
client network and from everywhere together, and past a limit they are answered 429 (and no
longer written down). Counts are rows of ``login_failure_counts``, so every app instance sees
them.

The live server runs in a thread of the test process, so monkeypatching the limits in
``ballots.login`` (where ``login`` reads them) applies to it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func
from sqlmodel import select

from ballots import codes, service
from ballots import login as ballot_login
from core.models import LoginFailureCount
from core.services import throttle
from core.services.errors import ServiceError
from tests.campaign_setup import full_items

WRONG_CODE = "AAAA-BBBB-CCCC"
CLIENT_KEY = "ballot-client:127.0.0.1"
WINDOW_SECONDS = int(throttle.WINDOW.total_seconds())
# The README's arithmetic assumes the checker answers at most this many guesses a second per
# app process; the test below measures the real rate and holds it to that.
ASSUMED_GUESSES_PER_SECOND_PER_PROCESS = 10_000


def _login(world, code: str, address: str | None = None) -> httpx.Response:
    # The test server trusts X-Forwarded-For from 127.0.0.1 (uvicorn's default, as behind a local proxy).
    headers = {"X-Forwarded-For": address} if address else {}
    with world.client() as client:
        return client.post("/api/ballot/login", json={"code": code}, headers=headers)


def _failures(world, key: str | None = None) -> int:
    """Failures counted in the window under ``key`` (under every client key without one)."""
    if key is not None:
        return throttle.failures(world.ctx, key)
    with world.ctx.db.read() as session:
        return session.exec(
            select(func.coalesce(func.sum(LoginFailureCount.failures), 0)).where(
                LoginFailureCount.key.startswith("ballot-client:")
            )
        ).one()


def _rows(world) -> int:
    with world.ctx.db.read() as session:
        return session.exec(select(func.count()).select_from(LoginFailureCount)).one()


def _add_failures(world, key: str, count: int, age_seconds: float = 0) -> None:
    """Failures counted by another app instance sharing the database."""
    for _ in range(count):
        throttle.record(world.ctx, [key], now=time.time() - age_seconds)


def _retry_after(response: httpx.Response) -> int:
    value = int(response.headers["Retry-After"])
    # the window, less the part of the first failure's minute gone by (a test may cross a minute)
    assert WINDOW_SECONDS - 3 * throttle.BUCKET_SECONDS < value <= WINDOW_SECONDS, value
    return value


def test_500_correct_logins_from_one_address_all_succeed(world, setup):
    accounts = setup.issue("县领导", 500)
    setup.issue("基层代表", 1)
    setup.open()
    assert len({a["code"] for a in accounts}) == 500
    assert 500 > ballot_login.MAX_LOGIN_FAILURES_PER_CLIENT  # more logins than failures allowed

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
    assert _rows(world) == 0  # successes add no rows
    progress = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    assert progress["categories"]["县领导"]["logged_in"] == 500
    # Logging in again (a second phone, a reload) is still fine and still records nothing.
    assert _login(world, accounts[0]["code"]).status_code == 200
    assert _rows(world) == 0


def test_2000_wrong_codes_then_300_right_ones_from_the_same_address(world, setup, capsys):
    """The attack the limit must not turn into a lockout: a burst of guesses from a meeting
    room's address, then the room signs in. Also measures how fast guesses reach the checker."""
    accounts = setup.issue("县领导", 300)
    setup.issue("基层代表", 1)
    setup.open()
    room = "198.51.100.23"
    guesses = [codes.new_code() for _ in range(2000)]
    answers: Counter[int] = Counter()
    started = time.perf_counter()
    for guess in guesses:
        try:
            service.login(world.ctx, guess, room)
        except ServiceError as exc:
            answers[exc.status_code] += 1
    elapsed = time.perf_counter() - started
    limit = ballot_login.MAX_LOGIN_FAILURES_PER_CLIENT
    assert answers == {401: limit, 429: 2000 - limit}
    # What was written down: the first `limit` guesses; the rest cost reads only.
    assert _failures(world, f"ballot-client:{room}") == limit
    assert _failures(world, "ballot-all") == limit
    assert _rows(world) <= 2 * 2  # two keys, at most two minutes each

    for account in accounts:  # every right code from the same address signs in
        assert service.login(world.ctx, account["code"], room).token
    # and over HTTP too, from that address: a right code signs in, a wrong one waits
    assert _login(world, accounts[0]["code"], room).status_code == 200
    slowed = _login(world, codes.new_code(), room)
    assert slowed.status_code == 429
    _retry_after(slowed)
    assert _failures(world, f"ballot-client:{room}") == limit

    rate = len(guesses) / elapsed
    with capsys.disabled():
        print(
            f"\n[{world.ctx.db.engine.dialect.name}] 2,000 guesses from one address: {limit} answered 401, "
            f"{2000 - limit} answered 429, {limit} written down; every one reached the checker, "
            f"at {rate:,.0f} guesses/s in one process"
        )
    assert rate < ASSUMED_GUESSES_PER_SECOND_PER_PROCESS


def test_past_the_limit_wrong_codes_answer_429_and_right_codes_still_sign_in(world, setup, monkeypatch):
    monkeypatch.setattr(ballot_login, "MAX_LOGIN_FAILURES_PER_CLIENT", 5)
    accounts = setup.issue("县领导", 3)
    setup.issue("基层代表", 1)
    setup.open()
    typo = accounts[0]["code"][:-1] + ("A" if accounts[0]["code"][-1] != "A" else "B")
    with world.client() as client:
        for _ in range(5):
            wrong = client.post("/api/ballot/login", json={"code": typo})
            assert wrong.status_code == 401
            assert wrong.json()["detail"] == "unknown code: check the code on your slip"
        assert _failures(world, CLIENT_KEY) == 5
        slowed = client.post("/api/ballot/login", json={"code": WRONG_CODE})
        assert slowed.status_code == 429, slowed.text
        _retry_after(slowed)
        assert slowed.json()["detail"] == service.WRONG_CODE_SLOW_DOWN
        for account in accounts:  # never refused, whatever came before
            assert client.post("/api/ballot/login", json={"code": account["code"]}).status_code == 200
        assert client.post("/api/ballot/login", json={"code": WRONG_CODE}).status_code == 429
    assert _failures(world, CLIENT_KEY) == 5  # refusals past the limit are not written down
    # Another address is not affected.
    assert _login(world, WRONG_CODE, address="10.0.0.7").status_code == 401


def test_wrong_codes_from_everywhere_together_have_a_limit_too(world, setup, monkeypatch):
    """A wrong code names no campaign: the platform-wide count stands in for a per-campaign one,
    so guesses spread over many addresses are slowed too. Right codes never are."""
    monkeypatch.setattr(ballot_login, "MAX_LOGIN_FAILURES_ALL", 4)
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    for n in range(4):
        assert _login(world, WRONG_CODE, address=f"10.0.1.{n}").status_code == 401
    assert _login(world, WRONG_CODE, address="10.0.2.1").status_code == 429  # a fresh address
    assert _login(world, account["code"], address="10.0.2.1").status_code == 200
    assert _failures(world, "ballot-all") == 4


def test_failures_are_shared_through_the_database(world, setup, monkeypatch):
    """Counts written by another instance count here; counts older than the window do not."""
    monkeypatch.setattr(ballot_login, "MAX_LOGIN_FAILURES_PER_CLIENT", 10)
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    _add_failures(world, CLIENT_KEY, 10, age_seconds=WINDOW_SECONDS + 60)
    assert _login(world, WRONG_CODE).status_code == 401  # the old ones have left the window
    _add_failures(world, CLIENT_KEY, 9, age_seconds=300)
    assert _login(world, WRONG_CODE).status_code == 429  # 1 + 9 from elsewhere = 10
    assert _login(world, account["code"]).status_code == 200
    # The 429 says when enough of them leave the window: the 9 of 5 minutes ago, in about
    # 10 minutes.
    waited = int(_login(world, WRONG_CODE).headers["Retry-After"])
    assert WINDOW_SECONDS - 300 - throttle.BUCKET_SECONDS <= waited <= WINDOW_SECONDS - 300 + 1
    assert _rows(world) <= 3  # the expired minute is gone: pruned by the next write


def test_used_codes_are_refused_but_never_counted_as_failures(world, setup, monkeypatch):
    """A used slip scanned again is not a guess: it answers 409 every time, adds no failure,
    and cannot lock out its meeting room or its campaign."""
    monkeypatch.setattr(ballot_login, "MAX_LOGIN_FAILURES_PER_CLIENT", 3)
    accounts = setup.issue("县领导", 2)
    setup.issue("基层代表", 1)
    setup.open()
    token = _login(world, accounts[0]["code"]).json()["token"]
    with world.client(token) as voter:
        assert voter.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids)}).status_code == 200
    for _ in range(6):
        assert _login(world, accounts[0]["code"]).status_code == 409
    assert _rows(world) == 0
    assert _login(world, accounts[1]["code"]).status_code == 200


def test_sign_in_page_answers_429_in_chinese_and_still_lets_a_right_code_in(world, setup, monkeypatch):
    """The form at /b/ and the JSON API share one count per address."""
    monkeypatch.setattr(ballot_login, "MAX_LOGIN_FAILURES_PER_CLIENT", 2)
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    with world.client() as browser:
        for _ in range(2):
            wrong = browser.post("/b/login", data={"code": WRONG_CODE})
            assert wrong.status_code == 401 and "测评码无效，请核对测评卡上的测评码。" in wrong.text
        slowed = browser.post("/b/login", data={"code": WRONG_CODE})
        assert slowed.status_code == 429
        _retry_after(slowed)
        assert "近来输入错误的测评码过多，请几分钟后再试（正确的测评码随时可以登录）。" in slowed.text
        assert "kaoping_ballot" not in slowed.headers.get("set-cookie", "")
        signed_in = browser.post("/b/login", data={"code": account["code"]})
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/b/ballot"
    assert _login(world, WRONG_CODE).status_code == 429
    assert _failures(world, CLIENT_KEY) == 2


def test_clients_count_by_address_and_ipv6_by_its_64():
    assert throttle.client_network("203.0.113.7") == "203.0.113.7"
    assert throttle.client_network("::ffff:203.0.113.7") == "203.0.113.7"
    assert (
        throttle.client_network("2001:db8:1:2:aaaa::1")
        == throttle.client_network("2001:db8:1:2:ffff::9")
        == "2001:db8:1:2::/64"
    )
    assert throttle.client_network("2001:db8:1:3::1") != throttle.client_network("2001:db8:1:2::1")
    assert throttle.client_network("unknown") == "unknown"
