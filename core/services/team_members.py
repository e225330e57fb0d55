"""A leadership team's members as offices name them: by name or ID-card number, supervised
units (分管部门) by unit code. Used by the team page and by the team import
(``core.services.team_import``); the team itself is written by ``core.services.org``.
"""

from __future__ import annotations

import io
import re
from typing import Any

from sqlmodel import Session, select

from core import tabular
from core.context import Actor, AppContext
from core.models import Person, Role, Team, TeamMember, Unit
from core.models.org import TEAM_TYPE_LABELS
from core.schemas.org import TeamMemberIn, check_id_card
from core.services.access import ADMIN_READ_ROLES, OFFICE_ROLES, locality_for, require_role
from core.services.errors import Invalid

UNIT_CODE_SEPARATORS = re.compile(r"[、，,;；\s]+")
MAX_MEMBERS = 200


def find_person(
    people_by_name: dict[str, list[Person]],
    people_by_digest: dict[str, Person],
    unit_id: int,
    name: str,
    digest: str | None,
) -> tuple[Person | None, str]:
    """The person a row names: by the keyed digest of an ID-card number (which must be that
    person's, named ``name``), else the one person called ``name`` in the team's unit, else in
    the locality. Returns (person, "") or (None, the reason as a message id with its values)."""
    if digest:
        person = people_by_digest.get(digest)
        if person is None:
            return None, "no person with this ID-card number in this locality; import the people first"
        if name and person.name != name:
            return None, f"this ID-card number is {person.name}'s, not {name}'s"
        return person, ""
    named = people_by_name.get(name, [])
    candidates = [p for p in named if p.unit_id == unit_id] or named
    if not candidates:
        return None, f"no person named {name} in this locality; import the people first"
    if len(candidates) > 1:
        return None, f"{len(candidates)} people are named {name}; add the ID-card number to say which one"
    return candidates[0], ""


def _as_id_card(text: str) -> str | None:
    try:
        return check_id_card(text)
    except ValueError:
        return None


def members_from_form(
    ctx: AppContext, actor: Actor, code: str, unit_id: int, rows: list[dict[str, str]]
) -> list[TeamMemberIn]:
    """The members a team form lists, in order. Each row: ``person`` (a name or an ID-card
    number; a row without it is skipped), ``person_id`` (the member it showed, kept while the
    name is unchanged), ``post``, ``admin_post``, ``in_charge_of``, ``supervised`` (unit codes),
    ``phone``. Raises Invalid with ``members[i].person`` / ``members[i].supervised`` errors."""
    require_role(actor, OFFICE_ROLES, "change teams")
    rows = [row for row in rows if row.get("person", "").strip()][:MAX_MEMBERS]
    errors: list[dict[str, Any]] = []
    members: list[TeamMemberIn] = []
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code)
        units = {u.code: u.id for u in session.exec(select(Unit).where(Unit.locality_id == locality.id))}
        for index, row in enumerate(rows):
            text = row["person"].strip()
            person = _shown_person(session, locality.id, row.get("person_id", ""), text)
            if person is None:
                card = _as_id_card(text)
                by_digest: dict[str, Person] = {}
                by_name: dict[str, list[Person]] = {}
                if card:
                    digest = ctx.keys.digest(card)
                    found = session.exec(
                        select(Person).where(Person.locality_id == locality.id, Person.id_card_digest == digest)
                    ).first()
                    by_digest = {digest: found} if found else {}
                    person, problem = find_person(by_name, by_digest, unit_id, "", digest)
                else:
                    by_name = {
                        text: list(
                            session.exec(
                                select(Person).where(Person.locality_id == locality.id, Person.name == text).limit(20)
                            )
                        )
                    }
                    person, problem = find_person(by_name, by_digest, unit_id, text, None)
                if person is None:
                    errors.append({"field": f"members[{index}].person", "message": problem})
                    continue
            supervised = []
            for unit_code in filter(None, UNIT_CODE_SEPARATORS.split(row.get("supervised", ""))):
                if unit_code not in units:
                    errors.append(
                        {
                            "field": f"members[{index}].supervised",
                            "message": f"no unit with code {unit_code} in this locality",
                        }
                    )
                elif units[unit_code] not in supervised:
                    supervised.append(units[unit_code])
            members.append(
                TeamMemberIn(
                    person_id=person.id,
                    post=row.get("post", ""),
                    admin_post=row.get("admin_post", ""),
                    in_charge_of=row.get("in_charge_of", ""),
                    supervised_unit_ids=supervised,
                    phone=row.get("phone", ""),
                )
            )
    if errors:
        raise Invalid(f"{len(errors)} problem(s) in the members; nothing was saved", errors=errors)
    return members


def _shown_person(session: Session, locality_id: int, person_id: str, text: str) -> Person | None:
    """The member a row showed, while its name is left as it was."""
    if not person_id.isdigit() or not 0 < int(person_id) < 2**31:
        return None
    person = session.get(Person, int(person_id))
    if person is None or person.locality_id != locality_id or person.name != text:
        return None
    return person


def member_rows(ctx: AppContext, actor: Actor, code: str, team_id: int) -> list[dict[str, Any]]:
    """A team's members as the team form shows them (``person`` the name, supervised unit codes)."""
    require_role(actor, ADMIN_READ_ROLES, "read teams")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        codes = dict(session.exec(select(Unit.id, Unit.code).where(Unit.locality_id == locality.id)).all())
        rows = session.exec(
            select(TeamMember, Person.name)
            .join(Person, Person.id == TeamMember.person_id)
            .where(TeamMember.locality_id == locality.id, TeamMember.team_id == team_id)
            .order_by(TeamMember.id)
        ).all()
        return [
            {
                "person": name,
                "person_id": str(m.person_id),
                "post": m.post,
                "admin_post": m.admin_post,
                "in_charge_of": m.in_charge_of,
                "phone": m.phone,
                "supervised": "、".join(codes.get(u, "?") for u in m.supervised_unit_ids or []),
            }
            for m, name in rows
        ]


def teams_workbook(ctx: AppContext, actor: Actor, code: str, locale: str = "zh_CN") -> bytes:
    """Every team of the locality with one row per member, in the columns of the team import
    (so the file can be edited and imported again; ID-card numbers are left out)."""
    from openpyxl import Workbook

    from core.services.import_sheets import TEAM_COLUMNS

    require_role(actor, ADMIN_READ_ROLES, "read teams")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "领导班子"
    tabular.append_row(sheet, [spec.headers[0] for spec in TEAM_COLUMNS])
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        units = {u.id: u.code for u in session.exec(select(Unit).where(Unit.locality_id == locality.id))}
        rows = session.exec(
            select(Team, TeamMember, Person.name)
            .join(TeamMember, TeamMember.team_id == Team.id, isouter=True)
            .join(Person, Person.id == TeamMember.person_id, isouter=True)
            .where(
                Team.locality_id == locality.id,
                *([Team.unit_id == actor.unit_id] if actor.role == Role.unit_admin else []),
            )  # its own unit's
            .order_by(Team.unit_id, Team.id, TeamMember.id)
        )
        for team, member, name in rows:
            type_label = TEAM_TYPE_LABELS.get(team.type, (team.type, team.type))[0 if locale == "zh_CN" else 1]
            values = {
                "unit_code": units.get(team.unit_id, ""),
                "team": team.name,
                "type": type_label,
                "name": name or "",
                "id_card": "",
            }
            if member is not None:
                values.update(
                    post=member.post,
                    admin_post=member.admin_post,
                    in_charge_of=member.in_charge_of,
                    supervised="、".join(units.get(u, "") for u in member.supervised_unit_ids or []),
                    phone=member.phone,
                )
            tabular.append_row(sheet, [values.get(spec.key, "") for spec in TEAM_COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
