"""The worklog's API over a real HTTP server, on both databases: writing and submitting through
``/api/localities/{code}/worklog``, translated errors, 404 for a locality that has not enabled
the plugin and for what the caller may not read, and the operations in the OpenAPI document."""

from __future__ import annotations

import httpx
import pytest

from core.periods import Period
from core.services.plugins import PluginSettingIn, set_plugin
from plugins.worklog import service
from tests.helpers import never_5xx
from tests.plugins.worklog.setup import SYSTEM, make_world, token


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


def test_a_person_writes_submits_and_their_leader_reads(ctx, api):
    world, client = api
    week = str(Period.from_date("week", service.today(ctx)))
    base = "/api/localities/wa/worklog"
    with client("author") as author, client("leader") as leader, client("leader_b") as other:
        answer = author.put(f"{base}/me/entries/weekly_record/{week}", json={"body": "周一：调研\n周二：座谈"})
        assert answer.status_code == 200, answer.text
        entry = answer.json()
        assert entry["status"] == "draft" and entry["period"] == week and entry["mine"] is True
        assert leader.get(f"{base}/entries/{entry['id']}").status_code == 404  # a draft
        submitted = author.post(f"{base}/entries/{entry['id']}/submit")
        assert submitted.status_code == 200 and submitted.json()["versions"] == 1
        read = leader.get(f"{base}/entries/{entry['id']}")
        assert read.status_code == 200 and read.json()["body"] == "周一：调研\n周二：座谈"
        assert [v["number"] for v in read.json()["history"]] == [1]
        assert other.get(f"{base}/entries/{entry['id']}").status_code == 404  # a leader of another unit
        board = leader.get(f"{base}/board", params={"period": week}).json()
        assert {r["person_name"]: r["entries"]["weekly_record"] is not None for r in board["rows"]} == {
            "李明": True,
            "王芳": False,
        }
        glance = author.get(f"{base}/me").json()
        assert glance["slots"][1]["entry"]["id"] == entry["id"]
        assert author.get(f"{base}/me/entries").json()["total"] == 1
        assert leader.get(f"{base}/people/{world.people['李明']}/entries").json()["total"] == 1
        assert leader.post(f"{base}/entries/{entry['id']}/submit").status_code == 403


def test_bad_input_is_a_translated_4xx_and_writes_nothing(ctx, api):
    _world, client = api
    base = "/api/localities/wa/worklog/me/entries"
    with client("author", **{"Accept-Language": "zh-CN"}) as author:
        wrong = author.put(f"{base}/weekly_record/2026-11", json={"body": "x"})
        assert wrong.status_code == 422
        assert wrong.json()["errors"][0]["field"] == "period"
        assert "周" in wrong.json()["detail"] and "written for" not in wrong.json()["detail"]
        future = author.put(f"{base}/weekly_plan/2199-W01", json={"body": "x"})
        assert future.status_code == 422 and "尚未开始" in future.json()["detail"]
        assert author.put(f"{base}/weekly_plan/2026-W48", json={"body": "x", "extra": 1}).status_code == 400
        assert author.put(f"{base}/weekly_plan/2026-W48", json={"body": "x" * 20_001}).status_code == 400
        bogus = author.put(f"{base}/bogus/2026-W48", json={"body": "x"})
        assert bogus.status_code == 422  # the kinds by their Chinese names; their codes in errors
        assert bogus.json()["detail"].startswith("类型：须为周计划、周记实、月计划")
        assert "weekly_plan" not in bogus.json()["detail"]
        assert bogus.json()["detail"].endswith("或日记实")
        assert bogus.json()["errors"][0]["field"] == "kind" and "weekly_plan" in bogus.json()["errors"][0]["allowed"]
        assert author.get("/api/localities/wa/worklog/me/entries").json()["total"] == 0
    with client("author") as author:  # English by default
        assert "has not begun" in author.put(f"{base}/weekly_plan/2199-W01", json={"body": "x"}).json()["detail"]
        bogus = author.put(f"{base}/bogus/2026-W48", json={"body": "x"}).json()["detail"]
        assert bogus == (
            "kind: must be one of Weekly plan, Weekly record, Monthly plan, Monthly summary, Quarterly plan, "
            "Quarterly self-assessment, or Daily record"
        )


def test_a_locality_that_has_not_enabled_the_worklog_gets_404(ctx, api):
    world, client = api
    set_plugin(ctx, SYSTEM, "wa", "worklog", PluginSettingIn(enabled=False))
    week = str(Period.from_date("week", service.today(ctx)))
    with client("author") as author, client("office") as office:
        assert (
            author.put(f"/api/localities/wa/worklog/me/entries/weekly_plan/{week}", json={"body": "x"}).status_code
            == 404
        )
        assert (
            office.get("/api/localities/wa/worklog/board", params={"period": week, "unit_id": world.unit_a}).status_code
            == 404
        )
    with client("other") as other:  # wb still has it, but names wa: 404 as well
        assert other.get("/api/localities/wa/worklog/me").status_code == 404
        assert other.get("/api/localities/wb/worklog/me").status_code == 200


def test_the_operations_are_in_the_openapi_document(live_server):
    paths = httpx.get(f"{live_server.url}/schema/openapi.json", timeout=30).json()["paths"]
    worklog = {path for path in paths if path.startswith("/api/localities/{code}/worklog")}
    assert {
        "/api/localities/{code}/worklog/me",
        "/api/localities/{code}/worklog/board",
        "/api/localities/{code}/worklog/entries/{entry_id}",
        "/api/localities/{code}/worklog/me/entries/{kind}/{period}",
    } <= worklog
    assert "404" in paths["/api/localities/{code}/worklog/board"]["get"]["responses"]


def test_a_daily_record_is_refused_in_chinese_until_the_locality_keeps_them(ctx, api):
    world, client = api
    day = str(Period.from_date("day", service.today(ctx)))
    path = f"/api/localities/wa/worklog/me/entries/daily_record/{day}"
    with client("author", **{"Accept-Language": "zh-CN"}) as author:
        refused = author.put(path, json={"body": "今日走访", "submit": True})
        assert refused.status_code == 422 and "本地区未启用日记实" in refused.text
        set_plugin(ctx, SYSTEM, "wa", "worklog", PluginSettingIn(enabled=True, options={"daily_records": True}))
        written = author.put(path, json={"body": "今日走访", "submit": True})
        assert written.status_code == 200 and written.json()["kind"] == "daily_record"
        assert written.json()["status"] == "submitted"
