"""A set's goals as a workbook, and its progress sheet read back.

``export_workbook`` writes two sheets: 目标 (every goal with every field: 目标编号 is its id,
上级编号 its parent's, 责任人 its people as ``姓名:角色:比重`` joined by ``;``) and 进度 (a row per
goal without sub-goals, with empty 期间, 实际值, 完成百分比, 已完成, 主要工作完成情况 and 滞后原因
for its departments to fill).

``import_progress`` reads the 进度 sheet of that workbook (or a .csv with its columns) and writes
a report per filled row, all or nothing: every problem is named by row (as numbered in the file)
and column; then nothing is written. A row with no period and no values is skipped; a row naming a
goal that is not of the set (an unknown 目标编号), a period that is not a month or quarter or lies
outside the goal's span, a value that is not a number, a goal and period listed twice: each an
error of its row."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from core import tabular
from core.context import Actor, AppContext
from core.models import Person, Unit
from core.models.base import utcnow
from core.periods import Period, PeriodError, PeriodKind
from core.services.access import locality_for
from core.services.errors import Invalid, ServiceError
from core.tabular.xlsx_stream import sheets_bytes
from plugins.goals import rollups
from plugins.goals.access import readable_set
from plugins.goals.models import Direction, Goal, GoalAssignment, GoalIndicator, GoalKind, GoalProgress
from plugins.goals.progress import check_report
from plugins.goals.schemas import ProgressIn
from plugins.goals.service import depth_first, set_goals

GOALS_SHEET = "目标"
PROGRESS_SHEET = "进度"
GOAL_HEADER = [
    "目标编号",
    "上级编号",
    "目标名称",
    "权重",
    "类型",
    "来源",
    "督办单位",
    "开始日期",
    "结束日期",
    "完成标准",
    "指标代码",
    "计量单位",
    "基数",
    "目标值",
    "方向",
    "纳入考核",
    "责任人",
]
PROGRESS_HEADER = [
    "目标编号",
    "目标名称",
    "类型",
    "期间",
    "实际值",
    "完成百分比",
    "已完成",
    "主要工作完成情况",
    "滞后原因",
]
KIND_NAMES = {GoalKind.quantitative.value: "定量", GoalKind.qualitative.value: "定性"}
DIRECTION_NAMES = {Direction.higher.value: "越高越好", Direction.lower.value: "越低越好"}
YES = {"是", "yes", "y", "true", "1", "√", "✓", "完成", "已完成"}
NO = {"", "否", "no", "n", "false", "0"}
MAX_ROWS = 20_000

ROWS_BAD = "{n} problems in the file; nothing was imported"
NO_COLUMN = "the sheet has no column {column}: download the goals' workbook as the template"
NOT_A_GOAL = "{value} is not a goal of this unit, team and year"
NOT_A_NUMBER = "{value} is not a number"
NOT_YES_NO = "{value} is neither 是 nor 否"
NO_PERIOD = "give the month or quarter of this row"
TWICE = "goal {goal_id} for {period} is also on row {row}"
EMPTY = "the sheet has no filled rows"
TOO_LONG = "at most 5000 characters"
OUT_OF_RANGE = "{value} is not between 0 and 100"
NOT_REPORTED = "progress is reported by month (2026-03) or quarter (2026-Q1), not {period}"


def export_workbook(ctx: AppContext, actor: Actor, code: str, unit_id: int, team_id: int | None, year: int) -> bytes:
    """The set's goals and an empty progress sheet as .xlsx bytes (see the module docstring).
    404/403 as for reading the set (any reader may download)."""
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        readable_set(session, actor, locality, unit_id, team_id)
        goals = set_goals(session, locality.id, unit_id, team_id, year)
        ids = [g.id for g in goals]
        units = dict(session.exec(select(Unit.id, Unit.name).where(Unit.locality_id == locality.id)).all())
        indicators = {
            i.id: i for i in session.exec(select(GoalIndicator).where(GoalIndicator.locality_id == locality.id))
        }
        people: dict[int, list[str]] = {}
        for row, name in session.exec(
            select(GoalAssignment, Person.name)
            .join(Person, col(Person.id) == GoalAssignment.person_id)
            .where(col(GoalAssignment.goal_id).in_(ids))
            .order_by(col(GoalAssignment.share).desc())
        ):
            people.setdefault(row.goal_id, []).append(f"{name}:{row.role}:{row.share:g}")
    parents = {g.parent_id for g in goals if g.parent_id is not None}
    ordered = depth_first(goals)
    rows = [
        [
            goal.id,
            goal.parent_id,
            goal.name,
            goal.weight,
            KIND_NAMES[goal.kind],
            goal.source,
            units.get(goal.supervising_unit_id, "") if goal.supervising_unit_id else "",
            goal.start_date.isoformat(),
            goal.end_date.isoformat(),
            goal.standard,
            indicators[goal.indicator_id].code if goal.indicator_id in indicators else "",
            indicators[goal.indicator_id].measure if goal.indicator_id in indicators else "",
            goal.baseline,
            goal.target,
            DIRECTION_NAMES[goal.direction],
            "是" if goal.counts_for_assessment else "否",
            ";".join(people.get(goal.id, [])),
        ]
        for goal, _depth in ordered
    ]
    progress = [
        [goal.id, goal.name, KIND_NAMES[goal.kind], None, None, None, None, None, None]
        for goal, _depth in ordered
        if goal.id not in parents
    ]
    # written straight as the sheets' XML (core.tabular.xlsx_stream): text stays text
    return sheets_bytes([(GOALS_SHEET, GOAL_HEADER, rows), (PROGRESS_SHEET, PROGRESS_HEADER, progress)])


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _number(cell: Any) -> float | None:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, bool):
        raise ValueError(cell)
    if isinstance(cell, int | float):
        value = float(cell)
    else:
        value = float(str(cell).strip().replace(",", "").replace("，", "").rstrip("%"))
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(cell)
    return value


def _period(cell: Any) -> Period:
    period = Period.parse(cell)
    if period.kind not in (PeriodKind.month, PeriodKind.quarter):
        raise Invalid(NOT_REPORTED, params={"period": str(period)})
    return period


def import_progress(
    ctx: AppContext,
    actor: Actor,
    code: str,
    unit_id: int,
    team_id: int | None,
    year: int,
    filename: str,
    content: bytes,
) -> int:
    """Read the progress sheet (see the module docstring) and write its reports; answers how many.
    Raises ``Invalid`` (``errors=[{row, column, message}]``) for any problem; nothing is written."""
    is_xlsx = content[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        readable_set(session, actor, locality, unit_id, team_id, write=True)
        goals = {g.id: g for g in set_goals(session, locality.id, unit_id, team_id, year)}
        parents = {g.parent_id for g in goals.values() if g.parent_id is not None}
        rows = tabular.read_rows(filename, content, sheet=PROGRESS_SHEET if is_xlsx else None, keep_types=True)
        header = [_text(h).lstrip("\ufeff") for h in (next(rows, None) or [])]
        index = {title: i for i, title in enumerate(header) if title}
        errors: list[dict[str, Any]] = [
            {"row": 1, "column": column, "message": NO_COLUMN.format(column=column)}
            for column in ("目标编号", "期间")
            if column not in index
        ]
        if errors:
            raise Invalid(ROWS_BAD, params={"n": len(errors)}, errors=errors)

        def cell(row: list[Any], column: str) -> Any:
            i = index.get(column)
            return row[i] if i is not None and i < len(row) else None

        wanted: list[tuple[Goal, Period, ProgressIn, float, float | None]] = []
        seen: dict[tuple[int, str], int] = {}
        for number, row in enumerate(rows, start=2):
            if number - 1 > MAX_ROWS:
                errors.append({"row": number, "column": "", "message": f"at most {MAX_ROWS} rows"})
                break
            filled = [
                c
                for c in ("期间", "实际值", "完成百分比", "已完成", "主要工作完成情况", "滞后原因")
                if _text(cell(row, c))
            ]
            if not filled or filled == ["已完成"] and _text(cell(row, "已完成")).lower() in NO:
                continue
            row_errors = _check_row(number, row, cell, goals, parents, seen, wanted)
            errors.extend(row_errors)
        if not errors and not wanted:
            errors.append({"row": 2, "column": "期间", "message": EMPTY})
        if errors:
            errors.sort(key=lambda e: (e["row"], e["column"]))
            raise Invalid(ROWS_BAD, params={"n": len(errors)}, errors=errors)
        write_all(session, actor, locality.id, (unit_id, team_id, year), wanted)
        return len(wanted)


def write_all(
    session: Session,
    actor: Actor,
    locality_id: int,
    goal_set: tuple[int, int | None, int],
    wanted: list[tuple[Goal, Period, ProgressIn, float, float | None]],
) -> None:
    """Write the checked reports of one set at once: one INSERT ... ON CONFLICT (goal, period) DO
    UPDATE of many rows (a report of a goal and period already there is replaced, as
    ``progress.write_report`` does one by one), no ORM object a report; the set's roll-up is
    marked stale (``rollups.touch``: Core statements pass the ORM listener by)."""
    if not wanted:
        return
    table = GoalProgress.__table__
    now = utcnow()
    rows = [
        {
            "locality_id": locality_id,
            "goal_id": goal.id,
            "period": str(period),
            "period_start": period.start,
            "period_end": period.end,
            "actual": actual,
            "percent": percent,
            "done": data.done or percent >= 100.0,
            "work_done": data.work_done.replace("\r\n", "\n"),
            "delay_reasons": data.delay_reasons.replace("\r\n", "\n"),
            "reported_by": actor.username,
            "reported_at": now,
        }
        for goal, period, data, percent, actual in wanted
    ]
    statement = rollups.dialect_insert(session)(table)
    replaced = ("actual", "percent", "done", "work_done", "delay_reasons", "reported_by", "reported_at")
    statement = statement.on_conflict_do_update(
        index_elements=["goal_id", "period"], set_={name: statement.excluded[name] for name in replaced}
    )
    connection = session.connection()
    for start in range(0, len(rows), 5000):
        connection.execute(statement, rows[start : start + 5000])
    rollups.touch(session, [(locality_id, *goal_set)])


def _check_row(number, row, cell, goals, parents, seen, wanted) -> list[dict[str, Any]]:
    """The errors of one filled row (none: its report is added to ``wanted``)."""
    raw_id = _text(cell(row, "目标编号"))
    goal = goals.get(int(raw_id)) if raw_id.isdigit() and len(raw_id) < 10 else None
    if goal is None:
        return [{"row": number, "column": "目标编号", "message": NOT_A_GOAL.format(value=raw_id or "（空）")}]
    errors = []
    period = None
    if not _text(cell(row, "期间")):
        errors.append({"row": number, "column": "期间", "message": NO_PERIOD})
    else:
        try:
            period = _period(cell(row, "期间"))
        except PeriodError as exc:
            errors.append({"row": number, "column": "期间", "message": exc.message})
        except Invalid as exc:
            errors.append({"row": number, "column": "期间", "message": exc.message})
    values: dict[str, Any] = {}
    for column, name in (("实际值", "actual"), ("完成百分比", "percent")):
        try:
            values[name] = _number(cell(row, column))
        except ValueError:
            errors.append(
                {"row": number, "column": column, "message": NOT_A_NUMBER.format(value=_text(cell(row, column)))}
            )
    done = _text(cell(row, "已完成")).lower()
    if done not in YES and done not in NO:
        errors.append({"row": number, "column": "已完成", "message": NOT_YES_NO.format(value=done)})
    if errors or period is None:
        return errors
    key = (goal.id, str(period))
    if key in seen:
        return [
            {"row": number, "column": "期间", "message": TWICE.format(goal_id=goal.id, period=period, row=seen[key])}
        ]
    seen[key] = number
    try:
        data = ProgressIn(
            period=str(period),
            actual=values["actual"] if goal.kind == GoalKind.quantitative else None,
            percent=values["percent"] if goal.kind == GoalKind.qualitative else None,
            done=done in YES,
            work_done=_text(cell(row, "主要工作完成情况")),
            delay_reasons=_text(cell(row, "滞后原因")),
        )
    except ValidationError as exc:
        where = str(exc.errors()[0]["loc"][0]) if exc.errors() else ""
        column = {"percent": "完成百分比", "actual": "实际值", "work_done": "主要工作完成情况"}.get(where, "滞后原因")
        value = _text(cell(row, column))
        message = TOO_LONG if where in ("work_done", "delay_reasons") else OUT_OF_RANGE.format(value=value)
        return [{"row": number, "column": column, "message": message}]
    try:
        percent, actual = check_report(goal, period, data, goal.id in parents)
    except ServiceError as exc:
        field = exc.errors[0]["field"] if exc.errors else "period"
        column = {"actual": "实际值", "percent": "完成百分比"}.get(field, "期间")
        return [{"row": number, "column": column, "message": exc.message}]
    wanted.append((goal, period, data, percent, actual))
    return []
