"""The office's side of a quarter: opening it with a template (frozen from then on), listing
the quarters, locking and publishing (each person with a grade notified at once)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import IndicatorTemplate, Locality, Role, User
from core.models.base import utcnow
from core.models.indicators import TemplateStatus
from core.services import audit
from core.services.access import OFFICE_ROLES, locality_for
from core.services.errors import Conflict, Forbidden, Invalid
from plugins.worklog.evaluation.rules import dimensions_of, find_quarter, parse_quarter, quarter_out, require_office
from plugins.worklog.evaluation_schemas import QuarterIn, QuarterOut
from plugins.worklog.models import Evaluation, EvaluationQuarter, QuarterStatus

PUBLISHED_MESSAGE = "your evaluation of {period} is published: {grade}"


def open_quarter(ctx: AppContext, actor: Actor, code: str, data: QuarterIn) -> QuarterOut:
    """Open ``data.period`` for grading with ``data.template_id`` (frozen from now on). Office only."""
    require_office(actor)
    period = parse_quarter(data.period)
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        template = session.get(IndicatorTemplate, data.template_id)
        if template is None or template.locality_id != locality.id:
            raise Invalid(
                "template_id: no indicator template {template_id} in this locality",
                params={"template_id": data.template_id},
                errors=[{"field": "template_id", "message": "unknown template"}],
            )
        leaves, _ = dimensions_of(session, template.id)
        if not leaves or len(template.grade_scale or []) < 2:
            raise Invalid(
                "template_id: the template {name} has no graded indicators or no grade scale to grade with",
                params={"name": template.name},
                errors=[{"field": "template_id", "message": "nothing to grade"}],
            )
        exists = session.exec(
            select(EvaluationQuarter.id).where(
                EvaluationQuarter.locality_id == locality.id, EvaluationQuarter.period == str(period)
            )
        ).first()
        if exists is not None:
            raise Conflict("the evaluation of {period} is already open", params={"period": str(period)})
        row = EvaluationQuarter(locality_id=locality.id, period=str(period), template_id=template.id)
        session.add(row)
        session.execute(
            update(IndicatorTemplate)
            .where(col(IndicatorTemplate.id) == template.id)
            .values(status=TemplateStatus.frozen)
        )
        session.flush()
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="worklog.quarter.open",
            target_type="worklog_quarter",
            target_id=row.id,
            after={"period": row.period, "template_id": template.id, "template": template.name},
        )
        return quarter_out(session, row)


def list_quarters(ctx: AppContext, actor: Actor, code: str) -> list[QuarterOut]:
    """Every quarter opened, newest first: for the office and leaders (who grade them)."""
    if actor.role not in (*OFFICE_ROLES, Role.leader):
        raise Forbidden("your role ({role}) may not manage the quarterly evaluation", params={"role": actor.role})
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        rows = session.exec(
            select(EvaluationQuarter)
            .where(EvaluationQuarter.locality_id == locality.id)
            .order_by(col(EvaluationQuarter.period).desc())
        ).all()
        return [quarter_out(session, r) for r in rows]


def _move(ctx: AppContext, actor: Actor, code: str, period: Any, to: QuarterStatus) -> QuarterOut:
    require_office(actor)
    when = parse_quarter(period)
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        row = find_quarter(session, locality, when)
        before = row.status
        wanted_before = QuarterStatus.open if to is QuarterStatus.locked else QuarterStatus.locked
        if row.status == to.value:
            return quarter_out(session, row)
        if row.status != wanted_before.value:
            raise Conflict(
                "the evaluation of {period} is published already: it can no longer be locked"
                if to is QuarterStatus.locked
                else "the evaluation of {period} is still open: lock it before publishing",
                params={"period": row.period},
            )
        row.status = to.value
        if to is QuarterStatus.locked:
            row.locked_at = utcnow()
        else:
            row.published_at = utcnow()
            _notify_published(session, locality, row)
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action=f"worklog.quarter.{'lock' if to is QuarterStatus.locked else 'publish'}",
            target_type="worklog_quarter",
            target_id=row.id,
            before={"status": before},
            after={"status": row.status, "period": row.period},
        )
        return quarter_out(session, row)


def lock_quarter(ctx: AppContext, actor: Actor, code: str, period: Any) -> QuarterOut:
    """Close grading of ``period`` (office only; locking twice changes nothing)."""
    return _move(ctx, actor, code, period, QuarterStatus.locked)


def publish_quarter(ctx: AppContext, actor: Actor, code: str, period: Any) -> QuarterOut:
    """Show each graded person their grade and notify them (office only; the quarter must be locked)."""
    return _move(ctx, actor, code, period, QuarterStatus.published)


def _notify_published(session: Session, locality: Locality, row: EvaluationQuarter) -> None:
    """Notify every graded person's account: one INSERT per grade given (``notify_many``), not
    one per person (a county publishes tens of thousands at once)."""
    from core.services.notifications import notify_many

    by_grade: dict[str, list[int]] = {}
    for user_id, grade in session.exec(
        select(User.id, Evaluation.grade)
        .join(Evaluation, col(Evaluation.person_id) == User.person_id)
        .where(Evaluation.quarter_id == row.id, User.locality_id == locality.id)
        .order_by(col(User.id))
    ):
        by_grade.setdefault(grade, []).append(user_id)
    for grade, user_ids in by_grade.items():
        notify_many(
            session,
            locality.id,
            user_ids,
            "worklog.evaluation",
            PUBLISHED_MESSAGE,
            {"period": row.period, "grade": grade},
            link="/me/worklog/quarters",
        )
