"""The office's completion page of work records (rules in ``plugins.worklog.completion``):

* ``/admin/localities/{code}/worklog/completion?period=&unit_id=``: per unit, how many people
  submitted each kind of entry on time, late or not at all for a week, month or quarter
  (default: last week); with a unit, who did what;
* ``.../worklog/completion.xlsx`` and ``.../worklog/completion.pdf`` with the same query: the
  same as a spreadsheet and as a printable PDF, in the reader's language;
* ``GET /api/localities/{code}/worklog/completion`` in the API.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from anyio.to_thread import run_sync
from litestar import Controller, Request, Response, Router, get
from litestar.params import FromPath, FromQuery, QueryParameter

from core.i18n import LOCALES_DIR
from core.models import Role
from core.periods import Period, PeriodError
from core.schemas.base import MAX_ID
from core.services.errors import ServiceError
from core.web.admin.shell import Shell, exception_handlers, open_shell
from core.web.downloads import attachment
from core.web.params import Ctx, CurrentActor, LocalityCode
from plugins.worklog import HERE, completion, reminders, service
from plugins.worklog.completion import Completion
from plugins.worklog.pages import KIND_LABELS

CONSOLE_CHECKS = {"public": True}  # open_shell checks the session (see plugins/worklog/pages.py)
ROLES = frozenset({Role.platform_admin.value, Role.office.value})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _default_period(shell: Shell) -> str:
    return str(Period.from_date("week", service.today(shell.ctx) - timedelta(days=7)))


@get("/localities/{code:str}/worklog/completion", include_in_schema=False, opt=CONSOLE_CHECKS)
async def completion_page(
    request: Request, code: FromPath[str], period: FromQuery[str | None] = None, unit_id: FromQuery[str | None] = None
) -> Response:
    shell = await open_shell(request, code, roles=ROLES)
    chosen, error = period or _default_period(shell), ""
    try:
        chosen = str(Period.parse(chosen))
    except PeriodError as exc:
        error = shell.tr.translate(exc.message)
    found = None
    if not error:
        try:
            found = await run_sync(completion.completion, shell.ctx, shell.actor, code, chosen, _unit(unit_id))
        except ServiceError as exc:
            if exc.status_code in (403, 404):
                raise
            error = shell.tr.error(exc)
    today = service.today(shell.ctx)
    quick = [
        str(Period.from_date(kind, day))
        for kind, day in [("week", today - timedelta(days=7)), ("week", today), ("month", today), ("quarter", today)]
    ]
    query = {"period": chosen, "unit_id": _unit(unit_id)}
    unknown = []  # years of the period or its deadline whose official holidays are not known yet
    if found:
        when = Period.parse(chosen)
        unknown = reminders.uncovered_years(when.start, when.end, *(d.date() for d in found.deadlines.values()))
    return shell.render(
        "worklog/completion.html",
        title=shell._("Completion of work records"),
        crumbs=[],
        found=found,
        typed=period or chosen,
        period=chosen,
        quick=quick,
        error=error,
        unknown_years=", ".join(map(str, unknown)),
        kind_label=lambda kind: shell._(KIND_LABELS[kind]),
        status_label=lambda status: shell._(completion.STATUS_WORDS[status]),
        when=shell.tr.datetime,
        query=lambda **q: urlencode({k: v for k, v in {**query, **q}.items() if v is not None}),
        base=f"/admin/localities/{code}/worklog/completion",
        records=lambda person_id, kind: (
            f"/api/localities/{code}/worklog/people/{person_id}/records.{kind}?"
            + urlencode({"period": chosen, "lang": "en" if shell.tr.locale == "en" else "zh-CN"})
        ),
    )


async def _file(request: Request, code: str, period: str | None, unit_id: str | None, kind: str) -> Response:
    shell = await open_shell(request, code, roles=ROLES)
    chosen = period or _default_period(shell)
    found = await run_sync(completion.completion, shell.ctx, shell.actor, code, chosen, _unit(unit_id))
    stem = "worklog-completion-{period}" + ("-unit-{unit}" if found.unit_id else "")
    if kind == "xlsx":
        content = await run_sync(completion.workbook, found, shell.tr)
        media = XLSX
    else:
        content = await run_sync(completion.pdf, found, shell.tr, shell.ctx.settings.pdf_font)
        media = "application/pdf"
    name = attachment(shell.tr, stem, f".{kind}", period=found.period, unit=found.unit_id)
    return Response(content, media_type=media, headers={"Content-Disposition": name})


@get("/localities/{code:str}/worklog/completion.xlsx", include_in_schema=False, opt=CONSOLE_CHECKS)
async def completion_xlsx(
    request: Request, code: FromPath[str], period: FromQuery[str | None] = None, unit_id: FromQuery[str | None] = None
) -> Response:
    return await _file(request, code, period, unit_id, "xlsx")


@get("/localities/{code:str}/worklog/completion.pdf", include_in_schema=False, opt=CONSOLE_CHECKS)
async def completion_pdf(
    request: Request, code: FromPath[str], period: FromQuery[str | None] = None, unit_id: FromQuery[str | None] = None
) -> Response:
    return await _file(request, code, period, unit_id, "pdf")


PeriodQuery = Annotated[str, QueryParameter(min_length=1, max_length=50, description="A week, month or quarter")]
UnitQuery = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="List this unit's people")]


class CompletionController(Controller):
    path = "/api/localities/{code:str}/worklog"
    tags = ["worklog"]
    opt = {"locales_dirs": (HERE / "locales", LOCALES_DIR)}

    @get(
        "/completion",
        sync_to_thread=True,
        summary="Per unit: who submitted each kind of entry of a period on time, late or not at all (office)",
    )
    def read_completion(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, period: PeriodQuery, unit_id: UnitQuery = None
    ) -> Completion:
        return completion.completion(ctx, actor, code, period, unit_id)


def page_routes() -> list:
    return [
        Router(
            path="/admin",
            route_handlers=[completion_page, completion_xlsx, completion_pdf],
            exception_handlers=exception_handlers,
        )
    ]
