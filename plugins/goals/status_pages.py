"""The office's county-wide status view in the console (``/goals/status``, 目标总览): every set
of goals of a year (a unit's own goals or a leadership team's), its roll-up by the weights of
its top goals as of a day, and its flags: red flags (top goals done), overdue and behind goals;
filtered by status (the sets with at least one top goal in it, or those with an overdue or
behind goal), with the county's totals. Figures from ``plugins.goals.progress.status_view``
(the office only: 403 for anyone else); each set links to its tree."""

from __future__ import annotations

from datetime import date

from anyio.to_thread import run_sync
from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery

from core.web.admin.shell import open_shell
from plugins.goals import progress
from plugins.goals.access import today
from plugins.goals.models import GoalStatus
from plugins.goals.pages import CONSOLE_CHECKS, _common, _int, _set_query

FLAGGED = "flagged"  # the filter: sets with an overdue or behind top goal


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _status(value: str | None) -> str | None:
    return value if value in {*(s.value for s in GoalStatus), FLAGGED} else None


def _shown(row, status: str | None) -> bool:
    if status is None:
        return True
    if status == FLAGGED:
        return row.overdue + row.behind > 0
    return getattr(row, status) > 0


@get("/localities/{code:str}/goals/status", include_in_schema=False, opt=CONSOLE_CHECKS)
async def status_page(
    request: Request,
    code: FromPath[str],
    year: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    as_of: FromQuery[str | None] = None,
) -> Response:
    shell = await open_shell(request, code)

    def load() -> Response:
        day = today(shell.ctx)
        chosen = _int(year) or day.year
        chosen = chosen if 1900 <= chosen <= 2199 else day.year
        wanted = _status(status)
        view = progress.status_view(shell.ctx, shell.actor, code, chosen, _day(as_of))
        totals = {
            key: sum(getattr(r, key) for r in view.rows) for key in ("goals", "on_track", "behind", "overdue", "done")
        }
        rows = [r for r in view.rows if _shown(r, wanted)]
        return shell.render(
            "goals/status.html",
            title=shell._("Goals across the county"),
            crumbs=[],
            view=view,
            rows=rows,
            totals=totals,
            year=chosen,
            status=wanted,
            statuses=list(GoalStatus),
            flagged=FLAGGED,
            set_query=_set_query,
            **_common(shell, code),
        )

    return await run_sync(load)


ROUTES = [status_page]
