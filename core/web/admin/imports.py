"""Importing units and people from .xlsx or .csv on a page (``core.services.imports``): every
row is checked, then all are written or none; the problems are shown in a table (row, column,
message, in the reader's language). The template sheets are downloaded from here too."""

from __future__ import annotations

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery

from core.services import imports as import_service
from core.services.errors import NotFound, ServiceError
from core.web.admin.forms import message
from core.web.admin.menu import OFFICE, READERS
from core.web.admin.shell import Shell, open_shell
from core.web.downloads import TEMPLATE_NAMES, attachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kinds(shell: Shell) -> list[tuple[str, str]]:
    """What this user may import: units (office) and people (office and unit admins)."""
    kinds = [("units", shell._("Units")), ("people", shell._("People")), ("teams", shell._("Leadership teams"))]
    return kinds if shell.actor.role in OFFICE else [k for k in kinds if k[0] == "people"]


def _page(shell: Shell, *, kind: str = "", result=None, problems=None, error: str = "", status_code: int = 200):
    kinds = _kinds(shell)
    return shell.render(
        "admin/imports/page.html",
        title=shell._("Import"),
        crumbs=[(shell.locality["name"], None)],
        kinds=kinds,
        kind=kind or kinds[0][0],
        result=result,
        problems=problems or [],
        error=error,
        status_code=status_code,
    )


@get("/localities/{code:str}/import", include_in_schema=False)
async def import_page(request: Request, code: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    return _page(shell)


@post("/localities/{code:str}/import", include_in_schema=False)
async def import_upload(request: Request, code: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    form = await request.form()
    shell.check_csrf({"_csrf": form.get("_csrf", "")})
    kind = str(form.get("kind", ""))
    if kind not in dict(_kinds(shell)):
        raise NotFound("page not found")
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(shell, kind=kind, error=shell._("Choose an .xlsx or .csv file first."), status_code=422)
    content = await upload.read()
    try:
        result = await run_sync(
            import_service.import_file, shell.ctx, shell.actor, shell.code, kind, upload.filename, content
        )
    except ServiceError as exc:
        problems = [
            {"row": e.get("row", ""), "column": e.get("column", ""), "message": message(shell.tr, e.get("message", ""))}
            for e in exc.errors
            if "row" in e
        ]
        return _page(shell, kind=kind, problems=problems, error=shell.tr.error(exc), status_code=exc.status_code)
    return _page(shell, kind=kind, result=result)


@get("/localities/{code:str}/import/{kind:str}/template", include_in_schema=False)
async def import_template(
    request: Request, code: FromPath[str], kind: FromPath[str], fmt: FromQuery[str] = "xlsx"
) -> Response:
    shell = await open_shell(request, code, roles=READERS)  # signed in, and may see the locality
    if kind not in import_service.KINDS or fmt not in ("xlsx", "csv"):
        raise NotFound("page not found")
    disposition = attachment(shell.tr, TEMPLATE_NAMES[kind], f".{fmt}")
    if fmt == "csv":
        return Response(
            import_service.template_csv(kind), media_type="text/csv", headers={"Content-Disposition": disposition}
        )
    return Response(
        import_service.template_workbook(kind), media_type=XLSX, headers={"Content-Disposition": disposition}
    )


ROUTES = [import_page, import_upload, import_template]
