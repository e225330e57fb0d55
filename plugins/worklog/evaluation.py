"""The quarterly evaluation (季度评价): leaders grade the people they supervise every quarter by
choosing qualitative descriptions; the scores behind them stay hidden.

**The template.** The office opens a quarter (``2026-Q4``) with one of the locality's indicator
templates: its graded leaves are the dimensions (e.g. 德 能 勤 绩 廉), its grade scale the
descriptions with their hidden scores (``[{"label": "好", "score": 95}, ...]``, best first),
exactly as the ballots use them. Opening freezes the template (as opening a campaign does), so
the scores cannot change under grades already given.

**Grading.** A leader (``supervision.supervised_units``: their unit and the units they are in
charge of) picks, for each person of those units but themself, one label per dimension. They
see the labels and each dimension's standard, never a score. Every dimension must be graded;
the person's score is the mean of the labels' scores weighted by the dimensions' weights
(dimensions of weight 0 are shown and graded but not weighted), and their overall grade is the
label of the template's overall indicator if it has one, else the label whose score is nearest
the weighted score (the better on a tie). A grade can be changed until the office locks the
quarter; each grading is audited (labels only).

**The office** (``office``, ``platform_admin``) sees every score and grade, a summary per unit
(people, graded, mean score), locks the quarter (no more grading) and publishes it: then each
person sees their own grade (the label, not the score) and the leader who graded; they are
notified. Opening, locking and publishing are audited.

Errors: a period that is not a quarter, a template of another locality or without graded
dimensions, a grade not in the scale, a missing dimension: 422; a quarter opened twice, grading
a locked quarter, publishing one not locked: 409; a person the leader does not supervise, a
quarter not opened, another locality: 404; other roles: 403.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import IndicatorTemplate, Locality, Person, Role, Unit, User
from core.models.base import utcnow
from core.models.indicators import Indicator, TemplateStatus
from core.periods import Period, PeriodKind
from core.services import audit
from core.services.access import OFFICE_ROLES, locality_for
from core.services.errors import Conflict, Forbidden, Invalid, NotFound
from core.services.templates import graded_leaves, load_indicators
from plugins.worklog import graders
from plugins.worklog.evaluation_schemas import (  # the shapes, callers read them from here too
    Dimension,
    GradesIn,
    MyResult,
    QuarterIn,
    QuarterOut,
    ResultRow,
    Sheet,
    SheetRow,
    Summary,
    UnitSummary,
)
from plugins.worklog.models import EntryKind, EntryStatus, Evaluation, EvaluationQuarter, QuarterStatus, WorkEntry
from plugins.worklog.supervision import own_person

NO_QUARTER = "the evaluation of {period} has not been opened"
NO_PERSON = "no person with id {person_id}"
PUBLISHED_MESSAGE = "your evaluation of {period} is published: {grade}"


# --- helpers -------------------------------------------------------------------------------------


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


def _require_office(actor: Actor) -> None:
    if actor.role not in OFFICE_ROLES:
        raise Forbidden("your role ({role}) may not manage the quarterly evaluation", params={"role": actor.role})


def _quarter(session: Session, locality: Locality, period: Period) -> EvaluationQuarter:
    row = session.exec(
        select(EvaluationQuarter).where(
            EvaluationQuarter.locality_id == locality.id, EvaluationQuarter.period == str(period)
        )
    ).first()
    if row is None:
        raise NotFound(NO_QUARTER, params={"period": str(period)})
    return row


def _quarter_out(session: Session, row: EvaluationQuarter) -> QuarterOut:
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


def _dimensions(session: Session, template_id: int) -> tuple[list[Indicator], Indicator | None]:
    """The graded leaves of the template and its overall indicator (if any)."""
    leaves = graded_leaves(load_indicators(session, template_id))
    overall = next((i for i in leaves if i.overall), None)
    return leaves, overall


def _dimension_out(leaves: list[Indicator]) -> list[Dimension]:
    return [Dimension(id=i.id, name=i.name, standard=i.standard) for i in leaves]


def score_of(grades: dict[int, str], leaves: list[Indicator], scale: list[dict], overall: Indicator | None):
    """(score, grade) of complete ``grades`` (the module docstring's rule)."""
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


# --- the office ----------------------------------------------------------------------------------


def open_quarter(ctx: AppContext, actor: Actor, code: str, data: QuarterIn) -> QuarterOut:
    """Open ``data.period`` for grading with ``data.template_id`` (frozen from now on). Office only."""
    _require_office(actor)
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
        leaves, _ = _dimensions(session, template.id)
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
        return _quarter_out(session, row)


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
        return [_quarter_out(session, r) for r in rows]


def _move(ctx: AppContext, actor: Actor, code: str, period: Any, to: QuarterStatus) -> QuarterOut:
    _require_office(actor)
    when = parse_quarter(period)
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        row = _quarter(session, locality, when)
        before = row.status
        wanted_before = QuarterStatus.open if to is QuarterStatus.locked else QuarterStatus.locked
        if row.status == to.value:
            return _quarter_out(session, row)
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
        return _quarter_out(session, row)


def lock_quarter(ctx: AppContext, actor: Actor, code: str, period: Any) -> QuarterOut:
    """Close grading of ``period`` (office only; locking twice changes nothing)."""
    return _move(ctx, actor, code, period, QuarterStatus.locked)


def publish_quarter(ctx: AppContext, actor: Actor, code: str, period: Any) -> QuarterOut:
    """Show each graded person their grade and notify them (office only; the quarter must be locked)."""
    return _move(ctx, actor, code, period, QuarterStatus.published)


def _notify_published(session: Session, locality: Locality, row: EvaluationQuarter) -> None:
    from core.services.notifications import notify

    graded = session.exec(
        select(User.id, Evaluation.grade)
        .join(Evaluation, col(Evaluation.person_id) == User.person_id)
        .where(Evaluation.quarter_id == row.id, User.locality_id == locality.id)
    ).all()
    for user_id, grade in graded:
        notify(
            session,
            locality.id,
            user_id,
            "worklog.evaluation",
            PUBLISHED_MESSAGE,
            {"period": row.period, "grade": grade},
            link="/me/worklog/quarters",
        )


def summary(ctx: AppContext, actor: Actor, code: str, period: Any, unit_id: int | None = None) -> Summary:
    """A summary per unit (people, graded, mean score, how many of each grade) and, for
    ``unit_id``, its people with their grades, scores and who graded them. Office only; 404
    for a unit of another locality."""
    _require_office(actor)
    when = parse_quarter(period)
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        row = _quarter(session, locality, when)
        template = session.get(IndicatorTemplate, row.template_id)
        leaves, _ = _dimensions(session, row.template_id)
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
            quarter=_quarter_out(session, row),
            dimensions=_dimension_out(leaves),
            scale=list(template.grade_scale or []),
            units=summaries,
            rows=rows,
        )


# --- leaders -------------------------------------------------------------------------------------


def sheet(ctx: AppContext, actor: Actor, code: str, period: Any, unit_id: int | None = None) -> Sheet:
    """A leader's grading sheet for one unit holding people they grade (``graders``: by default
    the units they supervise; default: the first, their own), with those people only: labels
    without scores. 403 for other roles; 404 for a unit where they grade nobody."""
    if actor.role != Role.leader:
        raise Forbidden("only a supervising leader grades people")
    when = parse_quarter(period)
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code)
        row = _quarter(session, locality, when)
        allowed = graders.grader_units(session, actor, locality, row)
        if unit_id is not None and unit_id not in allowed:
            raise NotFound("no unit with id {unit_id}", params={"unit_id": unit_id})
        unit_id = unit_id if unit_id is not None else (allowed[0] if allowed else None)
        template = session.get(IndicatorTemplate, row.template_id)
        leaves, _ = _dimensions(session, row.template_id)
        people = (
            [(p.id, p.name) for p in graders.graded_people(session, actor, locality, row, unit_id)]
            if unit_id is not None
            else []
        )
        names = dict(session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(allowed or [-1]))).all())
        found = {
            e.person_id: e
            for e in session.exec(
                select(Evaluation).where(
                    Evaluation.quarter_id == row.id, col(Evaluation.person_id).in_([p for p, _ in people] or [-1])
                )
            )
        }
        own_words = dict(
            session.exec(
                select(WorkEntry.person_id, WorkEntry.id).where(
                    WorkEntry.locality_id == locality.id,
                    WorkEntry.kind == EntryKind.quarterly_self_assessment.value,
                    WorkEntry.period == row.period,
                    WorkEntry.status == EntryStatus.submitted.value,
                    col(WorkEntry.person_id).in_([p for p, _ in people] or [-1]),
                )
            ).all()
        )
        return Sheet(
            quarter=_quarter_out(session, row),
            unit_id=unit_id,
            labels=[g["label"] for g in template.grade_scale],
            dimensions=_dimension_out(leaves),
            units=[{"id": u, "name": names[u]} for u in allowed if u in names],
            rows=[
                SheetRow(
                    person_id=pid,
                    person_name=name,
                    grades={int(k): v for k, v in found[pid].grades.items()} if pid in found else {},
                    graded_at=found[pid].graded_at if pid in found else None,
                    self_assessment_id=own_words.get(pid),
                )
                for pid, name in people
            ],
        )


def grade(ctx: AppContext, actor: Actor, code: str, period: Any, person_id: int, data: GradesIn) -> SheetRow:
    """Grade (or grade again) a person a leader supervises; answers the row as the leader sees
    it (labels only). See the module docstring for the errors."""
    if actor.role != Role.leader:
        raise Forbidden("only a supervising leader grades people")
    when = parse_quarter(period)
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        row = _quarter(session, locality, when)
        person = session.get(Person, person_id)
        if person is None or person.locality_id != locality.id:
            raise NotFound(NO_PERSON, params={"person_id": person_id})
        if not graders.grades(session, actor, locality, row, person):  # not theirs to grade (graders.py)
            raise NotFound(NO_PERSON, params={"person_id": person_id})
        if row.status != QuarterStatus.open.value:
            raise Conflict(
                "the evaluation of {period} is locked: grades can no longer change", params={"period": row.period}
            )
        template = session.get(IndicatorTemplate, row.template_id)
        leaves, overall = _dimensions(session, row.template_id)
        labels = [g["label"] for g in template.grade_scale]
        names = {i.id: i.name for i in leaves}
        problems: list[tuple[str, str, dict]] = []  # (field, message id, params)
        for key, label in data.grades.items():
            if key not in names:
                problems.append((f"grades.{key}", "no dimension {key} in this evaluation", {"key": key}))
            elif label not in labels:
                problems.append(
                    (
                        f"grades.{key}",
                        "{dimension}: {label} is not one of the grades {labels}",
                        {"dimension": names[key], "label": label, "labels": "、".join(labels)},
                    )
                )
        for i in leaves:
            if i.id not in data.grades:
                problems.append((f"grades.{i.id}", "{dimension}: choose a grade", {"dimension": i.name}))
        if problems:
            _field, message, params = problems[0]
            raise Invalid(
                message,
                params=params,
                errors=[{"field": f, "message": m.format(**p)} for f, m, p in problems],
            )
        grades = {i.id: data.grades[i.id] for i in leaves}
        score, overall_grade = score_of(grades, leaves, template.grade_scale, overall)
        evaluation = session.exec(
            select(Evaluation).where(Evaluation.quarter_id == row.id, Evaluation.person_id == person.id)
        ).first()
        before = dict(evaluation.grades) if evaluation else None
        if evaluation is None:
            evaluation = Evaluation(locality_id=locality.id, quarter_id=row.id, person_id=person.id, score=0, grade="")
        evaluation.grades = {str(k): v for k, v in grades.items()}
        evaluation.score = score
        evaluation.grade = overall_grade
        evaluation.graded_by = actor.user_id
        evaluation.graded_at = utcnow()
        session.add(evaluation)
        session.flush()
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="worklog.evaluation.grade",
            target_type="worklog_evaluation",
            target_id=evaluation.id,
            before={"grades": before} if before is not None else None,
            after={"period": row.period, "person_id": person.id, "grades": evaluation.grades},
        )
        return SheetRow(person_id=person.id, person_name=person.name, grades=grades, graded_at=evaluation.graded_at)


# --- the person ----------------------------------------------------------------------------------


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
            leaves, _ = _dimensions(session, quarter.template_id)
            results.append(
                MyResult(
                    period=quarter.period,
                    grade=evaluation.grade,
                    dimensions=_dimension_out(leaves),
                    grades={int(k): v for k, v in evaluation.grades.items()},
                    published_at=quarter.published_at,
                )
            )
        return results
