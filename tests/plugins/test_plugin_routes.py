"""Routes a non-essential plugin serves (``kaoping_routes``) answer 404 for a locality that has
not enabled it; the example third-party plugin (tests/example_plugin) serves three."""

from __future__ import annotations

import pytest

from core.plugins import get_plugin_manager, plugin_info, plugin_routes
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
    # a route that names no locality serves the whole platform
    assert ok(b.get("/api/example/ping")) == {"plugin": "example"}
    # disabled again: 404 at once (no cache to wait for)
    ok(a.put("/api/localities/county-a/plugins/example", json={"enabled": False}))
    assert a.get("/api/localities/county-a/example").status_code == 404
    assert a.get(f"/api/campaigns/{campaign_a}/example").status_code == 404
    a.close()
    b.close()


def test_essential_plugins_routes_are_mounted_as_they_are():
    from litestar import Router

    pm = get_plugin_manager()
    routes = plugin_routes(pm)
    routers = [r for r in routes if isinstance(r, Router)]
    assert len(routers) == 1  # the example plugin's; the ballots plugin (essential) is not wrapped
    assert {route.path for route in routers[0].routes} == {
        "/api/localities/{code:str}/example", "/api/campaigns/{campaign_id:int}/example", "/api/example/ping"}
    ballots = pm.get_plugin("ballots")
    assert plugin_info(pm, ballots).essential
    assert len(routes) - 1 == len(ballots.kaoping_routes())
