"""Import units, people and leadership teams (``core.services.team_import``) from .xlsx or
.csv files read as ``core.services.import_sheets`` describes: every row is checked first, then
all rows are written in one transaction, or none; the answer lists each bad row with its row
number, column and reason.
"""

from __future__ import annotations

import io
import re

from pydantic import BaseModel
from sqlmodel import Session, select

from core import tabular
from core.context import Actor, AppContext
from core.models import Person, Role, Unit
from core.models.base import utcnow
from core.services import audit, planner_stats
from core.services.access import OFFICE_ROLES, locality_for, require_role
from core.services.errors import Invalid
from core.services.import_sheets import (  # noqa: F401 - the sheets' names, also read from here
    KINDS,
    MAX_CELL_CHARS,
    MAX_ROWS,
    PEOPLE_COLUMNS,
    SHEET_TITLES,
    TEAM_COLUMNS,
    UNIT_COLUMNS,
    ColumnSpec,
    Table,
    _label,
    parse_gender,
    parse_id_card,
    parse_rows,
    parse_team_type,
    parse_year_month,
    read_table,
)
from core.services.team_import import import_teams


class RowError(BaseModel):
    row: int
    column: str
    message: str


class ImportResult(BaseModel):
    kind: str
    rows: int
    created: int
    updated: int


def _import_units(
    session: Session,
    actor: Actor,
    locality_id: int,
    table: Table,
    rows: list[tuple[int, dict[str, str]]],
    errors: list[dict],
) -> tuple[int, int]:
    existing = {u.code: u for u in session.exec(select(Unit).where(Unit.locality_id == locality_id))}
    code_label = _label(table, "code", UNIT_COLUMNS)
    parent_label = _label(table, "parent_code", UNIT_COLUMNS)
    first_row_of: dict[str, int] = {}
    parent_of: dict[str, str] = {code: "" for code in existing}
    for code, unit in existing.items():
        if unit.parent_id:
            parent = session.get(Unit, unit.parent_id)
            parent_of[code] = parent.code if parent else ""
    for number, values in rows:
        code = values.get("code", "")
        if not code:
            continue
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", code):
            errors.append({"row": number, "column": code_label, "message": "only letters, digits, '.', '_' and '-'"})
        if code in first_row_of:
            errors.append(
                {"row": number, "column": code_label, "message": f"code {code} is also on row {first_row_of[code]}"}
            )
            continue
        first_row_of[code] = number
        parent_of[code] = values.get("parent_code", "")
    for number, values in rows:
        code, parent = values.get("code", ""), values.get("parent_code", "")
        if not code or first_row_of.get(code) != number or not parent:
            continue
        if parent not in parent_of:
            errors.append({"row": number, "column": parent_label, "message": f"no unit with code {parent}"})
            continue
        seen = {code}
        current = parent
        while current:
            if current in seen:
                errors.append(
                    {
                        "row": number,
                        "column": parent_label,
                        "message": f"parent {parent} makes a cycle in the unit tree",
                    }
                )
                break
            seen.add(current)
            current = parent_of.get(current, "")
    if errors:
        return 0, 0
    created = updated = 0
    fields = ("name", "type", "contact_name", "contact_phone", "duties")
    for _number, values in rows:
        unit = existing.get(values["code"])
        if unit is None:
            unit = Unit(locality_id=locality_id, code=values["code"], name=values["name"])
            existing[unit.code] = unit
            created += 1
        else:
            updated += 1
        for name in fields:
            if values.get(name):  # a blank cell keeps what is stored (clear a field on its edit page)
                setattr(unit, name, values[name])
        unit.updated_at = utcnow()
        session.add(unit)
    session.flush()
    for _number, values in rows:
        if "parent_code" in table.columns:
            unit = existing[values["code"]]
            unit.parent_id = existing[values["parent_code"]].id if values.get("parent_code") else None
            session.add(unit)
    session.flush()
    audit.record(
        session,
        actor,
        locality_id=locality_id,
        action="import.units",
        target_type="unit",
        after={"rows": len(rows), "created": created, "updated": updated},
    )
    return created, updated


def _import_people(
    ctx: AppContext,
    session: Session,
    actor: Actor,
    locality_id: int,
    table: Table,
    rows: list[tuple[int, dict[str, str]]],
    errors: list[dict],
) -> tuple[int, int]:
    units = {u.code: u for u in session.exec(select(Unit).where(Unit.locality_id == locality_id))}
    unit_label = _label(table, "unit_code", PEOPLE_COLUMNS)
    id_label = _label(table, "id_card", PEOPLE_COLUMNS)
    seen_cards: dict[str, int] = {}
    seen_people: dict[tuple[str, str, str], int] = {}  # rows without an ID card: (name, unit, birth)
    name_label = _label(table, "name", PEOPLE_COLUMNS)
    for number, values in rows:
        unit_code = values.get("unit_code", "")
        if unit_code and unit_code not in units:
            errors.append(
                {"row": number, "column": unit_label, "message": f"no unit with code {unit_code} in this locality"}
            )
        elif unit_code and actor.role == Role.unit_admin and units[unit_code].id != actor.unit_id:
            errors.append(
                {"row": number, "column": unit_label, "message": "a unit admin can only import its own unit's staff"}
            )
        card = values.get("id_card", "")
        if card:
            if card in seen_cards:
                errors.append(
                    {
                        "row": number,
                        "column": id_label,
                        "message": f"the same ID-card number is on row {seen_cards[card]}",
                    }
                )
            seen_cards.setdefault(card, number)
        else:
            key = _person_key(values.get("name", ""), unit_code, values.get("birth_date", ""))
            if key in seen_people:
                errors.append(
                    {
                        "row": number,
                        "column": name_label,
                        "message": f"the same name, unit and birth date are on row {seen_people[key]}; "
                        "add ID-card numbers to tell the two apart",
                    }
                )
            seen_people.setdefault(key, number)
    if errors:
        return 0, 0
    # Without an ID card a person is known by name, unit and birth date: importing the same
    # roster again updates them instead of adding everyone a second time.
    by_key: dict[tuple[str, str, str], list[Person]] = {}
    if seen_people:
        code_of = {u.id: code for code, u in units.items()}
        query = select(Person).where(Person.locality_id == locality_id)
        if actor.role == Role.unit_admin:
            query = query.where(Person.unit_id == actor.unit_id)
        for person in session.exec(query):
            key = _person_key(person.name, code_of.get(person.unit_id, ""), person.birth_date)
            if key in seen_people:
                by_key.setdefault(key, []).append(person)
        for key, people in by_key.items():
            if len(people) > 1:
                errors.append(
                    {
                        "row": seen_people[key],
                        "column": name_label,
                        "message": f"{len(people)} people already have this name, unit and birth date; "
                        "add ID-card numbers to say which one this row is",
                    }
                )
        if errors:
            return 0, 0
    digests = {ctx.keys.digest(card): card for card in seen_cards}
    existing: dict[str, Person] = {}
    if digests:
        query = select(Person).where(Person.locality_id == locality_id, Person.id_card_digest.in_(list(digests)))
        if actor.role == Role.unit_admin:
            query = query.where(Person.unit_id == actor.unit_id)
        existing = {p.id_card_digest: p for p in session.exec(query)}
    created = updated = 0
    plain = (
        "name",
        "gender",
        "birth_date",
        "ethnicity",
        "education",
        "degree",
        "school",
        "native_place",
        "party",
        "post",
        "rank",
        "post_since",
    )
    for _number, values in rows:
        card = values.get("id_card", "")
        digest = ctx.keys.digest(card) if card else None
        if digest:
            person = existing.get(digest)
        else:
            matches = by_key.get(_person_key(values["name"], values["unit_code"], values.get("birth_date", "")), [])
            person = matches[0] if matches else None
        if person is None:
            person = Person(locality_id=locality_id, name=values["name"])
            created += 1
        else:
            updated += 1
        for name in plain:
            if values.get(name):  # a blank cell keeps what is stored (clear a field on its edit page)
                setattr(person, name, values[name])
        person.unit_id = units[values["unit_code"]].id
        if card:
            person.id_card_cipher = ctx.keys.encrypt(card)
            person.id_card_digest = digest
        person.updated_at = utcnow()
        session.add(person)
    session.flush()
    audit.record(
        session,
        actor,
        locality_id=locality_id,
        action="import.people",
        target_type="person",
        after={"rows": len(rows), "created": created, "updated": updated},
    )
    return created, updated


def _person_key(name: str, unit_code: str, birth_date: str) -> tuple[str, str, str]:
    return name.strip(), unit_code.strip(), birth_date.strip()


def import_file(ctx: AppContext, actor: Actor, code: str, kind: str, filename: str, content: bytes) -> ImportResult:
    """Check every row, then write all of them in one transaction; any bad row: 422, nothing written."""
    if kind not in KINDS:
        raise Invalid(f"kind: must be one of {', '.join(KINDS)}")
    require_role(actor, OFFICE_ROLES | ({Role.unit_admin} if kind == "people" else set()), f"import {kind}")
    columns = KINDS[kind]
    with ctx.db.read() as session:
        locality_for(session, actor, code)  # 404 before reading the file for a locality one cannot see
    table = read_table(filename, content, columns)
    rows, errors = parse_rows(table, columns)
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        if kind == "units":
            created, updated = _import_units(session, actor, locality.id, table, rows, errors)
        elif kind == "teams":
            created, updated = import_teams(ctx, session, actor, locality.id, table, rows, errors)
        else:
            created, updated = _import_people(ctx, session, actor, locality.id, table, rows, errors)
        if errors:
            errors.sort(key=lambda e: (e["row"], e["column"]))
            raise Invalid(f"{len(errors)} problem(s) in the file; nothing was imported", errors=errors)
    if created or updated:  # after the COMMIT: the planner sees the locality as it now is
        planner_stats.refresh(ctx.db, planner_stats.IMPORT_TABLES[kind])
    return ImportResult(kind=kind, rows=len(rows), created=created, updated=updated)


def template_workbook(kind: str) -> bytes:
    """An .xlsx with the expected header row and one example row on a second sheet."""
    if kind not in KINDS:
        raise Invalid(f"kind: must be one of {', '.join(KINDS)}")
    columns = KINDS[kind]
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLES[kind]
    tabular.append_row(sheet, [spec.headers[0] for spec in columns])  # text as text, never a formula
    for index, _spec in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 16
        # whole columns as text, so that Excel keeps codes such as 001 and 18-digit ID numbers as typed
        sheet.column_dimensions[letter].number_format = "@"
    help_sheet = workbook.create_sheet("说明 Notes")
    tabular.append_row(help_sheet, ["列 Column", "必填 Required", "示例 Example", "English name"])
    for spec in columns:
        tabular.append_row(
            help_sheet, [spec.headers[0], "是 yes" if spec.required else "", spec.example, spec.headers[1]]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv(kind: str) -> bytes:
    if kind not in KINDS:
        raise Invalid(f"kind: must be one of {', '.join(KINDS)}")
    return ("\ufeff" + ",".join(spec.headers[0] for spec in KINDS[kind]) + "\r\n").encode("utf-8")
