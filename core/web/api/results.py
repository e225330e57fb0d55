"""The tally and its results (admin side)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody

from core.i18n import locale_from_accept_language
from core.reports import files
from core.services import tally
from core.services.turnout import TallyIn
from core.web.downloads import content_disposition
from core.web.params import Ctx, CurrentActor, ItemId


class ResultsController(Controller):
    path = "/api/campaigns"
    tags = ["results"]

    @post(
        "/{item_id:int}/tally",
        sync_to_thread=True,
        status_code=200,
        opt={"optional_body": True},
        summary="Tally a closed campaign (again, while not published)",
    )
    def tally(
        self, ctx: Ctx, actor: CurrentActor, item_id: ItemId, data: JSONBody[TallyIn | None] = None
    ) -> dict[str, Any]:
        """409 with each category's figures when a turnout is below the locality's minimum,
        unless the body gives ``confirm_low_turnout_reason`` (recorded in the audit log)."""
        reason = data.confirm_low_turnout_reason if data is not None else None
        return tally.tally(ctx, actor, item_id, low_turnout_reason=reason)

    @get("/{item_id:int}/results", sync_to_thread=True)
    def results(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> dict[str, Any]:
        return tally.results(ctx, actor, item_id)

    @get(
        "/{item_id:int}/results.xlsx",
        sync_to_thread=True,
        opt={"errors": {409}},
        summary="The results as an Excel workbook (ranking, turnout, per-indicator sheets)",
    )
    def results_xlsx(self, request: Request, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> Response[bytes]:
        """Headers in the language of ``Accept-Language`` (Chinese or English; English without
        it), scores rounded to the locality's decimals with the unrounded score in a hidden
        column. 409 before the tally."""
        return _file(request, ctx, actor, item_id, "xlsx")

    @get(
        "/{item_id:int}/report.pdf",
        sync_to_thread=True,
        opt={"errors": {409}},
        summary="The results report for the party committee, as PDF",
    )
    def report_pdf(self, request: Request, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> Response[bytes]:
        """Cover, turnout, the rule and policies in words, the ranking per subject category and a
        page per subject with its radar chart, in the language of ``Accept-Language``. 409 before
        the tally."""
        return _file(request, ctx, actor, item_id, "pdf")

    @get(
        "/{item_id:int}/report.docx",
        sync_to_thread=True,
        opt={"errors": {409}, "produces": (files.DOCX,)},
        summary="The results report as a Word document (.docx)",
    )
    def report_docx(self, request: Request, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> Response[bytes]:
        """The PDF report's content, editable in Word or WPS. 409 before the tally."""
        return _file(request, ctx, actor, item_id, "docx")


def _file(request: Request, ctx, actor, item_id: int, kind: str) -> Response[bytes]:
    locale = locale_from_accept_language(request.headers.get("accept-language")) or "en"
    result = files.export(ctx, actor, item_id, kind, locale)
    return Response(
        content=result.content,
        media_type=result.media_type,
        headers={"Content-Disposition": content_disposition(result.title, result.filename)},
    )
