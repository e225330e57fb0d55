"""The sheets the import reads: the columns of each kind (units, people, leadership teams)
with their Chinese headers and accepted aliases, the value parsers, finding the header row and
checking every cell (errors with row and column). ``core.services.imports`` writes the rows."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from core import tabular
from core.models.org import TEAM_TYPE_LABELS
from core.schemas.org import check_id_card
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
