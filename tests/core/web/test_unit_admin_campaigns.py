"""A unit admin reads, in the console, the campaigns that assess its unit (the unit itself, one of
its people or one of its teams), with their turnout and its unit's subjects, read only; another
unit's campaign, the office's campaign pages and other localities' are 404 (SPEC 11)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from core.services import auth
from core.web.auth import SESSION_COOKIE
from tests.helpers import created


def _session(world, username: str) -> httpx.Client:
    user = auth.find_user(world.ctx, username)
    issued = auth.issue_token(world.ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
    return httpx.Client(base_url=world.url, timeout=30, cookies={SESSION_COOKIE: issued.token})


def test_a_unit_admin_reads_the_campaigns_that_assess_its_unit(world, setup, cheap_password_hashes):
    office, campaign = setup.api, setup.campaign_id
    setup.issue("县领导", 2)
    unit = created(office.post("/api/localities/county-a/units", json={"code": "UP", "name": "人员单位"}))
    person = created(office.post("/api/localities/county-a/people", json={"name": "张三", "unit_id": unit["id"]}))
    subject = created(
        office.post(
            "/api/localities/county-a/subjects",
            json={"name": "张三", "kind": "person", "ref_id": person["id"], "category": "干部"},
        )
    )["id"]
    of_people = created(
        office.post(
            "/api/localities/county-a/campaigns",
            json={"name": "干部测评", "kind": "democratic", "subject_ids": [subject]},
        )
    )["id"]
    created(office.post("/api/localities/county-a/units", json={"code": "UN", "name": "无关单位"}))
    api = world.client(world.user("unit-0", "unit_admin", "county-a", "U0"))
    world.user("unit-p", "unit_admin", "county-a", "UP")
    world.user("unit-n", "unit_admin", "county-a", "UN")
    base = "/admin/localities/county-a/unit-campaigns"

    with _session(world, "unit-0") as client:
        home = client.get("/admin/localities/county-a/units")
        assert 'data-key="unit-campaigns"' in home.text and 'data-key="campaigns"' not in home.text
        listed = client.get(base)
        assert listed.status_code == 200
        assert re.findall(r'href="/admin/localities/county-a/unit-campaigns/(\d+)"', listed.text) == [str(campaign)]
        page = client.get(f"{base}/{campaign}")
        assert page.status_code == 200 and "2026年度民主测评" in page.text
        turnout = page.text.split('id="turnout"')[1].split("</table>")[0]
        assert "县领导" in turnout and "基层代表" in turnout  # every category's turnout, as issued
        subjects = page.text.split('id="unit-subjects"')[1].split("</table>")[0]
        assert "单位0" in subjects and "单位1" not in subjects  # its own unit's subject only
        for path in (
            f"{base}/{of_people}",  # assesses another unit's person
            f"{base}/999999",
            f"/admin/localities/county-a/campaigns/{campaign}",  # the office's pages
            "/admin/localities/county-a/campaigns",
            "/admin/assessment",
        ):
            assert client.get(path).status_code == 404, path

    # the API answers the same: its unit's campaigns and their turnout, no other
    listed = api.get("/api/localities/county-a/campaigns")
    assert listed.status_code == 200 and [c["id"] for c in listed.json()["items"]] == [campaign]
    assert api.get(f"/api/campaigns/{campaign}").status_code == 200
    progress = api.get(f"/api/campaigns/{campaign}/progress")
    assert progress.status_code == 200, progress.text
    for path in (f"/api/campaigns/{of_people}", f"/api/campaigns/{of_people}/progress"):
        assert api.get(path).status_code == 404, path
    assert office.get(f"/api/campaigns/{of_people}").status_code == 200  # the office reads every campaign
    api.close()

    with _session(world, "unit-p") as client:  # its person is assessed
        listed = client.get(base)
        assert re.findall(r'href="/admin/localities/county-a/unit-campaigns/(\d+)"', listed.text) == [str(of_people)]
        assert "张三" in client.get(f"{base}/{of_people}").text
        assert client.get(f"{base}/{campaign}").status_code == 404
    with _session(world, "unit-n") as client:
        assert "目前没有考核本单位的测评活动。" in client.get(base).text
    world.locality("county-z")
    with _session(world, "unit-0") as client:
        assert client.get("/admin/localities/county-z/unit-campaigns").status_code == 404
    with _session(world, "office-county-a") as client:
        assert client.get(base).status_code == 404  # the office reads campaigns on its own pages
