"""The console's goal search (``/goals/search``, 目标查询): a year's goals by unit, supervising
unit, type and status as of a day, found by ``plugins.goals.search`` with its strict permissions
(a set's readers every goal of it, followers published goals, anyone else nothing), the counts by
status of the goals found, each goal linked to its page."""

from __future__ import annotations

from datetime import date

from anyio.to_thread import run_sync
from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery

from core.web.admin.shell import open_shell
from plugins.goals import search
from plugins.goals.access import today
from plugins.goals.models import GoalKind, GoalStatus
from plugins.goals.pages import CONSOLE_CHECKS, _common, _int


def _choice(value: str | None, kind: type) -> object | None:
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@get("/localities/{code:str}/goals/search", include_in_schema=False, opt=CONSOLE_CHECKS)
async def search_page(
    request: Request,
    code: FromPath[str],
    year: FromQuery[str | None] = None,
    unit_id: FromQuery[str | None] = None,
    supervising_unit_id: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    as_of: FromQuery[str | None] = None,
) -> Response:
    shell = await open_shell(request, code)

    def load() -> Response:
        chosen = _int(year) or today(shell.ctx).year
        chosen = chosen if 1900 <= chosen <= 2199 else today(shell.ctx).year
        unit, supervising = _int(unit_id), _int(supervising_unit_id)
        filters = {
            "unit_id": unit if unit is not None and 0 < unit < 2**31 else None,
            "supervising_unit_id": supervising if supervising is not None and 0 < supervising < 2**31 else None,
            "kind": _choice(kind, GoalKind),
            "status": _choice(status, GoalStatus),
            "as_of": _day(as_of),
        }
        found = search.search(shell.ctx, shell.actor, code, chosen, **filters)
        return shell.render(
            "goals/search.html",
            title=shell._("Find goals"),
            crumbs=[],
            found=found,
            year=chosen,
            filters=filters,
            units=search.unit_names(shell.ctx, shell.actor, code, chosen),
            kinds=list(GoalKind),
            statuses=list(GoalStatus),
            **_common(shell, code),
        )

    return await run_sync(load)


ROUTES = [search_page]
