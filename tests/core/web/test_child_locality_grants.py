"""A parent locality's office may be granted read access to the localities below it: it then
reads them (at any depth) and changes nothing there; other localities stay invisible."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlmodel import select

from core.context import Actor
from core.models import Locality
from core.services import auth
from core.services.errors import Forbidden, Invalid
from tests.campaign_setup import make_campaign

SYSTEM = Actor.system("test")


@pytest.fixture
def counties(world):
    world.locality("city", "示范市")
    setup = make_campaign(world)  # county-a, with units, a template and a campaign
    with world.ctx.db.write() as session:
        city_id = session.exec(select(Locality.id).where(Locality.code == "city")).one()
        session.execute(update(Locality).where(Locality.code == "county-a").values(parent_id=city_id))
    world.locality("town", "示范镇", parent_code="county-a")
    world.locality("other", "别的县")
    world.user("other-office", "office", "other")
    return setup


def test_a_granted_city_office_reads_its_counties_and_changes_nothing(world, counties):
    token = world.user("city-office", "office", "city")
    auth.grant_child_localities(world.ctx, SYSTEM, "city-office", True)
    city = world.client(token)
    campaign = f"/api/campaigns/{counties.campaign_id}"

    assert sorted(loc["code"] for loc in city.get("/api/localities").json()) == ["city", "county-a", "town"]
    assert city.get("/api/localities/county-a").status_code == 200
    units = city.get("/api/localities/county-a/units").json()
    assert units["total"] == 3
    assert city.get("/api/localities/town/units").status_code == 200  # a grandchild too
    assert city.get(campaign).json()["name"] == "2026年度民主测评"
    assert city.get(f"{campaign}/progress").status_code == 200
    assert city.get(f"/api/templates/{counties.template_id}").status_code == 200
    assert city.get("/api/localities/county-a/indicator-values").status_code == 200

    # Reading is all: every change answers as if the county were not there.
    assert city.post("/api/localities/county-a/units", json={"code": "X1", "name": "新单位"}).status_code == 404
    assert city.patch(campaign, json={"name": "改名"}).status_code == 404
    assert city.post(f"{campaign}/accounts", json={"category": "县领导", "count": 1}).status_code == 404
    assert city.delete(f"/api/localities/county-a/units/{units['items'][0]['id']}").status_code == 404
    assert counties.api.get("/api/localities/county-a/units").json()["total"] == 3
    assert counties.api.get(campaign).json()["name"] == "2026年度民主测评"

    # Not a child: invisible, as before.
    assert city.get("/api/localities/other").status_code == 404
    assert city.get("/api/localities/other/units").status_code == 404


def test_without_a_grant_or_after_revoking_it_children_are_invisible(world, counties):
    token = world.user("city-office", "office", "city")
    city = world.client(token)
    assert city.get("/api/localities/county-a/units").status_code == 404
    auth.grant_child_localities(world.ctx, SYSTEM, "city-office", True)
    assert city.get("/api/localities/county-a/units").status_code == 200
    auth.grant_child_localities(world.ctx, SYSTEM, "city-office", False)  # takes effect at the next request
    assert city.get("/api/localities/county-a/units").status_code == 404
    assert city.get(f"/api/campaigns/{counties.campaign_id}").status_code == 404


def test_a_county_never_reads_its_city_and_only_office_or_leader_users_are_granted(world, counties):
    assert counties.api.get("/api/localities/city").status_code == 404
    assert counties.api.get("/api/localities/city/units").status_code == 404
    world.user("platform-user", "platform_admin")
    with pytest.raises(Invalid, match="a platform_admin user cannot be granted child localities"):
        auth.grant_child_localities(world.ctx, SYSTEM, "platform-user", True)
    office = world.client(world.user("city-office", "office", "city"))
    with pytest.raises(Forbidden, match="may not grant"):  # only a platform admin grants
        auth.grant_child_localities(
            world.ctx, auth.resolve_token(world.ctx, office.headers["Authorization"][7:]).actor, "city-office", True
        )
