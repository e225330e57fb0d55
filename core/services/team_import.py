"""Import leadership teams (领导班子) from .xlsx or .csv: one row per member.

A team is known by its unit and name; the rows of one team give its type and its members in
order, and replace the members it had (a team not in the file is left alone). A member is
found among the locality's people by ID-card number, or else by name (one person of that
name in the team's unit, else in the locality); a name that fits several people is a row
error asking for the ID-card number. Supervised units (分管部门) are unit codes separated by
、 ， , ; or spaces. Every row is checked first; any problem: nothing is written (as for units
and people, ``core.services.imports``).
"""

from __future__ import annotations

from sqlmodel import Session, select

from core.context import Actor, AppContext
from core.models import Person, Team, TeamMember, Unit
from core.services import audit
from core.services.import_sheets import TEAM_COLUMNS, Table, _label
from core.services.team_members import UNIT_CODE_SEPARATORS, find_person


def import_teams(
    ctx: AppContext,
    session: Session,
    actor: Actor,
    locality_id: int,
    table: Table,
    rows: list[tuple[int, dict[str, str]]],
    errors: list[dict],
) -> tuple[int, int]:
    """Check ``rows`` (adding to ``errors``), then write the teams: (created, updated) teams."""
    units = {u.code: u for u in session.exec(select(Unit).where(Unit.locality_id == locality_id))}
    label = {key: _label(table, key, TEAM_COLUMNS) for key in ("unit_code", "name", "id_card", "supervised", "type")}
    names = {values["name"] for _n, values in rows if values.get("name")}
    people_by_name: dict[str, list[Person]] = {}
    for person in session.exec(select(Person).where(Person.locality_id == locality_id, Person.name.in_(names))):
        people_by_name.setdefault(person.name, []).append(person)
    digests = {ctx.keys.digest(values["id_card"]) for _n, values in rows if values.get("id_card")}
    people_by_digest = (
        {
            p.id_card_digest: p
            for p in session.exec(
                select(Person).where(Person.locality_id == locality_id, Person.id_card_digest.in_(digests))
            )
        }
        if digests
        else {}
    )

    teams: dict[tuple[int, str], dict] = {}  # (unit id, team name) -> {"type", "members": [(row, member)]}
    for number, values in rows:
        unit = units.get(values.get("unit_code", ""))
        if unit is None:
            if values.get("unit_code"):
                errors.append(
                    {
                        "row": number,
                        "column": label["unit_code"],
                        "message": f"no unit with code {values['unit_code']} in this locality",
                    }
                )
            continue
        team = teams.setdefault((unit.id, values["team"]), {"type": "", "members": [], "type_row": 0})
        if values.get("type"):
            if team["type"] and team["type"] != values["type"]:
                errors.append(
                    {
                        "row": number,
                        "column": label["type"],
                        "message": f"another type than on row {team['type_row']} for the same team",
                    }
                )
            elif not team["type"]:
                team["type"], team["type_row"] = values["type"], number
        digest = ctx.keys.digest(values["id_card"]) if values.get("id_card") else None
        person, problem = find_person(people_by_name, people_by_digest, unit.id, values["name"], digest)
        if person is None:
            errors.append({"row": number, "column": label["id_card" if digest else "name"], "message": problem})
            continue
        if any(m.person_id == person.id for _r, m in team["members"]):
            first = next(r for r, m in team["members"] if m.person_id == person.id)
            errors.append(
                {
                    "row": number,
                    "column": label["name"],
                    "message": f"{person.name} is already a member of this team on row {first}",
                }
            )
            continue
        supervised: list[int] = []
        for unit_code in filter(None, UNIT_CODE_SEPARATORS.split(values.get("supervised", ""))):
            if unit_code not in units:
                errors.append(
                    {
                        "row": number,
                        "column": label["supervised"],
                        "message": f"no unit with code {unit_code} in this locality",
                    }
                )
            elif units[unit_code].id not in supervised:
                supervised.append(units[unit_code].id)
        member = TeamMember(
            locality_id=locality_id,
            team_id=0,
            person_id=person.id,
            post=values.get("post", ""),
            admin_post=values.get("admin_post", ""),
            in_charge_of=values.get("in_charge_of", ""),
            phone=values.get("phone", ""),
            supervised_unit_ids=supervised,
        )
        team["members"].append((number, member))
    if errors:
        return 0, 0

    created = updated = 0
    for (unit_id, name), wanted in teams.items():
        team = session.exec(
            select(Team).where(Team.locality_id == locality_id, Team.unit_id == unit_id, Team.name == name)
        ).first()
        if team is None:
            team = Team(locality_id=locality_id, unit_id=unit_id, name=name, type=wanted["type"] or "other")
            session.add(team)
            session.flush()
            created += 1
        else:
            if wanted["type"]:
                team.type = wanted["type"]
                session.add(team)
            for old in session.exec(select(TeamMember).where(TeamMember.team_id == team.id)).all():
                session.delete(old)
            session.flush()
            updated += 1
        for _number, member in wanted["members"]:
            member.team_id = team.id
            session.add(member)
    session.flush()
    audit.record(
        session,
        actor,
        locality_id=locality_id,
        action="import.teams",
        target_type="team",
        after={"rows": len(rows), "created": created, "updated": updated},
    )
    return created, updated
