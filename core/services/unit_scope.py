"""What a unit admin's unit covers among the subjects (SPEC 11: unit roles are scoped to units):
the subject that is the unit itself, those that are its people and those that are its leadership
teams. Models only, so any service may use it without an import circle."""

from __future__ import annotations

from sqlalchemy import and_, or_
from sqlmodel import col, select

from core.models import Person, Subject, Team


def own_subjects(locality_id: int, unit_id: int):
    """A query of the ids of the locality's subjects that are the unit, its people or its teams."""
    return select(Subject.id).where(
        Subject.locality_id == locality_id,
        or_(
            and_(Subject.kind == "unit", Subject.ref_id == unit_id),
            and_(
                Subject.kind == "person",
                col(Subject.ref_id).in_(
                    select(Person.id).where(Person.locality_id == locality_id, Person.unit_id == unit_id)
                ),
            ),
            and_(
                Subject.kind == "team",
                col(Subject.ref_id).in_(
                    select(Team.id).where(Team.locality_id == locality_id, Team.unit_id == unit_id)
                ),
            ),
        ),
    )
