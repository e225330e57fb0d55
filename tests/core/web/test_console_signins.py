"""The sign-in log over HTTP: the console's sign-in form and the API's token route each leave
one row (never a password); /admin/sign-ins shows platform admins everything, office users their
own locality's users only, and nothing to other roles; a user's page shows its last sign-ins."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from core.services import auth
from tests.conftest import TEST_PASSWORD

AGENT = "Mozilla/5.0 (X11; Linux x86_64) KaopingTest/1.0"


def _form_sign_in(world, username: str, password: str, lang: str = "zh-CN") -> httpx.Client:
    client = httpx.Client(base_url=world.url, timeout=30, headers={"User-Agent": AGENT, "Accept-Language": lang})
    page = client.get("/admin/login")
    csrf = page.text.split('name="_csrf" value="')[1].split('"')[0]
    answer = client.post("/admin/login", data={"_csrf": csrf, "username": username, "password": password})
    client.signed_in = answer.status_code in (302, 303)  # type: ignore[attr-defined]
    return client


def _stored(world) -> str:
    with world.ctx.db.read() as session:
        return " ".join(str(v) for row in session.execute(text("SELECT * FROM sign_in_attempts")).all() for v in row)


@pytest.fixture
def staff(world):
    world.locality("county-l", "示范县")
    world.locality("other-l", "别的县")
    world.user("root-l", "platform_admin")
    world.user("office-l", "office", "county-l")
    world.user("clerk-l", "office", "county-l")
    world.user("office-x", "office", "other-l")
    return world


def test_sign_ins_are_logged_and_office_users_read_their_locality_only(staff):
    secret = "My-Real-Password-42"
    assert not _form_sign_in(staff, secret, "clerk-l").signed_in  # the password typed into the user-name field
    assert not _form_sign_in(staff, "clerk-l", secret).signed_in
    with staff.client() as api:
        assert (
            api.post(
                "/api/auth/token",
                json={"username": "office-x", "password": TEST_PASSWORD},
                headers={"User-Agent": AGENT},
            ).status_code
            == 200
        )
    stored = _stored(staff)
    assert secret not in stored and secret.lower() not in stored.lower() and TEST_PASSWORD not in stored

    office = _form_sign_in(staff, "office-l", TEST_PASSWORD)
    if True:
        assert office.signed_in
        page = office.get("/admin/sign-ins")
        assert page.status_code == 200
        assert "登录日志" in page.text and "密码错误" in page.text  # zh-CN by default
        table = page.text.split('id="sign-ins"')[1]
        assert "clerk-l" in table and "office-l" in table and AGENT in table
        assert "office-x" not in table  # another locality's user
        unknown = office.get("/admin/sign-ins", params={"result": "unknown_user"}).text.split('id="sign-ins"')[1]
        assert 'colspan="6"' in unknown  # a name that names no user belongs to no locality
        failed = office.get("/admin/sign-ins", params={"result": "failed"}).text.split('id="sign-ins"')[1]
        assert "clerk-l" in failed and "office-l" not in failed
        ok = office.get("/admin/sign-ins", params={"user": "office-l", "result": "ok"}).text
        assert "office-l" in ok.split('id="sign-ins"')[1] and "clerk-l" not in ok.split('id="sign-ins"')[1]
        bad = office.get("/admin/sign-ins", params={"date_from": "30.11.2026", "result": "maybe"})
        assert bad.status_code == 422 and "2026-11-30" in bad.text and "请从列出的结果中选择" in bad.text
        assert office.get("/admin/sign-ins", params={"date_to": "9999-12-31"}).status_code == 422
        assert office.get("/admin/users").status_code == 404  # the user pages stay the platform's

    root = _form_sign_in(staff, "root-l", TEST_PASSWORD, lang="en")
    if True:
        page = root.get("/admin/sign-ins?lang=en")
        assert page.status_code == 200 and "Sign-in log" in page.text
        table = page.text.split('id="sign-ins"')[1]
        assert "office-x" in table and "Unknown user name" in table and "Wrong password" in table
        api_rows = root.get("/admin/sign-ins", params={"user": "office-x"}).text.split('id="sign-ins"')[1]
        assert "API" in api_rows
        clerk = auth.find_user(staff.ctx, "clerk-l")
        user_page = root.get(f"/admin/users/{clerk.id}")
        assert user_page.status_code == 200
        last = user_page.text.split('id="sign-ins"')[1]
        assert "Wrong password" in last and "office-l" not in last


def test_other_roles_get_404(staff):
    from core.context import Actor
    from core.schemas.org import UnitIn
    from core.services import org

    org.create_unit(staff.ctx, Actor.system("test"), "county-l", UnitIn(code="U1", name="单位一"))
    staff.user("unit-admin-l", "unit_admin", "county-l", unit="U1")
    unit_admin = _form_sign_in(staff, "unit-admin-l", TEST_PASSWORD)
    if True:
        assert unit_admin.signed_in
        answer = unit_admin.get("/admin/sign-ins")
        assert answer.status_code == 404 and "text/html" in answer.headers["content-type"]
    with httpx.Client(base_url=staff.url, timeout=30) as anonymous:
        assert anonymous.get("/admin/sign-ins").status_code in (302, 303, 401)
