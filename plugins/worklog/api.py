"""The worklog's JSON API under ``/api/localities/{code}/worklog/``, in the OpenAPI document.

The core's guard on plugin routes answers 401 without sign-in and 404 for a locality the
caller may not see or that has not enabled the worklog; the service checks the rest (whose
entry, who may read whom: 404; roles: 403). Errors are translated by ``Accept-Language`` with
the worklog's catalogue.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get, post, put
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter

from core.i18n import LOCALES_DIR
from core.schemas.base import MAX_ID
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode
from plugins.worklog import HERE, service
from plugins.worklog.schemas import Board, EntryDetail, EntryIn, EntryOut, HistoryPage, Overview

PeriodText = Annotated[
    str,
    PathParameter(
        min_length=1,
        max_length=50,
        description="A period: 2026-W48, 2026-11, 2026-Q4 (or a typed form such as 2026年第48周)",
    ),
]
KindText = Annotated[
    str,
    PathParameter(
        min_length=1,
        max_length=50,
        description="weekly_plan, weekly_record, monthly_plan, monthly_summary, quarterly_plan, "
        "quarterly_self_assessment or daily_record (where the locality keeps daily records)",
    ),
]
PeriodQuery = Annotated[str, QueryParameter(min_length=1, max_length=50, description="A week, month or quarter")]
KindQuery = Annotated[str | None, QueryParameter(max_length=50)]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_ID)]
UnitQuery = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="The unit (office only)")]


class WorklogController(Controller):
    path = "/api/localities/{code:str}/worklog"
    tags = ["worklog"]
    opt = {"locales_dirs": (HERE / "locales", LOCALES_DIR)}

    @get("/me", sync_to_thread=True, summary="My week at a glance: the entries of the week, month and quarter")
    def overview(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, day: FromQuery[date | None] = None
    ) -> Overview:
        return service.overview(ctx, actor, code, day)

    @get("/me/entries", sync_to_thread=True, summary="My entries, newest period first (drafts too)")
    def my_history(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        kind: KindQuery = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> HistoryPage:
        return service.history(ctx, actor, code, kind=kind, limit=limit, offset=offset)

    @put(
        "/me/entries/{kind:str}/{period:str}",
        sync_to_thread=True,
        status_code=200,
        summary="Write my entry of a kind for a period (a draft, or a new version once submitted)",
    )
    def write(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        kind: KindText,
        period: PeriodText,
        data: JSONBody[EntryIn],
    ) -> EntryOut:
        return service.write_entry(ctx, actor, code, kind, period, data)

    @post(
        "/me/monthly-summaries/{period:str}",
        sync_to_thread=True,
        status_code=200,
        summary="Start my monthly summary from the month's weekly records (or answer the one I have)",
    )
    def start_summary(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, period: PeriodText) -> EntryOut:
        return service.start_monthly_summary(ctx, actor, code, period)

    @post("/entries/{entry_id:int}/submit", sync_to_thread=True, status_code=200, summary="Submit my draft")
    def submit(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, entry_id: ItemId) -> EntryOut:
        return service.submit_entry(ctx, actor, code, entry_id)

    @get(
        "/entries/{entry_id:int}",
        sync_to_thread=True,
        summary="An entry with its versions; a reader other than the author marks it viewed",
    )
    def read(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, entry_id: ItemId) -> EntryDetail:
        return service.read_entry(ctx, actor, code, entry_id)

    @get("/people/{person_id:int}/entries", sync_to_thread=True, summary="A person's submitted entries")
    def history(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        person_id: ItemId,
        kind: KindQuery = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> HistoryPage:
        return service.history(ctx, actor, code, person_id, kind=kind, limit=limit, offset=offset)

    @get(
        "/board",
        sync_to_thread=True,
        summary="The people of a unit I supervise (a leader: my unit or one I am in charge of, unit_id; the office: unit_id) with what each submitted",
    )
    def board(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        period: PeriodQuery,
        unit_id: UnitQuery = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Board:
        """One page of the unit's people (``limit`` from ``offset``, in id order); ``total``,
        ``submitted`` and ``missing`` count every page."""
        return service.board(ctx, actor, code, period, unit_id, limit=limit, offset=offset)


def api_routes() -> list:
    from plugins.worklog.completion_pages import CompletionController
    from plugins.worklog.discussion_api import EntryDiscussionController
    from plugins.worklog.evaluation_api import EvaluationController
    from plugins.worklog.records import RecordsController

    return [WorklogController, EntryDiscussionController, EvaluationController, CompletionController, RecordsController]
