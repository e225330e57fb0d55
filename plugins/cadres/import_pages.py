"""The appointment-form import page (``cadres/import``): upload one ``.lrmx`` or a zip of
them; the report per file (imported, refused and why, not imported because another file was
refused) with every problem by field and line, in the page's language. Organisation
department only (404 for everyone else); the form carries the session's CSRF token."""

from __future__ import annotations

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery

from core.services.errors import NotFound, ServiceError
from core.web.admin.shell import Shell, open_shell
from core.web.downloads import content_disposition
from plugins.cadres.access import READERS
from plugins.cadres.imports import import_lrmx
from plugins.cadres.sheets import SECTIONS, import_section, template_name, template_workbook

CONSOLE_CHECKS = {"public": True}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECTION_LABELS = {
    "posts": "Posts held",
    "education": "Education",
    "military": "Military service",
    "relations": "Family and social relations",
    "trainings": "Training",
    "rewards": "Rewards and punishments",
    "grades": "Annual grades",
    "tags": "Expertise",
}
STATUS_LABELS = {
    "imported": "Imported",
    "refused": "Refused",
    "not_imported": "Not imported: another file was refused",
}


def _page(
    shell: Shell,
    code: str,
    *,
    reports=None,
    error: str = "",
    row_errors=None,
    imported=None,
    status_code: int = 200,
) -> Response:
    return shell.render(
        "cadres/import.html",
        title=shell._("Import appointment forms"),
        reports=reports,
        error=error,
        row_errors=row_errors,
        imported=imported,
        sections=[(key, shell._(SECTION_LABELS[key])) for key in SECTIONS],
        code=code,
        status_label=lambda s: shell._(STATUS_LABELS.get(s, s)),
        problem=lambda p: shell.tr.gettext(p["msgid"], **p["params"]),
        status_code=status_code,
    )


@get("/localities/{code:str}/cadres/import", include_in_schema=False, opt=CONSOLE_CHECKS)
async def import_page(request: Request, code: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    return _page(shell, code)


@post("/localities/{code:str}/cadres/import", include_in_schema=False, opt=CONSOLE_CHECKS)
async def import_upload(request: Request, code: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    form = await request.form()
    shell.check_csrf({"_csrf": form.get("_csrf", "")})
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(shell, code, error=shell._("Choose an .lrmx file or a .zip of them first."), status_code=422)
    content = await upload.read()
    try:
        reports = await run_sync(import_lrmx, shell.ctx, shell.actor, code, upload.filename, content)
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        return _page(shell, code, error=shell.tr.error(exc), status_code=exc.status_code)
    refused = any(r.status != "imported" for r in reports)
    return _page(shell, code, reports=reports, status_code=422 if refused else 200)


@get("/localities/{code:str}/cadres/import/sheet.xlsx", include_in_schema=False, opt=CONSOLE_CHECKS)
async def sheet_template(request: Request, code: FromPath[str], section: FromQuery[str] = "") -> Response:
    """The spreadsheet to fill for one section (``?section=posts``); another section: 404."""
    shell = await open_shell(request, code, roles=READERS)
    if section not in SECTIONS:
        raise NotFound("page not found")
    name = template_name(section, shell.tr.locale)
    return Response(
        template_workbook(section, shell.tr.locale),
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(name, f"cadres-{section}-template.xlsx")},
    )


@post("/localities/{code:str}/cadres/import/sheet", include_in_schema=False, opt=CONSOLE_CHECKS)
async def import_sheet(request: Request, code: FromPath[str]) -> Response:
    """One section of many profiles from a spreadsheet; bad rows listed by row and column."""
    shell = await open_shell(request, code, roles=READERS)
    form = await request.form()
    shell.check_csrf({"_csrf": form.get("_csrf", "")})
    section = str(form.get("section", ""))
    upload = form.get("file")
    if section not in SECTIONS or not isinstance(upload, UploadFile) or not upload.filename:
        return _page(shell, code, error=shell._("Choose a section and an .xlsx or .csv file first."), status_code=422)
    content = await upload.read()
    try:
        done = await run_sync(import_section, shell.ctx, shell.actor, code, section, upload.filename, content)
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        rows = [
            {
                "row": e.get("row", ""),
                "column": e.get("column", ""),
                "message": shell.tr.translate(str(e.get("message", ""))),
            }
            for e in exc.errors
            if "row" in e
        ]
        return _page(shell, code, error=shell.tr.error(exc), row_errors=rows, status_code=exc.status_code)
    return _page(shell, code, imported=done)


def import_routes() -> list:
    return [import_page, import_upload, import_sheet, sheet_template]
