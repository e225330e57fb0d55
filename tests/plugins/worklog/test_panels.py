"""Panels about a ballot's subjects (hook ``kaoping_subject_panels``), on both databases: the
worklog contributes a person subject's recent submitted records; the ballot page shows them
under "查看" only where the campaign allows it, in the evaluator's language; drafts, other
people's records and a locality without the worklog show nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from core.models import User
from core.periods import Period
from core.services import auth, subject_panels
from core.services.plugins import PluginSettingIn, set_plugin
from core.web.auth import SESSION_COOKIE
from plugins.worklog.models import EntryKind
from plugins.worklog.service import seed_entry
from tests.helpers import never_5xx
from tests.plugins.worklog.setup import SYSTEM, make_world, token

CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


@pytest.fixture
def ballot(ctx, live_server):
    """Campaign of wa rating 李明 and 钱七 (people) and unit A, panels allowed; one account."""
    world = make_world(ctx)
    for week, text in [("2025-W39", "走访企业3家"), ("2025-W40", "节前安全检查")]:
        seed_entry(ctx, "wa", world.people["李明"], EntryKind.weekly_record, Period.parse(week), text, written_by="t")
    seed_entry(
        ctx,
        "wa",
        world.people["李明"],
        EntryKind.weekly_plan,
        Period.parse("2025-W41"),
        "草稿计划",
        written_by="t",
        submit=False,
    )
    seed_entry(
        ctx, "wa", world.people["王芳"], EntryKind.weekly_record, Period.parse("2025-W40"), "王芳的记实", written_by="t"
    )
    api = httpx.Client(
        base_url=live_server.url,
        timeout=30,
        event_hooks={"response": [never_5xx]},
        headers={"Authorization": f"Bearer {token(ctx, world.actors['office'])}"},
    )
    subjects = {}
    for name, kind, ref in [
        ("李明", "person", world.people["李明"]),
        ("钱七", "person", world.people["钱七"]),
        ("县财政局", "unit", world.unit_a),
    ]:
        answer = api.post(
            "/api/localities/wa/subjects", json={"name": name, "kind": kind, "ref_id": ref, "category": "干部"}
        )
        assert answer.status_code == 201, answer.text
        subjects[name] = answer.json()["id"]
    template = api.post(
        "/api/localities/wa/templates",
        json={
            "name": "测评表",
            "grade_scale": [{"label": "好", "score": 95}, {"label": "一般", "score": 70}],
            "indicators": [{"code": "A", "name": "总体"}],
        },
    ).json()
    campaign = api.post(
        "/api/localities/wa/campaigns",
        json={
            "name": "民主测评",
            "subject_ids": list(subjects.values()),
            "categories": [{"name": "干部群众", "weight": 100, "template_id": template["id"]}],
            "subject_panels": True,
        },
    )
    assert campaign.status_code == 201 and campaign.json()["subject_panels"] is True, campaign.text
    campaign_id = campaign.json()["id"]
    [account] = api.post(f"/api/campaigns/{campaign_id}/accounts", json={"category": "干部群众", "count": 1}).json()[
        "accounts"
    ]
    assert api.post(f"/api/campaigns/{campaign_id}/open").status_code == 200
    yield world, api, campaign_id, subjects, account["code"]
    api.close()


def test_the_worklog_panel_shows_a_persons_recent_submitted_records(ctx, ballot):
    world, api, campaign_id, subjects, _code = ballot
    found = subject_panels.for_campaign(ctx, campaign_id, list(subjects.values()))
    assert set(found) == {subjects["李明"]}  # 钱七 wrote nothing, a unit has no records
    [panel] = found[subjects["李明"]]
    assert (panel.key, panel.title("zh_CN"), panel.title("en")) == (
        "worklog.records",
        "近期工作纪实",
        "Recent work records",
    )
    assert [(i.heading, i.text) for i in panel.items] == [
        ("2025-W40 周记实", "节前安全检查"),
        ("2025-W39 周记实", "走访企业3家"),
    ]
    assert panel.items[0].heading_for("en") == "2025-W40 Weekly record"

    with ctx.db.read() as db:
        office = db.get(User, world.actors["office"].user_id)
    issued = auth.issue_token(ctx, office, kind="session", name="browser", ttl=timedelta(hours=1))
    basics = httpx.get(
        f"{api.base_url}/admin/localities/wa/campaigns/{campaign_id}/setup/basics",
        cookies={SESSION_COOKIE: issued.token},
    ).text
    assert '<dd id="subject-panels">显示</dd>' in basics  # the campaign is open: a fact, no form

    assert api.patch(f"/api/campaigns/{campaign_id}", json={"subject_panels": False}).status_code == 200
    assert subject_panels.for_campaign(ctx, campaign_id, list(subjects.values())) == {}
    api.patch(f"/api/campaigns/{campaign_id}", json={"subject_panels": True})
    set_plugin(ctx, SYSTEM, "wa", "worklog", PluginSettingIn(enabled=False))
    assert subject_panels.for_campaign(ctx, campaign_id, list(subjects.values())) == {}  # the plugin is off


def test_the_ballot_page_shows_the_panel_only_where_the_campaign_allows_it(ctx, ballot, live_server):
    _world, api, campaign_id, subjects, code = ballot
    with httpx.Client(base_url=live_server.url, timeout=30, event_hooks={"response": [never_5xx]}) as phone:
        assert phone.post("/b/login", data={"code": code}).status_code == 303
        page = phone.get("/b/ballot").text
        assert (
            f'<details class="panel" id="p{subjects["李明"]}-worklog.records"><summary>查看：近期工作纪实</summary>'
            in page
        )
        assert "节前安全检查" in page and "走访企业3家" in page
        assert "草稿计划" not in page and "王芳的记实" not in page  # a draft; not a subject
        assert page.count('class="panel"') == 1
        english = phone.get("/b/ballot?lang=en").text
        assert "View: Recent work records" in english and "2025-W40 Weekly record" in english
        form = {"_csrf": CSRF.search(page).group(1), "action": "draft", "comment": ""}
        assert "节前安全检查" in phone.post("/b/ballot", data=form).text  # a saved draft shows them too

        assert api.patch(f"/api/campaigns/{campaign_id}", json={"subject_panels": False}).status_code == 200
        assert 'class="panel"' not in phone.get("/b/ballot").text


def test_the_office_allows_panels_on_the_campaigns_basics_form(ctx, ballot):
    world, api, _campaign_id, _subjects, _code = ballot
    draft = api.post("/api/localities/wa/campaigns", json={"name": "季度测评"}).json()
    assert draft["subject_panels"] is False
    with ctx.db.read() as db:
        office = db.get(User, world.actors["office"].user_id)
    issued = auth.issue_token(ctx, office, kind="session", name="browser", ttl=timedelta(hours=1))
    url = f"{api.base_url}/admin/localities/wa/campaigns/{draft['id']}/setup/basics"
    with httpx.Client(
        cookies={SESSION_COOKIE: issued.token}, timeout=30, event_hooks={"response": [never_5xx]}
    ) as browser:
        page = browser.get(url).text
        assert "测评时可查看被测评对象的相关信息（职责、目标、工作纪实）" in page and 'name="subject_panels">' in page
        form = {"_csrf": issued.csrf_token, "name": "季度测评", "kind": "democratic", "subject_panels": "on"}
        assert browser.post(url, data=form).status_code in (200, 302, 303)
        assert api.get(f"/api/campaigns/{draft['id']}").json()["subject_panels"] is True
        assert 'name="subject_panels" checked' in browser.get(url).text
        browser.post(url, data={k: v for k, v in form.items() if k != "subject_panels"})
        assert api.get(f"/api/campaigns/{draft['id']}").json()["subject_panels"] is False
