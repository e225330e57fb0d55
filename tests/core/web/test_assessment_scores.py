"""The assessment group (考核小组) scores what it is assigned: for an assigned campaign, the value
indicators of the campaign's templates, for its subjects, in its period, through the values grid
(``?campaign=``) and the indicator-values API (``campaign_id``); nothing else, and nothing once
the campaign is tallied."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import httpx
from openpyxl import load_workbook
from sqlmodel import select

from core.models import Campaign, IndicatorValue
from core.services import auth
from core.web.auth import SESSION_COOKIE
from tests.campaign_setup import TEMPLATE
from tests.helpers import created, ok


def _session(world, username: str) -> httpx.Client:
    user = auth.find_user(world.ctx, username)
    issued = auth.issue_token(world.ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
    client = httpx.Client(base_url=world.url, timeout=30, cookies={SESSION_COOKIE: issued.token})
    client.csrf = issued.csrf_token  # type: ignore[attr-defined]
    return client


def _stored(world) -> dict[tuple[int, str, str], float]:
    with world.ctx.db.read() as session:
        return {
            (v.subject_id, v.indicator_code, v.period): v.value
            for v in session.exec(select(IndicatorValue).where(IndicatorValue.indicator_code != ""))
        }


def test_an_assessment_group_scores_exactly_its_assigned_campaign(world, setup, cheap_password_hashes):
    office, campaign, subjects = setup.api, setup.campaign_id, setup.subject_ids
    ok(office.patch(f"/api/campaigns/{campaign}", json={"period": "2026年"}))
    unit = created(office.post("/api/localities/county-a/units", json={"code": "UX", "name": "单位外"}))
    outsider = created(
        office.post(
            "/api/localities/county-a/subjects",
            json={"name": "单位外", "kind": "unit", "ref_id": unit["id"], "category": "综合管理部门"},
        )
    )["id"]
    other_template = created(
        office.post(
            "/api/localities/county-a/templates",
            json={
                **TEMPLATE,
                "name": "另一模板",
                "indicators": [{"code": "X1", "name": "加分", "kind": "bonus", "max_score": 3}],
            },
        )
    )["id"]
    other_campaign = created(
        office.post(
            "/api/localities/county-a/campaigns",
            json={"name": "另一个测评", "kind": "democratic", "subject_ids": subjects, "period": "2026"},
        )
    )["id"]
    world.user("group-s", "assessment_group", "county-a")
    group_id = auth.find_user(world.ctx, "group-s").id
    root = world.client(world.user("root-s", "platform_admin"))
    ok(root.put(f"/api/users/{group_id}/campaigns", json={"campaign_ids": [campaign]}))

    browser = _session(world, "group-s")
    page = browser.get(f"/admin/assessment/{campaign}")
    assert page.status_code == 200 and f'/admin/localities/county-a/values?campaign={campaign}"' in page.text
    base = "/admin/localities/county-a/values"
    grid = browser.get(base, params={"campaign": campaign})
    assert grid.status_code == 200, grid.text
    rows = set(re.findall(r'<th scope="row">([^<]+)</th>', grid.text))
    assert rows == {"单位0", "单位1", "单位2"}  # the campaign's subjects, not 单位外
    assert 'name="period" value="2026" placeholder="2026年11月" readonly' in grid.text
    assert f'name="v-{subjects[0]}-BONUS"' in grid.text and "DE1" not in grid.text  # value indicators only
    assert "评分" in grid.text and "另一模板" not in grid.text
    for params in (
        {},  # the group's own grid needs its campaign
        {"campaign": other_campaign},
        {"campaign": campaign, "template": other_template},
        {"campaign": "x"},
    ):
        assert browser.get(base, params=params).status_code == 404, params
    for path in ("/admin/localities/county-a/templates", "/admin/localities/county-a/subjects"):
        assert browser.get(path).status_code == 404

    form = {"_csrf": browser.csrf, "template": setup.template_id, "period": "2026", "campaign": campaign, "page": 1}
    saved = browser.post(
        base, data={**form, f"v-{subjects[0]}-BONUS": "3", f"v-{subjects[1]}-BONUS": "1.5"}, follow_redirects=True
    )
    assert saved.status_code == 200 and 'id="values-notice"' in saved.text  # redirected to the grid
    assert _stored(world) == {(subjects[0], "BONUS", "2026"): 3.0, (subjects[1], "BONUS", "2026"): 1.5}
    assert "键入：group-s" in browser.get(base, params={"campaign": campaign}).text
    refused = browser.post(base, data={**form, f"v-{outsider}-BONUS": "2", f"v-{subjects[2]}-BONUS": "2"})
    assert refused.status_code == 422 and 'id="values-error"' in refused.text  # a cell the page never showed
    assert browser.post(base, data={**form, "period": "2025"}).status_code == 422
    assert browser.post(base, data={**form, "template": other_template, f"v-{subjects[2]}-X1": "1"}).status_code == 404
    assert browser.post(base, data={**form, "campaign": other_campaign}).status_code == 404
    assert browser.post(base, data={**{k: v for k, v in form.items() if k != "campaign"}}).status_code == 404
    assert browser.post(base, data={**form, "_csrf": "wrong", f"v-{subjects[2]}-BONUS": "2"}).status_code == 403
    sheet = browser.get(f"{base}/sheet", params={"campaign": campaign, "template": setup.template_id, "period": "2026"})
    assert sheet.status_code == 200
    listed = list(load_workbook(io.BytesIO(sheet.content)).active.values)
    assert sorted(r[0] for r in listed[1:]) == sorted(subjects) and listed[1][3] in (3, 1.5, None)
    assert len(_stored(world)) == 2  # nothing refused was written

    token = auth.issue_token(world.ctx, auth.find_user(world.ctx, "group-s"), kind="api", ttl=timedelta(hours=1)).token
    api = world.client(token)
    url = "/api/localities/county-a/indicator-values"

    def row(subject: int, template: int = setup.template_id, code: str = "BONUS", period: str = "2026") -> dict:
        return {"subject_id": subject, "template_id": template, "indicator_code": code, "period": period, "value": 2}

    assert api.get(url).status_code == 403  # no campaign named
    assert api.put(url, json=[row(subjects[2])]).status_code == 403
    listed = ok(api.get(url, params={"campaign_id": campaign}))
    assert {(v["subject_id"], v["value"]) for v in listed["items"]} == {(subjects[0], 3.0), (subjects[1], 1.5)}
    assert ok(api.put(url, params={"campaign_id": campaign}, json=[row(subjects[2])])) == {"written": 1}
    bad = api.put(
        url,
        params={"campaign_id": campaign},
        json=[row(subjects[0]), row(outsider), row(subjects[0], other_template, "X1"), row(subjects[0], period="2025")],
    )
    assert bad.status_code == 422, bad.text
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"[1].subject_id", "[2].template_id", "[3].period"}
    assert api.put(url, params={"campaign_id": other_campaign}, json=[row(subjects[0])]).status_code == 404
    assert api.get(url, params={"campaign_id": other_campaign}).status_code == 404
    assert len(_stored(world)) == 3 and _stored(world)[(subjects[2], "BONUS", "2026")] == 2.0

    # The office reads the same narrowed grid; other roles get nothing.
    assert "键入：group-s" in _session(world, "office-county-a").get(base, params={"campaign": campaign}).text
    world.user("unit-s", "unit_admin", "county-a", "U0")
    assert _session(world, "unit-s").get(base, params={"campaign": campaign}).status_code == 404

    with world.ctx.db.write() as session:  # tallied: its values are counted now
        session.get(Campaign, campaign).status = "tallied"
    counted = browser.get(base, params={"campaign": campaign})
    assert counted.status_code == 200 and 'id="values-counted"' in counted.text and "保存本页" not in counted.text
    assert browser.post(base, data={**form, f"v-{subjects[2]}-BONUS": "5"}).status_code == 409
    assert api.put(url, params={"campaign_id": campaign}, json=[row(subjects[2])]).status_code == 409
    assert _stored(world)[(subjects[2], "BONUS", "2026")] == 2.0
    for client in (browser, api, root):
        client.close()
