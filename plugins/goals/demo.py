"""Goals in the demo locality: enabled, an indicator dictionary of three entries, and the first
leadership team's goals of this year (a tree two levels deep, split among its members with shares,
published) with a quarter of progress, so the tree shows bars, statuses and a red flag at once."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import Locality, Team, TeamMember
from core.services.plugins import PluginSettingIn, set_plugin
from plugins.goals import indicators, progress, service, shares
from plugins.goals.access import PLUGIN, today
from plugins.goals.schemas import AssignIn, GoalIn, IndicatorIn, ProgressIn, ShareIn

DICTIONARY = [
    ("revenue", "一般公共预算收入", "亿元", "higher"),
    ("investment", "固定资产投资", "亿元", "higher"),
    ("energy", "万元GDP能耗", "吨标准煤", "lower"),
]
# (name, kind, indicator, baseline, target, weight, source, progress of the quarter, sub-goals)
GOALS = [
    ("一般公共预算收入增长8%", "quantitative", "revenue", 12.5, 13.5, 3, "县委县政府", 13.1, []),
    ("固定资产投资稳步增长", "quantitative", "investment", 40, 46, 2, "上级交办", 41, []),
    ("单位GDP能耗下降3%", "quantitative", "energy", 0.52, 0.504, 1, "上级交办", 0.51, []),
    (
        "优化营商环境",
        "qualitative",
        None,
        None,
        None,
        2,
        "自定",
        None,
        [("政务服务事项全程网办", 100, "已全部上线"), ("清理拖欠企业账款", 40, "摸底完成，清偿进行中")],
    ),
]


def _quarter(day: date) -> str:
    """The last quarter that has ended by ``day`` in its year, or the current one in the first."""
    quarter = (day.month - 1) // 3 + 1
    return f"{day.year}-Q{max(1, quarter - 1)}"


def load_demo(ctx: AppContext, actor: Actor, code: str) -> list[str]:
    set_plugin(ctx, actor, code, PLUGIN, PluginSettingIn(enabled=True))
    with ctx.db.read() as session:
        locality = session.exec(select(Locality).where(Locality.code == code)).one()
        team = session.exec(select(Team).where(Team.locality_id == locality.id).order_by(col(Team.id))).first()
        members = (
            list(
                session.exec(
                    select(TeamMember.person_id).where(TeamMember.team_id == team.id).order_by(col(TeamMember.id))
                )
            )
            if team is not None
            else []
        )
    found = {i.code: i.id for i in indicators.list_indicators(ctx, actor, code)}
    for key, name, measure, direction in DICTIONARY:
        if key not in found:
            found[key] = indicators.create_indicator(
                ctx, actor, code, IndicatorIn(code=key, name=name, measure=measure, direction=direction)
            ).id
    if team is None or not members:
        return []
    year = today(ctx).year
    if progress.goal_tree(ctx, actor, code, team.unit_id, team.id, year).goals:
        return []  # loaded before
    quarter = _quarter(today(ctx))
    dates = {"start": date(year, 1, 1), "end": date(year, 12, 31)}
    where = {"unit_id": team.unit_id, "team_id": team.id, "year": year}
    reports = []
    for index, (name, kind, key, baseline, target, weight, source, actual, subs) in enumerate(GOALS):
        goal = service.create_goal(
            ctx,
            actor,
            code,
            GoalIn(
                **where,
                **dates,
                name=name,
                kind=kind,
                indicator_id=found.get(key),
                baseline=baseline,
                target=target,
                weight=weight,
                source=source,
                standard=f"{name}，按季度报送进度",
            ),
        )
        lead, assist = members[index % len(members)], members[(index + 1) % len(members)]
        people = [ShareIn(person_id=lead, role="主办", share=100)]
        if assist != lead:
            people = [ShareIn(person_id=lead, role="主办", share=70), ShareIn(person_id=assist, role="协办", share=30)]
        shares.assign(ctx, actor, code, goal.id, AssignIn(people=people))
        if actual is not None:
            reports.append((goal.id, ProgressIn(period=quarter, actual=actual, work_done=f"{quarter} 按计划推进")))
        for sub_name, percent, text in subs:
            sub = service.create_goal(
                ctx, actor, code, GoalIn(**where, **dates, name=sub_name, parent_id=goal.id, kind="qualitative")
            )
            shares.assign(ctx, actor, code, sub.id, AssignIn(people=[ShareIn(person_id=lead, role="主办", share=100)]))
            reports.append((sub.id, ProgressIn(period=quarter, percent=percent, done=percent >= 100, work_done=text)))
    service.publish(ctx, actor, code, team.unit_id, team.id, year)
    for goal_id, report in reports:
        progress.report(ctx, actor, code, goal_id, report)
    return [
        "",
        f"Goals (工作目标) are enabled in {code}: {team.name} has {year}'s goals with the progress of {quarter},",
        "  under 工作目标 in the console (choose the team under 目标归属)",
    ]
