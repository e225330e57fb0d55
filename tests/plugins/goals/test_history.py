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


def copy_to(ctx, world, year, to_year, goal_ids=None):
    from plugins.goals import copying
    from plugins.goals.schemas import CopyIn

    data = CopyIn(unit_id=world.unit_a, team_id=world.team, year=year, to_year=to_year, goal_ids=goal_ids)
    return copying.copy_goals(ctx, world.actors["admin_a"], "ga", data)


def year_plan(year: int, day: date) -> float:
    return round(elapsed_percent(date(year, 1, 1), date(year, 12, 31), day), 2)


def test_a_goal_copied_to_later_years_shows_a_series_a_year(ctx, world):
    parent = goal(ctx, world, "经济发展")
    leaf = goal(ctx, world, "招商引资", parent_id=parent.id, weight=3)
    goal(ctx, world, "项目建设", parent_id=parent.id, weight=1)
    namesake = goal(ctx, world, "招商引资")  # same name, another place in the tree: not of the lineage
    report(ctx, world, leaf.id, f"{YEAR}-03", 20)
    report(ctx, world, leaf.id, f"{YEAR}-Q4", 90)
    report(ctx, world, namesake.id, f"{YEAR}-05", 70)
    copies = {c.name: c for c in copy_to(ctx, world, YEAR, YEAR + 1, [parent.id])}
    report(ctx, world, copies["招商引资"].id, f"{YEAR + 1}-06", 40)
    report(ctx, world, copies["项目建设"].id, f"{YEAR + 1}-06", 80)
    admin = world.actors["admin_a"]
    for start in (leaf.id, copies["招商引资"].id):  # the same history from either year's goal
        found = history.across_years(ctx, admin, "ga", start)
        assert found.years == found.chosen == [YEAR, YEAR + 1]
        assert [(s.year, s.goal_id) for s in found.series] == [(YEAR, leaf.id), (YEAR + 1, copies["招商引资"].id)]
        assert [(p.period, p.plan, p.actual) for s in found.series for p in s.points] == [
            (f"{YEAR}-03", year_plan(YEAR, date(YEAR, 3, 31)), 20.0),
            (f"{YEAR}-Q4", 100.0, 90.0),
            (f"{YEAR + 1}-06", year_plan(YEAR + 1, date(YEAR + 1, 6, 30)), 40.0),
        ]
    rolled = history.across_years(ctx, admin, "ga", parent.id)
    assert [(p.period, p.actual) for p in rolled.points] == [
        (f"{YEAR}-03", 15.0),  # 20 × 3/4
        (f"{YEAR}-Q4", 67.5),  # 90 × 3/4
        (f"{YEAR + 1}-06", 50.0),  # (40 × 3 + 80) / 4
    ]
    only = history.across_years(ctx, admin, "ga", leaf.id, [YEAR + 1, 1999])
    assert only.years == [YEAR, YEAR + 1] and only.chosen == [YEAR + 1]
    assert [p.period for p in only.points] == [f"{YEAR + 1}-06"]
    assert history.across_years(ctx, admin, "ga", leaf.id, [1999]).chosen == [YEAR, YEAR + 1]  # unknown: all
    assert history.across_years(ctx, admin, "ga", namesake.id).years == [YEAR]
    assert history.plan_vs_actual(ctx, admin, "ga", leaf.id)[-1].period == f"{YEAR}-Q4"  # its own year only
    with pytest.raises(NotFound):
        history.across_years(ctx, world.actors["other_office"], "gb", leaf.id)
    with pytest.raises(NotFound):  # another unit's admin reads none of it
        history.across_years(ctx, world.actors["admin_b"], "ga", copies["招商引资"].id)


def test_a_renamed_and_moved_copy_stays_in_the_lineage_by_its_link(ctx, world):
    """A copy names the goal it was copied from (copied_from); renamed and moved to the top in
    the next year, and copied again, it still charts with its original, while a namesake of the
    copy's new name is not taken for it. Deleting the original leaves the copy unlinked (then
    found by names, as copies made before the link)."""
    from plugins.goals import service
    from plugins.goals.schemas import GoalPatch, MoveIn

    admin = world.actors["admin_a"]
    parent = goal(ctx, world, "经济发展")
    leaf = goal(ctx, world, "招商引资", parent_id=parent.id)
    report(ctx, world, leaf.id, f"{YEAR}-Q2", 30)
    copies = {c.name: c for c in copy_to(ctx, world, YEAR, YEAR + 1, [parent.id])}
    first = copies["招商引资"]
    assert first.copied_from == leaf.id and copies["经济发展"].copied_from == parent.id
    service.update_goal(ctx, admin, "ga", first.id, GoalPatch(name="招商引资提质增效"))
    service.move_goal(ctx, admin, "ga", first.id, MoveIn(parent_id=None))
    report(ctx, world, first.id, f"{YEAR + 1}-Q2", 50)
    second = copy_to(ctx, world, YEAR + 1, YEAR + 2, [first.id])[0]
    assert second.copied_from == first.id and second.name == "招商引资提质增效"
    report(ctx, world, second.id, f"{YEAR + 2}-Q2", 70)
    stranger = goal(ctx, world, "招商引资提质增效")  # this year's namesake of the renamed copy
    report(ctx, world, stranger.id, f"{YEAR}-Q3", 99)
    for start in (leaf.id, first.id, second.id):
        found = history.across_years(ctx, admin, "ga", start)
        assert [(s.year, s.goal_id) for s in found.series] == [
            (YEAR, leaf.id),
            (YEAR + 1, first.id),
            (YEAR + 2, second.id),
        ], start
        assert [(p.period, p.actual) for p in found.points] == [
            (f"{YEAR}-Q2", 30.0),
            (f"{YEAR + 1}-Q2", 50.0),
            (f"{YEAR + 2}-Q2", 70.0),
        ]
    assert progress.goal_detail(ctx, admin, "ga", second.id).copied_from == first.id
    service.delete_goal(ctx, admin, "ga", parent.id)  # a draft: its branch goes, the copies stay
    assert progress.goal_detail(ctx, admin, "ga", first.id).copied_from is None
    # unlinked now, the first copy is taken for a copy made before the link was kept: this year's
    # goal at its place (the top) with its name, the namesake, counts for this year
    assert [s.goal_id for s in history.across_years(ctx, admin, "ga", second.id).series] == [
        stranger.id,
        first.id,
        second.id,
    ]
    service.delete_goal(ctx, admin, "ga", stranger.id)
    assert [s.goal_id for s in history.across_years(ctx, admin, "ga", second.id).series] == [first.id, second.id]


def test_a_goal_spanning_years_is_split_by_calendar_year(ctx, world):
    """A goal whose span runs over two years (written by the tree's import or a later rule; the
    form keeps a goal in its year) is charted as one series a year, its plan over the whole span."""
    from plugins.goals.models import Goal

    long = goal(ctx, world, "三年行动计划")
    with ctx.db.write() as session:
        row = session.get(Goal, long.id)
        row.end_date = date(YEAR + 1, 12, 31)
        session.add(row)
    report(ctx, world, long.id, f"{YEAR}-12", 30)
    report(ctx, world, long.id, f"{YEAR + 1}-Q2", 70)
    found = history.across_years(ctx, world.actors["admin_a"], "ga", long.id)
    span = (date(YEAR, 1, 1), date(YEAR + 1, 12, 31))
    assert [(s.year, [(p.period, p.plan, p.actual) for p in s.points]) for s in found.series] == [
        (YEAR, [(f"{YEAR}-12", round(elapsed_percent(*span, date(YEAR, 12, 31)), 2), 30.0)]),
        (YEAR + 1, [(f"{YEAR + 1}-Q2", round(elapsed_percent(*span, date(YEAR + 1, 6, 30)), 2), 70.0)]),
    ]


def test_the_progress_page_and_the_api_chart_the_years_chosen(ctx, world, live_server):
    from tests.plugins.goals.setup import token

    leaf = goal(ctx, world, "制度建设")
    report(ctx, world, leaf.id, f"{YEAR}-03", 20)
    report(ctx, world, leaf.id, f"{YEAR}-Q2", 45)
    copy = copy_to(ctx, world, YEAR, YEAR + 1)[0]
    report(ctx, world, copy.id, f"{YEAR + 1}-Q1", 35)
    with ctx.db.read() as db:
        user = db.get(User, world.actors["admin_a"].user_id)
    issued = auth.issue_token(ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
    with httpx.Client(
        base_url=live_server.url,
        timeout=30,
        cookies={SESSION_COOKIE: issued.token},
        event_hooks={"response": [never_5xx]},
    ) as admin:

        def chart(url):
            page = admin.get(url).text
            found = re.search(r'<script type="application/json" id="chart-plan-vs-actual">(.*?)</script>', page)
            return page, json.loads(found.group(1))

        page, data = chart(f"/admin/localities/ga/goals/{copy.id}/progress")
        assert data["names"] == ["03", "Q1", "Q2"]  # a quarter after the months it ends with
        assert data["series"] == [
            {
                "name": f"{YEAR} 计划",
                "values": [year_plan(YEAR, date(YEAR, 3, 31)), None, 49.59],
                "dashed": True,
                "group": 0,
            },
            {"name": f"{YEAR} 实际", "values": [20.0, None, 45.0], "group": 0},
            {
                "name": f"{YEAR + 1} 计划",
                "values": [None, year_plan(YEAR + 1, date(YEAR + 1, 3, 31)), None],
                "dashed": True,
                "group": 1,
            },
            {"name": f"{YEAR + 1} 实际", "values": [None, 35.0, None], "group": 1},
        ]
        assert year_plan(YEAR, date(YEAR, 6, 30)) == 49.59
        assert 'id="history-years"' in page and f'name="years" value="{YEAR}" checked' in page
        for period, planned, actual in (
            (f"{YEAR}-03", year_plan(YEAR, date(YEAR, 3, 31)), 20.0),
            (f"{YEAR + 1}-Q1", year_plan(YEAR + 1, date(YEAR + 1, 3, 31)), 35.0),
        ):
            assert f"<td>{period}</td><td>{planned}%</td><td>{actual}%</td>" in page
        page, data = chart(f"/admin/localities/ga/goals/{copy.id}/progress?years={YEAR}")
        assert data["names"] == [f"{YEAR}-03", f"{YEAR}-Q2"] and [s["name"] for s in data["series"]] == [
            "计划进度",
            "实际进度",
        ]
        assert (
            f'name="years" value="{YEAR + 1}">' in page
            and f"<td>{YEAR + 1}-Q1</td><td>{year_plan(YEAR + 1, date(YEAR + 1, 3, 31))}%" not in page
        )
        assert admin.get(f"/admin/localities/ga/goals/{copy.id}/progress?years=abc&saved=x").status_code == 200
        english = admin.get(f"/admin/localities/ga/goals/{copy.id}/progress", params={"lang": "en"}).text
        assert f"{YEAR} planned" in english and f"{YEAR + 1} actual" in english and "Years" in english
    with httpx.Client(
        base_url=live_server.url,
        timeout=30,
        headers={"Authorization": f"Bearer {token(ctx, world.actors['admin_a'])}"},
        event_hooks={"response": [never_5xx]},
    ) as api:
        body = api.get(f"/api/localities/ga/goals/{leaf.id}/history", params={"years": [YEAR + 1]}).json()
        assert body == {
            "goal_id": leaf.id,
            "years": [YEAR, YEAR + 1],
            "chosen": [YEAR + 1],
            "series": [
                {
                    "year": YEAR + 1,
                    "goal_id": copy.id,
                    "points": [
                        {"period": f"{YEAR + 1}-Q1", "plan": year_plan(YEAR + 1, date(YEAR + 1, 3, 31)), "actual": 35.0}
                    ],
                }
            ],
        }
        other = httpx.get(
            f"{live_server.url}/api/localities/ga/goals/{leaf.id}/history",
            headers={"Authorization": f"Bearer {token(ctx, world.actors['admin_b'])}"},
        )
        assert other.status_code == 404
