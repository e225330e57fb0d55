"""Many goals to many people in one step from the console (``/goals/assign``): tick goals of a set
and the people responsible with their roles and shares (the sum and the difference from 100 %
shown while typing); every goal ticked gets the same people (``shares.assign_many``), all or
nothing: the first goal refused is named with the reason and nothing is written."""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from core.services.errors import ServiceError
from core.web.admin.shell import Shell, open_shell
from plugins.goals import choices, progress, shares
from plugins.goals.pages import ADMIN_ROLES, CONSOLE_CHECKS, _common, _int, _number, _set_query, _validated
from plugins.goals.schemas import AssignManyIn, ShareIn

NO_GOAL_TICKED = "Tick at least one goal."


async def _page(
    shell: Shell,
    code: str,
    unit_id: str | None,
    team_id: str | None,
    year: str | None,
    form: Any = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    unit, team, year_number = _int(unit_id), _int(team_id), _int(year)
    if unit is None or year_number is None:
        return Redirect(f"/admin/localities/{code}/goals", status_code=303)
    tree = await run_sync(progress.goal_tree, shell.ctx, shell.actor, code, unit, team, year_number)
    lists = await run_sync(choices.choices, shell.ctx, shell.actor, code)
    people = await run_sync(choices.candidates, shell.ctx, shell.actor, code, tree.goals[0].id) if tree.goals else []
    ticked = {_int(str(v)) for v in form.getall("goal_id")} if form is not None and "goal_id" in form else set()
    rows = []
    for pid, name in people:
        rows.append(
            {
                "person_id": pid,
                "name": name,
                "on": form is not None and form.get(f"on-{pid}") == "1",
                "role": form.get(f"role-{pid}", "") if form is not None else (lists.roles[0] if lists.roles else ""),
                "share": form.get(f"share-{pid}", "") if form is not None else "",
            }
        )
    query = _set_query(unit, team, year_number)
    return shell.render(
        "goals/assign.html",
        title=shell._("Decompose many goals at once"),
        crumbs=[(shell._("Goals"), f"/admin/localities/{code}/goals?{query}")],
        tree=tree,
        ticked=ticked,
        rows=rows,
        roles=lists.roles,
        unit=unit,
        team=team,
        year=year_number,
        query=query,
        error=error,
        status_code=status_code,
        **_common(shell, code),
    )


@get("/localities/{code:str}/goals/assign", include_in_schema=False, opt=CONSOLE_CHECKS)
async def assign_page(
    request: Request,
    code: FromPath[str],
    unit_id: FromQuery[str | None] = None,
    team_id: FromQuery[str | None] = None,
    year: FromQuery[str | None] = None,
) -> Response:
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    return await _page(shell, code, unit_id, team_id, year)


@post("/localities/{code:str}/goals/assign", include_in_schema=False, opt=CONSOLE_CHECKS)
async def assign_save(request: Request, code: FromPath[str]) -> Response:
    """Form fields: ``_csrf``, ``unit_id``, ``team_id``, ``year``, ``goal_id`` (any number), and per
    person ``p`` of the set: ``on-{p}`` (given), ``role-{p}``, ``share-{p}``."""
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    form = await request.form()
    shell.check_csrf({"_csrf": form.get("_csrf", "")})
    unit_id, team_id, year = (str(form.get(k, "") or "") for k in ("unit_id", "team_id", "year"))
    goal_ids = [i for i in (_int(str(v)) for v in form.getall("goal_id")) if i is not None] if "goal_id" in form else []
    if not goal_ids:
        return await _page(shell, code, unit_id, team_id, year, form, shell._(NO_GOAL_TICKED), 422)
    try:
        tree = await run_sync(
            progress.goal_tree, shell.ctx, shell.actor, code, _int(unit_id) or 0, _int(team_id), _int(year) or 0
        )
        people = (
            await run_sync(choices.candidates, shell.ctx, shell.actor, code, tree.goals[0].id) if tree.goals else []
        )
        values = {k: str(v) for k, v in form.items()}
        chosen = [
            _validated(
                ShareIn,
                {
                    "person_id": pid,
                    "role": values.get(f"role-{pid}", ""),
                    "share": _number(values, f"share-{pid}") or 0,
                },
            )
            for pid, _name in people
            if values.get(f"on-{pid}") == "1"
        ]
        done = await run_sync(
            shares.assign_many, shell.ctx, shell.actor, code, AssignManyIn(goal_ids=goal_ids[:5000], people=chosen)
        )
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        return await _page(shell, code, unit_id, team_id, year, form, shell.tr.error(exc), exc.status_code)
    query = _set_query(_int(unit_id) or 0, _int(team_id), _int(year) or 0)
    return Redirect(f"/admin/localities/{code}/goals?{query}&assigned={len(done)}", status_code=303)


ROUTES = [assign_page, assign_save]
