"""Each role sees only its own menu entries in the console and gets 404 (the console's page,
never JSON) for the pages of other roles; forms without the session's CSRF token are refused."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from core.context import Actor
from core.schemas.org import UnitIn
from core.services import auth, org
from core.web.auth import SESSION_COOKIE

PAGES = {  # menu key -> a page of that area
    "units": "/admin/localities/county-p/units",
    "people": "/admin/localities/county-p/people",
    "people-accounts": "/admin/localities/county-p/people-accounts",
    "teams": "/admin/localities/county-p/teams",
    "subjects": "/admin/localities/county-p/subjects",
    "import": "/admin/localities/county-p/import",
    "templates": "/admin/localities/county-p/templates",
    "values": "/admin/localities/county-p/values",
    "campaigns": "/admin/localities/county-p/campaigns",
    "plugins": "/admin/localities/county-p/plugins",
    "adapters": "/admin/localities/county-p/sources",
    "users": "/admin/users",
    "sign-ins": "/admin/sign-ins",
    "assessment": "/admin/assessment",
    "audit": "/admin/localities/county-p/audit",
}
MENUS = {
    "platform_admin": [
        "overview",
        "units",
        "people",
        "people-accounts",
        "teams",
        "subjects",
        "import",
        "templates",
        "values",
        "campaigns",
        "plugins",
        "adapters",
        "audit",
        "sign-ins",
        "users",
    ],
    "office": [
        "overview",
        "units",
        "people",
        "people-accounts",
        "teams",
        "subjects",
        "import",
        "templates",
        "values",
        "campaigns",
        "plugins",
        "adapters",
        "audit",
        "sign-ins",
    ],
    "unit_admin": ["overview", "units", "people", "teams", "import", "unit-campaigns", "adapters"],
    "leader": ["overview"],
    "cadre": ["overview"],
    "assessment_group": ["overview", "assessment"],
}


def _session(world, username: str) -> httpx.Client:
    user = auth.find_user(world.ctx, username)
    issued = auth.issue_token(world.ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
    client = httpx.Client(base_url=world.url, timeout=30, cookies={SESSION_COOKIE: issued.token})
    client.csrf = issued.csrf_token
    return client


@pytest.fixture
def people(world, cheap_password_hashes):
    world.locality("county-p", "示范县")
    world.locality("other-p", "别的县")
    org.create_unit(world.ctx, Actor.system("test"), "county-p", UnitIn(code="P1", name="单位一"))
    for role in MENUS:
        world.user(
            f"{role}-p",
            role,
            None if role == "platform_admin" else "county-p",
            unit="P1" if role in ("unit_admin", "leader", "cadre") else None,
        )
    return world


def test_each_role_sees_its_menu_and_no_other_page(people):
    for role, keys in MENUS.items():
        with _session(people, f"{role}-p") as client:
            client.cookies.set("kaoping_locality", "county-p")
            page = client.get("/admin/")
            assert page.status_code == 200, role
            assert re.findall(r'data-key="([^"]+)"', page.text) == keys, role
            for key, path in PAGES.items():
                answer = client.get(path)
                if key in keys:
                    assert answer.status_code == 200, (role, path)
                else:
                    assert answer.status_code == 404, (role, path)
                    assert "text/html" in answer.headers["content-type"]


def test_another_locality_is_404_and_a_form_needs_its_csrf_token(people):
    with _session(people, "office-p") as client:
        assert client.get("/admin/localities/other-p/audit").status_code == 404
        assert client.get("/admin/localities/no-such/audit").status_code == 404
        refused = client.post("/admin/localities/county-p/audit/verify", data={"_csrf": "wrong"})
        assert refused.status_code == 403 and "页面已过期" in refused.text
        done = client.post("/admin/localities/county-p/audit/verify", data={"_csrf": client.csrf})
        assert done.status_code == 200 and 'id="verify-result"' in done.text


def test_signed_out_pages_go_to_the_sign_in_page_and_back_only_to_local_paths(people):
    with httpx.Client(base_url=people.url, timeout=30) as client:
        answer = client.get("/admin/users?q=x")
        assert answer.status_code == 302
        assert answer.headers["location"] == "/admin/login?next=%2Fadmin%2Fusers%3Fq%3Dx"
        htmx = client.get("/admin/users", headers={"HX-Request": "true"})
        assert htmx.headers["HX-Redirect"].startswith("/admin/login?next=")
        for evil in ("https://evil.example/", "//evil.example/admin", "/\\evil.example", "/admin/login"):
            page = client.get("/admin/login", params={"next": evil})
            assert 'name="next" value="/admin/"' in page.text, evil
