"""The tally and its results (admin side)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import JSONBody

from core.services import tally
from core.services.turnout import TallyIn
from core.web.params import Ctx, CurrentActor, ItemId

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ResultsController(Controller):
    path = "/api/campaigns"
    tags = ["results"]

    @post("/{item_id:int}/tally", sync_to_thread=True, status_code=200,
          summary="Tally a closed campaign (again, while not published)")
    def tally(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId,
              data: JSONBody[TallyIn | None] = None) -> dict[str, Any]:
        """409 with each category's figures when a turnout is below the locality's minimum,
        unless the body gives ``confirm_low_turnout_reason`` (recorded in the audit log)."""
        reason = data.confirm_low_turnout_reason if data is not None else None
        return tally.tally(ctx, actor, item_id, low_turnout_reason=reason)

    @get("/{item_id:int}/results", sync_to_thread=True)
    def results(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> dict[str, Any]:
        return tally.results(ctx, actor, item_id)

    @get("/{item_id:int}/results.xlsx", sync_to_thread=True, summary="The results as an Excel workbook")
    def results_xlsx(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> Response[bytes]:
        return Response(content=tally.results_xlsx(ctx, actor, item_id), media_type=XLSX, headers={
            "Content-Disposition": f'attachment; filename="campaign-{item_id}-results.xlsx"'})
