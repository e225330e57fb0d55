"""The assessment group (考核小组): a user of role assessment_group reads the campaigns a platform
admin assigned it (status, turnout, results), through its own console area and the results API,
and nothing else; every change answers 403 (API) or 404 (console)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from core.services import auth
from core.web.auth import SESSION_COOKIE
from tests.helpers import created, ok


def _session(world, username: str) -> httpx.Client:
    user = auth.find_user(world.ctx, username)
    issued = auth.issue_token(world.ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
    client = httpx.Client(base_url=world.url, timeout=30, cookies={SESSION_COOKIE: issued.token})
    client.csrf = issued.csrf_token  # type: ignore[attr-defined]
    return client


def _tallied(world, setup) -> None:
    office = setup.api
    codes = created(
        office.post(f"/api/campaigns/{setup.campaign_id}/accounts", json={"category": "县领导", "count": 2})
    )
    created(office.post(f"/api/campaigns/{setup.campaign_id}/accounts", json={"category": "基层代表", "count": 1}))
    ok(office.post(f"/api/campaigns/{setup.campaign_id}/open"))
    token = ok(office.post("/api/ballot/login", json={"code": codes["accounts"][0]["code"]}))["token"]
    items = [
        {"subject_id": s, "indicator": leaf, "grade": "称职"}
        for s in setup.subject_ids
        for leaf in ("DE1", "DE2", "JI1", "ALL")
    ]
    with world.client(token) as voter:
        ok(voter.post("/api/ballot/submit", json={"items": items}))
    ok(office.post(f"/api/campaigns/{setup.campaign_id}/close"))
    ok(office.post(f"/api/campaigns/{setup.campaign_id}/tally", json={"confirm_low_turnout_reason": "test"}))


def test_an_assessment_group_reads_its_assigned_campaigns_and_changes_nothing(world, setup):
    office = setup.api
    other = created(
        office.post(
            "/api/localities/county-a/campaigns",
            json={"name": "另一个测评", "kind": "democratic", "subject_ids": setup.subject_ids},
        )
    )["id"]
    world.locality("county-z")
    foreign = world.client(world.user("office-z", "office", "county-z"))
    elsewhere = created(
        foreign.post("/api/localities/county-z/campaigns", json={"name": "别处", "kind": "democratic"})
    )["id"]
    _tallied(world, setup)
    root = world.client(world.user("root-g", "platform_admin"))
    made = root.post(
        "/api/users",
        json={
            "username": "group-a",
            "password": "group password 1",
            "role": "assessment_group",
            "locality_code": "county-a",
        },
    )
    assert made.status_code == 201, made.text
    group_id = made.json()["id"]
    campaign = setup.campaign_id
    assert root.put(f"/api/users/{group_id}/campaigns", json={"campaign_ids": [elsewhere]}).status_code == 422
    office_id = auth.find_user(world.ctx, "office-county-a").id
    assert root.put(f"/api/users/{office_id}/campaigns", json={"campaign_ids": [campaign]}).status_code == 422
    assigned = root.put(f"/api/users/{group_id}/campaigns", json={"campaign_ids": [campaign]})
    assert assigned.status_code == 200 and assigned.json() == {"campaign_ids": [campaign]}
    choices = {c["id"]: c["assigned"] for c in root.get(f"/api/users/{group_id}/campaigns").json()}
    assert choices == {campaign: True, other: False}
    assert office.put(f"/api/users/{group_id}/campaigns", json={"campaign_ids": [other]}).status_code == 403

    browser = _session(world, "group-a")
    home = browser.get("/admin/")
    assert home.status_code == 200
    assert re.findall(r'data-key="([^"]+)"', home.text) == ["overview", "assessment"]
    mine = browser.get("/admin/assessment")
    assert mine.status_code == 200 and "2026年度民主测评" in mine.text and "另一个测评" not in mine.text
    page = browser.get(f"/admin/assessment/{campaign}")
    assert page.status_code == 200
    assert "单位0" in page.text and "县领导" in page.text and 'id="no-results"' not in page.text
    assert browser.get(f"/admin/assessment/{other}").status_code == 404
    assert browser.get(f"/admin/assessment/{elsewhere}").status_code == 404
    results_page = browser.get(
        f"/admin/localities/county-a/campaigns/{campaign}/results"
    )  # the office's page, read only
    assert results_page.status_code == 200 and "单位0" in results_page.text
    assert "/results/publish" not in results_page.text and "/results/tally" not in results_page.text
    assert (
        browser.get(
            f"/admin/localities/county-a/campaigns/{campaign}/results/subjects/{setup.subject_ids[0]}"
        ).status_code
        == 200
    )
    for path in (
        f"/admin/localities/county-a/campaigns/{campaign}",
        f"/admin/localities/county-a/campaigns/{other}/results",
        "/admin/localities/county-a/campaigns",
        "/admin/localities/county-a/units",
        "/admin/users",
        "/admin/sign-ins",
        f"/admin/localities/county-z/campaigns/{elsewhere}/results",
        f"/admin/localities/county-a/campaigns/{other}/results/subjects/{setup.subject_ids[0]}",
    ):
        assert browser.get(path).status_code == 404, path
    for path, data in (
        (f"/admin/localities/county-a/campaigns/{campaign}/results/publish", {}),
        (f"/admin/localities/county-a/campaigns/{campaign}/results/tally", {}),
        (f"/admin/localities/county-a/campaigns/{campaign}", {"action": "tally"}),
    ):
        assert browser.post(path, data={"_csrf": browser.csrf, **data}).status_code == 404, path

    token = auth.issue_token(world.ctx, auth.find_user(world.ctx, "group-a"), kind="api", ttl=timedelta(hours=1)).token
    api = world.client(token)
    results = api.get(f"/api/campaigns/{campaign}/results")
    assert results.status_code == 200 and len(results.json()["subjects"]) == 3
    assert api.get(f"/api/campaigns/{other}/results").status_code == 404
    assert api.get(f"/api/campaigns/{elsewhere}/results").status_code == 404
    for method, path, body in (
        ("POST", f"/api/campaigns/{campaign}/publish", None),
        ("POST", f"/api/campaigns/{campaign}/tally", {}),
        ("PATCH", f"/api/campaigns/{other}", {"name": "taken"}),
        ("POST", "/api/localities/county-a/units", {"code": "X", "name": "taken"}),
        ("GET", "/api/localities/county-a/people", None),
        ("GET", "/api/users", None),
    ):
        answer = api.request(method, path, json=body)
        assert answer.status_code in (403, 404), (method, path, answer.status_code)

    assert root.patch(f"/api/users/{group_id}", json={"role": "office"}).status_code == 200
    assert root.patch(f"/api/users/{group_id}", json={"role": "assessment_group"}).status_code == 200
    assert root.get(f"/api/users/{group_id}/campaigns").json()[0]["assigned"] is False  # the role change took them
    assert root.put(f"/api/users/{group_id}/campaigns", json={"campaign_ids": []}).json() == {"campaign_ids": []}
    assert browser.get(f"/admin/assessment/{campaign}").status_code == 404  # taken back at once
    assert browser.get(f"/admin/localities/county-a/campaigns/{campaign}/results").status_code == 404
    assert api.get(f"/api/campaigns/{campaign}/results").status_code == 404
    for client in (browser, api, root, foreign):
        client.close()


def test_a_platform_admin_assigns_campaigns_on_the_user_page(world, setup, cheap_password_hashes):
    world.user("root-p", "platform_admin")
    world.user("group-p", "assessment_group", "county-a")
    group_id = auth.find_user(world.ctx, "group-p").id
    root = _session(world, "root-p")
    page = root.get(f"/admin/users/{group_id}")
    assert page.status_code == 200 and 'id="assign-campaigns"' in page.text and "2026年度民主测评" in page.text
    form = {"action": "assign", f"campaign_{setup.campaign_id}": "1"}
    assert root.post(f"/admin/users/{group_id}", data=form).status_code == 403  # no CSRF token
    saved = root.post(f"/admin/users/{group_id}", data={"_csrf": root.csrf, **form})
    assert saved.status_code == 200 and "checked" in saved.text.split('id="assign-campaigns"')[1]
    group = _session(world, "group-p")
    assert group.get(f"/admin/assessment/{setup.campaign_id}").status_code == 200
    office_page = root.get(f"/admin/users/{auth.find_user(world.ctx, 'office-county-a').id}")
    assert 'id="assign-campaigns"' not in office_page.text
    root.close()
    group.close()
