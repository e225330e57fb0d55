"""The leaders' side: the grading sheet of a unit (labels, never scores) and grading a person
(every dimension, a label of the scale; the score kept hidden; audited)."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import IndicatorTemplate, Person, Role, Unit
from core.models.base import utcnow
from core.services import audit
from core.services.access import locality_for
from core.services.errors import Conflict, Forbidden, Invalid, NotFound
from plugins.worklog import graders
from plugins.worklog.evaluation.rules import (
    NO_PERSON,
    dimensions_of,
    dimensions_out,
    find_quarter,
    parse_quarter,
    quarter_out,
    score_of,
)
from plugins.worklog.evaluation_schemas import GradesIn, Sheet, SheetRow
from plugins.worklog.models import EntryKind, EntryStatus, Evaluation, QuarterStatus, WorkEntry


def sheet(ctx: AppContext, actor: Actor, code: str, period: Any, unit_id: int | None = None) -> Sheet:
    """A leader's grading sheet for one unit holding people they grade (``graders``: by default
    the units they supervise; default: the first, their own), with those people only: labels
    without scores. 403 for other roles; 404 for a unit where they grade nobody."""
    if actor.role != Role.leader:
        raise Forbidden("only a supervising leader grades people")
    when = parse_quarter(period)
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code)
        row = find_quarter(session, locality, when)
        allowed = graders.grader_units(session, actor, locality, row)
        if unit_id is not None and unit_id not in allowed:
            raise NotFound("no unit with id {unit_id}", params={"unit_id": unit_id})
        unit_id = unit_id if unit_id is not None else (allowed[0] if allowed else None)
        template = session.get(IndicatorTemplate, row.template_id)
        leaves, _ = dimensions_of(session, row.template_id)
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
            quarter=quarter_out(session, row),
            unit_id=unit_id,
            labels=[g["label"] for g in template.grade_scale],
            dimensions=dimensions_out(leaves),
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
    it (labels only). See the package docstring for the errors."""
    if actor.role != Role.leader:
        raise Forbidden("only a supervising leader grades people")
    when = parse_quarter(period)
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        row = find_quarter(session, locality, when)
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
        leaves, overall = dimensions_of(session, row.template_id)
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
