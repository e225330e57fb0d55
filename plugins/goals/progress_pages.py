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
from plugins.goals import history, progress, report_discussion
from plugins.goals.access import today
from plugins.goals.models import GoalKind
from plugins.goals.pages import ADMIN_ROLES, CONSOLE_CHECKS, _common, _int, _number, _set_query, _validated
from plugins.goals.schemas import ProgressIn

# --- progress -------------------------------------------------------------------------------------


def _in_year(period: str) -> str:
    """A period's place in its year: ``2026-03`` → ``03``, ``2026-Q1`` → ``Q1``."""
    return period.split("-", 1)[1] if "-" in period else period


def _chart(shell: Shell, found: history.History | None) -> dict[str, Any] | None:
    """The line chart of ``found`` for ``/static/charts.js`` (none without reports): one year's
    plan and actual by period, or, for several years, each year's plan and actual by the period's
    place in the year (one colour a year; the legend shows or hides each)."""
    if found is None or not found.series:
        return None
    base = {"type": "line", "axis": "%", "max": 100}
    if len(found.series) == 1:
        points = found.series[0].points
        return {
            **base,
            "names": [p.period for p in points],
            "series": [
                {"name": shell._("Planned progress"), "values": [p.plan for p in points], "dashed": True},
                {"name": shell._("Actual progress"), "values": [p.actual for p in points]},
            ],
        }
    places: dict[str, tuple] = {}
    for one in found.series:
        for p in one.points:
            month = p.period.split("-", 1)[1]
            # months by number; a quarter after the months it ends with (Q1 after 03)
            key = (int(month[1]) * 3, 1) if month.startswith("Q") else (int(month), 0)
            places.setdefault(_in_year(p.period), key)
    names = sorted(places, key=lambda n: places[n])
    series = []
    for group, one in enumerate(found.series):
        plan = {_in_year(p.period): p.plan for p in one.points}
        actual = {_in_year(p.period): p.actual for p in one.points}
        series.append(
            {
                "name": shell._("{year} planned", year=one.year),
                "values": [plan.get(n) for n in names],
                "dashed": True,
                "group": group,
            }
        )
        series.append(
            {"name": shell._("{year} actual", year=one.year), "values": [actual.get(n) for n in names], "group": group}
        )
    return {**base, "names": names, "series": series}


def _progress_page(shell: Shell, code: str, goal: Any, values: dict, **context: Any) -> Response:
    found = context.pop("history", None)
    context.update(history=found, chart=_chart(shell, found))
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
    request: Request,
    code: FromPath[str],
    goal_id: FromPath[int],
    saved: FromQuery[str | None] = None,
    years: FromQuery[list[str] | None] = None,
) -> Response:
    shell = await open_shell(request, code)
    goal = await run_sync(progress.goal_detail, shell.ctx, shell.actor, code, goal_id)
    day = await run_sync(today, shell.ctx)
    quarter = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    chosen = [int(y) for y in years or [] if y.strip().isdigit() and len(y.strip()) == 4]
    found = await run_sync(history.across_years, shell.ctx, shell.actor, code, goal_id, chosen)
    counts = await run_sync(report_discussion.counts_of, shell.ctx, shell.actor, code, goal_id)
    return _progress_page(
        shell, code, goal, {"period": quarter}, saved=saved == "1", history=found, comment_counts=counts
    )


@post("/localities/{code:str}/goals/{goal_id:int}/progress", include_in_schema=False, opt=CONSOLE_CHECKS)
async def progress_save(
    request: Request, code: FromPath[str], goal_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code)
    shell.check_csrf(data)
    goal = await run_sync(progress.goal_detail, shell.ctx, shell.actor, code, goal_id)
    found = await run_sync(history.across_years, shell.ctx, shell.actor, code, goal_id)
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
        counts = await run_sync(report_discussion.counts_of, shell.ctx, shell.actor, code, goal_id)
        return _progress_page(
            shell,
            code,
            goal,
            dict(data),
            error=general,
            errors=errors,
            status_code=exc.status_code,
            history=found,
            comment_counts=counts,
        )
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
