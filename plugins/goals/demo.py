"""Goals in the demo locality: enabled, an indicator dictionary of three entries, and the first
leadership team's goals of this year (a tree two levels deep, split among its members with shares,
published) with a quarter of progress, so the tree shows bars, statuses and a red flag at once.

Comments of each kind on the published goals, written through the goals' discussion by demo
accounts made for it: a county leader's 点评 answered publicly by the unit's administrator,
another unit's 建议 answered privately, and a 举报 left waiting for the unit's answer (the unit
is notified of each)."""

from __future__ import annotations

import secrets
from datetime import date

from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import Locality, Role, Team, TeamMember, Unit, User
from core.services import auth
from core.services.plugins import PluginSettingIn, set_plugin
from plugins.goals import discussion, indicators, progress, service, shares
from plugins.goals.access import PLUGIN, today
from plugins.goals.schemas import AnswerIn, AssignIn, CommentIn, GoalIn, IndicatorIn, ProgressIn, ShareIn

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
    reports, commented = [], {}
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
        commented[name] = goal.id
        if actual is not None:
            reports.append((goal.id, ProgressIn(period=quarter, actual=actual, work_done=f"{quarter} 按计划推进")))
        for sub_name, percent, text in subs:
            sub = service.create_goal(
                ctx, actor, code, GoalIn(**where, **dates, name=sub_name, parent_id=goal.id, kind="qualitative")
            )
            shares.assign(ctx, actor, code, sub.id, AssignIn(people=[ShareIn(person_id=lead, role="主办", share=100)]))
            commented[sub_name] = sub.id
            reports.append((sub.id, ProgressIn(period=quarter, percent=percent, done=percent >= 100, work_done=text)))
    service.publish(ctx, actor, code, team.unit_id, team.id, year)
    for goal_id, report in reports:
        progress.report(ctx, actor, code, goal_id, report)
    logins = _comment(ctx, actor, code, team.unit_id, commented)
    return [
        "",
        f"Goals (工作目标) are enabled in {code}: {team.name} has {year}'s goals with the progress of {quarter},",
        "  under 工作目标 in the console (choose the team under 目标归属); comments under 目标点评:",
        *[f"  {role}: {username} / {password}  ({what})" for role, username, password, what in logins],
    ]


UNIT_ADMIN, LEADER, PEER = "demo-goals-unit", "demo-goals-leader", "demo-goals-peer"
# (goal, writer, kind, comment, answer, public)
COMMENTS = [
    (
        "一般公共预算收入增长8%",
        LEADER,
        "点评",
        "收入进度符合序时，请继续盯紧重点税源。",
        "已建立重点税源月调度机制。",
        True,
    ),
    (
        "固定资产投资稳步增长",
        PEER,
        "建议",
        "建议加快重点项目开工，争取下季度投资提速。",
        "已与发改部门对接，下季度集中开工。",
        False,
    ),
    ("清理拖欠企业账款", LEADER, "举报", "有企业反映清偿承诺未按期兑现，请核实。", None, False),
]


def _account(ctx: AppContext, actor: Actor, code: str, username: str, role: Role, unit: Unit | None) -> str:
    """A demo account (made, or its password reset): its new password."""
    password = secrets.token_urlsafe(12)
    if auth.find_user(ctx, username) is None:
        auth.create_user(
            ctx,
            actor,
            username=username,
            password=password,
            role=role.value,
            locality_code=code,
            unit_code=unit.code if unit is not None else None,
        )
    else:
        auth.set_password(ctx, actor, username, password)
    return password


def _comment(
    ctx: AppContext, actor: Actor, code: str, unit_id: int, goals: dict[str, int]
) -> list[tuple[str, str, str, str]]:
    """The demo's comments (``COMMENTS``) on the published goals, each written by its account
    through the goals' discussion and answered by the unit's administrator; the accounts made."""
    with ctx.db.read() as session:
        locality = session.exec(select(Locality).where(Locality.code == code)).one()
        unit = session.get(Unit, unit_id)
        other = session.exec(
            select(Unit).where(Unit.locality_id == locality.id, Unit.id != unit_id).order_by(col(Unit.code))
        ).first()
    made = [
        (Role.unit_admin, UNIT_ADMIN, unit, f"answers for {unit.name}"),
        (Role.leader, LEADER, None, "a county leader: 点评, 举报"),
    ]
    if other is not None:
        made.append((Role.unit_admin, PEER, other, f"{other.name}: 建议"))
    logins = [
        (role.value, name, _account(ctx, actor, code, name, role, where), what) for role, name, where, what in made
    ]
    with ctx.db.read() as session:
        users = session.exec(select(User).where(col(User.username).in_([name for _, name, _, _ in made]))).all()
        actors = {u.username: auth.actor_of(u, session) for u in users}
    for goal_name, writer, kind, body, answer, public in COMMENTS:
        goal_id = goals.get(goal_name)
        author = actors.get(writer) or actors[LEADER]
        if goal_id is None:
            continue
        said = discussion.comment(ctx, author, code, goal_id, CommentIn(body=body, kind=kind))
        if answer is not None:
            discussion.answer(ctx, actors[UNIT_ADMIN], code, goal_id, said.id, AnswerIn(body=answer, public=public))
    return logins
