"""The worklog's pages, in the console's shell (header, notifications, language):

* ``/me/worklog``: the signed-in person's week at a glance (this week's plan and record, this
  month's plan and summary, this quarter's plan: written, draft or still due), phone first;
  ``/me/worklog/write/{kind}/{period}`` writes one entry (save a draft, submit; after
  submission each change is a new version); ``/me/worklog/entries/{id}`` shows one with its
  versions and who read it; ``/me/worklog/history`` lists every entry; ``/me/`` leads to the
  week. Only for an account that is a person's (``users.person_id``) of a locality that enabled
  the worklog (404 otherwise).
* ``/admin/localities/{code}/worklog/board``: a leader's board of the people of a unit they
  supervise (their own, or one they are in charge of, 分管; the office picks any unit) with what each submitted for a week, month or quarter and what is
  missing; ``.../worklog/entries/{id}`` reads one (marking it viewed: the author is told).

The routes are marked public for the plugin guard only so that the console's rules apply
(``open_shell``): no session is a redirect to the sign-in page; every form carries the
session's CSRF token (403 without); the worklog must be enabled for the locality (404).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from anyio.to_thread import run_sync
from babel.dates import format_skeleton
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect
from sqlmodel import select

from core.models import Locality, Role
from core.periods import Period, PeriodError
from core.services.errors import NotFound, ServiceError
from core.services.plugins import check_route_access
from core.web.admin.forms import keep
from core.web.admin.shell import Shell, exception_handlers, field_errors, open_shell, paging
from plugins.worklog import service
from plugins.worklog.formatting import formatted
from plugins.worklog.models import KIND_LABELS, EntryKind
from plugins.worklog.schemas import EntryIn

CONSOLE_CHECKS = {"public": True}  # see the module's docstring: open_shell checks the session
BOARD_PAGE = 50  # people a page of the board
BOARD_ROLES = frozenset({Role.platform_admin.value, Role.office.value, Role.leader.value})
STATUS_LABELS = {"draft": "Draft", "submitted": "Submitted", "missing": "Not written yet"}


def _day_label(shell: Shell, period: str) -> str:
    """A day as the week view names it: "12月1日周二", "Tue, Dec 1"."""
    locale = "zh_Hans_CN" if shell.tr.locale == "zh_CN" else shell.tr.locale
    return format_skeleton("MMMEd", Period.parse(period).start, locale=locale)


def _common(shell: Shell) -> dict[str, Any]:
    return {
        "kind_label": lambda kind: shell._(KIND_LABELS[EntryKind(kind)]),
        "day_label": lambda period: _day_label(shell, period),
        "status_label": lambda status: shell._(STATUS_LABELS[str(status)]),
        "when": shell.tr.datetime,
        "formatted": formatted,
    }


# --- the person's pages: /me/ ---------------------------------------------------------------------


def _own_code(shell: Shell) -> str:
    """The code of the signed-in user's own locality, if it enabled the worklog; 404 otherwise."""

    def find() -> str:
        with shell.ctx.db.read() as session:
            code = session.exec(select(Locality.code).where(Locality.id == shell.actor.locality_id)).first()
        if code is None:
            raise NotFound("page not found")
        check_route_access(shell.ctx, service.PLUGIN, essential=False, actor=shell.actor, params={"code": code})
        return code

    return find()


async def _me(request: Request) -> tuple[Shell, str]:
    shell = await open_shell(request)
    code = await run_sync(_own_code, shell)
    await run_sync(service.me, shell.ctx, shell.actor, code)  # 403 for an account that is no person's
    return shell, code


def _crumbs(shell: Shell, *more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(shell._("My work records"), "/me/worklog"), *more]


@get("/", include_in_schema=False, opt=CONSOLE_CHECKS)
async def me_home(request: Request) -> Redirect:
    """A person's own area (where activating an account leads): their week where the worklog
    is enabled and the account is a person's, else the console's overview."""
    shell = await open_shell(request)
    try:
        await run_sync(lambda: service.me(shell.ctx, shell.actor, _own_code(shell)))
    except ServiceError:
        return Redirect("/admin/", status_code=302)
    return Redirect("/me/worklog", status_code=302)


@get("/worklog", include_in_schema=False, opt=CONSOLE_CHECKS)
async def me_week(request: Request, day: FromQuery[str | None] = None) -> Response:
    """The week of ``day`` (``YYYY-MM-DD``; default today) at a glance, with links to the weeks around."""
    shell, code = await _me(request)
    try:
        chosen = date.fromisoformat(day) if day else None
    except ValueError:
        chosen = None
    view = await run_sync(service.overview, shell.ctx, shell.actor, code, chosen)
    today = await run_sync(service.today, shell.ctx)
    return shell.render(
        "worklog/me_week.html",
        title=shell._("My work records"),
        crumbs=[],
        view=view,
        begun={s.period: Period.parse(s.period).start <= today for s in view.slots},
        before=(view.day - timedelta(days=7)).isoformat(),
        after=(view.day + timedelta(days=7)).isoformat() if view.day + timedelta(days=7) <= today else "",
        leader=shell.actor.role in BOARD_ROLES,
        code=code,
        **_common(shell),
    )


def _form(
    shell: Shell,
    kind: str,
    period: str,
    entry: Any,
    *,
    body: str | None = None,
    error: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    saved: bool = False,
    closed: str | None = None,
) -> Response:
    """The write page; without its form for a period of a quarter the office locked (``closed``)."""
    label = shell._(KIND_LABELS[EntryKind(kind)])
    return shell.render(
        "worklog/me_write.html",
        title=f"{label} · {period}",
        crumbs=_crumbs(shell, (f"{label} · {period}", None)),
        kind=kind,
        period=period,
        entry=entry,
        body=entry.body if body is None and entry is not None else (body or ""),
        error=error,
        errors=errors or {},
        saved=saved,
        closed=closed,
        status_code=status_code,
        **_common(shell),
    )


def _slot(shell: Shell, code: str, kind: str, period: str) -> tuple[Any, str | None]:
    """The person's entry of ``kind`` for ``period`` or None (the kind and period are checked),
    and the quarter it counts in if the office locked it."""
    return service.own_entry_and_lock(shell.ctx, shell.actor, code, kind, period)


@get("/worklog/write/{kind:str}/{period:str}", include_in_schema=False, opt=CONSOLE_CHECKS)
async def me_write_page(
    request: Request, kind: FromPath[str], period: FromPath[str], saved: FromQuery[int | None] = None
) -> Response:
    shell, code = await _me(request)
    entry, closed = await run_sync(_slot, shell, code, kind, period)
    return _form(shell, kind, str(Period.parse(period)), entry, saved=bool(saved), closed=closed)


@post("/worklog/write/{kind:str}/{period:str}", include_in_schema=False, opt=CONSOLE_CHECKS)
async def me_write(
    request: Request, kind: FromPath[str], period: FromPath[str], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """Form fields: ``body``; ``action`` ``save`` (a draft, or a new version) or ``submit``."""
    shell, code = await _me(request)
    shell.check_csrf(data)
    body = data.get("body", "")
    try:
        entry = await run_sync(
            service.write_entry,
            shell.ctx,
            shell.actor,
            code,
            kind,
            period,
            EntryIn.model_construct(body=body, submit=data.get("action") == "submit"),
        )
    except ServiceError as exc:
        errors, general = field_errors(shell.tr, exc)
        if "kind" in errors or ("period" in errors and exc.status_code != 409):
            raise
        current, closed = await run_sync(_slot, shell, code, kind, period)
        if "period" in errors and not closed:
            raise
        return _form(
            shell,
            kind,
            period,
            current,
            body=body,
            error="" if errors.get("body") or closed else general,
            errors=errors,
            status_code=exc.status_code,
            closed=closed,
        )
    return Redirect(f"/me/worklog/write/{entry.kind.value}/{entry.period}?saved=1", status_code=303)


@post("/worklog/summary/{period:str}", include_in_schema=False, opt=CONSOLE_CHECKS)
async def me_start_summary(request: Request, period: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    """Start this month's summary from the weekly records, then edit it."""
    shell, code = await _me(request)
    shell.check_csrf(data)
    entry = await run_sync(service.start_monthly_summary, shell.ctx, shell.actor, code, period)
    return Redirect(f"/me/worklog/write/monthly_summary/{entry.period}", status_code=303)


@get("/worklog/history", include_in_schema=False, opt=CONSOLE_CHECKS)
async def me_history(request: Request, page: FromQuery[int] = 1) -> Response:
    shell, code = await _me(request)
    size = 50
    page = max(1, min(page, 10_000))
    found = await run_sync(lambda: service.history(shell.ctx, shell.actor, code, limit=size, offset=(page - 1) * size))
    pages = max(1, -(-found.total // size))
    return shell.render(
        "worklog/history.html",
        title=shell._("All my entries"),
        crumbs=_crumbs(shell, (shell._("All my entries"), None)),
        items=found.items,
        entry_href=lambda e: f"/me/worklog/entries/{e.id}",
        page=page,
        pages=pages,
        **_common(shell),
    )


# --- the console's pages: the board and reading an entry ----------------------------------------


@get("/localities/{code:str}/worklog/board", include_in_schema=False, opt=CONSOLE_CHECKS)
async def board_page(
    request: Request,
    code: FromPath[str],
    period: FromQuery[str | None] = None,
    unit_id: FromQuery[str | None] = None,
    page: FromQuery[str | None] = None,
) -> Response:
    """``period``: a week (default this week), a month or a quarter; ``unit_id``: the unit
    (the office's pick, or a leader's among those they supervise); ``page``: ``BOARD_PAGE``
    people a page (paged in SQL). With HTMX a page link swaps only ``#board-results``."""
    shell = await open_shell(request, code, roles=BOARD_ROLES)
    today = await run_sync(service.today, shell.ctx)
    chosen = str(Period.from_date("week", today))
    error = ""
    if period:
        try:
            chosen = str(Period.parse(period))
        except PeriodError as exc:
            error = shell.tr.translate(exc.message)
    units = await run_sync(service.board_units, shell.ctx, shell.actor, code)
    unit = int(unit_id) if unit_id and unit_id.isdigit() and len(unit_id) < 10 else None
    if unit is None and units:
        unit = units[0][0]
    number = int(page) if page and page.isdigit() and len(page) < 7 else 1
    board = None
    p = paging(0, 1, BOARD_PAGE)
    try:
        board = await run_sync(
            lambda: service.board(
                shell.ctx, shell.actor, code, chosen, unit, limit=BOARD_PAGE, offset=(max(number, 1) - 1) * BOARD_PAGE
            )
        )
        p = paging(board.total, number, BOARD_PAGE)
        if board.total and p["offset"] != board.offset:  # a page past the end: its last page
            board = await run_sync(
                lambda: service.board(shell.ctx, shell.actor, code, chosen, unit, limit=BOARD_PAGE, offset=p["offset"])
            )
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        error = error or shell.tr.error(exc)
    quick = [
        str(Period.from_date(kind, day))
        for kind, day in [("week", today), ("week", today - timedelta(days=7)), ("month", today), ("quarter", today)]
    ]
    kept = {"period": chosen, "unit_id": unit}
    return shell.render(
        "worklog/board.html",
        title=shell._("Work records of my people"),
        crumbs=[],
        fragment=("board-results", "worklog/_board_results.html"),
        board=board,
        p=p,
        base=f"/admin/localities/{code}/worklog/board{keep(kept)}",
        period=chosen,
        typed=period or chosen,
        error=error,
        units=units if shell.actor.role != Role.leader or len(units) > 1 else [],
        unit=unit,
        quick=quick,
        entry_href=lambda e: f"/admin/localities/{code}/worklog/entries/{e.id}",
        query=lambda **q: urlencode({k: v for k, v in q.items() if v is not None}),
        **_common(shell),
    )


def page_routes() -> list:
    """The person's pages under ``/me`` and the console's under ``/admin``, with the console's error pages."""
    from plugins.worklog.completion_pages import page_routes as completion_routes
    from plugins.worklog.discussion_pages import page_routes as entry_routes
    from plugins.worklog.evaluation_pages import page_routes as evaluation_routes
    from plugins.worklog.graders_pages import page_routes as grader_routes

    return [
        Router(
            path="/me",
            route_handlers=[me_home, me_week, me_write_page, me_write, me_start_summary, me_history],
            exception_handlers=exception_handlers,
        ),
        Router(path="/admin", route_handlers=[board_page], exception_handlers=exception_handlers),
        *entry_routes(),  # an entry's page with its comments, likes and files
        *evaluation_routes(),  # the quarterly evaluation
        *grader_routes(),  # who grades whom in it
        *completion_routes(),  # the office's completion page and files
    ]
