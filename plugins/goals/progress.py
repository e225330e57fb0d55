"""Progress reports and the views that roll them up (the arithmetic: ``plugins.goals.calc``).

A report is about one month or quarter (``core.periods.Period``) that overlaps the goal's span,
and one report a goal and period (a second one replaces the first). A goal with sub-goals gets
no report of its own: it rolls up from them. A quantitative goal's report gives its ``actual``
value and its percentage follows; a qualitative one's gives ``percent``. A report reaching 100 %
marks the goal done (红旗) as ``done`` does. When the goal's baseline or target changes later,
its reports' percentages follow in the same transaction (``service.rebase_reports``).

Who may report: the writers of the goal's set and the people the goal is assigned to."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Locality, Team, Unit
from core.models.base import utcnow
from core.periods import Period, PeriodError, PeriodKind
from core.services.access import OFFICE_ROLES, locality_for, require_role
from core.services.errors import Forbidden, Invalid
from plugins.goals import calc, rollups
from plugins.goals.access import (
    can_write,
    goal_for,
    invalid,
    own_person,
    readable_set,
    today,
)
from plugins.goals.models import Goal, GoalAssignment, GoalIndicator, GoalKind, GoalProgress, GoalVersion
from plugins.goals.schemas import (
    GoalDetail,
    GoalOut,
    GoalTree,
    ProgressIn,
    ProgressOut,
    StatusRow,
    StatusView,
    VersionOut,
)
from plugins.goals.service import depth_first, goal_out, people_of, set_goals

REPORTED_KINDS = (PeriodKind.month, PeriodKind.quarter)


def progress_out(row: GoalProgress) -> ProgressOut:
    return ProgressOut(
        id=row.id,
        goal_id=row.goal_id,
        period=row.period,
        actual=row.actual,
        percent=row.percent,
        done=row.done,
        work_done=row.work_done,
        delay_reasons=row.delay_reasons,
        reported_by=row.reported_by,
        reported_at=row.reported_at,
    )


def parse_period(value: str) -> Period:
    try:
        period = Period.parse(value)
    except PeriodError as exc:
        raise Invalid(exc.message, errors=[{"field": "period", "message": exc.message}]) from None
    if period.kind not in REPORTED_KINDS:
        raise invalid(
            "period", "progress is reported by month (2026-03) or quarter (2026-Q1), not {period}", period=str(period)
        )
    return period


def report(ctx: AppContext, actor: Actor, code: str, goal_id: int, data: ProgressIn) -> ProgressOut:
    """Report (or report again) the progress of ``goal_id`` in ``data.period``.

    Errors: 404 a goal the actor may not read; 403 one they may read but neither change nor
    carry; 422 not a month or quarter, a period outside the goal's span, a goal with sub-goals, a
    quantitative goal without ``actual``, a qualitative one without ``percent``."""
    period = parse_period(data.period)
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        goal = goal_for(session, actor, locality, goal_id)
        if not can_write(actor, locality, goal.unit_id) and not _carries(session, actor, locality, goal):
            raise Forbidden("only the unit's administrator, the office and the people of a goal report its progress")
        has_children = session.exec(select(Goal.id).where(Goal.parent_id == goal.id)).first() is not None
        percent, actual = check_report(goal, period, data, has_children)
        row = write_report(session, actor, goal, period, data, percent, actual)
        rollups.touch_goals(session, [goal])
        return progress_out(row)


def check_report(goal: Goal, period: Period, data: ProgressIn, has_children: bool) -> tuple[float, float | None]:
    """The report's (percent, actual) for ``goal``, or a 422 naming the field (see ``report``)."""
    if period.end < goal.start_date or period.start > goal.end_date:
        raise invalid(
            "period",
            "{period} is outside the goal's span, {start} to {end}",
            period=str(period),
            start=goal.start_date,
            end=goal.end_date,
        )
    if has_children:
        raise invalid("period", "{goal} has sub-goals: report their progress; it rolls up from them", goal=goal.name)
    return _percent(goal, data)


def write_report(
    session: Session,
    actor: Actor,
    goal: Goal,
    period: Period,
    data: ProgressIn,
    percent: float,
    actual: float | None,
    *,
    existing: dict[tuple[int, str], GoalProgress] | None = None,
    flush: bool = True,
) -> GoalProgress:
    """Insert or replace the report of ``goal`` for ``period`` (checked by ``check_report``).
    ``existing``: the reports already read by ``(goal_id, period)`` (a sheet's import reads them
    all at once); ``flush`` False leaves the INSERTs to the transaction's one flush."""
    if existing is not None:
        row = existing.get((goal.id, str(period)))
    else:
        row = session.exec(
            select(GoalProgress).where(GoalProgress.goal_id == goal.id, GoalProgress.period == str(period))
        ).first()
    if row is None:
        row = GoalProgress(
            locality_id=goal.locality_id,
            goal_id=goal.id,
            period=str(period),
            period_start=period.start,
            period_end=period.end,
        )
    row.actual, row.percent = actual, percent
    row.done = data.done or percent >= 100.0
    row.work_done = data.work_done.replace("\r\n", "\n")
    row.delay_reasons = data.delay_reasons.replace("\r\n", "\n")
    row.reported_by, row.reported_at = actor.username, utcnow()
    session.add(row)
    if flush:
        session.flush()
    return row


def _percent(goal: Goal, data: ProgressIn) -> tuple[float, float | None]:
    if goal.kind == GoalKind.quantitative:
        if data.actual is None:
            raise invalid("actual", "{goal} is quantitative: give the actual value", goal=goal.name)
        return calc.percent_of(data.actual, goal.baseline, goal.target), data.actual
    if data.percent is None:
        raise invalid("percent", "{goal} is qualitative: give the percentage done (0–100)", goal=goal.name)
    return round(data.percent, 2), None


def _carries(session: Session, actor: Actor, locality: Locality, goal: Goal) -> bool:
    person = own_person(session, actor, locality)
    return (
        person is not None
        and session.exec(
            select(GoalAssignment.id).where(GoalAssignment.goal_id == goal.id, GoalAssignment.person_id == person.id)
        ).first()
        is not None
    )


# --- reading -----------------------------------------------------------------------------------


def latest_reports(session: Session, goals: Any, as_of: date) -> dict[int, Any]:
    """Each goal's latest report of a period begun by ``as_of`` (a row with ``period``,
    ``percent`` and ``done``), found by the database: ``goals`` is a list of goal ids or a
    SELECT of them. Of a month and a quarter beginning the same day, the longer one."""
    if isinstance(goals, list):
        if not goals:
            return {}
        chunks = [goals[i : i + 5000] for i in range(0, len(goals), 5000)]
    else:
        chunks = [goals]
    latest: dict[int, Any] = {}
    for chunk in chunks:
        newest = (
            select(GoalProgress.goal_id, func.max(GoalProgress.period_start).label("start"))
            .where(col(GoalProgress.goal_id).in_(chunk), GoalProgress.period_start <= as_of)
            .group_by(col(GoalProgress.goal_id))
            .subquery()
        )
        rows = session.exec(
            select(
                GoalProgress.goal_id,
                GoalProgress.period,
                GoalProgress.percent,
                GoalProgress.done,
                GoalProgress.period_end,
            )
            .join(
                newest,
                (col(GoalProgress.goal_id) == newest.c.goal_id) & (col(GoalProgress.period_start) == newest.c.start),
            )
            .where(col(GoalProgress.goal_id).in_(chunk))
        )
        for row in rows:
            kept = latest.get(row.goal_id)
            if kept is None or row.period_end > kept.period_end:
                latest[row.goal_id] = row
    return latest


def rolled(
    goals: list[Any], latest: dict[int, Any], as_of: date, *, every_status: bool = True
) -> tuple[dict[int, calc.Node], float, bool]:
    """The roll-up of one set (goals with ``id``, ``parent_id``, ``weight``, ``start_date``,
    ``end_date``): a node per goal, the set's percentage and whether all is done.
    ``every_status`` False: statuses of the top goals only."""
    nodes: dict[int, calc.Node] = {}
    for goal in goals:
        report = latest.get(goal.id)
        nodes[goal.id] = calc.Node(
            goal.id,
            goal.weight,
            goal.start_date,
            goal.end_date,
            report.percent if report is not None else 0.0,
            report.done if report is not None else False,
            [],
        )
    roots = []
    for goal in goals:
        parent = nodes.get(goal.parent_id) if goal.parent_id is not None else None
        (parent.children if parent is not None else roots).append(nodes[goal.id])
    percent, done = calc.rollup(roots, as_of, every_status=every_status)
    return nodes, percent, done


def goal_tree(
    ctx: AppContext, actor: Actor, code: str, unit_id: int, team_id: int | None, year: int, as_of: date | None = None
) -> GoalTree:
    """A set's goals depth first with their people, percentages rolled up to ``as_of`` (default
    today), statuses and red flags."""
    as_of = as_of or today(ctx)
    with ctx.db.read(autocommit=True) as session:  # PostgreSQL: no BEGIN, no ROLLBACK (a hot read)
        locality = locality_for(session, actor, code, read_only=True)
        readable_set(session, actor, locality, unit_id, team_id)
        goals = set_goals(session, locality.id, unit_id, team_id, year)
        ids = [g.id for g in goals]
        latest = latest_reports(session, ids, as_of)
        nodes, percent, _done = rolled(goals, latest, as_of)
        people = people_of(session, ids)
        measures = _measures(session, goals)
        out = []
        for goal, depth in depth_first(goals):
            node = nodes[goal.id]
            out.append(
                goal_out(
                    goal,
                    people.get(goal.id),
                    measures.get(goal.indicator_id, ""),
                    depth=depth,
                    percent=node.percent,
                    status=node.status,
                    red_flag=node.done,
                    latest_period=latest[goal.id].period if goal.id in latest else None,
                )
            )
        return GoalTree(
            unit_id=unit_id,
            team_id=team_id,
            year=year,
            as_of=as_of,
            goals=out,
            percent=percent,
            published=bool(goals) and all(g.published_at is not None for g in goals),
            drafts=sum(1 for g in goals if g.published_at is None),
        )


def _measures(session: Session, goals: list[Goal]) -> dict[int, str]:
    ids = {g.indicator_id for g in goals if g.indicator_id is not None}
    if not ids:
        return {}
    return dict(
        session.exec(select(GoalIndicator.id, GoalIndicator.measure).where(col(GoalIndicator.id).in_(ids))).all()
    )


def goal_detail(ctx: AppContext, actor: Actor, code: str, goal_id: int, as_of: date | None = None) -> GoalDetail:
    """A goal with its people, its reports (oldest first: plan vs actual over periods) and its
    versions since publishing."""
    as_of = as_of or today(ctx)
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        goal = goal_for(session, actor, locality, goal_id)
        tree = {g.id: g for g in set_goals(session, locality.id, goal.unit_id, goal.team_id, goal.year)}
        nodes, _p, _d = rolled(list(tree.values()), latest_reports(session, list(tree), as_of), as_of)
        node = nodes[goal.id]
        reports = session.exec(
            select(GoalProgress).where(GoalProgress.goal_id == goal.id).order_by(col(GoalProgress.period_start))
        )
        versions = session.exec(
            select(GoalVersion).where(GoalVersion.goal_id == goal.id).order_by(col(GoalVersion.number))
        )
        base: GoalOut = goal_out(
            goal, people_of(session, [goal.id]).get(goal.id), _measures(session, [goal]).get(goal.indicator_id or 0, "")
        )
        return GoalDetail(
            **base.model_dump(exclude={"percent", "status", "red_flag"}),
            percent=node.percent,
            status=node.status,
            red_flag=node.done,
            progress=[progress_out(r) for r in reports],
            history=[
                VersionOut(
                    number=v.number,
                    changes=v.changes,
                    snapshot=v.snapshot,
                    written_by=v.written_by,
                    written_at=v.written_at,
                )
                for v in versions
            ],
        )


def status_view(ctx: AppContext, actor: Actor, code: str, year: int, as_of: date | None = None) -> StatusView:
    """The office's county-wide view: for every set of ``year``, its rolled-up percentage and
    how many of its top goals are on track, behind, overdue and done. The office only (403).

    The top goals come rolled up from ``plugins.goals.rollups`` (in SQL, kept per set until a
    write touches it); they give the figures of ``goal_tree``."""
    require_role(actor, OFFICE_ROLES, "read every unit's goals")
    as_of = as_of or today(ctx)
    with ctx.db.read(autocommit=True) as session:
        locality = locality_for(session, actor, code, read_only=True)
        sizes = session.exec(
            select(Goal.unit_id, Goal.team_id, func.count())
            .where(Goal.locality_id == locality.id, Goal.year == year)
            .group_by(col(Goal.unit_id), col(Goal.team_id))
        ).all()
        names = dict(session.exec(select(Unit.id, Unit.name).where(Unit.locality_id == locality.id)).all())
        teams = dict(session.exec(select(Team.id, Team.name).where(Team.locality_id == locality.id)).all())
    tops = rollups.county(ctx, locality.id, year, as_of, [(u, t) for u, t, _n in sizes])
    rows = []
    for unit_id, team_id, size in sizes:
        roots = [
            calc.Node(0, weight, date.fromisoformat(start), date.fromisoformat(end), percent, done, [])
            for weight, start, end, percent, done in tops.get((unit_id, team_id), [])
        ]
        percent, _done = calc.rollup(roots, as_of, every_status=False)
        counts: dict[str, Any] = {"on_track": 0, "behind": 0, "overdue": 0, "done": 0}
        for root in roots:
            counts[root.status.value] += 1
        rows.append(
            StatusRow(
                unit_id=unit_id,
                unit_name=names.get(unit_id, ""),
                team_id=team_id,
                team_name=teams.get(team_id, "") if team_id is not None else "",
                goals=size,
                percent=percent,
                **counts,
            )
        )
    rows.sort(key=lambda r: (r.unit_name, r.team_id or 0))
    return StatusView(year=year, as_of=as_of, rows=rows)


def my_goals(ctx: AppContext, actor: Actor, code: str, year: int, as_of: date | None = None) -> list[GoalOut]:
    """The goals of ``year`` given to the signed-in person (their own account's person), rolled up
    as in their set's tree, by set and tree order. Empty for an account that is no person's."""
    as_of = as_of or today(ctx)
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        person = own_person(session, actor, locality)
        if person is None:
            return []
        mine = set(
            session.exec(
                select(GoalAssignment.goal_id)
                .join(Goal, col(Goal.id) == GoalAssignment.goal_id)
                .where(GoalAssignment.person_id == person.id, Goal.locality_id == locality.id, Goal.year == year)
            )
        )
        sets = {(g.unit_id, g.team_id) for g in session.exec(select(Goal).where(col(Goal.id).in_(list(mine))))}
        out: list[GoalOut] = []
        for unit_id, team_id in sorted(sets, key=lambda s: (s[0], s[1] or 0)):
            goals = set_goals(session, locality.id, unit_id, team_id, year)
            latest = latest_reports(session, [g.id for g in goals], as_of)
            nodes, _p, _d = rolled(goals, latest, as_of)
            people = people_of(session, [g.id for g in goals if g.id in mine])
            for goal, depth in depth_first(goals):
                if goal.id in mine:
                    node = nodes[goal.id]
                    out.append(
                        goal_out(
                            goal,
                            people.get(goal.id),
                            depth=depth,
                            percent=node.percent,
                            status=node.status,
                            red_flag=node.done,
                            latest_period=latest[goal.id].period if goal.id in latest else None,
                        )
                    )
        return out
