from __future__ import annotations

from litestar import Controller, get, post

from core.context import Actor, AppContext
from core.schemas.localities import LocalityIn, LocalityOut
from core.services import localities


class LocalityController(Controller):
    path = "/api/localities"
    tags = ["localities"]

    @post("/", sync_to_thread=True, summary="Create a locality (platform admin)")
    def create(self, ctx: AppContext, actor: Actor, data: LocalityIn) -> LocalityOut:
        return localities.create(ctx, actor, data)

    @get("/", sync_to_thread=True, summary="Localities the caller can see")
    def list(self, ctx: AppContext, actor: Actor) -> list[LocalityOut]:
        return localities.list_visible(ctx, actor)

    @get("/{code:str}", sync_to_thread=True)
    def get(self, ctx: AppContext, actor: Actor, code: str) -> LocalityOut:
        return localities.get(ctx, actor, code)
