"""The office's summary of a quarter: per unit (people, graded, mean score, how many of each
grade), counted in SQL, and one unit's people with their grades, scores and graders."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import IndicatorTemplate, Person, Unit, User
from core.services.access import locality_for
from core.services.errors import NotFound
from plugins.worklog.evaluation.rules import (
    dimensions_of,
    dimensions_out,
    find_quarter,
    parse_quarter,
    quarter_out,
    require_office,
)
from plugins.worklog.evaluation_schemas import ResultRow, Summary, UnitSummary
from plugins.worklog.models import Evaluation


def summary(ctx: AppContext, actor: Actor, code: str, period: Any, unit_id: int | None = None) -> Summary:
    """A summary per unit (people, graded, mean score, how many of each grade) and, for
    ``unit_id``, its people with their grades, scores and who graded them. Office only; 404
    for a unit of another locality."""
    require_office(actor)
    when = parse_quarter(period)
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        row = find_quarter(session, locality, when)
        template = session.get(IndicatorTemplate, row.template_id)
        leaves, _ = dimensions_of(session, row.template_id)
        units = {
            uid: name
            for uid, name in session.exec(
                select(Unit.id, Unit.name).where(Unit.locality_id == locality.id).order_by(col(Unit.code))
            )
        }
        if unit_id is not None and unit_id not in units:
            raise NotFound("no unit with id {unit_id}", params={"unit_id": unit_id})
        people = {
            uid: n
            for uid, n in session.exec(
                select(Person.unit_id, func.count())
                .where(Person.locality_id == locality.id, col(Person.unit_id).is_not(None))
                .group_by(Person.unit_id)
            )
        }
        graded: dict[int, tuple[int, float]] = {}
        grade_counts: dict[int, dict[str, int]] = {}
        for uid, grade_label, n, total in session.exec(
            select(Person.unit_id, Evaluation.grade, func.count(), func.sum(Evaluation.score))
            .join(Person, col(Person.id) == Evaluation.person_id)
            .where(Evaluation.quarter_id == row.id, col(Person.unit_id).is_not(None))
            .group_by(Person.unit_id, Evaluation.grade)
        ):
            count, score = graded.get(uid, (0, 0.0))
            graded[uid] = (count + n, score + float(total or 0))
            grade_counts.setdefault(uid, {})[grade_label] = n
        summaries = [
            UnitSummary(
                unit_id=uid,
                unit_name=name,
                people=people[uid],
                graded=graded.get(uid, (0, 0.0))[0],
                mean_score=round(graded[uid][1] / graded[uid][0], 2) if uid in graded else None,
                grades=grade_counts.get(uid, {}),
            )
            for uid, name in units.items()
            if uid in people
        ]
        rows = []
        if unit_id is not None:
            members = session.exec(
                select(Person.id, Person.name)
                .where(Person.locality_id == locality.id, Person.unit_id == unit_id)
                .order_by(col(Person.id))
            ).all()
            found = {
                e.person_id: (e, name)
                for e, name in session.exec(
                    select(Evaluation, User.username)
                    .join(User, col(User.id) == Evaluation.graded_by, isouter=True)
                    .where(
                        Evaluation.quarter_id == row.id, col(Evaluation.person_id).in_([p for p, _ in members] or [-1])
                    )
                )
            }
            for pid, name in members:
                evaluation, grader = found.get(pid, (None, None))
                rows.append(
                    ResultRow(
                        person_id=pid,
                        person_name=name,
                        unit_id=unit_id,
                        grades={int(k): v for k, v in (evaluation.grades if evaluation else {}).items()},
                        score=round(evaluation.score, 2) if evaluation else None,
                        grade=evaluation.grade if evaluation else None,
                        graded_by=grader,
                        graded_at=evaluation.graded_at if evaluation else None,
                    )
                )
        return Summary(
            quarter=quarter_out(session, row),
            dimensions=dimensions_out(leaves),
            scale=list(template.grade_scale or []),
            units=summaries,
            rows=rows,
        )
