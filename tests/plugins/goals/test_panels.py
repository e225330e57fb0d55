"""The goals' panel on the ballot (hook ``kaoping_subject_panels``), on both databases: a team
subject shows its published top goals with percentage and status, a unit subject the unit's own,
a person subject the goals given to them with role and share; drafts never; the ballot page shows
the panel under "查看" only where the campaign allows it and only for a locality with goals on."""

from __future__ import annotations

import re

import httpx
import pytest

from core.services import subject_panels
from plugins.goals import progress, service, shares
from plugins.goals.schemas import AssignIn, ProgressIn, ShareIn
from tests.helpers import never_5xx
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import SYSTEM, YEAR, enable, make_world, token

CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


@pytest.fixture
def ballot(ctx, live_server):
    """ga's team and unit A with published goals and a quarter of progress, 李明 carrying one of
    them; a campaign rating the team, unit A, unit B (no goals), 李明 and 王芳 (no goals)."""
    world = make_world(ctx)
    admin = world.actors["admin_a"]
    economy = goal(ctx, world, "经济发展", weight=2, standard="全年增长8%")
    investment = goal(ctx, world, "招商引资", parent_id=economy.id)
    goal(ctx, world, "项目建设", parent_id=economy.id)
    safety = goal(ctx, world, "安全生产")
    unit_goal = goal(ctx, world, "单位自身建设", team=False)
    service.publish(ctx, admin, "ga", world.unit_a, world.team, YEAR)
    service.publish(ctx, admin, "ga", world.unit_a, None, YEAR)
    goal(ctx, world, "草稿目标")  # a draft, after publishing: never on the ballot
    shares.assign(
        ctx,
        admin,
        "ga",
        investment.id,
        AssignIn(
            people=[
                ShareIn(person_id=world.people["李明"], role="主办", share=60),
                ShareIn(person_id=world.people["王芳"], role="协办", share=40),
            ]
        ),
    )
    progress.report(
        ctx, admin, "ga", investment.id, ProgressIn(period=f"{YEAR}-Q1", percent=50, work_done="签约3个项目")
    )
    progress.report(ctx, admin, "ga", safety.id, ProgressIn(period=f"{YEAR}-Q1", percent=100))
    progress.report(ctx, admin, "ga", unit_goal.id, ProgressIn(period=f"{YEAR}-Q1", percent=30))
    api = httpx.Client(
        base_url=live_server.url,
        timeout=30,
        event_hooks={"response": [never_5xx]},
        headers={"Authorization": f"Bearer {token(ctx, world.actors['office'])}"},
    )
    subjects = {}
    for name, kind, ref in [
        ("县财政局领导班子", "team", world.team),
        ("县财政局", "unit", world.unit_a),
        ("县教育局", "unit", world.unit_b),
        ("李明", "person", world.people["李明"]),
        ("周五", "person", world.people["周五"]),
    ]:
        answer = api.post(
            "/api/localities/ga/subjects", json={"name": name, "kind": kind, "ref_id": ref, "category": "班子"}
        )
        assert answer.status_code == 201, answer.text
        subjects[name] = answer.json()["id"]
    template = api.post(
        "/api/localities/ga/templates",
        json={
            "name": "测评表",
            "grade_scale": [{"label": "好", "score": 95}, {"label": "一般", "score": 70}],
            "indicators": [{"code": "A", "name": "总体"}],
        },
    ).json()
    campaign = api.post(
        "/api/localities/ga/campaigns",
        json={
            "name": "年度考核测评",
            "subject_ids": list(subjects.values()),
            "categories": [{"name": "干部群众", "weight": 100, "template_id": template["id"]}],
            "subject_panels": True,
        },
    )
    assert campaign.status_code == 201, campaign.text
    campaign_id = campaign.json()["id"]
    [account] = api.post(f"/api/campaigns/{campaign_id}/accounts", json={"category": "干部群众", "count": 1}).json()[
        "accounts"
    ]
    assert api.post(f"/api/campaigns/{campaign_id}/open").status_code == 200
    yield world, api, campaign_id, subjects, account["code"]
    api.close()


def test_team_unit_and_person_subjects_show_their_published_goals_and_progress(ctx, ballot):
    _world, _api, campaign_id, subjects, _code = ballot
    found = subject_panels.for_campaign(ctx, campaign_id, list(subjects.values()))
    assert set(found) == {subjects["县财政局领导班子"], subjects["县财政局"], subjects["李明"]}  # no goals: no panel
    [team] = found[subjects["县财政局领导班子"]]
    assert (team.key, team.title("zh_CN"), team.title("en")) == (
        "goals.progress",
        f"{YEAR}年工作目标及进展",
        f"Goals and progress, {YEAR}",
    )
    assert [(i.heading, i.text) for i in team.items] == [
        ("经济发展（完成 25%，进度滞后）", "全年增长8%"),  # (50 + 0) / 2; no report: its standard
        ("🚩安全生产（完成 100%，已完成）", ""),
    ]  # top goals only, never the draft
    assert team.items[0].heading_for("en") == "经济发展 (25 % done, behind)"
    [unit] = found[subjects["县财政局"]]
    assert [i.heading for i in unit.items] == ["单位自身建设（完成 30%，进度滞后）"]
    [person] = found[subjects["李明"]]
    assert [(i.heading, i.text) for i in person.items] == [("招商引资（完成 50%，进度滞后；主办 60%）", "签约3个项目")]


def test_the_panel_follows_the_campaign_and_the_plugin(ctx, ballot):
    world, api, campaign_id, subjects, _code = ballot
    assert api.patch(f"/api/campaigns/{campaign_id}", json={"subject_panels": False}).status_code == 200
    assert subject_panels.for_campaign(ctx, campaign_id, list(subjects.values())) == {}
    api.patch(f"/api/campaigns/{campaign_id}", json={"subject_panels": True})
    enable(ctx, "ga")  # options rewritten: still on
    assert subject_panels.for_campaign(ctx, campaign_id, list(subjects.values()))
    from core.services.plugins import PluginSettingIn, set_plugin

    set_plugin(ctx, SYSTEM, "ga", "goals", PluginSettingIn(enabled=False))
    assert subject_panels.for_campaign(ctx, campaign_id, list(subjects.values())) == {}


def test_the_ballot_page_shows_the_goals_under_each_subject(ctx, ballot, live_server):
    _world, api, campaign_id, subjects, code = ballot
    with httpx.Client(base_url=live_server.url, timeout=30, event_hooks={"response": [never_5xx]}) as phone:
        assert phone.post("/b/login", data={"code": code}).status_code == 303
        page = phone.get("/b/ballot").text
        team = subjects["县财政局领导班子"]
        assert (
            f'<details class="panel" id="p{team}-goals.progress"><summary>查看：{YEAR}年工作目标及进展</summary>'
            in page
        )
        assert "经济发展（完成 25%，进度滞后）" in page and "招商引资（完成 50%，进度滞后；主办 60%）" in page
        assert "草稿目标" not in page
        assert page.count('class="panel"') == 3
        english = phone.get("/b/ballot?lang=en").text
        assert f"View: Goals and progress, {YEAR}" in english and "安全生产 (100 % done, done)" in english
        assert api.patch(f"/api/campaigns/{campaign_id}", json={"subject_panels": False}).status_code == 200
        assert 'class="panel"' not in phone.get("/b/ballot").text
