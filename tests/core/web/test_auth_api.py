"""Signing in: bearer tokens, the login rate limit, and the admin session cookie with CSRF."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlmodel import select

from core.context import AppContext
from core.db import Database
from core.models import User
from core.security import Keyring
from core.services import auth, throttle
from core.services.auth import MAX_FAILURES_PER_USER
from tests.conftest import TEST_PASSWORD, TEST_SECRET_KEY, LiveServer, _free_port

WRONG_LOGIN = "wrong user name or password"


def _login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    return client.post("/api/auth/token", json={"username": username, "password": password})


def _office(world, username: str = "alice", locality: str = "county-a") -> None:
    world.locality(locality)
    world.user(username, "office", locality)


def _failure_count(ctx, key: str) -> int:
    return throttle.failures(ctx, key)


ALICE_HERE = "user:alice|client:127.0.0.1"


# --- bearer tokens ------------------------------------------------------------------------------


def test_token_login_gives_a_working_bearer_token(world):
    _office(world)
    with world.client() as anonymous:
        response = _login(anonymous, "alice", TEST_PASSWORD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token"] and body["expires_at"]
    with world.client(body["token"]) as api:
        listed = api.get("/api/localities")
    assert listed.status_code == 200, listed.text
    assert [loc["code"] for loc in listed.json()] == ["county-a"]


def test_wrong_password_and_unknown_user_get_the_same_clear_401(world):
    _office(world)
    with world.client() as anonymous:
        wrong = _login(anonymous, "alice", "not the password at all")
        unknown = _login(anonymous, "nobody-here", TEST_PASSWORD)
    assert wrong.status_code == 401
    assert unknown.status_code == 401
    assert wrong.json()["detail"] == WRONG_LOGIN
    assert unknown.json()["detail"] == wrong.json()["detail"]
    assert "token" not in wrong.json()


def test_missing_bad_and_expired_tokens_are_refused(world):
    _office(world)
    user = auth.find_user(world.ctx, "alice")
    expired = auth.issue_token(world.ctx, user, kind="api", ttl=timedelta(seconds=-1)).token
    valid = auth.issue_token(world.ctx, user, kind="api", ttl=timedelta(hours=1)).token
    zero_lifetime = auth.issue_token(world.ctx, user, kind="api", ttl=timedelta(0)).token  # expired, not eternal
    with world.client() as anonymous:
        assert anonymous.get("/api/localities").status_code == 401
        assert anonymous.get("/api/localities", headers={"Authorization": "Bearer"}).status_code == 401
    for token in ("not-a-real-token", valid + "x", expired, zero_lifetime):
        with world.client(token) as api:
            response = api.get("/api/localities")
        assert response.status_code == 401, (token, response.text)
        assert response.json()["detail"]
    with world.client(valid) as api:
        assert api.get("/api/localities").status_code == 200


def test_a_session_id_is_not_accepted_as_a_bearer_token(world):
    _office(world)
    session = auth.issue_token(world.ctx, auth.find_user(world.ctx, "alice"), kind="session", ttl=timedelta(hours=1))
    with world.client(session.token) as api:
        assert api.get("/api/localities").status_code == 401


def test_a_disabled_users_token_stops_working_and_login_is_refused(world):
    _office(world)
    with world.client() as anonymous:
        token = _login(anonymous, "alice", TEST_PASSWORD).json()["token"]
    with world.client(token) as api:
        assert api.get("/api/localities").status_code == 200
        with world.ctx.db.write() as session:
            user = session.exec(select(User).where(User.username == "alice")).one()
            user.is_active = False
            session.add(user)
        assert api.get("/api/localities").status_code == 401
    with world.client() as anonymous:
        refused = _login(anonymous, "alice", TEST_PASSWORD)
    assert refused.status_code == 401
    assert refused.json()["detail"] == WRONG_LOGIN


# --- the login rate limit -----------------------------------------------------------------------


def test_failed_logins_are_limited_per_user_name_and_address(world):
    _office(world, "alice")
    world.user("bob", "office", "county-a")
    with world.client() as anonymous:
        for _ in range(MAX_FAILURES_PER_USER):
            assert _login(anonymous, "alice", "wrong password!").status_code == 401
        # From this address, even the right password now waits, with a hint when to come back.
        limited = _login(anonymous, "alice", TEST_PASSWORD)
        assert limited.status_code == 429, limited.text
        assert 0 < int(limited.headers["retry-after"]) <= 900
        assert "too many failed logins" in limited.json()["detail"]
        # Changing the case of the name does not get around the limit.
        assert _login(anonymous, "ALICE", TEST_PASSWORD).status_code == 429
        # Another user at the same address is not locked out by alice's failures.
        assert _login(anonymous, "bob", TEST_PASSWORD).status_code == 200
    assert _failure_count(world.ctx, ALICE_HERE) == MAX_FAILURES_PER_USER  # refusals are not counted


def test_wrong_passwords_from_one_address_never_lock_the_user_out_of_another(world):
    """OWASP ASVS V6.3: whoever guesses alice's password from address A cannot lock alice out
    of address B (the test server trusts X-Forwarded-For from 127.0.0.1, as behind a proxy)."""
    _office(world, "alice")
    attacker, office = {"X-Forwarded-For": "203.0.113.66"}, {"X-Forwarded-For": "10.20.30.40"}
    with world.client() as anonymous:
        for _ in range(3 * MAX_FAILURES_PER_USER):
            response = anonymous.post(
                "/api/auth/token", json={"username": "alice", "password": "guess!guess!"}, headers=attacker
            )
            assert response.status_code in (401, 429)
        assert (
            anonymous.post(
                "/api/auth/token", json={"username": "alice", "password": TEST_PASSWORD}, headers=attacker
            ).status_code
            == 429
        )
        signed_in = anonymous.post(
            "/api/auth/token", json={"username": "alice", "password": TEST_PASSWORD}, headers=office
        )
        assert signed_in.status_code == 200, signed_in.text
    assert _failure_count(world.ctx, "user:alice|client:203.0.113.66") == MAX_FAILURES_PER_USER
    assert _failure_count(world.ctx, "user:alice|client:10.20.30.40") == 0


def test_an_address_that_tries_many_names_is_limited_too(world, monkeypatch):
    monkeypatch.setattr(auth, "MAX_FAILURES_PER_CLIENT", 4)
    _office(world, "alice")
    with world.client() as anonymous:
        for name in ("a1", "a2", "a3", "a4"):
            assert _login(anonymous, name, "wrong password!").status_code == 401
        assert _login(anonymous, "alice", TEST_PASSWORD).status_code == 429
        other = anonymous.post(
            "/api/auth/token",
            json={"username": "alice", "password": TEST_PASSWORD},
            headers={"X-Forwarded-For": "10.20.30.41"},
        )
        assert other.status_code == 200


def test_successful_logins_are_not_counted(world):
    _office(world)
    with world.client() as anonymous:
        for _ in range(MAX_FAILURES_PER_USER + 3):
            response = _login(anonymous, "alice", TEST_PASSWORD)
            assert response.status_code == 200, response.text
    assert _failure_count(world.ctx, ALICE_HERE) == 0


def test_the_limit_is_kept_in_the_database_and_shared_by_app_instances(world):
    """Failures counted by one server are seen by another app over the same database."""
    from core.web.app import create_app

    _office(world)
    with world.client() as anonymous:
        for _ in range(MAX_FAILURES_PER_USER):
            assert _login(anonymous, "alice", "wrong password!").status_code == 401
    assert _failure_count(world.ctx, ALICE_HERE) == MAX_FAILURES_PER_USER

    other = AppContext(settings=world.ctx.settings, db=Database(world.ctx.db.url), keys=Keyring(TEST_SECRET_KEY))
    second = LiveServer(create_app(other, audit_monitor=False), _free_port())
    second.start()
    try:
        with httpx.Client(base_url=second.url, timeout=30) as second_instance:
            response = _login(second_instance, "alice", TEST_PASSWORD)
        assert response.status_code == 429, response.text
        assert response.headers["retry-after"]
    finally:
        second.stop()
        other.db.dispose()


# --- the browser session ------------------------------------------------------------------------

CSRF_FIELD = re.compile(r'name="_csrf" value="([^"]+)"')


def _browser(world) -> httpx.Client:
    return httpx.Client(base_url=world.url, timeout=30, follow_redirects=False)


def _login_form_csrf(browser: httpx.Client) -> str:
    page = browser.get("/admin/login")
    assert page.status_code == 200
    match = CSRF_FIELD.search(page.text)
    assert match, "the login form has no CSRF field"
    assert browser.cookies.get("kaoping_login_csrf") == match.group(1)
    return match.group(1)


def _sign_in(browser: httpx.Client, username: str = "alice") -> httpx.Response:
    csrf = _login_form_csrf(browser)
    return browser.post("/admin/login", data={"_csrf": csrf, "username": username, "password": TEST_PASSWORD})


def test_admin_form_login_sets_an_httponly_session_cookie(world):
    _office(world)
    with _browser(world) as browser:
        response = _sign_in(browser)
        assert response.status_code in (302, 303), response.text
        assert response.headers["location"] == "/admin/"
        set_cookie = response.headers["set-cookie"]
        assert set_cookie.startswith("kaoping_session=")
        assert "httponly" in set_cookie.lower()
        assert browser.cookies.get("kaoping_session")
        dashboard = browser.get("/admin/")
    assert dashboard.status_code == 200
    assert "county-a" in dashboard.text


def test_admin_form_without_or_with_a_wrong_csrf_field_is_refused(world):
    _office(world)
    with _browser(world) as browser:
        _login_form_csrf(browser)
        missing = browser.post("/admin/login", data={"username": "alice", "password": TEST_PASSWORD})
        wrong = browser.post("/admin/login", data={"_csrf": "forged", "username": "alice", "password": TEST_PASSWORD})
        assert missing.status_code == 403
        assert wrong.status_code == 403
        assert browser.cookies.get("kaoping_session") is None
    with _browser(world) as fresh:  # no login cookie at all, as in a cross-site post
        posted = fresh.post("/admin/login", data={"_csrf": "anything", "username": "alice", "password": TEST_PASSWORD})
        assert posted.status_code == 403
        assert "kaoping_session" not in posted.headers.get("set-cookie", "")


def test_session_cookie_reads_freely_but_writes_need_the_csrf_token(world):
    _office(world)
    with _browser(world) as browser:
        assert _sign_in(browser).status_code in (302, 303)
        csrf = CSRF_FIELD.search(browser.get("/admin/").text).group(1)

        listed = browser.get("/api/localities")
        assert listed.status_code == 200, listed.text
        assert [loc["code"] for loc in listed.json()] == ["county-a"]

        unit = {"code": "U1", "name": "县委办"}
        without = browser.post("/api/localities/county-a/units", json=unit)
        assert without.status_code == 403, without.text
        wrong = browser.post("/api/localities/county-a/units", json=unit, headers={"X-CSRF-Token": csrf + "x"})
        assert wrong.status_code == 403
        created = browser.post("/api/localities/county-a/units", json=unit, headers={"X-CSRF-Token": csrf})
        assert created.status_code == 201, created.text
        assert browser.get("/api/localities/county-a/units").json()["total"] == 1


def test_logout_revokes_the_session(world):
    _office(world)
    with _browser(world) as browser:
        assert _sign_in(browser).status_code in (302, 303)
        session_id = browser.cookies.get("kaoping_session")
        csrf = CSRF_FIELD.search(browser.get("/admin/").text).group(1)
        out = browser.post("/admin/logout", data={"_csrf": csrf})
        assert out.status_code in (302, 303)
        assert out.headers["location"].split("?")[0] == "/admin/login"
    # Even someone who kept a copy of the cookie can no longer use it.
    with httpx.Client(base_url=world.url, cookies={"kaoping_session": session_id}, follow_redirects=False) as stale:
        assert stale.get("/api/localities").status_code == 401
        page = stale.get("/admin/")
        assert page.status_code in (302, 303)
        assert page.headers["location"].split("?")[0] == "/admin/login"  # ?next= brings it back
