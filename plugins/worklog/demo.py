"""The worklog in the demo locality: enabled, a leader's and a cadre's login, and a few weeks of
plans and records of the first unit's people, so a newcomer can try both sides."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import select

from core.context import Actor, AppContext
from core.models import Locality, Person, Role, TeamMember, Unit, User
from core.periods import Period
from core.services import auth
from core.services.plugins import PluginSettingIn, set_plugin
from plugins.worklog import service
from plugins.worklog.models import EntryKind

LEADER, CADRE = "demo-leader", "demo-cadre"
WEEKS = 3
RECORDS = [
    "走访企业{n}家，协调解决用工问题\n整理本周工作台账",
    "参加专题学习会，撰写心得体会\n完成月度报表填报",
    "牵头召开部门协调会\n跟进重点项目进度，形成情况报告",
]
PLANS = ["1. 完成重点项目周调度\n2. 走访企业{n}家\n3. 学习上级文件精神", "1. 准备季度工作汇报材料\n2. 开展安全生产检查"]


def load_demo(ctx: AppContext, actor: Actor, code: str) -> list[str]:
    set_plugin(ctx, actor, code, service.PLUGIN, PluginSettingIn(enabled=True))
    with ctx.db.read() as session:
        locality = session.exec(select(Locality).where(Locality.code == code)).one()
        unit = session.exec(select(Unit).where(Unit.locality_id == locality.id).order_by(Unit.code)).first()
        people = session.exec(
            select(Person).where(Person.locality_id == locality.id, Person.unit_id == unit.id).order_by(Person.id)
        ).all()
        in_team = set(session.exec(select(TeamMember.person_id).where(TeamMember.locality_id == locality.id)))
    if unit is None or len(people) < 2:
        return []
    leader = next((p for p in people if p.id in in_team), people[0])
    staff = [p for p in people if p.id not in in_team and p.id != leader.id]
    if not staff:
        return []
    logins = [
        _account(ctx, actor, code, LEADER, Role.leader, leader, unit),
        _account(ctx, actor, code, CADRE, Role.cadre, staff[0], unit),
    ]
    today = service.today(ctx)
    for index, person in enumerate(staff[:6]):
        for weeks_ago in range(WEEKS, 0, -1):
            week = Period.from_date("week", today - timedelta(days=7 * weeks_ago))
            n = index + weeks_ago
            service.seed_entry(
                ctx,
                code,
                person.id,
                EntryKind.weekly_plan,
                week,
                PLANS[n % 2].format(n=n % 4 + 1),
                written_by=person.name,
            )
            if (index + weeks_ago) % 5:  # now and then someone has not written their record: the board shows it
                service.seed_entry(
                    ctx,
                    code,
                    person.id,
                    EntryKind.weekly_record,
                    week,
                    RECORDS[n % 3].format(n=n % 4 + 1),
                    written_by=person.name,
                )
    _discuss(ctx, code, staff[0])
    quarter = _open_quarter(ctx, actor, code, today)
    lines = ["", f"Work records (worklog) are enabled in {code} for the people of {unit.name}:"]
    lines += [f"  {role}: {username} / {password}  ({name})" for role, username, password, name in logins]
    lines.append("  the leader's board is under 工作纪实看板 in the console, the cadre's week at /me/worklog")
    lines.append(f"  the leader grades {quarter} under 季度评价 (the office sees the scores and publishes)")
    return lines


DIMENSIONS = [("de", "德"), ("neng", "能"), ("qin", "勤"), ("ji", "绩"), ("lian", "廉")]
SCALE = [("好", 95), ("较好", 85), ("一般", 75), ("较差", 60)]


def _open_quarter(ctx: AppContext, actor: Actor, code: str, today) -> str:
    """A template of 德 能 勤 绩 廉 graded 好/较好/一般/较差 (hidden scores), and this quarter opened with it."""
    from core.schemas.indicators import GradeIn, IndicatorIn, TemplateIn
    from core.services import templates
    from plugins.worklog import evaluation

    template = templates.create(
        ctx,
        actor,
        code,
        TemplateIn(
            name="平时考核季度评价",
            grade_scale=[GradeIn(label=label, score=score) for label, score in SCALE],
            indicators=[IndicatorIn(code=c, name=n, standard=f"{n}：按季度表现选择等次") for c, n in DIMENSIONS],
        ),
    )
    quarter = str(Period.from_date("quarter", today))
    evaluation.open_quarter(ctx, actor, code, evaluation.QuarterIn(period=quarter, template_id=template.id))
    return quarter


def _account(
    ctx: AppContext, actor: Actor, code: str, username: str, role: Role, person: Person, unit: Unit
) -> tuple[str, str, str, str]:
    password = secrets.token_urlsafe(12)
    user = auth.create_user(
        ctx, actor, username=username, password=password, role=role.value, locality_code=code, unit_code=unit.code
    )
    with ctx.db.write() as session:
        row = session.get(User, user.id)
        row.person_id = person.id
        session.add(row)
    return role.value, username, password, person.name


def _discuss(ctx: AppContext, code: str, person: Person) -> None:
    """The leader comments on and likes the cadre's latest record, so both sides see a discussion."""
    from core.services import discussion
    from plugins.worklog.discussion import TARGET, resolver
    from plugins.worklog.models import WorkEntry

    with ctx.db.read() as session:
        leader = auth.actor_of(session.exec(select(User).where(User.username == LEADER)).one())
        entry = session.exec(
            select(WorkEntry.id)
            .where(WorkEntry.person_id == person.id, WorkEntry.kind == EntryKind.weekly_record.value)
            .order_by(WorkEntry.period_start.desc())
        ).first()
    if entry is not None:
        discussion.add_comment(
            ctx, leader, TARGET, entry, resolver(code, entry), "情况掌握得很细，下周把台账按月归档。"
        )
        discussion.toggle_like(ctx, leader, TARGET, entry, resolver(code, entry))
