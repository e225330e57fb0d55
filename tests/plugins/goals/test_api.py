"""The goals' API over a real HTTP server, on both databases: a unit admin builds, decomposes,
publishes and reports; members read; others, other localities and localities that have not
enabled goals get 404; bad input is a translated 422; the operations are in the OpenAPI document."""

from __future__ import annotations

import httpx
import pytest

from core.services.plugins import PluginSettingIn, set_plugin
from tests.core.web.test_downloads import saved_as
from tests.helpers import never_5xx
from tests.plugins.goals.setup import SYSTEM, YEAR, make_world, token

BASE = "/api/localities/ga/goals"


@pytest.fixture
def api(ctx, live_server):
    world = make_world(ctx)

    def client(name: str, **headers) -> httpx.Client:
        return httpx.Client(
            base_url=live_server.url,
            timeout=30,
            event_hooks={"response": [never_5xx]},
            headers={"Authorization": f"Bearer {token(ctx, world.actors[name])}", **headers},
        )

    return world, client


def new_goal(world, **fields):
    return {
        "unit_id": world.unit_a,
        "team_id": world.team,
        "year": YEAR,
        "start": f"{YEAR}-01-01",
        "end": f"{YEAR}-12-31",
        **fields,
    }


def test_a_unit_admin_builds_decomposes_publishes_and_reports(ctx, api):
    world, client = api
    where = {"unit_id": world.unit_a, "team_id": world.team, "year": YEAR}
    with client("admin_a") as admin, client("member") as member, client("outsider") as outsider:
        top = admin.post(
            BASE + "/",
            json=new_goal(
                world, name="财政收入", kind="quantitative", indicator_id=world.indicator, baseline=10, target=12
            ),
        )
        assert top.status_code == 201, top.text
        top = top.json()
        sub = admin.post(BASE + "/", json=new_goal(world, name="清理欠税", parent_id=top["id"])).json()
        split = {
            "people": [
                {"person_id": world.people["李明"], "role": "主办", "share": 60},
                {"person_id": world.people["王芳"], "role": "协办", "share": 40},
            ]
        }
        assert admin.put(f"{BASE}/{sub['id']}/people", json=split).status_code == 200
        assert admin.post(f"{BASE}/publish", params=where).json() == {"published": 2}
        answer = member.put(f"{BASE}/{sub['id']}/progress", json={"period": f"{YEAR}-Q1", "percent": 50})
        assert answer.status_code == 200 and answer.json()["reported_by"] == "liming"
        tree = member.get(f"{BASE}/tree", params={**where, "as_of": f"{YEAR}-04-01"}).json()
        assert [(g["name"], g["depth"], g["percent"]) for g in tree["goals"]] == [
            ("财政收入", 0, 50.0),
            ("清理欠税", 1, 50.0),
        ]
        assert tree["published"] and tree["drafts"] == 0
        changed = admin.patch(f"{BASE}/{sub['id']}", json={"name": "清理历史欠税"})
        assert changed.json()["changed_after_publish"] and changed.json()["versions"] == 2
        detail = member.get(f"{BASE}/{sub['id']}").json()
        assert detail["history"][1]["changes"] == {"name": ["清理欠税", "清理历史欠税"]}
        assert member.patch(f"{BASE}/{sub['id']}", json={"name": "x"}).status_code == 403
        assert outsider.get(f"{BASE}/{sub['id']}").status_code == 404  # of the unit, not of the team
        assert outsider.get(f"{BASE}/tree", params=where).status_code == 404
        copies = admin.post(f"{BASE}/copy", json={**where, "goal_ids": [top["id"]]})
        assert [g["name"] for g in copies.json()] == ["财政收入", "清理历史欠税"]


def test_bad_input_is_a_translated_422_and_writes_nothing(ctx, api):
    world, client = api
    with client("admin_a", **{"Accept-Language": "zh-CN"}) as admin:
        equal = admin.post(
            BASE + "/",
            json=new_goal(
                world, name="收入", kind="quantitative", indicator_id=world.indicator, baseline=10, target=10
            ),
        )
        assert equal.status_code == 422 and equal.json()["errors"][0]["field"] == "target"
        assert "基数" in equal.json()["detail"]
        goal = admin.post(BASE + "/", json=new_goal(world, name="招商")).json()
        short = admin.put(
            f"{BASE}/{goal['id']}/people",
            json={"people": [{"person_id": world.people["李明"], "role": "主办", "share": 80}]},
        )
        assert short.status_code == 422 and "招商" in short.json()["detail"] and "20" in short.json()["detail"]
        outside = admin.put(f"{BASE}/{goal['id']}/progress", json={"period": "2027-01", "percent": 5})
        assert outside.status_code == 422 and "2027-01" in outside.json()["detail"]
        assert (
            admin.put(f"{BASE}/{goal['id']}/progress", json={"period": "2026-01", "percent": "many"}).status_code == 400
        )
        cycle = admin.post(BASE + "/", json=new_goal(world, name="子", parent_id=goal["id"])).json()
        looped = admin.post(f"{BASE}/{goal['id']}/move", json={"parent_id": cycle["id"]})
        assert looped.status_code == 422 and "子" in looped.json()["detail"]
        detail = admin.get(f"{BASE}/{goal['id']}").json()
        assert detail["people"] == [] and detail["progress"] == [] and detail["parent_id"] is None
    with client("admin_a") as admin:
        equal = admin.post(
            BASE + "/",
            json=new_goal(
                world, name="收入", kind="quantitative", indicator_id=world.indicator, baseline=10, target=10
            ),
        )
        assert "equals the baseline" in equal.json()["detail"]


def test_tenants_and_localities_without_goals_get_404(ctx, api):
    world, client = api
    with client("admin_a") as admin:
        goal = admin.post(BASE + "/", json=new_goal(world, name="招商")).json()
    with client("other_office") as other:
        assert other.get(f"{BASE}/{goal['id']}").status_code == 404
        assert other.get("/api/localities/gb/goals/" + str(goal["id"])).status_code == 404  # its id under its own code
        assert other.get("/api/localities/gb/goals/status", params={"year": YEAR}).json()["rows"] == []
    with client("admin_b") as admin_b:
        assert admin_b.get(f"{BASE}/{goal['id']}").status_code == 404
        assert admin_b.patch(f"{BASE}/{goal['id']}", json={"name": "x"}).status_code == 404
    set_plugin(ctx, SYSTEM, "ga", "goals", PluginSettingIn(enabled=False))
    with client("admin_a") as admin, client("office") as office:
        assert admin.get(f"{BASE}/{goal['id']}").status_code == 404
        assert office.get(f"{BASE}/status", params={"year": YEAR}).status_code == 404


def test_the_operations_are_in_the_openapi_document(live_server):
    paths = httpx.get(f"{live_server.url}/schema/openapi.json", timeout=30).json()["paths"]
    goals = {path for path in paths if path.startswith("/api/localities/{code}/goals")}
    assert {
        "/api/localities/{code}/goals/tree",
        "/api/localities/{code}/goals/status",
        "/api/localities/{code}/goals/{goal_id}",
        "/api/localities/{code}/goals/{goal_id}/people",
        "/api/localities/{code}/goals/{goal_id}/progress",
        "/api/localities/{code}/goals/assign",
        "/api/localities/{code}/goals/publish",
        "/api/localities/{code}/goals/copy",
    } <= goals
    assert "404" in paths["/api/localities/{code}/goals/{goal_id}"]["get"]["responses"]


def test_the_workbook_round_trip_over_the_api(ctx, api):
    import io

    from openpyxl import load_workbook

    world, client = api
    where = {"unit_id": world.unit_a, "team_id": world.team, "year": YEAR}
    with client("admin_a", **{"Accept-Language": "zh-CN"}) as admin:
        made = admin.post(BASE + "/", json=new_goal(world, name="制度建设")).json()
        download = admin.get(f"{BASE}/workbook", params=where)
        assert download.status_code == 200
        name = f"工作目标-单位{world.unit_a}-{YEAR}年.xlsx"  # in the Accept-Language
        assert saved_as(download.headers["content-disposition"]) == (name, f"goals-{world.unit_a}-{YEAR}.xlsx")
        book = load_workbook(io.BytesIO(download.content))
        book["进度"].append([999, "?", "定性", "2026-03", None, 10])
        book["进度"]["D2"], book["进度"]["F2"] = "2026-03", 25
        out = io.BytesIO()
        book.save(out)
        refused = admin.post(f"{BASE}/progress-sheet", params=where, files={"data": ("p.xlsx", out.getvalue())})
        assert refused.status_code == 422
        assert [(e["row"], e["column"]) for e in refused.json()["errors"]] == [(3, "目标编号")]
        assert "999" in refused.json()["errors"][0]["message"] and "未导入" in refused.json()["detail"]
        assert admin.get(f"{BASE}/{made['id']}").json()["progress"] == []
        del book["进度"]
        sheet = book.create_sheet("进度")
        sheet.append(["目标编号", "期间", "完成百分比"])
        sheet.append([made["id"], "2026-03", 25])
        out = io.BytesIO()
        book.save(out)
        saved = admin.post(f"{BASE}/progress-sheet", params=where, files={"data": ("p.xlsx", out.getvalue())})
        assert saved.status_code == 200 and saved.json() == {"reports": 1}


def test_the_office_scores_and_members_read_the_results(ctx, api):
    world, client = api
    where = {"unit_id": world.unit_a, "team_id": world.team, "year": YEAR}
    with client("admin_a") as admin, client("office") as office, client("member") as member:
        made = admin.post(BASE + "/", json=new_goal(world, name="制度建设")).json()
        split = {"people": [{"person_id": world.people["李明"], "role": "主办", "share": 100}]}
        admin.put(f"{BASE}/{made['id']}/people", json=split)
        body = {"period": str(YEAR), "standard": 10, "deduction": 2}
        assert admin.put(f"{BASE}/{made['id']}/score", json=body).status_code == 403
        scored = office.put(f"{BASE}/{made['id']}/score", json=body)
        assert scored.status_code == 200 and scored.json()["score"] == 8
        sheet = member.get(f"{BASE}/scores", params=where).json()
        assert sheet["total"] == 8 and sheet["people"] == [
            {"person_id": world.people["李明"], "person_name": "李明", "score": 8.0, "standard": 10.0}
        ]
        assert sheet["finished_at"] is None  # the office has not finished scoring the set


def test_comments_and_private_answers_over_the_api(ctx, api):
    world, client = api
    with client("admin_a") as admin, client("member") as member, client("office") as office:
        made = admin.post(BASE + "/", json=new_goal(world, name="制度建设")).json()
        url = f"{BASE}/{made['id']}/comments"
        written = member.post(url, json={"body": "建议细化完成标准"})
        assert written.status_code == 201
        answer = admin.put(f"{url}/{written.json()['id']}/answer", json={"body": "已细化", "public": False})
        assert answer.status_code == 200 and answer.json()["unanswered"] == 0
        assert member.get(url).json()["comments"][0]["answer"]["body"] == "已细化"
        office_view = office.get(url).json()
        assert office_view["may_answer"] and office_view["comments"][0]["answer"]["public"] is False
        assert member.put(f"{url}/{written.json()['id']}/answer", json={"body": "x"}).status_code == 403
    with client("admin_b") as other:
        assert other.get(url).status_code == 404


def test_changing_a_target_rebases_the_reports_filed_and_the_roll_up(ctx, api):
    """Issue #14 through the API: after the target moves, the old report's percentage and the
    team's roll-up in the county view follow the new target."""
    world, client = api
    with client("admin_a") as admin, client("office") as office:
        goal = admin.post(
            BASE + "/",
            json=new_goal(
                world, name="财政收入", kind="quantitative", indicator_id=world.indicator, baseline=12, target=13.5
            ),
        ).json()
        filed = admin.put(f"{BASE}/{goal['id']}/progress", json={"period": f"{YEAR}-Q3", "actual": 12.9})
        assert filed.json()["percent"] == 60.0

        def team_percent():
            rows = office.get(f"{BASE}/status", params={"year": YEAR, "as_of": f"{YEAR}-10-01"}).json()["rows"]
            return next(r["percent"] for r in rows if r["team_id"] == world.team)

        assert team_percent() == 60.0
        assert admin.patch(f"{BASE}/{goal['id']}", json={"target": 13.6}).status_code == 200
        detail = admin.get(f"{BASE}/{goal['id']}").json()
        assert [(p["period"], p["percent"]) for p in detail["progress"]] == [(f"{YEAR}-Q3", 56.25)]
        assert team_percent() == 56.25
