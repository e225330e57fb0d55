"""The office's page of who grades whom in a quarter (rules in ``plugins.worklog.graders``):

* ``/admin/localities/{code}/worklog/quarters/{period}/graders?unit_id=``: a unit's people
  (default: the locality's first unit), each with who grades them (assigned to them, to their
  unit, or the supervising leaders by default);
* ``POST`` the same: ``grader_id`` (a leader's account; empty: back to the supervising leaders)
  for the ticked people (``person``, several) or, with ``target=unit``, the whole unit.

Office only (404 for other roles, as the console answers); every form carries the session's
CSRF token; a refused assignment shows its message on the page, nothing changed."""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from core.models import Role
from core.services.errors import ServiceError
from core.web.admin.forms import to_int
from core.web.admin.shell import Shell, exception_handlers, open_shell
from plugins.worklog import graders, service
from plugins.worklog.graders import AssignIn

CONSOLE_CHECKS = {"public": True}  # open_shell checks the session (see plugins/worklog/pages.py)
OFFICE = frozenset({Role.platform_admin.value, Role.office.value})
SOURCES = {"person": "Assigned to this person", "unit": "Assigned to the unit", "default": "Supervising leaders"}


def _base(code: str, period: str) -> str:
    return f"/admin/localities/{code}/worklog/quarters/{period}/graders"


def _page(
    shell: Shell, code: str, period: str, unit: int | None, *, error: str = "", done: str = "", status_code: int = 200
) -> Response:
    units = service.board_units(shell.ctx, shell.actor, code)
    unit = unit if unit is not None else (units[0][0] if units else None)
    found = graders.list_graders(shell.ctx, shell.actor, code, period, unit) if unit is not None else None
    quarters = f"/admin/localities/{code}/worklog/quarters"
    return shell.render(
        "worklog/graders.html",
        title=f"{shell._('Who grades whom')} · {period}",
        crumbs=[
            (shell._("Quarterly evaluation"), quarters),
            (period, f"{quarters}/{period}"),
            (shell._("Who grades whom"), None),
        ],
        found=found,
        units=units,
        unit=unit,
        action=_base(code, period),
        error=error,
        done=done,
        source_label=lambda source: shell._(SOURCES[source]),
        status_code=status_code,
    )


@get("/localities/{code:str}/worklog/quarters/{period:str}/graders", include_in_schema=False, opt=CONSOLE_CHECKS)
async def graders_page(
    request: Request,
    code: FromPath[str],
    period: FromPath[str],
    unit_id: FromQuery[str | None] = None,
    done: FromQuery[str | None] = None,
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    unit = to_int(unit_id) if unit_id else None
    message = shell._("Saved: {n} changed.", n=int(done)) if done and done.isdigit() and len(done) < 6 else ""
    return await run_sync(lambda: _page(shell, code, period, unit, done=message))


@post("/localities/{code:str}/worklog/quarters/{period:str}/graders", include_in_schema=False, opt=CONSOLE_CHECKS)
async def assign(request: Request, code: FromPath[str], period: FromPath[str]) -> Response:
    """Fields: ``grader_id`` (empty: the default), ``person`` (ticked, several), ``target``
    (``people`` or ``unit``), ``unit_id`` (the unit shown)."""
    shell = await open_shell(request, code, roles=OFFICE)
    form = await request.form()
    shell.check_csrf({"_csrf": form.get("_csrf", "")})
    unit = to_int(form.get("unit_id", ""))
    grader = str(form.get("grader_id", "") or "")
    people = [i for i in (to_int(v) for v in form.getall("person")) if i] if "person" in form else []
    whole = str(form.get("target", "")) == "unit"
    data: dict[str, Any] = {
        "grader_id": to_int(grader) if grader else None,
        "person_ids": [] if whole else people[: graders.MAX_BULK],
        "unit_ids": [unit] if whole and unit else [],
    }
    try:
        if grader and data["grader_id"] is None:
            data["grader_id"] = 2**31 - 1  # not an id: refused below as not a leader
        changed = await run_sync(graders.assign, shell.ctx, shell.actor, code, period, AssignIn(**data))
    except ServiceError as exc:
        if exc.status_code in (403, 404):
            raise
        error, status = shell.tr.error(exc), exc.status_code
        return await run_sync(lambda: _page(shell, code, period, unit, error=error, status_code=status))
    query = f"?unit_id={unit}&done={changed.people + changed.units}" if unit else ""
    return Redirect(_base(code, period) + query, status_code=303)


def page_routes() -> list[Any]:
    return [Router(path="/admin", route_handlers=[graders_page, assign], exception_handlers=exception_handlers)]
