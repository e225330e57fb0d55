"""Routes a plugin serves (``kaoping_routes``) get access by default from the core: a signed-in
user, of a locality it may see that enabled the plugin, unless the plugin marks a route public;
404 for a locality that has not enabled it. The example third-party plugin
(tests/example_plugin) serves four routes."""

from __future__ import annotations

import pytest

from core.plugins import get_plugin_manager
from core.web.plugin_routes import plugin_routes
from tests.helpers import created, ok

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")


def test_routes_naming_a_locality_need_the_plugin_enabled_there(world):
    a, b = world.office("county-a"), world.office("county-b")
    assert a.get("/api/localities/county-a/example").status_code == 404  # not enabled anywhere yet
    ok(a.put("/api/localities/county-a/plugins/example", json={"enabled": True}))
    assert ok(a.get("/api/localities/county-a/example")) == {"plugin": "example", "locality": "county-a"}
    refused = b.get("/api/localities/county-b/example")
    assert refused.status_code == 404
    assert refused.json()["detail"] == "plugin example is not enabled for this locality"
    assert b.get("/api/localities/nowhere/example").status_code == 404
    # by campaign: the campaign's locality decides
    campaign_a = created(a.post("/api/localities/county-a/campaigns", json={"name": "甲"}))["id"]
    campaign_b = created(b.post("/api/localities/county-b/campaigns", json={"name": "乙"}))["id"]
    assert ok(a.get(f"/api/campaigns/{campaign_a}/example")) == {"plugin": "example", "campaign_id": campaign_a}
    assert b.get(f"/api/campaigns/{campaign_b}/example").status_code == 404
    assert b.get("/api/campaigns/999999/example").status_code == 404
    # a route that names no locality serves the users of localities that enabled the plugin
    assert ok(a.get("/api/example/ping")) == {"plugin": "example"}
    assert b.get("/api/example/ping").status_code == 404
    # disabled again: 404 at once (no cache to wait for)
    ok(a.put("/api/localities/county-a/plugins/example", json={"enabled": False}))
    assert a.get("/api/localities/county-a/example").status_code == 404
    assert a.get(f"/api/campaigns/{campaign_a}/example").status_code == 404
    assert a.get("/api/example/ping").status_code == 404
    a.close()
    b.close()


def test_plugin_routes_need_a_signed_in_user_of_that_locality(world):
    """Enabled in county-a: anonymous callers get 401, county-b's users 404 for A's locality
    and campaigns (as if they did not exist), even when county-b enabled the plugin too."""
    a, b = world.office("county-a"), world.office("county-b")
    for api, code in ((a, "county-a"), (b, "county-b")):
        ok(api.put(f"/api/localities/{code}/plugins/example", json={"enabled": True}))
    campaign_a = created(a.post("/api/localities/county-a/campaigns", json={"name": "甲"}))["id"]
    with world.client() as anonymous:
        for path in ("/api/localities/county-a/example", f"/api/campaigns/{campaign_a}/example", "/api/example/ping"):
            refused = anonymous.get(path)
            assert refused.status_code == 401, (path, refused.text)
        with world.client("not-a-token") as forged:
            assert forged.get("/api/example/ping").status_code == 401
    assert b.get("/api/localities/county-a/example").json()["detail"] == "no locality with code 'county-a'"
    assert b.get(f"/api/campaigns/{campaign_a}/example").json()["detail"] == f"no campaign with id {campaign_a}"
    assert b.get(f"/api/campaigns/{campaign_a}/example").status_code == 404
    assert ok(b.get("/api/example/ping")) == {"plugin": "example"}
    # a platform admin reaches every locality
    with world.client(world.user("root", "platform_admin")) as root:
        assert ok(root.get("/api/localities/county-a/example"))["locality"] == "county-a"
        assert ok(root.get("/api/example/ping"))
    a.close()
    b.close()


def test_a_public_route_answers_without_sign_in_only_where_enabled(world):
    a = world.office("county-a")
    world.locality("county-b")
    ok(a.put("/api/localities/county-a/plugins/example", json={"enabled": True}))
    with world.client() as anonymous:
        assert (
            ok(anonymous.get("/api/localities/county-a/example/notice"))["notice"] == "county-a runs the example plugin"
        )
        assert anonymous.get("/api/localities/county-b/example/notice").status_code == 404
        assert anonymous.get("/api/localities/nowhere/example/notice").status_code == 404
        # the ballot API and pages are public too: an evaluator has a code, not a sign-in
        assert anonymous.get("/b/").status_code == 200
        assert anonymous.post("/api/ballot/login", json={"code": "AAAA-BBBB-CCCC"}).status_code == 401
    a.close()


def test_every_plugins_routes_are_mounted_behind_the_guard():
    from litestar import Router

    pm = get_plugin_manager()
    routes = plugin_routes(pm)
    assert all(isinstance(r, Router) and r.guards for r in routes)
    by_path = {route.path for router in routes for route in router.routes}
    assert {
        "/api/localities/{code:str}/example",
        "/api/campaigns/{campaign_id:int}/example",
        "/api/example/ping",
        "/api/localities/{code:str}/example/notice",
    } <= by_path
    assert {"/b", "/api/ballot/login", "/api/campaigns/{campaign_id:int}/accounts"} <= by_path
