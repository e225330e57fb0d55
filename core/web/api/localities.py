from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody

from core.schemas.localities import LocalityIn, LocalityOut
from core.services import localities
from core.web.params import Ctx, CurrentActor, LocalityCode


class LocalityController(Controller):
    path = "/api/localities"
    tags = ["localities"]

    @post("/", sync_to_thread=True, summary="Create a locality (platform admin)")
    def create(self, ctx: Ctx, actor: CurrentActor, data: JSONBody[LocalityIn]) -> LocalityOut:
        return localities.create(ctx, actor, data)

    @get("/", sync_to_thread=True, summary="Localities the caller can see")
    def list(self, ctx: Ctx, actor: CurrentActor) -> list[LocalityOut]:
        return localities.list_visible(ctx, actor)

    @get("/{code:str}", sync_to_thread=True)
    def get(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode) -> LocalityOut:
        return localities.get(ctx, actor, code)
