"""The API of a cadre's files under ``/api/localities/{code}/cadres/people/{person_id}/``: the
任免审批表 made from the profile (``form``: PDF, Word or .lrmx), the photo (``photo``) and the dossier files (list,
upload, download — written to the view log — and delete). The organisation department only
(404 for everyone else, as for a person that does not exist); a cookie session's upload and
deletion carry the CSRF token (the core's guard)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from anyio.to_thread import run_sync
from litestar import Controller, Response, delete, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import File

from core.i18n import LOCALES_DIR
from core.services import attachments
from core.services.attachments import AttachmentOut
from core.web.attachments import one_file, send_file
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode
from plugins.cadres import HERE
from plugins.cadres.appointment_form import Appointment, appointment_form
from plugins.cadres.dossier import add_dossier_file, delete_dossier_file, list_dossier, open_dossier_file
from plugins.cadres.file_pages import FORMATS, form_response
from plugins.cadres.photo import open_photo


class CadreFilesController(Controller):
    path = "/api/localities/{code:str}/cadres/people/{person_id:int}"
    tags = ["cadres"]
    opt = {"locales_dirs": (HERE / "locales", LOCALES_DIR)}

    @get(
        "/form",
        summary="The person's 任免审批表 as PDF, Word or .lrmx (logged)",
        description="The proposed post, removal, reason, reporting unit, health and professional title are "
        "given in the query (each at most 500 characters); everything else comes from the profile.",
        opt={"produces": tuple(FORMATS.values())},
    )
    async def form(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        person_id: ItemId,
        format: FromQuery[Literal["pdf", "docx", "lrmx"]] = "pdf",
        proposed_post: FromQuery[str] = "",
        proposed_removal: FromQuery[str] = "",
        reason: FromQuery[str] = "",
        reporting_unit: FromQuery[str] = "",
        health: FromQuery[str] = "",
        title: FromQuery[str] = "",
    ) -> Response:
        given = Appointment.from_params(
            {
                "proposed_post": proposed_post,
                "proposed_removal": proposed_removal,
                "reason": reason,
                "reporting_unit": reporting_unit,
                "health": health,
                "title": title,
            }
        )
        made = await run_sync(appointment_form, ctx, actor, code, person_id, given)
        return await run_sync(form_response, made, format, ctx.settings.pdf_font)

    @get(
        "/photo",
        sync_to_thread=True,
        summary="The person's photo (照片, JPEG or PNG, from an imported 任免审批表); 404 without one",
        opt={"produces": ("image/jpeg", "image/png")},
    )
    def photo(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, person_id: ItemId) -> File:
        return send_file(open_photo(ctx, actor, code, person_id))

    @get("/dossier", sync_to_thread=True, summary="The person's dossier files (档案材料)")
    def files(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, person_id: ItemId) -> list[AttachmentOut]:
        return list_dossier(ctx, actor, code, person_id)

    @post(
        "/dossier",
        status_code=201,
        opt={"upload_field": "file"},
        summary="Add a dossier file (pdf, docx, xlsx, jpg, png or txt, recognised by content; audited)",
        description="Over KAOPING_ATTACHMENT_MAX_MB: 413; a kind not allowed or content that is not what "
        "the name says: 422; more than 20 files: 409.",
    )
    async def upload(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        person_id: ItemId,
        data: Annotated[
            dict[str, Any],
            Body(media_type=RequestEncodingType.MULTI_PART, description="one file part (any field name, e.g. file)"),
        ],
    ) -> AttachmentOut:
        upload = one_file(data)
        content = await attachments.read_bounded(upload, attachments.max_bytes(ctx))
        return await run_sync(add_dossier_file, ctx, actor, code, person_id, upload.filename or "", content)

    @get(
        "/dossier/{attachment_id:int}",
        sync_to_thread=True,
        summary="Download a dossier file (written to the view log)",
        opt={"produces": tuple(sorted({media for _, media in attachments.KINDS.values()}))},
    )
    def download(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, person_id: ItemId, attachment_id: ItemId
    ) -> File:
        return send_file(open_dossier_file(ctx, actor, code, person_id, attachment_id))

    @delete(
        "/dossier/{attachment_id:int}",
        sync_to_thread=True,
        status_code=204,
        summary="Delete a dossier file (its uploader; audited)",
    )
    def delete_file(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, person_id: ItemId, attachment_id: ItemId
    ) -> None:
        delete_dossier_file(ctx, actor, code, person_id, attachment_id)


def file_api_routes() -> list:
    return [CadreFilesController]
