"""The goals' progress pages: ``/goals/{id}/progress`` (the progress entry, one column for a
phone, with the goal's reports; for the goal's writers and the people it is given to) and
``/goals/mine`` (the goals given to the signed-in person)."""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect

from core.services.errors import ServiceError
from core.web.admin.shell import Shell, field_errors, open_shell
from plugins.goals import history, progress
from plugins.goals.access import today
from plugins.goals.models import GoalKind
from plugins.goals.pages import ADMIN_ROLES, CONSOLE_CHECKS, _common, _int, _number, _set_query, _validated
from plugins.goals.schemas import ProgressIn

# --- progress -------------------------------------------------------------------------------------


def _chart(shell: Shell, points: list[history.Point]) -> dict[str, Any] | None:
    """The line chart of ``points`` for ``/static/charts.js`` (none without reports)."""
    if not points:
        return None
    return {
        "type": "line",
        "names": [p.period for p in points],
        "series": [
            {"name": shell._("Planned progress"), "values": [p.plan for p in points], "dashed": True},
            {"name": shell._("Actual progress"), "values": [p.actual for p in points]},
        ],
        "axis": "%",
        "max": 100,
    }


def _progress_page(shell: Shell, code: str, goal: Any, values: dict, **context: Any) -> Response:
    points = context.pop("points", [])
    context.update(points=points, chart=_chart(shell, points))
    return shell.render(
        "goals/progress.html",
        title=shell._("Progress: {name}", name=goal.name),
        crumbs=[(goal.name, None)],
        goal=goal,
        values=values,
        manager=shell.actor.role in ADMIN_ROLES,
        query=_set_query(goal.unit_id, goal.team_id, goal.year),
        error=context.pop("error", ""),
        errors=context.pop("errors", {}),
        **context,
        **_common(shell, code),
    )


@get("/localities/{code:str}/goals/{goal_id:int}/progress", include_in_schema=False, opt=CONSOLE_CHECKS)
async def progress_page(
    request: Request, code: FromPath[str], goal_id: FromPath[int], saved: FromQuery[int | None] = None
) -> Response:
    shell = await open_shell(request, code)
    goal = await run_sync(progress.goal_detail, shell.ctx, shell.actor, code, goal_id)
    day = await run_sync(today, shell.ctx)
    quarter = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    points = await run_sync(history.plan_vs_actual, shell.ctx, shell.actor, code, goal_id)
    return _progress_page(shell, code, goal, {"period": quarter}, saved=bool(saved), points=points)


@post("/localities/{code:str}/goals/{goal_id:int}/progress", include_in_schema=False, opt=CONSOLE_CHECKS)
async def progress_save(
    request: Request, code: FromPath[str], goal_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code)
    shell.check_csrf(data)
    goal = await run_sync(progress.goal_detail, shell.ctx, shell.actor, code, goal_id)
    try:
        report = _validated(
            ProgressIn,
            {
                "period": data.get("period", ""),
                "actual": _number(data, "actual") if goal.kind == GoalKind.quantitative else None,
                "percent": _number(data, "percent") if goal.kind == GoalKind.qualitative else None,
                "done": data.get("done") == "1",
                "work_done": data.get("work_done", ""),
                "delay_reasons": data.get("delay_reasons", ""),
            },
        )
        await run_sync(progress.report, shell.ctx, shell.actor, code, goal_id, report)
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        errors, general = field_errors(shell.tr, exc)
        return _progress_page(shell, code, goal, dict(data), error=general, errors=errors, status_code=exc.status_code)
    return Redirect(f"/admin/localities/{code}/goals/{goal_id}/progress?saved=1", status_code=303)


@get("/localities/{code:str}/goals/mine", include_in_schema=False, opt=CONSOLE_CHECKS)
async def mine_page(request: Request, code: FromPath[str], year: FromQuery[str | None] = None) -> Response:
    """The goals given to the signed-in person, each with its progress and a link to report it."""
    shell = await open_shell(request, code)
    day = await run_sync(today, shell.ctx)
    chosen = _int(year) or day.year
    chosen = chosen if 1900 <= chosen <= 2199 else day.year
    goals = await run_sync(progress.my_goals, shell.ctx, shell.actor, code, chosen)
    return shell.render(
        "goals/mine.html", title=shell._("My goals"), crumbs=[], goals=goals, year=chosen, **_common(shell, code)
    )


ROUTES = [progress_page, progress_save, mine_page]
