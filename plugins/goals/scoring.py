"""Year-end scoring of goals by the office (年终评分), stored per goal and period, and the results
of a set (a team or unit) and of its people through their responsibility shares.

Only the office (roles ``office`` and ``platform_admin`` of the locality, not a read-only grant)
scores; readers of the set read the scores. A score is of a top-level goal (sub-goals roll up
into it); scoring it again for the same period replaces the score, and every score is audited
(``goals.scored``). The results are computed from the stored scores when read: the set's total
sums the scores of its goals that count for the assessment; a person's result sums score × share
/ 100 over the scored goals they carry. When the office finishes scoring a set for a period the
results are stored (``plugins.goals.results``), and its scores stay as they are (409) until the
office reopens it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Person
from core.models.base import utcnow
from core.periods import Period, PeriodError
from core.services import audit
from core.services.access import OFFICE_ROLES, can_see_locality, locality_for
from core.services.errors import Conflict, Forbidden, Invalid
from plugins.goals.access import goal_for, invalid, readable_set
from plugins.goals.models import Goal, GoalAssignment, GoalResult, GoalScore
from plugins.goals.progress import latest_reports, rolled
from plugins.goals.rollups import set_key
from plugins.goals.schemas import PersonResult, ScoreIn, ScoreOut, ScoreSheet
from plugins.goals.service import set_goals

ONLY_OFFICE = "only the assessment office scores goals"
FINISHED = "the scoring of this set for {period} is finished: reopen it to change a score"


def _period(value: str) -> Period:
    try:
        return Period.parse(value)
    except PeriodError as exc:
        raise Invalid(exc.message, errors=[{"field": "period", "message": exc.message}]) from None


def _out(row: GoalScore, name: str) -> ScoreOut:
    return ScoreOut(
        goal_id=row.goal_id,
        goal_name=name,
        period=row.period,
        standard=row.standard,
        score=row.score,
        deduction=row.deduction,
        note=row.note,
        scored_by=row.scored_by,
        scored_at=row.scored_at,
    )


def score_goal(ctx: AppContext, actor: Actor, code: str, goal_id: int, data: ScoreIn) -> ScoreOut:
    """Score ``goal_id`` for ``data.period`` (see ``ScoreIn``). Errors: 404 a goal the actor may
    not read; 403 not the office; 422 a sub-goal, a period that does not overlap the goal's year, a
    score above the standard, neither a score nor (for a goal not done) a deduction."""
    period = _period(data.period)
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        goal = goal_for(session, actor, locality, goal_id)
        if actor.role not in OFFICE_ROLES or not can_see_locality(actor, locality.id):
            raise Forbidden(ONLY_OFFICE)
        if goal.parent_id is not None:
            raise invalid("goal_id", "{goal} is a sub-goal: score the top-level goal it rolls up into", goal=goal.name)
        if period.end < goal.start_date or period.start > goal.end_date:
            raise invalid(
                "period",
                "{period} is outside the goal's span, {start} to {end}",
                period=str(period),
                start=goal.start_date,
                end=goal.end_date,
            )
        if finished(session, goal.locality_id, goal.unit_id, goal.team_id, goal.year, str(period)):
            raise Conflict(FINISHED, params={"period": str(period)})
        deduction = 0.0
        if data.score is not None:
            score = data.score
            if score > data.standard:
                raise invalid(
                    "score",
                    "the score {score} is above the standard score {standard}",
                    score=score,
                    standard=data.standard,
                )
            deduction = round(data.standard - score, 2)
        elif _done(session, goal, period):
            score = data.standard
        elif data.deduction is None:
            raise invalid(
                "deduction", "{goal} is not done: give a score or a deduction from the standard score", goal=goal.name
            )
        else:
            deduction = min(data.deduction, data.standard)
            score = round(data.standard - deduction, 2)
        row = session.exec(
            select(GoalScore).where(GoalScore.goal_id == goal.id, GoalScore.period == str(period))
        ).first()
        before = None if row is None else {"score": row.score, "standard": row.standard}
        if row is None:
            row = GoalScore(locality_id=locality.id, goal_id=goal.id, period=str(period), standard=0, score=0)
        row.standard, row.score, row.deduction = data.standard, score, deduction
        row.note, row.scored_by, row.scored_at = data.note, actor.username, utcnow()
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="goals.scored",
            target_type="goal",
            target_id=goal.id,
            before=before,
            after={"period": str(period), "score": score, "standard": data.standard, "note": data.note},
        )
        return _out(row, goal.name)


def finished(session: Session, locality_id: int, unit_id: int, team_id: int | None, year: int, period: str) -> bool:
    """Whether the office finished scoring the set for ``period`` (its results are stored)."""
    return (
        session.exec(
            select(GoalResult.id).where(
                GoalResult.locality_id == locality_id,
                GoalResult.set_key == set_key(unit_id, team_id, year),
                GoalResult.period == period,
            )
        ).first()
        is not None
    )


def _done(session, goal: Goal, period: Period) -> bool:
    """Whether ``goal`` was done by the end of ``period`` (its roll-up: sub-goals all done)."""
    goals = set_goals(session, goal.locality_id, goal.unit_id, goal.team_id, goal.year)
    nodes, _p, _d = rolled(goals, latest_reports(session, [g.id for g in goals], period.end), period.end)
    return nodes[goal.id].done


def score_sheet(
    ctx: AppContext, actor: Actor, code: str, unit_id: int, team_id: int | None, year: int, period: str | None = None
) -> ScoreSheet:
    """The set's scores of ``period`` (default: the year) with its total and each person's result;
    ``finished``: when the office stored the results (``plugins.goals.results``), if it did."""
    wanted = _period(period) if period else Period.parse(year)
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        readable_set(session, actor, locality, unit_id, team_id)
        return sheet_in(session, locality.id, unit_id, team_id, year, wanted)


def sheet_in(
    session: Session, locality_id: int, unit_id: int, team_id: int | None, year: int, wanted: Period
) -> ScoreSheet:
    """``score_sheet`` in the caller's transaction (the caller checked the actor may read the set)."""
    goals = {g.id: g for g in set_goals(session, locality_id, unit_id, team_id, year)}
    rows = list(
        session.exec(
            select(GoalScore)
            .where(col(GoalScore.goal_id).in_(list(goals)), GoalScore.period == str(wanted))
            .order_by(col(GoalScore.goal_id))
        )
    )
    counted = [r for r in rows if goals[r.goal_id].counts_for_assessment]
    results: dict[int, list[float]] = {}
    for assignment in session.exec(
        select(GoalAssignment).where(col(GoalAssignment.goal_id).in_([r.goal_id for r in counted]))
    ):
        row = next(r for r in counted if r.goal_id == assignment.goal_id)
        got = results.setdefault(assignment.person_id, [0.0, 0.0])
        got[0] += row.score * assignment.share / 100
        got[1] += row.standard * assignment.share / 100
    names = dict(session.exec(select(Person.id, Person.name).where(col(Person.id).in_(list(results)))).all())
    finished = session.exec(
        select(GoalResult).where(
            GoalResult.locality_id == locality_id,
            GoalResult.set_key == set_key(unit_id, team_id, year),
            GoalResult.period == str(wanted),
            GoalResult.subject == "set",
        )
    ).first()
    return ScoreSheet(
        unit_id=unit_id,
        team_id=team_id,
        year=year,
        period=str(wanted),
        scores=[_out(r, goals[r.goal_id].name) for r in rows],
        total=round(sum(r.score for r in counted), 2),
        standard=round(sum(r.standard for r in counted), 2),
        people=sorted(
            (
                PersonResult(person_id=p, person_name=names.get(p, ""), score=round(s, 2), standard=round(st, 2))
                for p, (s, st) in results.items()
            ),
            key=lambda r: (-r.score, r.person_name),
        ),
        finished_at=finished.finished_at if finished is not None else None,
        finished_by=finished.finished_by if finished is not None else "",
    )
