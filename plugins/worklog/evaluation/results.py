"""The person's side: their own published grades (labels, never scores)."""

from __future__ import annotations

from sqlmodel import col, select

from core.context import Actor, AppContext
from core.services.access import locality_for
from core.services.errors import Forbidden
from plugins.worklog.evaluation.rules import dimensions_of, dimensions_out
from plugins.worklog.evaluation_schemas import MyResult
from plugins.worklog.models import Evaluation, EvaluationQuarter, QuarterStatus
from plugins.worklog.supervision import own_person


def my_results(ctx: AppContext, actor: Actor, code: str) -> list[MyResult]:
    """The signed-in person's published grades, newest quarter first (labels, never scores)."""
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code)
        person = own_person(session, actor, locality)
        if person is None:
            raise Forbidden("only a person's own account has evaluations; this account belongs to no person")
        found = session.exec(
            select(Evaluation, EvaluationQuarter)
            .join(EvaluationQuarter, col(EvaluationQuarter.id) == Evaluation.quarter_id)
            .where(
                Evaluation.locality_id == locality.id,
                Evaluation.person_id == person.id,
                EvaluationQuarter.status == QuarterStatus.published.value,
            )
            .order_by(col(EvaluationQuarter.period).desc())
        ).all()
        results = []
        for evaluation, quarter in found:
            leaves, _ = dimensions_of(session, quarter.template_id)
            results.append(
                MyResult(
                    period=quarter.period,
                    grade=evaluation.grade,
                    dimensions=dimensions_out(leaves),
                    grades={int(k): v for k, v in evaluation.grades.items()},
                    published_at=quarter.published_at,
                )
            )
        return results
