"""The quarterly evaluation's shared rules: a quarter from its text, the office's role check,
the quarter row and its public shape, a template's dimensions, and the score of a set of grades
(the package docstring's rule)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from core.context import Actor
from core.models import IndicatorTemplate, Locality
from core.models.indicators import Indicator
from core.periods import Period, PeriodKind
from core.services.access import OFFICE_ROLES
from core.services.errors import Forbidden, Invalid, NotFound
from core.services.templates import graded_leaves, load_indicators
from plugins.worklog.evaluation_schemas import Dimension, QuarterOut
from plugins.worklog.models import EvaluationQuarter, QuarterStatus

NO_QUARTER = "the evaluation of {period} has not been opened"
NO_PERSON = "no person with id {person_id}"


def parse_quarter(value: Any) -> Period:
    from core.periods import PeriodError

    try:
        period = Period.parse(value)
    except PeriodError as exc:
        raise Invalid(exc.message, errors=[{"field": "period", "message": exc.message}]) from None
    if period.kind is not PeriodKind.quarter:
        raise Invalid(
            "period: the evaluation is by quarter, such as 2026-Q4, not {period}",
            params={"period": str(period)},
            errors=[{"field": "period", "message": "not a quarter"}],
        )
    return period


def require_office(actor: Actor) -> None:
    if actor.role not in OFFICE_ROLES:
        raise Forbidden("your role ({role}) may not manage the quarterly evaluation", params={"role": actor.role})


def find_quarter(session: Session, locality: Locality, period: Period) -> EvaluationQuarter:
    row = session.exec(
        select(EvaluationQuarter).where(
            EvaluationQuarter.locality_id == locality.id, EvaluationQuarter.period == str(period)
        )
    ).first()
    if row is None:
        raise NotFound(NO_QUARTER, params={"period": str(period)})
    return row


def quarter_out(session: Session, row: EvaluationQuarter) -> QuarterOut:
    template = session.get(IndicatorTemplate, row.template_id)
    return QuarterOut(
        period=row.period,
        template_id=row.template_id,
        template_name=template.name if template else "",
        status=QuarterStatus(row.status),
        opened_at=row.opened_at,
        locked_at=row.locked_at,
        published_at=row.published_at,
    )


def dimensions_of(session: Session, template_id: int) -> tuple[list[Indicator], Indicator | None]:
    """The graded leaves of the template and its overall indicator (if any)."""
    leaves = graded_leaves(load_indicators(session, template_id))
    overall = next((i for i in leaves if i.overall), None)
    return leaves, overall


def dimensions_out(leaves: list[Indicator]) -> list[Dimension]:
    return [Dimension(id=i.id, name=i.name, standard=i.standard) for i in leaves]


def score_of(grades: dict[int, str], leaves: list[Indicator], scale: list[dict], overall: Indicator | None):
    """(score, grade) of complete ``grades`` (the package docstring's rule)."""
    scores = {g["label"]: float(g["score"]) for g in scale}
    weighted = [(i.weight, scores[grades[i.id]]) for i in leaves if i.weight > 0]
    total = sum(w for w, _ in weighted)
    score = (
        sum(w * s for w, s in weighted) / total if total else sum(scores[grades[i.id]] for i in leaves) / len(leaves)
    )
    if overall is not None:
        return score, grades[overall.id]
    nearest = min(range(len(scale)), key=lambda k: (abs(float(scale[k]["score"]) - score), k))
    return score, scale[nearest]["label"]
