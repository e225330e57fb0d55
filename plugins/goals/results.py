"""Year-end results of goals, stored when the office finishes scoring a set (a leadership team's
goals or a unit's own) for a period, for the composites that read them.

**Finish.** The office (roles ``office`` and ``platform_admin`` of the locality, not a read-only
grant) finishes a set's scoring for a period once every top-level goal of the set that counts for
the assessment is scored (422 naming those that are not; 422 for a set with no such goal): the
set's total and standard and each person's result through their shares (score × share / 100,
``plugins.goals.scoring.sheet_in``) are stored in one transaction (``goals_results``) and
audited (``goals.results_stored``). Finishing again replaces them. While finished, the set's
scores of that period are not changed (409 from ``score_goal``).

**Reopen.** The office removes the stored results (audited ``goals.results_reopened``); the
scores may be changed again and the set finished anew.

**Read.** ``stored``: a period's stored results across the locality (the office: every set; a
set's readers: their sets), optionally of one set."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import Unit
from core.models.base import utcnow
from core.periods import Period
from core.services import audit
from core.services.access import OFFICE_ROLES, can_see_locality, locality_for
from core.services.errors import Conflict, Forbidden
from plugins.goals.access import can_read, invalid, readable_set
from plugins.goals.models import GoalResult
from plugins.goals.rollups import set_key
from plugins.goals.schemas import ScoreSheet, StoredResult
from plugins.goals.scoring import ONLY_OFFICE, _period, sheet_in
from plugins.goals.service import set_goals

NOT_SCORED = "score every top-level goal that counts for the assessment first: {goals}"
NOTHING = "the set has no top-level goal that counts for the assessment"
NOT_FINISHED = "the scoring of this set for {period} is not finished"


def _office(actor: Actor, locality_id: int) -> None:
    if actor.role not in OFFICE_ROLES or not can_see_locality(actor, locality_id):
        raise Forbidden(ONLY_OFFICE)


def finish(
    ctx: AppContext, actor: Actor, code: str, unit_id: int, team_id: int | None, year: int, period: str | None = None
) -> ScoreSheet:
    """Store the set's results of ``period`` (default: the year); the sheet as stored."""
    wanted = _period(period) if period else Period.parse(year)
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        readable_set(session, actor, locality, unit_id, team_id)
        _office(actor, locality.id)
        tops = [
            g
            for g in set_goals(session, locality.id, unit_id, team_id, year)
            if g.parent_id is None and g.counts_for_assessment
        ]
        if not tops:
            raise invalid("unit_id", NOTHING)
        sheet = sheet_in(session, locality.id, unit_id, team_id, year, wanted)
        scored = {s.goal_id for s in sheet.scores}
        missing = [g.name for g in tops if g.id not in scored]
        if missing:
            raise invalid("unit_id", NOT_SCORED, goals="、".join(missing[:10]) + ("…" if len(missing) > 10 else ""))
        key = set_key(unit_id, team_id, year)
        session.execute(
            delete(GoalResult).where(
                col(GoalResult.locality_id) == locality.id,
                col(GoalResult.set_key) == key,
                col(GoalResult.period) == str(wanted),
            )
        )
        now = utcnow()
        common = {
            "locality_id": locality.id,
            "set_key": key,
            "unit_id": unit_id,
            "team_id": team_id,
            "year": year,
            "period": str(wanted),
            "finished_by": actor.username,
            "finished_at": now,
        }
        session.add(GoalResult(**common, subject="set", score=sheet.total, standard=sheet.standard))
        for person in sheet.people:
            session.add(
                GoalResult(
                    **common,
                    subject=f"person:{person.person_id}",
                    person_id=person.person_id,
                    person_name=person.person_name,
                    score=person.score,
                    standard=person.standard,
                )
            )
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="goals.results_stored",
            target_type="goals_set",
            target_id=key,
            after={
                "period": str(wanted),
                "total": sheet.total,
                "standard": sheet.standard,
                "people": {str(p.person_id): p.score for p in sheet.people},
            },
        )
        return sheet.model_copy(update={"finished_at": now, "finished_by": actor.username})


def reopen(
    ctx: AppContext, actor: Actor, code: str, unit_id: int, team_id: int | None, year: int, period: str | None = None
) -> None:
    """Remove the set's stored results of ``period`` (409 when it is not finished)."""
    wanted = _period(period) if period else Period.parse(year)
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        readable_set(session, actor, locality, unit_id, team_id)
        _office(actor, locality.id)
        key = set_key(unit_id, team_id, year)
        rows = list(
            session.exec(
                select(GoalResult).where(
                    GoalResult.locality_id == locality.id, GoalResult.set_key == key, GoalResult.period == str(wanted)
                )
            )
        )
        if not rows:
            raise Conflict(NOT_FINISHED, params={"period": str(wanted)})
        total = next((r.score for r in rows if r.subject == "set"), None)
        for row in rows:
            session.delete(row)
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="goals.results_reopened",
            target_type="goals_set",
            target_id=key,
            before={"period": str(wanted), "total": total},
        )


def stored(
    ctx: AppContext, actor: Actor, code: str, period: str, unit_id: int | None = None, team_id: int | None = None
) -> list[StoredResult]:
    """The stored results of ``period`` the actor may read (the sets whose goals it reads), of one
    unit (and team) if given; sets first by unit, then their people by score."""
    wanted = _period(period)
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        query = select(GoalResult).where(GoalResult.locality_id == locality.id, GoalResult.period == str(wanted))
        if unit_id is not None:
            query = query.where(GoalResult.unit_id == unit_id)
            query = query.where(col(GoalResult.team_id).is_(None) if team_id is None else GoalResult.team_id == team_id)
        rows = list(session.exec(query))
        readable: dict[tuple[int, int | None], bool] = {}
        for row in rows:
            if (row.unit_id, row.team_id) not in readable:
                readable[(row.unit_id, row.team_id)] = can_read(session, actor, locality, row.unit_id, row.team_id)
        names = dict(session.exec(select(Unit.id, Unit.name).where(Unit.locality_id == locality.id)).all())
    rows = [r for r in rows if readable[(r.unit_id, r.team_id)]]
    rows.sort(key=lambda r: (names.get(r.unit_id, ""), r.team_id or 0, r.subject != "set", -r.score, r.person_name))
    return [
        StoredResult(
            unit_id=r.unit_id,
            unit_name=names.get(r.unit_id, ""),
            team_id=r.team_id,
            year=r.year,
            period=r.period,
            subject=r.subject,
            person_id=r.person_id,
            person_name=r.person_name,
            score=r.score,
            standard=r.standard,
            finished_by=r.finished_by,
            finished_at=r.finished_at,
        )
        for r in rows
    ]
