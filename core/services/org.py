"""Units, leadership teams and people of one locality (subjects: ``core.services.subjects``).
Each change is one audited write in the locality (``core.services.row_edits.editing``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Person, Role, Subject, Team, TeamMember, Unit, User
from core.models.base import utcnow
from core.schemas.base import MAX_ID, Page  # noqa: F401 - MAX_ID read by the API from here
from core.schemas.org import (
    PersonIn,
    PersonOut,
    PersonPatch,
    TeamIn,
    TeamMemberOut,
    TeamOut,
    TeamPatch,
    UnitIn,
    UnitOut,
    UnitPatch,
)
from core.security import Keyring, mask_id_card
from core.services import audit
from core.services.access import (
    ADMIN_READ_ROLES,
    OFFICE_ROLES,
    locality_for,
    require_role,
)
from core.services.errors import Conflict, NotFound, field_error
from core.services.paging import paginate
from core.services.row_edits import editing, get_in_locality, get_in_locality_field

# --- units -----------------------------------------------------------------------------------


def unit_out(_session: Session, unit: Unit) -> UnitOut:
    return UnitOut.model_validate(unit)


def _check_unit_parent(session: Session, locality_id: int, unit_id: int | None, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = session.get(Unit, parent_id)
    if parent is None or parent.locality_id != locality_id:
        raise field_error("parent_id", f"no unit with id {parent_id} in this locality")
    seen = set()
    current: Unit | None = parent
    while current is not None:
        if current.id == unit_id:
            raise field_error("parent_id", f"unit {parent_id} is below this unit: the tree would have a cycle")
        if current.id in seen:  # pragma: no cover - defensive, the tree is kept acyclic
            break
        seen.add(current.id)
        current = session.get(Unit, current.parent_id) if current.parent_id else None


def list_units(ctx: AppContext, actor: Actor, code: str, *, limit: int = 100, offset: int = 0) -> Page[UnitOut]:
    require_role(actor, ADMIN_READ_ROLES, "read units")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        query = select(Unit).where(Unit.locality_id == locality.id).order_by(Unit.code)
        return paginate(session, query, limit, offset, unit_out)


def get_unit(ctx: AppContext, actor: Actor, code: str, unit_id: int) -> UnitOut:
    require_role(actor, ADMIN_READ_ROLES, "read units")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        return unit_out(session, get_in_locality(session, Unit, locality.id, unit_id, "unit"))


def create_unit(ctx: AppContext, actor: Actor, code: str, data: UnitIn) -> UnitOut:
    require_role(actor, OFFICE_ROLES, "change units")
    with editing(ctx, actor, code, "unit", unit_out, conflict=f"a unit with code {data.code!r} already exists") as edit:
        session = edit.session
        if session.exec(select(Unit.id).where(Unit.locality_id == edit.locality_id, Unit.code == data.code)).first():
            raise Conflict(f"a unit with code {data.code!r} already exists in this locality")
        _check_unit_parent(session, edit.locality_id, None, data.parent_id)
        return edit.saved(Unit(locality_id=edit.locality_id, **data.model_dump()))


def update_unit(ctx: AppContext, actor: Actor, code: str, unit_id: int, data: UnitPatch) -> UnitOut:
    require_role(actor, OFFICE_ROLES, "change units")
    changes = data.model_dump(exclude_unset=True)
    conflict = f"a unit with code {changes.get('code')!r} already exists"
    with editing(ctx, actor, code, "unit", unit_out, conflict=conflict) as edit:
        session, locality_id = edit.session, edit.locality_id
        unit = edit.load(Unit, unit_id)
        for field in ("code", "name"):
            if field in changes and changes[field] is None:
                raise field_error(field, "must not be null")
        if "code" in changes and changes["code"] != unit.code:
            if session.exec(
                select(Unit.id).where(Unit.locality_id == locality_id, Unit.code == changes["code"])
            ).first():
                raise Conflict(f"a unit with code {changes['code']!r} already exists in this locality")
        if "parent_id" in changes:
            _check_unit_parent(session, locality_id, unit.id, changes["parent_id"])
        for field, value in changes.items():
            setattr(unit, field, value if value is not None or field == "parent_id" else "")
        unit.updated_at = utcnow()
        return edit.saved(unit)


def delete_unit(ctx: AppContext, actor: Actor, code: str, unit_id: int) -> None:
    require_role(actor, OFFICE_ROLES, "change units")
    with editing(ctx, actor, code, "unit", unit_out) as edit:
        session = edit.session
        unit = edit.load(Unit, unit_id)
        blockers = {
            "sub-units": session.exec(select(func.count()).where(Unit.parent_id == unit.id)).one(),
            "people": session.exec(select(func.count()).where(Person.unit_id == unit.id)).one(),
            "teams": session.exec(select(func.count()).where(Team.unit_id == unit.id)).one(),
            "users": session.exec(select(func.count()).where(User.unit_id == unit.id)).one(),
            "subjects": session.exec(
                select(func.count()).where(
                    Subject.locality_id == edit.locality_id, Subject.kind == "unit", Subject.ref_id == unit.id
                )
            ).one(),
        }
        in_use = [f"{count} {what}" for what, count in blockers.items() if count]
        if in_use:
            raise Conflict(f"unit {unit.code} is still used by {', '.join(in_use)}")
        edit.deleted(unit)


# --- teams -----------------------------------------------------------------------------------


def team_out(session: Session, team: Team) -> TeamOut:
    rows = session.exec(
        select(TeamMember, Person.name)
        .join(Person, Person.id == TeamMember.person_id)
        .where(TeamMember.team_id == team.id)
        .order_by(TeamMember.id)
    ).all()
    members = [
        TeamMemberOut(
            person_id=m.person_id,
            name=name,
            post=m.post,
            admin_post=m.admin_post,
            in_charge_of=m.in_charge_of,
            supervised_unit_ids=list(m.supervised_unit_ids or []),
            phone=m.phone,
        )
        for m, name in rows
    ]
    return TeamOut(
        id=team.id, unit_id=team.unit_id, name=team.name, type=team.type, term_end=team.term_end, members=members
    )


def _set_members(session: Session, locality_id: int, team: Team, members) -> None:
    seen: set[int] = set()
    for index, member in enumerate(members):
        get_in_locality_field(session, Person, locality_id, member.person_id, f"members[{index}].person_id", "person")
        if member.person_id in seen:
            raise field_error(f"members[{index}].person_id", f"person {member.person_id} is listed twice")
        seen.add(member.person_id)
        for position, unit_id in enumerate(member.supervised_unit_ids):
            get_in_locality_field(
                session, Unit, locality_id, unit_id, f"members[{index}].supervised_unit_ids[{position}]", "unit"
            )
    for old in session.exec(select(TeamMember).where(TeamMember.team_id == team.id)).all():
        session.delete(old)
    session.flush()
    for member in members:
        fields = member.model_dump()
        fields["supervised_unit_ids"] = list(dict.fromkeys(member.supervised_unit_ids))  # each unit once, in order
        session.add(TeamMember(locality_id=locality_id, team_id=team.id, **fields))


def list_teams(ctx: AppContext, actor: Actor, code: str, *, limit: int = 100, offset: int = 0) -> Page[TeamOut]:
    require_role(actor, ADMIN_READ_ROLES, "read teams")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        query = select(Team).where(Team.locality_id == locality.id).order_by(Team.id)
        if actor.role == Role.unit_admin:  # its own unit's teams: their members are people of that unit
            query = query.where(Team.unit_id == actor.unit_id)
        return paginate(session, query, limit, offset, team_out)


def get_team(ctx: AppContext, actor: Actor, code: str, team_id: int) -> TeamOut:
    require_role(actor, ADMIN_READ_ROLES, "read teams")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        team = get_in_locality(session, Team, locality.id, team_id, "team")
        if actor.role == Role.unit_admin and team.unit_id != actor.unit_id:
            raise NotFound(f"no team with id {team_id} in this locality")
        return team_out(session, team)


def create_team(ctx: AppContext, actor: Actor, code: str, data: TeamIn) -> TeamOut:
    require_role(actor, OFFICE_ROLES, "change teams")
    conflict = f"unit {data.unit_id} already has a team named {data.name!r}"
    with editing(ctx, actor, code, "team", team_out, conflict=conflict) as edit:
        session, locality_id = edit.session, edit.locality_id
        get_in_locality_field(session, Unit, locality_id, data.unit_id, "unit_id", "unit")
        if session.exec(
            select(Team.id).where(Team.locality_id == locality_id, Team.unit_id == data.unit_id, Team.name == data.name)
        ).first():
            raise Conflict(f"unit {data.unit_id} already has a team named {data.name!r}")
        team = Team(
            locality_id=locality_id, unit_id=data.unit_id, name=data.name, type=data.type, term_end=data.term_end
        )
        session.add(team)
        session.flush()
        _set_members(session, locality_id, team, data.members)
        return edit.saved(team)


def update_team(ctx: AppContext, actor: Actor, code: str, team_id: int, data: TeamPatch) -> TeamOut:
    require_role(actor, OFFICE_ROLES, "change teams")
    changes = data.model_dump(exclude_unset=True)
    with editing(ctx, actor, code, "team", team_out, conflict="the unit already has a team with that name") as edit:
        session, locality_id = edit.session, edit.locality_id
        team = edit.load(Team, team_id)
        for field in ("unit_id", "name", "type"):
            if field in changes and changes[field] is None:
                raise field_error(field, "must not be null")
        if changes.get("unit_id") is not None:
            get_in_locality_field(session, Unit, locality_id, changes["unit_id"], "unit_id", "unit")
            team.unit_id = changes["unit_id"]
        if changes.get("name") is not None:
            team.name = changes["name"]
        if changes.get("type") is not None:
            team.type = changes["type"]
        if "term_end" in changes:  # null clears it
            team.term_end = changes["term_end"]
        session.add(team)
        if data.members is not None:
            _set_members(session, locality_id, team, data.members)
        return edit.saved(team)


def delete_team(ctx: AppContext, actor: Actor, code: str, team_id: int) -> None:
    require_role(actor, OFFICE_ROLES, "change teams")
    with editing(ctx, actor, code, "team", team_out) as edit:
        session = edit.session
        team = edit.load(Team, team_id)  # as it was, with its members
        if session.exec(
            select(Subject.id).where(
                Subject.locality_id == edit.locality_id, Subject.kind == "team", Subject.ref_id == team.id
            )
        ).first():
            raise Conflict(f"team {team.id} is an assessment subject; delete the subject first")
        for member in session.exec(select(TeamMember).where(TeamMember.team_id == team.id)).all():
            session.delete(member)
        session.flush()  # members first: the database would otherwise cascade them away under the ORM
        edit.deleted(team)


# --- people ----------------------------------------------------------------------------------


def person_out(keys: Keyring):
    def convert(_session: Session, person: Person) -> PersonOut:
        masked = mask_id_card(keys.decrypt(person.id_card_cipher)) if person.id_card_cipher else None
        data = {name: getattr(person, name) for name in PersonOut.model_fields if name != "id_card_masked"}
        return PersonOut(**data, id_card_masked=masked)

    return convert


def people_scope(actor: Actor, query):
    """A unit admin sees and changes the people of its own unit only."""
    if actor.role == Role.unit_admin:
        return query.where(Person.unit_id == actor.unit_id)
    return query


def _person_in_scope(session: Session, actor: Actor, locality_id: int, person_id: int) -> Person:
    person = get_in_locality(session, Person, locality_id, person_id, "person")
    if actor.role == Role.unit_admin and person.unit_id != actor.unit_id:
        raise NotFound(f"no person with id {person_id} in this locality")
    return person


def _check_person_unit(session: Session, actor: Actor, locality_id: int, unit_id: int | None) -> None:
    if unit_id is None:
        if actor.role == Role.unit_admin:
            raise field_error("unit_id", "a unit admin can only keep people of its own unit")
        return
    get_in_locality_field(session, Unit, locality_id, unit_id, "unit_id", "unit")
    if actor.role == Role.unit_admin and unit_id != actor.unit_id:
        raise field_error("unit_id", "a unit admin can only keep people of its own unit")


def _apply_id_card(ctx: AppContext, person: Person, id_card: str | None) -> None:
    if id_card:
        person.id_card_cipher = ctx.keys.encrypt(id_card)
        person.id_card_digest = ctx.keys.digest(id_card)
    else:
        person.id_card_cipher = person.id_card_digest = None


def _check_id_card_unique(
    session: Session, ctx: AppContext, locality_id: int, id_card: str | None, person_id: int | None
) -> None:
    if not id_card:
        return
    existing = session.exec(
        select(Person.id).where(Person.locality_id == locality_id, Person.id_card_digest == ctx.keys.digest(id_card))
    ).first()
    if existing is not None and existing != person_id:
        raise Conflict(f"person {existing} already has this ID-card number")


def list_people(
    ctx: AppContext, actor: Actor, code: str, *, unit_id: int | None = None, limit: int = 100, offset: int = 0
) -> Page[PersonOut]:
    require_role(actor, ADMIN_READ_ROLES, "read people")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        query = people_scope(actor, select(Person).where(Person.locality_id == locality.id))
        if unit_id is not None:
            query = query.where(Person.unit_id == unit_id)
        return paginate(session, query.order_by(Person.id), limit, offset, person_out(ctx.keys))


def get_person(ctx: AppContext, actor: Actor, code: str, person_id: int) -> PersonOut:
    require_role(actor, ADMIN_READ_ROLES, "read people")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        return person_out(ctx.keys)(session, _person_in_scope(session, actor, locality.id, person_id))


def create_person(ctx: AppContext, actor: Actor, code: str, data: PersonIn) -> PersonOut:
    require_role(actor, OFFICE_ROLES | {Role.unit_admin}, "change people")
    with editing(ctx, actor, code, "person", person_out(ctx.keys)) as edit:
        session, locality_id = edit.session, edit.locality_id
        _check_person_unit(session, actor, locality_id, data.unit_id)
        _check_id_card_unique(session, ctx, locality_id, data.id_card, None)
        person = Person(locality_id=locality_id, **data.model_dump(exclude={"id_card"}))
        _apply_id_card(ctx, person, data.id_card)
        return edit.saved(person)


def update_person(ctx: AppContext, actor: Actor, code: str, person_id: int, data: PersonPatch) -> PersonOut:
    require_role(actor, OFFICE_ROLES | {Role.unit_admin}, "change people")
    changes = data.model_dump(exclude_unset=True)
    with editing(ctx, actor, code, "person", person_out(ctx.keys)) as edit:
        session, locality_id = edit.session, edit.locality_id
        person = edit.loaded(_person_in_scope(session, actor, locality_id, person_id))
        if "name" in changes and changes["name"] is None:
            raise field_error("name", "must not be null")
        if "unit_id" in changes:
            _check_person_unit(session, actor, locality_id, changes["unit_id"])
        if "id_card" in changes:
            _check_id_card_unique(session, ctx, locality_id, changes["id_card"], person.id)
            _apply_id_card(ctx, person, changes.pop("id_card"))
        for field, value in changes.items():
            setattr(
                person,
                field,
                value if value is not None or field == "unit_id" else ([] if field == "post_history" else ""),
            )
        person.updated_at = utcnow()
        return edit.saved(person)


def delete_person(ctx: AppContext, actor: Actor, code: str, person_id: int) -> None:
    require_role(actor, OFFICE_ROLES | {Role.unit_admin}, "change people")
    with editing(ctx, actor, code, "person", person_out(ctx.keys)) as edit:
        session, locality_id = edit.session, edit.locality_id
        person = edit.loaded(_person_in_scope(session, actor, locality_id, person_id))
        if session.exec(
            select(Subject.id).where(
                Subject.locality_id == locality_id, Subject.kind == "person", Subject.ref_id == person.id
            )
        ).first():
            raise Conflict(f"person {person.id} is an assessment subject; delete the subject first")
        for member in session.exec(select(TeamMember).where(TeamMember.person_id == person.id)).all():
            session.delete(member)
        session.flush()  # members first: the database would otherwise cascade them away under the ORM
        from core.services.people_accounts import detach_person

        detach_person(session, locality_id, person.id)  # their account is closed, kept for its history
        edit.deleted(person)


def audit_entries(
    ctx: AppContext, actor: Actor, code: str, *, limit: int = 100, offset: int = 0
) -> Page[dict[str, Any]]:
    require_role(actor, OFFICE_ROLES, "read the audit log")
    from core.models import AuditEntry

    def convert(_session: Session, entry: AuditEntry) -> dict[str, Any]:
        return {
            "id": entry.id,
            "at": audit._utc_iso(entry.at),
            "actor": entry.actor,
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "summary": entry.summary,
        }

    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        query = select(AuditEntry).where(AuditEntry.locality_id == locality.id).order_by(col(AuditEntry.id).desc())
        return paginate(session, query, limit, offset, convert)
