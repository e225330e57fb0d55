"""Copying a set's goals to a later year from the console's tree page (``/goals/copy``): the whole
set, or the branches of the top goals ticked, every field and the people kept
(``copying.copy_goals``); then the target year's tree with the copies as drafts, or the tree again
with the reason (a year that is not later, a goal not of the set)."""

from __future__ import annotations

from anyio.to_thread import run_sync
from litestar import Request, Response, post
from litestar.params import FromPath
from litestar.response import Redirect
from pydantic import ValidationError

from core.services.errors import ServiceError
from core.web.admin.shell import open_shell
from plugins.goals import copying
from plugins.goals.pages import ADMIN_ROLES, CONSOLE_CHECKS, _int, _set_query, render_tree
from plugins.goals.schemas import CopyIn

NOT_A_LATER_YEAR = "Choose a year after {year} to copy to."


@post("/localities/{code:str}/goals/copy", include_in_schema=False, opt=CONSOLE_CHECKS)
async def copy(request: Request, code: FromPath[str]) -> Response:
    """Form fields: ``_csrf``, ``unit_id``, ``team_id``, ``year``, ``to_year``, ``goal_id`` (any
    number: the branches to copy; none: every goal of the set)."""
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    form = await request.form()
    shell.check_csrf({"_csrf": form.get("_csrf", "")})
    unit_id, team_id, year = (str(form.get(k, "") or "") for k in ("unit_id", "team_id", "year"))
    unit, team, from_year = _int(unit_id), _int(team_id), _int(year)
    to_year = _int(str(form.get("to_year", "") or ""))
    chosen = [_int(str(v)) for v in form.getall("goal_id")] if "goal_id" in form else []
    try:
        data = CopyIn(
            unit_id=unit or 0,
            team_id=team,
            year=from_year or 0,
            to_year=to_year,
            goal_ids=[i for i in chosen if i is not None] or None,
        )
    except ValidationError:
        data = None
    if data is None or to_year is None or from_year is None or to_year <= from_year:
        error = shell._(NOT_A_LATER_YEAR, year=from_year or "")
        return await render_tree(shell, code, unit_id, team_id, year, error=error, status_code=422)
    try:
        copies = await run_sync(copying.copy_goals, shell.ctx, shell.actor, code, data)
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        return await render_tree(
            shell, code, unit_id, team_id, year, error=shell.tr.error(exc), status_code=exc.status_code
        )
    query = _set_query(data.unit_id, data.team_id, to_year)
    return Redirect(f"/admin/localities/{code}/goals?{query}&copied={len(copies)}", status_code=303)


ROUTES = [copy]
