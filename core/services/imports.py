"""Import units, people and leadership teams (``core.services.team_import``) from .xlsx or .csv files: every row is checked first, then all
rows are written in one transaction, or none; the answer lists each bad row with its row
number, column and reason.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel
from sqlmodel import Session, select

from core import tabular
from core.context import Actor, AppContext
from core.models import Person, Role, Unit
from core.models.org import TEAM_TYPE_LABELS
from core.models.base import utcnow
from core.schemas.org import check_id_card
from core.services import audit
from core.services.access import OFFICE_ROLES, locality_for, require_role
from core.services.errors import Invalid, TooLarge

MAX_ROWS = 100_000
MAX_CELL_CHARS = 2000


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    headers: tuple[str, ...]  # first is the Chinese header written in templates, then accepted aliases
    required: bool = False
    max_length: int = 200
    parse: Callable[[str], str] | None = None
    example: str = ""


class RowError(BaseModel):
    row: int
    column: str
    message: str


class ImportResult(BaseModel):
    kind: str
    rows: int
    created: int
    updated: int


@dataclass
class Table:
    header_row: int
    columns: dict[str, tuple[int, str]]  # key -> (index, header as written in the file)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


# --- value parsers ---------------------------------------------------------------------------

_YEAR_MONTH = [
    re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?(?:\s*[-./]?\s*(\d{1,2})\s*日?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})?$"),
]


def parse_year_month(value: str) -> str:
    """'1984-09', '1994年09月', '2020.12', '1984/9', '198409', '1984-09-01' -> 'YYYY-MM'."""
    if value.count(".") == 1 and re.fullmatch(r"\d{4}\.\d", value):
        raise ValueError(f"{value!r} is ambiguous (January or October?); write it as YYYY-MM")
    for pattern in _YEAR_MONTH:
        match = pattern.match(value)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1900 <= year <= 2100 and 1 <= month <= 12:
                return f"{year:04d}-{month:02d}"
    raise ValueError(f"{value!r} is not a year and month (e.g. 1984-09)")


def parse_gender(value: str) -> str:
    mapping = {"男": "男", "女": "女", "m": "男", "male": "男", "f": "女", "female": "女"}
    if value.lower() not in mapping:
        raise ValueError(f"{value!r} is not 男 or 女")
    return mapping[value.lower()]


def parse_id_card(value: str) -> str:
    return check_id_card(value)


UNIT_COLUMNS = [
    ColumnSpec("code", ("单位编码", "code"), required=True, max_length=64, example="U001"),
    ColumnSpec("name", ("单位名称", "name"), required=True, example="县委办公室"),
    ColumnSpec("type", ("单位类型", "type"), max_length=50, example="综合部门"),
    ColumnSpec("parent_code", ("上级单位编码", "parent_code"), max_length=64),
    ColumnSpec("contact_name", ("联系人", "contact_name"), max_length=100, example="张三"),
    ColumnSpec("contact_phone", ("联系电话", "contact_phone"), max_length=50, example="0571-80000000"),
    ColumnSpec("duties", ("职责", "duties"), max_length=MAX_CELL_CHARS),
]

# max_length is the database column's length: a longer value is a row error, not a failed insert
PEOPLE_COLUMNS = [
    ColumnSpec("name", ("姓名", "name"), required=True, max_length=100, example="张三"),
    ColumnSpec("gender", ("性别", "gender"), parse=parse_gender, example="男"),
    ColumnSpec("birth_date", ("出生年月", "birth_date"), parse=parse_year_month, example="1985-06"),
    ColumnSpec("ethnicity", ("民族", "ethnicity"), max_length=50, example="汉族"),
    ColumnSpec("education", ("学历", "education"), max_length=50, example="大学本科"),
    ColumnSpec("degree", ("学位", "degree"), max_length=50, example="学士"),
    ColumnSpec("school", ("毕业院校", "school"), example="浙江大学"),
    ColumnSpec("native_place", ("籍贯", "native_place"), max_length=100, example="浙江杭州"),
    ColumnSpec("party", ("政治面貌", "party"), max_length=50, example="中共党员"),
    ColumnSpec("post", ("现任职务", "post"), example="办公室主任"),
    ColumnSpec("rank", ("职级", "rank"), max_length=50, example="正科级"),
    ColumnSpec("unit_code", ("单位编码", "unit_code"), required=True, max_length=64, example="U001"),
    ColumnSpec("post_since", ("任现职时间", "post_since"), parse=parse_year_month, example="2020-12"),
    ColumnSpec("id_card", ("身份证号", "id_card"), parse=parse_id_card),
]

_TYPE_BY_TEXT = {text.lower(): value for value, texts in TEAM_TYPE_LABELS.items() for text in (value, *texts)}


def parse_team_type(value: str) -> str:
    """A team type as written in Chinese (党委（党组）班子), in English or as its name; else ValueError."""
    found = _TYPE_BY_TEXT.get(value.strip().lower())
    if found is None:
        types = "、".join(zh for zh, _en in TEAM_TYPE_LABELS.values())
        raise ValueError(f"not a team type: write one of {types}")
    return found


TEAM_COLUMNS = [
    ColumnSpec("unit_code", ("单位编码", "unit_code"), required=True, max_length=64, example="U001"),
    ColumnSpec("team", ("班子名称", "team"), required=True, example="县委办公室领导班子"),
    ColumnSpec("type", ("班子类型", "type"), max_length=40, parse=parse_team_type, example="部门领导班子"),
    ColumnSpec("name", ("姓名", "name"), required=True, max_length=100, example="张三"),
    ColumnSpec("id_card", ("身份证号", "id_card"), parse=parse_id_card),
    ColumnSpec("post", ("班子职务", "post"), max_length=50, example="主任"),
    ColumnSpec("admin_post", ("行政职务", "admin_post"), max_length=100, example="县委办公室主任"),
    ColumnSpec("in_charge_of", ("分管工作", "in_charge_of"), max_length=500, example="全面工作"),
    ColumnSpec("supervised", ("分管部门", "supervised"), max_length=MAX_CELL_CHARS, example="U002、U003"),
    ColumnSpec("phone", ("联系电话", "phone"), max_length=30, example="0571-80000000"),
]

KINDS: dict[str, list[ColumnSpec]] = {"units": UNIT_COLUMNS, "people": PEOPLE_COLUMNS, "teams": TEAM_COLUMNS}
SHEET_TITLES = {"units": "单位", "people": "导入", "teams": "领导班子"}


# --- reading files ---------------------------------------------------------------------------


def read_table(filename: str, content: bytes, columns: list[ColumnSpec]) -> Table:
    """Find the header row (the first non-empty row) and map its headers to column keys."""
    rows = tabular.read_rows(filename, content)
    header_row = 0
    header: list[str] = []
    for number, row in enumerate(rows, start=1):
        if any(row):
            header_row, header = number, [cell.lstrip("\ufeff").strip() for cell in row]
            break
    if not header:
        raise Invalid("file: no header row found", errors=[{"row": 0, "column": "", "message": "no header row"}])
    by_alias = {alias.lower(): spec for spec in columns for alias in spec.headers}
    mapped: dict[str, tuple[int, str]] = {}
    errors: list[dict] = []
    for index, title in enumerate(header):
        spec = by_alias.get(title.lower())
        if spec is None:
            continue
        if spec.key in mapped:
            errors.append({"row": header_row, "column": title, "message": "this column appears twice"})
        mapped[spec.key] = (index, title)
    for spec in columns:
        if spec.required and spec.key not in mapped:
            errors.append({"row": header_row, "column": spec.headers[0], "message": "required column is missing"})
    if errors:
        raise Invalid("file: the header row does not match the template", errors=errors)
    table = Table(header_row=header_row, columns=mapped)
    for number, row in enumerate(rows, start=header_row + 1):
        if not any(row):
            continue
        if len(table.rows) >= MAX_ROWS:
            raise TooLarge(f"file: more than {MAX_ROWS} rows; split it into several files")
        table.rows.append((number, row))
    return table


def _column_label(title: str, index: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{title} ({get_column_letter(index + 1)})"


def parse_rows(table: Table, columns: list[ColumnSpec]) -> tuple[list[tuple[int, dict[str, str]]], list[dict]]:
    """Check every cell; return the parsed rows and the list of errors (row, column, message)."""
    parsed: list[tuple[int, dict[str, str]]] = []
    errors: list[dict] = []
    for number, row in table.rows:
        values: dict[str, str] = {}
        for spec in columns:
            if spec.key not in table.columns:
                continue
            index, title = table.columns[spec.key]
            raw = row[index].strip() if index < len(row) else ""
            label = _column_label(title, index)
            if not raw:
                if spec.required:
                    errors.append({"row": number, "column": label, "message": "required, but empty"})
                values[spec.key] = ""
                continue
            if len(raw) > spec.max_length:
                errors.append({"row": number, "column": label, "message": f"longer than {spec.max_length} characters"})
                continue
            if spec.parse:
                try:
                    raw = spec.parse(raw)
                except ValueError as exc:
                    errors.append({"row": number, "column": label, "message": str(exc)})
                    continue
            values[spec.key] = raw
        parsed.append((number, values))
    return parsed, errors


def _label(table: Table, key: str, columns: list[ColumnSpec]) -> str:
    if key in table.columns:
        index, title = table.columns[key]
        return _column_label(title, index)
    return next(spec.headers[0] for spec in columns if spec.key == key)


# --- writing ---------------------------------------------------------------------------------


def _import_units(session: Session, actor: Actor, locality_id: int, table: Table,
                  rows: list[tuple[int, dict[str, str]]], errors: list[dict]) -> tuple[int, int]:
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
            errors.append({"row": number, "column": code_label,
                           "message": f"code {code} is also on row {first_row_of[code]}"})
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
                errors.append({"row": number, "column": parent_label,
                               "message": f"parent {parent} makes a cycle in the unit tree"})
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
    audit.record(session, actor, locality_id=locality_id, action="import.units", target_type="unit",
                 after={"rows": len(rows), "created": created, "updated": updated})
    return created, updated


def _import_people(ctx: AppContext, session: Session, actor: Actor, locality_id: int, table: Table,
                   rows: list[tuple[int, dict[str, str]]], errors: list[dict]) -> tuple[int, int]:
    units = {u.code: u for u in session.exec(select(Unit).where(Unit.locality_id == locality_id))}
    unit_label = _label(table, "unit_code", PEOPLE_COLUMNS)
    id_label = _label(table, "id_card", PEOPLE_COLUMNS)
    seen_cards: dict[str, int] = {}
    seen_people: dict[tuple[str, str, str], int] = {}  # rows without an ID card: (name, unit, birth)
    name_label = _label(table, "name", PEOPLE_COLUMNS)
    for number, values in rows:
        unit_code = values.get("unit_code", "")
        if unit_code and unit_code not in units:
            errors.append({"row": number, "column": unit_label, "message": f"no unit with code {unit_code} in this locality"})
        elif unit_code and actor.role == Role.unit_admin and units[unit_code].id != actor.unit_id:
            errors.append({"row": number, "column": unit_label, "message": "a unit admin can only import its own unit's staff"})
        card = values.get("id_card", "")
        if card:
            if card in seen_cards:
                errors.append({"row": number, "column": id_label,
                               "message": f"the same ID-card number is on row {seen_cards[card]}"})
            seen_cards.setdefault(card, number)
        else:
            key = _person_key(values.get("name", ""), unit_code, values.get("birth_date", ""))
            if key in seen_people:
                errors.append({"row": number, "column": name_label,
                               "message": f"the same name, unit and birth date are on row {seen_people[key]}; "
                                          "add ID-card numbers to tell the two apart"})
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
                errors.append({"row": seen_people[key], "column": name_label,
                               "message": f"{len(people)} people already have this name, unit and birth date; "
                                          "add ID-card numbers to say which one this row is"})
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
    plain = ("name", "gender", "birth_date", "ethnicity", "education", "degree", "school", "native_place", "party",
             "post", "rank", "post_since")
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
    audit.record(session, actor, locality_id=locality_id, action="import.people", target_type="person",
                 after={"rows": len(rows), "created": created, "updated": updated})
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
            from core.services.team_import import import_teams

            created, updated = import_teams(ctx, session, actor, locality.id, table, rows, errors)
        else:
            created, updated = _import_people(ctx, session, actor, locality.id, table, rows, errors)
        if errors:
            errors.sort(key=lambda e: (e["row"], e["column"]))
            raise Invalid(f"{len(errors)} problem(s) in the file; nothing was imported", errors=errors)
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
        tabular.append_row(help_sheet, [spec.headers[0], "是 yes" if spec.required else "", spec.example,
                                        spec.headers[1]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv(kind: str) -> bytes:
    if kind not in KINDS:
        raise Invalid(f"kind: must be one of {', '.join(KINDS)}")
    return ("\ufeff" + ",".join(spec.headers[0] for spec in KINDS[kind]) + "\r\n").encode("utf-8")
