"""The quarterly evaluation's pages (rules in ``plugins.worklog.evaluation``):

* ``/admin/localities/{code}/worklog/quarters``: the quarters opened; the office opens one
  (a quarter and an indicator template), a leader goes to grade;
* ``.../worklog/quarters/{period}``: for the office, a summary per unit and the scores and
  grades of one unit's people (``unit_id``, default the first), and the buttons to lock and
  to publish; for a leader, the grading sheet of
  a unit they supervise (``unit_id``): a form per person with a choice of label per dimension,
  no score anywhere;
* ``POST .../quarters/{period}/people/{person_id}`` (a leader's grades: fields ``g{dimension
  id}``), ``POST .../quarters/{period}/lock`` and ``.../publish`` (the office);
* ``/me/worklog/quarters``: the person's published grades.

Every form carries the session's CSRF token; the console's error pages answer the rest.
"""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect
from sqlmodel import col, select

from core.models import IndicatorTemplate, Locality, Role
from core.services.errors import Invalid, ServiceError
from core.web.admin.shell import Shell, exception_handlers, open_shell
from plugins.worklog import evaluation
from plugins.worklog.evaluation import GradesIn, QuarterIn

CONSOLE_CHECKS = {"public": True}  # open_shell checks the session (see plugins/worklog/pages.py)
ROLES = frozenset({Role.platform_admin.value, Role.office.value, Role.leader.value})
STATUS_LABELS = {"open": "Open for grading", "locked": "Grading locked", "published": "Grades published"}


def _base(code: str) -> str:
    return f"/admin/localities/{code}/worklog/quarters"


def _status(shell: Shell):
    return lambda status: shell._(STATUS_LABELS[str(status)])


def _templates(shell: Shell, code: str) -> list[tuple[int, str]]:
    with shell.ctx.db.read() as session:
        locality = session.exec(select(Locality).where(Locality.code == code)).one()
        return [
            (t.id, f"{t.name} (v{t.version})")
            for t in session.exec(
                select(IndicatorTemplate)
                .where(IndicatorTemplate.locality_id == locality.id)
                .order_by(col(IndicatorTemplate.id).desc())
            )
        ]


def _list(shell: Shell, code: str, *, error: str = "", typed: dict | None = None, status_code: int = 200) -> Response:
    quarters = evaluation.list_quarters(shell.ctx, shell.actor, code)
    office = shell.actor.role != Role.leader
    return shell.render(
        "worklog/quarters.html",
        title=shell._("Quarterly evaluation"),
        crumbs=[],
        quarters=quarters,
        office=office,
        templates=_templates(shell, code) if office else [],
        base=_base(code),
        error=error,
        typed=typed or {},
        status_label=_status(shell),
        status_code=status_code,
    )


@get("/localities/{code:str}/worklog/quarters", include_in_schema=False, opt=CONSOLE_CHECKS)
async def quarters_page(request: Request, code: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=ROLES)
    return await run_sync(lambda: _list(shell, code))


@post("/localities/{code:str}/worklog/quarters", include_in_schema=False, opt=CONSOLE_CHECKS)
async def open_quarter(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    """Fields: ``period``, ``template_id``."""
    shell = await open_shell(request, code, roles=ROLES)
    shell.check_csrf(data)
    period, template = data.get("period", "").strip(), data.get("template_id", "")
    try:
        if not template.isdigit() or len(template) > 9:
            raise Invalid(
                "template_id: choose a template", errors=[{"field": "template_id", "message": "choose a template"}]
            )
        opened = await run_sync(
            evaluation.open_quarter,
            shell.ctx,
            shell.actor,
            code,
            QuarterIn(period=period[:50], template_id=int(template)),
        )
    except ServiceError as exc:
        if exc.status_code in (403, 404):
            raise
        error, status = shell.tr.error(exc), exc.status_code
        return await run_sync(lambda: _list(shell, code, error=error, typed=data, status_code=status))
    return Redirect(f"{_base(code)}/{opened.period}", status_code=303)


@get("/localities/{code:str}/worklog/quarters/{period:str}", include_in_schema=False, opt=CONSOLE_CHECKS)
async def quarter_page(
    request: Request, code: FromPath[str], period: FromPath[str], unit_id: FromQuery[str | None] = None
) -> Response:
    shell = await open_shell(request, code, roles=ROLES)
    unit = int(unit_id) if unit_id and unit_id.isdigit() and len(unit_id) < 10 else None
    return await run_sync(lambda: _quarter(shell, code, period, unit))


def _quarter(
    shell: Shell, code: str, period: str, unit: int | None, *, errors: dict | None = None, status_code: int = 200
) -> Response:
    base = _base(code)
    if shell.actor.role != Role.leader:
        found = evaluation.summary(shell.ctx, shell.actor, code, period, unit)
        if unit is None and found.units:  # the people of the first unit, until another is chosen
            found = evaluation.summary(shell.ctx, shell.actor, code, period, found.units[0].unit_id)
        names = {u.unit_id: u.unit_name for u in found.units}
        return shell.render(
            "worklog/quarter_office.html",
            title=f"{shell._('Quarterly evaluation')} · {found.quarter.period}",
            crumbs=[(shell._("Quarterly evaluation"), base), (found.quarter.period, None)],
            found=found,
            unit_names=names,
            base=base,
            status_label=_status(shell),
            status_code=status_code,
        )
    found = evaluation.sheet(shell.ctx, shell.actor, code, period, unit)
    units = [(u["id"], u["name"]) for u in found.units]  # where they grade someone (graders.py)
    return shell.render(
        "worklog/quarter_sheet.html",
        title=f"{shell._('Quarterly evaluation')} · {found.quarter.period}",
        crumbs=[(shell._("Quarterly evaluation"), base), (found.quarter.period, None)],
        sheet=found,
        entries=f"/admin/localities/{code}/worklog/entries",
        units=units if len(units) > 1 else [],
        base=base,
        errors=errors or {},
        status_label=_status(shell),
        status_code=status_code,
    )


@post(
    "/localities/{code:str}/worklog/quarters/{period:str}/people/{person_id:int}",
    include_in_schema=False,
    opt=CONSOLE_CHECKS,
)
async def grade_person(
    request: Request,
    code: FromPath[str],
    period: FromPath[str],
    person_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response:
    """Fields ``g{dimension id}``: the chosen label of each dimension; ``unit_id`` to return to."""
    shell = await open_shell(request, code, roles=ROLES)
    shell.check_csrf(data)
    grades: dict[int, str] = {}
    for name, value in data.items():
        if name.startswith("g") and name[1:].isdigit() and len(name) < 12 and value:
            grades[int(name[1:])] = value[:20]
    unit = data.get("unit_id", "")
    unit_id = int(unit) if unit.isdigit() and len(unit) < 10 else None
    try:
        await run_sync(evaluation.grade, shell.ctx, shell.actor, code, period, person_id, GradesIn(grades=grades))
    except ServiceError as exc:
        if exc.status_code in (403, 404):
            raise
        errors, status = {person_id: shell.tr.error(exc)}, exc.status_code
        return await run_sync(lambda: _quarter(shell, code, period, unit_id, errors=errors, status_code=status))
    query = f"?unit_id={unit_id}" if unit_id else ""
    return Redirect(f"{_base(code)}/{period}{query}#p{person_id}", status_code=303)


async def _move(request: Request, code: str, period: str, data: dict, move) -> Response:
    shell = await open_shell(request, code, roles=ROLES)
    shell.check_csrf(data)
    await run_sync(move, shell.ctx, shell.actor, code, period)
    return Redirect(f"{_base(code)}/{period}", status_code=303)


@post("/localities/{code:str}/worklog/quarters/{period:str}/lock", include_in_schema=False, opt=CONSOLE_CHECKS)
async def lock(
    request: Request, code: FromPath[str], period: FromPath[str], data: URLEncodedBody[dict[str, str]]
) -> Response:
    return await _move(request, code, period, data, evaluation.lock_quarter)


@post("/localities/{code:str}/worklog/quarters/{period:str}/publish", include_in_schema=False, opt=CONSOLE_CHECKS)
async def publish(
    request: Request, code: FromPath[str], period: FromPath[str], data: URLEncodedBody[dict[str, str]]
) -> Response:
    return await _move(request, code, period, data, evaluation.publish_quarter)


@get("/worklog/quarters", include_in_schema=False, opt=CONSOLE_CHECKS)
async def my_quarters(request: Request) -> Response:
    from plugins.worklog.pages import _crumbs, _me

    shell, code = await _me(request)
    results = await run_sync(evaluation.my_results, shell.ctx, shell.actor, code)
    return shell.render(
        "worklog/me_quarters.html",
        title=shell._("My quarterly evaluations"),
        crumbs=_crumbs(shell, (shell._("My quarterly evaluations"), None)),
        results=results,
    )


def page_routes() -> list[Any]:
    return [
        Router(
            path="/admin",
            route_handlers=[quarters_page, open_quarter, quarter_page, grade_person, lock, publish],
            exception_handlers=exception_handlers,
        ),
        Router(path="/me", route_handlers=[my_quarters], exception_handlers=exception_handlers),
    ]
