"""A whole goal tree read from a sheet into a set (draft goals), all or nothing.

The sheet is the 目标 sheet of the goals' workbook (``sheets.GOAL_HEADER``; a .csv with those
columns too): a row per goal with its own 目标编号 (any text, unique in the sheet) and its parent's
in 上级编号 (empty: a top goal), every field of a goal, and 责任人 as ``姓名:角色:比重`` joined by
``;`` (people of the team, or of the unit for a unit's own goals). An exported workbook imports
back as a copy of its tree (into another year or set, say).

Every problem is named by row (as numbered in the file) and column, in the reader's language:
an unknown 上级编号, a 目标编号 used twice, a cycle of parents, a number or date that is not one,
an unknown indicator, supervising unit, source or role, a person who is not of the team, shares
that do not sum to 100 %, and each rule a goal's fields obey (``service._check_fields``). Then
nothing is written. Goals are written as drafts, parents first, in the sheet's order."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from core import tabular
from core.context import Actor, AppContext
from core.models import Person, TeamMember, Unit
from core.models.base import utcnow
from core.services import audit
from core.services.access import locality_for
from core.services.errors import Invalid, ServiceError
from plugins.goals import rollups
from plugins.goals.access import lists_of, readable_set
from plugins.goals.models import Goal, GoalAssignment, GoalIndicator, GoalKind
from plugins.goals.schemas import GoalIn
from plugins.goals.service import _check_fields, next_order
from plugins.goals.shares import TOLERANCE, share_difference
from plugins.goals.sheets import (
    DIRECTION_NAMES,
    GOALS_SHEET,
    KIND_NAMES,
    MAX_ROWS,
    NO,
    NO_COLUMN,
    NOT_A_NUMBER,
    NOT_YES_NO,
    ROWS_BAD,
    YES,
    _number,
    _text,
)

REQUIRED = ("目标编号", "上级编号", "目标名称")
# PostgreSQL: ids for a whole tree at once. A multi-row INSERT ... RETURNING of thousands of goals
# (SQLAlchemy's "insertmanyvalues") spends seconds in psycopg splitting its placeholders; a plain
# INSERT of many rows goes to psycopg's executemany (one statement, pipelined).
NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence('goals', 'id')) FROM generate_series(1, :n)")
COLUMNS = (
    "locality_id unit_id team_id year name weight kind source supervising_unit_id start_date end_date standard "
    "indicator_id baseline target direction counts_for_assessment"
).split()
KINDS = {**{v: k for k, v in KIND_NAMES.items()}, **{k: k for k in KIND_NAMES}}
DIRECTIONS = {**{v: k for k, v in DIRECTION_NAMES.items()}, **{k: k for k in DIRECTION_NAMES}}
FIELD_COLUMNS = {
    "name": "目标名称",
    "weight": "权重",
    "kind": "类型",
    "source": "来源",
    "supervising_unit_id": "督办单位",
    "start": "开始日期",
    "end": "结束日期",
    "standard": "完成标准",
    "indicator_id": "指标代码",
    "baseline": "基数",
    "target": "目标值",
    "direction": "方向",
    "counts_for_assessment": "纳入考核",
}

NO_CODE = "give the goal's code"
CODE_TWICE = "the code {code} is also on row {row}"
UNKNOWN_PARENT = "no row has the code {code}"
CYCLE = "the parents of {code} go round in a circle: {path}"
NOT_A_DATE = "{value} is not a date (2026-03-31)"
NOT_A_KIND = "{value} is neither 定量 nor 定性"
NOT_A_DIRECTION = "{value} is neither 越高越好 nor 越低越好"
UNKNOWN_INDICATOR = "no indicator with the code {value} in the dictionary"
UNKNOWN_UNIT = "no unit named {value}"
BAD_PERSON = "{value} is not 姓名:角色:比重"
NOT_A_MEMBER = "{name} is not a member of the team or unit the goals belong to"
SAME_NAME = "two people of the team or unit are named {name}: assign this goal on its page"
UNKNOWN_ROLE = "the role {role} is not in the list: {roles}"
PERSON_TWICE = "{name} is listed twice"
SHARES_SHORT = "the shares sum to {total} %, {difference} % short of 100 %"
SHARES_OVER = "the shares sum to {total} %, {difference} % over 100 %"
NO_NAME = "give the goal's name"
NO_ROWS = "the sheet has no goals"


def _day(cell: Any) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    return date.fromisoformat(_text(cell)[:10].replace("/", "-"))


class _Reader:
    """The lookups of one import and the errors found so far."""

    def __init__(self, session: Session, locality_id: int, unit_id: int, team_id: int | None) -> None:
        self.errors: list[dict[str, Any]] = []
        self.indicators = {
            i.code: i for i in session.exec(select(GoalIndicator).where(GoalIndicator.locality_id == locality_id))
        }
        self.units: dict[str, int] = {}
        for unit in session.exec(select(Unit).where(Unit.locality_id == locality_id)):
            self.units.setdefault(unit.name, unit.id)
            self.units.setdefault(unit.code, unit.id)
        if team_id is not None:
            members = select(Person.id, Person.name).join(TeamMember, col(TeamMember.person_id) == Person.id)
            members = members.where(TeamMember.team_id == team_id)
        else:
            members = select(Person.id, Person.name).where(Person.locality_id == locality_id, Person.unit_id == unit_id)
        self.people: dict[str, list[int]] = {}
        for person_id, name in session.exec(members):
            self.people.setdefault(name, []).append(person_id)
        _sources, self.roles = lists_of(session, locality_id)

    def error(self, at: int, column: str, message: str, /, **params: Any) -> None:
        self.errors.append({"row": at, "column": column, "message": message.format(**params)})

    def people_of(self, number: int, text: str) -> list[tuple[int, str, float]]:
        """``姓名:角色:比重;...`` as (person id, role, share), or errors of column 责任人."""
        found: list[tuple[int, str, float]] = []
        bad = False
        for part in (p.strip() for p in text.replace("；", ";").split(";")):
            if not part:
                continue
            pieces = [p.strip() for p in part.replace("：", ":").split(":")]
            try:
                name, role, share = pieces
                value = _number(share)
                if value is None or not 0 <= value <= 100:
                    raise ValueError(share)
            except ValueError:
                self.error(number, "责任人", BAD_PERSON, value=part)
                bad = True
                continue
            ids = self.people.get(name, [])
            if not ids:
                self.error(number, "责任人", NOT_A_MEMBER, name=name)
            elif len(ids) > 1:
                self.error(number, "责任人", SAME_NAME, name=name)
            elif role not in self.roles:
                self.error(number, "责任人", UNKNOWN_ROLE, role=role, roles="、".join(self.roles))
            elif any(p == ids[0] for p, _r, _s in found):
                self.error(number, "责任人", PERSON_TWICE, name=name)
            else:
                found.append((ids[0], role, value))
                continue
            bad = True
        if found and not bad:
            difference = share_difference([s for _p, _r, s in found])
            if abs(difference) > TOLERANCE:
                total = round(sum(s for _p, _r, s in found), 2)
                message = SHARES_SHORT if difference > 0 else SHARES_OVER
                self.error(number, "责任人", message, total=f"{total:g}", difference=f"{abs(difference):g}")
        return found


def import_tree(
    ctx: AppContext,
    actor: Actor,
    code: str,
    unit_id: int,
    team_id: int | None,
    year: int,
    filename: str,
    content: bytes,
) -> int:
    """Read a goal tree (see the module docstring) into the set as drafts; answers how many goals.
    Raises ``Invalid`` (``errors=[{row, column, message}]``) for any problem; nothing is written."""
    is_xlsx = content[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        readable_set(session, actor, locality, unit_id, team_id, write=True)
        rows = tabular.read_rows(filename, content, sheet=GOALS_SHEET if is_xlsx else None, keep_types=True)
        header = [_text(h).lstrip("\ufeff") for h in (next(rows, None) or [])]
        index = {title: i for i, title in enumerate(header) if title}
        missing = [c for c in REQUIRED if c not in index]
        if missing:
            errors = [{"row": 1, "column": c, "message": NO_COLUMN.format(column=c)} for c in missing]
            raise Invalid(ROWS_BAD, params={"n": len(errors)}, errors=errors)
        reader = _Reader(session, locality.id, unit_id, team_id)

        def cell(row: list[Any], column: str) -> Any:
            i = index.get(column)
            return row[i] if i is not None and i < len(row) else None

        goals: dict[str, dict[str, Any]] = {}  # good rows by code, in the sheet's order
        links: dict[str, tuple[int, str]] = {}  # every row's (number, parent code) by code
        for number, row in enumerate(rows, start=2):
            if number - 1 > MAX_ROWS:
                reader.error(number, "", "at most {limit} rows", limit=MAX_ROWS)
                break
            if not any(_text(c) for c in row):
                continue
            goal_code = _text(cell(row, "目标编号"))
            if goal_code in links:
                reader.error(number, "目标编号", CODE_TWICE, code=goal_code, row=links[goal_code][0])
                continue
            if goal_code:
                links[goal_code] = (number, _text(cell(row, "上级编号")))
            parsed = _row(session, locality, reader, number, row, cell, unit_id, team_id, year)
            if parsed is not None:
                goals[parsed["code"]] = parsed
        _check_parents(reader, links)
        if not reader.errors and not goals:
            reader.error(2, "目标名称", NO_ROWS)
        if reader.errors:
            errors = sorted(reader.errors, key=lambda e: (e["row"], e["column"]))
            raise Invalid(ROWS_BAD, params={"n": len(errors)}, errors=errors)
        _write(session, actor, locality.id, goals, unit_id, team_id, year)
        return len(goals)


def _row(session, locality, reader: _Reader, number, row, cell, unit_id, team_id, year) -> dict[str, Any] | None:
    """One row's goal (fields, parent code, people), or None with its errors added."""
    before = len(reader.errors)
    goal_code = _text(cell(row, "目标编号"))
    if not goal_code:
        reader.error(number, "目标编号", NO_CODE)
    values: dict[str, Any] = {
        "unit_id": unit_id,
        "team_id": team_id,
        "year": year,
        "name": _text(cell(row, "目标名称")),
        "source": _text(cell(row, "来源")),
        "standard": _text(cell(row, "完成标准")).replace("\r\n", "\n"),
    }
    if not values["name"]:
        reader.error(number, "目标名称", NO_NAME)
    for column, name in (("权重", "weight"), ("基数", "baseline"), ("目标值", "target")):
        try:
            number_value = _number(cell(row, column))
        except ValueError:
            reader.error(number, column, NOT_A_NUMBER, value=_text(cell(row, column)))
            continue
        if number_value is not None:
            values[name] = number_value
    for column, name, default in (("开始日期", "start", date(year, 1, 1)), ("结束日期", "end", date(year, 12, 31))):
        raw = cell(row, column)
        try:
            values[name] = _day(raw) if _text(raw) else default
        except ValueError:
            reader.error(number, column, NOT_A_DATE, value=_text(raw))
    kind = _text(cell(row, "类型")) or KIND_NAMES[GoalKind.qualitative.value]
    if kind.lower() not in KINDS and kind not in KINDS:
        reader.error(number, "类型", NOT_A_KIND, value=kind)
    else:
        values["kind"] = KINDS.get(kind, KINDS.get(kind.lower()))
    direction = _text(cell(row, "方向"))
    if direction:
        if direction not in DIRECTIONS and direction.lower() not in DIRECTIONS:
            reader.error(number, "方向", NOT_A_DIRECTION, value=direction)
        else:
            values["direction"] = DIRECTIONS.get(direction, DIRECTIONS.get(direction.lower()))
    counts = _text(cell(row, "纳入考核")).lower()
    if counts not in YES and counts not in NO:
        reader.error(number, "纳入考核", NOT_YES_NO, value=counts)
    values["counts_for_assessment"] = counts in YES or counts == ""
    indicator = _text(cell(row, "指标代码"))
    if indicator:
        if indicator not in reader.indicators:
            reader.error(number, "指标代码", UNKNOWN_INDICATOR, value=indicator)
        else:
            values["indicator_id"] = reader.indicators[indicator].id
    supervising = _text(cell(row, "督办单位"))
    if supervising:
        if supervising not in reader.units:
            reader.error(number, "督办单位", UNKNOWN_UNIT, value=supervising)
        else:
            values["supervising_unit_id"] = reader.units[supervising]
    people = reader.people_of(number, _text(cell(row, "责任人")))
    if len(reader.errors) > before:
        return None
    try:
        data = GoalIn(**values)
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error.get("loc") else "name"
            column = FIELD_COLUMNS.get(field, "目标名称")
            reader.errors.append(
                {"row": number, "column": column, "message": error["msg"].removeprefix("Value error, ")}
            )
        return None
    fields = data.model_dump(exclude={"start", "end"})
    fields.update(start_date=data.start, end_date=data.end, locality_id=locality.id)
    try:
        _check_fields(session, locality, fields)
    except ServiceError as exc:
        field = exc.errors[0]["field"] if exc.errors else "name"
        reader.errors.append(
            {"row": number, "column": FIELD_COLUMNS.get(field, "目标名称"), "message": exc.errors[0]["message"]}
        )
        return None
    return {
        "row": number,
        "code": goal_code,
        "parent": _text(cell(row, "上级编号")),
        "fields": fields,
        "people": people,
    }


def _check_parents(reader: _Reader, links: dict[str, tuple[int, str]]) -> None:
    """Each 上级编号 names a row of the sheet, and following parents ends at a top goal."""
    for number, parent in links.values():
        if parent and parent not in links:
            reader.error(number, "上级编号", UNKNOWN_PARENT, code=parent)
    reported: set[str] = set()
    for start in links:
        path, current = [start], links[start][1]
        while current and current in links and current not in path:
            path.append(current)
            current = links[current][1]
        if current and current in path and start not in reported:
            ring = path[path.index(current) :]
            reported.update(ring)
            reader.error(links[start][0], "上级编号", CYCLE, code=start, path=" → ".join([*ring, current]))


def _write(
    session: Session,
    actor: Actor,
    locality_id: int,
    goals: dict[str, dict[str, Any]],
    unit_id: int,
    team_id: int | None,
    year: int,
) -> None:
    """The goals as drafts, parents first (no ORM object a goal: on SQLite one INSERT ...
    RETURNING a level, on PostgreSQL the ids drawn from the sequence and one INSERT of every
    row), then their people; the set's roll-up marked stale
    (``rollups.touch``: Core statements pass the ORM listener by); audited once."""
    table, people = Goal.__table__, GoalAssignment.__table__
    connection = session.connection()
    now = utcnow()
    top = next_order(session, locality_id, unit_id, team_id, year, None)
    ids: dict[str, int] = {}
    orders: dict[str, int] = {}
    levels: list[list[str]] = []
    level = [c for c, g in goals.items() if not g["parent"]]
    while level:
        levels.append(level)
        done = set(level)
        level = [c for c, g in goals.items() if g["parent"] in done]
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:  # every id drawn first: then one INSERT of many rows, parents first, no RETURNING
        drawn = sorted(connection.execute(NEXT_IDS, {"n": len(goals)}).scalars())
        ids.update(zip([c for codes in levels for c in codes], drawn))
    pending: list[dict[str, Any]] = []
    for codes in levels:
        rows = []
        for goal_code in codes:
            goal = goals[goal_code]
            parent = goal["parent"]
            order = orders.get(parent, top if not parent else 0)
            orders[parent] = order + 1
            fields = {k: goal["fields"].get(k) for k in COLUMNS}
            fields.update(
                kind=str(fields["kind"]),
                direction=str(fields["direction"]),
                parent_id=ids[parent] if parent else None,
                sort_order=order,
                published_at=None,
                versions=0,
                changed_after_publish=False,
                created_at=now,
                updated_at=now,
            )
            if postgresql:
                fields["id"] = ids[goal_code]
            rows.append(fields)
        if postgresql:
            pending.extend(rows)
        else:
            made = connection.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
            ids.update(zip(codes, made.scalars()))
    if pending:
        connection.execute(insert(table), pending)
    assigned = [
        {
            "locality_id": locality_id,
            "goal_id": ids[goal_code],
            "person_id": person_id,
            "role": role,
            "share": round(share, 2),
        }
        for goal_code, goal in goals.items()
        for person_id, role, share in goal["people"]
    ]
    if assigned:
        connection.execute(insert(people), assigned)
    rollups.touch(session, [(locality_id, unit_id, team_id, year)])
    audit.record(
        session,
        actor,
        locality_id=locality_id,
        action="goals.imported",
        target_type="goal_set",
        target_id=f"{unit_id}:{team_id or ''}:{year}",
        after={"goals": len(goals), "ids": sorted(ids.values())[:50]},
    )
