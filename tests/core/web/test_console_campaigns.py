"""The campaign pages of the console over HTTP, in zh-CN: a campaign from an empty one through
its setup steps (messages beside their fields, what was typed kept), the missing items before it
opens, open, close with the turnout, and a tally below the minimum turnout refused until a reason
is given; another locality's campaign answers 404, roles other than the office's 404, a form
without its CSRF token 403."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from core.context import Actor
from core.models import AuditEntry, Locality, Unit
from core.schemas.org import SubjectIn, UnitIn
from core.services import org
from core.services import subjects as subject_service
from tests.campaign_setup import TEMPLATE
from tests.core.services.test_tally import vote
from tests.core.web.test_console_permissions import _session

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")
SYSTEM = Actor.system("test")


def _locality(world, code: str) -> tuple:
    api = world.office(code)
    template = api.post(f"/api/localities/{code}/templates", json=TEMPLATE).json()["id"]
    ids = []
    for index in range(4):
        unit = org.create_unit(world.ctx, SYSTEM, code, UnitIn(code=f"U{index}", name=f"单位{index}"))
        category = "乡镇" if index < 3 else "县直部门"
        ids.append(
            subject_service.create_subject(
                world.ctx, SYSTEM, code, SubjectIn(name=unit.name, kind="unit", ref_id=unit.id, category=category)
            ).id
        )
    return api, template, ids


def test_a_campaign_from_empty_to_tallied_through_its_pages(world):
    api, template, subject_ids = _locality(world, "county-c")
    with _session(world, "office-county-c") as client:
        client.follow_redirects = True
        base = "/admin/localities/county-c/campaigns"
        listing = client.get(base)
        assert (
            listing.status_code == 200 and "还没有测评活动" in listing.text and 'data-key="campaigns"' in listing.text
        )

        refused = client.post(
            f"{base}/new",
            data={
                "_csrf": client.csrf,
                "name": "",
                "kind": "democratic",
                "opens_at": "2026-12-02T09:00",
                "closes_at": "2026-12-01T09:00",
            },
        )
        assert refused.status_code == 422
        assert 'id="e-name"' in refused.text and "结束时间必须晚于开始时间" in refused.text
        assert 'value="2026-12-02T09:00"' in refused.text  # kept as typed
        created = client.post(
            f"{base}/new",
            data={
                "_csrf": client.csrf,
                "name": "2026年度民主测评",
                "kind": "democratic",
                "period": "",
                "opens_at": "",
                "closes_at": "",
            },
        )
        assert created.status_code == 200 and "测评活动已创建" in created.text
        campaign_id = int(re.search(r"/campaigns/(\d+)/setup/subjects", str(created.url)).group(1))
        url = f"{base}/{campaign_id}"
        assert re.findall(r'data-tab="([^"]+)"', created.text)[:3] == ["overview", "setup", "results"]

        overview = client.get(url)
        assert "测评还没有考核对象" in overview.text and "测评还没有测评主体" in overview.text

        # subjects by category, filtered in SQL
        page = client.get(f"{url}/setup/subjects", params={"category": "乡镇"})
        assert "本地区有 3 个考核对象符合条件，其中 0 个已在本测评中" in page.text
        added = client.post(
            f"{url}/setup/subjects",
            data={"_csrf": client.csrf, "action": "add", "category": "乡镇", "unit": "", "team": ""},
        )
        assert "已添加 3 个考核对象" in added.text and "本测评共有 3 个考核对象" in added.text
        client.post(
            f"{url}/setup/subjects",
            data={"_csrf": client.csrf, "action": "remove_one", "subject_id": str(subject_ids[0])},
        )
        client.post(
            f"{url}/setup/subjects",
            data={"_csrf": client.csrf, "action": "add", "category": "", "unit": "", "team": ""},
        )
        assert "本测评共有 4 个考核对象" in client.get(f"{url}/setup/subjects").text

        # categories: a bad weight is shown beside its field, and what was typed is kept
        bad = client.post(
            f"{url}/setup/categories",
            data={
                "_csrf": client.csrf,
                "rows": "2",
                "c0_name": "县领导",
                "c0_weight": "0",
                "c0_template": str(template),
                "c1_name": "基层代表",
                "c1_weight": "60",
                "c1_template": str(template),
                "c1_subject_categories": "乡镇",
            },
        )
        assert bad.status_code == 422 and 'id="e-c0_weight"' in bad.text and 'id="e-c1_weight"' not in bad.text
        assert 'value="基层代表"' in bad.text
        twice = client.post(
            f"{url}/setup/categories",
            data={
                "_csrf": client.csrf,
                "rows": "2",
                "c0_name": "县领导",
                "c0_weight": "40",
                "c1_name": "县领导",
                "c1_weight": "60",
            },
        )
        assert twice.status_code == 422 and "同一测评中测评主体的名称不能重复" in twice.text
        good = client.post(
            f"{url}/setup/categories",
            data={
                "_csrf": client.csrf,
                "rows": "3",
                "c0_name": "县领导",
                "c0_weight": "40",
                "c0_template": str(template),
                "c1_name": "基层代表",
                "c1_weight": "60",
                "c1_template": str(template),
                "c1_subject_categories": "乡镇",
                "c2_name": "",
                "c2_weight": "1",
            },
        )
        assert good.status_code == 200 and "已保存" in good.text
        campaign = api.get(f"/api/campaigns/{campaign_id}").json()
        assert [(c["name"], c["weight"], c["subject_categories"]) for c in campaign["categories"]] == [
            ("县领导", 40.0, []),
            ("基层代表", 60.0, ["乡镇"]),
        ]

        rules = client.get(f"{url}/setup/rules")
        assert 'name="rule" value="weighted_mean"' in rules.text
        saved = client.post(f"{url}/setup/rules", data={"_csrf": client.csrf, "rule": "weighted_mean"})
        assert saved.status_code == 200 and "已保存" in saved.text

        # opening before accounts are issued: refused with what is missing, in words
        assert "尚未发放测评账号" in client.get(url).text
        opening = client.post(url, data={"_csrf": client.csrf, "action": "open"})
        assert opening.status_code == 409 and "测评还不能开始" in opening.text
        assert "测评主体“县领导”：尚未发放测评账号" in opening.text

        leaders = api.post(f"/api/campaigns/{campaign_id}/accounts", json={"category": "县领导", "count": 3}).json()
        base_reps = api.post(f"/api/campaigns/{campaign_id}/accounts", json={"category": "基层代表", "count": 1}).json()
        assert 'id="ready"' in client.get(url).text
        opened = client.post(url, data={"_csrf": client.csrf, "action": "open"})
        assert opened.status_code == 200 and 'data-status="open"' in opened.text
        frozen = client.get(f"{url}/setup/categories")
        assert (
            "其设置不能再修改" in frozen.text and '<fieldset class="category-row" data-row="0" disabled>' in frozen.text
        )
        assert ">保存</button>" not in frozen.text
        assert (
            client.post(
                f"{url}/setup/subjects",
                data={"_csrf": client.csrf, "action": "remove", "category": "", "unit": "", "team": ""},
            ).status_code
            == 409
        )

        grades = {s: "称职" for s in subject_ids}
        vote(world, leaders["accounts"][0]["code"], grades)
        vote(world, base_reps["accounts"][0]["code"], {s: "优秀" for s in subject_ids[:3]})
        confirm = client.get(f"{url}/close")
        assert confirm.status_code == 200 and "<td>县领导</td><td>3</td><td>1</td>" in confirm.text
        assert "33.3 %" in confirm.text
        closed = client.post(f"{url}/close", data={"_csrf": client.csrf})
        assert 'data-status="closed"' in closed.text

        # the locality's minimum turnout: bounded, then refusing the tally until a reason is given
        wrong = client.post(
            f"{base}/settings", data={"_csrf": client.csrf, "min_turnout_percent": "150", "result_decimals": "2"}
        )
        assert wrong.status_code == 422 and 'id="e-min_turnout_percent"' in wrong.text and 'value="150"' in wrong.text
        client.post(
            f"{base}/settings", data={"_csrf": client.csrf, "min_turnout_percent": "66.67", "result_decimals": "1"}
        )
        low = client.post(url, data={"_csrf": client.csrf, "action": "tally"})
        assert low.status_code == 409 and 'id="low-turnout"' in low.text
        assert "参评率低于本地区规定的最低参评率 66.67%：县领导 1/3 (33.3 %)" in low.text
        tallied = client.post(url, data={"_csrf": client.csrf, "action": "tally", "reason": "两名县领导出差"})
        assert tallied.status_code == 200 and 'data-status="tallied"' in tallied.text
    with world.ctx.db.read() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "campaign.tally")).one()
        assert entry.summary["after"]["low_turnout"]["reason"] == "两名县领导出差"


def test_other_localities_roles_and_forms_without_their_token(world):
    api, _template, subject_ids = _locality(world, "county-d")
    campaign = api.post("/api/localities/county-d/campaigns", json={"name": "测评", "subject_ids": subject_ids}).json()
    world.office("county-e")
    world.user("unit-d", "unit_admin", "county-d", unit="U0")
    world.user("evaluator-d", "cadre", "county-d", unit="U0")
    url = f"/admin/localities/county-d/campaigns/{campaign['id']}"
    pages = ["", "/setup/basics", "/setup/subjects", "/setup/categories", "/setup/rules", "/close"]
    with _session(world, "office-county-e") as client:
        for page in pages:
            assert client.get(url + page).status_code == 404, page
        assert client.get(f"/admin/localities/county-e/campaigns/{campaign['id']}").status_code == 404
        assert (
            client.post(
                f"/admin/localities/county-e/campaigns/{campaign['id']}", data={"_csrf": client.csrf, "action": "open"}
            ).status_code
            == 404
        )
        assert client.get("/admin/localities/county-d/campaigns").status_code == 404
    for username in ("unit-d", "evaluator-d"):
        with _session(world, username) as client:
            assert client.get("/admin/localities/county-d/campaigns").status_code == 404
            for page in pages:
                assert client.get(url + page).status_code == 404, (username, page)
    with _session(world, "office-county-d") as client:
        assert client.get(url).status_code == 200
        for page, data in [
            ("", {"action": "open"}),
            ("/setup/basics", {"name": "x"}),
            ("/setup/subjects", {"action": "remove"}),
            ("/setup/categories", {"rows": "0"}),
            ("/setup/rules", {"rule": "weighted_mean"}),
            ("/close", {}),
        ]:
            assert client.post(url + page, data=data).status_code == 403, page
        assert (
            client.post("/admin/localities/county-d/campaigns/settings", data={"min_turnout_percent": "50"}).status_code
            == 403
        )
        assert api.get(f"/api/campaigns/{campaign['id']}").json()["subject_ids"] == subject_ids
        english = client.get(url, params={"lang": "en"})
        assert (
            "Still missing before it can open" in english.text
            and "the campaign has no evaluator categories" in english.text
        )
        for page in pages[1:5]:  # the language stays English (a cookie)
            shown = client.get(url + page)
            assert (
                shown.status_code == 200 and "Scoring and distribution" in shown.text and "计分与分布" not in shown.text
            )


def _post_ballot_cap(client, url: str, max_ratio: str):
    """Post a campaign's rules step: the weighted mean with one ballot cap of ``max_ratio``."""
    return client.post(
        f"{url}/setup/rules",
        data={
            "_csrf": client.csrf,
            "rule": "weighted_mean",
            "d0_policy": "ballot_cap",
            "d0_use": "on",
            "d0_opt_max_ratio": max_ratio,
            "d0_opt_rounding": "floor",
            "d0_opt_scope": "ballot",
            "d0_opt_action": "invalid",
        },
    )


def test_subjects_by_unit_or_team_and_policies_with_their_options_forms(world):
    from core.schemas.org import PersonIn, TeamIn, TeamMemberIn
    from core.services import plugins as plugin_service

    api, template, _subject_ids = _locality(world, "county-f")
    with world.ctx.db.read() as session:
        unit_id = session.exec(
            select(Unit.id)
            .join(Locality, Locality.id == Unit.locality_id)
            .where(Locality.code == "county-f", Unit.code == "U0")
        ).one()
    people = [
        org.create_person(world.ctx, SYSTEM, "county-f", PersonIn(name=name, unit_id=unit_id)).id
        for name in ("张三", "李四", "王五")
    ]
    team = org.create_team(
        world.ctx,
        SYSTEM,
        "county-f",
        TeamIn(
            unit_id=unit_id,
            name="领导班子",
            members=[TeamMemberIn(person_id=people[0]), TeamMemberIn(person_id=people[1])],
        ),
    )
    for person_id, name in zip(people, ("张三", "李四", "王五"), strict=True):
        subject_service.create_subject(
            world.ctx, SYSTEM, "county-f", SubjectIn(name=name, kind="person", ref_id=person_id, category="班子成员")
        )
    subject_service.create_subject(
        world.ctx, SYSTEM, "county-f", SubjectIn(name="领导班子", kind="team", ref_id=team.id, category="领导班子")
    )
    plugin_service.set_plugin(
        world.ctx, SYSTEM, "county-f", "distribution", plugin_service.PluginSettingIn(enabled=True)
    )
    campaign = api.post(
        "/api/localities/county-f/campaigns",
        json={"name": "班子测评", "categories": [{"name": "干部", "template_id": template}]},
    ).json()
    url = f"/admin/localities/county-f/campaigns/{campaign['id']}"
    with _session(world, "office-county-f") as client:
        client.follow_redirects = True
        by_unit = client.get(f"{url}/setup/subjects", params={"unit": str(unit_id)})
        assert "本地区有 5 个考核对象符合条件" in by_unit.text  # the unit, its team, its three people
        by_team = client.get(f"{url}/setup/subjects", params={"team": str(team.id)})
        assert "本地区有 3 个考核对象符合条件" in by_team.text  # the team and its two members
        added = client.post(
            f"{url}/setup/subjects",
            data={"_csrf": client.csrf, "action": "add", "category": "班子成员", "unit": "", "team": str(team.id)},
        )
        assert "已添加 2 个考核对象" in added.text and "张三" in added.text and "王五" not in added.text

        rules = client.get(f"{url}/setup/rules")
        assert 'data-policy="ballot_cap" data-index="0"' in rules.text and 'name="d0_opt_max_ratio"' in rules.text
        bad = _post_ballot_cap(client, url, "2")
        assert bad.status_code == 422 and 'id="e-d0_opt_max_ratio"' in bad.text and 'value="2"' in bad.text
        assert api.get(f"/api/campaigns/{campaign['id']}").json()["distribution"] == []
        good = _post_ballot_cap(client, url, "0.3")
        assert good.status_code == 200 and "已保存" in good.text
        stored = api.get(f"/api/campaigns/{campaign['id']}").json()["distribution"]
        assert [(d["policy"], d["options"]["max_ratio"], d["options"]["scope"]) for d in stored] == [
            ("ballot_cap", 0.3, "ballot")
        ]
        # 30 % of 2 subjects, rounded down, allows none: said on the step and on the overview
        assert 'id="policy-warnings"' in good.text
        assert 'id="policy-warnings"' in client.get(f"{url}/setup/rules").text
        assert 'name="d0_use" id="f-d0_use" checked' in good.text
        overview = client.get(url)
        assert len(re.findall(r"<li>", overview.text.split('id="missing"')[1].split("</ul>")[0])) >= 2


def test_thousands_of_subjects_are_counted_added_and_paged_in_sql(world):
    from sqlalchemy import insert

    from core.models import Subject

    api, _template, _ids = _locality(world, "county-g")
    campaign = api.post("/api/localities/county-g/campaigns", json={"name": "大测评"}).json()
    with world.ctx.db.write() as session:
        locality_id = session.exec(select(Locality.id).where(Locality.code == "county-g")).one()
        session.execute(
            insert(Subject),
            [
                {
                    "locality_id": locality_id,
                    "name": f"干部{n:04d}",
                    "kind": "person",
                    "ref_id": None,
                    "category": "中层干部" if n % 3 else "班子成员",
                }
                for n in range(3000)
            ],
        )
    url = f"/admin/localities/county-g/campaigns/{campaign['id']}/setup/subjects"
    with _session(world, "office-county-g") as client:
        client.follow_redirects = True
        added = client.post(
            url, data={"_csrf": client.csrf, "action": "add", "category": "中层干部", "unit": "", "team": ""}
        )
        assert "已添加 2000 个考核对象" in added.text and "本测评共有 2000 个考核对象" in added.text
        assert added.text.count('value="remove_one"') == 50 and len(added.text.encode()) < 100_000
        last = client.get(url, params={"category": "中层干部", "page": 40})
        assert "40 / 40" in last.text and last.text.count('value="remove_one"') == 50
        removed = client.post(
            url, data={"_csrf": client.csrf, "action": "remove", "category": "中层干部", "unit": "", "team": ""}
        )
        assert "已移除 2000 个考核对象" in removed.text and "本测评共有 0 个考核对象" in removed.text
    assert api.get(f"/api/campaigns/{campaign['id']}").json()["subject_ids"] == []


def test_a_parent_locality_reads_a_child_campaign_but_changes_nothing(world):
    from core.services import auth

    world.locality("city-h", "示范市")
    world.locality("county-h", "示范县", parent_code="city-h")
    county = world.client(world.user("office-county-h", "office", "county-h"))
    world.user("office-city-h", "office", "city-h")
    auth.grant_child_localities(world.ctx, SYSTEM, "office-city-h", True)
    campaign = county.post("/api/localities/county-h/campaigns", json={"name": "县里的测评"}).json()
    url = f"/admin/localities/county-h/campaigns/{campaign['id']}"
    with _session(world, "office-city-h") as client:
        listing = client.get("/admin/localities/county-h/campaigns")
        assert "县里的测评" in listing.text and 'id="new-campaign"' not in listing.text
        overview = client.get(url)
        assert overview.status_code == 200 and 'id="open-campaign"' not in overview.text
        for step in ("basics", "subjects", "categories", "rules"):
            page = client.get(f"{url}/setup/{step}")
            assert page.status_code == 200 and ">保存</button>" not in page.text, step
        assert client.post(url, data={"_csrf": client.csrf, "action": "open"}).status_code == 404
        assert (
            client.post(
                f"{url}/setup/basics", data={"_csrf": client.csrf, "name": "改名", "kind": "democratic"}
            ).status_code
            == 404
        )
        assert (
            client.post(
                "/admin/localities/county-h/campaigns/settings",
                data={"_csrf": client.csrf, "min_turnout_percent": "50"},
            ).status_code
            == 404
        )
    assert county.get(f"/api/campaigns/{campaign['id']}").json()["name"] == "县里的测评"
