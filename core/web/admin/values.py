"""Indicator values (指标数据) in the console: choose a template with value indicators, a period
(as offices type it: 2026年11月, 2026-Q4) and optionally a subject category; a grid of the
subjects (50 a page) by the template's numeric, bonus, deduction and veto indicators, typed in
and saved a page at a time (each bad cell's message beside it, nothing saved if any is bad), or
downloaded as .xlsx (prefilled) and uploaded back (row errors in a table, all or nothing). Each
value says where it came from: typed by whom, imported from which file, which adapter run.

Office users; and an assessment group (考核小组) for one of its assigned campaigns
(``?campaign=``): that campaign's subjects, templates and period only (``core.services.value_scope``
checks every read and write; anything else is 404)."""

from __future__ import annotations

from datetime import date
from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect

from core.periods import KIND_EXAMPLES, Period, PeriodKind
from core.services import value_grid, value_scope, value_sheet
from core.services.errors import NotFound, ServiceError
from core.web.admin.forms import keep, message, to_int
from core.web.admin.menu import GROUP, OFFICE
from core.web.admin.shell import Shell, field_errors, open_shell, paging
from core.web.downloads import attachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_CELLS = 50 * 500  # a page's cells at most (50 subjects by 500 indicators)


def _base(shell: Shell) -> str:
    return f"/admin/localities/{shell.code}/values"


def provenance(shell: Shell, stored: value_grid.StoredValue) -> tuple[str, str]:
    """(short, full): where a value came from, e.g. ("键入：office-g", "由 office-g 键入，2026年…")."""
    when = shell.tr.datetime(stored.updated_at)
    user = stored.user or shell._("(a removed user)")
    if stored.origin == "typed":
        return shell._("typed: {user}", user=user), shell._("Typed by {user}, {when}", user=user, when=when)
    if stored.origin == "import":
        return (
            shell._("file: {file}", file=stored.file),
            shell._("Imported from {file} by {user}, {when}", file=stored.file, user=user, when=when),
        )
    if stored.origin == "adapter":
        run = stored.run_id if stored.run_id is not None else "?"
        return (
            shell._("adapter run #{run}", run=run),
            shell._(
                "Adapter run #{run} of data source {source}, {when}",
                run=run,
                source=stored.source_name or stored.source,
                when=when,
            ),
        )
    if stored.origin == "api":
        return shell._("API: {user}", user=user), shell._(
            "Sent through the API by {user}, {when}", user=user, when=when
        )
    return stored.source or "—", shell._("Source: {source}, {when}", source=stored.source or "—", when=when)


SCORERS = OFFICE | GROUP


def _choice(data: Any) -> dict[str, str]:
    return {name: str(data.get(name, "") or "").strip() for name in ("template", "period", "category", "campaign")}


def _campaign(shell: Shell, choice: dict[str, str]) -> int | None:
    """The campaign whose grid this is (``?campaign=``): required of an assessment group (404)."""
    if not choice["campaign"] and shell.actor.role not in OFFICE:
        raise NotFound("page not found")
    if not choice["campaign"]:
        return None
    campaign_id = to_int(choice["campaign"])
    if campaign_id is None:
        raise NotFound("page not found")
    return campaign_id


def _default_period(kind: str | None) -> str:
    return str(Period.from_date(kind, date.today())) if kind else ""


async def _page(
    shell: Shell,
    choice: dict[str, str],
    page: int = 1,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str = "",
    notice: str = "",
    problems: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Response:
    campaign_id = _campaign(shell, choice)
    scope = await run_sync(value_scope.scope_of, shell.ctx, shell.actor, shell.code, campaign_id)
    if scope.period:  # a campaign's grid: its period only
        choice = {**choice, "period": scope.period}
    templates = await run_sync(value_grid.value_templates, shell.ctx, shell.actor, shell.code, campaign_id)
    categories = await run_sync(value_grid.subject_categories, shell.ctx, shell.actor, shell.code, campaign_id)
    errors = dict(errors or {})
    chosen = next((t for t in templates if str(t.id) == choice["template"]), None)
    if chosen is None and templates and not choice["template"]:
        chosen = templates[0]
        choice = {**choice, "template": str(chosen.id)}
    if chosen is not None and not choice["period"]:
        choice = {**choice, "period": _default_period(chosen.period_kind)}
    grid, p = None, None
    if choice["template"] and chosen is None:
        raise NotFound("page not found")  # another locality's template, or one without values: 404
    if chosen is not None and choice["period"]:
        try:
            size = value_grid.PAGE_SIZE
            grid = await run_sync(
                lambda: value_grid.load_grid(
                    shell.ctx,
                    shell.actor,
                    shell.code,
                    chosen.id,
                    choice["period"],
                    category=choice["category"],
                    offset=(max(page, 1) - 1) * size,
                    campaign_id=campaign_id,
                )
            )
            p = paging(grid.total, page)
            if p["offset"] != grid.offset:  # past the last page: show the last
                grid = await run_sync(
                    lambda: value_grid.load_grid(
                        shell.ctx,
                        shell.actor,
                        shell.code,
                        chosen.id,
                        choice["period"],
                        category=choice["category"],
                        offset=p["offset"],
                        campaign_id=campaign_id,
                    )
                )
        except ServiceError as exc:
            by_field, general = field_errors(shell.tr, exc)
            errors.update(by_field or {"period": general})
            status_code = max(status_code, exc.status_code)
    hint = ""
    if chosen is not None:
        kind = chosen.period_kind
        hint = (
            shell._("Periods like {example}", example=KIND_EXAMPLES[PeriodKind(kind)])
            if kind
            else shell._("Any period: a month 2026-11, a quarter 2026-Q4, a year 2026 …")
        )
    cells: dict[str, dict[str, str]] = {}
    if grid is not None:
        for row in grid.rows:
            for column in grid.columns:
                key = f"v-{row.subject_id}-{column.code}"
                stored = row.cells.get(column.code)
                short, full = provenance(shell, stored) if stored else ("", "")
                shown = value_grid.format_value(stored.value) if stored else ""
                link = (
                    f"/admin/localities/{shell.code}/sources/{stored.source_id}" if stored and stored.source_id else ""
                )
                cells[key] = {
                    "value": (typed or {}).get(key, shown),
                    "shown": shown,
                    "short": short,
                    "full": full,
                    "link": link,
                }
    crumbs = [(shell.locality["name"], None)]
    if campaign_id is not None and shell.actor.role in GROUP:
        crumbs = [(shell._("Assigned campaigns"), "/admin/assessment")]
        crumbs.append((scope.campaign_name, f"/admin/assessment/{campaign_id}"))
    return shell.render(
        "admin/values/page.html",
        title=shell._("Indicator values") if campaign_id is None else shell._("Scores"),
        crumbs=crumbs,
        templates=templates,
        categories=categories,
        choice=choice,
        chosen=chosen,
        grid=grid,
        p=p,
        cells=cells,
        errors=errors,
        error=error,
        notice=notice,
        problems=problems or [],
        hint=hint,
        kind_labels={
            "numeric": shell._("numeric"),
            "bonus": shell._("bonus"),
            "deduction": shell._("deduction"),
            "veto": shell._("veto, 1 or 0"),
        },
        kept=keep(choice),
        may_change=shell.locality["writable"] and scope.writable,
        campaign_id=campaign_id,
        status_code=status_code,
    )


@get("/localities/{code:str}/values", include_in_schema=False)
async def values_page(
    request: Request,
    code: FromPath[str],
    template: FromQuery[str] = "",
    period: FromQuery[str] = "",
    category: FromQuery[str] = "",
    page: FromQuery[str] = "1",
    saved: FromQuery[str] = "",
    imported: FromQuery[str] = "",
    campaign: FromQuery[str] = "",
) -> Response:
    shell = await open_shell(request, code, roles=SCORERS)
    notice = ""
    written, _, cleared = saved.partition("-")
    if saved:
        notice = shell._(
            "Saved: {written} values written, {cleared} cleared.",
            written=to_int(written) or 0,
            cleared=to_int(cleared) or 0,
        )
    elif imported:
        notice = shell._("Imported: {written} values written.", written=to_int(imported) or 0)
    choice = _choice({"template": template, "period": period, "category": category, "campaign": campaign})
    return await _page(shell, choice, to_int(page) or 1, notice=notice)


def _cells(data: dict[str, str]) -> dict[tuple[int, str], str]:
    """The cells the user changed: ``v-{subject}-{code}`` unlike its ``o-…`` (the value the page
    showed), so a value someone else saved meanwhile in a cell left alone is not overwritten."""
    cells: dict[tuple[int, str], str] = {}
    for name, text in data.items():
        if not name.startswith("v-"):
            continue
        shown = data.get("o-" + name[2:])
        if shown is not None and str(shown).strip() == str(text).strip():
            continue
        subject, _, indicator = name[2:].partition("-")
        subject_id = to_int(subject)
        if subject_id is not None and indicator and len(cells) < MAX_CELLS:
            cells[(subject_id, indicator)] = str(text)
    return cells


def _template_id(shell: Shell, choice: dict[str, str]) -> int:
    template_id = to_int(choice["template"])
    if template_id is None:
        raise NotFound("page not found")
    return template_id


def _back(shell: Shell, choice: dict[str, str], page: str, **extra: str) -> str:
    query = keep({**choice, **extra})
    return f"{_base(shell)}{query}page={to_int(page) or 1}"


@post("/localities/{code:str}/values", include_in_schema=False)
async def values_save(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    """Save the visible grid page: fields ``v-{subject_id}-{indicator code}`` (an empty one clears)."""
    shell = await open_shell(request, code, roles=SCORERS)
    shell.check_csrf(data)
    choice = _choice(data)
    template_id = _template_id(shell, choice)
    campaign_id = _campaign(shell, choice)
    cells = _cells(data)
    page = to_int(data.get("page", "")) or 1
    try:
        saved = await run_sync(
            value_grid.save_grid, shell.ctx, shell.actor, shell.code, template_id, choice["period"], cells, campaign_id
        )
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        errors, general = field_errors(shell.tr, exc)
        typed = {f"v-{s}-{c}": text for (s, c), text in cells.items()}
        return await _page(shell, choice, page, typed=typed, errors=errors, error=general, status_code=exc.status_code)
    return Redirect(_back(shell, choice, str(page), saved=f"{saved.written}-{saved.cleared}"))


@get("/localities/{code:str}/values/sheet", include_in_schema=False)
async def values_sheet(
    request: Request,
    code: FromPath[str],
    template: FromQuery[str] = "",
    period: FromQuery[str] = "",
    category: FromQuery[str] = "",
    campaign: FromQuery[str] = "",
) -> Response:
    """The grid (all its subjects) as .xlsx, prefilled: the file to fill in and upload."""
    shell = await open_shell(request, code, roles=SCORERS)
    choice = _choice({"template": template, "period": period, "category": category, "campaign": campaign})
    template_id = _template_id(shell, choice)
    campaign_id = _campaign(shell, choice)
    try:
        content, canonical = await run_sync(
            lambda: value_sheet.grid_workbook(
                shell.ctx,
                shell.actor,
                shell.code,
                template_id,
                choice["period"],
                category=choice["category"],
                campaign_id=campaign_id,
            )
        )
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        return await _page(shell, choice, errors={"period": shell.tr.error(exc)}, status_code=exc.status_code)
    name = attachment(
        shell.tr, "values-{code}-{template}-{period}", ".xlsx", code=shell.code, template=template_id, period=canonical
    )
    return Response(content, media_type=XLSX, headers={"Content-Disposition": name})


@post("/localities/{code:str}/values/import", include_in_schema=False)
async def values_import(request: Request, code: FromPath[str]) -> Response:
    """Upload a filled grid sheet (.xlsx or .csv) for the chosen template and period."""
    shell = await open_shell(request, code, roles=SCORERS)
    form = await request.form()
    shell.check_csrf({"_csrf": form.get("_csrf", "")})
    choice = _choice(form)
    template_id = _template_id(shell, choice)
    campaign_id = _campaign(shell, choice)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _page(shell, choice, error=shell._("Choose an .xlsx or .csv file first."), status_code=422)
    content = await upload.read()
    try:
        saved = await run_sync(
            value_sheet.import_grid,
            shell.ctx,
            shell.actor,
            shell.code,
            template_id,
            choice["period"],
            upload.filename,
            content,
            campaign_id,
        )
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        problems = [
            {"row": e.get("row", ""), "column": e.get("column", ""), "message": message(shell.tr, e.get("message", ""))}
            for e in exc.errors
            if "row" in e
        ]
        errors, general = field_errors(shell.tr, exc)
        return await _page(
            shell,
            choice,
            errors={k: v for k, v in errors.items() if k == "period"},
            error=general,
            problems=problems,
            status_code=exc.status_code,
        )
    return Redirect(_back(shell, choice, "1", imported=str(saved.written)))


ROUTES = [values_page, values_save, values_sheet, values_import]
