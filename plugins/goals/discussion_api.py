"""Comments (点评, 建议, 举报), answers and likes of a goal under
``/api/localities/{code}/goals/{goal_id}``, the comments overview under
``/api/localities/{code}/goals/comments``, and the comments and files of a progress report under
``/api/localities/{code}/goals/{goal_id}/progress/{report_id}/comments`` and ``.../attachments``."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import delete, get, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody, QueryParameter
from litestar.response import File

from core.services import attachments
from core.services import discussion as core_discussion
from core.services.attachments import AttachmentOut
from core.services.discussion import CommentOut
from core.web.attachments import one_file, send_file
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode
from plugins.goals import discussion, files, report_discussion
from plugins.goals.api import GoalsApi, YearQuery
from plugins.goals.schemas import AnswerIn, CommentIn, CommentsOverview, GoalDiscussion

KindFilter = Annotated[str | None, QueryParameter(max_length=20, description="Only comments of this kind")]


class GoalDiscussionController(GoalsApi):
    path = "/api/localities/{code:str}/goals/{goal_id:int}"

    @get(
        "/comments",
        sync_to_thread=True,
        summary="A goal's comments (of one kind, if asked) with the answers the caller may see, and likes",
    )
    def comments(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId, kind: KindFilter = None
    ) -> GoalDiscussion:
        return discussion.read(ctx, actor, code, goal_id, kind)

    @post(
        "/comments",
        sync_to_thread=True,
        status_code=201,
        summary="Comment on a goal, of one of the locality's kinds (点评, 建议, 举报, ...)",
    )
    def comment(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId, data: JSONBody[CommentIn]
    ) -> CommentOut:
        return discussion.comment(ctx, actor, code, goal_id, data)

    @put(
        "/comments/{comment_id:int}/answer",
        sync_to_thread=True,
        status_code=200,
        summary="The unit answers a comment, publicly or only to its writer",
    )
    def answer(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        goal_id: ItemId,
        comment_id: ItemId,
        data: JSONBody[AnswerIn],
    ) -> GoalDiscussion:
        return discussion.answer(ctx, actor, code, goal_id, comment_id, data)

    @delete(
        "/comments/{comment_id:int}",
        sync_to_thread=True,
        status_code=204,
        summary="Delete a comment (its writer, or the office removing a duplicate; audited)",
    )
    def delete_comment(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId, comment_id: ItemId
    ) -> None:
        discussion.delete_comment(ctx, actor, code, goal_id, comment_id)

    @post("/likes", sync_to_thread=True, status_code=200, summary="Like the goal, or take my like back")
    def like(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId) -> GoalDiscussion:
        core_discussion.toggle_like(ctx, actor, discussion.TARGET, goal_id, discussion.resolver(code, goal_id))
        return discussion.read(ctx, actor, code, goal_id)

    # --- the comments of a progress report -------------------------------------------------------

    @get(
        "/progress/{report_id:int}/comments",
        sync_to_thread=True,
        summary="A progress report's comments (of one kind, if asked) with the answers the caller may see",
    )
    def report_comments(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        goal_id: ItemId,
        report_id: ItemId,
        kind: KindFilter = None,
    ) -> GoalDiscussion:
        return report_discussion.read(ctx, actor, code, goal_id, report_id, kind)

    @post(
        "/progress/{report_id:int}/comments",
        sync_to_thread=True,
        status_code=201,
        summary="Comment on a progress report, of one of the locality's kinds (点评, 建议, 举报, ...)",
    )
    def report_comment(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        goal_id: ItemId,
        report_id: ItemId,
        data: JSONBody[CommentIn],
    ) -> CommentOut:
        return report_discussion.comment(ctx, actor, code, goal_id, report_id, data)

    @put(
        "/progress/{report_id:int}/comments/{comment_id:int}/answer",
        sync_to_thread=True,
        status_code=200,
        summary="The unit answers a comment on a progress report, publicly or only to its writer",
    )
    def report_answer(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        goal_id: ItemId,
        report_id: ItemId,
        comment_id: ItemId,
        data: JSONBody[AnswerIn],
    ) -> GoalDiscussion:
        return report_discussion.answer(ctx, actor, code, goal_id, report_id, comment_id, data)

    @delete(
        "/progress/{report_id:int}/comments/{comment_id:int}",
        sync_to_thread=True,
        status_code=204,
        summary="Delete a comment on a progress report (its writer, or the office; audited)",
    )
    def delete_report_comment(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        goal_id: ItemId,
        report_id: ItemId,
        comment_id: ItemId,
    ) -> None:
        report_discussion.delete_comment(ctx, actor, code, goal_id, report_id, comment_id)

    # --- the files of a progress report ----------------------------------------------------------

    @get("/progress/{report_id:int}/attachments", sync_to_thread=True, summary="A progress report's files")
    def files(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId, report_id: ItemId
    ) -> list[AttachmentOut]:
        return attachments.list_files(ctx, actor, files.TARGET, report_id, files.resolver(code, goal_id, report_id))

    @post(
        "/progress/{report_id:int}/attachments",
        status_code=201,
        opt={"upload_field": "file"},
        summary="Attach a file to a progress report (pdf, docx, xlsx, jpg, png or txt, recognised by content)",
        description="Those who report the goal's progress attach. Over KAOPING_ATTACHMENT_MAX_MB: 413; a kind "
        "not allowed or content that is not what the name says: 422; more than 20 files: 409.",
    )
    async def upload(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        goal_id: ItemId,
        report_id: ItemId,
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
            files.TARGET,
            report_id,
            files.resolver(code, goal_id, report_id),
            upload.filename or "",
            content,
        )

    @get(
        "/progress/{report_id:int}/attachments/{attachment_id:int}",
        sync_to_thread=True,
        summary="Download a file of a progress report",
        opt={"produces": tuple(sorted({media for _, media in attachments.KINDS.values()}))},
    )
    def download(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        goal_id: ItemId,
        report_id: ItemId,
        attachment_id: ItemId,
    ) -> File:
        return send_file(
            attachments.open_file(
                ctx, actor, files.TARGET, report_id, files.resolver(code, goal_id, report_id), attachment_id
            )
        )

    @delete(
        "/progress/{report_id:int}/attachments/{attachment_id:int}",
        sync_to_thread=True,
        status_code=204,
        summary="Delete a file of a progress report (its uploader or the office; audited)",
    )
    def delete_file(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        goal_id: ItemId,
        report_id: ItemId,
        attachment_id: ItemId,
    ) -> None:
        attachments.delete_file(
            ctx, actor, files.TARGET, report_id, files.resolver(code, goal_id, report_id), attachment_id
        )


class CommentsOverviewController(GoalsApi):
    path = "/api/localities/{code:str}/goals/comments"

    @get(
        "",
        sync_to_thread=True,
        summary="Goals the caller may read or follow with their comments by kind and unanswered counts",
        description="With unit_id: every such goal of the unit; without: the goals with comments, those "
        "waiting for an answer first. Goals the caller may not see are not counted.",
    )
    def overview(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        year: YearQuery,
        unit_id: Annotated[
            int | None, QueryParameter(ge=1, le=2**31 - 1, description="Every goal of this unit")
        ] = None,
        kind: KindFilter = None,
    ) -> CommentsOverview:
        return discussion.overview(ctx, actor, code, year, unit_id, kind)
