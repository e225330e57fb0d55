"""Comments (点评), answers and likes of a goal under ``/api/localities/{code}/goals/{goal_id}``."""

from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.params import JSONBody

from core.i18n import LOCALES_DIR
from core.services import discussion as core_discussion
from core.services.discussion import CommentOut
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode
from plugins.goals import HERE, discussion
from plugins.goals.schemas import AnswerIn, CommentIn, GoalDiscussion


class GoalDiscussionController(Controller):
    path = "/api/localities/{code:str}/goals/{goal_id:int}"
    tags = ["goals"]
    opt = {"locales_dirs": (HERE / "locales", LOCALES_DIR)}

    @get("/comments", sync_to_thread=True, summary="A goal's comments with the answers the caller may see, and likes")
    def comments(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId) -> GoalDiscussion:
        return discussion.read(ctx, actor, code, goal_id)

    @post("/comments", sync_to_thread=True, status_code=201, summary="Comment on a goal (点评, suggestion, report)")
    def comment(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId, data: JSONBody[CommentIn]
    ) -> CommentOut:
        return core_discussion.add_comment(
            ctx, actor, discussion.TARGET, goal_id, discussion.resolver(code, goal_id), data.body
        )

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
        core_discussion.delete_comment(
            ctx, actor, discussion.TARGET, goal_id, discussion.resolver(code, goal_id), comment_id
        )

    @post("/likes", sync_to_thread=True, status_code=200, summary="Like the goal, or take my like back")
    def like(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId) -> GoalDiscussion:
        core_discussion.toggle_like(ctx, actor, discussion.TARGET, goal_id, discussion.resolver(code, goal_id))
        return discussion.read(ctx, actor, code, goal_id)
