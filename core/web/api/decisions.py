"""The office's decisions on a tallied campaign: adjustments and publishing."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody

from core.schemas.values import AdjustmentIn, AdjustmentOut, PublishOut
from core.services import decisions
from core.web.params import Ctx, CurrentActor, ItemId


class DecisionController(Controller):
    path = "/api/campaigns"
    tags = ["results"]

    @post(
        "/{item_id:int}/adjustments",
        sync_to_thread=True,
        summary="Change a subject's grade, with a reason (tallied campaigns only)",
    )
    def adjust(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId, data: JSONBody[AdjustmentIn]) -> AdjustmentOut:
        return decisions.adjust(ctx, actor, item_id, data)

    @get("/{item_id:int}/adjustments", sync_to_thread=True)
    def adjustments(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> list[AdjustmentOut]:
        return decisions.list_adjustments(ctx, actor, item_id)

    @post("/{item_id:int}/publish", sync_to_thread=True, status_code=200, summary="Publish and freeze the results")
    def publish(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> PublishOut:
        return decisions.publish(ctx, actor, item_id)
