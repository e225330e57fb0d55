"""The refusals of signing in and of the CSRF check read in the caller's language: an API client's
``Accept-Language`` (English without one), a console page's language (Chinese by default)."""

from __future__ import annotations

import httpx

from core.services import auth
from tests.helpers import browser_session

UNITS = "/api/localities/county-a/units"
# a console page (and form), which checks the session as every console page does
PAGE = "/admin/localities/county-a/units"


def _office(world) -> int:
    world.locality("county-a")
    world.user("alice", "office", "county-a")
    return auth.find_user(world.ctx, "alice").id


def test_api_401_in_the_language_the_client_asks_for(world):
    _office(world)
    with httpx.Client(base_url=world.url, timeout=30) as anonymous:
        default = anonymous.get(UNITS).json()
        chinese = anonymous.get(UNITS, headers={"Accept-Language": "zh-CN"}).json()
        bad_token = anonymous.get(
            UNITS, headers={"Accept-Language": "zh-CN,zh;q=0.9", "Authorization": "Bearer nonsense"}
        )
    assert default["status_code"] == 401
    assert default["detail"].startswith("sign in first")
    assert chinese["detail"].startswith("请先登录")
    assert bad_token.status_code == 401
    assert bad_token.json()["detail"] == "访问令牌无效或已过期"


def test_api_csrf_403_in_the_language_the_client_asks_for(world):
    user_id = _office(world)
    with browser_session(world.ctx, world.url, user_id) as browser:
        default = browser.post(UNITS, json={"code": "U1", "name": "县委办"})
        chinese = browser.post(UNITS, json={"code": "U1", "name": "县委办"}, headers={"Accept-Language": "zh-CN"})
    assert default.status_code == chinese.status_code == 403
    assert default.json()["detail"] == "missing or wrong CSRF token"
    assert chinese.json()["detail"].startswith("缺少 CSRF 令牌")


def test_console_pages_refuse_in_the_page_language(world):
    """Console pages check the session themselves: no session sends to the sign-in page, a form
    without its CSRF token gets the console's own 403 page, both in the page's language."""
    user_id = _office(world)
    with httpx.Client(base_url=world.url, timeout=30) as anonymous:
        chinese = anonymous.get(PAGE)
        english = anonymous.get(PAGE, params={"lang": "en"})
    for answer in (chinese, english):
        assert answer.status_code in (302, 303) and answer.headers["location"].startswith("/admin/login")
    with httpx.Client(base_url=world.url, timeout=30) as anonymous:
        assert "登录" in anonymous.get("/admin/login").text
    with browser_session(world.ctx, world.url, user_id) as browser:
        chinese = browser.post(PAGE, data={"code": "U1", "name": "县委办"})
        english = browser.post(PAGE, params={"lang": "en"}, data={"code": "U1", "name": "县委办"})
    assert chinese.status_code == english.status_code == 403
    assert "页面已过期" in chinese.text and "expired" not in chinese.text
    assert "The form has expired" in english.text
