"""Who grades whom in a quarter's evaluation: the office's choice, the supervising leaders by default.

**The rule.** In an opened quarter, a person is graded by

1. the leader the office assigned to that person, if any;
2. else the leader the office assigned to the person's unit, if any;
3. else, by default, every leader who supervises them (``supervision.supervised_units``: the
   unit they lead, and the units they are in charge of, 分管), as before assignments existed.

An assignment names one leader (an account of role ``leader`` of the locality); "back to the
default" deletes it. The office (``office``, ``platform_admin``) assigns while the quarter is
open: for a list of people or of units at once (bulk), each change audited
(``worklog.graders.assign``: who graded before and after). ``evaluation.sheet`` and
``evaluation.grade`` follow the rule: a leader sees only the people they grade, and grading
anyone else is a 404 as for a person they do not supervise.

Errors: a grader who is not a leader of the locality, neither people nor units, people or units
of another locality: 422; a quarter locked or published: 409; a quarter not opened: 404; other
roles: 403.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Locality, Person, Role, Unit, User
from core.schemas.base import In
from core.services import audit
from core.services.access import OFFICE_ROLES, locality_for
from core.services.errors import Conflict, Forbidden, Invalid, NotFound
from plugins.worklog.models import EvaluationQuarter, GraderAssignment, QuarterStatus
from plugins.worklog.supervision import own_person, supervised_units

MAX_BULK = 5000  # people or units in one assignment


class AssignIn(In):
    """Assign ``grader_id`` (a leader's user id; null: back to the supervising leaders) to the
    people ``person_ids`` and to the units ``unit_ids`` (either may be empty, not both)."""

    grader_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    person_ids: list[int] = Field(default_factory=list, max_length=MAX_BULK)
    unit_ids: list[int] = Field(default_factory=list, max_length=MAX_BULK)


class GraderRow(BaseModel):
    """A person of the unit and who grades them: ``source`` ``person`` (assigned to them),
    ``unit`` (their unit's assignment) or ``default`` (the supervising leaders, ``grader`` null)."""

    person_id: int
    person_name: str
    grader_id: int | None
    grader: str | None
    source: str


class GraderList(BaseModel):
    period: str
    unit_id: int
    unit_grader_id: int | None  # the unit's assignment, if any
    rows: list[GraderRow]
    leaders: list[dict[str, Any]]  # [{"id", "name"}]: who may be assigned


class Assigned(BaseModel):
    people: int
    units: int
    grader_id: int | None


# --- the rule ------------------------------------------------------------------------------------


def assignments(session: Session, quarter: EvaluationQuarter, people: list[Person]) -> dict[int, int | None]:
    """For each of ``people``: the grader assigned (their own, else their unit's), or None for
    the default (the supervising leaders). One statement."""
    units = {p.unit_id for p in people if p.unit_id is not None}
    found = session.exec(
        select(GraderAssignment).where(
            GraderAssignment.quarter_id == quarter.id,
            or_(
                col(GraderAssignment.person_id).in_([p.id for p in people] or [-1]),
                col(GraderAssignment.unit_id).in_(units or [-1]),
            ),
        )
    ).all()
    by_person = {a.person_id: a.grader_id for a in found if a.person_id is not None}
    by_unit = {a.unit_id: a.grader_id for a in found if a.unit_id is not None}
    return {p.id: by_person.get(p.id, by_unit.get(p.unit_id)) for p in people}


def grades(session: Session, actor: Actor, locality: Locality, quarter: EvaluationQuarter, person: Person) -> bool:
    """Whether ``actor`` grades ``person`` in ``quarter`` (the module docstring's rule; never themself)."""
    if actor.role != Role.leader or person.locality_id != locality.id or person.unit_id is None:
        return False
    mine = own_person(session, actor, locality)
    if mine is not None and mine.id == person.id:
        return False
    assigned = assignments(session, quarter, [person])[person.id]
    if assigned is not None:
        return assigned == actor.user_id
    return person.unit_id in supervised_units(session, actor, locality)


def grader_units(session: Session, actor: Actor, locality: Locality, quarter: EvaluationQuarter) -> list[int]:
    """The units holding someone ``actor`` may grade: those they supervise (their own first),
    then those of the people and units assigned to them."""
    units = list(supervised_units(session, actor, locality))
    if actor.role != Role.leader or actor.user_id is None:
        return units
    assigned_units = session.exec(
        select(GraderAssignment.unit_id, Person.unit_id)
        .outerjoin(Person, col(Person.id) == GraderAssignment.person_id)
        .where(GraderAssignment.quarter_id == quarter.id, GraderAssignment.grader_id == actor.user_id)
    ).all()
    for unit, person_unit in assigned_units:
        units.append(unit if unit is not None else person_unit)
    return [u for u in dict.fromkeys(units) if u is not None]


def graded_people(
    session: Session, actor: Actor, locality: Locality, quarter: EvaluationQuarter, unit_id: int
) -> list[Person]:
    """The people of ``unit_id`` that ``actor`` grades in ``quarter``, in id order."""
    mine = own_person(session, actor, locality)
    people = [
        p
        for p in session.exec(
            select(Person).where(Person.locality_id == locality.id, Person.unit_id == unit_id).order_by(col(Person.id))
        )
        if mine is None or p.id != mine.id
    ]
    assigned = assignments(session, quarter, people)
    supervises_unit = unit_id in supervised_units(session, actor, locality)
    return [p for p in people if (assigned[p.id] == actor.user_id if assigned[p.id] is not None else supervises_unit)]


# --- the office ----------------------------------------------------------------------------------


def _office_quarter(session: Session, actor: Actor, code: str, period: Any) -> tuple[Locality, EvaluationQuarter]:
    from plugins.worklog.evaluation.rules import find_quarter, parse_quarter

    if actor.role not in OFFICE_ROLES:
        raise Forbidden("your role ({role}) may not manage the quarterly evaluation", params={"role": actor.role})
    when = parse_quarter(period)
    locality = locality_for(session, actor, code)
    return locality, find_quarter(session, locality, when)


def _leaders(session: Session, locality: Locality) -> dict[int, str]:
    """The accounts that may be assigned: active leaders of the locality, id -> their person's
    name (else the user name)."""
    return {
        uid: name or username
        for uid, username, name in session.exec(
            select(User.id, User.username, Person.name)
            .outerjoin(Person, col(Person.id) == User.person_id)
            .where(User.locality_id == locality.id, User.role == Role.leader.value, col(User.is_active))
            .order_by(col(User.id))
        )
    }


def list_graders(ctx: AppContext, actor: Actor, code: str, period: Any, unit_id: int) -> GraderList:
    """The people of ``unit_id`` and who grades each in ``period``, with the leaders that may be
    assigned. Office only; 404 for a unit of another locality."""
    with ctx.db.read() as session:
        locality, quarter = _office_quarter(session, actor, code, period)
        unit = session.get(Unit, unit_id)
        if unit is None or unit.locality_id != locality.id:
            raise NotFound("no unit with id {unit_id}", params={"unit_id": unit_id})
        people = session.exec(
            select(Person).where(Person.locality_id == locality.id, Person.unit_id == unit_id).order_by(col(Person.id))
        ).all()
        found = session.exec(
            select(GraderAssignment).where(
                GraderAssignment.quarter_id == quarter.id,
                or_(
                    col(GraderAssignment.person_id).in_([p.id for p in people] or [-1]),
                    GraderAssignment.unit_id == unit_id,
                ),
            )
        ).all()
        by_person = {a.person_id: a.grader_id for a in found if a.person_id is not None}
        by_unit = next((a.grader_id for a in found if a.unit_id == unit_id), None)
        leaders = _leaders(session, locality)
        rows = []
        for p in people:
            grader, source = (
                (by_person[p.id], "person")
                if p.id in by_person
                else (by_unit, "unit")
                if by_unit is not None
                else (None, "default")
            )
            rows.append(
                GraderRow(
                    person_id=p.id,
                    person_name=p.name,
                    grader_id=grader,
                    grader=leaders.get(grader) if grader is not None else None,
                    source=source,
                )
            )
        return GraderList(
            period=quarter.period,
            unit_id=unit_id,
            unit_grader_id=by_unit,
            rows=rows,
            leaders=[{"id": uid, "name": name} for uid, name in leaders.items()],
        )


def assign(ctx: AppContext, actor: Actor, code: str, period: Any, data: AssignIn) -> Assigned:
    """Assign a grader (or go back to the default) for people and units at once, audited."""
    person_ids, unit_ids = sorted(set(data.person_ids)), sorted(set(data.unit_ids))
    if not person_ids and not unit_ids:
        raise Invalid(
            "choose the people or the units whose grader to set",
            errors=[{"field": "person_ids", "message": "choose people or units"}],
        )
    with ctx.db.write() as session:
        locality, quarter = _office_quarter(session, actor, code, period)
        if quarter.status != QuarterStatus.open.value:
            raise Conflict(
                "the evaluation of {period} is locked: who grades whom can no longer change",
                params={"period": quarter.period},
            )
        if data.grader_id is not None and data.grader_id not in _leaders(session, locality):
            raise Invalid(
                "grader_id: {grader_id} is not a leader's account of this locality",
                params={"grader_id": data.grader_id},
                errors=[{"field": "grader_id", "message": "not a leader of this locality"}],
            )
        for ids, model, field in ((person_ids, Person, "person_ids"), (unit_ids, Unit, "unit_ids")):
            known = set(session.exec(select(model.id).where(model.locality_id == locality.id, col(model.id).in_(ids))))
            strangers = [i for i in ids if i not in known]
            if strangers:
                raise Invalid(
                    "{field}: {ids} not of this locality",
                    params={"field": field, "ids": ", ".join(map(str, strangers[:10]))},
                    errors=[{"field": field, "message": "not of this locality"}],
                )
        targets = or_(
            col(GraderAssignment.person_id).in_(person_ids or [-1]), col(GraderAssignment.unit_id).in_(unit_ids or [-1])
        )
        before = [
            {"person_id": a.person_id, "unit_id": a.unit_id, "grader_id": a.grader_id}
            for a in session.exec(select(GraderAssignment).where(GraderAssignment.quarter_id == quarter.id, targets))
        ]
        session.execute(delete(GraderAssignment).where(col(GraderAssignment.quarter_id) == quarter.id, targets))
        if data.grader_id is not None:
            session.add_all(
                [
                    GraderAssignment(
                        locality_id=locality.id, quarter_id=quarter.id, person_id=pid, grader_id=data.grader_id
                    )
                    for pid in person_ids
                ]
                + [
                    GraderAssignment(
                        locality_id=locality.id, quarter_id=quarter.id, unit_id=uid, grader_id=data.grader_id
                    )
                    for uid in unit_ids
                ]
            )
        session.flush()
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="worklog.graders.assign",
            target_type="worklog_quarter",
            target_id=quarter.id,
            before={"assignments": before},
            after={
                "period": quarter.period,
                "grader_id": data.grader_id,
                "person_ids": person_ids,
                "unit_ids": unit_ids,
            },
        )
        return Assigned(people=len(person_ids), units=len(unit_ids), grader_id=data.grader_id)
