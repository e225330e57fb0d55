"""An indicator template from an office's own spreadsheet, and back.

Two shapes are read (the header row is found below any title rows):

- **Level columns**, as offices keep their indicator tables (机关一表): one column per level
  (一级指标, 二级指标, 三级指标, 四级指标), the upper levels often as merged cells. A blank
  level cell above the row's deepest filled one continues the value of the row above (what a
  merged cell shows); rows naming the same parent share it. Codes are made from positions
  (1, 1.2, 1.2.3) unless a 指标编码 column gives them.
- **Code and parent code**: one row per indicator with 指标编码 and 上级指标编码 (blank: top
  level); this is also what the export writes, so an exported template imports back exactly.

Other columns: 指标类型 (评价/定性 graded, 定量 numeric, 加分 bonus, 扣分 deduction, 否决 veto, or
the English names), 分值/权重 (points: the weight of a graded or numeric indicator, the cap of
a bonus or deduction item), 满分 (a cap given apart), 评分标准, 设置依据/考核依据, 数据来源,
责任处室/责任单位, 计量单位, 总体评价 (是 marks the overall indicator). A parent's weight, when
not given, is the sum of its children's. Every row is checked; any problem (with row and
column) and nothing is created.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from core import tabular
from core.context import Actor, AppContext
from core.schemas.indicators import TemplateIn, TemplateOut
from core.services import templates
from core.services.errors import Invalid

LEVEL_HEADERS = ("一级指标", "二级指标", "三级指标", "四级指标", "五级指标")
COLUMNS: dict[str, tuple[str, ...]] = {  # key -> accepted headers, the first one is written by the export
    "code": ("指标编码", "编码", "code"),
    "parent_code": ("上级指标编码", "上级编码", "parent_code"),
    "level": ("层级", "level"),
    "name": ("指标名称", "指标", "name"),
    "kind": ("指标类型", "类型", "kind"),
    "weight": ("权重", "分值", "weight"),
    "max_score": ("满分", "上限", "max_score"),
    "standard": ("评分标准", "standard"),
    "basis": ("设置依据", "考核依据", "依据", "basis"),
    "data_source": ("数据来源", "data_source"),
    "responsible": ("责任处室", "责任单位", "责任部门", "responsible"),
    "unit_of_measure": ("计量单位", "unit_of_measure"),
    "overall": ("总体评价", "overall"),
}
KIND_NAMES = {
    "评价": "graded",
    "定性": "graded",
    "测评": "graded",
    "graded": "graded",
    "定量": "numeric",
    "numeric": "numeric",
    "加分": "bonus",
    "bonus": "bonus",
    "扣分": "deduction",
    "减分": "deduction",
    "deduction": "deduction",
    "否决": "veto",
    "一票否决": "veto",
    "veto": "veto",
}
KIND_LABELS = {"graded": "评价", "numeric": "定量", "bonus": "加分", "deduction": "扣分", "veto": "否决"}
DEFAULT_GRADE_SCALE = [
    {"label": "优秀", "score": 95},
    {"label": "称职", "score": 80},
    {"label": "基本称职", "score": 65},
    {"label": "不称职", "score": 50},
]
MAX_ROWS = 5000
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}


@dataclass
class _Node:
    row: int
    values: dict[str, str]
    children: list[_Node] = field(default_factory=list)


def _header(rows: list[tuple[int, list[str]]]) -> tuple[int, dict[str, int], list[int]]:
    """The header row: its number, the column of each known key, and the level columns."""
    aliases = {alias.lower(): key for key, names in COLUMNS.items() for alias in names}
    for number, row in rows[:20]:
        cells = [str(c or "").strip() for c in row]
        levels = [i for i, c in enumerate(cells) if c in LEVEL_HEADERS]
        found = {aliases[c.lower()]: i for i, c in reversed(list(enumerate(cells))) if c.lower() in aliases}
        if levels or ("name" in found and "code" in found):
            return number, found, sorted(levels, key=lambda i: LEVEL_HEADERS.index(cells[i]))
    raise Invalid(
        "file: no header row with 一级指标… or with 指标编码 and 指标名称 was found",
        errors=[{"row": 0, "column": "", "message": "no header row with 一级指标… or with 指标编码 and 指标名称"}],
    )


def _column(index: int, header: list[str]) -> str:
    from openpyxl.utils import get_column_letter

    title = header[index] if index < len(header) else ""
    return f"{title} ({get_column_letter(index + 1)})"


def _number(text: str) -> float:
    return float(text.replace("，", ".").replace(",", "."))


def read_template(
    filename: str, content: bytes, *, name: str, grade_scale: list[dict[str, Any]] | None = None
) -> TemplateIn:
    """The template a sheet describes, named ``name``; raises Invalid listing every problem
    (``errors``: row, column, message)."""
    all_rows = [
        (n, [str(c or "").strip() for c in row]) for n, row in enumerate(tabular.read_rows(filename, content), 1)
    ]
    header_row, columns, levels = _header(all_rows)
    header = next(row for n, row in all_rows if n == header_row)
    errors: list[dict[str, Any]] = []
    top: list[_Node] = []
    by_code: dict[str, _Node] = {}
    path: list[str] = []  # the level values of the row above
    nodes_by_path: dict[tuple[str, ...], _Node] = {}
    body = [(n, row) for n, row in all_rows if n > header_row and any(row)]
    if len(body) > MAX_ROWS:
        raise Invalid(f"file: more than {MAX_ROWS} indicators; a template holds at most {MAX_ROWS}")

    def cell(row: list[str], key: str) -> str:
        index = columns.get(key)
        return row[index] if index is not None and index < len(row) else ""

    def values_of(number: int, row: list[str]) -> dict[str, str]:
        values = {key: cell(row, key) for key in COLUMNS}
        kind = values["kind"]
        if kind and kind.lower() not in KIND_NAMES:
            errors.append(
                {
                    "row": number,
                    "column": _column(columns["kind"], header),
                    "message": f"not an indicator type: {kind}; write 评价, 定量, 加分, 扣分 or 否决",
                }
            )
        values["kind"] = KIND_NAMES.get(kind.lower(), "graded") if kind else ""
        for key in ("weight", "max_score"):
            if values[key]:
                try:
                    if _number(values[key]) < 0:
                        raise ValueError
                except ValueError:
                    errors.append(
                        {
                            "row": number,
                            "column": _column(columns[key], header),
                            "message": f"not a number of 0 or more: {values[key]}",
                        }
                    )
                    values[key] = ""
        return values

    for number, row in body:
        values = values_of(number, row)
        if levels:
            cells = [row[i] if i < len(row) else "" for i in levels]
            deepest = max((i for i, c in enumerate(cells) if c), default=-1)
            if deepest < 0:
                errors.append(
                    {
                        "row": number,
                        "column": _column(levels[0], header),
                        "message": "no indicator name in any level column",
                    }
                )
                continue
            filled = [cells[i] or (path[i] if i < len(path) else "") for i in range(deepest + 1)]
            if not all(filled):
                missing = next(i for i, c in enumerate(filled) if not c)
                errors.append(
                    {
                        "row": number,
                        "column": _column(levels[missing], header),
                        "message": "the upper level is empty and no row above gives it",
                    }
                )
                continue
            path = filled
            parent: _Node | None = None
            for depth in range(deepest + 1):
                key = tuple(filled[: depth + 1])
                node = nodes_by_path.get(key)
                if node is None:
                    node = _Node(
                        row=number,
                        values={**values, "name": filled[depth]} if depth == deepest else {"name": filled[depth]},
                    )
                    nodes_by_path[key] = node
                    (parent.children if parent else top).append(node)
                elif depth == deepest:
                    if any(values[k] for k in ("kind", "weight", "standard")) and any(
                        node.values.get(k) for k in ("kind", "weight", "standard")
                    ):
                        errors.append(
                            {
                                "row": number,
                                "column": _column(levels[depth], header),
                                "message": f"{filled[depth]} is already on row {node.row}",
                            }
                        )
                    else:  # a section row (加分项) followed by its items, or a group given its own values
                        node.values.update({k: v for k, v in values.items() if v and k != "name"})
                parent = node
        else:
            code, parent_code = values["code"], values["parent_code"]
            if not code or not values["name"]:
                key = "code" if not code else "name"
                errors.append(
                    {"row": number, "column": _column(columns[key], header), "message": "required, but empty"}
                )
                continue
            if code in by_code:
                errors.append(
                    {
                        "row": number,
                        "column": _column(columns["code"], header),
                        "message": f"the same code is on row {by_code[code].row}",
                    }
                )
                continue
            node = _Node(row=number, values=values)
            by_code[code] = node
            if parent_code:
                parent = by_code.get(parent_code)
                if parent is None:
                    errors.append(
                        {
                            "row": number,
                            "column": _column(columns["parent_code"], header),
                            "message": f"no indicator with code {parent_code} on a row above",
                        }
                    )
                    continue
                parent.children.append(node)
            else:
                top.append(node)
    if not top and not errors:
        errors.append({"row": header_row, "column": "", "message": "no indicators below the header row"})
    if errors:
        raise Invalid(f"{len(errors)} problem(s) in the file; no template was created", errors=errors)

    rows_by_code: dict[str, int] = {}

    def indicator(node: _Node, code: str) -> dict[str, Any]:
        v = node.values
        own_code = v.get("code") or code  # given, else made from the position: 1, 1.2, 1.2.3
        rows_by_code[own_code] = node.row
        children = [indicator(child, f"{own_code}.{i}") for i, child in enumerate(node.children, 1)]
        kind = v.get("kind") or "graded"
        points = _number(v["weight"]) if v.get("weight") else None
        cap = _number(v["max_score"]) if v.get("max_score") else None
        if kind in ("bonus", "deduction"):
            weight, cap = 0.0, cap if cap is not None else points
        elif kind == "veto":
            weight = 0.0
        elif points is not None:
            weight = points
        elif children:
            weight = sum(c["weight"] for c in children)
        else:
            weight = 1.0
        return {
            "code": own_code,
            "name": v.get("name", "")[:200],
            "kind": kind,
            "weight": weight,
            "max_score": cap,
            "overall": v.get("overall", "").lower() in _TRUE,
            "standard": v.get("standard", ""),
            "basis": v.get("basis", ""),
            "data_source": v.get("data_source", "")[:200],
            "responsible": v.get("responsible", "")[:200],
            "unit_of_measure": v.get("unit_of_measure", "")[:50],
            "children": children,
        }

    tree = [indicator(node, str(i)) for i, node in enumerate(top, 1)]
    try:
        return TemplateIn.model_validate(
            {"name": name, "grade_scale": grade_scale or DEFAULT_GRADE_SCALE, "indicators": tree}
        )
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = str(error.get("msg", "")).removeprefix("Value error, ")
            code = re.search(r"indicator (\S+):", message)
            problems.append(
                {
                    "row": rows_by_code.get(code.group(1), header_row) if code else header_row,
                    "column": "",
                    "message": message,
                }
            )
        raise Invalid(f"{len(problems)} problem(s) in the file; no template was created", errors=problems) from None


def import_template(
    ctx: AppContext,
    actor: Actor,
    code: str,
    filename: str,
    content: bytes,
    *,
    name: str,
    grade_scale: list[dict[str, Any]] | None = None,
) -> TemplateOut:
    """Create a draft template in locality ``code`` from a sheet (see ``read_template``)."""
    from core.services.access import OFFICE_ROLES, locality_for, require_role

    require_role(actor, OFFICE_ROLES, "change templates")
    with ctx.db.read() as session:
        locality_for(session, actor, code)  # 404 before reading the file for a locality one cannot change
    return templates.create(ctx, actor, code, read_template(filename, content, name=name, grade_scale=grade_scale))


def template_workbook(template: TemplateOut) -> bytes:
    """The template as a sheet of code and parent code (imports back to the same template)."""
    from openpyxl import Workbook

    keys = (
        "level",
        "code",
        "parent_code",
        "name",
        "kind",
        "weight",
        "max_score",
        "standard",
        "basis",
        "data_source",
        "responsible",
        "unit_of_measure",
        "overall",
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "指标"
    tabular.append_row(sheet, [COLUMNS[k][0] for k in keys])

    def walk(items: list, parent: str, level: int) -> None:
        for item in items:
            values = {
                "level": level,
                "code": item.code,
                "parent_code": parent,
                "name": item.name,
                "kind": KIND_LABELS.get(item.kind, item.kind),
                "weight": item.weight if item.kind not in ("bonus", "deduction", "veto") else None,
                "max_score": item.max_score,
                "standard": item.standard,
                "basis": item.basis,
                "data_source": item.data_source,
                "responsible": item.responsible,
                "unit_of_measure": item.unit_of_measure,
                "overall": "是" if item.overall else "",
            }
            tabular.append_row(sheet, [values[k] for k in keys])
            walk(item.children, item.code, level + 1)

    walk(template.indicators, "", 1)
    grades = workbook.create_sheet("等次")
    tabular.append_row(grades, ["等次", "分数"])
    for grade in template.grade_scale:
        tabular.append_row(grades, [grade.label, grade.score])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
