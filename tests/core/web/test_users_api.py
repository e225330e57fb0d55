"""/api/users and /api/sign-ins over HTTP: the console's user pages as JSON, platform admins only
(everyone else 403, no one signed in 401), documented in the OpenAPI document."""

from __future__ import annotations

import pytest

from core.context import Actor
from core.schemas.org import UnitIn
from core.services import org
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def api(world):
    world.locality("city-u", "市")
    world.locality("county-u", "县", parent_code="city-u")
    world.locality("other-u", "别的县")
    org.create_unit(world.ctx, Actor.system("test"), "county-u", UnitIn(code="U1", name="单位一"))
    world.tokens = {
        name: world.user(name, role, loc, unit)
        for name, role, loc, unit in (
            ("root-u", "platform_admin", None, None),
            ("office-u", "office", "county-u", None),
            ("office-o", "office", "other-u", None),
            ("unit-u", "unit_admin", "county-u", "U1"),
        )
    }
    return world


def test_a_platform_admin_manages_users_through_the_api(api):
    root = api.client(api.tokens["root-u"])
    created = root.post(
        "/api/users",
        json={"username": "clerk-u", "password": "a new password 1", "role": "office", "locality_code": "county-u"},
    )
    assert created.status_code == 201, created.text
    clerk = created.json()
    assert clerk["role"] == "office" and clerk["locality_code"] == "county-u" and clerk["is_active"]
    assert (
        root.post(
            "/api/users",
            json={"username": "clerk-u", "password": "a new password 1", "role": "office", "locality_code": "county-u"},
        ).status_code
        == 409
    )
    bad = root.post(
        "/api/users", json={"username": "x-u", "password": "short", "role": "office", "locality_code": "county-u"}
    )
    assert bad.status_code == 422 and "password" in bad.text
    assert (
        root.post(
            "/api/users",
            json={"username": "y-u", "password": "a new password 1", "role": "king", "locality_code": "county-u"},
        ).status_code
        == 422
    )
    assert root.post(
        "/api/users",
        json={
            "username": "z-u",
            "password": "a new password 1",
            "role": "office",
            "locality_code": "county-u",
            "admin": True,
        },
    ).status_code in (400, 422)

    listed = root.get("/api/users", params={"q": "-u", "locality": "county-u"}).json()
    assert {u["username"] for u in listed["items"]} == {"clerk-u", "office-u", "unit-u"} and listed["total"] == 3
    assert root.get(f"/api/users/{clerk['id']}").json()["username"] == "clerk-u"
    assert root.get("/api/users/999999").status_code == 404

    changed = root.patch(f"/api/users/{clerk['id']}", json={"role": "leader", "unit_code": "U1"})
    assert changed.status_code == 200 and changed.json()["role"] == "leader" and changed.json()["unit_code"] == "U1"
    assert root.patch(f"/api/users/{clerk['id']}", json={"unit_code": "NOPE"}).status_code == 422
    assert root.patch(f"/api/users/{clerk['id']}", json={"is_active": "no"}).status_code in (400, 422)

    granted = root.put(f"/api/users/{clerk['id']}/child-localities", json={"granted": True})
    assert granted.status_code == 200 and granted.json()["reads_child_localities"] is True
    unit_id = next(u["id"] for u in listed["items"] if u["username"] == "unit-u")
    assert root.put(f"/api/users/{unit_id}/child-localities", json={"granted": True}).status_code == 422

    assert root.post(f"/api/users/{clerk['id']}/password", json={"password": "short"}).status_code == 422
    assert root.post(f"/api/users/{clerk['id']}/password", json={"password": "another password 2"}).status_code == 204
    with api.client() as anonymous:
        token = anonymous.post("/api/auth/token", json={"username": "clerk-u", "password": "another password 2"})
        assert token.status_code == 200
        assert (
            anonymous.post("/api/auth/token", json={"username": "clerk-u", "password": "a new password 1"}).status_code
            == 401
        )
    clerk_client = api.client(token.json()["token"])
    assert clerk_client.get("/api/localities").status_code == 200

    gone = root.post(f"/api/users/{clerk['id']}/deactivate")
    assert gone.status_code == 200 and gone.json()["is_active"] is False
    assert clerk_client.get("/api/localities").status_code == 401  # signed out at once
    me = next(u["id"] for u in root.get("/api/users", params={"q": "root-u"}).json()["items"])
    assert root.post(f"/api/users/{me}/deactivate").status_code == 422  # not yourself

    attempts = root.get(f"/api/users/{clerk['id']}/sign-ins").json()
    assert [(a["ok"], a["reason"], a["channel"]) for a in attempts] == [
        (False, "wrong_password", "api"),
        (True, "", "api"),
    ]


def test_every_other_role_is_refused(api):
    root = api.client(api.tokens["root-u"])
    some_id = root.get("/api/users").json()["items"][0]["id"]
    for name in ("office-u", "unit-u"):
        client = api.client(api.tokens[name])
        assert client.get("/api/users").status_code == 403
        assert client.get(f"/api/users/{some_id}").status_code == 403
        assert (
            client.post(
                "/api/users",
                json={"username": "n-u", "password": "a new password 1", "role": "office", "locality_code": "county-u"},
            ).status_code
            == 403
        )
        assert client.patch(f"/api/users/{some_id}", json={"role": "office"}).status_code == 403
        assert client.post(f"/api/users/{some_id}/deactivate").status_code == 403
        assert client.post(f"/api/users/{some_id}/password", json={"password": "a new password 1"}).status_code == 403
        assert client.put(f"/api/users/{some_id}/child-localities", json={"granted": True}).status_code == 403
        assert client.get(f"/api/users/{some_id}/sign-ins").status_code == 403
    with api.client() as anonymous:
        assert anonymous.get("/api/users").status_code == 401
        assert anonymous.get("/api/sign-ins").status_code == 401
    assert api.client(api.tokens["unit-u"]).get("/api/sign-ins").status_code == 403


def test_the_sign_in_log_api_is_scoped_like_its_page(api):
    with api.client() as anonymous:
        for name in ("office-u", "office-o"):
            assert (
                anonymous.post("/api/auth/token", json={"username": name, "password": TEST_PASSWORD}).status_code == 200
            )
        assert anonymous.post("/api/auth/token", json={"username": "no-such-u", "password": "x"}).status_code == 401
    office = api.client(api.tokens["office-u"]).get("/api/sign-ins").json()
    assert [a["username"] for a in office["items"]] == ["office-u"] and office["total"] == 1
    everything = api.client(api.tokens["root-u"]).get("/api/sign-ins", params={"result": "failed"}).json()
    assert everything["total"] == 1 and everything["items"][0]["username"].startswith("?")
    assert everything["items"][0]["reason"] == "unknown_user"
    bad = api.client(api.tokens["root-u"]).get("/api/sign-ins", params={"date_from": "2026-13-01"})
    assert bad.status_code == 422 and "date_from" in bad.text


def test_the_api_is_documented(api):
    schema = api.client().get("/schema/openapi.json").json()
    for path in (
        "/api/users",
        "/api/users/{item_id}",
        "/api/users/{item_id}/password",
        "/api/users/{item_id}/deactivate",
        "/api/users/{item_id}/child-localities",
        "/api/sign-ins",
    ):
        assert path in schema["paths"], path
