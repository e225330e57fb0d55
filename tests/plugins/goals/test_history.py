"""A goal's plan against its actual progress (plugins/goals/history.py) on both databases: a
leaf's own reports against the elapsed share of its span, a parent's roll-up by weight as of each
period, another locality's goal not found; the progress page draws it as a line chart with the
vendored ECharts and lists the same numbers."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import httpx
import pytest

from core.models import User
from core.services import auth
from core.services.errors import NotFound
from core.web.auth import SESSION_COOKIE
from plugins.goals import history, progress
from plugins.goals.calc import elapsed_percent
from plugins.goals.schemas import ProgressIn
from tests.helpers import never_5xx
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import YEAR, make_world


@pytest.fixture
def world(ctx):
    return make_world(ctx)


def report(ctx, world, goal_id, period, percent):
    progress.report(ctx, world.actors["admin_a"], "ga", goal_id, ProgressIn(period=period, percent=percent))


def plan(day: date) -> float:
    return round(elapsed_percent(date(YEAR, 1, 1), date(YEAR, 12, 31), day), 2)


def test_a_leaf_shows_its_reports_and_a_parent_its_roll_up_against_the_plan(ctx, world):
    parent = goal(ctx, world, "经济发展")
    heavy = goal(ctx, world, "招商引资", parent_id=parent.id, weight=3)
    light = goal(ctx, world, "项目建设", parent_id=parent.id, weight=1)
    report(ctx, world, heavy.id, f"{YEAR}-03", 20)
    report(ctx, world, light.id, f"{YEAR}-Q2", 40)
    report(ctx, world, heavy.id, f"{YEAR}-06", 60)
    admin = world.actors["admin_a"]
    assert [(p.period, p.plan, p.actual) for p in history.plan_vs_actual(ctx, admin, "ga", heavy.id)] == [
        (f"{YEAR}-03", plan(date(YEAR, 3, 31)), 20.0),
        (f"{YEAR}-06", plan(date(YEAR, 6, 30)), 60.0),
    ]
    assert [(p.period, p.plan, p.actual) for p in history.plan_vs_actual(ctx, admin, "ga", parent.id)] == [
        (f"{YEAR}-03", plan(date(YEAR, 3, 31)), 15.0),  # 20 × 3/4
        (f"{YEAR}-Q2", plan(date(YEAR, 6, 30)), 25.0),  # as of 1 April: (20 × 3 + 40) / 4
        (f"{YEAR}-06", plan(date(YEAR, 6, 30)), 55.0),  # as of 1 June: (60 × 3 + 40) / 4
    ]
    assert history.plan_vs_actual(ctx, admin, "ga", light.id)[0].actual == 40.0
    with pytest.raises(NotFound):
        history.plan_vs_actual(ctx, world.actors["other_office"], "gb", heavy.id)


def test_the_progress_page_draws_the_line_chart_with_the_vendored_echarts(ctx, world, live_server):
    target = goal(ctx, world, "制度建设")
    quiet = goal(ctx, world, "未报告的目标")
    report(ctx, world, target.id, f"{YEAR}-Q1", 30)
    with ctx.db.read() as db:
        user = db.get(User, world.actors["admin_a"].user_id)
    issued = auth.issue_token(ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
    with httpx.Client(
        base_url=live_server.url,
        timeout=30,
        cookies={SESSION_COOKIE: issued.token},
        event_hooks={"response": [never_5xx]},
    ) as admin:
        page = admin.get(f"/admin/localities/ga/goals/{target.id}/progress").text
        assert '<script src="/static/vendor/echarts/echarts.min.js" defer></script>' in page
        assert '<div class="chart" data-chart="chart-plan-vs-actual"' in page and "计划与实际进度" in page
        data = json.loads(
            re.search(r'<script type="application/json" id="chart-plan-vs-actual">(.*?)</script>', page).group(1)
        )
        assert data == {
            "type": "line",
            "names": [f"{YEAR}-Q1"],
            "series": [
                {"name": "计划进度", "values": [plan(date(YEAR, 3, 31))], "dashed": True},
                {"name": "实际进度", "values": [30.0]},
            ],
            "axis": "%",
            "max": 100,
        }
        assert f"<td>{YEAR}-Q1</td><td>{plan(date(YEAR, 3, 31))}%</td><td>30.0%</td>" in page
        assert admin.get("/static/vendor/echarts/echarts.min.js").status_code == 200
        assert "line: line" in admin.get("/static/charts.js").text
        assert "chart-plan-vs-actual" not in admin.get(f"/admin/localities/ga/goals/{quiet.id}/progress").text
