"""The office's year-end scoring page (年终评分), in the console's shell:
``/admin/localities/{code}/goals/scoring?unit_id=&team_id=&year=&period=``.

For the chosen set (a unit's goals or a leadership team's), year and period (the year by default,
or one of its half-years, quarters or months: ``periods_of``): each top-level goal with its
progress, status, red flag, comments and people beside the score form (the standard score, and
either a direct score or a deduction from the standard; a goal done by the period's end gets the
standard when neither is given); below, the set's total and each person's result through their
shares. ``POST /goals/{id}/score`` scores one goal for the period
(``plugins.goals.scoring.score_goal``: audited); ``POST /goals/scoring/finish`` stores the set's
results of the period and ``POST /goals/scoring/reopen`` removes them (``plugins.goals.results``:
audited; the page asks before either). The office only: 404 for every other role. What the
service refuses is shown on the page in the reader's language, and nothing is written."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect

from core.models import Role
from core.periods import Period, PeriodKind
from core.services.errors import ServiceError
from core.web.admin.shell import Shell, field_errors, open_shell
from plugins.goals import choices, progress, results, scoring
from plugins.goals.access import today
from plugins.goals.pages import CONSOLE_CHECKS, _common, _int, _number, _set_query, _validated
from plugins.goals.schemas import ScoreIn

OFFICE = frozenset({Role.platform_admin.value, Role.office.value})
KINDS = (PeriodKind.year, PeriodKind.half_year, PeriodKind.quarter, PeriodKind.month)


def periods_of(year: int) -> list[str]:
    """The periods a set of ``year`` is scored and finished for on the page: the year, then its
    half-years, quarters and months."""
    return [str(Period.of(kind, year, n)) for kind in KINDS for n in range(1, 12 // _months(kind) + 1)]


def _months(kind: PeriodKind) -> int:
    return {PeriodKind.year: 12, PeriodKind.half_year: 6, PeriodKind.quarter: 3, PeriodKind.month: 1}[kind]


def _chosen_period(value: str | None, year: int) -> str:
    """``value`` if it is one of the year's periods on the page (canonical), else the year."""
    periods = periods_of(year)
    try:
        period = str(Period.parse(value)) if value else periods[0]
    except ValueError:
        return periods[0]
    return period if period in periods else periods[0]


def _query(unit_id: int, team_id: int | None, year: int, period: str) -> str:
    """The page's query of a set, with its period when it is not the year."""
    query = _set_query(unit_id, team_id, year)
    return query + (f"&{urlencode({'period': period})}" if period != str(year) else "")


def scoring_page(
    shell: Shell,
    code: str,
    unit_id: int | None,
    team_id: int | None,
    year: int | None,
    period: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """The page of the chosen set and period (the locality's first unit, its own goals, this year
    and the whole year by default)."""
    from core.services import discussion as core_discussion
    from plugins.goals.discussion import TARGET

    lists = choices.choices(shell.ctx, shell.actor, code)
    day = today(shell.ctx)
    year = year if year is not None and 1900 <= year <= 2199 else day.year
    period = _chosen_period(period, year)
    if unit_id not in {u[0] for u in lists.units}:
        unit_id = lists.units[0][0] if lists.units else None
    if unit_id is None or team_id not in {t[0] for t in lists.teams.get(unit_id, [])}:
        team_id = None
    tree = sheet = None
    talk: dict[int, tuple[int, int]] = {}
    if unit_id is not None:
        tree = progress.goal_tree(shell.ctx, shell.actor, code, unit_id, team_id, year)
        sheet = scoring.score_sheet(shell.ctx, shell.actor, code, unit_id, team_id, year, period)
        with shell.ctx.db.read() as session:
            talk = core_discussion.counts(session, TARGET, [g.id for g in tree.goals if g.depth == 0])
    return shell.render(
        "goals/scoring.html",
        title=shell._("Year-end scoring"),
        crumbs=[],
        lists=lists,
        unit=unit_id,
        team=team_id,
        year=year,
        period=period,
        periods=periods_of(year),
        tops=[g for g in tree.goals if g.depth == 0] if tree else [],
        scores={s.goal_id: s for s in sheet.scores} if sheet else {},
        sheet=sheet,
        talk=talk,
        query=_query(unit_id, team_id, year, period) if unit_id else "",
        values=context.pop("values", {}),
        error_of=context.pop("error_of", None),
        error=context.pop("error", ""),
        errors=context.pop("errors", {}),
        saved=context.pop("saved", None),
        results_error=context.pop("results_error", ""),
        status_code=status_code,
        **_common(shell, code),
    )


@get("/localities/{code:str}/goals/scoring", include_in_schema=False, opt=CONSOLE_CHECKS)
async def scoring_view(
    request: Request,
    code: FromPath[str],
    unit_id: FromQuery[str | None] = None,
    team_id: FromQuery[str | None] = None,
    year: FromQuery[str | None] = None,
    period: FromQuery[str | None] = None,
    saved: FromQuery[str | None] = None,
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    return await run_sync(
        lambda: scoring_page(shell, code, _int(unit_id), _int(team_id), _int(year), period, saved=_int(saved))
    )


@post("/localities/{code:str}/goals/{goal_id:int}/score", include_in_schema=False, opt=CONSOLE_CHECKS)
async def score(
    request: Request, code: FromPath[str], goal_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    unit, team, year = _int(data.get("unit_id")), _int(data.get("team_id")), _int(data.get("year"))
    period = data.get("period") or str(year or "")
    try:
        given = _validated(
            ScoreIn,
            {
                "period": period,
                "standard": _number(data, "standard"),
                "score": _number(data, "score"),
                "deduction": _number(data, "deduction"),
                "note": data.get("note", ""),
            },
        )
        await run_sync(scoring.score_goal, shell.ctx, shell.actor, code, goal_id, given)
    except ServiceError as exc:
        if exc.status_code in (403, 404):
            raise
        errors, general = field_errors(shell.tr, exc)
        status = exc.status_code
        return await run_sync(
            lambda: scoring_page(
                shell,
                code,
                unit,
                team,
                year,
                period,
                status_code=status,
                values=dict(data),
                error_of=goal_id,
                error=general or "；".join(errors.values()),
                errors=errors,
            )
        )
    query = _query(unit, team, year, _chosen_period(period, year)) if unit and year else ""
    return Redirect(f"/admin/localities/{code}/goals/scoring?{query}&saved={goal_id}#goal-{goal_id}", status_code=303)


async def _results(request: Request, code: str, data: dict[str, str], work) -> Response:
    """Finish or reopen the chosen set's scoring for its period (default: the year), then back to
    its results; a refusal shows the page with the reason under the results."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    unit, team, year = _int(data.get("unit_id")), _int(data.get("team_id")), _int(data.get("year"))
    if unit is None or year is None or not 0 < unit < 2**31 or not 1900 <= year <= 2199:
        return Redirect(f"/admin/localities/{code}/goals/scoring", status_code=303)
    team = team if team is not None and 0 < team < 2**31 else None
    period = data.get("period") or str(year)
    try:
        await run_sync(work, shell, unit, team, year, period)
    except ServiceError as exc:
        if exc.status_code in (403, 404):
            raise
        message = shell.tr.error(exc)
        status = exc.status_code
        return await run_sync(
            lambda: scoring_page(shell, code, unit, team, year, period, status_code=status, results_error=message)
        )
    query = _query(unit, team, year, _chosen_period(period, year))
    return Redirect(f"/admin/localities/{code}/goals/scoring?{query}#results", status_code=303)


@post("/localities/{code:str}/goals/scoring/finish", include_in_schema=False, opt=CONSOLE_CHECKS)
async def finish(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    return await _results(
        request,
        code,
        data,
        lambda shell, unit, team, year, period: results.finish(shell.ctx, shell.actor, code, unit, team, year, period),
    )


@post("/localities/{code:str}/goals/scoring/reopen", include_in_schema=False, opt=CONSOLE_CHECKS)
async def reopen(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    return await _results(
        request,
        code,
        data,
        lambda shell, unit, team, year, period: results.reopen(shell.ctx, shell.actor, code, unit, team, year, period),
    )


ROUTES = [scoring_view, score, finish, reopen]
