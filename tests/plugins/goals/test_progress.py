"""Progress on both databases: reports by month or quarter inside the goal's span, the computed
percentage (lower is better, capped), qualitative percentages by hand, done goals (红旗), overdue
goals, the weighted roll-up of a team's tree, who may report, the office's county view."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from core.services.errors import Forbidden, Invalid, NotFound
from plugins.goals import progress, service, shares
from plugins.goals.schemas import AssignIn, GoalPatch, ProgressIn, ShareIn
from tests.plugins.goals.helpers import goal, revenue
from tests.plugins.goals.setup import YEAR, make_world


@pytest.fixture
def world(ctx):
    return make_world(ctx)


def report(ctx, world, goal_id, actor="admin_a", **fields):
    return progress.report(ctx, world.actors[actor], "ga", goal_id, ProgressIn(**fields))


def tree(ctx, world, as_of):
    return progress.goal_tree(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR, as_of)


def test_a_quantitative_goal_reports_actual_values_and_its_percentage_follows(ctx, world):
    target = revenue(ctx, world)  # 10 -> 12
    first = report(ctx, world, target.id, period="2026-Q1", actual=10.5, work_done="一季度完成10.5亿元")
    assert first.percent == 25.0 and not first.done
    again = report(ctx, world, target.id, period="2026年第一季度", actual=11)  # the same quarter, typed otherwise
    assert again.id == first.id and again.percent == 50.0
    over = report(ctx, world, target.id, period="2026-Q2", actual=12.4)
    assert over.percent == 100.0 and over.done  # capped, and reaching the target is done
    lower = goal(
        ctx, world, "降低能耗", kind="quantitative", indicator_id=world.indicator_lower, baseline=0.5, target=0.4
    )
    assert report(ctx, world, lower.id, period="2026-03", actual=0.47).percent == 30.0
    assert report(ctx, world, lower.id, period="2026-04", actual=0.6).percent == 0.0
    detail = progress.goal_detail(ctx, world.actors["member"], "ga", target.id, as_of=date(2026, 7, 1))
    assert [(p.period, p.actual) for p in detail.progress] == [("2026-Q1", 11.0), ("2026-Q2", 12.4)]
    assert detail.red_flag and detail.status == "done"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"period": "2027-01", "actual": 11}, "period", "outside the goal's span"),
        ({"period": "2026-W10", "actual": 11}, "period", "by month"),
        ({"period": "2026", "actual": 11}, "period", "by month"),
        ({"period": "下个月", "actual": 11}, "period", "is not a period"),
        ({"period": "2026-03"}, "actual", "give the actual value"),
    ],
)
def test_bad_reports_are_refused(ctx, world, fields, field, words):
    target = revenue(ctx, world, start=date(YEAR, 3, 1), end=date(YEAR, 12, 31))
    with pytest.raises(Invalid) as raised:
        report(ctx, world, target.id, **fields)
    assert raised.value.errors[0]["field"] == field and words in raised.value.message
    assert progress.goal_detail(ctx, world.actors["admin_a"], "ga", target.id).progress == []


def test_a_period_overlapping_the_span_is_accepted(ctx, world):
    target = revenue(ctx, world, start=date(YEAR, 3, 15), end=date(YEAR, 5, 10))
    assert report(ctx, world, target.id, period="2026-Q1", actual=10.2).percent == 10.0
    with pytest.raises(Invalid):
        report(ctx, world, target.id, period="2026-02", actual=10.2)


def test_a_qualitative_goal_takes_its_percentage_by_hand(ctx, world):
    target = goal(ctx, world, "制度建设")
    with pytest.raises(Invalid) as raised:
        report(ctx, world, target.id, period="2026-03")
    assert raised.value.errors[0]["field"] == "percent"
    assert report(ctx, world, target.id, period="2026-03", percent=40, delay_reasons="审批延后").percent == 40
    assert report(ctx, world, target.id, period="2026-04", percent=80, done=True).done


def test_parents_roll_up_by_weight_and_statuses_follow_the_calendar(ctx, world):
    parent = goal(ctx, world, "经济发展", weight=2)
    heavy = revenue(ctx, world, "收入", parent_id=parent.id, weight=3)
    light = goal(ctx, world, "调研", parent_id=parent.id, weight=1)
    late = goal(ctx, world, "上半年专项", end=date(YEAR, 6, 30))
    report(ctx, world, heavy.id, period="2026-Q1", actual=11)  # 50 %
    report(ctx, world, light.id, period="2026-Q1", percent=10)
    report(ctx, world, late.id, period="2026-Q1", percent=90)
    with pytest.raises(Invalid):  # a parent rolls up; it gets no report of its own
        report(ctx, world, parent.id, period="2026-Q1", percent=10)
    april = {g.name: g for g in tree(ctx, world, date(2026, 4, 1)).goals}
    assert april["经济发展"].percent == 40.0  # (50*3 + 10*1) / 4, not the mean 30
    assert tree(ctx, world, date(2026, 4, 1)).percent == round((40 * 2 + 90) / 3, 2)
    assert april["上半年专项"].status == "on_track" and april["调研"].status == "behind"
    july = {g.name: g for g in tree(ctx, world, date(2026, 7, 1)).goals}
    assert july["上半年专项"].status == "overdue"  # past its end, not done
    report(ctx, world, late.id, period="2026-Q2", percent=100)
    july = {g.name: g for g in tree(ctx, world, date(2026, 7, 1)).goals}
    assert july["上半年专项"].status == "done" and july["上半年专项"].red_flag
    assert tree(ctx, world, date(2025, 12, 31)).goals[0].percent == 0.0  # reports of periods not begun yet do not count


def test_who_may_report(ctx, world):
    target = goal(ctx, world, "制度建设")
    with pytest.raises(Forbidden):  # a team member not carrying it
        report(ctx, world, target.id, actor="member", period="2026-03", percent=10)
    shares.assign(
        ctx,
        world.actors["admin_a"],
        "ga",
        target.id,
        AssignIn(people=[ShareIn(person_id=world.people["李明"], role="主办", share=100)]),
    )
    assert report(ctx, world, target.id, actor="member", period="2026-03", percent=10).reported_by == "liming"
    assert report(ctx, world, target.id, actor="office", period="2026-04", percent=20).percent == 20
    for name in ("admin_b", "outsider", "other"):
        with pytest.raises(NotFound):
            report(ctx, world, target.id, actor=name, period="2026-03", percent=10)


def test_the_offices_county_view_counts_top_goals_by_status(ctx, world):
    a = goal(ctx, world, "甲")
    goal(ctx, world, "甲一", parent_id=a.id)
    done = goal(ctx, world, "乙")
    report(ctx, world, done.id, period="2026-Q1", percent=100)
    goal(ctx, world, "单位目标", team=False)
    view = progress.status_view(ctx, world.actors["office"], "ga", YEAR, as_of=date(2026, 5, 1))
    rows = {(r.team_id is not None): r for r in view.rows}
    assert (rows[True].goals, rows[True].done, rows[True].behind) == (3, 1, 1)
    assert rows[False].goals == 1 and rows[False].unit_name == "县财政局"
    assert progress.status_view(ctx, world.actors["other_office"], "gb", YEAR).rows == []  # another locality's
    with pytest.raises(Forbidden):
        progress.status_view(ctx, world.actors["admin_a"], "ga", YEAR)
    with pytest.raises(NotFound):
        progress.status_view(ctx, world.actors["other_office"], "ga", YEAR)


def test_the_county_view_rolls_up_in_the_database_as_the_tree_does(ctx, world):
    """Three levels with uneven weights, a parent whose only child is done, a month and a
    quarter starting the same day, reports of periods not begun: the county view (rolled up by
    SQL) gives the set's percentage of the tree and counts its top goals' statuses the same."""
    economy = goal(ctx, world, "经济", weight=3)
    revenue_goal = revenue(ctx, world, "收入", parent_id=economy.id, weight=2)
    projects = goal(ctx, world, "项目", parent_id=economy.id, weight=1)
    first = goal(ctx, world, "项目一", parent_id=projects.id, weight=1)
    second = goal(ctx, world, "项目二", parent_id=projects.id, weight=2)
    light = goal(ctx, world, "无权重", weight=0.25)
    nothing = goal(ctx, world, "零", parent_id=light.id, weight=0.5)
    done = goal(ctx, world, "已完成", weight=1.5)
    report(ctx, world, revenue_goal.id, period="2026-Q1", actual=10.7)  # 35 %
    report(ctx, world, first.id, period="2026-04", percent=33.3)
    report(ctx, world, first.id, period="2026-Q2", percent=70)  # the longer one of 1 April wins
    report(ctx, world, second.id, period="2026-03", percent=12.5)
    report(ctx, world, second.id, period="2026-06", percent=90)  # not begun by 1 May
    report(ctx, world, nothing.id, period="2026-03", percent=100)
    report(ctx, world, done.id, period="2026-Q1", percent=100)
    for as_of in (date(2026, 5, 1), date(2026, 7, 1), date(2027, 1, 5)):
        mine = tree(ctx, world, as_of)
        [row] = [
            r
            for r in progress.status_view(ctx, world.actors["office"], "ga", YEAR, as_of=as_of).rows
            if r.team_id == world.team
        ]
        tops = [g for g in mine.goals if g.parent_id is None]
        assert row.percent == mine.percent and row.goals == len(mine.goals) == 8
        for status in ("on_track", "behind", "overdue", "done"):
            assert getattr(row, status) == sum(1 for g in tops if g.status == status), (as_of, status)
    may = {g.name: g for g in tree(ctx, world, date(2026, 5, 1)).goals}
    assert may["项目"].percent == round((70 + 12.5 * 2) / 3, 2)
    assert may["零"].red_flag and may["无权重"].red_flag and may["无权重"].percent == 100.0


def test_the_county_view_keeps_each_sets_roll_up_until_a_write_touches_the_set(ctx, world):
    from plugins.goals.models import GoalRollup

    office = world.actors["office"]
    mine = goal(ctx, world, "甲")
    theirs = goal(ctx, world, "单位目标", team=False)
    report(ctx, world, mine.id, period="2026-Q1", percent=40)

    def kept():
        with ctx.db.read() as session:
            return {(r.team_id is not None): r for r in session.exec(select(GoalRollup))}

    def percents(as_of=date(2026, 5, 1)):
        view = progress.status_view(ctx, office, "ga", YEAR, as_of=as_of)
        return {(r.team_id is not None): r.percent for r in view.rows}

    assert percents() == {True: 40.0, False: 0.0}
    rows = kept()
    assert all(r.computed_version == r.version for r in rows.values())
    assert rows[True].valid_from == date(2026, 1, 1) and rows[True].valid_until is None
    report(ctx, world, mine.id, period="2026-Q2", percent=70)  # a write bumps its set only
    after = kept()
    assert after[True].version == rows[True].version + 1 and after[True].computed_version == rows[True].version
    assert after[False].version == rows[False].version
    assert percents() == {True: 70.0, False: 0.0}
    assert percents(date(2026, 3, 1)) == {True: 40.0, False: 0.0}  # before Q2 began: refreshed for that day
    service.update_goal(ctx, world.actors["admin_a"], "ga", theirs.id, GoalPatch(weight=2))
    assert kept()[False].version == rows[False].version + 1
    report(ctx, world, theirs.id, period="2026-04", percent=25)
    assert percents() == {True: 70.0, False: 25.0}
    service.delete_goal(ctx, world.actors["admin_a"], "ga", mine.id)
    assert percents() == {False: 25.0}


def test_a_changed_baseline_or_target_rebases_the_reports_filed_and_the_team_roll_up(ctx, world):
    """Issue #14: a report's percentage follows its goal's new target, and so do the tree, the
    kept county view and the goal's detail (one basis, not the old target's and the new)."""
    office = world.actors["office"]
    target = revenue(ctx, world)  # 10 -> 12
    report(ctx, world, target.id, period="2026-Q1", actual=11)
    report(ctx, world, target.id, period="2026-Q2", actual=11.5)

    def team_percent(as_of):
        [row] = [r for r in progress.status_view(ctx, office, "ga", YEAR, as_of=as_of).rows if r.team_id == world.team]
        return row.percent

    assert team_percent(date(2026, 3, 15)) == 50.0  # the kept roll-up is computed once here
    service.update_goal(ctx, world.actors["admin_a"], "ga", target.id, GoalPatch(target=14))
    detail = progress.goal_detail(ctx, world.actors["member"], "ga", target.id, as_of=date(2026, 7, 1))
    assert [(p.period, p.percent) for p in detail.progress] == [("2026-Q1", 25.0), ("2026-Q2", 37.5)]
    assert team_percent(date(2026, 3, 15)) == 25.0 and tree(ctx, world, date(2026, 3, 15)).percent == 25.0
    assert team_percent(date(2026, 7, 1)) == 37.5
    service.update_goal(ctx, world.actors["admin_a"], "ga", target.id, GoalPatch(baseline=11, target=11.5))
    detail = progress.goal_detail(ctx, world.actors["member"], "ga", target.id, as_of=date(2026, 7, 1))
    assert [(p.period, p.percent, p.done) for p in detail.progress] == [
        ("2026-Q1", 0.0, False),
        ("2026-Q2", 100.0, True),  # reaching the new target is done, as when filed
    ]
    assert team_percent(date(2026, 7, 1)) == 100.0
    service.update_goal(ctx, world.actors["admin_a"], "ga", target.id, GoalPatch(name="收入"))  # no rebase needed
    assert team_percent(date(2026, 3, 15)) == 0.0
