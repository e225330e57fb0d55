"""The goals' workbook on the console's tree page: download a set's goals with an empty progress
sheet (``/goals/workbook``), upload the filled progress sheet back (``/goals/progress-sheet``) or a
whole goal tree (``/goals/tree-sheet``, its 目标 sheet): all rows or none, every problem listed by
row and column in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from core.services.errors import ServiceError
from core.web.admin.forms import message
from core.web.admin.shell import open_shell
from core.web.downloads import attachment
from plugins.goals import sheets, tree_sheet
from plugins.goals.pages import ADMIN_ROLES, CONSOLE_CHECKS, _int, _set_query, render_tree

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@get("/localities/{code:str}/goals/workbook", include_in_schema=False, opt=CONSOLE_CHECKS)
async def workbook(
    request: Request,
    code: FromPath[str],
    unit_id: FromQuery[str],
    year: FromQuery[str],
    team_id: FromQuery[str | None] = None,
) -> Response:
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    unit, year_number = _int(unit_id) or 0, _int(year) or 0
    content = await run_sync(sheets.export_workbook, shell.ctx, shell.actor, code, unit, _int(team_id), year_number)
    return Response(
        content,
        media_type=XLSX,
        headers={
            "Content-Disposition": attachment(shell.tr, "goals-{unit}-{year}", ".xlsx", unit=unit, year=year_number)
        },
    )


@post("/localities/{code:str}/goals/progress-sheet", include_in_schema=False, opt=CONSOLE_CHECKS)
async def upload(request: Request, code: FromPath[str]) -> Response:
    """Form fields: ``_csrf``, ``unit_id``, ``team_id``, ``year``, ``file``."""
    return await _upload(request, code, sheets.import_progress, "imported")


@post("/localities/{code:str}/goals/tree-sheet", include_in_schema=False, opt=CONSOLE_CHECKS)
async def upload_tree(request: Request, code: FromPath[str]) -> Response:
    """A whole goal tree (``plugins.goals.tree_sheet``) into the set, as drafts. Form fields as
    ``upload``."""
    return await _upload(request, code, tree_sheet.import_tree, "goals_imported")


async def _upload(request: Request, code: str, reader: Callable[..., int], done: str) -> Response:
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    form = await request.form()
    shell.check_csrf({"_csrf": form.get("_csrf", "")})
    unit_id, team_id, year = (str(form.get(k, "") or "") for k in ("unit_id", "team_id", "year"))
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return await render_tree(
            shell, code, unit_id, team_id, year, error=shell._("Choose an .xlsx or .csv file first."), status_code=422
        )
    content = await file.read()
    try:
        count = await run_sync(
            reader,
            shell.ctx,
            shell.actor,
            code,
            _int(unit_id) or 0,
            _int(team_id),
            _int(year) or 0,
            file.filename,
            content,
        )
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        problems = [
            {"row": e.get("row", ""), "column": e.get("column", ""), "message": message(shell.tr, e.get("message", ""))}
            for e in exc.errors
            if "row" in e
        ]
        return await render_tree(
            shell,
            code,
            unit_id,
            team_id,
            year,
            problems=problems,
            error=shell.tr.error(exc),
            status_code=exc.status_code,
        )
    query = _set_query(_int(unit_id) or 0, _int(team_id), _int(year) or 0)
    return Redirect(f"/admin/localities/{code}/goals?{query}&{done}={count}", status_code=303)


ROUTES = [workbook, upload, upload_tree]
