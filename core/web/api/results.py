"""The tally and its results (admin side)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post

from core.services import tally
from core.web.params import Ctx, CurrentActor, ItemId

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ResultsController(Controller):
    path = "/api/campaigns"
    tags = ["results"]

    @post("/{item_id:int}/tally", sync_to_thread=True, status_code=200,
          summary="Tally a closed campaign (again, while not published)")
    def tally(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> dict[str, Any]:
        return tally.tally(ctx, actor, item_id)

    @get("/{item_id:int}/results", sync_to_thread=True)
    def results(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> dict[str, Any]:
        return tally.results(ctx, actor, item_id)

    @get("/{item_id:int}/results.xlsx", sync_to_thread=True, summary="The results as an Excel workbook")
    def results_xlsx(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> Response[bytes]:
        return Response(content=tally.results_xlsx(ctx, actor, item_id), media_type=XLSX, headers={
            "Content-Disposition": f'attachment; filename="campaign-{item_id}-results.xlsx"'})
