"""Subject pages besides the list and the bulk form of ``core.web.admin.org``: one subject's
name and category (编辑), its deletion when nothing refers to it, and the subjects as .xlsx.
Office users only, as for the list."""

from __future__ import annotations

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Stream
from pydantic import ValidationError

from core.schemas.org import SubjectPatch
from core.services import org_lists
from core.services import subjects as subject_service
from core.services.errors import ServiceError
from core.web.admin.forms import model_errors
from core.web.admin.menu import OFFICE
from core.web.admin.shell import Shell, field_errors, open_shell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _base(shell: Shell) -> str:
    return f"/admin/localities/{shell.code}/subjects"


@get("/localities/{code:str}/subjects/export", include_in_schema=False)
async def subjects_export(request: Request, code: FromPath[str], category: FromQuery[str] = "") -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    chunks = await run_sync(lambda: org_lists.export_subjects(shell.ctx, shell.actor, shell.code, category=category))
    return Stream(
        chunks, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="subjects-{shell.code}.xlsx"'}
    )


async def _form(
    shell: Shell,
    subject_id: int,
    values: dict[str, str] | None,
    errors: dict[str, str],
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    subject = await run_sync(subject_service.get_subject, shell.ctx, shell.actor, shell.code, subject_id)
    categories = await run_sync(org_lists.subject_categories, shell.ctx, shell.actor, shell.code)
    if values is None:
        values = {"name": subject.name, "category": subject.category}
    return shell.render(
        "admin/org/subject.html",
        title=subject.name,
        crumbs=[(shell.locality["name"], None), (shell._("Subjects"), _base(shell))],
        subject=subject,
        values=values,
        errors=errors,
        message=message,
        error=error,
        categories=[c for c, _n in categories],
        status_code=status_code,
    )


@get("/localities/{code:str}/subjects/{subject_id:int}", include_in_schema=False)
async def subject_page(request: Request, code: FromPath[str], subject_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    return await _form(shell, subject_id, None, {})


@post("/localities/{code:str}/subjects/{subject_id:int}", include_in_schema=False)
async def subject_update(
    request: Request, code: FromPath[str], subject_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """``action``: ``save`` (name and category) or ``delete`` (refused while campaigns, values or
    results refer to the subject, with what does)."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    if data.get("action") == "delete":
        try:
            await run_sync(subject_service.delete_subject, shell.ctx, shell.actor, shell.code, subject_id)
        except ServiceError as exc:
            return await _form(shell, subject_id, None, {}, error=shell.tr.error(exc), status_code=exc.status_code)
        return Redirect(_base(shell))
    values = {"name": data.get("name", ""), "category": data.get("category", "")}
    try:
        patch = SubjectPatch.model_validate({k: v.strip() for k, v in values.items()})
        await run_sync(subject_service.update_subject, shell.ctx, shell.actor, shell.code, subject_id, patch)
    except ValidationError as exc:
        return await _form(shell, subject_id, values, model_errors(shell.tr, exc), status_code=422)
    except ServiceError as exc:
        errors, general = field_errors(shell.tr, exc)
        return await _form(
            shell, subject_id, values, errors, error="" if errors else general, status_code=exc.status_code
        )
    return await _form(shell, subject_id, None, {}, message=shell._("Saved."))


ROUTES = [subjects_export, subject_page, subject_update]
