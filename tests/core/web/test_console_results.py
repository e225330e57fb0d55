"""The results pages of a campaign over HTTP (SQLite and PostgreSQL), from a campaign voted and
tallied through the API (tests/results_setup.py): the ranking with its chart data, a subject's
page, adjusting a grade with a reason, publishing (then frozen), a team's bubble chart, roles,
tenants, CSRF, and a campaign not yet tallied."""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import text

from tests.core.web.test_console_permissions import _session
from tests.results_setup import build

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")


def _chart(page: str, chart_id: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{chart_id}">(.*?)</script>', page, re.S)
    assert found, chart_id
    return json.loads(found.group(1))


def _adjustments(world, campaign_id: int) -> list[tuple]:
    with world.ctx.db.engine.connect() as connection:
        return [
            tuple(r)
            for r in connection.execute(
                text("SELECT subject_id, grade, reason FROM campaign_adjustments WHERE campaign_id = :c ORDER BY id"),
                {"c": campaign_id},
            )
        ]


def _status(world, campaign_id: int) -> str:
    with world.ctx.db.engine.connect() as connection:
        return connection.execute(text("SELECT status FROM campaigns WHERE id = :c"), {"c": campaign_id}).scalar_one()


def test_ranking_page_shows_scores_flags_and_the_chart_numbers(world):
    s = build(world)
    with _session(world, "office-county-r") as client:
        page = client.get(s.results_url)
        assert page.status_code == 200, page.text
        html = page.text
        assert "2026年度民主测评" in html and "已计票" in html and "班子成员" in html
        rows = re.findall(r'<tr data-subject="(\d+)">(.*?)</tr>', html, re.S)
        assert [int(r[0]) for r in rows][2:] == [s.subjects["王五"], s.subjects["赵六"]]
        wang = dict(rows)[str(s.subjects["王五"])]
        assert "91.00" in wang and "80.00" in wang and "95.00" in wang and ">3<" in wang
        assert "名额临界并列" in dict(rows)[str(s.subjects["张三"])]
        chart = _chart(html, "chart-ranking-1")
        assert chart["type"] == "bar" and chart["names"][2:] == ["王五", "赵六"]
        assert chart["values"][2:] == [91.0, 59.0]
        assert f'/results/subjects/{s.subjects["王五"]}"' in html
        assert f'/results/teams/{s.team_id}"' in html and "县财政局领导班子" in html
        assert 'action="' + s.results_url + '/publish"' in html and 'data-action="tally"' in html
        assert "/static/vendor/echarts/echarts.min.js" in html
        english = client.get(s.results_url, params={"lang": "en"})
        assert "Tied at the quota" in english.text and "Publish the results" in english.text


def test_subject_page_adjust_publish_and_frozen(world):
    s = build(world)
    wang = s.subjects["王五"]
    url = f"{s.results_url}/subjects/{wang}"
    with _session(world, "office-county-r") as client:
        page = client.get(url)
        assert page.status_code == 200, page.text
        html = page.text
        assert "第 3 名（共 4 名）" in html and "91.00" in html
        assert "政治品德" in html and "85.00" in html and "加分项" in html
        radar = _chart(html, "chart-radar")
        assert [i["name"] for i in radar["indicators"]] == ["政治品德", "职业道德", "工作实绩"]
        assert radar["series"][0]["values"] == [85.0, 85.0, 85.0]
        assert [x["name"] for x in radar["series"][1:]] == ["县领导", "基层代表"]
        assert _chart(html, "chart-distribution")["values"] == [1, 2, 0, 0]
        assert html.index("工作扎实") < html.index("希望加强学习")
        assert "2025年度民主测评" in html and "80.00" in html

        # no reason: refused beside the field, nothing stored
        refused = client.post(f"{url}/adjust", data={"_csrf": client.csrf, "grade": "优秀", "reason": "  "})
        assert refused.status_code == 422 and "请填写理由" in refused.text
        # a grade not on the scale
        refused = client.post(f"{url}/adjust", data={"_csrf": client.csrf, "grade": "特等", "reason": "x"})
        assert refused.status_code == 422 and "不是本次测评的等次" in refused.text
        # an expired form
        assert client.post(f"{url}/adjust", data={"_csrf": "x", "grade": "优秀", "reason": "r"}).status_code == 403
        assert _adjustments(world, s.campaign_id) == []

        done = client.post(f"{url}/adjust", data={"_csrf": client.csrf, "grade": "优秀", "reason": "加分项经核实"})
        assert done.status_code in (302, 303) and done.headers["location"].endswith("?adjusted=1")
        assert _adjustments(world, s.campaign_id) == [(wang, "优秀", "加分项经核实")]
        page = client.get(url + "?adjusted=1").text
        assert "等次已调整" in page and "加分项经核实" in page and 'id="final-grade">优秀' in page
        assert "已由称职调整为优秀：加分项经核实" in client.get(s.results_url).text

        assert client.post(f"{s.results_url}/publish", data={"_csrf": "x"}).status_code == 403
        assert _status(world, s.campaign_id) == "tallied"
        published = client.post(f"{s.results_url}/publish", data={"_csrf": client.csrf})
        assert published.status_code in (302, 303) and _status(world, s.campaign_id) == "published"
        page = client.get(s.results_url + "?done=publish").text
        assert "已发布" in page and 'data-action="publish"' not in page and 'data-action="tally"' not in page
        assert '<form method="post" action="' + url + '/adjust"' not in client.get(url).text

        frozen = client.post(f"{url}/adjust", data={"_csrf": client.csrf, "grade": "称职", "reason": "再调整"})
        assert frozen.status_code == 409 and "结果已发布并冻结" in frozen.text
        again = client.post(f"{s.results_url}/tally", data={"_csrf": client.csrf})
        assert again.status_code == 409 and "结果已发布并冻结" in again.text
        assert _adjustments(world, s.campaign_id) == [(wang, "优秀", "加分项经核实")]


def test_tally_again_keeps_the_office_grade(world):
    s = build(world)
    zhang = s.subjects["张三"]
    with _session(world, "office-county-r") as client:
        client.post(
            f"{s.results_url}/subjects/{zhang}/adjust",
            data={"_csrf": client.csrf, "grade": "优秀", "reason": "名额内确定"},
        )
        assert client.post(f"{s.results_url}/tally", data={"_csrf": "x"}).status_code == 403
        again = client.post(f"{s.results_url}/tally", data={"_csrf": client.csrf})
        assert again.status_code in (302, 303)
        page = client.get(again.headers["location"]).text
        assert "已重新计票" in page
        row = dict(re.findall(r'<tr data-subject="(\d+)">(.*?)</tr>', page, re.S))[str(zhang)]
        assert "<strong>优秀</strong>" in row

        # below the locality's minimum turnout (one 基层代表 slip never used): refused with the
        # figures until the office gives a reason
        with world.ctx.db.engine.begin() as connection:
            connection.execute(text("UPDATE localities SET min_turnout_percent = 100 WHERE code = 'county-r'"))
            category, locality = connection.execute(
                text("SELECT id, locality_id FROM campaign_categories WHERE campaign_id = :c AND name = '基层代表'"),
                {"c": s.campaign_id},
            ).one()
            connection.execute(
                text(
                    "INSERT INTO ballot_accounts (locality_id, campaign_id, category_id, code_hash, status, batch, "
                    "created_at) VALUES (:l, :c, :k, 'unused-slip', 'issued', 1, CURRENT_TIMESTAMP)"
                ),
                {"l": locality, "c": s.campaign_id, "k": category},
            )
        low = client.post(f"{s.results_url}/tally", data={"_csrf": client.csrf})
        assert low.status_code == 409 and 'id="low-turnout"' in low.text and "基层代表 1/2 (50 %)" in low.text
        anyway = client.post(f"{s.results_url}/tally", data={"_csrf": client.csrf, "reason": "另一人因病缺席"})
        assert anyway.status_code in (302, 303)
        with world.ctx.db.engine.connect() as connection:
            summary = connection.execute(
                text("SELECT summary FROM audit_log WHERE action = 'campaign.tally' ORDER BY id DESC LIMIT 1")
            ).scalar_one()
        assert "另一人因病缺席" in json.dumps(
            summary if not isinstance(summary, str) else json.loads(summary), ensure_ascii=False
        )


def test_a_veto_is_shown_on_the_ranking(world):
    s = build(world)
    with world.ctx.db.engine.begin() as connection:
        connection.execute(
            text("UPDATE campaign_results SET flags = '[\"veto\"]' WHERE campaign_id = :c AND subject_id = :s"),
            {"c": s.campaign_id, "s": s.subjects["赵六"]},
        )
    with _session(world, "office-county-r") as client:
        row = dict(re.findall(r'<tr data-subject="(\d+)">(.*?)</tr>', client.get(s.results_url).text, re.S))
        assert "一票否决" in row[str(s.subjects["赵六"])] and "一票否决" not in row[str(s.subjects["王五"])]


def test_team_page(world):
    s = build(world)
    url = f"{s.results_url}/teams/{s.team_id}"
    with _session(world, "office-county-r") as client:
        page = client.get(url)
        assert page.status_code == 200, page.text
        chart = _chart(page.text, "chart-bubbles")
        assert chart["points"] == [{"name": "王五", "x": 91.0, "y": 2.0, "size": 3}]
        by_category = client.get(url, params={"y": "category:县领导"})
        points = {p["name"]: (p["x"], p["y"], p["size"]) for p in _chart(by_category.text, "chart-bubbles")["points"]}
        assert points == {"张三": (95.0, 95.0, 3), "李四": (95.0, 95.0, 3), "王五": (91.0, 80.0, 3)}
        assert "县领导评分" in by_category.text
        assert client.get(f"{s.results_url}/teams/{s.team_id + 1000}").status_code == 404


def test_roles_and_tenants(world):
    s = build(world)
    world.office("county-x")
    world.user("unit-r", "unit_admin", "county-r", unit="CZJ")
    world.user("leader-r", "leader", "county-r", unit="CZJ")
    world.user("admin-r", "platform_admin")
    wang = s.subjects["王五"]
    gets = [s.results_url, f"{s.results_url}/subjects/{wang}", f"{s.results_url}/teams/{s.team_id}"]
    posts = [f"{s.results_url}/tally", f"{s.results_url}/publish", f"{s.results_url}/subjects/{wang}/adjust"]
    for username in ("unit-r", "leader-r", "office-county-x"):
        with _session(world, username) as client:
            for url in gets:
                assert client.get(url).status_code == 404, (username, url)
            for url in posts:
                answer = client.post(url, data={"_csrf": client.csrf, "grade": "优秀", "reason": "r"})
                assert answer.status_code == 404, (username, url)
    with _session(world, "office-county-x") as client:
        # the campaign id under the user's own locality code: still another locality's campaign
        other = s.results_url.replace("county-r", "county-x")
        assert client.get(other).status_code == 404
        assert client.get(f"{other}/subjects/{wang}").status_code == 404
        answer = client.post(
            f"{other}/subjects/{wang}/adjust", data={"_csrf": client.csrf, "grade": "优秀", "reason": "r"}
        )
        assert answer.status_code == 404
        assert client.post(f"{other}/publish", data={"_csrf": client.csrf}).status_code == 404
    assert _adjustments(world, s.campaign_id) == [] and _status(world, s.campaign_id) == "tallied"
    with _session(world, "admin-r") as client:
        assert client.get(s.results_url).status_code == 200
        assert client.get(f"{s.results_url}/subjects/{10**6}").status_code == 404


def test_a_campaign_not_tallied_says_so(world):
    s = build(world, publish_previous=False)
    draft = s.api.post(
        "/api/localities/county-r/campaigns",
        json={"name": "草稿", "kind": "annual", "subject_ids": list(s.subjects.values())},
    ).json()["id"]
    url = f"/admin/localities/county-r/campaigns/{draft}/results"
    with _session(world, "office-county-r") as client:
        page = client.get(url)
        assert page.status_code == 200 and "该测评活动尚未计票" in page.text and 'id="not-tallied"' in page.text
        subject = client.get(f"{url}/subjects/{s.subjects['张三']}")
        assert subject.status_code == 200 and "该测评活动尚未计票" in subject.text
        publish = client.post(f"{url}/publish", data={"_csrf": client.csrf})
        assert publish.status_code == 409 and "只有已计票的测评活动才能发布" in publish.text
        assert client.get(f"{url}/teams/{s.team_id}").status_code == 404


def test_a_city_office_granted_the_county_reads_its_results_and_changes_nothing(world):
    from core.context import Actor
    from core.services import auth

    world.locality("city-r", "示范市")
    s = build(world, parent_code="city-r")
    world.user("city-office", "office", "city-r")
    auth.grant_child_localities(world.ctx, Actor.system("test"), "city-office", True)
    wang = s.subjects["王五"]
    with _session(world, "city-office") as client:
        page = client.get(s.results_url)
        assert page.status_code == 200 and "91.00" in page.text
        assert 'data-action="publish"' not in page.text and 'data-action="tally"' not in page.text
        subject = client.get(f"{s.results_url}/subjects/{wang}")
        assert subject.status_code == 200 and "/adjust" not in subject.text
        answer = client.post(
            f"{s.results_url}/subjects/{wang}/adjust", data={"_csrf": client.csrf, "grade": "优秀", "reason": "r"}
        )
        assert answer.status_code == 404
        assert client.post(f"{s.results_url}/publish", data={"_csrf": client.csrf}).status_code == 404
        assert client.post(f"{s.results_url}/tally", data={"_csrf": client.csrf}).status_code == 404
    assert _adjustments(world, s.campaign_id) == [] and _status(world, s.campaign_id) == "tallied"


def test_the_ranking_is_paged_with_the_campaigns_ranks_and_the_export_keeps_every_row(world, monkeypatch):
    from openpyxl import load_workbook

    from core.web.admin import results as results_pages

    monkeypatch.setattr(results_pages, "RANKING_PAGE", 2)
    s = build(world)
    with _session(world, "office-county-r") as client:
        first = client.get(s.results_url).text
        assert re.findall(r'<tr data-subject="(\d+)">', first) == [str(s.subjects["张三"]), str(s.subjects["李四"])]
        assert "(4 个考核对象)" in first  # the category's size, not the page's
        assert 'href="' + s.results_url + '?page=2"' in first.replace("&amp;", "&") and "1 / 2" in first
        second = client.get(s.results_url, params={"page": 2}).text
        rows = re.findall(r'<tr data-subject="(\d+)">\s*<td>(\d+)</td>', second)
        assert rows == [(str(s.subjects["王五"]), "3"), (str(s.subjects["赵六"]), "4")]
        assert "第 3–4 个，共 4 个考核对象" in second and "2 / 2" in second
        assert _chart(second, "chart-ranking-1")["names"] == ["王五", "赵六"]
        # a page past the end shows the last one; a nonsense page the first
        assert re.findall(r'<tr data-subject="(\d+)">', client.get(s.results_url, params={"page": 9}).text) == [
            str(s.subjects["王五"]),
            str(s.subjects["赵六"]),
        ]
        assert client.get(s.results_url, params={"page": -3}).status_code == 200
        workbook = client.get(f"{s.results_url}.xlsx")
        assert workbook.status_code == 200
        sheet = load_workbook(io.BytesIO(workbook.content), read_only=True).worksheets[0]
        names = {cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)}
        assert {"张三", "李四", "王五", "赵六"} <= names
