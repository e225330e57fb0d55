"""Subjects (考核对象) of one locality: units, teams or people assessed, or free-standing ones,
each with its category; listed, created, changed and deleted (refused while anything refers
to it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from core.context import Actor, AppContext
from core.models import Person, Subject, Team, Unit
from core.schemas.base import Page
from core.schemas.org import SubjectIn, SubjectOut, SubjectPatch
from core.services.access import ADMIN_READ_ROLES, OFFICE_ROLES, locality_for, require_role
from core.services.errors import Conflict, field_error
from core.services.paging import paginate
from core.services.row_edits import editing, get_in_locality, get_in_locality_field

_SUBJECT_REFS: dict[str, tuple[type[SQLModel], str]] = {
    "unit": (Unit, "unit"),
    "team": (Team, "team"),
    "person": (Person, "person"),
}


def subject_out(_session: Session, subject: Subject) -> SubjectOut:
    return SubjectOut.model_validate(subject)


def list_subjects(
    ctx: AppContext, actor: Actor, code: str, *, category: str | None = None, limit: int = 100, offset: int = 0
) -> Page[SubjectOut]:
    require_role(actor, ADMIN_READ_ROLES, "read subjects")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        query = select(Subject).where(Subject.locality_id == locality.id)
        if category:
            query = query.where(Subject.category == category)
        return paginate(session, query.order_by(col(Subject.id)), limit, offset, subject_out)


def get_subject(ctx: AppContext, actor: Actor, code: str, subject_id: int) -> SubjectOut:
    require_role(actor, ADMIN_READ_ROLES, "read subjects")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        return subject_out(session, get_in_locality(session, Subject, locality.id, subject_id, "subject"))


def create_subject(ctx: AppContext, actor: Actor, code: str, data: SubjectIn) -> SubjectOut:
    require_role(actor, OFFICE_ROLES, "change subjects")
    conflict = f"{data.kind} {data.ref_id} is already a subject"
    with editing(ctx, actor, code, "subject", subject_out, conflict=conflict) as edit:
        session, locality_id = edit.session, edit.locality_id
        if data.ref_id is not None:
            model, label = _SUBJECT_REFS[data.kind]
            get_in_locality_field(session, model, locality_id, data.ref_id, "ref_id", label)
            existing = session.exec(
                select(Subject.id).where(
                    Subject.locality_id == locality_id, Subject.kind == data.kind, Subject.ref_id == data.ref_id
                )
            ).first()
            if existing is not None:
                raise Conflict(f"{data.kind} {data.ref_id} is already subject {existing}")
        return edit.saved(Subject(locality_id=locality_id, **data.model_dump()))


def update_subject(ctx: AppContext, actor: Actor, code: str, subject_id: int, data: SubjectPatch) -> SubjectOut:
    require_role(actor, OFFICE_ROLES, "change subjects")
    changes = data.model_dump(exclude_unset=True)
    with editing(ctx, actor, code, "subject", subject_out) as edit:
        subject = edit.load(Subject, subject_id)
        for field, value in changes.items():
            if value is None:
                raise field_error(field, "must not be null")
            setattr(subject, field, value)
        return edit.saved(subject)


# What refers to a subject, and how a refusal to delete it names each (message ids, core/locales).
SUBJECT_STILL_USED = "subject {name} cannot be deleted: campaigns, indicator values, results or ballots refer to it"
SUBJECT_USES = {
    "campaigns": "{n} campaign(s) assess it",
    "indicator_values": "{n} indicator value(s) are for it",
    "results": "{n} campaign result(s) are for it",
    "adjustments": "{n} adjustment(s) of results are for it",
    "ballots": "{n} ballot(s) rate it",
}


def subject_uses(session: Session, subject_id: int) -> dict[str, int]:
    from core.models import Adjustment, Ballot, BallotPosition, CampaignResult, CampaignSubject, IndicatorValue

    def count(column: Any, where: Any, distinct: bool = False) -> int:
        return session.exec(select(func.count(func.distinct(column) if distinct else column)).where(where)).one()

    return {
        "campaigns": count(CampaignSubject.campaign_id, CampaignSubject.subject_id == subject_id),
        "indicator_values": count(IndicatorValue.id, IndicatorValue.subject_id == subject_id),
        "results": count(CampaignResult.campaign_id, CampaignResult.subject_id == subject_id),
        "adjustments": count(Adjustment.id, Adjustment.subject_id == subject_id),
        # ballots name subjects by id only, through their category's item order (no foreign key):
        # they would be left pointing at nothing
        "ballots": count(
            Ballot.id,
            select(BallotPosition.position)
            .where(
                BallotPosition.campaign_id == Ballot.campaign_id,
                BallotPosition.category_id == Ballot.category_id,
                BallotPosition.subject_id == subject_id,
            )
            .exists(),
        ),
    }


def delete_subject(ctx: AppContext, actor: Actor, code: str, subject_id: int) -> None:
    """Delete a subject that nothing refers to; 409 naming what still does (campaigns,
    indicator values, results, adjustments, ballots), as the database would refuse it."""
    require_role(actor, OFFICE_ROLES, "change subjects")
    with editing(ctx, actor, code, "subject", subject_out) as edit:
        subject = edit.load(Subject, subject_id)
        uses = {what: n for what, n in subject_uses(edit.session, subject.id).items() if n}
        if uses:
            raise Conflict(
                SUBJECT_STILL_USED,
                params={"name": subject.name},
                errors=[{"field": what, "message": SUBJECT_USES[what].format(n=n)} for what, n in uses.items()],
            )
        edit.deleted(subject)
