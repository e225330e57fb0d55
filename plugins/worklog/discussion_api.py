"""The API of an entry's comments, likes and files under
``/api/localities/{code}/worklog/entries/{entry_id}/``: the core's discussion and attachments
services with the worklog's check (``plugins.worklog.discussion``): 404 for an entry the caller
may not read, 403 for what it may read but not write. A cookie session's changes carry the
CSRF token (the core's guard)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, delete, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody
from litestar.response import File
from pydantic import BaseModel, Field

from core.i18n import LOCALES_DIR
from core.services import attachments, discussion
from core.services.attachments import AttachmentOut
from core.services.discussion import CommentOut, Discussion
from core.web.attachments import one_file, send_file
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode
from plugins.worklog import HERE
from plugins.worklog.discussion import TARGET, resolver


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=discussion.MAX_COMMENT, description="1 to 2,000 characters")


class EntryDiscussionController(Controller):
    path = "/api/localities/{code:str}/worklog/entries/{entry_id:int}"
    tags = ["worklog"]
    opt = {"locales_dirs": (HERE / "locales", LOCALES_DIR)}

    @get("/comments", sync_to_thread=True, summary="An entry's comments and likes")
    def comments(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, entry_id: ItemId) -> Discussion:
        return discussion.read(ctx, actor, TARGET, entry_id, resolver(code, entry_id))

    @post(
        "/comments", sync_to_thread=True, status_code=201, summary="Comment on a submitted entry (its author is told)"
    )
    def comment(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, entry_id: ItemId, data: JSONBody[CommentIn]
    ) -> CommentOut:
        return discussion.add_comment(ctx, actor, TARGET, entry_id, resolver(code, entry_id), data.body)

    @delete(
        "/comments/{comment_id:int}",
        sync_to_thread=True,
        status_code=204,
        summary="Delete a comment (its writer or the office; audited)",
    )
    def delete_comment(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, entry_id: ItemId, comment_id: ItemId
    ) -> None:
        discussion.delete_comment(ctx, actor, TARGET, entry_id, resolver(code, entry_id), comment_id)

    @post(
        "/likes",
        sync_to_thread=True,
        status_code=200,
        summary="Like the entry, or take my like back (once per user; its author is told of a like)",
    )
    def like(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, entry_id: ItemId) -> Discussion:
        return discussion.toggle_like(ctx, actor, TARGET, entry_id, resolver(code, entry_id))

    @get("/attachments", sync_to_thread=True, summary="An entry's files")
    def files(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, entry_id: ItemId) -> list[AttachmentOut]:
        return attachments.list_files(ctx, actor, TARGET, entry_id, resolver(code, entry_id, files=True))

    @post(
        "/attachments",
        status_code=201,
        opt={"upload_field": "file"},
        summary="Attach a file to my entry (pdf, docx, xlsx, jpg, png or txt, recognised by content)",
        description="Over KAOPING_ATTACHMENT_MAX_MB: 413; a kind not allowed or content that is not what "
        "the name says (a renamed program): 422; more than 20 files: 409.",
    )
    async def upload(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        entry_id: ItemId,
        data: Annotated[
            dict[str, Any],
            Body(media_type=RequestEncodingType.MULTI_PART, description="one file part (any field name, e.g. file)"),
        ],
    ) -> AttachmentOut:
        from anyio.to_thread import run_sync

        upload = one_file(data)
        content = await attachments.read_bounded(upload, attachments.max_bytes(ctx))
        return await run_sync(
            attachments.add_file,
            ctx,
            actor,
            TARGET,
            entry_id,
            resolver(code, entry_id, files=True),
            upload.filename or "",
            content,
        )

    @get(
        "/attachments/{attachment_id:int}",
        sync_to_thread=True,
        summary="Download a file of an entry",
        opt={"produces": tuple(sorted({media for _, media in attachments.KINDS.values()}))},
    )
    def download(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, entry_id: ItemId, attachment_id: ItemId
    ) -> File:
        return send_file(
            attachments.open_file(ctx, actor, TARGET, entry_id, resolver(code, entry_id, files=True), attachment_id)
        )

    @delete(
        "/attachments/{attachment_id:int}",
        sync_to_thread=True,
        status_code=204,
        summary="Delete a file (its uploader or the office; audited)",
    )
    def delete_file(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, entry_id: ItemId, attachment_id: ItemId
    ) -> None:
        attachments.delete_file(ctx, actor, TARGET, entry_id, resolver(code, entry_id, files=True), attachment_id)
