"""The files of a cadre's profile page (``/admin/localities/{code}/cadres/people/{id}/...``), for
the organisation department only (404 for everyone else):

* ``form.pdf`` / ``form.docx`` / ``form.lrmx``: the 任免审批表 made from the profile, with the
  proposed post, removal, reason and the day's facts given in the query (``appointment_form``);
* ``photo``: the photo kept from an imported form (``photo``);
* ``dossier``: upload a dossier file (POST, multipart, CSRF); ``dossier/{id}``: download it
  (written to the view log); ``dossier/{id}/delete``: delete it (its uploader; POST, CSRF)."""

from __future__ import annotations

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect

from core.services import attachments
from core.services.errors import Invalid, ServiceError
from core.web.admin.shell import open_shell
from core.web.attachments import send_file
from core.web.downloads import content_disposition
from plugins.cadres.access import READERS
from plugins.cadres.appointment_form import Appointment, appointment_form
from plugins.cadres.dossier import add_dossier_file, delete_dossier_file, open_dossier_file
from plugins.cadres.form_print import form_docx, form_pdf
from plugins.cadres.lrmx import to_lrmx
from plugins.cadres.photo import open_photo

CONSOLE_CHECKS = {"public": True}  # open_shell checks the session (as the other pages)
FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "lrmx": "application/xml",
}


def form_file(form, fmt: str, font=None) -> bytes:
    """The form as ``pdf`` (with the font ``KAOPING_PDF_FONT`` names, if any), ``docx`` or ``lrmx``."""
    if fmt == "pdf":
        return form_pdf(form, font)
    if fmt == "docx":
        return form_docx(form)
    return to_lrmx(form.profile)


def form_response(form, fmt: str, font=None) -> Response:
    name = f"{form.profile.name or 'cadre'}-任免审批表.{fmt}"
    return Response(
        form_file(form, fmt, font),
        media_type=FORMATS[fmt],
        headers={
            "Content-Disposition": content_disposition(name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@get(
    [f"/localities/{{code:str}}/cadres/people/{{person_id:int}}/form.{fmt}" for fmt in FORMATS],
    include_in_schema=False,
    opt=CONSOLE_CHECKS,
)
async def form_download(request: Request, code: FromPath[str], person_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    fmt = request.url.path.rsplit(".", 1)[-1]
    given = Appointment.from_params(dict(request.query_params))
    form = await run_sync(appointment_form, shell.ctx, shell.actor, code, person_id, given)
    return await run_sync(form_response, form, fmt, shell.ctx.settings.pdf_font)


@post("/localities/{code:str}/cadres/people/{person_id:int}/dossier", include_in_schema=False, opt=CONSOLE_CHECKS)
async def dossier_upload(request: Request, code: FromPath[str], person_id: FromPath[int]) -> Response:
    from plugins.cadres.pages import render_profile

    shell = await open_shell(request, code, roles=READERS)
    form = await request.form()
    shell.check_csrf(dict(form))
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Invalid("file: send exactly one file as a multipart/form-data file part")
        content = await attachments.read_bounded(upload, attachments.max_bytes(shell.ctx))
        await run_sync(add_dossier_file, shell.ctx, shell.actor, code, person_id, upload.filename, content)
    except ServiceError as exc:
        if exc.status_code in (403, 404):
            raise
        return await render_profile(shell, code, person_id, shell.tr.error(exc), exc.status_code)
    return Redirect(f"/admin/localities/{code}/cadres/people/{person_id}#dossier", status_code=303)


@get(
    "/localities/{code:str}/cadres/people/{person_id:int}/dossier/{attachment_id:int}",
    include_in_schema=False,
    opt=CONSOLE_CHECKS,
)
async def dossier_download(
    request: Request, code: FromPath[str], person_id: FromPath[int], attachment_id: FromPath[int]
) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    download = await run_sync(open_dossier_file, shell.ctx, shell.actor, code, person_id, attachment_id)
    return send_file(download)


@post(
    "/localities/{code:str}/cadres/people/{person_id:int}/dossier/{attachment_id:int}/delete",
    include_in_schema=False,
    opt=CONSOLE_CHECKS,
)
async def dossier_delete(
    request: Request,
    code: FromPath[str],
    person_id: FromPath[int],
    attachment_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    shell.check_csrf(data)
    await run_sync(delete_dossier_file, shell.ctx, shell.actor, code, person_id, attachment_id)
    return Redirect(f"/admin/localities/{code}/cadres/people/{person_id}#dossier", status_code=303)


@get("/localities/{code:str}/cadres/people/{person_id:int}/photo", include_in_schema=False, opt=CONSOLE_CHECKS)
async def photo_download(request: Request, code: FromPath[str], person_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    return send_file(await run_sync(open_photo, shell.ctx, shell.actor, code, person_id))


def file_routes() -> list:
    return [form_download, dossier_upload, dossier_download, dossier_delete, photo_download]
