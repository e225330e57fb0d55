"""一人一表 in the console (``/admin/localities/{code}/goals/person-tables?unit_id=&template_id=``):
a unit's indicators of a template, each with the unit's people responsible for it (person, role,
share), the sum and the difference from 100 % shown per indicator while typing; saved all at once
(``person_tables.split_unit``): any refused indicator is named beside it, with nothing written.

For the office (any unit) and a unit's administrator (their unit). Each indicator shows its people
and two empty rows to add someone; emptying a row's person takes them off. Fields per indicator
``i`` and row ``k``: ``person-{i}-{k}``, ``role-{i}-{k}``, ``share-{i}-{k}``, and ``rows-{i}``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect

from core.services.errors import Invalid, ServiceError
from core.web.admin.shell import Shell, open_shell
from plugins.goals import choices, person_tables
from plugins.goals.pages import ADMIN_ROLES, CONSOLE_CHECKS, _common, _int
from plugins.goals.person_tables import IndicatorSplitIn, UnitSplitIn, UnitTable
from plugins.goals.schemas import ShareIn
from plugins.goals.shares import share_difference

EMPTY_ROWS = 2  # rows to add someone, under each indicator's people
MAX_ROWS = 200  # rows of one indicator read from a form
NOT_A_SHARE = "{indicator}: the share {value} is not a number from 0 to 100"


def _query(unit: int | None, template: int | None) -> str:
    return urlencode({k: v for k, v in {"unit_id": unit, "template_id": template}.items() if v})


def _depths(table: UnitTable) -> dict[int, int]:
    parents = {i.indicator_id: i.parent_id for i in table.indicators}
    depths: dict[int, int] = {}
    for i in table.indicators:
        depth, parent, hops = 0, i.parent_id, 0
        while parent is not None and parent in parents and hops < 50:
            depth, parent, hops = depth + 1, parents[parent], hops + 1
        depths[i.indicator_id] = depth
    return depths


def _blocks(table: UnitTable, typed: dict[int, list[dict]] | None, errors: dict[int, str]) -> list[dict[str, Any]]:
    """One block per indicator: its rows (stored, or as typed) plus empty ones, and its error."""
    depths = _depths(table)
    blocks = []
    for i in table.indicators:
        if typed is not None:
            rows = [r for r in typed.get(i.indicator_id, []) if r["person_id"]]
        else:
            rows = [{"person_id": p.person_id, "role": p.role, "share": f"{p.share:g}"} for p in i.people]
        numbers = [_share(r["share"]) for r in rows]
        difference = share_difference([n for n in numbers if n is not None]) if rows else None
        blocks.append(
            {
                "id": i.indicator_id,
                "code": i.code,
                "name": i.name,
                "depth": depths.get(i.indicator_id, 0),
                "rows": rows + [{"person_id": None, "role": "", "share": ""}] * EMPTY_ROWS,
                "total": f"{round(sum(n for n in numbers if n is not None), 2):g}",
                "difference": difference,
                "gap": f"{abs(difference):g}" if difference is not None else "",
                "error": errors.get(i.indicator_id, ""),
            }
        )
    return blocks


def _share(text: str) -> float | None:
    text = (text or "").strip().replace("，", "").replace(",", "").replace("%", "").strip()
    if not text:
        return 0.0
    try:
        number = float(text)
    except ValueError:
        return None
    return number if 0 <= number <= 100 else None


async def _page(
    shell: Shell,
    code: str,
    unit_id: int | None,
    template_id: int | None,
    *,
    typed: dict[int, list[dict]] | None = None,
    errors: dict[int, str] | None = None,
    **context: Any,
) -> Response:
    lists = await run_sync(choices.choices, shell.ctx, shell.actor, code)
    unit = unit_id if unit_id in {u[0] for u in lists.units} else (lists.units[0][0] if lists.units else None)
    templates, people = await run_sync(person_tables.templates_and_people, shell.ctx, shell.actor, code, unit)
    template = template_id if template_id in {t[0] for t in templates} else (templates[0][0] if templates else None)
    table = None
    if unit is not None and template is not None:
        table = await run_sync(person_tables.unit_table, shell.ctx, shell.actor, code, unit, template)
    title = shell._("Person indicator tables (一人一表)")
    return shell.render(
        "goals/person_tables.html",
        title=title,
        crumbs=[],
        lists=lists,
        unit=unit,
        template=template,
        templates=templates,
        people=people,
        roles=lists.roles,
        blocks=_blocks(table, typed, errors or {}) if table is not None else [],
        table=table,
        unset=sum(1 for i in table.indicators if not i.people) if table is not None else 0,
        page=f"/admin/localities/{code}/goals/person-tables",
        query=_query(unit, template),
        saved=context.pop("saved", False),
        error=context.pop("error", ""),
        status_code=context.pop("status_code", 200),
        **_common(shell, code),
    )


@get("/localities/{code:str}/goals/person-tables", include_in_schema=False, opt=CONSOLE_CHECKS)
async def tables_page(
    request: Request,
    code: FromPath[str],
    unit_id: FromQuery[str | None] = None,
    template_id: FromQuery[str | None] = None,
    saved: FromQuery[str | None] = None,
) -> Response:
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    return await _page(shell, code, _int(unit_id), _int(template_id), saved=saved == "1")


def _read_form(data: dict[str, str], table: UnitTable) -> tuple[dict[int, list[dict]], UnitSplitIn, list[dict]]:
    """The rows as typed per indicator, the batch for the service, and the rows' own problems
    (a share that is not a number from 0 to 100), each naming its indicator."""
    typed: dict[int, list[dict]] = {}
    splits, problems = [], []
    for index, indicator in enumerate(table.indicators):
        i = indicator.indicator_id
        count = min(_int(data.get(f"rows-{i}")) or 0, MAX_ROWS)
        rows = [
            {
                "person_id": _int(data.get(f"person-{i}-{k}")),
                "role": (data.get(f"role-{i}-{k}") or "").strip()[:20],
                "share": (data.get(f"share-{i}-{k}") or "").strip()[:20],
            }
            for k in range(count)
        ]
        typed[i] = rows
        people, bad = [], None
        for row in rows:
            if not row["person_id"]:
                continue
            share = _share(row["share"])
            if share is None:
                bad = bad or row["share"]
                continue
            people.append(ShareIn(person_id=row["person_id"], role=row["role"] or "-", share=share))
        if bad is not None:
            message = NOT_A_SHARE.format(indicator=indicator.name, value=bad)
            problems.append({"field": f"indicators[{index}]", "indicator_id": i, "message": message})
        splits.append(IndicatorSplitIn(indicator_id=i, people=people))
    return typed, UnitSplitIn(indicators=splits), problems


@post("/localities/{code:str}/goals/person-tables", include_in_schema=False, opt=CONSOLE_CHECKS)
async def tables_save(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    shell.check_csrf(data)
    unit, template = _int(data.get("unit_id")), _int(data.get("template_id"))
    if unit is None or template is None:
        raise Invalid("please choose a unit and a template")
    table = await run_sync(person_tables.unit_table, shell.ctx, shell.actor, code, unit, template)
    typed, batch, problems = _read_form(data, table)
    try:
        await run_sync(
            lambda: person_tables.split_unit(
                shell.ctx, shell.actor, code, unit, template, batch, check_only=bool(problems), known=problems
            )
        )
    except ServiceError as exc:
        if exc.status_code in (403, 404):
            raise
        errors: dict[int, str] = {}
        for error in exc.errors:
            if isinstance(error, dict) and error.get("indicator_id") is not None:
                errors.setdefault(int(error["indicator_id"]), shell.tr.translate(str(error.get("message", ""))))
        return await _page(
            shell,
            code,
            unit,
            template,
            typed=typed,
            errors=errors,
            error=shell.tr.error(exc),
            status_code=exc.status_code,
        )
    return Redirect(f"/admin/localities/{code}/goals/person-tables?{_query(unit, template)}&saved=1", status_code=303)


ROUTES = [tables_page, tables_save]
